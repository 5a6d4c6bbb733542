"""Unit tests of compare.py on tiny matrices (stdlib only)."""

import contextlib
import io
import json
import tempfile
import unittest
from pathlib import Path

import compare

# ferrobus: A, B, C (and the diagonal, which is left out).
FERROBUS = """from,to,minutes
A,A,0.00
A,B,10.00
A,C,20.00
B,A,12.00
B,B,0.00
B,C,
C,A,30.00
C,B,
C,C,0.00
"""

# onehour, the same points in another order: B->A 15 (+3), A->B 9 (-1), A->C 26 (+6),
# C->A 30 (0); B->C reached by onehour only; C->B by neither.
ONEHOUR_JSON = {
    "network": "poa",
    "places": [{"id": "B"}, {"id": "A"}, {"id": "C"}],
    "minutes": [
        [0.0, 15.0, 40.5],
        [9.0, 0.0, 26.0],
        [None, 30.0, 0.0],
    ],
    "within_limit": [[True, True, True], [True, True, True], [False, True, True]],
}

ONEHOUR_CSV = """from,to,minutes,within_limit,share_within_limit,p50
A,B,9.0,true,1.000,9.0
A,C,26.0,true,1.000,26.0
B,A,15.0,true,1.000,15.0
B,C,40.5,true,1.000,40.5
C,A,30.0,true,1.000,30.0
C,B,,false,0.000,
"""


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


