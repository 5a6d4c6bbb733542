#!/usr/bin/env python3
"""Run and dwell times of a rail stopping pattern from train stop lists (standard library only).

Input
-----
Train stop lists in one of two forms (several files may be given; they are merged):

* JSON as in the open dataset brandonwilliams33/railway-visualization, data/raw/
  city-<province>-<city>-services.json (third-party copies of the 12306 train pages of
  crecc.com, with the page's update date): a list of objects with "trainNumber", "stopNames",
  "elapsedMinutes" (minutes from the departure at the first station, one figure per station) and
  "sourceUpdatedAt". One time per station: arrival = departure, so the dwell is inside the run.
* CSV with the columns train,station,arrival,departure,updated (lines starting with '#' are
  comments), one row per call, in calling order. arrival/departure are "HH:MM" (a time earlier
  than the one before is taken to be after midnight) or whole minutes from the train's start;
  an empty arrival (first stop) or departure (last stop) takes the other value.

Station names are compared without spaces (the dataset writes "惠州 北" for 惠州北).

Method
------
A train serves a pattern (an ordered list of station names) when it calls at every station of
the pattern in that order; with --no-intermediate it must also make no other call between two
consecutive pattern stations (use this for a pattern whose legs are non-stop runs). For each
serving train:
  run_i   = arrival at station i+1 - departure at station i   (the network's run_min)
  dwell_i = departure at station i - arrival at station i     (intermediate stations)
With --both-directions, trains running the pattern in reverse count too (their legs are folded
onto the pattern's, as the network uses one run time for both directions).
The figure per leg / stop is the median over the serving trains (the mean of the two middle
values for an even count), or with --fastest the legs of the train with the shortest end-to-end
time (ties: the first train in the input). The number of trains, their numbers and the range of
page dates are printed, so that a record's `source` can name them.

Usage
-----
python3 networks/guangzhou/tools/rail_timetable.py FILE [FILE ...] --pattern 广州南 佛山西 肇庆东
    [--no-intermediate] [--both-directions] [--fastest] [--min-date 2026-01-01] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from dataclasses import dataclass, field


@dataclass
class Call:
    station: str
    arrival: int      # minutes from the train's start (after-midnight corrected)
    departure: int


@dataclass
class Train:
    number: str
    updated: str
    calls: list[Call] = field(default_factory=list)


def norm(name: str) -> str:
    """Station name without whitespace (the dataset writes '惠州 北', '肇 庆')."""
    return "".join(name.split())


def _minutes(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if ":" in text:
        h, m = text.split(":")[:2]
        return int(h) * 60 + int(m)
    return int(text)


def load_json(path: str) -> list[Train]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    trains = []
    for rec in data:
        names = rec["stopNames"]
        mins = rec["elapsedMinutes"]
        if len(names) != len(mins):
            raise ValueError(f"{path}: {rec['trainNumber']}: {len(names)} stations, {len(mins)} times")
        t = Train(rec["trainNumber"], rec.get("sourceUpdatedAt", ""))
        for n, m in zip(names, mins):
            t.calls.append(Call(norm(n), int(m), int(m)))
        trains.append(t)
    return trains


def load_csv(path: str) -> list[Train]:
    trains: dict[str, Train] = {}
    with open(path, encoding="utf-8", newline="") as f:
        rows = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    for row in csv.DictReader(rows):
        num = row["train"].strip()
        t = trains.setdefault(num, Train(num, row.get("updated", "").strip()))
        arr, dep = _minutes(row.get("arrival", "")), _minutes(row.get("departure", ""))
        if arr is None and dep is None:
            raise ValueError(f"{path}: {num} at {row['station']}: no time")
        arr = dep if arr is None else arr
        dep = arr if dep is None else dep
        t.calls.append(Call(norm(row["station"]), arr, dep))
    for t in trains.values():
        # times of day: a time earlier than the previous one is after midnight
        last, offset = None, 0
        for c in t.calls:
            a, d = c.arrival + offset, c.departure + offset
            if last is not None and a < last:
                offset += 1440
                a += 1440
                d += 1440
            if d < a:
                offset += 1440
                d += 1440
            c.arrival, c.departure, last = a, d, d
    return list(trains.values())


def load(paths: list[str]) -> list[Train]:
    out: list[Train] = []
    for p in paths:
        out.extend(load_json(p) if p.lower().endswith(".json") else load_csv(p))
    return out


def match(train: Train, pattern: list[str], no_intermediate: bool) -> list[Call] | None:
    """The train's calls at the pattern stations, in order, or None if it does not serve it."""
    names = [c.station for c in train.calls]
    pat = [norm(p) for p in pattern]
    try:
        idx = [names.index(pat[0])]
        for p in pat[1:]:
            idx.append(names.index(p, idx[-1] + 1))
    except ValueError:
        return None
    if no_intermediate and any(b - a != 1 for a, b in zip(idx, idx[1:])):
        return None
    return [train.calls[i] for i in idx]


