#!/usr/bin/env python3
"""The onehour side of the Porto Alegre peer benchmark (Python 3.11, stdlib only).

Runs the onehour binary as a user would, on the same points as ``run_ferrobus.py``:

1. ``onehour import gtfs poa_eptc.zip poa_trensurb.zip --osm poa_osm.pbf --lenient --out NET``
   (the raw zips: onehour fills the empty stop times itself, the same way ``prepare.py`` does
   for ferrobus; ``--lenient`` because a strict import of these feeds stops on 7 problems,
   and with it leaves out the 27 trips at fault: see the fixtures' ATTRIBUTION.md).
   ``--no-osm`` leaves ``--osm`` out (straight-line walking).
2. The walking speed is set to ferrobus's 1.4 m/s (``[walking] speed_kmh = 5.04`` in the
   imported ``network.toml``, docs/network-format.md), unless ``--walk-speed-kmh`` says
   otherwise or ``--keep-walking`` leaves the network as imported.
3. ``onehour matrix --network NET --points WORK/points.csv --date D --depart HH:MM
   --format json --out WORK/onehour_matrix.json``, ``--repeat`` times.

Each step is timed (wall clock, and CPU seconds, user + system) and its peak resident memory
read from the kernel for that process alone (``os.wait4``). ``WORK/onehour_run.json`` gets the
same layout as ``ferrobus_run.json`` (``seconds.end_to_end_min``, ``matrix_min``,
``matrix_median``, ``cpu_seconds``, ``peak_rss_mib``), which ``compare.py`` reads. Usage::

    python3 run_onehour.py --work WORK --fixtures tests/fixtures/porto-alegre [--onehour BIN]

The binary defaults to ``$CARGO_TARGET_DIR/release/onehour``, else ``target/release/onehour``
in this repository (build it first: ``cargo build --release``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FEEDS = ("poa_eptc.zip", "poa_trensurb.zip")


def default_binary() -> Path:
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else REPO / "target"
    return base / "release" / "onehour"


def run_measured(cmd: list[str]) -> tuple[float, float, float, str]:
    """Run ``cmd``; (wall seconds, CPU seconds (user + system), peak RSS MiB of that process,
    its output). Exit 2 if it
    fails. The output goes to a temporary file, not a pipe, so the child never blocks on it and
    ``os.wait4`` can reap it and give its own rusage (``ru_maxrss`` in KiB on Linux)."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read()
    if code != 0:
        sys.stderr.write(text)
        print(f"error: {' '.join(cmd)} exited with {code} (fix: see its message above)", file=sys.stderr)
        raise SystemExit(2)
    return secs, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text


