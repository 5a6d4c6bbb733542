#!/usr/bin/env python3
"""Compare ferrobus's and onehour's travel-time matrices over the same points (stdlib only).

Inputs:

- ferrobus's CSV from ``run_ferrobus.py``: ``from,to,minutes`` (empty minutes: not reached);
- onehour's matrix: its JSON (``places``, optional ``to_places``, ``minutes`` with ``null`` for
  not reached) or its CSV (``from,to,minutes,...``, empty minutes: not reached), told apart by
  the file's first character;
- optionally the two run reports (``ferrobus_run.json``, ``onehour_run.json``) for the speed
  and memory ratios.

Pairs are the ordered pairs of the points both files name, a point to itself left out (a
zero-minute "trip" says nothing about either router). A pair missing from a file counts as not
reached by that tool. Printed (and written with ``--json-out``):

- pairs both reach: the median, 90th percentile and maximum of |onehour - ferrobus| minutes,
  the mean signed difference, the share within 3 minutes; the same over the pairs ferrobus
  reaches within 60 minutes;
- pairs reached by ferrobus only, by onehour only, by neither;
- speed ratios ferrobus / onehour (above 1: onehour is faster) end to end and for the matrix
  alone (min and median of the repeats), of CPU seconds where both reports have them (less
  sensitive than wall clock to other work on a shared machine), and peak memory of each.

Usage::

    python3 compare.py --ferrobus WORK/ferrobus_matrix.csv --onehour WORK/onehour_matrix.json \\
        [--ferrobus-run WORK/ferrobus_run.json --onehour-run WORK/onehour_run.json] [--json-out F]

Bad input is reported with the file, line and fix, exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
from pathlib import Path

Matrix = dict[tuple[str, str], float | None]


class InputError(Exception):
    """Bad input: the message names the file, the line or record, and the fix."""


def _minutes(text: str, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{where}: minutes '{text}' is not a number (fix: minutes or empty)") from None
    if not math.isfinite(v) or v < 0:
        raise InputError(f"{where}: minutes '{text}' is not a finite, non-negative number")
    return v


def read_csv_matrix(path: Path) -> tuple[Matrix, list[str]]:
    """Pairs of a ``from,to,minutes`` CSV (other columns ignored), and the point ids in order."""
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}) (fix: give the matrix file)") from None
    with f:
        r = csv.reader(f)
        head = next(r, None)
        if head is None or not {"from", "to", "minutes"} <= {h.strip() for h in head}:
            raise InputError(f"{path}:1: the header needs from,to,minutes (fix: give a matrix CSV)")
        head = [h.strip() for h in head]
        fi, ti, mi = head.index("from"), head.index("to"), head.index("minutes")
        out: Matrix = {}
        ids: dict[str, None] = {}
        for line, row in enumerate(r, start=2):
            if not row:
                continue
            if len(row) < len(head):
                raise InputError(f"{path}:{line}: {len(row)} fields, the header has {len(head)}")
            key = (row[fi], row[ti])
            if key in out:
                raise InputError(f"{path}:{line}: pair {key[0]} -> {key[1]} given twice")
            out[key] = _minutes(row[mi], f"{path}:{line}")
            ids.setdefault(row[fi])
            ids.setdefault(row[ti])
    return out, list(ids)


def read_json_matrix(path: Path) -> tuple[Matrix, list[str]]:
    """Pairs of onehour's JSON matrix (``places``, ``to_places``, ``minutes``)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}) (fix: give the matrix file)") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not JSON ({e.msg})") from None
    try:
        rows = [p["id"] for p in doc["places"]]
        cols = [p["id"] for p in doc.get("to_places") or doc["places"]]
        mins = doc["minutes"]
    except (KeyError, TypeError):
        raise InputError(
            f"{path}: no places[].id or minutes (fix: give onehour's `matrix --format json` output)"
        ) from None
    if len(mins) != len(rows) or any(len(r) != len(cols) for r in mins):
        raise InputError(f"{path}: minutes is not {len(rows)} x {len(cols)} like places/to_places")
    out: Matrix = {}
    for i, a in enumerate(rows):
        for j, b in enumerate(cols):
            v = mins[i][j]
            if v is not None and (not isinstance(v, (int, float)) or v < 0 or not math.isfinite(v)):
                raise InputError(f"{path}: minutes[{i}][{j}] = {v!r} is not a non-negative number")
            out[a, b] = None if v is None else float(v)
    ids = dict.fromkeys(rows + cols)
    return out, list(ids)


