#!/usr/bin/env python3
"""Prepare the Porto Alegre data for the ferrobus peer benchmark (Python 3.11, stdlib only).

Two things, both written under ``--out``:

1. ``feeds/<name>/``: each GTFS zip as a folder ferrobus accepts. ferrobus (0.2.1) parses every
   ``arrival_time``/``departure_time`` as ``HH:MM:SS`` and rejects the empty intermediate times
   that GTFS allows for non-timepoints (the EPTC feed leaves about 96 % of them empty). They are
   filled here the way the GTFS reference allows and exactly as onehour's importer does
   (``src/io/gtfs/trip_times.rs``, ``trip_times``), so both tools route on the same times:

   - a missing arrival takes the departure and vice versa;
   - each run of empty stops between two timed stops is interpolated linearly by distance: along
     ``shape_dist_traveled`` where the two timed ends and every stop between have it (and it
     grows), else along the straight lines (haversine, R = 6,371,008.8 m) between consecutive
     stops, or by stop count where all those stops coincide;
   - the time of an interpolated stop is rounded to the second (halves away from zero);
   - a trip whose first or last stop has no time cannot be interpolated: it is left out and
     counted.

   Every other file is copied unchanged (a UTF-8 byte-order mark, if any, dropped).

2. ``points.csv`` (``id,lon,lat``): the first ``--points`` cells of the hexagon grid, in file
   order, whose centre lies inside the extent of the OSM extract's nodes (the PBF header of
   ``poa_osm.pbf`` carries no bounding box, so the extent is read from its nodes). The same file
   is given to both tools.

``prepare.json`` beside them records the counts (stop times filled, trips left out, the extent,
the cells inside it). Usage::

    python3 prepare.py --fixtures tests/fixtures/porto-alegre --out WORK [--points 400]

Bad input is reported with the file, line and fix, exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

EARTH_RADIUS_M = 6_371_008.8
FEEDS = ("poa_eptc.zip", "poa_trensurb.zip")
OSM = "poa_osm.pbf"
GRID = "poa_hexgrid.csv"


class InputError(Exception):
    """Bad input: the message names the file, the line or record, and the fix."""


# --------------------------------------------------------------------------------------------
# Stop-time interpolation


def parse_time(text: str) -> int | None:
    """Seconds after midnight of a GTFS time (``H:MM:SS`` or ``HH:MM:SS``); None if empty."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"'{text}' is not a time HH:MM:SS")
    h, m, s = (int(p) for p in parts)
    if m > 59 or s > 59:
        raise ValueError(f"'{text}' is not a time HH:MM:SS")
    return h * 3600 + m * 60 + s


