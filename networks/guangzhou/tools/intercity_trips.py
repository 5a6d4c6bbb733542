#!/usr/bin/env python3
"""Timetabled trips of the intercity services from two open timetable tables (standard library only).

Input
-----
* GDIC: `judge_result.json` of the open dataset RCFDark/GDIC-Time-Table (Guangdong Intercity,
  Guangzhou Metro's timetable, station list created 2026-03-25): an object per train number,
  `{"type": "普通|快车|特快", "stops": [{"name": "肇庆", "time": "08:29"}, ...], "terminal": ...}`,
  one time per station in running order. A train number may carry a running-day note on a
  second line, e.g. "C7528\\n（逢周日开行）".
* MetroPlan: the folder `data/车次信息/` of the open repository Fo-mal-Haut/MetroPlan (timetable
  of early December 2025): six Markdown tables named `<from>-<to>.md`, one per corridor and
  direction, a row per station in running order, a column per train ("-" where it does not
  call). A train that runs over several corridors appears in several tables, each with the
  part on that corridor; the parts are merged by train number (a station given twice must have
  the same time). Train headers may carry a note, e.g. "C7544 （逢周五、周日开行）".

Both give one time per station. It is read as the departure (at the last station, the arrival):
where a train waits at a station to be overtaken or crossed, the long gap in the tables always
ends at that station, in both directions (岑村, 花山镇 on the East Ring), which fits departure times
and not arrival times. The arrival at an intermediate station is then not published: it is
taken equal to the departure, except where the gap from the previous station is longer than the
leg's usual run, the median of that gap over all trains of the same source and direction; there
the arrival is estimated as the previous departure plus that median, and the rest is the wait
at the station (the trip's `source` names these stations as estimates). Times are in running
order; a time earlier than the one before is after midnight and written 24:xx.

Method
------
Station names are mapped to network ids by the explicit table `intercity_station_names.csv`
beside this script (a name not in it is an error). Each train is given to one service of the
services file whose stop list contains all the train's stations in order (or in reverse for a
service running both ways) and that runs on every day of the train's calendar (opened on or
before its first day, not closed before its last). Among several, the service that skips the
fewest of its own stations between the train's first and last stop wins, then one whose end
stations are the train's, then the one with fewer stations, then the first by id. A train no
service fits is reported with the reason and left out.

Calendars: one per source and running-day note: every day, Sundays ("逢周日开行") or Fridays and
Sundays ("逢周五、日开行", "逢周五、周日开行"); the date range is given on the command line with its
justification (the sources state none).

The report lists the trips per service and calendar, the trains left out and why, the trains
of the same source left out that call at two or more stations of a service (a service missing
many would run far fewer trains in the timetable modes than it does), and per service and
direction the first and last time, the mean gap over the day and the median gap 07:00-10:00 at
the station most trips call at, to set beside the service's headway_min.

Usage
-----
python3 networks/guangzhou/tools/intercity_trips.py \\
    --gdic GDIC_CHECKOUT/judge_result.json --metroplan METROPLAN_CHECKOUT/data/车次信息 \\
    --services networks/guangzhou/rail/intercity_services.toml \\
    --write gdic --out-dir networks/guangzhou/rail
(without --out-dir only the report is printed; --write names the sources whose trips are
written, all read by default). The bundled files are written from GDIC only: half the MetroPlan
trains (December 2025) run through between patterns the network models separately for that
period and fit no service, so its services would run a fraction of their trains (see the
network's README). Exit code 2 on bad input, naming file and line.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import re
import statistics
import sys
import tomllib
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES_CSV = os.path.join(HERE, "intercity_station_names.csv")

# Where each source is cited from, and the validity given to its trains (the sources state none).
SOURCES = {
    "gdic": {
        "repo": "RCFDark/GDIC-Time-Table",
        "commit": "845deee91d90d8ba6a98de5753768117a421b13d",
        "path": "judge_result.json",
        "trip_prefix": "gdic",
        "calendar_prefix": "ic-gdic",
        "start": "2026-03-25",
        "end": "2026-11-30",
        "validity": (
            "no validity is published: start = 2026-03-25, the date the operator's station list in the "
            "same dataset (gzmtr_schedule.json, createTime) was created, the source's only date; end = "
            "2026-11-30, the network's valid_on (the day the bundled network describes, with the "
            "services cross-checked against this timetable on 2026-11-28)"
        ),
    },
    "metroplan": {
        "repo": "Fo-mal-Haut/MetroPlan",
        "commit": "db6d3a9447c3eb7f80074943223859a46b027662",
        "path": "data/车次信息/",
        "trip_prefix": "mp",
        "calendar_prefix": "ic-mp",
        "start": "2025-12-07",
        "end": "2026-01-27",
        "validity": (
            "no validity is published: start = 2025-12-07, the date of the commit that last changed "
            "data/车次信息 (890688d7000e41c9b6e39ef91a89ac1c5ae16963), the source's date; end = "
            "2026-01-27, the day before the timetable change of 2026-01-28 (Guangqing southern "
            "extension opened and Guangzhou Metro's new timetable, news.hcygmm.com 2026-01-28, as "
            "cited by guangqing-allstops in rail/intercity_services.toml)"
        ),
    },
}

# Running-day notes of the sources and the calendar each gives.
NOTES = {
    "": ("daily", "Mon-Sun", "every day"),
    "逢周日开行": ("sun", "Sun", "Sundays only (逢周日开行)"),
    "逢周五、日开行": ("fri-sun", "Fri Sun", "Fridays and Sundays (逢周五、日开行)"),
    "逢周五、周日开行": ("fri-sun", "Fri Sun", "Fridays and Sundays (逢周五、周日开行)"),
}


class InputError(Exception):
    """Bad input: the message names the file, the line and the fix."""


@dataclass
class Train:
    source: str            # "gdic" | "metroplan"
    number: str            # as published, e.g. "C4802/3"
    note: str              # running-day note without brackets, "" if none
    calls: list[tuple[str, int]] = field(default_factory=list)   # (station name, minutes since midnight)
    files: list[str] = field(default_factory=list)               # source files it was read from


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time(text: str, where: str) -> int:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m.group(2)) > 59 or int(m.group(1)) > 23:
        raise InputError(f"{where}: '{text}' is not a clock time HH:MM; correct the cell")
    return int(m.group(1)) * 60 + int(m.group(2))


def in_running_order(times: list[int]) -> list[int]:
    """Times of one train in running order, a time earlier than the one before being after midnight."""
    out: list[int] = []
    day = 0
    for t in times:
        if out and t + day < out[-1]:
            day += 1440
        out.append(t + day)
    return out


def split_number(raw: str) -> tuple[str, str]:
    """'C7528\\n（逢周日开行）' or 'C7544 （逢周五、周日开行）' -> ('C7528', '逢周日开行')."""
    raw = raw.strip()
    m = re.fullmatch(r"([A-Za-z]?\d+(?:/\d+)?)\s*(?:[（(]([^）)]*)[）)])?", raw)
    if not m:
        return raw, "?"
    return m.group(1), (m.group(2) or "").strip()


# ---- readers ----------------------------------------------------------------------------------

def read_gdic(path: str) -> list[Train]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); give the path of judge_result.json")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 (byte {e.start}); save the file as UTF-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not JSON ({e.msg}); use the file as published")
    if not isinstance(data, dict):
        raise InputError(f"{path}:1: expected an object of trains keyed by train number")
    trains = []
    for key, rec in data.items():
        where = f"{path}: train '{key}'"
        stops = rec.get("stops") if isinstance(rec, dict) else None
        if not isinstance(stops, list) or len(stops) < 2:
            raise InputError(f"{where}: needs a list 'stops' of at least two {{name, time}} objects")
        number, note = split_number(key)
        names, times = [], []
        for i, s in enumerate(stops):
            if not isinstance(s, dict) or not isinstance(s.get("name"), str) or not isinstance(s.get("time"), str):
                raise InputError(f"{where}, stop {i + 1}: needs 'name' and 'time' strings")
            names.append(s["name"].strip())
            times.append(parse_time(s["time"], f"{where}, stop {i + 1} ({s['name']})"))
        t = Train("gdic", number, note, list(zip(names, in_running_order(times))), [path])
        trains.append(t)
    return trains


def _md_rows(path: str) -> list[tuple[int, list[str]]]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 (byte {e.start}); save the file as UTF-8")
    rows = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if line.startswith("|") and line.endswith("|"):
            rows.append((n, [c.strip() for c in line[1:-1].split("|")]))
    return rows


def read_metroplan(folder: str) -> tuple[list[Train], list[str]]:
    """Trains of the corridor tables merged by number; problems (conflicting times) reported."""
    try:
        files = sorted(f for f in os.listdir(folder) if f.endswith(".md"))
    except OSError as e:
        raise InputError(f"{folder}: cannot list ({e.strerror}); give the folder data/车次信息 of a MetroPlan checkout")
    if not files:
        raise InputError(f"{folder}: no .md tables; give the folder data/车次信息 of a MetroPlan checkout")
    parts: dict[str, list[tuple[str, list[tuple[str, int]]]]] = {}
    order: list[str] = []
    for name in files:
        path = os.path.join(folder, name)
        header = None
        cols: dict[int, list[tuple[str, str, int]]] = {}
        for n, cells in _md_rows(path):
            if cells and cells[0] == "车站/车次":
                header = cells
                continue
            if header is None or not cells or set(cells[0]) <= set("-: "):
                continue
            if len(cells) != len(header):
                raise InputError(f"{path}:{n}: {len(cells)} cells, the header has {len(header)}; repair the row")
            for i in range(2, len(cells)):
                if cells[i] not in ("", "-"):
                    cols.setdefault(i, []).append((cells[0], cells[i], n))
        if header is None:
            raise InputError(f"{path}: no header row starting with '车站/车次'")
        for i, calls in cols.items():
            raw = header[i]
            times = in_running_order([parse_time(t, f"{path}:{n} ({st}, {raw})") for st, t, n in calls])
            seq = [(st, t) for (st, _, _), t in zip(calls, times)]
            if raw not in parts:
                order.append(raw)
            parts.setdefault(raw, []).append((path, seq))
    trains, problems = [], []
    for raw in order:
        number, note = split_number(raw)
        pieces = parts[raw]
        ref = pieces[0][1][0][1]
        merged: dict[str, tuple[int, str]] = {}
        bad = False
        for path, seq in pieces:
            shift = 1440 if seq[0][1] < ref - 720 else 0
            for st, t in seq:
                t += shift
                if st in merged and merged[st][0] != t:
                    problems.append(
                        f"{raw}: {st} at {clock(merged[st][0])} in {os.path.basename(merged[st][1])} "
                        f"but {clock(t)} in {os.path.basename(path)}"
                    )
                    bad = True
                merged.setdefault(st, (t, path))
        if bad:
            continue
        calls = sorted(((st, t) for st, (t, _) in merged.items()), key=lambda c: c[1])
        if len(calls) < 2:
            problems.append(f"{raw}: fewer than two stations")
            continue
        trains.append(Train("metroplan", number, note, calls, [p for p, _ in pieces]))
    return trains, problems


# ---- network ----------------------------------------------------------------------------------

def read_names(path: str = NAMES_CSV) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    names: dict[str, str] = {}
    body = [(n, l) for n, l in enumerate(lines, 1) if l.strip() and not l.startswith("#")]
    reader = csv.reader(io.StringIO("\n".join(l for _, l in body)))
    rows = list(reader)
    if not rows or rows[0][:2] != ["name", "station"]:
        raise InputError(f"{path}: the first row must be the header name,station,...")
    for (n, _), row in zip(body[1:], rows[1:]):
        if len(row) < 2 or not row[0] or not row[1]:
            raise InputError(f"{path}:{n}: needs a name and a station id")
        if row[0] in names:
            raise InputError(f"{path}:{n}: name '{row[0]}' listed twice; keep one row")
        names[row[0]] = row[1]
    return names


def _date(text: str, last: bool) -> dt.date:
    """A full or partial date; a partial one is its period's last day (last=True) or first day."""
    parts = [int(p) for p in str(text).split("-")]
    if len(parts) == 3:
        return dt.date(*parts)
    if len(parts) == 2:
        y, m = parts
        if not last:
            return dt.date(y, m, 1)
        return dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    return dt.date(parts[0], 12, 31) if last else dt.date(parts[0], 1, 1)


