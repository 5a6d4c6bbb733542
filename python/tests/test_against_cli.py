"""The package's results equal the command line's JSON on the same inputs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

import onehour

PAIR_FROM = ["c_guangzhou_tianhe", "c_foshan"]
PAIR_TO = ["c_zhaoqing", "广州南", "c_foshan"]


def test_centre_matrix_is_the_cli_check(net, cli_json):
    assert net.matrix_json() == cli_json("check", "--format", "json")


def test_centre_matrix_of_a_scenario_is_the_cli_check(net, cli_json):
    plan = net.scenario("plan-2030")
    got = plan.matrix_json()
    assert got == cli_json("check", "--scenario", "plan-2030", "--format", "json")
    assert got["scenario"] == "plan-2030"


def test_matrix_between_named_places_is_the_cli_matrix(net, cli_json):
    want = cli_json(
        "matrix", "--from", ",".join(PAIR_FROM), "--to", ",".join(PAIR_TO), "--format", "json"
    )
    assert net.matrix_json(PAIR_FROM, PAIR_TO) == want
    df = net.travel_time_matrix(PAIR_FROM, PAIR_TO)
    assert list(df.columns[:6]) == ["from_id", "from_name", "to_id", "to_name", "minutes", "within_limit"]
    assert len(df) == len(PAIR_FROM) * len(PAIR_TO)
    for i, a in enumerate(want["places"]):
        for j, b in enumerate(want["to_places"]):
            row = df[(df.from_id == a["id"]) & (df.to_id == b["id"])].iloc[0]
            m = want["minutes"][i][j]
            assert (math.isnan(row.minutes) and m is None) or row.minutes == m
            assert bool(row.within_limit) == want["within_limit"][i][j]
    assert df.attrs["scenario"] == "today"
    assert df.attrs["limit_minutes"] == 60


def test_window_matrix_is_the_cli_matrix_with_depart(net, cli_json):
    want = cli_json(
        "matrix", "--from", ",".join(PAIR_FROM), "--to", ",".join(PAIR_TO),
        "--depart", "07:00-07:20", "--percentiles", "5,50,95", "--draws", "3",
        "--format", "json",
    )
    got = net.matrix_json(PAIR_FROM, PAIR_TO, depart="07:00-07:20", percentiles=[5, 50, 95], draws=3)
    assert got == want
    df = net.travel_time_matrix(PAIR_FROM, PAIR_TO, depart="07:00-07:20", percentiles=[5, 50, 95], draws=3)
    assert {"share_within_limit", "p5", "p50", "p95"} <= set(df.columns)
    assert df.attrs["window"]["from"] == "07:00"


def test_window_percentiles_are_ordered(net):
    df = net.travel_time_matrix(depart="07:00-07:30", percentiles=[5, 25, 50, 75, 95], draws=2)
    df = df[df.from_id != df.to_id].dropna(subset=["p95"])
    assert len(df) > 0
    for lo, hi in [("p5", "p25"), ("p25", "p50"), ("p50", "p75"), ("p75", "p95")]:
        assert (df[lo] <= df[hi]).all(), f"{lo} > {hi} somewhere"
    # The minutes are the median over the window.
    assert (df["minutes"] == df["p50"]).all()
    assert ((df["share_within_limit"] >= 0) & (df["share_within_limit"] <= 1)).all()


def test_route_is_the_cli_route(net, cli_json):
    want = cli_json("route", "广州南", "c_zhaoqing", "--format", "json")
    r = net.route("广州南", "c_zhaoqing")
    assert r.raw == want
    assert r.total_minutes == want["total_minutes"]
    assert list(r.legs["kind"]) == [l["kind"] for l in want["legs"]]
    assert abs(r.legs["minutes"].sum() - r.total_minutes) < 0.1 * len(r.legs) + 0.05


def test_timed_route_is_the_cli_route_with_depart(net, cli_json):
    want = cli_json("route", "c_guangzhou_tianhe", "c_foshan", "--depart", "07:42", "--format", "json")
    r = net.route("c_guangzhou_tianhe", "c_foshan", depart="07:42")
    assert r.raw == want
    assert r.depart == want["depart"] and r.arrive == want["arrive"]
    assert {"depart", "arrive"} <= set(r.legs.columns)


def test_isochrones_are_the_cli_isochrones(net, cli, tmp_path):
    cli("isochrones", "--origins", "c_foshan", "--thresholds", "30,60", "--cell", "500",
        "--out", str(tmp_path / "iso"))
    want = json.loads((tmp_path / "iso" / "all.geojson").read_text())
    got = net.isochrones("c_foshan", thresholds=[30, 60], cell=500)
    assert got == want
    assert [f["properties"]["minutes"] for f in got["features"]] == [60, 30]


def test_isochrones_of_a_scenario_are_the_cli_isochrones(net, cli, tmp_path):
    cli("isochrones", "--origins", "c_zhaoqing", "--scenario", "plan-2030", "--thresholds", "45",
        "--cell", "500", "--out", str(tmp_path / "iso"))
    want = json.loads((tmp_path / "iso" / "all.geojson").read_text())
    got = net.scenario("plan-2030").isochrones("c_zhaoqing", thresholds=[45], cell=500)
    assert got == want


def test_isochrones_from_a_point(net):
    fc = net.isochrones((113.3245, 23.1064), thresholds=[20, 40], cell=500)
    assert fc["type"] == "FeatureCollection"
    bands = [f["properties"] for f in fc["features"]]
    assert [b["minutes"] for b in bands] == [40, 20]
    # Nested bands: the 40-minute band covers at least the 20-minute one.
    assert bands[0]["area_km2"] >= bands[1]["area_km2"] > 0


def test_rank_is_the_cli_rank(net, cli_json):
    want = cli_json("rank", "--projects", "plan-2030", "--format", "json")
    assert net.rank_json("today", "plan-2030") == want
    df = net.rank("today", "plan-2030")
    assert list(df["project"]) == [r["project"] for r in want]
    assert list(df["alone_pairs_gained"]) == [r["added_alone"]["pairs_gained"] for r in want]
    assert list(df["left_out_population_gained"]) == [r["leave_one_out"]["population_gained"] for r in want]


def test_a_network_from_disk_is_the_cli_on_it(root, cli_json):
    tiny = root / "tests" / "fixtures" / "tiny"
    scen = root / "tests" / "fixtures" / "tiny-scenarios"
    n = onehour.Network.load(tiny, scenarios=scen)
    assert n.matrix_json() == cli_json("check", "--network", str(tiny), "--scenarios", str(scen), "--format", "json")
    assert set(n.scenarios()["name"]) >= {"express", "horizon"}


def test_year_and_limit_are_the_cli_flags(cli_json):
    n = onehour.Network.load(year=2022, limit=45)
    assert n.matrix_json() == cli_json("check", "--year", "2022", "--limit", "45", "--format", "json")


def test_scenarios_and_places(net):
    sc = net.scenarios()
    assert {"today", "plan-2030"} <= set(sc["name"])
    pl = net.places()
    assert {"id", "name", "name_zh", "kind", "lon", "lat"} <= set(pl.columns)
    centres = net.places(kind="centre")
    m = net.matrix_json()
    assert list(centres["id"]) == [p["id"] for p in m["places"]]
    assert centres["in_area"].isin([True, False]).all()
    zones = net.places(kind="zone")
    assert (zones["population"] > 0).all()
    # A scenario's places include the stations it adds.
    assert len(net.scenario("plan-2030").places(kind="station")) > len(net.places(kind="station"))


# Points in the plan area (WGS84): central Tianhe, Foshan's Zumiao, Guangzhou South station's
# forecourt, Zhaoqing's Duanzhou.
POINTS = [
    ("tianhe", 113.3245, 23.1291),
    ("zumiao", 113.1104, 23.0315),
    ("gz_south", 113.2695, 22.9887),
    ("duanzhou", 112.4653, 23.0510),
]


def _points_csv(path: Path, pts) -> Path:
    path.write_text("id,lon,lat\n" + "".join(f"{i},{x},{y}\n" for i, x, y in pts))
    return path


def test_points_matrix_is_the_cli_points_matrix(net, cli_json, tmp_path):
    f = _points_csv(tmp_path / "points.csv", POINTS)
    want = cli_json("matrix", "--points", str(f), "--depart", "07:00", "--format", "json")
    got = net.points_matrix_json(POINTS, depart="07:00")
    assert got == want
    # Some pairs are reached and some within the hour: the comparison is not of empty rows.
    reached = [m for row in got["minutes"] for m in row if m is not None]
    assert len(reached) > len(POINTS) and min(reached) < 60
    # A DataFrame of points gives the same; the long frame has one row per pair.
    frame = pd.DataFrame(POINTS, columns=["id", "lon", "lat"])
    assert net.points_matrix_json(frame, depart="07:00") == want
    df = net.points_travel_time_matrix(frame, depart="07:00")
    assert len(df) == len(POINTS) ** 2
    row = df[(df.from_id == "tianhe") & (df.to_id == "zumiao")].iloc[0]
    assert row.minutes == want["minutes"][0][1]


def test_points_matrix_of_a_scenario_over_a_window_is_the_cli_one(net, cli_json, tmp_path):
    src, dst = POINTS[:2], POINTS[2:]
    f = _points_csv(tmp_path / "from.csv", src)
    g = _points_csv(tmp_path / "to.csv", dst)
    want = cli_json(
        "matrix", "--points", str(f), "--to-points", str(g), "--scenario", "plan-2030",
        "--depart", "07:00-07:20", "--percentiles", "5,95", "--draws", "3", "--format", "json",
    )
    plan = net.scenario("plan-2030")
    got = plan.points_matrix_json(src, dst, depart="07:00-07:20", percentiles=[5, 95], draws=3)
    assert got == want
    assert got["scenario"] == "plan-2030" and len(got["to_places"]) == 2


def test_points_array_is_the_json_matrix_to_the_second(net):
    import numpy as np

    def same(arr, minutes):
        assert arr.shape == (len(minutes), len(minutes[0]))
        for i, row in enumerate(minutes):
            for j, m in enumerate(row):
                if m is None:
                    assert np.isnan(arr[i, j]), (i, j, arr[i, j])
                else:
                    # The JSON rounds to 0.1 minute; the array keeps the seconds.
                    assert abs(arr[i, j] - m) <= 0.05 + 1e-9, (i, j, arr[i, j], m)
                    assert abs(arr[i, j] * 60 - round(arr[i, j] * 60)) < 1e-6

    doc = net.points_matrix_json(POINTS, depart="07:00")
    arr = net.points_travel_time_array(POINTS, depart="07:00")
    same(arr, doc["minutes"])
    assert np.isfinite(arr).sum() > len(POINTS) and np.nanmin(arr[~np.eye(len(POINTS), dtype=bool)]) < 60
    # A scenario over a window, another percentile, other destinations.
    plan = net.scenario("plan-2030")
    src, dst = POINTS[:2], POINTS[2:]
    doc = plan.points_matrix_json(src, dst, depart="07:00-07:20", percentiles=[95], draws=3)
    arr = plan.points_travel_time_array(src, dst, depart="07:00-07:20", percentile=95, draws=3)
    same(arr, doc["percentiles"]["95"])
    with pytest.raises(ValueError, match="not a percentile"):
        net.points_travel_time_array(POINTS, depart="07:00", percentile=101)
    with pytest.raises(ValueError, match="given twice"):
        net.points_travel_time_array([("a", 113.3, 23.1), ("a", 113.2, 23.0)], depart="07:00")


def test_points_matrix_rejects_bad_points(net):
    with pytest.raises(ValueError, match="given twice"):
        net.points_matrix_json([("a", 113.3, 23.1), ("a", 113.2, 23.0)], depart="07:00")
    with pytest.raises(ValueError, match="not a longitude and latitude"):
        net.points_matrix_json([("a", 213.3, 23.1)], depart="07:00")
    with pytest.raises(ValueError, match="at least one origin"):
        net.points_matrix_json([], depart="07:00")
    with pytest.raises(ValueError, match="not \\(id, lon, lat\\)"):
        net.points_matrix_json([("a", 113.3)], depart="07:00")