def read_matrix(path: Path) -> tuple[Matrix, list[str]]:
    """A matrix file, JSON or CSV by its first non-blank character."""
    try:
        head = path.read_bytes()[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}) (fix: give the matrix file)") from None
    return read_json_matrix(path) if head.startswith(b"{") else read_csv_matrix(path)


def percentile(sorted_xs: list[float], p: float) -> float:
    """Linear-interpolated percentile of a sorted list (``p`` in 0..100)."""
    if not sorted_xs:
        return math.nan
    k = (len(sorted_xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (k - lo)


def _diff_stats(pairs: list[tuple[float, float]]) -> dict:
    """|onehour - ferrobus| statistics over (ferrobus, onehour) minute pairs."""
    if not pairs:
        return {"pairs": 0}
    d = [o - f for f, o in pairs]
    a = sorted(abs(x) for x in d)
    return {
        "pairs": len(pairs),
        "median_abs_diff_min": round(statistics.median(a), 3),
        "p90_abs_diff_min": round(percentile(a, 90), 3),
        "max_abs_diff_min": round(a[-1], 3),
        "mean_signed_diff_min": round(sum(d) / len(d), 3),
        "share_within_3_min": round(sum(x <= 3 for x in a) / len(a), 4),
    }


def compare(fb: Matrix, fb_ids: list[str], oh: Matrix, oh_ids: list[str]) -> dict:
    """The comparison of two matrices over the points both name (diagonal left out)."""
    common = [i for i in fb_ids if i in set(oh_ids)]
    both: list[tuple[float, float]] = []
    fb_only = oh_only = neither = 0
    for a in common:
        for b in common:
            if a == b:
                continue
            f, o = fb.get((a, b)), oh.get((a, b))
            if f is not None and o is not None:
                both.append((f, o))
            elif f is not None:
                fb_only += 1
            elif o is not None:
                oh_only += 1
            else:
                neither += 1
    return {
        "points": {
            "common": len(common),
            "ferrobus_only": sorted(set(fb_ids) - set(oh_ids)),
            "onehour_only": sorted(set(oh_ids) - set(fb_ids)),
        },
        "pairs": len(common) * (len(common) - 1),
        "both_reach": _diff_stats(both),
        "both_reach_ferrobus_within_60_min": _diff_stats([p for p in both if p[0] <= 60]),
        "reached_by_ferrobus_only": fb_only,
        "reached_by_onehour_only": oh_only,
        "reached_by_neither": neither,
    }


def _run(path: Path | None) -> dict | None:
    if path is None:
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        s = doc["seconds"]
        out = {
            "end_to_end": float(s["end_to_end_min"]),
            "matrix_min": float(s["matrix_min"]),
            "matrix_median": float(s["matrix_median"]),
            "peak_rss_mib": max(float(v) for v in doc["peak_rss_mib"].values()),
        }
        c = doc.get("cpu_seconds")
        if c is not None:
            out["cpu_end_to_end"] = float(c["end_to_end_min"])
            out["cpu_matrix_min"] = float(c["matrix_min"])
        return out
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror}) (fix: give the run report)") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise InputError(
            f"{path}: not a run report (fix: give the ferrobus_run.json/onehour_run.json that "
            "run_ferrobus.py/run_onehour.py wrote: seconds.end_to_end_min, matrix_min, "
            "matrix_median and peak_rss_mib)"
        ) from None


