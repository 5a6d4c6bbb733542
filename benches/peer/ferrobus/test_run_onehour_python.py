"""Unit tests of run_onehour_python.py against a stand-in ``onehour`` module (stdlib only; the
package itself is not needed): the points it is given, the calls it makes, the report's shape."""

import contextlib
import io
import json
import sys
import tempfile
import types
import unittest
from pathlib import Path

import run_onehour_python as r


class FakeNetwork:
    calls: list = []

    @classmethod
    def load(cls, path, date=None):
        cls.calls.append(("load", path, date))
        return cls()

    minutes = [[0.0, 12.3], [None, 0.0]]
    array = [[0.0, 12.3166], [float("nan"), 0.0]]

    def points_matrix_json(self, pts, depart):
        FakeNetwork.calls.append(("json", [p[0] for p in pts], depart))
        ids = [p[0] for p in pts]
        return {"places": [{"id": i} for i in ids], "minutes": FakeNetwork.minutes}

    def points_travel_time_array(self, pts, depart):
        FakeNetwork.calls.append(("array", [p[0] for p in pts], depart))
        return FakeNetwork.array


class RunTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.work = Path(self.tmp.name)
        (self.work / "points.csv").write_text("id,lon,lat\na,-51.2,-30.0\nb,-51.1,-30.1\n")
        FakeNetwork.calls = []
        sys.modules["onehour"] = types.SimpleNamespace(Network=FakeNetwork)

    def tearDown(self):
        sys.modules.pop("onehour", None)
        self.tmp.cleanup()

    def run_main(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = r.main(["--work", str(self.work), *args])
        return code, err.getvalue()

    def test_without_the_imported_network_it_names_the_fix(self):
        code, err = self.run_main()
        self.assertEqual(code, 2)
        self.assertIn("onehour-net/network.toml", err)
        self.assertIn("run_onehour.py", err)
        self.assertEqual(FakeNetwork.calls, [])

    def network(self):
        (self.work / "onehour-net").mkdir()
        (self.work / "onehour-net" / "network.toml").write_text("")

    def test_loads_once_and_times_each_matrix(self):
        self.network()
        code, err = self.run_main("--repeat", "3", "--depart", "08:00")
        self.assertEqual(code, 0, err)
        loads = [c for c in FakeNetwork.calls if c[0] == "load"]
        mats = [c for c in FakeNetwork.calls if c[0] != "load"]
        self.assertEqual(loads, [("load", str(self.work / "onehour-net"), "2019-05-13")])
        # Three timed arrays, then the JSON document once for compare.py.
        self.assertEqual(
            mats, [("array", ["a", "b"], "08:00")] * 3 + [("json", ["a", "b"], "08:00")]
        )
        rep = json.loads((self.work / "onehour_python_run.json").read_text())
        self.assertEqual(rep["parameters"]["output"], "array")
        s, c = rep["seconds"], rep["cpu_seconds"]
        self.assertEqual(len(s["matrix_runs"]), 3)
        self.assertEqual(s["matrix_min"], min(s["matrix_runs"]))
        self.assertAlmostEqual(s["end_to_end_min"], s["load"] + s["matrix_min"], places=3)
        self.assertAlmostEqual(c["end_to_end_min"], c["load"] + c["matrix_min"], places=3)
        self.assertIn("after_matrices", rep["peak_rss_mib"])
        doc = json.loads((self.work / "onehour_python_matrix.json").read_text())
        self.assertEqual([p["id"] for p in doc["places"]], ["a", "b"])

    def test_times_the_json_document_when_asked(self):
        self.network()
        code, err = self.run_main("--repeat", "2", "--output", "json")
        self.assertEqual(code, 0, err)
        mats = [c for c in FakeNetwork.calls if c[0] != "load"]
        self.assertEqual(mats, [("json", ["a", "b"], "14:00")] * 2)

    def test_an_array_that_disagrees_with_the_json_fails(self):
        self.network()
        FakeNetwork.array = [[0.0, 12.4], [float("nan"), 0.0]]
        try:
            code, err = self.run_main("--repeat", "1")
        finally:
            FakeNetwork.array = [[0.0, 12.3166], [float("nan"), 0.0]]
        self.assertEqual(code, 1)
        self.assertIn("row 0, column 1", err)
        self.assertFalse((self.work / "onehour_python_run.json").exists())

    def test_array_disagrees_names_the_cell(self):
        nan = float("nan")
        self.assertIsNone(r.array_disagrees([[1.04, nan]], [[1.0, None]]))
        self.assertIn("row 0, column 1", r.array_disagrees([[1.0, 2.0]], [[1.0, None]]))
        self.assertIn("row 0, column 0", r.array_disagrees([[nan]], [[3.0]]))
        self.assertIn("row 0, column 0", r.array_disagrees([[1.1]], [[1.0]]))
        self.assertIn("rows", r.array_disagrees([], [[1.0]]))

    def test_report_sums_the_fastest_matrix(self):
        rep = r.report((1.0, 2.0), [(0.5, 0.9), (0.3, 0.7), (0.4, 0.8)], {"x": 1.0})
        self.assertEqual(rep["seconds"]["matrix_min"], 0.3)
        self.assertEqual(rep["seconds"]["matrix_median"], 0.4)
        self.assertEqual(rep["seconds"]["end_to_end_min"], 1.3)
        self.assertEqual(rep["cpu_seconds"]["end_to_end_min"], 2.7)

    def test_reads_points_in_file_order(self):
        self.assertEqual(
            r.read_points(self.work / "points.csv"), [("a", -51.2, -30.0), ("b", -51.1, -30.1)]
        )


if __name__ == "__main__":
    unittest.main()
