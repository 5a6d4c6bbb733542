"""Unit tests of prepare.py on a tiny hand-made feed, grid and PBF (stdlib only)."""

import contextlib
import csv
import io
import struct
import tempfile
import unittest
import zipfile
import zlib
from pathlib import Path

import prepare

# Stops on the equator: 0.001 degree of longitude there is 111.195 m (R = 6,371,008.8 m).
STOPS = """stop_id,stop_name,stop_lat,stop_lon
A,Alpha,0.0,0.000
B,Bravo,0.0,0.001
C,Charlie,0.0,0.003
D,Delta,0.0,0.004
"""


def feed_zip(folder: Path, stop_times: str, bom: bool = False) -> Path:
    """A tiny GTFS zip with the given stop_times.txt."""
    path = folder / "tiny.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("stops.txt", ("\ufeff" if bom else "") + STOPS)
        z.writestr("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\n")
        z.writestr("routes.txt", "route_id,route_short_name,route_type\nR,R,3\n")
        z.writestr(
            "calendar.txt",
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
            "start_date,end_date\nWK,1,1,1,1,1,0,0,20190101,20191231\n",
        )
        z.writestr("stop_times.txt", stop_times)
    return path


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


class Interpolation(unittest.TestCase):
    COORDS = [(0.0, 0.0), (0.001, 0.0), (0.003, 0.0), (0.004, 0.0)]

    def test_straight_line_distance_sets_the_share_of_time(self):
        # A-B is 1/4 of the way, A-C 3/4: 08:00:00 + 1/4 and 3/4 of 400 s.
        arr, dep, filled = prepare.interpolate_trip(
            [28800, None, None, 29200], [28800, None, None, 29200], self.COORDS, [None] * 4
        )
        self.assertEqual(arr, [28800, 28900, 29100, 29200])
        self.assertEqual(dep, arr)
        self.assertEqual(filled, 2)

    def test_shape_dist_traveled_wins_where_the_whole_gap_has_it(self):
        # Shape distances say B is halfway and C 9/10 of the way, whatever the geometry.
        arr, _, _ = prepare.interpolate_trip(
            [0, None, None, 1000], [0, None, None, 1000], self.COORDS, [10.0, 60.0, 100.0, 110.0]
        )
        self.assertEqual(arr, [0, 500, 900, 1000])

    def test_a_gap_missing_one_shape_distance_falls_back_to_straight_lines(self):
        arr, _, _ = prepare.interpolate_trip(
            [0, None, None, 400], [0, None, None, 400], self.COORDS, [0.0, 5.0, None, 9.0]
        )
        self.assertEqual(arr, [0, 100, 300, 400])

    def test_coinciding_stops_share_the_time_by_count(self):
        same = [(0.5, 0.5)] * 4
        arr, _, _ = prepare.interpolate_trip([0, None, None, 300], [0, None, None, 300], same, [None] * 4)
        self.assertEqual(arr, [0, 100, 200, 300])

    def test_departure_of_the_stop_before_and_arrival_of_the_stop_after_bound_the_gap(self):
        # Dwell at A (arrive 0, depart 100) and at D (arrive 500, depart 600).
        arr, dep, _ = prepare.interpolate_trip(
            [0, None, None, 500], [100, None, None, 600], self.COORDS, [None] * 4
        )
        self.assertEqual(arr, [0, 200, 400, 500])
        self.assertEqual(dep, [100, 200, 400, 600])

    def test_a_missing_arrival_or_departure_takes_the_other(self):
        arr, dep, filled = prepare.interpolate_trip(
            [None, 60, 120, 200], [0, None, 130, None], self.COORDS, [None] * 4
        )
        self.assertEqual(arr, [0, 60, 120, 200])
        self.assertEqual(dep, [0, 60, 130, 200])
        self.assertEqual(filled, 0)

    def test_halves_round_away_from_zero_like_rust(self):
        # One second over a gap whose middle stop is exactly halfway: 0.5 s rounds to 1.
        coords = [(0.0, 0.0), (0.001, 0.0), (0.002, 0.0)]
        arr, _, _ = prepare.interpolate_trip([0, None, 1], [0, None, 1], coords, [None] * 3)
        self.assertEqual(arr, [0, 1, 1])
        self.assertEqual(prepare.round_half_away(2.5), 3)
        self.assertEqual(prepare.round_half_away(-2.5), -3)

    def test_times_decreasing_across_a_gap_do_not_go_backwards(self):
        arr, _, _ = prepare.interpolate_trip([100, None, 50], [100, None, 50], self.COORDS[:3], [None] * 3)
        self.assertEqual(arr[1], 100)

    def test_no_time_at_an_end_is_an_error(self):
        for arrs in ([None, 10, 20, 30], [0, 10, 20, None]):
            with self.assertRaisesRegex(ValueError, "first|last"):
                prepare.interpolate_trip(arrs, arrs, self.COORDS, [None] * 4)

    def test_times_are_written_hh_mm_ss(self):
        self.assertEqual(prepare.parse_time(" 7:05:09 "), 25509)
        self.assertEqual(prepare.format_time(25509), "07:05:09")
        self.assertEqual(prepare.format_time(25 * 3600 + 61), "25:01:01")
        self.assertIsNone(prepare.parse_time(""))
        with self.assertRaises(ValueError):
            prepare.parse_time("7:65:00")