def format_time(secs: int) -> str:
    """``HH:MM:SS`` (hours past 24 kept), the only form ferrobus parses."""
    if not 0 <= secs < 100 * 3600:
        raise ValueError(f"{secs} s cannot be written HH:MM:SS")
    return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (the formula and radius of onehour's importer)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def round_half_away(x: float) -> int:
    """Round to the nearest integer, halves away from zero (Rust's ``f64::round``)."""
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def interpolate_trip(
    arrivals: list[int | None],
    departures: list[int | None],
    coords: list[tuple[float, float]],
    shape_dist: list[float | None],
) -> tuple[list[int], list[int], int]:
    """Fill the empty times of one trip (stops in ``stop_sequence`` order).

    ``coords`` are (lon, lat) of each stop, ``shape_dist`` its ``shape_dist_traveled`` or None.
    Returns (arrivals, departures, number of stops filled). Raises ValueError when the first or
    last stop has no time.
    """
    n = len(arrivals)
    if not (n == len(departures) == len(coords) == len(shape_dist)):
        raise ValueError("arrivals, departures, coords and shape_dist differ in length")
    if n == 0:
        raise ValueError("a trip without stop times")
    arr = [a if a is not None else d for a, d in zip(arrivals, departures)]
    dep = [d if d is not None else a for a, d in zip(arrivals, departures)]
    for i, what in ((0, "first"), (n - 1, "last")):
        if arr[i] is None:
            raise ValueError(f"no time at the trip's {what} stop")
    filled = 0
    i = 0
    while i < n:
        if arr[i] is not None:
            i += 1
            continue
        a = i - 1
        z = i
        while arr[z] is None:
            z += 1
        d = shape_dist[a : z + 1]
        if all(x is not None for x in d) and d[-1] > d[0]:
            cum = [x - d[0] for x in d]
        else:
            cum = [0.0]
            for k in range(a + 1, z + 1):
                cum.append(cum[-1] + haversine_m(*coords[k - 1], *coords[k]))
        total = cum[-1]
        t0, t1 = dep[a], arr[z]
        for k in range(a + 1, z):
            frac = cum[k - a] / total if total > 0 else (k - a) / (z - a)
            t = round_half_away(t0 + max(t1 - t0, 0) * frac)
            arr[k] = t
            dep[k] = t
            filled += 1
        i = z + 1
    return arr, dep, filled


def read_csv(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a GTFS file (UTF-8, an optional byte-order mark)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not UTF-8 ({e}) (fix: save the file as UTF-8)") from e
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise InputError(f"{name}: empty file (fix: give at least the header line)")
    return [h.strip() for h in rows[0]], rows[1:]


def fill_stop_times(
    stop_times: bytes, stops: bytes, feed: str
) -> tuple[str, dict[str, int]]:
    """The feed's ``stop_times.txt`` with every empty time filled, and counts."""
    s_head, s_rows = read_csv(stops, f"{feed}/stops.txt")
    for col in ("stop_id", "stop_lat", "stop_lon"):
        if col not in s_head:
            raise InputError(f"{feed}/stops.txt:1: no column {col} (fix: add it)")
    si, sla, slo = (s_head.index(c) for c in ("stop_id", "stop_lat", "stop_lon"))
    where: dict[str, tuple[float, float]] = {}
    for line, r in enumerate(s_rows, start=2):
        if not r:
            continue
        try:
            where[r[si]] = (float(r[slo]), float(r[sla]))
        except (ValueError, IndexError):
            # A stop without coordinates (an entrance, a node) may still exist; a stop time
            # that names it is reported below.
            continue

    head, rows = read_csv(stop_times, f"{feed}/stop_times.txt")
    for col in ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"):
        if col not in head:
            raise InputError(f"{feed}/stop_times.txt:1: no column {col} (fix: add it)")
    ti, ai, di, pi, qi = (
        head.index(c)
        for c in ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")
    )
    hi = head.index("shape_dist_traveled") if "shape_dist_traveled" in head else None

    trips: dict[str, list[tuple[int, int, list[str]]]] = {}
    for line, r in enumerate(rows, start=2):
        if not r:
            continue
        if len(r) != len(head):
            raise InputError(
                f"{feed}/stop_times.txt:{line}: {len(r)} fields, the header has {len(head)} "
                "(fix: give every row the header's fields)"
            )
        try:
            seq = int(r[qi])
        except ValueError:
            raise InputError(
                f"{feed}/stop_times.txt:{line}: field stop_sequence: '{r[qi]}' is not an "
                "integer (fix: number the stops of each trip)"
            ) from None
        trips.setdefault(r[ti], []).append((seq, line, r))

    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(head)
    counts = {"trips": 0, "trips_left_out": 0, "stop_times": 0, "filled": 0}
    for trip_id, calls in trips.items():
        calls.sort(key=lambda c: c[0])
        for (s1, l1, _), (s2, l2, _) in zip(calls, calls[1:]):
            if s1 == s2:
                raise InputError(
                    f"{feed}/stop_times.txt:{l2}: trip_id {trip_id}: stop_sequence {s2} "
                    f"repeats line {l1} (fix: give each stop of a trip its own sequence)"
                )
        arrs, deps, coords, dist = [], [], [], []
        for _, line, r in calls:
            try:
                arrs.append(parse_time(r[ai]))
                deps.append(parse_time(r[di]))
            except ValueError as e:
                raise InputError(
                    f"{feed}/stop_times.txt:{line}: trip_id {trip_id}: {e} "
                    "(fix: write times as HH:MM:SS)"
                ) from None
            if r[pi] not in where:
                raise InputError(
                    f"{feed}/stop_times.txt:{line}: stop_id '{r[pi]}' has no coordinates in "
                    "stops.txt (fix: add the stop with stop_lat and stop_lon)"
                )
            coords.append(where[r[pi]])
            v = r[hi].strip() if hi is not None else ""
            try:
                dist.append(float(v) if v else None)
            except ValueError:
                raise InputError(
                    f"{feed}/stop_times.txt:{line}: field shape_dist_traveled: '{v}' is not "
                    "a number (fix: give a distance or leave it empty)"
                ) from None
        try:
            arr, dep, filled = interpolate_trip(arrs, deps, coords, dist)
        except ValueError as e:
            print(
                f"warning: {feed}/stop_times.txt:{calls[0][1]}: trip_id {trip_id}: {e}; "
                "trip left out (fix: give times at its first and last stop)",
                file=sys.stderr,
            )
            counts["trips_left_out"] += 1
            continue
        counts["trips"] += 1
        counts["filled"] += filled
        for (_, _, r), a, d in zip(calls, arr, dep):
            r = list(r)
            r[ai] = format_time(a)
            r[di] = format_time(d)
            w.writerow(r)
            counts["stop_times"] += 1
    return out.getvalue(), counts


def prepare_feed(zip_path: Path, out_dir: Path) -> dict[str, int]:
    """Write ``zip_path`` as a folder under ``out_dir`` with its stop times filled."""
    feed = zip_path.stem
    try:
        z = zipfile.ZipFile(zip_path)
    except (OSError, zipfile.BadZipFile) as e:
        raise InputError(f"{zip_path}: cannot read the zip ({e}) (fix: give a GTFS zip)") from e
    with z:
        names = {Path(n).name: n for n in z.namelist() if n.endswith(".txt")}
        for need in ("stops.txt", "stop_times.txt", "trips.txt", "calendar.txt"):
            if need not in names:
                raise InputError(
                    f"{zip_path}: no {need} (fix: ferrobus needs stops, trips, stop_times "
                    "and calendar.txt)"
                )
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, member in names.items():
            if name == "stop_times.txt":
                continue
            data = z.read(member)
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            (out_dir / name).write_bytes(data)
        text, counts = fill_stop_times(
            z.read(names["stop_times.txt"]), z.read(names["stops.txt"]), feed
        )
        (out_dir / "stop_times.txt").write_text(text, encoding="utf-8", newline="")
    return counts


# --------------------------------------------------------------------------------------------
# The OSM extract's extent and the points


def _varint(b: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(b):
            raise ValueError("truncated varint")
        c = b[i]
        i += 1
        result |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return result, i


def _fields(b: bytes):
    """(field number, value) of a protobuf message: ints for varints, bytes otherwise."""
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(b, i)
        elif wire == 2:
            n, i = _varint(b, i)
            v, i = b[i : i + n], i + n
        elif wire == 1:
            v, i = b[i : i + 8], i + 8
        elif wire == 5:
            v, i = b[i : i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield num, v


def _int64(v: int) -> int:
    """A protobuf ``int64`` varint (two's complement) as a Python int."""
    return v - (1 << 64) if v >= 1 << 63 else v


def _zigzag(v: int) -> int:
    return (v >> 1) ^ -(v & 1)


def _packed_sint(b: bytes) -> list[int]:
    out, i = [], 0
    while i < len(b):
        v, i = _varint(b, i)
        out.append(_zigzag(v))
    return out


def osm_node_extent(pbf: Path) -> tuple[float, float, float, float, int]:
    """(min_lon, min_lat, max_lon, max_lat, nodes) over every node of an OSM PBF file.

    Reads the PBF format directly (blob headers, zlib or raw blobs, primitive blocks with their
    granularity and offsets, plain and dense nodes).
    """
    lo_min = la_min = math.inf
    lo_max = la_max = -math.inf
    count = 0
    data = pbf.read_bytes()
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise InputError(f"{pbf}: truncated at byte {pos} (fix: give a whole .osm.pbf)")
        (hlen,) = struct.unpack(">I", data[pos : pos + 4])
        pos += 4
        header = dict(_fields(data[pos : pos + hlen]))
        pos += hlen
        size = header.get(3)
        if not isinstance(size, int) or pos + size > len(data):
            raise InputError(f"{pbf}: bad blob header at byte {pos} (fix: give a whole .osm.pbf)")
        blob = dict(_fields(data[pos : pos + size]))
        pos += size
        if header.get(1) != b"OSMData":
            continue
        if 1 in blob:
            block = blob[1]
        elif 3 in blob:
            block = zlib.decompress(blob[3])
        else:
            raise InputError(f"{pbf}: a blob neither raw nor zlib (fix: re-encode with zlib)")
        fields = list(_fields(block))
        gran, lat_off, lon_off = 100, 0, 0
        for num, v in fields:
            if num == 17:
                gran = v
            elif num == 19:
                lat_off = _int64(v)
            elif num == 20:
                lon_off = _int64(v)
        coords: list[tuple[int, int]] = []
        for num, group in fields:
            if num != 2:
                continue
            for gnum, gv in _fields(group):
                if gnum == 1:  # Node: lat 8, lon 9 (sint64)
                    node = dict(_fields(gv))
                    coords.append((_zigzag(node.get(8, 0)), _zigzag(node.get(9, 0))))
                elif gnum == 2:  # DenseNodes: delta-coded lat 8, lon 9
                    dense = dict(_fields(gv))
                    lat = lon = 0
                    for dlat, dlon in zip(
                        _packed_sint(dense.get(8, b"")), _packed_sint(dense.get(9, b""))
                    ):
                        lat += dlat
                        lon += dlon
                        coords.append((lat, lon))
        for lat, lon in coords:
            x = 1e-9 * (lon_off + gran * lon)
            y = 1e-9 * (lat_off + gran * lat)
            lo_min, lo_max = min(lo_min, x), max(lo_max, x)
            la_min, la_max = min(la_min, y), max(la_max, y)
            count += 1
    if count == 0:
        raise InputError(f"{pbf}: no nodes (fix: give an extract with streets)")
    return lo_min, la_min, lo_max, la_max, count


def select_points(
    grid: Path, extent: tuple[float, float, float, float], n: int
) -> tuple[list[tuple[str, str, str]], int]:
    """The first ``n`` rows of ``grid`` (``id,lon,lat,...``) inside ``extent``, in file order,
    as (id, lon, lat) strings unchanged, and how many rows are inside in all."""
    head, rows = read_csv(grid.read_bytes(), grid.name)
    for col in ("id", "lon", "lat"):
        if col not in head:
            raise InputError(f"{grid}:1: no column {col} (fix: give id,lon,lat columns)")
    ii, xi, yi = (head.index(c) for c in ("id", "lon", "lat"))
    lo_min, la_min, lo_max, la_max = extent
    inside = []
    for line, r in enumerate(rows, start=2):
        if not r:
            continue
        try:
            x, y = float(r[xi]), float(r[yi])
        except (ValueError, IndexError):
            raise InputError(
                f"{grid}:{line}: lon/lat '{r[xi:xi + 1]}', '{r[yi:yi + 1]}' are not numbers "
                "(fix: give WGS84 degrees)"
            ) from None
        if lo_min <= x <= lo_max and la_min <= y <= la_max:
            inside.append((r[ii], r[xi], r[yi]))
    if len(inside) < n:
        raise InputError(
            f"{grid}: only {len(inside)} cells lie inside the OSM extract, {n} asked "
            "(fix: ask for fewer points)"
        )
    return inside[:n], len(inside)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fixtures", type=Path, required=True, help="tests/fixtures/porto-alegre")
    p.add_argument("--out", type=Path, required=True, help="work folder to write")
    p.add_argument("--points", type=int, default=400, help="cells to take (default 400)")
    a = p.parse_args(argv)
    try:
        report: dict = {"feeds": {}}
        t0 = time.perf_counter()
        for name in FEEDS:
            src = a.fixtures / name
            report["feeds"][name] = prepare_feed(src, a.out / "feeds" / src.stem)
        report["interpolation_seconds"] = round(time.perf_counter() - t0, 3)
        *extent, nodes = osm_node_extent(a.fixtures / OSM)
        points, inside = select_points(a.fixtures / GRID, tuple(extent), a.points)
        with open(a.out / "points.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "lon", "lat"])
            w.writerows(points)
        report["osm_node_extent"] = {
            "min_lon": extent[0],
            "min_lat": extent[1],
            "max_lon": extent[2],
            "max_lat": extent[3],
            "nodes": nodes,
        }
        report["points"] = {"taken": len(points), "grid_cells_inside_extent": inside}
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    (a.out / "prepare.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
