#!/usr/bin/env python3
"""Derive metro run and dwell times from the Guangzhou Metro station timetables.

Source data
-----------
GitHub repository gzmtrtime/gzmtrtime.github.io (a static copy of the station timetables that
Guangzhou Metro publishes for its lines, the Guangfo Line and Foshan Metro Lines 2 and 3),
commit e28dbc9fd5db40143a2bd3698f4bc68576227327:

* data/station-meta.json ("version": 20251102): every line with its stations in order; each
  station has a "stationNo", which is also the name of its timetable file;
* data/sta/<stationNo>.json: every departure from that station, grouped by line ("lineId") and
  direction ("upDown", "0"/"1"). One record is one train on one leg:
  time1 = arrival at oriStation, time2 = departure from oriStation, time3 = arrival at
  desStation (the next station), in seconds after midnight.

Method
------
For each line, direction and leg (oriStation -> desStation):
  run   = time3 - time2   (departure here -> arrival at the next station; the model's run_min)
  dwell = time2 - time1   (at oriStation)
and the value used is the most frequent one over all records of that leg (ties: the smaller).
Where the extract has records of only every other station of a stretch (each leg then in one
direction), LineTimetable.complete() uses a leg's run in the other direction for the missing
one and, at stations without records, the line's most frequent dwell (or --fill-dwell seconds,
e.g. the dwell of the plain stations copied when mostly interchanges were copied); the `stops`
command lists what it filled.
A model service may skip stations; its run between two of its stops A and B is the timetable
time from departure at A to arrival at B (the runs of the legs between plus the dwells at the
stations passed). The model uses one run time for both directions (directions = "both"), so
run_min is the mean of the two directions, and so is a stop's dwell_min. Minutes are rounded
to 0.01.

Input: a directory of station files (as in data/sta/, whole files or excerpts with the same
structure) or a CSV extract with the columns lineId,upDown,oriStation,desStation,trainNo,
time1,time2,time3 (lines starting with '#' are comments); station order from station-meta.json
or from a CSV extract lineId,stationNo,cname,ename.

Usage (from the repository root)
--------------------------------
  python3 networks/guangzhou/tools/metro_timetable.py legs --line 60 \
      --records networks/guangzhou/tools/fixtures/gzmtrtime_extract.csv \
      --meta networks/guangzhou/tools/fixtures/gzmtrtime_meta_extract.csv
      -> one row per leg: run and dwell in seconds for each direction, run_min and dwell_min
  python3 networks/guangzhou/tools/metro_timetable.py stops --line 60 --service gz-metro-guangfo-main \
      --records ... --meta ... --network networks/guangzhou
      -> the `stops = [...]` block for that service (model station ids matched by Chinese name),
         with the service dwell, end-to-end minutes per direction and the model's old total
  python3 networks/guangzhou/tools/metro_timetable.py between --line 60 --from 同济路 --to 西塱 ...
      -> timetable minutes from departure at one station to arrival at another, both directions
"""

import argparse
import csv
import json
import os
import sys
import tomllib
from collections import Counter, defaultdict

# Spelling differences between the timetable's station names and the network's name_zh.
NAME_ALIASES = {
    "虫雷岗": "𧒽岗",   # the timetable writes the rare character 𧒽 as two characters
}


def _norm(name):
    name = name.strip()
    return NAME_ALIASES.get(name, name)


class Record:
    __slots__ = ("line", "updown", "ori", "des", "train", "t1", "t2", "t3")

    def __init__(self, line, updown, ori, des, train, t1, t2, t3):
        self.line, self.updown, self.ori, self.des, self.train = line, updown, ori, des, train
        # a few records write the seconds as "86724.0"
        self.t1, self.t2, self.t3 = (int(float(t)) for t in (t1, t2, t3))

    @property
    def run(self):
        return self.t3 - self.t2

    @property
    def dwell(self):
        return self.t2 - self.t1


