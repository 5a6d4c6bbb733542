"""Isochrone clicks on `onehour serve`, several servers side by side (Python 3.11, stdlib only).

What a planner waits for after a click on the page: `GET /api/isochrones?lon=..&lat=..` (one
scenario) and the same with `&scenario=today&compare=plan-2030` (both scenarios and their
difference), timed by the client from the request to the last byte of the answer. Servers are
named `NAME=PORT` (e.g. the binary before a change and after it, started side by side on the
same machine); each gets one warm-up click per mode (the server compiles a scenario on its
first request), then the rounds interleave the servers so that both see the same load:

    onehour-before serve --port 8401 &  onehour serve --port 8402 &
    python3 benches/clicks/clicks.py before=8401 after=8402 --rounds 3

prints, per mode and server, the count, p50, p90 and maximum in milliseconds, and the ratio of
each server's p50 to the first's. The default points are 10 points of central Guangzhou and
Foshan (where clicks cost most: they start at a hundred-odd stations).
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request

POINTS = [
    (113.3245, 23.1291), (113.2644, 23.1291), (113.2806, 23.1252), (113.3612, 23.1247),
    (113.25, 23.10), (113.30, 23.15), (113.1220, 23.0210), (113.3841, 22.9379),
    (113.27, 23.14), (113.33, 23.11),
]
MODES = {"single": "", "compare": "&scenario=today&compare=plan-2030"}


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0-100) of `values` (not empty)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError(f"{q} is not a percentile")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q / 100 * (len(v) - 1))))]


def click(host: str, port: int, lon: float, lat: float, extra: str) -> float:
    """One isochrone request; its time in milliseconds (fails unless answered 200)."""
    url = f"http://{host}:{port}/api/isochrones?lon={lon}&lat={lat}{extra}"
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        if r.status != 200:
            raise RuntimeError(f"{url}: HTTP {r.status}")
        r.read()
    return (time.perf_counter() - t) * 1000


def measure(servers: dict[str, int], rounds: int, points, modes, host="127.0.0.1"):
    """{(mode, server): [ms, ...]}: one warm-up click each, then `rounds` interleaved rounds."""
    for port in servers.values():
        for extra in modes.values():
            click(host, port, *points[0], extra)
    out = {(m, s): [] for m in modes for s in servers}
    for _ in range(rounds):
        for s, port in servers.items():
            for m, extra in modes.items():
                for lon, lat in points:
                    out[(m, s)].append(click(host, port, lon, lat, extra))
    return out


def summary(times, servers: list[str], modes: list[str]) -> dict:
    """Per mode and server: n, p50, p90, max (ms), and p50 of the first server / of this one."""
    res = {}
    for m in modes:
        base = percentile(times[(m, servers[0])], 50)
        for s in servers:
            v = times[(m, s)]
            p50 = percentile(v, 50)
            res[f"{m}/{s}"] = {
                "n": len(v),
                "p50_ms": round(p50, 1),
                "p90_ms": round(percentile(v, 90), 1),
                "max_ms": round(max(v), 1),
                f"{servers[0]}_p50_over_this": round(base / p50, 2) if p50 > 0 else None,
            }
    return res


def parse_servers(items: list[str]) -> dict[str, int]:
    """`NAME=PORT` items, in order."""
    out = {}
    for it in items:
        name, sep, port = it.partition("=")
        if not sep or not name or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{it!r}: give NAME=PORT, e.g. after=8402")
        if name in out:
            raise ValueError(f"{name!r} named twice")
        out[name] = int(port)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("servers", nargs="+", help="NAME=PORT of each running onehour serve")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--host", default="127.0.0.1")
    a = ap.parse_args(argv)
    try:
        servers = parse_servers(a.servers)
    except ValueError as e:
        ap.error(str(e))
    times = measure(servers, a.rounds, POINTS, MODES, a.host)
    print(json.dumps(summary(times, list(servers), list(MODES)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
