"""Run times of the Shenzhen and Dongguan metro segments in metro/sz_dg_services.toml.

Two methods, both stated in the services' `source`/`estimate` fields:

* Timetable (Shenzhen Line 11, Dongguan Line 2): the published last-train time at each
  station of one train per direction (fixtures/sz_metro_11_last_trains.csv,
  fixtures/dg_metro_2_last_trains.csv).  The difference between consecutive stations is
  the run plus the dwell at the later station; run_min = mean over the directions given
  - dwell_min (0.5), rounded to 0.1.
* Distributed end-to-end time (Shenzhen lines 1, 3 and 4): run_min = CONST_MIN + slope x
  straight-line km between the line's station points (fixtures/sz_metro_hkust_points.csv).
  The slope is calibrated on Line 4, whose operator gives ~51 min end to end over its
  23 stations (MTR Shenzhen via czaokai.com item 13531, 2020-10): sum of the runs + 21
  intermediate dwells of 0.5 min = 51 min.  CONST_MIN = 0.6 min per run for starting and
  stopping is an assumption (the same constant as metro/gz_1_8_services.toml).

Run `python3 sz_dg_metro_runtimes.py` to print the run times; the unit test checks that
metro/sz_dg_services.toml carries exactly these figures.  Python 3.11, standard library only.
"""
from __future__ import annotations

import csv
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")

DWELL_MIN = 0.5
CONST_MIN = 0.6
LINE4_END_TO_END_MIN = 51.0

EARTH_RADIUS_M = 6371008.8


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)) / 1000.0


def calibrate_slope(seg_km: list[float], end_to_end_min: float,
                    dwell_min: float = DWELL_MIN, const_min: float = CONST_MIN) -> float:
    """Minutes per km such that sum(const + slope*km) + dwells at intermediate stops = end_to_end."""
    n_runs = len(seg_km)
    if n_runs < 1:
        raise ValueError("need at least one segment")
    running = end_to_end_min - dwell_min * (n_runs - 1) - const_min * n_runs
    if running <= 0:
        raise ValueError("end-to-end time too short for the dwells and constants")
    return running / sum(seg_km)


def formula_runs(seg_km: list[float], slope: float, const_min: float = CONST_MIN) -> list[float]:
    return [round(const_min + slope * km, 1) for km in seg_km]


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _chain_deltas(times: list[str | None]) -> list[float | None]:
    """Minutes between consecutive stations along one train's times (None where a time is missing).

    Times may run past midnight (00:05 after 23:58)."""
    out: list[float | None] = []
    for a, b in zip(times, times[1:]):
        if not a or not b:
            out.append(None)
            continue
        d = _minutes(b) - _minutes(a)
        if d < -12 * 60:
            d += 24 * 60
        if d <= 0:
            raise ValueError(f"times not increasing along the train: {a} -> {b}")
        out.append(float(d))
    return out


def timetable_runs(forward: list[str | None], backward: list[str | None],
                   dwell_min: float = DWELL_MIN) -> list[float]:
    """Run minutes per segment, stations in one order.

    `forward` are the times of a train running in station order, `backward` those of a
    train running the other way, both listed in station order."""
    if len(forward) != len(backward):
        raise ValueError("forward and backward lists differ in length")
    fwd = _chain_deltas(forward)
    bwd = _chain_deltas(list(reversed(backward)))[::-1]
    runs = []
    for i, (f, b) in enumerate(zip(fwd, bwd)):
        vals = [v for v in (f, b) if v is not None]
        if not vals:
            raise ValueError(f"segment {i} has no time in either direction")
        runs.append(round(sum(vals) / len(vals) - dwell_min, 1))
    return runs


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def hkust_points(line: str) -> list[tuple[str, float, float]]:
    rows = [r for r in _read_csv("sz_metro_hkust_points.csv") if r["line"] == line]
    rows.sort(key=lambda r: int(r["seq"]))
    return [(r["name_zh"], float(r["lon"]), float(r["lat"])) for r in rows]


def segments_km(points: list[tuple[str, float, float]]) -> list[float]:
    return [haversine_km(a[1], a[2], b[1], b[2]) for a, b in zip(points, points[1:])]


def line4_slope() -> float:
    return calibrate_slope(segments_km(hkust_points("4")), LINE4_END_TO_END_MIN)


def sz_formula_service(line: str, names: list[str]) -> list[float]:
    """Run times along `names` (in travel order) of Shenzhen line `line` by the Line 4 formula."""
    pts = {p[0]: p for p in hkust_points(line)}
    seq = [pts[n] for n in names]
    return formula_runs(segments_km(seq), line4_slope())


def sz_line11_runs() -> tuple[list[str], list[float]]:
    """Line 11 from the airport to Futian: station names in that order and run minutes."""
    rows = _read_csv("sz_metro_11_last_trains.csv")[::-1]  # airport first
    names = [r["station"] for r in rows]
    fwd = [r["to_futian"] or None for r in rows]
    bwd = [r["to_bitou"] or None for r in rows]
    return names, timetable_runs(fwd, bwd)


def dg_line2_runs() -> tuple[list[str], list[float]]:
    """Dongguan Line 2 from Dongguan railway station to Humen railway station."""
    rows = _read_csv("dg_metro_2_last_trains.csv")[::-1]  # Dongguan railway station first
    names = [r["station"] for r in rows]
    fwd = [r["to_humen"] or None for r in rows]
    bwd = [r["to_dongguan"] or None for r in rows]
    return names, timetable_runs(fwd, bwd)


# Modelled stopping patterns (Chinese names in travel order) of the formula lines.
SZ_LINE1 = ["罗湖", "国贸", "老街", "大剧院", "科学馆", "华强路", "岗厦", "会展中心", "购物公园"]
SZ_LINE3 = ["少年宫", "福田", "购物公园"]
SZ_LINE4 = ["深圳北站", "白石龙", "民乐", "上梅林", "莲花北", "少年宫", "市民中心", "会展中心"]


def all_runs() -> dict[str, tuple[list[str], list[float]]]:
    return {
        "sz-metro-1": (SZ_LINE1, sz_formula_service("1", SZ_LINE1)),
        "sz-metro-3": (SZ_LINE3, sz_formula_service("3", SZ_LINE3)),
        "sz-metro-4": (SZ_LINE4, sz_formula_service("4", SZ_LINE4)),
        "sz-metro-11": sz_line11_runs(),
        "dg-metro-2": dg_line2_runs(),
    }


def main() -> None:
    print(f"Line 4 slope: {line4_slope():.4f} min/km (+ {CONST_MIN} min per run)")
    for key, (names, runs) in all_runs().items():
        print(f"{key}: {names[0]}", end="")
        for n, r in zip(names[1:], runs):
            print(f" -{r}- {n}", end="")
        print(f"   (sum of runs {sum(runs):.1f} min)")


if __name__ == "__main__":
    main()
