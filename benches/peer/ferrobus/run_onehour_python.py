#!/usr/bin/env python3
"""onehour with its model in memory, as ferrobus is measured: the Python package.

``run_ferrobus.py`` times ferrobus's matrix with its model already built in the process;
``run_onehour.py`` times onehour's command line, each run a new process that reads the cached
model and compiles the day. This script is the like-for-like of the first: it loads the
network that ``run_onehour.py`` imported (``WORK/onehour-net``) once with the ``onehour``
package (``pip install ./python``), then computes the same 400 × 400 matrix ``--repeat`` times
in the same process (the scenario's timetable and streets are compiled by the first and kept),
as a numpy array of minutes (``points_travel_time_array``, as ferrobus returns a list of
lists; ``--output json`` times the JSON document instead), and writes:

- ``WORK/onehour_python_matrix.json``: the matrix as the command line's JSON document (made
  once more, untimed, after the timed arrays, and checked to hold the arrays' minutes), so
  ``compare.py --onehour`` reads it;
- ``WORK/onehour_python_run.json``: wall-clock and CPU (user + system, all threads) seconds of
  the load and of each matrix (min and median), peak resident memory, in the shape of
  ``onehour_run.json`` (``compare.py --onehour-run`` reads it).

Usage (after ``prepare.py`` and ``run_onehour.py``)::

    python run_onehour_python.py --work WORK [--date 2019-05-13 --depart 14:00 --repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import resource
import statistics
import sys
import time
from pathlib import Path


def rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu() -> float:
    """User + system CPU seconds of this process so far (all its threads)."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def read_points(path: Path) -> list[tuple[str, float, float]]:
    """``points.csv`` (``id,lon,lat``) as (id, lon, lat) triples, in file order."""
    with path.open(newline="", encoding="utf-8") as f:
        return [(r["id"], float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)]


def array_disagrees(arr, minutes: list) -> str | None:
    """Where the array of minutes (to the second) and the JSON matrix's minutes (to 0.1, None
    where not reached) disagree: the first such cell, or None."""
    if len(arr) != len(minutes):
        return f"{len(arr)} rows against {len(minutes)}"
    for i, row in enumerate(minutes):
        if len(arr[i]) != len(row):
            return f"row {i}: {len(arr[i])} columns against {len(row)}"
        for j, m in enumerate(row):
            x = float(arr[i][j])
            if (m is None) != math.isnan(x) or (m is not None and abs(x - m) > 0.05 + 1e-9):
                return f"row {i}, column {j}: {x} against {m}"
    return None


def timed(f):
    """(result, wall seconds, CPU seconds) of calling ``f()``."""
    t0, c0 = time.perf_counter(), cpu()
    r = f()
    return r, time.perf_counter() - t0, cpu() - c0


def report(load: tuple[float, float], runs: list[tuple[float, float]], rss: dict) -> dict:
    """The run report: ``seconds`` and ``cpu_seconds`` of the load and of each matrix, with
    ``end_to_end_min`` = load + fastest matrix, as ``onehour_run.json`` has them."""
    wall = [w for w, _ in runs]
    cpus = [c for _, c in runs]
    return {
        "seconds": {
            "load": round(load[0], 3),
            "matrix_runs": [round(x, 3) for x in wall],
            "matrix_min": round(min(wall), 3),
            "matrix_median": round(statistics.median(wall), 3),
            "end_to_end_min": round(load[0] + min(wall), 3),
        },
        "cpu_seconds": {
            "load": round(load[1], 3),
            "matrix_runs": [round(x, 3) for x in cpus],
            "matrix_min": round(min(cpus), 3),
            "end_to_end_min": round(load[1] + min(cpus), 3),
        },
        "peak_rss_mib": {k: round(v, 1) for k, v in rss.items()},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", type=Path, required=True, help="the folder prepare.py wrote")
    p.add_argument("--network", type=Path, help="the imported network (default WORK/onehour-net)")
    p.add_argument("--date", default="2019-05-13")
    p.add_argument("--depart", default="14:00")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument(
        "--output",
        choices=["array", "json"],
        default="array",
        help="what is timed: the numpy array of minutes (points_travel_time_array, as ferrobus "
        "returns its matrix; the default) or the JSON document (points_matrix_json)",
    )
    a = p.parse_args(argv)
    net_dir = a.network or a.work / "onehour-net"
    points_csv = a.work / "points.csv"
    for what, path in [("network", net_dir / "network.toml"), ("points", points_csv)]:
        if not path.is_file():
            print(
                f"error: {path}: no {what} (fix: run prepare.py and run_onehour.py with --work {a.work} first)",
                file=sys.stderr,
            )
            return 2
    if a.repeat < 1:
        print("error: --repeat must be at least 1", file=sys.stderr)
        return 2
    rss = {"python_start": rss_mib()}
    import onehour

    rss["after_import"] = rss_mib()
    pts = read_points(points_csv)
    net, load_s, load_cpu = timed(lambda: onehour.Network.load(str(net_dir), date=a.date))
    rss["after_load"] = rss_mib()
    runs, doc = [], None
    for _ in range(a.repeat):
        if a.output == "array":
            arr, w, c = timed(lambda: net.points_travel_time_array(pts, depart=a.depart))
        else:
            doc, w, c = timed(lambda: net.points_matrix_json(pts, depart=a.depart))
        runs.append((w, c))
    rss["after_matrices"] = rss_mib()
    if a.output == "array":
        # The JSON document, untimed, for compare.py; the timed array must hold its minutes.
        doc = net.points_matrix_json(pts, depart=a.depart)
        bad = array_disagrees(arr, doc["minutes"])
        if bad:
            print(f"error: the array and the JSON matrix disagree: {bad}", file=sys.stderr)
            return 1
    out = report((load_s, load_cpu), runs, rss)
    out = {
        "tool": "onehour (Python package, model in memory)",
        "python": platform.python_version(),
        "parameters": {
            "network": str(net_dir),
            "date": a.date,
            "departure": a.depart,
            "points": len(pts),
            "output": a.output,
        },
        **out,
    }
    (a.work / "onehour_python_matrix.json").write_text(json.dumps(doc), encoding="utf-8")
    (a.work / "onehour_python_run.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