@dataclass
class Service:
    id: str
    stops: list[str]
    both: bool
    opened: dt.date
    closed: dt.date | None
    headway_min: float


def read_services(path: str) -> list[Service]:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: {e}; repair the TOML")
    out = []
    for i, s in enumerate(data.get("service", []), 1):
        try:
            out.append(Service(
                s["id"], [x["at"] for x in s["stops"]], s.get("directions", "both") == "both",
                _date(s["opened"], last=True),
                _date(s["closed"], last=False) if "closed" in s else None,
                float(s["headway_min"]),
            ))
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(f"{path}: [[service]] number {i}: missing or bad field ({e}); repair the record")
    return out


# ---- assignment -------------------------------------------------------------------------------

def fit(service: Service, stations: list[str]) -> tuple[int, bool] | None:
    """(skipped stations, forward) if the service calls at all `stations` in order (or reverse)."""
    try:
        pos = [service.stops.index(s) for s in stations]
    except ValueError:
        return None
    if all(a < b for a, b in zip(pos, pos[1:])):
        return pos[-1] - pos[0] + 1 - len(pos), True
    if service.both and all(a > b for a, b in zip(pos, pos[1:])):
        return pos[0] - pos[-1] + 1 - len(pos), False
    return None


def assign(services: list[Service], stations: list[str], start: dt.date, end: dt.date) -> tuple[Service | None, str]:
    """The service the train runs (or None) and, if none, why."""
    running = [s for s in services if s.opened <= start and (s.closed is None or s.closed >= end)]
    best = None
    for s in running:
        f = fit(s, stations)
        if f is None:
            continue
        ends = {s.stops[0], s.stops[-1]} == {stations[0], stations[-1]}
        key = (f[0], not ends, len(s.stops), s.id)
        if best is None or key < best[0]:
            best = (key, s)
    if best:
        return best[1], ""
    # why not: a service in other dates, or none with this stop sequence at all
    other = [s.id for s in services if s not in running and fit(s, stations) is not None]
    if other:
        return None, f"fits only services not running {start}..{end}: {', '.join(other)}"
    return None, "no service calls at all its stations in this order"