def load_records_dir(path):
    """Records from a directory of data/sta/<stationNo>.json files (whole or excerpts)."""
    out = []
    for fname in sorted(os.listdir(path)):
        if not fname.endswith(".json"):
            continue
        with open(os.path.join(path, fname), encoding="utf-8") as f:
            data = json.load(f)
        for line, dirs in data.items():
            for updown, recs in dirs.items():
                for r in recs:
                    out.append(Record(r["lineId"], r["upDown"], r["oriStation"], r["desStation"],
                                      r["trainNo"], r["time1"], r["time2"], r["time3"]))
    return out


def _csv_rows(path):
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f if ln.strip() and not ln.startswith("#")]
    return csv.DictReader(lines)


def load_records_csv(path):
    return [Record(r["lineId"], r["upDown"], r["oriStation"], r["desStation"], r["trainNo"],
                   r["time1"], r["time2"], r["time3"]) for r in _csv_rows(path)]


def load_records(path):
    return load_records_dir(path) if os.path.isdir(path) else load_records_csv(path)


def load_meta(path):
    """{lineId: [(stationNo, cname), ...]} in the line's order."""
    lines = defaultdict(list)
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for ln in data["lines"]:
            for s in ln["stationList"]:
                lines[ln["id"]].append((s["stationNo"], s["cname"]))
    else:
        for r in _csv_rows(path):
            lines[r["lineId"]].append((r["stationNo"], r["cname"]))
    return dict(lines)


def mode(values):
    """Most frequent value; ties go to the smaller value."""
    c = Counter(values)
    best = max(c.values())
    return min(v for v, n in c.items() if n == best)


class LineTimetable:
    """Modal run and dwell per leg and direction for one line."""

    def __init__(self, records, line):
        runs, dwells, nexts = defaultdict(list), defaultdict(list), defaultdict(list)
        for r in records:
            if r.line != line:
                continue
            runs[(r.updown, r.ori, r.des)].append(r.run)
            dwells[(r.updown, r.ori)].append(r.dwell)
            nexts[(r.updown, r.ori)].append(r.des)
        self.line = line
        self.run = {k: mode(v) for k, v in runs.items()}
        self.dwell = {k: mode(v) for k, v in dwells.items()}
        # the next station of each station and direction: the most frequent desStation (a few
        # early-morning records of some stations name a station further on)
        self.next = {k: Counter(v).most_common(1)[0][0] for k, v in nexts.items()}

    def complete(self, order, fill_dwell=None):
        """Fill legs and dwells that the records lack, using the line's station order (a list of
        stationNo). Used when an extract holds only every other station of a stretch: the station
        files then give each leg in one direction only (station k gives k -> k+1 in one
        direction and k -> k-1 in the other). A leg missing in one direction takes the run of
        the same leg in the other direction; a station without records of its own takes its
        dwell from the other direction, else fill_dwell (seconds) if given, else the line's most
        frequent dwell among the records (which over-weights interchanges if mostly those were
        copied). Legs missing in both directions stay missing. Returns the list of filled items
        (for the report)."""
        filled = []
        fwd_votes = Counter()
        pos = {no: i for i, no in enumerate(order)}
        for (u, a, b) in self.run:
            if a in pos and b in pos:
                fwd_votes[u] += 1 if pos[b] > pos[a] else -1
        if not fwd_votes:
            return filled
        fu = "0" if fwd_votes["0"] >= fwd_votes["1"] else "1"
        bu = "1" if fu == "0" else "0"
        if fill_dwell is not None:
            line_dwell = fill_dwell
        else:
            line_dwell = mode(list(self.dwell.values())) if self.dwell else 0
        for a, b in zip(order, order[1:]):
            f, k = self.run.get((fu, a, b)), self.run.get((bu, b, a))
            if f is None and k is not None and (fu, a) not in self.next:
                self.run[(fu, a, b)] = k
                self.next[(fu, a)] = b
                filled.append(f"run {a}->{b} (upDown {fu}) = {k} s from the other direction")
            if k is None and f is not None and (bu, b) not in self.next:
                self.run[(bu, b, a)] = f
                self.next[(bu, b)] = a
                filled.append(f"run {b}->{a} (upDown {bu}) = {f} s from the other direction")
        for no in order:
            for u, o in ((fu, bu), (bu, fu)):
                if (u, no) in self.dwell:
                    continue
                if (o, no) in self.dwell:
                    self.dwell[(u, no)] = self.dwell[(o, no)]
                    filled.append(f"dwell at {no} (upDown {u}) = {self.dwell[(o, no)]} s "
                                  "from the other direction")
                else:
                    self.dwell[(u, no)] = line_dwell
                    filled.append(f"dwell at {no} (upDown {u}) = {line_dwell} s, "
                                  + ("given" if fill_dwell is not None
                                     else "the line's most frequent dwell"))
        return filled

    def seconds(self, a, b):
        """Departure at a -> arrival at b along whichever direction reaches b from a; None if
        a leg is missing. Returns (seconds, updown)."""
        for updown in ("0", "1"):
            t, cur, seen = 0, a, set()
            while (updown, cur) in self.next and cur not in seen:
                seen.add(cur)
                nxt = self.next[(updown, cur)]
                if cur != a:
                    t += self.dwell[(updown, cur)]
                t += self.run[(updown, cur, nxt)]
                if nxt == b:
                    return t, updown
                cur = nxt
        return None, None