def speed(fb_run: dict | None, oh_run: dict | None) -> dict | None:
    """ferrobus / onehour ratios of time (above 1: onehour is faster) and memory."""
    if fb_run is None or oh_run is None:
        return None

    def ratio(k: str) -> float | None:
        if k not in fb_run or k not in oh_run or oh_run[k] <= 0:
            return None
        return round(fb_run[k] / oh_run[k], 3)

    return {
        "ferrobus_seconds": fb_run,
        "onehour_seconds": oh_run,
        "ratio_end_to_end": ratio("end_to_end"),
        "ratio_matrix_min": ratio("matrix_min"),
        "ratio_matrix_median": ratio("matrix_median"),
        "ratio_peak_rss": ratio("peak_rss_mib"),
        "ratio_cpu_end_to_end": ratio("cpu_end_to_end"),
        "ratio_cpu_matrix_min": ratio("cpu_matrix_min"),
    }


def report_text(c: dict) -> str:
    b = c["both_reach"]
    lines = [
        f"points in both: {c['points']['common']}; ordered pairs (no diagonal): {c['pairs']}",
    ]
    for k in ("ferrobus_only", "onehour_only"):
        if c["points"][k]:
            lines.append(f"warning: points named by {k.split('_')[0]} only: {len(c['points'][k])}")
    for label, s in (("both reach", b), ("both reach, ferrobus <= 60 min", c["both_reach_ferrobus_within_60_min"])):
        if s["pairs"]:
            lines.append(
                f"{label}: {s['pairs']} pairs; |onehour - ferrobus| median {s['median_abs_diff_min']} min, "
                f"p90 {s['p90_abs_diff_min']}, max {s['max_abs_diff_min']}; mean signed "
                f"{s['mean_signed_diff_min']:+} min; within 3 min {100 * s['share_within_3_min']:.1f} %"
            )
        else:
            lines.append(f"{label}: no pairs")
    lines.append(
        f"reached by ferrobus only: {c['reached_by_ferrobus_only']}; by onehour only: "
        f"{c['reached_by_onehour_only']}; by neither: {c['reached_by_neither']}"
    )
    s = c.get("speed")
    if s:
        f, o = s["ferrobus_seconds"], s["onehour_seconds"]
        lines.append(
            f"end to end: ferrobus {f['end_to_end']:.3f} s, onehour {o['end_to_end']:.3f} s, "
            f"ratio {s['ratio_end_to_end']}"
        )
        lines.append(
            f"matrix: ferrobus min {f['matrix_min']:.3f} s / median {f['matrix_median']:.3f} s, "
            f"onehour min {o['matrix_min']:.3f} s / median {o['matrix_median']:.3f} s, "
            f"ratio min {s['ratio_matrix_min']}, median {s['ratio_matrix_median']}"
        )
        if s["ratio_cpu_end_to_end"] is not None:
            lines.append(
                f"CPU seconds (user + system): end to end ferrobus {f['cpu_end_to_end']:.3f}, "
                f"onehour {o['cpu_end_to_end']:.3f}, ratio {s['ratio_cpu_end_to_end']}; matrix "
                f"min ferrobus {f['cpu_matrix_min']:.3f}, onehour {o['cpu_matrix_min']:.3f}, "
                f"ratio {s['ratio_cpu_matrix_min']}"
            )
        lines.append(
            f"peak RSS: ferrobus {f['peak_rss_mib']:.1f} MiB, onehour {o['peak_rss_mib']:.1f} MiB"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--ferrobus", type=Path, required=True, help="ferrobus_matrix.csv")
    p.add_argument("--onehour", type=Path, required=True, help="onehour's matrix, JSON or CSV")
    p.add_argument("--ferrobus-run", type=Path, help="ferrobus_run.json")
    p.add_argument("--onehour-run", type=Path, help="onehour_run.json")
    p.add_argument("--json-out", type=Path, help="write the comparison as JSON here")
    a = p.parse_args(argv)
    try:
        fb, fb_ids = read_matrix(a.ferrobus)
        oh, oh_ids = read_matrix(a.onehour)
        c = compare(fb, fb_ids, oh, oh_ids)
        c["speed"] = speed(_run(a.ferrobus_run), _run(a.onehour_run))
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if c["points"]["common"] == 0:
        print("error: the two matrices name no point in common (fix: run both on the same points.csv)", file=sys.stderr)
        return 2
    print(report_text(c))
    if a.json_out:
        a.json_out.write_text(json.dumps(c, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
