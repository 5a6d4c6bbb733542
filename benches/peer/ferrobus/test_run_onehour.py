"""Unit tests of run_onehour.py: the manifest edit, and the whole run against a stub binary
that records its arguments (stdlib only; the real binary is not needed)."""

import contextlib
import io
import json
import os
import stat
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

import run_onehour

# A stand-in for the onehour binary: records its argv, writes what the real one would.
STUB = textwrap.dedent(
    """\
    #!{python}
    import json, sys, pathlib
    args = sys.argv[1:]
    log = pathlib.Path({log!r})
    with log.open("a") as f:
        f.write(json.dumps(args) + "\\n")
    if args == ["--version"]:
        print("onehour 9.9.9"); sys.exit(0)
    out = pathlib.Path(args[args.index("--out") + 1])
    if args[:2] == ["import", "gtfs"]:
        if {fail_import}:
            print("error: poa_eptc/stop_times.txt:2: bad", file=sys.stderr); sys.exit(2)
        out.mkdir(parents=True, exist_ok=True)
        (out / "network.toml").write_text('name = "poa"\\n\\n[timetable]\\ntimezone = "America/Sao_Paulo"\\n')
        print("imported")
    elif args[0] == "matrix":
        pts = pathlib.Path(args[args.index("--points") + 1]).read_text().split()[1:]
        ids = [p.split(",")[0] for p in pts]
        out.write_text(json.dumps({{"places": [{{"id": i}} for i in ids],
                                   "minutes": [[0.0] * len(ids) for _ in ids]}}))
    """
)


class TomlEdit(unittest.TestCase):
    def test_a_missing_table_is_appended(self):
        got = run_onehour.set_toml_value('name = "x"\n', "walking", "speed_kmh", "5.04")
        self.assertEqual(got, 'name = "x"\n\n[walking]\nspeed_kmh = 5.04\n')

    def test_an_existing_key_is_replaced_in_its_table_only(self):
        text = "[car]\nspeed_kmh = 25\n[walking]  # walks\ndetour = 1.3\nspeed_kmh = 4.5 # default\n[access]\nspeed_kmh = 15\n"
        got = run_onehour.set_toml_value(text, "walking", "speed_kmh", "5.04")
        self.assertEqual(
            got,
            "[car]\nspeed_kmh = 25\n[walking]  # walks\ndetour = 1.3\nspeed_kmh = 5.04  # default\n[access]\nspeed_kmh = 15\n",
        )

    def test_a_missing_key_is_added_at_the_top_of_its_table(self):
        got = run_onehour.set_toml_value("[walking]\ndetour = 1.3\n[car]\n", "walking", "speed_kmh", "5.04")
        self.assertEqual(got, "[walking]\nspeed_kmh = 5.04\ndetour = 1.3\n[car]\n")


class Run(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.work = self.tmp / "work"
        self.work.mkdir()
        (self.work / "points.csv").write_text("id,lon,lat\na,-51.2,-30.0\nb,-51.1,-30.1\n")
        self.log = self.tmp / "argv.log"

    def tearDown(self):
        self._tmp.cleanup()

    def stub(self, fail_import: bool = False) -> Path:
        path = self.tmp / "onehour"
        path.write_text(STUB.format(python=sys.executable, log=str(self.log), fail_import=fail_import))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return path

    def test_import_then_matrix_repeated_with_the_agreed_flags(self):
        bin_ = self.stub()
        fix = self.tmp / "fixtures"
        with contextlib.redirect_stdout(io.StringIO()):
            code = run_onehour.main(
                ["--work", str(self.work), "--fixtures", str(fix), "--onehour", str(bin_), "--repeat", "2"]
            )
        self.assertEqual(code, 0)
        calls = [json.loads(x) for x in self.log.read_text().splitlines()]
        net = str(self.work / "onehour-net")
        self.assertEqual(
            calls[0],
            ["import", "gtfs", str(fix / "poa_eptc.zip"), str(fix / "poa_trensurb.zip"),
             "--osm", str(fix / "poa_osm.pbf"), "--lenient", "--out", net],
        )
        matrix = ["matrix", "--network", net, "--points", str(self.work / "points.csv"),
                  "--date", "2019-05-13", "--depart", "14:00", "--format", "json",
                  "--out", str(self.work / "onehour_matrix.json")]
        self.assertEqual(calls[1:3], [matrix, matrix])
        self.assertEqual(calls[3], ["--version"])
        toml = (self.work / "onehour-net" / "network.toml").read_text()
        self.assertIn("[walking]\nspeed_kmh = 5.04\n", toml)
        rep = json.loads((self.work / "onehour_run.json").read_text())
        self.assertEqual(rep["onehour_version"], "onehour 9.9.9")
        self.assertEqual(len(rep["seconds"]["matrix_runs"]), 2)
        s = rep["seconds"]
        self.assertAlmostEqual(s["end_to_end_min"], s["import"] + s["matrix_min"], places=2)
        self.assertGreater(rep["peak_rss_mib"]["matrix"], 1.0, "the child's own peak RSS")
        self.assertEqual(len(rep["cpu_seconds"]["matrix_runs"]), 2)
        self.assertGreater(rep["cpu_seconds"]["import"], 0.0, "the child's own CPU time")
        out = json.loads((self.work / "onehour_matrix.json").read_text())
        self.assertEqual([p["id"] for p in out["places"]], ["a", "b"])

    def test_no_osm_leaves_the_flag_out(self):
        bin_ = self.stub()
        with contextlib.redirect_stdout(io.StringIO()):
            run_onehour.main(
                ["--work", str(self.work), "--fixtures", str(self.tmp), "--onehour", str(bin_),
                 "--no-osm", "--keep-walking", "--repeat", "1"]
            )
        first = json.loads(self.log.read_text().splitlines()[0])
        self.assertNotIn("--osm", first)
        self.assertNotIn("[walking]", (self.work / "onehour-net" / "network.toml").read_text())

    def test_a_failing_step_shows_its_message_and_exits_2(self):
        bin_ = self.stub(fail_import=True)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as e:
            run_onehour.main(["--work", str(self.work), "--fixtures", str(self.tmp), "--onehour", str(bin_)])
        self.assertEqual(e.exception.code, 2)
        self.assertIn("poa_eptc/stop_times.txt:2: bad", err.getvalue())
        self.assertIn("exited with 2", err.getvalue())

    def test_missing_binary_or_points_exit_2(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = run_onehour.main(
                ["--work", str(self.work), "--fixtures", str(self.tmp), "--onehour", str(self.tmp / "nope")]
            )
        self.assertEqual(code, 2)
        self.assertIn("no onehour binary", err.getvalue())
        os.remove(self.work / "points.csv")
        with contextlib.redirect_stderr(io.StringIO()) as err2:
            code = run_onehour.main(
                ["--work", str(self.work), "--fixtures", str(self.tmp), "--onehour", str(self.stub())]
            )
        self.assertEqual(code, 2)
        self.assertIn("run prepare.py", err2.getvalue())


if __name__ == "__main__":
    unittest.main()
