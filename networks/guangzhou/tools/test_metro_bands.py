"""Tests of metro_bands.py.

Fixtures (see fixtures/README.md):
  fixtures/gzmtrtime_bands_sample/321.json: the first ten Line 18 departures from Wanqingsha
    (data/sta/321.json of gzmtrtime/gzmtrtime.github.io, commit e28dbc9), the fields the script reads;
  fixtures/gzmtrtime_departures.csv, fixtures/gzmtrtime_windows.csv and metro_bands_spec.csv: the
    extract from which networks/guangzhou/metro/*_bands.csv were written.
Run: python3 -m unittest discover -s networks/guangzhou/tools -p 'test_*.py'
"""

import csv
import io
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import metro_bands as mb

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
NET = os.path.dirname(HERE)
SAMPLE = os.path.join(FIX, "gzmtrtime_bands_sample")
EXTRACT = os.path.join(FIX, "gzmtrtime_departures.csv")
WINDOWS = os.path.join(FIX, "gzmtrtime_windows.csv")
SPEC = os.path.join(HERE, "metro_bands_spec.csv")


def spec(service="s", direction="forward", line="18", updown="0", ori="321", terminus="",
         prefix="", exclude="", fallback="", mirror=""):
    return mb.Spec(service, direction, line, updown, ori, {t for t in terminus.split("|") if t},
                   prefix, exclude, fallback, mirror, "test")


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class TestSample(unittest.TestCase):
    """The Wanqingsha excerpt, read as a whole station file."""

    def setUp(self):
        self.deps, self.wins = mb.load_json_dir(SAMPLE)

    def test_a_whole_file_is_one_window_covering_its_sections(self):
        self.assertEqual(len(self.deps), 10)
        self.assertTrue(self.wins["321"].starts and self.wins["321"].ends)

    def test_local_trains_every_580_s(self):
        res = mb.analyse(spec(exclude="K"), self.deps, self.wins)
        self.assertEqual((res.first, res.last), (21600, 25660))  # 06:00 and 07:07:40
        # eight local departures 580 s apart, all intervals starting before 07:00
        self.assertEqual(res.count["first-07:00"], 7)
        self.assertEqual(res.headway["first-07:00"], 9.7)
        self.assertNotIn("07:00-09:00", res.headway)

    def test_express_trains_by_number_prefix(self):
        res = mb.analyse(spec(prefix="K"), self.deps, self.wins)
        self.assertEqual((res.first, res.last), (23003, 25323))
        self.assertEqual(res.headway["first-07:00"], round(2320 / 60, 1))

    def test_bands_cover_first_to_last_and_fill_empty_periods(self):
        res = mb.analyse(spec(exclude="K"), self.deps, self.wins)
        mb.fill({"s:forward": res})
        self.assertEqual(mb.bands_of(res), [(21600, 25200, 9.7, "first-07:00"),
                                            (25200, 25661, 9.7, "07:00-09:00")])
        self.assertIn("first-07:00", res.filled["07:00-09:00"])

    def test_terminus_filter(self):
        with self.assertRaises(mb.InputError):
            mb.analyse(spec(terminus="横沥"), self.deps, self.wins)