# ---- build ------------------------------------------------------------------------------------

@dataclass
class Result:
    trips: list[dict]          # {service, trip, calendar, calls:[(id, minutes)], train, source}
    calendars: dict[str, dict]
    unassigned: list[tuple[Train, str]]
    problems: list[str]


def leg_medians(trains: list[Train]) -> dict[tuple[str, str, str], tuple[float, int]]:
    """(source, from, to) -> (median published gap in minutes, number of trains) over consecutive calls."""
    gaps: dict[tuple[str, str, str], list[int]] = {}
    for t in trains:
        for (a, ta), (b, tb) in zip(t.calls, t.calls[1:]):
            gaps.setdefault((t.source, a, b), []).append(tb - ta)
    return {k: (statistics.median(v), len(v)) for k, v in gaps.items()}


def timed_calls(t: Train, medians: dict) -> tuple[list[tuple[str, int, int]], list[str]]:
    """(name, arrive, depart) per call, and the notes of the estimated arrivals."""
    out, notes = [], []
    for i, (name, dep) in enumerate(t.calls):
        arr = dep
        if 0 < i < len(t.calls) - 1:
            prev_name, prev_dep = t.calls[i - 1]
            med, n = medians[(t.source, prev_name, name)]
            if dep - prev_dep > med:
                arr = prev_dep + int(med)  # a median of an even count may end in .5: round down
                notes.append(f"{name} {clock(arr)} (median run {med:g} min over {n} trains)")
        out.append((name, arr, dep))
    return out, notes