def minutes(sec):
    return round(sec / 60.0, 2)


def fmt_min(x):
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return s if s else "0"


def cmd_legs(args):
    meta = load_meta(args.meta)
    tt = LineTimetable(load_records(args.records), args.line)
    order = meta[args.line]
    print("from,to,run_s_fwd,run_s_back,run_min,dwell_s_at_from")  # dwell: upDown 0 / upDown 1
    for (a, an), (b, bn) in zip(order, order[1:]):
        f = tt.run.get(("0", a, b), tt.run.get(("1", a, b)))
        k = tt.run.get(("1", b, a), tt.run.get(("0", b, a)))
        vals = [v for v in (f, k) if v is not None]
        run_min = fmt_min(minutes(sum(vals) / len(vals))) if vals else ""
        da = [tt.dwell.get((u, a)) for u in ("0", "1") if tt.dwell.get((u, a)) is not None]
        print(f"{an},{bn},{'' if f is None else f},{'' if k is None else k},{run_min},"
              f"{'/'.join(str(d) for d in da)}")
    return 0


def load_network_names(network_dir):
    """{station id: name_zh} from every stations CSV below network_dir/metro."""
    names = {}
    mdir = os.path.join(network_dir, "metro")
    for fname in sorted(os.listdir(mdir)):
        if fname.endswith("_stations.csv"):
            with open(os.path.join(mdir, fname), encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    names[r["id"]] = r["name_zh"]
    return names


def load_service(network_dir, service_id):
    mdir = os.path.join(network_dir, "metro")
    for fname in sorted(os.listdir(mdir)):
        if fname.endswith("_services.toml"):
            with open(os.path.join(mdir, fname), "rb") as f:
                for s in tomllib.load(f).get("service", []):
                    if s["id"] == service_id:
                        return s
    raise SystemExit(f"service {service_id} not found under {mdir}")


def stops_block(tt, meta_line, stop_ids, names):
    """Build the stops of a service from the timetable.
    Returns (lines of TOML, default dwell_min, end-to-end minutes forward, backward)."""
    by_name = {_norm(cn): no for no, cn in meta_line}
    nos = []
    for sid in stop_ids:
        nm = _norm(names[sid])
        if nm not in by_name:
            raise SystemExit(f"{sid} ({names[sid]}) is not on line {tt.line} in the meta file")
        nos.append(by_name[nm])
    runs, dwells = [], []
    for a, b in zip(nos, nos[1:]):
        f, uf = tt.seconds(a, b)
        k, uk = tt.seconds(b, a)
        if f is None or k is None:
            raise SystemExit(f"timetable lacks a leg between {a} and {b} (forward {f}, back {k})")
        runs.append((f, k))
    for no in nos[1:-1]:
        ds = [tt.dwell[(u, no)] for u in ("0", "1") if (u, no) in tt.dwell]
        dwells.append(sum(ds) / len(ds))
    dwell_mins = [minutes(d) for d in dwells]
    default = mode(dwell_mins) if dwell_mins else 0.5
    out = [f'  {{ at = "{stop_ids[0]}" }},']
    for i, sid in enumerate(stop_ids[1:], start=1):
        f, k = runs[i - 1]
        run_min = minutes((f + k) / 2.0)
        extra = ""
        if i < len(stop_ids) - 1 and dwell_mins[i - 1] != default:
            extra = f", dwell_min = {fmt_min(dwell_mins[i - 1])}"
        out.append(f'  {{ at = "{sid}", run_min = {fmt_min(run_min)}{extra} }},')
    fwd = sum(f for f, _ in runs) + sum(
        tt.dwell[(tt.seconds(n, nos[-1])[1], n)] for n in nos[1:-1])
    back = sum(k for _, k in runs) + sum(
        tt.dwell[(tt.seconds(n, nos[0])[1], n)] for n in nos[1:-1])
    return out, default, minutes(fwd), minutes(back)


def model_total(stops, dwell_default):
    """End-to-end minutes of a service as the model computes it (runs + intermediate dwells).
    Stops given by km only are not counted (the caller is told)."""
    t = 0.0
    for i, s in enumerate(stops):
        if i > 0:
            t += s.get("run_min", 0.0)
        if 0 < i < len(stops) - 1:
            t += s.get("dwell_min", dwell_default)
    return round(t, 2)


def cmd_stops(args):
    meta = load_meta(args.meta)
    tt = LineTimetable(load_records(args.records), args.line)
    filled = tt.complete([no for no, _ in meta[args.line]], args.fill_dwell)
    names = load_network_names(args.network)
    svc = load_service(args.network, args.service)
    stop_ids = [s["at"] for s in svc["stops"]]
    lines, default, fwd, back = stops_block(tt, meta[args.line], stop_ids, names)
    print(f"# {args.service}: dwell_min = {fmt_min(default)} (default at intermediate stops)")
    print(f"# timetable end to end: {fmt_min(fwd)} min ({names[stop_ids[0]]} -> "
          f"{names[stop_ids[-1]]}), {fmt_min(back)} min (back)")
    print(f"# model before: {fmt_min(model_total(svc['stops'], svc.get('dwell_min', 0.5)))} min")
    nos = {_norm(cn): no for no, cn in meta[args.line]}
    served = {nos.get(_norm(names[s])) for s in stop_ids}
    for item in filled:
        if any(f" {no}" in item or f"{no}->" in item for no in served):
            print(f"# filled: {item}")
    print("stops = [")
    print("\n".join(lines))
    print("]")
    return 0


def cmd_between(args):
    meta = load_meta(args.meta)
    tt = LineTimetable(load_records(args.records), args.line)
    tt.complete([no for no, _ in meta[args.line]], args.fill_dwell)
    by_name = {_norm(cn): no for no, cn in meta[args.line]}
    a, b = by_name[_norm(args.from_)], by_name[_norm(args.to)]
    f, _ = tt.seconds(a, b)
    k, _ = tt.seconds(b, a)
    print(f"{args.from_} -> {args.to}: {fmt_min(minutes(f))} min; "
          f"{args.to} -> {args.from_}: {fmt_min(minutes(k))} min")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("--line", required=True, help="lineId in the timetable, e.g. 60 (Guangfo)")
        sp.add_argument("--records", required=True,
                        help="directory of data/sta/*.json files, or a CSV extract")
        sp.add_argument("--meta", required=True,
                        help="data/station-meta.json, or a CSV extract lineId,stationNo,cname,ename")
        sp.add_argument("--fill-dwell", type=int, default=None,
                        help="dwell in seconds for stations without records (default: the line's "
                             "most frequent dwell among the records)")

    sp = sub.add_parser("legs", help="run and dwell per leg")
    common(sp)
    sp.set_defaults(func=cmd_legs)
    sp = sub.add_parser("stops", help="stops block of a model service")
    common(sp)
    sp.add_argument("--service", required=True)
    sp.add_argument("--network", required=True, help="networks/guangzhou")
    sp.set_defaults(func=cmd_stops)
    sp = sub.add_parser("between", help="minutes between two stations of a line")
    common(sp)
    sp.add_argument("--from", dest="from_", required=True)
    sp.add_argument("--to", required=True)
    sp.set_defaults(func=cmd_between)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
