#!/usr/bin/env python3
"""Metro headway bands by period from the Guangzhou Metro station timetables.

Source data
-----------
GitHub repository gzmtrtime/gzmtrtime.github.io, commit e28dbc9fd5db40143a2bd3698f4bc68576227327
(the data set metro_timetable.py reads; see its docstring): data/sta/<stationNo>.json holds every
departure from that station, grouped by line ("lineId") and direction ("upDown"); a record's
time2 is the departure in seconds after midnight, trainNoStationC the train's terminus, desStation
the next station it stops at and trainNo its number (Line 18 express trains are numbered K...).
The data set does not say which day type it holds; data/station-meta.json has "version": 20251102
(a Sunday) and no line has a morning peak, so it is taken as the weekend timetable.

Input
-----
* a directory of whole data/sta/*.json files: each file is one "window" that covers all of its
  sections from the first departure to the last; or
* a CSV extract (lines starting with '#' are comments) with the columns
  window,lineId,upDown,oriStation,desStation,trainNo,terminus,time2 — consecutive runs of records
  copied from a station file, each run one window — and a windows CSV
  window,file,offset,starts_section,ends_section saying which windows begin at the first
  departure of their section and which reach its last departure (true/false);
* a spec CSV service,direction,lineId,upDown,oriStation,terminus,train_prefix,exclude_prefix,
  fallback,mirror: which departures are a service's first-stop departures in one direction
  (terminus and the prefixes are optional filters, several terminus names separated by '|').
  fallback names another spec row (service:direction) whose figures fill this row's periods
  without copied departures and its last departure when no window reaches the section end;
  mirror names a row whose bands this row copies (no departures of its own).

Method
------
Periods: first departure-07:00, 07:00-09:00, 09:00-17:00, 17:00-19:30, 19:30-22:00,
22:00-last departure. The headway of a period is the mean interval between consecutive selected
departures of one window whose earlier departure lies in the period (intervals never span two
windows, so a gap between copied runs is never taken for a headway), in minutes to 0.1. A period
without such an interval takes the fallback row's headway for it, else the headway of the nearest
period of the same row that has one (earlier first) — both said in the band's source as estimates.
The first departure is the earliest selected departure of a window that starts its section, the
last the latest of a window that ends it. Each period within [first, last] gives one band: start =
max(period start, first departure), end = min(period end, last departure + 1 s), exact = false.

Weekday bands (--calendar-weekday) are estimates: the same first and last departures and
off-peak headways, and in the two peaks (07:00-09:00, 17:00-19:30) the service's headway_min
(its typical weekday peak headway, with its own source in the services file) where that is
shorter than the weekend figure.

Usage (from the repository root)
--------------------------------
  python3 networks/guangzhou/tools/metro_bands.py \\
      --records networks/guangzhou/tools/fixtures/gzmtrtime_departures.csv \\
      --windows networks/guangzhou/tools/fixtures/gzmtrtime_windows.csv \\
      --spec networks/guangzhou/tools/metro_bands_spec.csv \\
      --network networks/guangzhou --services gz-metro-7-main,... \\
      --calendar-weekend metro-weekend --calendar-weekday metro-weekday
      -> bands CSV rows on stdout (with the header), a summary per row on stderr
Bad input is reported with its file and line and exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tomllib
from dataclasses import dataclass, field

COMMIT = "e28dbc9fd5db40143a2bd3698f4bc68576227327"
DAY = 86400
# (name, start, end) in seconds; None = the first / last departure
PERIODS = [
    ("first-07:00", None, 7 * 3600),
    ("07:00-09:00", 7 * 3600, 9 * 3600),
    ("09:00-17:00", 9 * 3600, 17 * 3600),
    ("17:00-19:30", 17 * 3600, 19 * 3600 + 1800),
    ("19:30-22:00", 19 * 3600 + 1800, 22 * 3600),
    ("22:00-last", 22 * 3600, None),
]
PEAKS = {"07:00-09:00", "17:00-19:30"}


class InputError(Exception):
    """Bad input: the message names the file, the line and the fix."""


@dataclass
class Dep:
    window: str
    line: str
    updown: str
    ori: str
    des: str
    train: str
    terminus: str
    time: int


@dataclass
class Window:
    name: str
    file: str
    starts: bool
    ends: bool


@dataclass
class Spec:
    service: str
    direction: str
    line: str
    updown: str
    ori: str
    terminus: set[str]
    train_prefix: str
    exclude_prefix: str
    fallback: str
    mirror: str
    where: str

    @property
    def key(self) -> str:
        return f"{self.service}:{self.direction}"


@dataclass
class Result:
    spec: Spec
    first: int
    last: int
    last_from: str  # "" or the fallback key the last departure came from
    headway: dict[str, float] = field(default_factory=dict)  # period -> minutes
    count: dict[str, int] = field(default_factory=dict)  # period -> intervals copied
    filled: dict[str, str] = field(default_factory=dict)  # period -> how it was filled
    windows: list[str] = field(default_factory=list)


def clock(t: int) -> str:
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}" if t % 60 else \
        f"{t // 3600:02d}:{t % 3600 // 60:02d}"


def _rows(path: str) -> list[tuple[int, dict[str, str]]]:
    """CSV rows with their line numbers; '#' lines are comments."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}); fix: give an existing CSV file")
    numbered = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#")]
    if not numbered:
        raise InputError(f"{path}: no header; fix: add the header row")
    reader = csv.reader([ln for _, ln in numbered])
    header = next(reader)
    out = []
    for (no, _), vals in zip(numbered[1:], reader):
        if len(vals) != len(header):
            raise InputError(f"{path}:{no}: {len(vals)} fields, the header has {len(header)}; "
                             "fix: one value per column")
        out.append((no, dict(zip(header, vals))))
    return out


