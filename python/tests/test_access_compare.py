"""Accessibility, comparisons and window isochrones from a point: the package's numbers are
the command line's on the same inputs."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd
import pytest

import onehour

SURFACE = "networks/guangzhou/population/districts.geojson"


def test_compare_is_the_cli_compare(net, cli_json):
    want = cli_json("compare", "today", "plan-2030", "--format", "json")
    assert net.compare_json("today", "plan-2030") == want
    c = net.compare("today", "plan-2030")
    n = len(want["centres"])
    assert len(c.pairs) == n * (n - 1)
    assert list(c.centres["population_other"]) == want["population_other"]
    assert c.benefit == want["benefit"]
    for _, r in c.pairs.iterrows():
        i, j = want["centres"].index(r["from"]), want["centres"].index(r["to"])
        d = want["delta_minutes"][i][j]
        assert (d is None and math.isnan(r.delta_minutes)) or r.delta_minutes == d
    assert c.pairs.newly_within.sum() == len(want["newly_within"])
    assert len(c.largest_gains) == len(want["largest_gains"])


def test_compare_over_a_window_is_the_cli_compare_with_depart(net, cli_json):
    want = cli_json(
        "compare", "today", "plan-2030", "--depart", "07:00-07:10", "--draws", "2",
        "--format", "json",
    )
    got = net.compare_json("today", "plan-2030", "07:00-07:10", draws=2)
    assert got == want
    assert "timing" in got


def _cli_access(cli, tmp_path: Path, scenarios: str, cutoff: int) -> Path:
    out = tmp_path / "acc"
    cli(
        "access", "--opportunities", SURFACE, "--columns", "population", "--grid", "5000",
        "--cutoffs", str(cutoff), "--scenario", scenarios, "--out", str(out),
    )
    return out


def test_access_is_the_cli_access_csv(net, cli, tmp_path):
    out = _cli_access(cli, tmp_path, "today", 45)
    a = net.access(cutoff=45)
    want_csv = (out / "access.csv").read_text()
    assert a.csv == want_csv
    want = pd.read_csv(io.StringIO(want_csv), dtype={"id": str})
    pd.testing.assert_frame_equal(a.cells, want)
    assert list(a.cells.columns) == ["id", "lon", "lat", "population_within_45"]
    summary = json.loads((out / "summary.json").read_text())
    assert a.summary["scenarios"] == summary["scenarios"]
    assert a.geojson == json.loads((out / "access.geojson").read_text())


def test_access_compared_is_the_cli_access_of_two_scenarios(net, cli, tmp_path):
    out = _cli_access(cli, tmp_path, "today,plan-2030", 45)
    a = net.access(cutoff=45, compare="plan-2030")
    assert a.csv == (out / "access.csv").read_text()
    assert "population_within_45_diff" in a.cells.columns
    summary = json.loads((out / "summary.json").read_text())
    assert a.summary["difference"] == summary["difference"]
    # Kept: the second call is the same answer.
    assert net.access(cutoff=45, compare="plan-2030").csv == a.csv


def test_access_gdf_has_the_cells(net):
    pytest.importorskip("geopandas")
    gdf = net.access_gdf(cutoff=45)
    assert len(gdf) == len(net.access(cutoff=45).cells)
    assert set(gdf.geom_type) == {"Polygon"}
    assert gdf.crs.to_epsg() == 4326


def test_access_bounds_name_the_parameter(net):
    with pytest.raises(onehour.Error, match="grid"):
        net.access(grid=1000)
    with pytest.raises(onehour.Error, match="cutoff"):
        net.access(cutoff=0)
    with pytest.raises(onehour.Error, match="percentile"):
        net.access(percentile=120)
    with pytest.raises(onehour.Error, match="plan-2099"):
        net.access(compare="plan-2099")


def test_window_isochrone_from_a_point(net):
    fc = net.isochrones((113.32, 23.13), thresholds=[30, 60], cell=500, depart="07:00-07:05")
    assert [f["properties"]["minutes"] for f in fc["features"]] == [60, 30]
    assert fc["features"][0]["properties"]["origin"].startswith("point:")
    assert fc["features"][0]["properties"]["area_km2"] > fc["features"][1]["properties"]["area_km2"]
