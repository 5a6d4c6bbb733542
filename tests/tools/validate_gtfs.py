"""Validates GTFS feeds with gtfs-kit, an independent reader (CI step in .ci/run).

Usage: python validate_gtfs.py FEED.zip [FEED.zip ...]

gtfs-kit 6.1.1 is pinned: `Feed.validate` was dropped in 10.0, and 9.0's `get_trips` fails
on a feed without calendar_dates.txt. Every problem of type "error" fails the run (exit 1); warnings are printed. The feed is
also read the way an analysis would read it (trip stats on its first service date) so that a
feed that validates but cannot be used fails too.
"""

import sys

import gtfs_kit as gk


def check(path: str) -> int:
    feed = gk.read_feed(path, dist_units="km")
    problems = feed.validate()
    errors = problems[problems["type"] == "error"]
    warnings = problems[problems["type"] == "warning"]
    for _, p in warnings.iterrows():
        print(f"{path}: warning: {p['message']} ({p['table']}, {len(p['rows'])} rows)")
    for _, p in errors.iterrows():
        print(f"{path}: ERROR: {p['message']} ({p['table']}, rows {list(p['rows'])[:10]})")
    dates = feed.get_dates()
    if not dates:
        print(f"{path}: ERROR: no service date")
        return 1
    trips = feed.get_trips(dates[0])
    stats = feed.compute_trip_stats()
    print(
        f"{path}: {len(feed.stops)} stops, {len(feed.routes)} routes, {len(feed.trips)} trips "
        f"({len(trips)} on {dates[0]}), {len(feed.stop_times)} stop times, "
        f"{0 if feed.frequencies is None else len(feed.frequencies)} frequencies; "
        f"trip stats for {len(stats)} trips; {len(errors)} errors, {len(warnings)} warnings"
    )
    return 1 if len(errors) else 0


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    return max(check(p) for p in argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