class Compare(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.fb = write(self.tmp, "fb.csv", FERROBUS)
        self.ohj = write(self.tmp, "oh.json", json.dumps(ONEHOUR_JSON))
        self.ohc = write(self.tmp, "oh.csv", ONEHOUR_CSV)

    def tearDown(self):
        self._tmp.cleanup()

    def check(self, c: dict) -> None:
        self.assertEqual(c["points"]["common"], 3)
        self.assertEqual(c["pairs"], 6)
        b = c["both_reach"]
        # |diff| = 1, 3, 6, 0 -> median 2, max 6; signed mean (-1 + 3 + 6 + 0) / 4 = 2.
        self.assertEqual(b["pairs"], 4)
        self.assertEqual(b["median_abs_diff_min"], 2.0)
        self.assertEqual(b["max_abs_diff_min"], 6.0)
        self.assertEqual(b["mean_signed_diff_min"], 2.0)
        self.assertEqual(b["share_within_3_min"], 0.75)
        # p90 of [0, 1, 3, 6]: 3 + 0.7 * 3.
        self.assertAlmostEqual(b["p90_abs_diff_min"], 5.1)
        self.assertEqual(c["reached_by_ferrobus_only"], 0)
        self.assertEqual(c["reached_by_onehour_only"], 1)
        self.assertEqual(c["reached_by_neither"], 1)

    def test_onehour_json(self):
        fb, fi = compare.read_matrix(self.fb)
        oh, oi = compare.read_matrix(self.ohj)
        self.check(compare.compare(fb, fi, oh, oi))

    def test_onehour_csv_with_its_extra_columns(self):
        fb, fi = compare.read_matrix(self.fb)
        oh, oi = compare.read_matrix(self.ohc)
        self.check(compare.compare(fb, fi, oh, oi))

    def test_within_60_minutes_filters_on_ferrobus_minutes(self):
        fb, fi = compare.read_matrix(self.fb)
        fb["A", "C"] = 70.0
        oh, oi = compare.read_matrix(self.ohj)
        c = compare.compare(fb, fi, oh, oi)
        self.assertEqual(c["both_reach_ferrobus_within_60_min"]["pairs"], 3)
        self.assertEqual(c["both_reach_ferrobus_within_60_min"]["max_abs_diff_min"], 3.0)

    def test_a_pair_missing_from_a_file_is_not_reached_and_extra_points_are_named(self):
        fb, fi = compare.read_matrix(self.fb)
        doc = dict(ONEHOUR_JSON)
        doc["to_places"] = [{"id": "A"}, {"id": "D"}]
        doc["minutes"] = [[15.0, 1.0], [None, 2.0], [30.0, 3.0]]
        oh, oi = compare.read_matrix(write(self.tmp, "rect.json", json.dumps(doc)))
        c = compare.compare(fb, fi, oh, oi)
        self.assertEqual(c["points"]["onehour_only"], ["D"])
        # B->A and C->A both reach; A->B, A->C and B->C absent from onehour's rows x cols;
        # A->B (10) and A->C (20) then count as ferrobus only; B->C and C->B neither.
        self.assertEqual(c["both_reach"]["pairs"], 2)
        self.assertEqual(c["reached_by_ferrobus_only"], 2)
        self.assertEqual(c["reached_by_neither"], 2)

    def test_speed_ratios_are_ferrobus_over_onehour(self):
        runs = {}
        for name, s, rss, cpu in (("fb", (6.0, 3.0, 4.0), 100.0, (10.0, 5.0)), ("oh", (2.0, 0.5, 1.0), 50.0, (4.0, 1.0))):
            runs[name] = write(
                self.tmp,
                f"{name}_run.json",
                json.dumps(
                    {
                        "seconds": {"end_to_end_min": s[0], "matrix_min": s[1], "matrix_median": s[2]},
                        "cpu_seconds": {"end_to_end_min": cpu[0], "matrix_min": cpu[1]},
                        "peak_rss_mib": {"a": 10.0, "b": rss},
                    }
                ),
            )
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = compare.main(
                [
                    "--ferrobus", str(self.fb), "--onehour", str(self.ohj),
                    "--ferrobus-run", str(runs["fb"]), "--onehour-run", str(runs["oh"]),
                    "--json-out", str(self.tmp / "c.json"),
                ]
            )
        self.assertEqual(code, 0)
        s = json.loads((self.tmp / "c.json").read_text())["speed"]
        self.assertEqual(s["ratio_end_to_end"], 3.0)
        self.assertEqual(s["ratio_matrix_min"], 6.0)
        self.assertEqual(s["ratio_matrix_median"], 4.0)
        self.assertEqual(s["ratio_peak_rss"], 2.0)
        self.assertEqual(s["ratio_cpu_end_to_end"], 2.5)
        self.assertEqual(s["ratio_cpu_matrix_min"], 5.0)
        # A report without CPU seconds gives no CPU ratio.
        del s["onehour_seconds"]["cpu_end_to_end"]
        self.assertIsNone(compare.speed(s["ferrobus_seconds"], s["onehour_seconds"])["ratio_cpu_end_to_end"])
        self.assertIn("median 2.0 min", out.getvalue())

    def test_bad_input_names_the_file_and_line_and_exits_2(self):
        cases = [
            (write(self.tmp, "bad1.csv", "from,to,minutes\nA,B,ten\n"), "bad1.csv:2: minutes 'ten'"),
            (write(self.tmp, "bad2.csv", "origin,destination,t\n"), "bad2.csv:1: the header"),
            (write(self.tmp, "bad3.csv", "from,to,minutes\nA,B,1\nA,B,2\n"), "bad3.csv:3: pair A -> B given twice"),
            (write(self.tmp, "bad4.json", '{"places": [{"id": "A"}], "minutes": [[1, 2]]}'), "bad4.json: minutes is not 1 x 1"),
            (write(self.tmp, "bad5.json", "{oops"), "bad5.json:1: not JSON"),
            (self.tmp / "missing.csv", "missing.csv: cannot read"),
        ]
        for path, msg in cases:
            with self.subTest(path=path.name):
                err = io.StringIO()
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    code = compare.main(["--ferrobus", str(self.fb), "--onehour", str(path)])
                self.assertEqual(code, 2)
                self.assertIn(msg, err.getvalue())

    def test_no_common_point_is_an_error(self):
        other = write(self.tmp, "other.csv", "from,to,minutes\nX,Y,1\n")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = compare.main(["--ferrobus", str(self.fb), "--onehour", str(other)])
        self.assertEqual(code, 2)
        self.assertIn("no point in common", err.getvalue())


if __name__ == "__main__":
    unittest.main()
