#!/usr/bin/env python3
"""Headway bands of trunk rail services from sourced daily train counts (standard library only).

No per-train clock times of the Guangzhou trunk corridors were found in an open source (the
crecc.com copies in brandonwilliams33/railway-visualization that rail_timetable.py reads give
minutes from each train's start but not its departure time; wensimehrp/chinese-railway-gtfs
publishes its feed only as release files, not in the repository). What is published is how many
trains a day run on a pattern. This script spreads such a count evenly over a service day:

  trains per direction = trains (per "direction"), or trains / 2 (per "day", both directions)
  headway_min          = span minutes / trains per direction, to 0.1 min

and writes one inexact band per direction (departures drawn at random offsets, the same in every
scenario) from span_start to span_end. A row may give headway_min itself (a published average
interval) instead of a count. Every band is an estimate (no peak/off-peak split, the service day
is not sourced) and its source says so, with the count's source.

Input: a CSV service,trains,per,headway_min,span_start,span_end,count_source,span_source
('#' lines are comments); trains and per empty when headway_min is given.
Usage: python3 networks/guangzhou/tools/trunk_bands.py networks/guangzhou/rail/trunk_counts.csv \\
           --calendar trunk-daily > networks/guangzhou/rail/trunk_bands.csv
Bad input is reported with its file and line and exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import sys

COLS = ["service", "trains", "per", "headway_min", "span_start", "span_end", "count_source",
        "span_source"]


class InputError(Exception):
    """Bad input: the message names the file, the line and the fix."""


def minutes(path: str, no: int, col: str, v: str) -> int:
    try:
        h, m = v.split(":")
        t = int(h) * 60 + int(m)
    except ValueError:
        raise InputError(f"{path}:{no}: column {col}: '{v}' is not HH:MM; fix: write a clock time")
    if not 0 <= t < 48 * 60 or not 0 <= int(m) < 60:
        raise InputError(f"{path}:{no}: column {col}: '{v}' is outside 00:00-47:59; fix: a clock time")
    return t


def fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def band_rows(path: str) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = [(i + 1, ln) for i, ln in enumerate(f.read().splitlines())
                     if ln.strip() and not ln.startswith("#")]
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); fix: give an existing CSV file")
    if not lines:
        raise InputError(f"{path}: no header; fix: add the header {','.join(COLS)}")
    reader = csv.reader([ln for _, ln in lines])
    header = next(reader)
    if header != COLS:
        raise InputError(f"{path}:{lines[0][0]}: header {','.join(header)}; fix: {','.join(COLS)}")
    out = []
    for (no, _), vals in zip(lines[1:], reader):
        if len(vals) != len(COLS):
            raise InputError(f"{path}:{no}: {len(vals)} fields, expected {len(COLS)}; "
                             "fix: one value per column")
        r = dict(zip(COLS, vals))
        start = minutes(path, no, "span_start", r["span_start"])
        end = minutes(path, no, "span_end", r["span_end"])
        if end <= start:
            raise InputError(f"{path}:{no}: span {r['span_start']}-{r['span_end']} is empty; "
                             "fix: span_end after span_start")
        if not r["count_source"].strip() or not r["span_source"].strip():
            raise InputError(f"{path}:{no}: {r['service']}: a source is missing; "
                             "fix: name where the count and the service day come from")
        if r["headway_min"]:
            if r["trains"] or r["per"]:
                raise InputError(f"{path}:{no}: both a count and headway_min; fix: give one")
            try:
                h = float(r["headway_min"])
            except ValueError:
                h = -1.0
            if not 0 < h <= 1440:
                raise InputError(f"{path}:{no}: headway_min '{r['headway_min']}' is not in (0, 1440]; "
                                 "fix: minutes between trains")
            how = f"published average interval {fmt(h)} min"
        else:
            try:
                n = float(r["trains"])
            except ValueError:
                n = 0.0
            if n <= 0 or r["per"] not in ("day", "direction"):
                raise InputError(f"{path}:{no}: trains '{r['trains']}' per '{r['per']}'; fix: a "
                                 "positive count per day (both directions) or per direction")
            per_dir = n / 2 if r["per"] == "day" else n
            h = round((end - start) / per_dir, 1)
            how = (f"{fmt(n)} trains a {'day (both directions)' if r['per'] == 'day' else 'day per direction'}"
                   f" = {fmt(per_dir)} per direction spread evenly over {r['span_start']}-{r['span_end']}")
        src = (f"estimate: {how} ({r['count_source']}); service day {r['span_start']}-{r['span_end']}: "
               f"{r['span_source']}; no peak/off-peak split; networks/guangzhou/tools/trunk_bands.py")
        for direction in ("forward", "backward"):
            out.append([r["service"], "", direction, r["span_start"], r["span_end"], fmt(h), "false",
                        src])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("counts")
    ap.add_argument("--calendar", required=True)
    a = ap.parse_args(argv)
    try:
        rows = band_rows(a.counts)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["service", "calendar", "direction", "start", "end", "headway_min", "exact", "source"])
    for r in rows:
        r[1] = a.calendar
        w.writerow(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
