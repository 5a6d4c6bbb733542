"""Tests of metro_timetable.py on small excerpts of the GZ Metro station timetables.

Fixtures (see fixtures/README.md for their attribution):
  fixtures/gzmtrtime_sample/113.json, 114.json: four records each, copied field for field from
    gzmtrtime/gzmtrtime.github.io, commit e28dbc9fd5db40143a2bd3698f4bc68576227327,
    data/sta/113.json (Jihua Park) and data/sta/114.json (Tongji Lu), Guangfo Line (lineId 60);
  fixtures/gzmtrtime_meta_extract.csv: station order per line from data/station-meta.json;
  fixtures/gzmtrtime_extract.csv: the records used for the network's run times.
Run: python3 -m unittest discover -s networks/guangzhou/tools -p 'test_*.py'
"""

import io
import os
import tempfile
import unittest
from contextlib import redirect_stdout

import metro_timetable as mt

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
SAMPLE = os.path.join(FIX, "gzmtrtime_sample")
META = os.path.join(FIX, "gzmtrtime_meta_extract.csv")
EXTRACT = os.path.join(FIX, "gzmtrtime_extract.csv")


class TestRecords(unittest.TestCase):
    def test_json_excerpt_is_read(self):
        recs = mt.load_records(SAMPLE)
        self.assertEqual(len(recs), 8)
        r = [x for x in recs if x.train == "02314"][0]
        self.assertEqual((r.line, r.updown, r.ori, r.des), ("60", "0", "113", "114"))
        # time1 72178 (arrival), time2 72208 (departure), time3 72301 (arrival at 114)
        self.assertEqual(r.dwell, 30)
        self.assertEqual(r.run, 93)

    def test_csv_extract_matches_json(self):
        tt_json = mt.LineTimetable(mt.load_records(SAMPLE), "60")
        tt_csv = mt.LineTimetable(mt.load_records(EXTRACT), "60")
        for key in [("0", "113", "114"), ("1", "113", "112"), ("0", "114", "115"),
                    ("1", "114", "113")]:
            self.assertEqual(tt_json.run[key], tt_csv.run[key], key)

    def test_seconds_written_as_decimals(self):
        # data/sta/093.json, last train 2712: "time1": "86724.0", "time2": "86764.0", ...
        r = mt.Record("02", "0", "093", "092", "2712", "86724.0", "86764.0", "86850.0")
        self.assertEqual((r.dwell, r.run), (40, 86))

    def test_mode_prefers_frequent_then_smaller(self):
        self.assertEqual(mt.mode([95, 90, 90, 95, 100]), 90)
        self.assertEqual(mt.mode([110, 110, 95]), 110)


class TestTimetable(unittest.TestCase):
    def setUp(self):
        self.tt = mt.LineTimetable(mt.load_records(SAMPLE), "60")

    def test_leg_values(self):
        self.assertEqual(self.tt.run[("0", "113", "114")], 93)
        self.assertEqual(self.tt.run[("0", "114", "115")], 95)
        self.assertEqual(self.tt.run[("1", "114", "113")], 99)
        self.assertEqual(self.tt.run[("1", "113", "112")], 112)
        self.assertEqual(self.tt.dwell[("0", "114")], 30)
        self.assertEqual(self.tt.dwell[("1", "114")], 35)

    def test_seconds_across_a_station_include_its_dwell(self):
        # 113 -> 115: run 93 + dwell at 114 (30) + run 95
        self.assertEqual(self.tt.seconds("113", "115"), (218, "0"))
        # 114 -> 112 in the other direction: 99 + dwell at 113 (35) + 112
        self.assertEqual(self.tt.seconds("114", "112"), (246, "1"))

    def test_next_station_is_the_most_frequent_destination(self):
        # data/sta/702.json lists four early records 702 -> 700 (skipping 701) before the
        # regular 702 -> 701 ones; the chain must follow the regular next station
        recs = [mt.Record("42", "1", "702", "700", "00103", 19680, 19800, 19938)]
        recs += [mt.Record("42", "1", "702", "701", "0%d" % i, 22896 + i, 22926 + i, 23064 + i)
                 for i in range(3)]
        recs += [mt.Record("42", "1", "701", "700", "01003", 24357, 24387, 24586)]
        tt = mt.LineTimetable(recs, "42")
        self.assertEqual(tt.next[("1", "702")], "701")
        self.assertEqual(tt.seconds("702", "700"), (138 + 30 + 199, "1"))

    def test_missing_leg(self):
        self.assertEqual(self.tt.seconds("113", "036"), (None, None))