def set_toml_value(text: str, table: str, key: str, value: str) -> str:
    """``text`` with ``key = value`` in ``[table]``: replaced where the key is, else added at the
    top of the table, else a new table appended. Comments and other lines are kept."""
    lines = text.splitlines()
    header = re.compile(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$")
    start = None
    for i, line in enumerate(lines):
        m = header.match(line)
        if m and m.group(1).strip() == table:
            start = i
            break
    if start is None:
        tail = [] if not lines or lines[-1].strip() == "" else [""]
        return "\n".join(lines + tail + [f"[{table}]", f"{key} = {value}"]) + "\n"
    end = next(
        (j for j in range(start + 1, len(lines)) if header.match(lines[j]) or lines[j].lstrip().startswith("[[")),
        len(lines),
    )
    keyline = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for j in range(start + 1, end):
        if keyline.match(lines[j]):
            comment = lines[j].split("#", 1)[1] if "#" in lines[j] else None
            lines[j] = f"{key} = {value}" + (f"  #{comment}" if comment is not None else "")
            return "\n".join(lines) + "\n"
    lines.insert(start + 1, f"{key} = {value}")
    return "\n".join(lines) + "\n"


def commands(a: argparse.Namespace, net: Path, matrix_out: Path) -> tuple[list[str], list[str]]:
    """The import and matrix command lines."""
    imp = [str(a.onehour), "import", "gtfs", *(str(a.fixtures / f) for f in FEEDS)]
    if not a.no_osm:
        imp += ["--osm", str(a.fixtures / "poa_osm.pbf")]
    imp += ["--lenient", "--out", str(net)]
    mat = [
        str(a.onehour), "matrix", "--network", str(net),
        "--points", str(a.work / "points.csv"),
        "--date", a.date, "--depart", a.depart,
        "--format", a.format, "--out", str(matrix_out),
    ]
    if a.threads:
        mat += ["--threads", str(a.threads)]
    return imp, mat


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work", type=Path, required=True, help="the folder prepare.py wrote")
    p.add_argument("--fixtures", type=Path, required=True, help="tests/fixtures/porto-alegre")
    p.add_argument("--onehour", type=Path, default=None, help="the onehour binary")
    p.add_argument("--no-osm", action="store_true", help="import without --osm")
    p.add_argument("--date", default="2019-05-13")
    p.add_argument("--depart", default="14:00")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("--threads", type=int, default=None, help="--threads for matrix")
    p.add_argument("--walk-speed-kmh", default="5.04", help="[walking] speed_kmh (ferrobus: 1.4 m/s)")
    p.add_argument("--point-walk-min", default="20", help="[access] point_max_min: longest walk of a point along streets (ferrobus: 1200 s)")
    p.add_argument("--keep-walking", action="store_true", help="leave network.toml as imported")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args(argv)
    a.onehour = a.onehour or default_binary()
    if not Path(a.onehour).is_file():
        print(f"error: {a.onehour}: no onehour binary (fix: cargo build --release, or --onehour BIN)", file=sys.stderr)
        return 2
    if not (a.work / "points.csv").is_file():
        print(f"error: {a.work / 'points.csv'}: missing (fix: run prepare.py --out {a.work} first)", file=sys.stderr)
        return 2
    net = a.work / "onehour-net"
    matrix_out = a.work / f"onehour_matrix.{a.format}"
    imp, mat = commands(a, net, matrix_out)

    import_s, import_cpu, import_rss, import_log = run_measured(imp)
    manifest = net / "network.toml"
    if not a.keep_walking:
        text = set_toml_value(manifest.read_text(encoding="utf-8"), "walking", "speed_kmh", a.walk_speed_kmh)
        # Points walk along streets for at most 20 min, as ferrobus's max_walking_time = 1200 s.
        text = set_toml_value(text, "access", "point_max_min", a.point_walk_min)
        manifest.write_text(text, encoding="utf-8")
    runs, cpus, rss = [], [], []
    for _ in range(a.repeat):
        s, c, r, _log = run_measured(mat)
        runs.append(s)
        cpus.append(c)
        rss.append(r)
    try:
        version = subprocess.run([str(a.onehour), "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = "unknown"
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    report = {
        "tool": "onehour",
        "onehour_version": version,
        "repository_commit": commit or "unknown",
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_at_end": os.getloadavg(),
        },
        "date_run": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
        "parameters": {
            "import": imp,
            "matrix": mat,
            "walking_speed_kmh": None if a.keep_walking else a.walk_speed_kmh,
        },
        "import_messages": import_log.splitlines()[-5:],
        "seconds": {
            "import": round(import_s, 3),
            "matrix_runs": [round(x, 3) for x in runs],
            "matrix_min": round(min(runs), 3),
            "matrix_median": round(statistics.median(runs), 3),
            "end_to_end_min": round(import_s + min(runs), 3),
        },
        "cpu_seconds": {
            "import": round(import_cpu, 3),
            "matrix_runs": [round(x, 3) for x in cpus],
            "matrix_min": round(min(cpus), 3),
            "end_to_end_min": round(import_cpu + min(cpus), 3),
        },
        "peak_rss_mib": {"import": round(import_rss, 1), "matrix": round(max(rss), 1)},
    }
    (a.work / "onehour_run.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