class Feed(unittest.TestCase):
    def test_a_tiny_feed_comes_out_filled_and_otherwise_unchanged(self):
        st = (
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
            # T2 first and out of order: rows are sorted by stop_sequence per trip.
            'T2,"","",B,2,\n'
            "T2,9:00:00,9:00:00,A,1,\n"
            "T2,09:04:00,09:04:00,D,4,\n"
            'T2,"","",C,3,\n'
            "T1,08:00:00,08:00:00,A,1,0\n"
            "T1,,,B,2,50\n"
            "T1,08:10:00,08:10:00,D,3,100\n"
        )
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            counts = prepare.prepare_feed(feed_zip(tmp, st, bom=True), tmp / "out")
            out = (tmp / "out" / "stop_times.txt").read_text(encoding="utf-8")
            stops = (tmp / "out" / "stops.txt").read_bytes()
        self.assertEqual(counts, {"trips": 2, "trips_left_out": 0, "stop_times": 7, "filled": 3})
        self.assertFalse(stops.startswith(b"\xef\xbb\xbf"), "the byte-order mark is dropped")
        self.assertEqual(stops.decode(), STOPS)
        rows = rows_of(out)
        got = [(r["trip_id"], r["stop_id"], r["arrival_time"], r["departure_time"]) for r in rows]
        self.assertEqual(
            got,
            [
                ("T2", "A", "09:00:00", "09:00:00"),
                ("T2", "B", "09:01:00", "09:01:00"),
                ("T2", "C", "09:03:00", "09:03:00"),
                ("T2", "D", "09:04:00", "09:04:00"),
                ("T1", "A", "08:00:00", "08:00:00"),
                ("T1", "B", "08:05:00", "08:05:00"),
                ("T1", "D", "08:10:00", "08:10:00"),
            ],
        )
        self.assertEqual(rows[5]["shape_dist_traveled"], "50", "other columns are kept")

    def test_a_trip_without_an_end_time_is_left_out_and_counted(self):
        st = (
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,08:00:00,08:00:00,A,1\n"
            "T1,,,B,2\n"
            "T2,08:00:00,08:00:00,A,1\n"
            "T2,08:01:00,08:01:00,B,2\n"
        )
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                counts = prepare.prepare_feed(feed_zip(tmp, st), tmp / "out")
            out = rows_of((tmp / "out" / "stop_times.txt").read_text(encoding="utf-8"))
        self.assertEqual(counts["trips_left_out"], 1)
        self.assertEqual({r["trip_id"] for r in out}, {"T2"})
        self.assertIn("tiny/stop_times.txt:2: trip_id T1: no time at the trip's last stop", err.getvalue())

    def test_bad_times_and_unknown_stops_name_the_file_and_line(self):
        cases = [
            ("T1,08:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,2\n", r"tiny/stop_times.txt:2: .*08:00"),
            ("T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,Z,2\n", r"tiny/stop_times.txt:3: stop_id 'Z'"),
            ("T1,08:00:00,08:00:00,A,1\nT1,08:10:00,08:10:00,B,1\n", r"tiny/stop_times.txt:3: .*repeats line 2"),
            ("T1,08:00:00,08:00:00,A,x\n", r"tiny/stop_times.txt:2: field stop_sequence"),
        ]
        for body, msg in cases:
            with self.subTest(body=body), tempfile.TemporaryDirectory() as tmp:
                tmp = Path(tmp)
                z = feed_zip(tmp, "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + body)
                with self.assertRaisesRegex(prepare.InputError, msg):
                    prepare.prepare_feed(z, tmp / "out")

    def test_main_exits_2_on_bad_input(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            (tmp / "poa_eptc.zip").write_bytes(b"not a zip")
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                code = prepare.main(["--fixtures", str(tmp), "--out", str(tmp / "w")])
        self.assertEqual(code, 2)
        self.assertIn("poa_eptc.zip: cannot read the zip", err.getvalue())


# A minimal OSM PBF writer, enough to test the reader.
def _varint(v: int) -> bytes:
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _zz(v: int) -> int:
    return (v << 1) ^ (v >> 63)


def _field(num: int, value) -> bytes:
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    return _varint(num << 3 | 2) + _varint(len(value)) + value


def _blob(kind: bytes, payload: bytes, compress: bool) -> bytes:
    blob = _field(2, len(payload)) + _field(3, zlib.compress(payload)) if compress else _field(1, payload)
    header = _field(1, kind) + _field(3, len(blob))
    return struct.pack(">I", len(header)) + header + blob


def tiny_pbf(path: Path) -> None:
    """Three dense nodes (granularity 100, with offsets) and one plain node in a second block."""
    dense_ll = [(-30_000_000, -51_000_000), (-30_100_000, -51_200_000), (-29_900_000, -51_100_000)]
    lats, lons, pl, po = b"", b"", 0, 0
    for la, lo in dense_ll:  # in units of granularity (100 nanodegrees)
        lats += _varint(_zz(la - pl))
        lons += _varint(_zz(lo - po))
        pl, po = la, lo
    dense = _field(1, b"".join(_varint(_zz(1)) for _ in dense_ll)) + _field(8, lats) + _field(9, lons)
    # lat_offset -1e6 nanodegrees (a negative int64 varint), lon_offset 0.
    block1 = _field(1, b"") + _field(2, _field(2, dense)) + _field(19, -1_000_000)
    node = _field(1, _zz(7)) + _field(8, _zz(-300_500_000)) + _field(9, _zz(-513_000_000))
    block2 = _field(1, b"") + _field(2, _field(1, node)) + _field(17, 10)
    header = _field(4, b"OsmSchema-V0.6")
    path.write_bytes(
        _blob(b"OSMHeader", header, True) + _blob(b"OSMData", block1, True) + _blob(b"OSMData", block2, False)
    )


class OsmAndPoints(unittest.TestCase):
    def test_node_extent_reads_dense_and_plain_nodes_with_offsets_and_granularity(self):
        with tempfile.TemporaryDirectory() as tmp:
            pbf = Path(tmp) / "tiny.osm.pbf"
            tiny_pbf(pbf)
            lo_min, la_min, lo_max, la_max, n = prepare.osm_node_extent(pbf)
        self.assertEqual(n, 4)
        # Dense: lat = -0.001 + 100e-9 * la; plain node: granularity 10, no offset.
        self.assertAlmostEqual(lo_min, -5.13, places=9)
        self.assertAlmostEqual(lo_max, -5.1, places=9)
        self.assertAlmostEqual(la_min, -3.011, places=9)
        self.assertAlmostEqual(la_max, -2.991, places=9)

    def test_points_are_the_first_n_inside_the_extent_in_file_order(self):
        grid = "id,lon,lat,population\nout,-60.0,-30.0,5\na,-51.2,-30.0,1\nb,-51.15,-30.05,2\nc,-51.2,-30.01,3\n"
        with tempfile.TemporaryDirectory() as tmp:
            g = Path(tmp) / "grid.csv"
            g.write_text(grid)
            pts, inside = prepare.select_points(g, (-51.3, -30.1, -51.1, -29.9), 2)
            self.assertEqual(pts, [("a", "-51.2", "-30.0"), ("b", "-51.15", "-30.05")])
            self.assertEqual(inside, 3)
            with self.assertRaisesRegex(prepare.InputError, "only 3 cells"):
                prepare.select_points(g, (-51.3, -30.1, -51.1, -29.9), 4)


if __name__ == "__main__":
    unittest.main()
