"""Tests of rail_timetable.py on small extracts (fixtures/README.md gives their sources)."""

import os
import tempfile
import unittest

import rail_timetable as rt

HERE = os.path.dirname(os.path.abspath(__file__))
GZ = os.path.join(HERE, "fixtures", "crecc_2026_guangzhou_extract.json")
ZH = os.path.join(HERE, "fixtures", "crecc_2026_zhuhai_extract.json")
G1018 = os.path.join(HERE, "fixtures", "g1018_2018_extract.csv")


class RailTimetableTest(unittest.TestCase):
    def test_names_are_compared_without_spaces(self):
        self.assertEqual(rt.norm("惠州 北"), "惠州北")

    def test_one_way_median_and_count(self):
        res = rt.summarise(rt.load([GZ]), ["广州南", "佛山西"])
        # C7198 18, C7200 18, C6974 28 (through train, time-point includes the Guangzhou South stop)
        self.assertEqual(res["trains"], ["C7198", "C7200", "C6974"])
        self.assertEqual(res["runs"], [18.0])
        self.assertEqual(res["updated"], ["2026-04-30", "2026-08-28"])

    def test_no_intermediate_excludes_trains_with_calls_between(self):
        # C6974 calls at 广州南 between 小榄 and 佛山西
        self.assertEqual(rt.summarise(rt.load([GZ]), ["小榄", "佛山西"])["n"], 1)
        self.assertEqual(rt.summarise(rt.load([GZ]), ["小榄", "佛山西"], no_intermediate=True)["n"], 0)

    def test_both_directions_folds_reverse_legs(self):
        res = rt.summarise(rt.load([ZH]), ["珠海", "湾仔北", "十字门", "横琴", "珠海长隆"],
                           no_intermediate=True, both_directions=True)
        self.assertEqual(res["trains"], ["S3829", "S3830", "S3850"])
        # S3829 5/6/8/8, S3830 (reverse) 9/6/8/6, S3850 (reverse) 11/6/9/7
        self.assertEqual(res["runs"], [9.0, 6.0, 8.0, 7.0])
        self.assertEqual(res["totals"], {"S3829": 27, "S3830": 29, "S3850": 33})
        self.assertEqual(res["total"], 29.0)

    def test_even_count_median_is_mean_of_middle_values(self):
        res = rt.summarise(rt.load([ZH]), ["珠海", "珠海机场"], both_directions=True)
        # 40, 35, 38, 49, 48, 52 -> sorted 35 38 40 48 49 52 -> (40 + 48) / 2
        self.assertEqual(res["total"], 44.0)

    def test_fastest(self):
        res = rt.summarise(rt.load([ZH]), ["珠海", "横琴", "珠海长隆", "珠海机场"],
                           no_intermediate=True, both_directions=True, fastest=True)
        self.assertEqual(res["fastest_train"], "S3822")
        self.assertEqual(res["runs"], [15.0, 6.0, 14.0])
        self.assertEqual(res["total"], 35.0)

    def test_csv_arrival_departure_gives_dwell(self):
        res = rt.summarise(rt.load([G1018]), ["深圳北", "虎门", "广州南", "韶关"])
        self.assertEqual(res["runs"], [17.0, 17.0, 51.0])
        self.assertEqual(res["dwells"], [2.0, 3.0])
        self.assertEqual(res["total"], 90.0)

    def test_min_date_filters_pages(self):
        res = rt.summarise(rt.load([GZ]), ["广州南", "佛山西"], min_date="2026-05-01")
        self.assertEqual(res["trains"], ["C6974"])

    def test_csv_after_midnight(self):
        # (in a temporary folder: writing into the source tree would make cargo rebuild the
        # crate, whose build script watches networks/)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "midnight_test.csv")
            with open(path, "w", encoding="utf-8") as f:
                f.write("train,station,arrival,departure,updated\nX1,甲,,23:50,2026\nX1,乙,00:05,00:07,2026\nX1,丙,00:20,,2026\n")
            res = rt.summarise(rt.load([path]), ["甲", "乙", "丙"])
        self.assertEqual(res["runs"], [15.0, 13.0])
        self.assertEqual(res["dwells"], [2.0])

    def test_unserved_pattern(self):
        self.assertEqual(rt.summarise(rt.load([GZ]), ["肇庆东", "怀集"])["n"], 0)


if __name__ == "__main__":
    unittest.main()