def build(trains: list[Train], names: dict[str, str], services: list[Service]) -> Result:
    trips, cals, unassigned, problems = [], {}, [], []
    seen: set[str] = set()
    medians = leg_medians(trains)
    for t in trains:
        src = SOURCES[t.source]
        unknown = [n for n, _ in t.calls if n not in names]
        if unknown:
            raise InputError(
                f"{t.files[0]}: train {t.number}: station(s) {', '.join(unknown)} not in {NAMES_CSV}; "
                "add the name and its station id to that table"
            )
        if t.note not in NOTES:
            unassigned.append((t, f"unknown running-day note '{t.note}'"))
            continue
        stations = [names[n] for n, _ in t.calls]
        start, end = dt.date.fromisoformat(src["start"]), dt.date.fromisoformat(src["end"])
        service, why = assign(services, stations, start, end)
        if service is None:
            unassigned.append((t, why))
            continue
        suffix, days, what = NOTES[t.note]
        cal = f"{src['calendar_prefix']}-{suffix}"
        cals[cal] = {
            "id": cal, "days": days, "start": src["start"], "end": src["end"],
            "source": f"{src['repo']} commit {src['commit']}, {src['path']}: trains running {what}; {src['validity']}",
        }
        trip = f"{src['trip_prefix']}-{t.number.lower().replace('/', '-')}"
        if trip in seen:
            problems.append(f"{t.source} train {t.number} appears twice; the second is left out")
            continue
        seen.add(trip)
        files = ", ".join(f"{src['path']}{os.path.basename(f)}" if t.source == "metroplan" else src["path"] for f in t.files)
        note = f" ({t.note})" if t.note else ""
        calls, estimated = timed_calls(t, medians)
        trips.append({
            "service": service.id, "trip": trip, "calendar": cal, "train": t.number,
            "calls": [(names[n], a, d) for n, a, d in calls],
            "source": (
                f"{src['repo']} commit {src['commit']}, {files}: train {t.number}{note}; one published time per "
                "station, read as the departure (the arrival at the last)"
                + (f"; estimated arrivals (previous departure + the leg's median run): {', '.join(estimated)}"
                   if estimated else "")
            ),
        })
    trips.sort(key=lambda r: (r["service"], r["calendar"], r["calls"][0][2], r["trip"]))
    return Result(trips, cals, unassigned, problems)