def _need(path: str, rows: list[tuple[int, dict[str, str]]], cols: list[str]) -> None:
    if rows:
        missing = [c for c in cols if c not in rows[0][1]]
        if missing:
            raise InputError(f"{path}:1: missing column(s) {', '.join(missing)}; "
                             f"fix: the header must have {','.join(cols)}")


def _bool(path: str, no: int, col: str, v: str) -> bool:
    if v in ("true", "false"):
        return v == "true"
    raise InputError(f"{path}:{no}: column {col}: '{v}' is not true or false; fix: write true or false")


def _int(path: str, no: int, col: str, v: str) -> int:
    try:
        t = int(float(v))  # a few records write the seconds as "86724.0"
    except ValueError:
        raise InputError(f"{path}:{no}: column {col}: '{v}' is not a number of seconds; "
                         "fix: write the seconds after midnight")
    if not 0 <= t < 2 * DAY:
        raise InputError(f"{path}:{no}: column {col}: {t} is outside 0..172799; "
                         "fix: seconds after midnight of the service day")
    return t


def load_extract(records: str, windows: str) -> tuple[list[Dep], dict[str, Window]]:
    wrows = _rows(windows)
    _need(windows, wrows, ["window", "file", "starts_section", "ends_section"])
    wins: dict[str, Window] = {}
    for no, r in wrows:
        if r["window"] in wins:
            raise InputError(f"{windows}:{no}: window {r['window']} listed twice; fix: list it once")
        wins[r["window"]] = Window(r["window"], r["file"],
                                   _bool(windows, no, "starts_section", r["starts_section"]),
                                   _bool(windows, no, "ends_section", r["ends_section"]))
    drows = _rows(records)
    _need(records, drows, ["window", "lineId", "upDown", "oriStation", "desStation", "trainNo",
                           "terminus", "time2"])
    deps = []
    last_t: dict[str, int] = {}
    for no, r in drows:
        if r["window"] not in wins:
            raise InputError(f"{records}:{no}: window '{r['window']}' is not in {windows}; "
                             "fix: add it there with its file and section flags")
        t = _int(records, no, "time2", r["time2"])
        key = r["window"] + "|" + r["lineId"] + "|" + r["upDown"]
        if key in last_t and t < last_t[key]:
            raise InputError(f"{records}:{no}: departure {clock(t)} is before the previous one of "
                             f"window {r['window']} ({clock(last_t[key])}); fix: keep each window "
                             "in the station file's order")
        last_t[key] = t
        deps.append(Dep(r["window"], r["lineId"], r["upDown"], r["oriStation"], r["desStation"],
                        r["trainNo"], r["terminus"], t))
    return deps, wins


