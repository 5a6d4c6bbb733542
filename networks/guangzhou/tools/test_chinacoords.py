"""Tests of chinacoords.py: known input -> known output.

Run: python3 -m unittest discover -s networks/guangzhou/tools -p 'test_*.py'

Reference values (all public):
* googollee/eviltransform, path go/transform_test.go, commit 1643645
  (1643645a2a2f2fa06811df676db42d02a0fb1f40): three points whose WGS84 and
  GCJ-02 values are both given (Shanghai, Shenzhen, Beijing).
* wandergis/coordtransform, path README.md, commit 0148136
  (0148136a26bbcbfb3f9aabd808d9bb401f13e9bf): results for the input
  (116.404, 39.915) of bd09togcj02, gcj02tobd09 and wgs84togcj02. (Its
  gcj02towgs84 is the one-step approximation, not the iterative inverse, so it
  is not used here.)
* networks/guangzhou/centres.csv and zones.csv: every row whose source gives a
  GCJ-02 input ("GCJ-02 lon,lat") is re-derived here and must match the file's
  WGS84 value to 6 decimals (or, for the two points that were moved after the
  conversion, the intermediate "WGS84 lon,lat" stated in the source).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import chinacoords as cc  # noqa: E402

NETWORK = os.path.dirname(HERE)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1 = map(math.radians, a)
    lon2, lat2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def six(lon: float, lat: float) -> tuple[str, str]:
    return f"{lon:.6f}", f"{lat:.6f}"


class RoundTrip(unittest.TestCase):
    def test_gcj02_round_trip_grid(self):
        # forward then inverse returns the start within 1e-6 degree (in practice ~1e-9)
        for lon10 in range(1110, 1151, 5):          # 111.0 .. 115.0 E: the network's bbox
            for lat10 in range(215, 256, 5):        # 21.5 .. 25.5 N
                lon, lat = lon10 / 10 + 0.0123, lat10 / 10 + 0.0456
                back = cc.gcj02_to_wgs84(*cc.wgs84_to_gcj02(lon, lat))
                self.assertAlmostEqual(back[0], lon, delta=1e-6)
                self.assertAlmostEqual(back[1], lat, delta=1e-6)

    def test_gcj02_round_trip_across_china(self):
        for lon, lat in [(75.99, 39.47), (87.6, 43.8), (104.07, 30.67), (126.63, 45.75), (121.47, 31.23), (110.35, 20.02)]:
            back = cc.gcj02_to_wgs84(*cc.wgs84_to_gcj02(lon, lat))
            self.assertAlmostEqual(back[0], lon, delta=1e-6)
            self.assertAlmostEqual(back[1], lat, delta=1e-6)

    def test_bd09_round_trip(self):
        for lon, lat in [(113.2644, 23.1291), (113.3245, 23.1167), (112.4723, 23.0527)]:
            back = cc.bd09_to_gcj02(*cc.gcj02_to_bd09(lon, lat))
            self.assertAlmostEqual(back[0], lon, delta=1e-6)
            self.assertAlmostEqual(back[1], lat, delta=1e-6)
            w = cc.wgs84_to_gcj02(lon, lat)
            back = cc.bd09_to_wgs84(*cc.gcj02_to_bd09(*w))
            self.assertAlmostEqual(back[0], lon, delta=1e-6)
            self.assertAlmostEqual(back[1], lat, delta=1e-6)

    def test_offset_size_in_guangzhou(self):
        # the GCJ-02 offset in Guangzhou is about 550 m (lon +0.0053, lat -0.0027):
        # a wrong sign or constant shows up here
        g = cc.wgs84_to_gcj02(113.26, 23.13)
        self.assertAlmostEqual(g[0] - 113.26, 0.00535, delta=0.0002)
        self.assertAlmostEqual(g[1] - 23.13, -0.00267, delta=0.0002)


class PublishedPairs(unittest.TestCase):
    # (wgs lon, wgs lat, gcj lon, gcj lat): googollee/eviltransform go/transform_test.go @1643645
    EVILTRANSFORM = [
        (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),   # shanghai
        (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),   # shenzhen
        (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),   # beijing
    ]

    def test_forward_matches_published(self):
        for wlon, wlat, glon, glat in self.EVILTRANSFORM:
            lon, lat = cc.wgs84_to_gcj02(wlon, wlat)
            self.assertAlmostEqual(lon, glon, delta=1e-9)
            self.assertAlmostEqual(lat, glat, delta=1e-9)

    def test_inverse_matches_published(self):
        for wlon, wlat, glon, glat in self.EVILTRANSFORM:
            lon, lat = cc.gcj02_to_wgs84(glon, glat)
            self.assertAlmostEqual(lon, wlon, delta=1e-6)
            self.assertAlmostEqual(lat, wlat, delta=1e-6)

    def test_wandergis_readme(self):
        # wandergis/coordtransform README.md @0148136, input (116.404, 39.915)
        self.assertEqual(cc.bd09_to_gcj02(116.404, 39.915), (116.39762729119315, 39.90865673957631))
        lon, lat = cc.gcj02_to_bd09(116.404, 39.915)
        self.assertAlmostEqual(lon, 116.41036949371029, delta=1e-12)
        self.assertAlmostEqual(lat, 39.92133699351021, delta=1e-12)
        lon, lat = cc.wgs84_to_gcj02(116.404, 39.915)
        self.assertAlmostEqual(lon, 116.41024449916938, delta=1e-12)
        self.assertAlmostEqual(lat, 39.91640428150164, delta=1e-12)

    def test_gongyuanqian_independent_sources(self):
        # English Wikipedia 'Gongyuanqian station' gives 23.12543 N 113.26420 E (a GCJ-02
        # value); metro/gz_1_8_stations.csv has m_gongyuanqian at 113.259077,23.128111
        # (HKUST-Trans-Lab/China-Metro-Info, Baidu points converted to WGS84 by its
        # authors). After conversion the two agree within 25 m; unconverted they are 550 m apart.
        w = cc.gcj02_to_wgs84(113.26420, 23.12543)
        self.assertLess(haversine_km(w, (113.259077, 23.128111)), 0.025)
        self.assertGreater(haversine_km((113.26420, 23.12543), (113.259077, 23.128111)), 0.5)


class OutsideChina(unittest.TestCase):
    def test_unchanged(self):
        for lon, lat in [(2.3522, 48.8566), (-74.006, 40.7128), (139.6917, 35.6895), (151.2093, -33.8688), (37.6173, 55.9)]:
            self.assertTrue(cc.out_of_china(lon, lat))
            self.assertEqual(cc.wgs84_to_gcj02(lon, lat), (lon, lat))
            self.assertEqual(cc.gcj02_to_wgs84(lon, lat), (lon, lat))

    def test_inside(self):
        self.assertFalse(cc.out_of_china(113.26, 23.13))
        self.assertNotEqual(cc.gcj02_to_wgs84(113.26, 23.13), (113.26, 23.13))


GCJ = re.compile(r"GCJ-02 (\d+\.\d+),(\d+\.\d+)")
WGS = re.compile(r"WGS84 (\d+\.\d+),(\d+\.\d+)")


def rows(name: str):
    with open(os.path.join(NETWORK, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class NetworkFiles(unittest.TestCase):
    """Re-derive the WGS84 points of centres.csv and zones.csv from the GCJ-02 input in their source."""

    def check_file(self, name: str) -> tuple[int, int]:
        direct = moved = 0
        for r in rows(name):
            src = r["source"]
            m = GCJ.search(src)
            if "chinacoords.py" in src:
                self.assertIsNotNone(m, f"{name} {r['id']}: cites chinacoords.py but gives no 'GCJ-02 lon,lat' input")
            if m is None:
                continue
            got = six(*cc.gcj02_to_wgs84(float(m.group(1)), float(m.group(2))))
            w = WGS.search(src[m.end():])
            if w is None:
                self.assertEqual(got, (r["lon"], r["lat"]), f"{name} {r['id']}")
                direct += 1
            else:
                # the source states the converted point, then how the record's point was placed from it
                self.assertEqual(got, (w.group(1), w.group(2)), f"{name} {r['id']} (stated conversion)")
                moved += 1
        return direct, moved

    def test_centres(self):
        direct, moved = self.check_file("centres.csv")
        # 9 centres are the converted point itself (6 Amap district points, 3 Wikipedia
        # government coordinates); Yuexiu and Tianhe were moved from the converted
        # station point to the square, Zhongshan compares an Amap point with OSM
        self.assertEqual((direct, moved), (9, 3))

    def test_zones(self):
        direct, moved = self.check_file("zones.csv")
        self.assertEqual((direct, moved), (23, 0))

    def test_moved_centres(self):
        c = {r["id"]: r for r in rows("centres.csv")}

        def pt(i):
            return float(c[i]["lon"]), float(c[i]["lat"])
        # Yuexiu: converted 公园前 station point moved ~110 m north to People's Park
        d = haversine_km(cc.gcj02_to_wgs84(113.26420, 23.12543), pt("c_guangzhou_yuexiu"))
        self.assertAlmostEqual(d, 0.110, delta=0.02)
        # Tianhe: converted 体育中心 station point moved ~300 m west onto the Sports Centre
        d = haversine_km(cc.gcj02_to_wgs84(113.328376, 23.13497), pt("c_guangzhou_tianhe"))
        self.assertAlmostEqual(d, 0.300, delta=0.02)
        # Zhongshan: the OSM place point is 1.15 km from Amap's converted city centre
        d = haversine_km(cc.gcj02_to_wgs84(113.382391, 22.521113), pt("c_zhongshan"))
        self.assertAlmostEqual(d, 1.15, delta=0.05)

    def test_wikipedia_dms_consistent(self):
        # The three Wikipedia government coordinates are used in their decimal form; the
        # infobox's degrees-minutes-seconds must round to the same point.
        for dec, dms in [((113.752, 23.021), ((113, 45, 7), (23, 1, 16))),        # Dongguan
                         ((113.0815, 22.5789), ((113, 4, 53), (22, 34, 44))),     # Jiangmen
                         ((113.597, 24.811), ((113, 35, 49), (24, 48, 40)))]:     # Shaoguan
            self.assertAlmostEqual(dec[0], cc.dms_to_deg(*dms[0]), delta=0.5 / 3600)
            self.assertAlmostEqual(dec[1], cc.dms_to_deg(*dms[1]), delta=0.5 / 3600)


class CommandLine(unittest.TestCase):
    def test_lines(self):
        out = io.StringIO()
        n = cc.convert_lines("gcj02", ["# comment", "", "113.112414,23.019643", "2.35,48.85"], out)
        self.assertEqual(n, 2)
        self.assertEqual(out.getvalue(), "113.106924,23.022186\n2.350000,48.850000\n")

    def test_csv(self):
        src = io.StringIO("id,lng,lat\nchancheng,113.112414,23.019643\n")
        out = io.StringIO()
        cc.convert_csv("gcj02", src, "lng", "lat", out)
        self.assertEqual(out.getvalue().splitlines(),
                         ["id,lng,lat,wgs84_lon,wgs84_lat", "chancheng,113.112414,23.019643,113.106924,23.022186"])

    def test_bad_line(self):
        with self.assertRaises(ValueError):
            cc.convert_lines("gcj02", ["113.1"], io.StringIO())

    def test_main(self):
        import contextlib
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = cc.main(["bd09-gcj02", "116.404,39.915"])
        self.assertEqual(rc, 0)
        self.assertEqual(out.getvalue(), "116.397627,39.908657\n")


if __name__ == "__main__":
    unittest.main()