def trips_csv(trips: list[dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["service", "trip", "calendar", "stop", "arrive", "depart", "source"])
    for r in trips:
        last = len(r["calls"]) - 1
        for i, (st, arr, dep) in enumerate(r["calls"]):
            w.writerow([r["service"], r["trip"], r["calendar"], st,
                        "" if i == 0 else clock(arr), "" if i == last else clock(dep),
                        r["source"] if i == 0 else ""])
    return out.getvalue()


def calendars_csv(cals: dict[str, dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "days", "start", "end", "added", "removed", "source"])
    for c in sorted(cals.values(), key=lambda c: c["id"]):
        w.writerow([c["id"], c["days"], c["start"], c["end"], "", "", c["source"]])
    return out.getvalue()


# ---- report -----------------------------------------------------------------------------------

def peak_headway(trips: list[dict], service: Service, calendar: str, lo: int = 7 * 60, hi: int = 10 * 60) -> dict:
    """Per direction: the station most trips of `calendar` call at, and the median gap between
    their times there within [lo, hi) (the morning peak)."""
    out = {}
    for forward in (True, False):
        rows = []
        for r in trips:
            if r["service"] != service.id or r["calendar"] != calendar:
                continue
            st = [c[0] for c in r["calls"]]
            f = fit(service, st)
            if f and f[1] == forward:
                rows.append({c[0]: c[2] for c in r["calls"]})
        if not rows:
            continue
        counts = {s: sum(s in r for r in rows) for s in service.stops}
        station = max(service.stops, key=lambda s: counts[s])
        times = sorted(r[station] for r in rows if station in r)
        peak = [t for t in times if lo <= t < hi]
        gaps = [b - a for a, b in zip(peak, peak[1:])]
        out["forward" if forward else "backward"] = {
            "station": station, "trips": len(rows), "first": clock(times[0]), "last": clock(times[-1]),
            "peak_departures": len(peak), "median_gap": statistics.median(gaps) if gaps else None,
            "day_gap": round((times[-1] - times[0]) / (len(times) - 1)) if len(times) > 1 else None,
        }
    return out


def report(res: Result, services: list[Service], trains: list[Train], names_to_ids: dict[str, str]) -> str:
    lines = []
    by_source: dict[str, int] = {}
    for t in trains:
        by_source[t.source] = by_source.get(t.source, 0) + 1
    lines.append("trains read: " + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())))
    per: dict[tuple[str, str], int] = {}
    for r in res.trips:
        per[(r["service"], r["calendar"])] = per.get((r["service"], r["calendar"]), 0) + 1
    lines.append(f"trips written: {len(res.trips)}")
    for (s, c), n in sorted(per.items()):
        lines.append(f"  {s:32} {c:18} {n}")
    lines.append(f"trains left out: {len(res.unassigned)}")
    why: dict[tuple[str, str], list[str]] = {}
    for t, w in res.unassigned:
        pattern = " ".join(n for n, _ in (t.calls[0], t.calls[-1]))
        why.setdefault((t.source, w), []).append(f"{t.number}[{pattern}, {len(t.calls)} st]")
    for (src, w), ts in sorted(why.items()):
        lines.append(f"  {src}: {w}: {len(ts)}")
        lines.append("    " + "; ".join(ts))
    for p in res.problems:
        lines.append(f"problem: {p}")
    lines.append("services with trains of the same source left out that call at two or more of their stations:")
    for cal in sorted({r["calendar"] for r in res.trips}):
        if not cal.endswith("-daily"):
            continue
        src = next(k for k, v in SOURCES.items() if cal.startswith(v["calendar_prefix"] + "-"))
        for s in services:
            if not any(r["service"] == s.id and r["calendar"] == cal for r in res.trips):
                continue
            missing = [t.number for t, _ in res.unassigned
                       if t.source == src and sum(names_to_ids.get(n) in s.stops for n, _ in t.calls) >= 2]
            if missing:
                lines.append(f"  {cal}: {s.id}: {len(missing)} ({', '.join(missing[:8])}{', ...' if len(missing) > 8 else ''})")
    lines.append("peak headway (median gap 07:00-10:00 at the station most trips call at, daily trains):")
    for cal in sorted({r["calendar"] for r in res.trips if r["calendar"].endswith("-daily")}):
        for s in services:
            h = peak_headway(res.trips, s, cal)
            for d, v in h.items():
                lines.append(
                    f"  {cal} {s.id:30} {d:8} headway_min {s.headway_min:g}: {v['trips']} trips, at {v['station']} "
                    f"first {v['first']} last {v['last']} (mean gap {v['day_gap']}), {v['peak_departures']} in 07-10, "
                    f"median gap {v['median_gap']}"
                )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gdic", help="judge_result.json of RCFDark/GDIC-Time-Table")
    ap.add_argument("--metroplan", help="folder data/车次信息 of Fo-mal-Haut/MetroPlan")
    ap.add_argument("--services", required=True, help="services TOML (rail/intercity_services.toml)")
    ap.add_argument("--out-dir", help="write intercity_trips.csv and intercity_calendars.csv here")
    ap.add_argument("--write", help="comma-separated sources whose trips are written (default: all read)")
    a = ap.parse_args(argv)
    try:
        if not a.gdic and not a.metroplan:
            raise InputError("give --gdic and/or --metroplan")
        trains, problems = [], []
        if a.metroplan:
            t, problems = read_metroplan(a.metroplan)
            trains += t
        if a.gdic:
            trains += read_gdic(a.gdic)
        services = read_services(a.services)
        names = read_names()
        res = build(trains, names, services)
        if a.write and not set(a.write.split(",")) <= set(SOURCES):
            raise InputError(f"--write {a.write}: name sources among {', '.join(SOURCES)}")
        res.problems[:0] = problems
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(report(res, services, trains, names))
    if a.out_dir:
        write = set(a.write.split(",")) if a.write else {t.source for t in trains}
        prefixes = tuple(SOURCES[w]["calendar_prefix"] + "-" for w in write)
        trips = [r for r in res.trips if r["calendar"].startswith(prefixes)]
        cals = {k: v for k, v in res.calendars.items() if k.startswith(prefixes)}
        for name, text in (("intercity_trips.csv", trips_csv(trips)),
                           ("intercity_calendars.csv", calendars_csv(cals))):
            tmp = os.path.join(a.out_dir, name + ".tmp")
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.replace(tmp, os.path.join(a.out_dir, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
