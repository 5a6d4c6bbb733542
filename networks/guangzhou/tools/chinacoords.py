#!/usr/bin/env python3
"""Convert Chinese map-service coordinates to WGS84.

Chinese map services publish shifted coordinates:

* GCJ-02 ("Mars coordinates"): Amap/Gaode, Tencent, Google Maps inside China, and
  most Chinese Wikipedia/encyclopaedia coordinates taken from those maps.
* BD-09: Baidu Maps, a second offset applied on top of GCJ-02.

The GCJ-02 offset is a published closed-form *forward* function WGS84 -> GCJ-02
(the widely reproduced formula with the Krasovsky 1940 ellipsoid constants
a = 6378245.0 m and ee = 0.00669342162296594323; see e.g. the open-source
`googollee/eviltransform` and `wandergis/coordtransform` implementations). There is
no closed-form inverse, so ``gcj02_to_wgs84`` inverts it by fixed-point iteration:
start at the GCJ-02 point, subtract the forward offset, and repeat until the
forward transform of the estimate reproduces the input to 1e-9 degree (about
0.1 mm; in practice 3-5 iterations). Points outside China's bounding rectangle
(longitude 72.004-137.8347 E, latitude 0.8293-55.8271 N) are not shifted by the
forward formula and are returned unchanged.

BD-09 -> GCJ-02 uses the closed-form inverse published with the Baidu offset
(x_pi = pi * 3000 / 180); ``bd09_to_wgs84`` chains it with ``gcj02_to_wgs84``.

Functions take and return (lon, lat) in degrees.

Command line (Python 3.11, standard library only)::

    # one "lon,lat" pair per line on stdin or as arguments
    echo "113.112414,23.019643" | python3 chinacoords.py gcj02
    python3 chinacoords.py bd09 113.3245,23.1167 113.2700,23.1350

    # a CSV file: convert the named column pair, append wgs84 columns
    python3 chinacoords.py gcj02 --csv stations.csv --lon lng --lat lat

Modes: ``gcj02`` (GCJ-02 -> WGS84), ``bd09`` (BD-09 -> WGS84), ``bd09-gcj02``
(BD-09 -> GCJ-02), ``wgs84-gcj02`` (forward, for checking). Output values are
printed with 6 decimals (about 0.1 m), ``lon,lat`` per line; in CSV mode the
input rows are echoed with two extra columns ``wgs84_lon,wgs84_lat`` (or
``gcj02_lon,gcj02_lat`` for the modes that produce GCJ-02).

The coordinates of networks/guangzhou/centres.csv and zones.csv that came from
Amap (GCJ-02) were converted with this module; test_chinacoords.py re-derives
each of them.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from typing import Iterable, TextIO

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 formula.
A = 6378245.0
EE = 0.00669342162296594323
X_PI = math.pi * 3000.0 / 180.0

# Iteration stop for the inverse: the forward transform of the estimate must
# reproduce the input within this many degrees.
INVERSE_TOLERANCE_DEG = 1e-9
INVERSE_MAX_ITER = 30


def out_of_china(lon: float, lat: float) -> bool:
    """True where the GCJ-02 formula applies no offset (outside China's rectangle)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _offset(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 offset (dlon, dlat) in degrees at a WGS84 point."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1.0 - EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Forward transform WGS84 -> GCJ-02 (the published formula)."""
    if out_of_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Inverse GCJ-02 -> WGS84 by fixed-point iteration of the forward transform."""
    if out_of_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(INVERSE_MAX_ITER):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        if abs(elon) < INVERSE_TOLERANCE_DEG and abs(elat) < INVERSE_TOLERANCE_DEG:
            break
        wlon -= elon
        wlat -= elat
    return wlon, wlat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 (Baidu) -> GCJ-02."""
    x = lon - 0.0065
    y = lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 -> BD-09 (Baidu), the forward Baidu offset (for checking)."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 (Baidu) -> GCJ-02 -> WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def dms_to_deg(deg: float, minutes: float = 0.0, seconds: float = 0.0) -> float:
    """Degrees-minutes-seconds (as in Wikipedia infoboxes) to decimal degrees."""
    return deg + minutes / 60.0 + seconds / 3600.0


MODES = {
    "gcj02": (gcj02_to_wgs84, ("wgs84_lon", "wgs84_lat")),
    "bd09": (bd09_to_wgs84, ("wgs84_lon", "wgs84_lat")),
    "bd09-gcj02": (bd09_to_gcj02, ("gcj02_lon", "gcj02_lat")),
    "wgs84-gcj02": (wgs84_to_gcj02, ("gcj02_lon", "gcj02_lat")),
}


def fmt(lon: float, lat: float) -> str:
    return f"{lon:.6f},{lat:.6f}"


def convert_lines(mode: str, lines: Iterable[str], out: TextIO) -> int:
    """Convert `lon,lat` lines; blank lines and lines starting with # are skipped."""
    func = MODES[mode][0]
    n = 0
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p for p in line.replace(";", ",").replace(" ", ",").split(",") if p]
        if len(parts) != 2:
            raise ValueError(f"expected 'lon,lat', got {raw!r}")
        lon, lat = float(parts[0]), float(parts[1])
        out.write(fmt(*func(lon, lat)) + "\n")
        n += 1
    return n


def convert_csv(mode: str, infile: TextIO, lon_col: str, lat_col: str, out: TextIO) -> int:
    """Echo a CSV with two columns appended: the converted lon and lat (6 decimals)."""
    func, names = MODES[mode]
    reader = csv.DictReader(infile)
    if reader.fieldnames is None or lon_col not in reader.fieldnames or lat_col not in reader.fieldnames:
        raise ValueError(f"CSV needs columns {lon_col!r} and {lat_col!r}; has {reader.fieldnames}")
    writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames) + list(names), lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in reader:
        lon, lat = func(float(row[lon_col]), float(row[lat_col]))
        row[names[0]] = f"{lon:.6f}"
        row[names[1]] = f"{lat:.6f}"
        writer.writerow(row)
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Convert GCJ-02 (Amap/Tencent) or BD-09 (Baidu) coordinates to WGS84.")
    p.add_argument("mode", choices=sorted(MODES), help="gcj02 / bd09: to WGS84; bd09-gcj02; wgs84-gcj02")
    p.add_argument("points", nargs="*", help="lon,lat pairs (else read from stdin)")
    p.add_argument("--csv", metavar="FILE", help="CSV file to convert ('-' for stdin)")
    p.add_argument("--lon", default="lon", help="longitude column of --csv (default lon)")
    p.add_argument("--lat", default="lat", help="latitude column of --csv (default lat)")
    args = p.parse_args(argv)
    try:
        if args.csv:
            if args.csv == "-":
                convert_csv(args.mode, sys.stdin, args.lon, args.lat, sys.stdout)
            else:
                with open(args.csv, newline="", encoding="utf-8") as f:
                    convert_csv(args.mode, f, args.lon, args.lat, sys.stdout)
        elif args.points:
            convert_lines(args.mode, args.points, sys.stdout)
        else:
            convert_lines(args.mode, sys.stdin, sys.stdout)
    except ValueError as e:
        print(f"chinacoords: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
