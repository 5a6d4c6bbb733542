"""Tests of intercity_trips.py on small extracts (fixtures/README.md gives their sources)."""

import csv
import io
import json
import os
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

import intercity_trips as it

HERE = os.path.dirname(os.path.abspath(__file__))
GDIC = os.path.join(HERE, "fixtures", "gdic_judge_result_extract.json")
MP = os.path.join(HERE, "fixtures", "metroplan_extract")
SERVICES = os.path.join(HERE, "fixtures", "intercity_services_extract.toml")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run_build(trains):
    return it.build(trains, it.read_names(), it.read_services(SERVICES))


class ParsingTest(unittest.TestCase):
    def test_train_numbers_and_running_day_notes(self):
        self.assertEqual(it.split_number("C7528\n（逢周日开行）"), ("C7528", "逢周日开行"))
        self.assertEqual(it.split_number("C7544 （逢周五、周日开行）"), ("C7544", "逢周五、周日开行"))
        self.assertEqual(it.split_number("C4802/3"), ("C4802/3", ""))

    def test_times_after_midnight_run_on(self):
        self.assertEqual(it.in_running_order([23 * 60 + 52, 0, 10]), [1432, 1440, 1450])
        self.assertEqual(it.clock(1440), "24:00")

    def test_gdic_reads_every_train_in_running_order(self):
        trains = {t.number: t for t in it.read_gdic(GDIC)}
        self.assertEqual(len(trains), 10)
        s4752 = trains["S4752"]
        self.assertEqual(s4752.calls[0], ("肇庆", 8 * 60 + 29))
        self.assertEqual(s4752.calls[-1], ("花都", 11 * 60 + 58))
        self.assertEqual(len(s4752.calls), 31)
        self.assertEqual(trains["C7528"].note, "逢周日开行")

    def test_metroplan_merges_the_parts_of_a_train_across_tables(self):
        trains, problems = it.read_metroplan(MP)
        self.assertEqual(problems, [])
        by = {t.number: t for t in trains}
        # S4802 is in 惠州北-肇庆.md (寮步-广州莲花山) and 惠州北-飞霞.md (寮步-花都): one train
        s4802 = by["S4802"]
        self.assertEqual(len(s4802.files), 2)
        names = [n for n, _ in s4802.calls]
        self.assertEqual(names[0], "寮步")
        self.assertEqual(names[-1], "花都")
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(dict(s4802.calls)["广州莲花山"], 7 * 60 + 7)
        # C4708/9 reaches 惠州北 at midnight, after 小金口 23:52: 24:00, not 00:00
        self.assertEqual(by["C4708/9"].calls[-1], ("惠州北", 1440))

    def test_metroplan_conflicting_times_are_reported(self):
        with tempfile.TemporaryDirectory() as d:
            for name in os.listdir(MP):
                text = read(os.path.join(MP, name))
                if name == "惠州北-飞霞.md":   # S4802 at 广州莲花山 07:07 in the other table
                    text = text.replace("07:07", "07:08")
                write(os.path.join(d, name), text)
            trains, problems = it.read_metroplan(d)
        self.assertNotIn("S4802", [t.number for t in trains])
        self.assertTrue(any("S4802" in p and "广州莲花山" in p for p in problems), problems)


class MappingTest(unittest.TestCase):
    def test_names_map_to_station_ids(self):
        names = it.read_names()
        self.assertEqual(names["白云机场北"], "baiyunjichangbei")
        self.assertEqual(names["广州白云"], "guangzhoubaiyun")
        self.assertEqual(names["惠州北"], "huizhoubei")

    def test_a_name_missing_from_the_table_is_an_error(self):
        t = it.Train("gdic", "X1", "", [("肇庆", 600), ("火星", 610)], ["x.json"])
        with self.assertRaises(it.InputError) as e:
            run_build([t])
        self.assertIn("火星", str(e.exception))
        self.assertIn("intercity_station_names.csv", str(e.exception))