class TestExtract(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.windows = write(self.tmp, "w.csv", "window,file,offset,starts_section,ends_section\n"
                             "a,f,0,true,false\nb,f,9,false,true\n")

    def records(self, rows):
        return write(self.tmp, "r.csv",
                     "# comment\nwindow,lineId,upDown,oriStation,desStation,trainNo,terminus,time2\n"
                     + "".join(f"{w},18,0,321,322,{n},x,{t}\n" for w, n, t in rows))

    def test_intervals_never_span_two_windows(self):
        # 07:00, 07:10, 07:20 copied, then a gap, then 08:00, 08:05: the gap is not a headway
        rec = self.records([("a", "1", 25200), ("a", "2", 25800), ("a", "3", 26400),
                            ("b", "4", 28800), ("b", "5", 29100)])
        deps, wins = mb.load_extract(rec, self.windows)
        res = mb.analyse(spec(), deps, wins)
        self.assertEqual(res.count["07:00-09:00"], 3)
        self.assertEqual(res.headway["07:00-09:00"], round((600 + 600 + 300) / 3 / 60, 1))
        self.assertEqual((res.first, res.last), (25200, 29100))

    def test_fallback_fills_periods_and_the_last_departure(self):
        rec = self.records([("a", "1", 25200), ("a", "2", 25800)])
        win = write(self.tmp, "w2.csv", "window,file,offset,starts_section,ends_section\n"
                    "a,f,0,true,false\n")
        deps, wins = mb.load_extract(rec, win)
        own = mb.analyse(spec(fallback="o:backward"), deps, wins)
        other = mb.Result(spec(service="o", direction="backward"), 21000, 80000, "",
                          headway={p: 4.0 for p, _, _ in mb.PERIODS},
                          count={p: 5 for p, _, _ in mb.PERIODS})
        mb.fill({"s:forward": own, "o:backward": other})
        self.assertEqual(own.last, 80000)
        self.assertEqual(own.last_from, "o:backward")
        self.assertEqual(own.headway["07:00-09:00"], 10.0)  # its own
        self.assertEqual(own.headway["17:00-19:30"], 4.0)  # the fallback's
        text = mb.source_text(own, wins, "17:00-19:30", False, None, False)
        self.assertTrue(text.startswith("estimate: "), text)

    def test_weekday_peak_takes_a_shorter_headway_min(self):
        res = mb.Result(spec(service="svc"), 21600, 82800, "",
                        headway={p: 8.3 for p, _, _ in mb.PERIODS},
                        count={p: 3 for p, _, _ in mb.PERIODS})
        wins = {"a": mb.Window("a", "data/sta/314.json", True, True)}
        res.windows = ["a"]
        rows = mb.rows_for(res, wins, "we", "wd", {"svc": 5.5})
        wd = {(r[3], r[4]): r[5] for r in rows if r[1] == "wd"}
        we = {(r[3], r[4]): r[5] for r in rows if r[1] == "we"}
        self.assertEqual(wd[("07:00", "09:00")], "5.5")
        self.assertEqual(wd[("17:00", "19:30")], "5.5")
        self.assertEqual(wd[("09:00", "17:00")], "8.3")
        self.assertEqual(we[("07:00", "09:00")], "8.3")
        self.assertTrue(all(r[7].startswith("estimate: ") for r in rows if r[1] == "wd"))
        # a headway_min longer than the weekend figure is not used
        rows = mb.rows_for(res, wins, "we", "wd", {"svc": 10})
        self.assertTrue(all(r[5] == "8.3" for r in rows))

    def test_bad_input_names_file_and_line_and_exits_2(self):
        rec = self.records([("a", "1", 25200), ("zz", "2", 25800)])
        err = io.StringIO()
        with redirect_stderr(err), redirect_stdout(io.StringIO()):
            code = mb.main(["--records", rec, "--windows", self.windows, "--spec", SPEC,
                            "--calendar-weekend", "x"])
        self.assertEqual(code, 2)
        self.assertIn("r.csv:4: window 'zz'", err.getvalue())
        rec = self.records([("a", "1", 25800), ("a", "2", 25200)])
        with self.assertRaisesRegex(mb.InputError, r"r.csv:4: departure 07:00 is before"):
            mb.load_extract(rec, self.windows)
        rec = self.records([("a", "1", "7:00")])
        with self.assertRaisesRegex(mb.InputError, r"r.csv:3: column time2"):
            mb.load_extract(rec, self.windows)


class TestBundledBands(unittest.TestCase):
    """The bands files of the network are what the script writes from the committed extract."""

    def generate(self, services):
        out = io.StringIO()
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            code = mb.main(["--records", EXTRACT, "--windows", WINDOWS, "--spec", SPEC,
                            "--network", NET, "--services", services,
                            "--calendar-weekend", "metro-weekend",
                            "--calendar-weekday", "metro-weekday"])
        self.assertEqual(code, 0)
        return out.getvalue()

    def test_files_match_the_script(self):
        for services, path in (
                ("gz-metro-3-panyu-tianhe,gz-metro-3-haibang-airport,gz-metro-7-main",
                 "metro/gz_1_8_bands.csv"),
                ("gz-metro-18-local,gz-metro-18-express", "metro/gz_9plus_fs_bands.csv")):
            with open(os.path.join(NET, path), encoding="utf-8") as f:
                self.assertEqual(f.read(), self.generate(services), path)

    def test_line_7_figures(self):
        rows = list(csv.DictReader(io.StringIO(self.generate("gz-metro-7-main"))))
        fwd = [r for r in rows if r["calendar"] == "metro-weekend" and r["direction"] == "forward"]
        # data/sta/314.json: first train 06:00 (21600), last 23:10 (83400), 501 s apart from 07:00
        self.assertEqual((fwd[0]["start"], fwd[-1]["end"]), ("06:00", "23:10:01"))
        self.assertEqual(fwd[1]["headway_min"], "8.3")


if __name__ == "__main__":
    unittest.main()