def load_json_dir(path: str) -> tuple[list[Dep], dict[str, Window]]:
    """Whole data/sta/<stationNo>.json files: one window per file covering every section."""
    deps, wins = [], {}
    for fname in sorted(os.listdir(path)):
        if not fname.endswith(".json"):
            continue
        full = os.path.join(path, fname)
        try:
            with open(full, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise InputError(f"{full}: not a readable JSON station file ({e}); "
                             "fix: download data/sta/<stationNo>.json again")
        name = fname[:-5]
        wins[name] = Window(name, f"data/sta/{fname}", True, True)
        for line, dirs in data.items():
            for updown, recs in dirs.items():
                for i, r in enumerate(recs):
                    try:
                        deps.append(Dep(name, r["lineId"], r["upDown"], r["oriStation"],
                                        r["desStation"], r["trainNo"], r["trainNoStationC"],
                                        _int(full, i + 1, "time2", r["time2"])))
                    except KeyError as e:
                        raise InputError(f"{full}: line {line} upDown {updown} record {i + 1} "
                                         f"lacks {e}; fix: use the station file as published")
    return deps, wins


def load_spec(path: str) -> list[Spec]:
    rows = _rows(path)
    cols = ["service", "direction", "lineId", "upDown", "oriStation", "terminus", "train_prefix",
            "exclude_prefix", "fallback", "mirror"]
    _need(path, rows, cols)
    out, seen = [], set()
    for no, r in rows:
        if r["direction"] not in ("forward", "backward"):
            raise InputError(f"{path}:{no}: direction '{r['direction']}'; fix: forward or backward")
        s = Spec(r["service"], r["direction"], r["lineId"], r["upDown"], r["oriStation"],
                 {t for t in r["terminus"].split("|") if t}, r["train_prefix"],
                 r["exclude_prefix"], r["fallback"], r["mirror"], f"{path}:{no}")
        if s.key in seen:
            raise InputError(f"{path}:{no}: {s.key} listed twice; fix: one row per service direction")
        if not s.mirror and not (s.line and s.updown and s.ori):
            raise InputError(f"{path}:{no}: {s.key} has neither lineId/upDown/oriStation nor mirror; "
                             "fix: say which departures it runs, or which row it mirrors")
        seen.add(s.key)
        out.append(s)
    keys = {s.key for s in out}
    for s in out:
        for ref in (s.fallback, s.mirror):
            if ref and ref not in keys:
                raise InputError(f"{s.where}: {s.key} refers to {ref}, which is not a row; "
                                 "fix: write service:direction of another row")
    return out


def selected(spec: Spec, deps: list[Dep]) -> list[Dep]:
    out = []
    for d in deps:
        if (d.line, d.updown, d.ori) != (spec.line, spec.updown, spec.ori):
            continue
        if spec.terminus and d.terminus not in spec.terminus:
            continue
        if spec.train_prefix and not d.train.startswith(spec.train_prefix):
            continue
        if spec.exclude_prefix and d.train.startswith(spec.exclude_prefix):
            continue
        out.append(d)
    return out


def period_of(t: int) -> str:
    for name, a, b in PERIODS:
        if (a is None or t >= a) and (b is None or t < b):
            return name
    raise AssertionError(t)


def analyse(spec: Spec, deps: list[Dep], wins: dict[str, Window]) -> Result:
    """First and last departure and the copied intervals of each period (before any filling)."""
    sel = selected(spec, deps)
    if not sel:
        raise InputError(f"{spec.where}: no departures of line {spec.line} upDown {spec.updown} "
                         f"from station {spec.ori} match {spec.key}; fix: copy its departures into "
                         "the extract or correct the filters")
    by_window: dict[str, list[int]] = {}
    for d in sel:
        by_window.setdefault(d.window, []).append(d.time)
    starts = [min(ts) for w, ts in by_window.items() if wins[w].starts]
    ends = [max(ts) for w, ts in by_window.items() if wins[w].ends]
    if not starts:
        raise InputError(f"{spec.where}: no window of {spec.key} starts its section, so the first "
                         "departure is not known; fix: copy the section's first departures")
    sums: dict[str, list[int]] = {}
    for ts in by_window.values():
        ts = sorted(ts)
        for a, b in zip(ts, ts[1:]):
            sums.setdefault(period_of(a), []).append(b - a)
    res = Result(spec, min(starts), max(ends) if ends else -1, "", windows=sorted(by_window))
    for name, _, _ in PERIODS:
        iv = sums.get(name, [])
        res.count[name] = len(iv)
        if iv:
            res.headway[name] = round(sum(iv) / len(iv) / 60.0, 1)
    return res


def fill(results: dict[str, Result]) -> None:
    """Fill periods without copied intervals and missing last departures (fallback, then the
    nearest period of the same row)."""
    # rows without a fallback first, so that a fallback's own filled periods can be used
    for res in sorted(results.values(), key=lambda r: bool(r.spec.fallback)):
        fb = results.get(res.spec.fallback) if res.spec.fallback else None
        if fb is not None and fb.spec.fallback:
            raise InputError(f"{res.spec.where}: {res.spec.key} falls back on {fb.spec.key}, which "
                             "has a fallback itself; fix: fall back on a row with its own departures")
        if res.last < 0:
            if fb is None or fb.last < 0:
                raise InputError(f"{res.spec.where}: no window of {res.spec.key} reaches its last "
                                 "departure and no fallback row gives one; fix: copy the section's "
                                 "last departures or name a fallback")
            res.last, res.last_from = fb.last, fb.spec.key
        names = [p for p, _, _ in PERIODS]
        own = dict(res.headway)
        for i, name in enumerate(names):
            if name in own:
                continue
            if fb is not None:
                res.headway[name] = fb.headway[name]
                res.filled[name] = (f"from {fb.spec.key} (same period"
                                    + (")" if fb.count.get(name) else f", itself {fb.filled[name]})"))
                continue
            order = [names[j] for j in range(i - 1, -1, -1)] + names[i + 1:]
            near = next((n for n in order if n in own), None)
            if near is None:
                raise InputError(f"{res.spec.where}: {res.spec.key} has no copied interval in any "
                                 "period; fix: copy at least two consecutive departures")
            res.headway[name] = own[near]
            res.filled[name] = f"from its own {near} (no departures copied in this period)"


def bands_of(res: Result) -> list[tuple[int, int, float, str]]:
    """(start, end, headway_min, period) of one row."""
    out = []
    for name, a, b in PERIODS:
        s = res.first if a is None else max(a, res.first)
        e = res.last + 1 if b is None else min(b, res.last + 1)
        if s < e:
            out.append((s, e, res.headway[name], name))
    return out


def load_headways(network: str) -> dict[str, float]:
    """{service id: headway_min} of every services file below network/metro."""
    mdir = os.path.join(network, "metro")
    out = {}
    for fname in sorted(os.listdir(mdir)):
        if fname.endswith("_services.toml"):
            with open(os.path.join(mdir, fname), "rb") as f:
                for s in tomllib.load(f).get("service", []):
                    out[s["id"]] = float(s["headway_min"])
    return out


def fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def source_text(res: Result, wins: dict[str, Window], period: str, weekday: bool,
                headway_min: float | None, used_peak: bool) -> str:
    s = res.spec
    files = sorted({wins[w].file for w in res.windows})
    base = (f"GZ Metro station timetable, gzmtrtime/gzmtrtime.github.io commit {COMMIT[:7]} "
            f"{' '.join(files)} (line {s.line} upDown {s.updown}"
            + (f", terminus {'/'.join(sorted(s.terminus))}" if s.terminus else "")
            + (f", trains {s.train_prefix}*" if s.train_prefix else "")
            + (f", trains not {s.exclude_prefix}*" if s.exclude_prefix else "")
            + "); weekend timetable (see calendars.csv)")
    est = not res.count.get(period) or (period == "22:00-last" and bool(res.last_from))
    if res.count.get(period):
        how = f"mean of {res.count[period]} intervals copied in {period}"
    else:
        how = f"no departures copied in {period}, headway {res.filled[period]}"
    if period == "22:00-last" and res.last_from:
        how += f"; last departure from {res.last_from}"
    text = (("estimate: " if est else "")
            + f"{base}: {how}; networks/guangzhou/tools/metro_bands.py")
    if weekday:
        if used_peak:
            return (f"estimate: weekday peak = the service's headway_min {fmt(headway_min)} "
                    "(its typical peak headway, see its headway_source in the services file; the "
                    "data set has no weekday timetable), shorter than the weekend "
                    f"{fmt(res.headway[period])}; first/last departure as {base}")
        return ("estimate: weekday assumed as the weekend (no weekday timetable in the data set); "
                + text.removeprefix("estimate: "))
    return text


def rows_for(res: Result, wins: dict[str, Window], cal_we: str, cal_wd: str | None,
             headways: dict[str, float], mirror_of: Result | None = None) -> list[list[str]]:
    out = []
    src_res = mirror_of or res
    for cal, weekday in ((cal_we, False), (cal_wd, True)):
        if not cal:
            continue
        for s, e, h, period in bands_of(src_res):
            hm = headways.get(res.spec.service)
            used_peak = weekday and period in PEAKS and hm is not None and hm < h
            text = source_text(src_res, wins, period, weekday, hm, used_peak)
            if mirror_of is not None:
                text = (f"estimate: mirrored from {mirror_of.spec.key} (no departures of this "
                        f"direction copied; same periods, first and last departure); {text}")
            out.append([res.spec.service, cal, res.spec.direction, clock(s), clock(e),
                        fmt(hm if used_peak else h), "false", text])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", required=True, help="CSV extract, or a directory of data/sta/*.json")
    ap.add_argument("--windows", help="windows CSV (with a CSV extract)")
    ap.add_argument("--spec", required=True)
    ap.add_argument("--network", help="networks/guangzhou (headway_min for weekday peaks)")
    ap.add_argument("--services", default="", help="only these services (comma-separated)")
    ap.add_argument("--calendar-weekend", required=True)
    ap.add_argument("--calendar-weekday", default="")
    ap.add_argument("--no-header", action="store_true")
    a = ap.parse_args(argv)
    try:
        if os.path.isdir(a.records):
            deps, wins = load_json_dir(a.records)
        else:
            if not a.windows:
                raise InputError(f"{a.records}: a CSV extract needs --windows; fix: give the windows CSV")
            deps, wins = load_extract(a.records, a.windows)
        specs = load_spec(a.spec)
        if a.calendar_weekday and not a.network:
            raise InputError("--calendar-weekday needs --network (the services' headway_min)")
        headways = load_headways(a.network) if a.network else {}
        results = {s.key: analyse(s, deps, wins) for s in specs if not s.mirror}
        fill(results)
        wanted = {x for x in a.services.split(",") if x}
        w = csv.writer(sys.stdout, lineterminator="\n")
        if not a.no_header:
            w.writerow(["service", "calendar", "direction", "start", "end", "headway_min", "exact",
                        "source"])
        for s in specs:
            if wanted and s.service not in wanted:
                continue
            if s.mirror:
                src = results.get(s.mirror)
                if src is None:
                    raise InputError(f"{s.where}: {s.key} mirrors {s.mirror}, itself a mirror; "
                                     "fix: mirror a row with departures")
                res = Result(s, src.first, src.last, src.last_from)
                rows = rows_for(res, wins, a.calendar_weekend, a.calendar_weekday, headways, src)
            else:
                res = results[s.key]
                rows = rows_for(res, wins, a.calendar_weekend, a.calendar_weekday, headways)
                print(f"{s.key}: first {clock(res.first)}, last {clock(res.last)}"
                      + (f" (from {res.last_from})" if res.last_from else "") + "; "
                      + ", ".join(f"{p} {fmt(res.headway[p])}"
                                  + ("" if res.count[p] else "*") for p, _, _ in PERIODS),
                      file=sys.stderr)
            w.writerows(rows)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