class AssignmentTest(unittest.TestCase):
    def setUp(self):
        self.res = run_build(it.read_gdic(GDIC))
        self.by = {r["train"]: r for r in self.res.trips}
        self.out = {t.number: why for t, why in self.res.unassigned}

    def test_the_service_skipping_fewest_stations_wins(self):
        # C4822/3 (特快) fits the rapid pattern too, skipping its intermediate stations
        self.assertEqual(self.by["C4822/3"]["service"], "zhaoqing-huizhoubei-limited")
        self.assertEqual(self.by["C4802/3"]["service"], "zhaoqing-huizhoubei-rapid")
        self.assertEqual(self.by["S4752"]["service"], "guangzhao-donghuan-allstops")

    def test_ties_go_to_the_service_ending_where_the_train_ends_then_the_shorter(self):
        self.assertEqual(self.by["S4726"]["service"], "fozhao-allstops-2016")   # 肇庆-佛山西
        self.assertEqual(self.by["S4902"]["service"], "donghuan-palian-allstops")  # 竹料-白云机场北

    def test_trains_no_service_fits_are_reported_with_the_reason(self):
        self.assertEqual(set(self.out), {"S4919", "C4820/1"})
        self.assertEqual(self.out["S4919"], "no service calls at all its stations in this order")
        # 小金口 is only on the 2024-2025 rapid pattern, closed before the timetable's dates
        self.assertIn("zhaoqing-xiaojinkou-rapid-2024", self.out["C4820/1"])
        self.assertIn("not running", self.out["C4820/1"])

    def test_running_day_notes_give_calendars(self):
        self.assertEqual(self.by["C7528"]["calendar"], "ic-gdic-sun")
        self.assertEqual(self.res.calendars["ic-gdic-sun"]["days"], "Sun")
        self.assertEqual(self.by["S4752"]["calendar"], "ic-gdic-daily")


class HandCheckedTripTest(unittest.TestCase):
    def test_s4752(self):
        res = run_build(it.read_gdic(GDIC))
        rows = [r for r in csv.DictReader(io.StringIO(it.trips_csv(res.trips))) if r["trip"] == "gdic-s4752"]
        self.assertEqual(len(rows), 31)
        first, last = rows[0], rows[-1]
        self.assertEqual((first["stop"], first["arrive"], first["depart"]), ("zhaoqing", "", "08:29"))
        self.assertEqual((last["stop"], last["arrive"], last["depart"]), ("huadu", "11:58", ""))
        self.assertEqual(first["service"], "guangzhao-donghuan-allstops")
        self.assertIn("RCFDark/GDIC-Time-Table commit 845deee91d90d8ba6a98de5753768117a421b13d", first["source"])
        self.assertIn("judge_result.json", first["source"])
        self.assertTrue(all(r["source"] == "" for r in rows[1:]))
        at = {r["stop"]: (r["arrive"], r["depart"]) for r in rows}
        self.assertEqual(at["foshanxi"], ("09:39", "09:39"))
        # 科韵路 10:42 - 岑村 10:53 is 11 min; S4732 and S4742 take 6: the median run of the leg
        # gives the arrival 10:48 and the train waits at 岑村 until 10:53
        self.assertEqual(at["cencun"], ("10:48", "10:53"))
        self.assertIn("岑村 10:48 (median run 6 min over 3 trains)", first["source"])

    def test_calendar_rows_cite_the_source_and_its_dates(self):
        res = run_build(it.read_gdic(GDIC))
        cal = {r["id"]: r for r in csv.DictReader(io.StringIO(it.calendars_csv(res.calendars)))}
        self.assertEqual(set(cal), {"ic-gdic-daily", "ic-gdic-sun"})
        self.assertEqual((cal["ic-gdic-daily"]["start"], cal["ic-gdic-daily"]["end"]), ("2026-03-25", "2026-11-30"))
        self.assertIn("845deee91d90d8ba6a98de5753768117a421b13d", cal["ic-gdic-daily"]["source"])


class CommandLineTest(unittest.TestCase):
    def test_bad_time_exits_2_naming_file_and_train(self):
        data = json.loads(read(GDIC))
        data["S4752"]["stops"][3]["time"] = "8:6O"
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "judge_result.json")
            write(path, json.dumps(data, ensure_ascii=False))
            err = io.StringIO()
            with redirect_stderr(err), redirect_stdout(io.StringIO()):
                code = it.main(["--gdic", path, "--services", SERVICES])
        self.assertEqual(code, 2)
        self.assertIn(path, err.getvalue())
        self.assertIn("S4752", err.getvalue())
        self.assertIn("8:6O", err.getvalue())

    def test_writes_the_files_of_the_chosen_sources(self):
        with tempfile.TemporaryDirectory() as d:
            with redirect_stdout(io.StringIO()) as out:
                code = it.main(["--gdic", GDIC, "--metroplan", MP, "--services", SERVICES,
                                "--write", "gdic", "--out-dir", d])
            self.assertEqual(code, 0)
            trips = read(os.path.join(d, "intercity_trips.csv"))
        self.assertIn("gdic-s4752", trips)
        self.assertNotIn(",mp-", trips)
        self.assertIn("trains left out: ", out.getvalue())


if __name__ == "__main__":
    unittest.main()
