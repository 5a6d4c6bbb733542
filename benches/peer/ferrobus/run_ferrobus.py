#!/usr/bin/env python3
"""The ferrobus side of the Porto Alegre peer benchmark (needs `pip install ferrobus==0.2.1`).

Builds ferrobus's model from the OSM extract and the feeds that ``prepare.py`` wrote (stop times
filled), makes a transit point of each of ``points.csv``'s cells, computes the square travel-time
matrix at one departure ``--repeat`` times, and writes:

- ``--out`` (default ``WORK/ferrobus_matrix.csv``): ``from,to,minutes`` for every ordered pair
  of points (minutes to 0.01, empty where ferrobus finds no journey; a point ferrobus cannot
  place on its street graph has empty rows and columns);
- ``WORK/ferrobus_run.json``: versions, parameters, the wall-clock and CPU (user + system)
  seconds to build the model, to make the points and of each matrix (min and median), peak
  resident memory, reached pairs.

Usage::

    python run_ferrobus.py --work WORK --osm tests/fixtures/porto-alegre/poa_osm.pbf

ferrobus's API as installed (0.2.1, read from its ``__init__.pyi`` and sources)::

    create_transit_model(osm_path, gtfs_dirs, date, max_transfer_time=1200) -> TransitModel
    create_transit_point(lat, lon, transit_model, max_walking_time=1200, max_nearest_stops=10)
    travel_time_matrix(transit_model, points, departure_time, max_transfers)
        -> list[list[int | None]]  (seconds)

``date`` must be given: with ``None`` ferrobus keeps every trip of every service (weekday,
Saturday and Sunday timetables at once); with a date it keeps the services running on that
weekday plus ``calendar_dates.txt`` exceptions (it does not read ``start_date``/``end_date``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
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


def clock_seconds(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 3600 + int(m) * 60


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--work", type=Path, required=True, help="the folder prepare.py wrote")
    p.add_argument("--osm", type=Path, required=True, help="poa_osm.pbf")
    p.add_argument("--date", default="2019-05-13", help="service date (default 2019-05-13, a Monday)")
    p.add_argument("--depart", default="14:00", help="departure HH:MM (default 14:00, see README.md)")
    p.add_argument(
        "--max-transfers", type=int, default=8,
        help="ferrobus max_transfers, which is the most vehicles ridden (default 8, onehour's max_trips)",
    )
    p.add_argument("--max-walk-s", type=int, default=1200, help="walk to/from a point")
    p.add_argument("--max-transfer-walk-s", type=int, default=1200, help="walk between stops")
    p.add_argument("--max-nearest-stops", type=int, default=10)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", type=Path, help="matrix CSV (default WORK/ferrobus_matrix.csv)")
    a = p.parse_args(argv)
    out = a.out or a.work / "ferrobus_matrix.csv"

    rss_start = rss_mib()
    import ferrobus  # noqa: E402  (imported here so its own memory is measured)
    from importlib.metadata import version

    rss_import = rss_mib()
    feeds = sorted(str(d) for d in (a.work / "feeds").iterdir() if d.is_dir())
    with open(a.work / "points.csv", newline="", encoding="utf-8") as f:
        pts = [(r["id"], float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)]

    t0, c0 = time.perf_counter(), cpu()
    model = ferrobus.create_transit_model(
        str(a.osm), feeds, dt.date.fromisoformat(a.date), a.max_transfer_walk_s
    )
    build_s, build_cpu = time.perf_counter() - t0, cpu() - c0
    rss_build = rss_mib()

    t0, c0 = time.perf_counter(), cpu()
    placed, failed = [], []
    for pid, lon, lat in pts:
        try:
            tp = ferrobus.create_transit_point(lat, lon, model, a.max_walk_s, a.max_nearest_stops)
        except Exception as e:  # ferrobus raises RuntimeError/ValueError for a point off its streets
            failed.append({"id": pid, "error": str(e)})
            continue
        placed.append((pid, tp))
    points_s, points_cpu = time.perf_counter() - t0, cpu() - c0

    departure = clock_seconds(a.depart)
    tps = [tp for _, tp in placed]
    matrix_s, matrix_cpu, first = [], [], None
    for _ in range(a.repeat):
        t0, c0 = time.perf_counter(), cpu()
        m = ferrobus.travel_time_matrix(model, tps, departure, a.max_transfers)
        matrix_s.append(time.perf_counter() - t0)
        matrix_cpu.append(cpu() - c0)
        if first is None:
            first = m
        elif m != first:
            raise SystemExit("ferrobus gave different matrices for the same call")
    rss_end = rss_mib()

    secs = {}
    for i, (fi, _) in enumerate(placed):
        for j, (tj, _) in enumerate(placed):
            secs[fi, tj] = first[i][j]
    out.parent.mkdir(parents=True, exist_ok=True)
    reached = reached_off_diagonal = 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["from", "to", "minutes"])
        for fi, *_ in pts:
            for tj, *_ in pts:
                s = secs.get((fi, tj))
                if s is not None:
                    reached += 1
                    reached_off_diagonal += fi != tj
                w.writerow([fi, tj, "" if s is None else f"{s / 60:.2f}"])

    n = len(pts)
    report = {
        "tool": "ferrobus",
        "ferrobus_version": version("ferrobus"),
        "python": platform.python_version(),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "rayon_num_threads": os.environ.get("RAYON_NUM_THREADS", "unset (all cores)"),
            "loadavg_at_end": os.getloadavg(),
        },
        "date_run": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d"),
        "parameters": {
            "osm": str(a.osm),
            "feeds": [Path(x).name for x in feeds],
            "service_date": a.date,
            "departure": a.depart,
            "max_transfers": a.max_transfers,
            "max_walking_time_s": a.max_walk_s,
            "max_transfer_time_s": a.max_transfer_walk_s,
            "max_nearest_stops": a.max_nearest_stops,
            "walking_speed_m_s": 1.4,
        },
        "model": {"stops": model.stop_count(), "routes": model.route_count()},
        "points": {"given": n, "placed": len(placed), "failed": failed},
        "seconds": {
            "build_model": round(build_s, 3),
            "make_points": round(points_s, 3),
            "matrix_runs": [round(x, 3) for x in matrix_s],
            "matrix_min": round(min(matrix_s), 3),
            "matrix_median": round(statistics.median(matrix_s), 3),
            "end_to_end_min": round(build_s + points_s + min(matrix_s), 3),
        },
        "cpu_seconds": {
            "build_model": round(build_cpu, 3),
            "make_points": round(points_cpu, 3),
            "matrix_runs": [round(x, 3) for x in matrix_cpu],
            "matrix_min": round(min(matrix_cpu), 3),
            "end_to_end_min": round(build_cpu + points_cpu + min(matrix_cpu), 3),
        },
        "peak_rss_mib": {
            "python_start": round(rss_start, 1),
            "after_import": round(rss_import, 1),
            "after_build": round(rss_build, 1),
            "after_matrices": round(rss_end, 1),
        },
        "pairs": {
            "all": n * n,
            "reached": reached,
            "off_diagonal": n * (n - 1),
            "reached_off_diagonal": reached_off_diagonal,
        },
    }
    (a.work / "ferrobus_run.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
