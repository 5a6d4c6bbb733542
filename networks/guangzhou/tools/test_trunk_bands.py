"""Tests of trunk_bands.py (counts spread over a service day into inexact bands).

The network's rail/trunk_bands.csv must be what the script writes from rail/trunk_counts.csv.
Run: python3 -m unittest discover -s networks/guangzhou/tools -p 'test_*.py'
"""

import io
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import trunk_bands as tb

HERE = os.path.dirname(os.path.abspath(__file__))
NET = os.path.dirname(HERE)
HEADER = ",".join(tb.COLS) + "\n"


def counts(text):
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("# comment\n" + HEADER + text)
    return path


class TestBands(unittest.TestCase):
    def test_a_daily_count_is_halved_and_spread_over_the_day(self):
        # 64 trains a day, 32 each way over 16 h (960 min): one every 30 min
        rows = tb.band_rows(counts('s,64,day,,06:30,22:30,"c src","d src"\n'))
        self.assertEqual([r[2] for r in rows], ["forward", "backward"])
        self.assertEqual(rows[0][3:7], ["06:30", "22:30", "30", "false"])
        self.assertTrue(rows[0][7].startswith("estimate: 64 trains a day (both directions) = 32"))
        self.assertIn("(c src)", rows[0][7])

    def test_per_direction_counts_and_rounding(self):
        rows = tb.band_rows(counts('s,23,direction,,06:30,23:30,c,d\n'))
        self.assertEqual(rows[0][5], "44.3")  # 1020 min / 23

    def test_a_published_interval_is_used_as_is(self):
        rows = tb.band_rows(counts('s,,,13,06:30,23:30,c,d\n'))
        self.assertEqual(rows[1][5], "13")
        self.assertIn("published average interval 13 min", rows[1][7])

    def test_bad_rows_name_file_and_line(self):
        for text, msg in (('s,64,week,,06:30,22:30,c,d\n', "per 'week'"),
                          ('s,64,day,,22:30,06:30,c,d\n', "is empty"),
                          ('s,64,day,,6h30,22:30,c,d\n', "span_start"),
                          ('s,64,day,12,06:30,22:30,c,d\n', "both a count"),
                          ('s,64,day,,06:30,22:30,,d\n', "source is missing")):
            path = counts(text)
            with self.assertRaises(tb.InputError) as cm:
                tb.band_rows(path)
            self.assertIn(f"{path}:3:", str(cm.exception))
            self.assertIn(msg, str(cm.exception))
        err = io.StringIO()
        with redirect_stderr(err), redirect_stdout(io.StringIO()):
            self.assertEqual(tb.main([counts('s,x,day,,06:30,22:30,c,d\n'), "--calendar", "c"]), 2)
        self.assertIn("error:", err.getvalue())

    def test_network_file_matches_the_script(self):
        out = io.StringIO()
        with redirect_stdout(out):
            code = tb.main([os.path.join(NET, "rail", "trunk_counts.csv"), "--calendar",
                            "trunk-daily"])
        self.assertEqual(code, 0)
        with open(os.path.join(NET, "rail", "trunk_bands.csv"), encoding="utf-8") as f:
            self.assertEqual(f.read(), out.getvalue())


if __name__ == "__main__":
    unittest.main()
