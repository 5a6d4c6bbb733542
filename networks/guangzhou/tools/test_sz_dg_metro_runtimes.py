"""Tests of sz_dg_metro_runtimes.py and of the figures it gives metro/sz_dg_services.toml."""
import csv
import os
import tomllib
import unittest

import sz_dg_metro_runtimes as rt

NET = os.path.dirname(rt.HERE)


class Primitives(unittest.TestCase):
    def test_haversine_one_degree_of_latitude(self):
        self.assertAlmostEqual(rt.haversine_km(113.0, 22.0, 113.0, 23.0), 111.195, places=2)

    def test_calibrate_slope(self):
        # two runs of 1 and 2 km, one intermediate dwell of 0.5, 0.6 per run: (5.1-0.5-1.2)/3
        self.assertAlmostEqual(rt.calibrate_slope([1.0, 2.0], 5.1), 3.4 / 3.0)
        with self.assertRaises(ValueError):
            rt.calibrate_slope([1.0, 2.0], 1.0)

    def test_formula_runs(self):
        self.assertEqual(rt.formula_runs([1.0, 2.5], 1.0), [1.6, 3.1])

    def test_timetable_runs_both_directions_and_midnight(self):
        # stations A, B, C; one train A->C at 23:58, 00:05, 00:08; one train C->A at 00:10 (C), 00:14 (B), 00:20 (A)
        fwd = ["23:58", "00:05", "00:08"]
        bwd = ["00:20", "00:14", "00:10"]
        self.assertEqual(rt.timetable_runs(fwd, bwd), [6.0, 3.0])  # mean(7, 6) - 0.5 ; mean(3, 4) - 0.5

    def test_timetable_runs_one_direction_only(self):
        self.assertEqual(rt.timetable_runs(["10:00", "10:03", None], [None, "10:09", "10:07"]), [2.5, 1.5])

    def test_timetable_runs_rejects_missing_and_backwards(self):
        with self.assertRaises(ValueError):
            rt.timetable_runs(["10:00", None], [None, "10:05"])
        with self.assertRaises(ValueError):
            rt.timetable_runs(["10:05", "10:00"], ["10:09", "10:07"])


class Fixtures(unittest.TestCase):
    def test_line4_slope(self):
        # 23 stations, 29.6 km of straight lines, 51 min end to end
        self.assertAlmostEqual(rt.line4_slope(), 0.9231, places=3)
        self.assertEqual(len(rt.hkust_points("4")), 23)

    def test_line11_airport_to_futian(self):
        names, runs = rt.sz_line11_runs()
        self.assertEqual(names[0], "机场")
        self.assertEqual(names[-1], "福田")
        self.assertEqual(runs, [6.5, 3.5, 2.5, 5.0, 2.0, 4.0, 5.5, 2.5])

    def test_dongguan_line2_end_to_end_near_published_40_min(self):
        names, runs = rt.dg_line2_runs()
        self.assertEqual(len(names), 15)
        total = sum(runs) + rt.DWELL_MIN * (len(runs) - 1)
        self.assertTrue(38 <= total <= 45, total)


def _station_names():
    names = {}
    with open(os.path.join(NET, "metro", "sz_dg_stations.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            names[r["id"]] = r["name_zh"]
    names["m_sz_futian"] = "福田"          # fixtures name the station without 站
    names["humen"] = "虎门火车站"           # Line 2's terminus, modelled at the Humen rail place
    return names


class ServicesFile(unittest.TestCase):
    """metro/sz_dg_services.toml carries exactly the figures of the tool."""

    def test_services_match_tool(self):
        with open(os.path.join(NET, "metro", "sz_dg_services.toml"), "rb") as f:
            services = tomllib.load(f)["service"]
        names = _station_names()
        expected = rt.all_runs()
        seen = set()
        for s in services:
            key = next(k for k in expected if s["id"] == k or s["id"].startswith(k + "-"))
            seen.add(key)
            exp_names, exp_runs = expected[key]
            self.assertEqual([names[st["at"]] for st in s["stops"]], exp_names, s["id"])
            self.assertEqual([st["run_min"] for st in s["stops"][1:]], exp_runs, s["id"])
            self.assertEqual(s["dwell_min"], rt.DWELL_MIN)
        self.assertEqual(seen, set(expected))


if __name__ == "__main__":
    unittest.main()