class TestFullExtract(unittest.TestCase):
    """Known figures of the Guangfo Line from the committed extract."""

    def setUp(self):
        self.tt = mt.LineTimetable(mt.load_records(EXTRACT), "60")
        self.meta = mt.load_meta(META)

    def test_tongjilu_xilang(self):
        f, _ = self.tt.seconds("114", "001")
        k, _ = self.tt.seconds("001", "114")
        self.assertEqual(f, 1586)   # 26.43 min
        self.assertEqual(k, 1566)   # 26.10 min

    def test_stops_block(self):
        names = {"m_a": "季华园", "m_b": "同济路", "m_c": "祖庙"}
        lines, default, fwd, back = mt.stops_block(self.tt, self.meta["60"],
                                                    ["m_a", "m_b", "m_c"], names)
        self.assertEqual(lines[0], '  { at = "m_a" },')
        # runs: (93+99)/2 s = 1.6 min, (95+101)/2 s = 1.63 min; dwell at 同济路 (30+35)/2 s
        self.assertEqual(lines[1], '  { at = "m_b", run_min = 1.6 },')
        self.assertEqual(lines[2], '  { at = "m_c", run_min = 1.63 },')
        self.assertEqual(default, 0.54)
        self.assertEqual((fwd, back), (3.63, 3.92))

    def test_alias_for_rare_character(self):
        names = {"m_x": "南桂路", "m_y": "𧒽岗"}
        lines, _, _, _ = mt.stops_block(self.tt, self.meta["60"], ["m_x", "m_y"], names)
        self.assertEqual(lines[1], '  { at = "m_y", run_min = 1.41 },')

    def test_legs_command_prints_every_leg(self):
        buf = io.StringIO()
        with redirect_stdout(buf):
            mt.main(["legs", "--line", "60", "--records", EXTRACT, "--meta", META])
        rows = buf.getvalue().strip().splitlines()
        self.assertEqual(len(rows), 1 + 24)
        self.assertIn("同济路,祖庙,95,101,1.63,30/35", rows)

    def test_meta_json_format(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False,
                                         encoding="utf-8") as f:
            f.write('{"lines": [{"id": "60", "stationList": ['
                    '{"stationNo": "113", "cname": "季华园"},'
                    '{"stationNo": "114", "cname": "同济路"}]}]}')
            path = f.name
        try:
            self.assertEqual(mt.load_meta(path), {"60": [("113", "季华园"), ("114", "同济路")]})
        finally:
            os.unlink(path)


if __name__ == "__main__":
    unittest.main()


class TestComplete(unittest.TestCase):
    """complete(): every other station read, each leg known in one direction only."""

    def test_fill_from_other_direction_and_line_dwell(self):
        # stations A B C D in line order; records of B and D only (as when reading every
        # other station file): B gives B->C (0) and B->A (1); D gives D->C (1)
        recs = [mt.Record("9", "0", "B", "C", "1", 100, 130, 230),
                mt.Record("9", "1", "B", "A", "2", 200, 235, 335),
                mt.Record("9", "1", "D", "C", "3", 300, 330, 420)]
        tt = mt.LineTimetable(recs, "9")
        self.assertEqual(tt.seconds("A", "D"), (None, None))
        filled = tt.complete(["A", "B", "C", "D"])
        # A->B takes B->A's 100 s, C->D takes D->C's 90 s, C->B takes B->C's 100 s
        self.assertEqual(tt.run[("0", "A", "B")], 100)
        self.assertEqual(tt.run[("0", "C", "D")], 90)
        self.assertEqual(tt.run[("1", "C", "B")], 100)
        # dwell at C (no records): the line's most frequent dwell, 30 s (30, 35, 30 -> 30)
        self.assertEqual(tt.dwell[("0", "C")], 30)
        # A -> D: 100 + dwell B (0) 30 + 100 + dwell C 30 + 90
        self.assertEqual(tt.seconds("A", "D"), (350, "0"))
        # D -> A: 90 + dwell C 30 + 100 + dwell B (1) 35 + 100
        self.assertEqual(tt.seconds("D", "A"), (355, "1"))
        self.assertTrue(any("dwell at C" in x for x in filled))

    def test_complete_keeps_known_values_and_gaps(self):
        tt = mt.LineTimetable(mt.load_records(EXTRACT), "60")
        before = dict(tt.run)
        tt.complete([no for no, _ in mt.load_meta(META)["60"]])
        for k, v in before.items():
            self.assertEqual(tt.run[k], v)
        self.assertEqual(tt.seconds("114", "001")[0], 1586)

    def test_fill_dwell_given(self):
        recs = [mt.Record("9", "0", "B", "C", "1", 100, 145, 245),
                mt.Record("9", "1", "B", "A", "2", 200, 245, 345),
                mt.Record("9", "1", "D", "C", "3", 300, 345, 435)]
        tt = mt.LineTimetable(recs, "9")
        filled = tt.complete(["A", "B", "C", "D"], fill_dwell=33)
        self.assertEqual(tt.dwell[("0", "C")], 33)
        self.assertEqual(tt.dwell[("0", "B")], 45)   # known values are kept
        self.assertTrue(any("= 33 s, given" in x for x in filled))


class TestNetworkMatchesTimetable(unittest.TestCase):
    """The stops of the timetable-derived services in networks/guangzhou/metro are exactly what
    the script derives from the committed extract (so anyone can redo them)."""

    SERVICES = [("01", "gz-metro-1-main", 33), ("02", "gz-metro-2-main", None),
                ("60", "gz-metro-guangfo-main", None), ("42", "fs-metro-2-main", None),
                ("43", "fs-metro-3-south", None), ("43", "fs-metro-3-north", None)]

    def test_stops_blocks(self):
        network = os.path.dirname(HERE)
        records = mt.load_records(EXTRACT)
        meta = mt.load_meta(META)
        names = mt.load_network_names(network)
        for line, sid, fill in self.SERVICES:
            with self.subTest(service=sid):
                tt = mt.LineTimetable(records, line)
                tt.complete([no for no, _ in meta[line]], fill)
                svc = mt.load_service(network, sid)
                lines, default, _, _ = mt.stops_block(tt, meta[line], [s["at"] for s in svc["stops"]], names)
                derived = mt.tomllib.loads("stops = [\n" + "\n".join(lines) + "\n]\n")["stops"]
                self.assertEqual(derived, svc["stops"])
                self.assertEqual(default, svc["dwell_min"])