def _median(values: list[int]) -> float:
    return float(statistics.median(values))


def summarise(trains: list[Train], pattern: list[str], no_intermediate: bool = False,
              fastest: bool = False, min_date: str = "", both_directions: bool = False) -> dict:
    served = []
    for t in trains:
        if min_date and t.updated < min_date:
            continue
        calls = match(t, pattern, no_intermediate)
        if calls is None and both_directions:
            rev = match(t, list(reversed(pattern)), no_intermediate)
            if rev is not None:
                # fold the reverse run onto the pattern's legs: leg i of the pattern is leg
                # (n-2-i) of the reverse train; dwells likewise
                calls = [Call(c.station, -c.departure, -c.arrival) for c in reversed(rev)]
        if calls is not None:
            served.append((t, calls))
    result = {"pattern": [norm(p) for p in pattern], "statistic": "fastest" if fastest else "median",
              "trains": [t.number for t, _ in served], "n": len(served),
              "updated": sorted({t.updated for t, _ in served})}
    if not served:
        result.update(runs=[], dwells=[], total=None)
        return result
    runs_per = [[c2.arrival - c1.departure for c1, c2 in zip(calls, calls[1:])] for _, calls in served]
    dwells_per = [[c.departure - c.arrival for c in calls[1:-1]] for _, calls in served]
    totals = [calls[-1].arrival - calls[0].departure for _, calls in served]
    if fastest:
        i = totals.index(min(totals))
        result.update(runs=[float(r) for r in runs_per[i]], dwells=[float(d) for d in dwells_per[i]],
                      total=float(totals[i]), fastest_train=served[i][0].number)
    else:
        result.update(runs=[_median(list(col)) for col in zip(*runs_per)],
                      dwells=[_median(list(col)) for col in zip(*dwells_per)] if dwells_per[0] else [],
                      total=_median(totals))
    result["totals"] = {t.number: tot for (t, _), tot in zip(served, totals)}
    return result


def render(res: dict) -> str:
    lines = [f"pattern: {' - '.join(res['pattern'])}",
             f"statistic: {res['statistic']}; trains: {res['n']}"
             + (f" ({', '.join(res['trains'])})" if res["trains"] else "")]
    if not res["n"]:
        lines.append("no train serves this pattern")
        return "\n".join(lines)
    lines.append(f"page dates: {res['updated'][0]} .. {res['updated'][-1]}")
    if "fastest_train" in res:
        lines.append(f"fastest train: {res['fastest_train']}")
    pat = res["pattern"]
    for i, r in enumerate(res["runs"]):
        lines.append(f"  run   {pat[i]} -> {pat[i + 1]}: {r:g} min")
        if i < len(res["dwells"]):
            lines.append(f"  dwell {pat[i + 1]}: {res['dwells'][i]:g} min")
    lines.append(f"end to end: {res['total']:g} min")
    lines.append("per train: " + ", ".join(f"{k} {v}" for k, v in res["totals"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+", help="JSON (railway-visualization services) or CSV extracts")
    ap.add_argument("--pattern", nargs="+", required=True, help="station names in calling order")
    ap.add_argument("--no-intermediate", action="store_true",
                    help="only trains with no other call between consecutive pattern stations")
    ap.add_argument("--fastest", action="store_true", help="legs of the fastest train instead of medians")
    ap.add_argument("--both-directions", action="store_true",
                    help="also use trains running the pattern in reverse (legs folded onto the pattern)")
    ap.add_argument("--min-date", default="", help="ignore pages updated before this date (YYYY-MM-DD)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    res = summarise(load(a.files), a.pattern, a.no_intermediate, a.fastest, a.min_date,
                    a.both_directions)
    print(json.dumps(res, ensure_ascii=False, indent=1) if a.json else render(res))
    return 0 if res["n"] else 1


if __name__ == "__main__":
    sys.exit(main())
