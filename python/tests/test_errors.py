"""Bad input raises ValueError naming what is wrong and the fix; never a panic."""

from __future__ import annotations

import pytest

import onehour


def test_unknown_place_names_the_closest(net):
    with pytest.raises(ValueError, match="c_fosha"):
        net.travel_time_matrix(["c_fosha"], ["c_foshan"])


def test_unknown_scenario(net):
    with pytest.raises(ValueError, match="plan-2031"):
        net.scenario("plan-2031")


def test_malformed_window(net):
    with pytest.raises(ValueError, match="HH:MM"):
        net.travel_time_matrix(depart="7am")
    with pytest.raises(ValueError, match="window ends before it starts"):
        net.travel_time_matrix(depart="09:00-07:00")


def test_percentile_out_of_range(net):
    with pytest.raises(ValueError, match="percentile"):
        net.travel_time_matrix(depart="07:00", percentiles=[50, 120])


def test_percentiles_without_a_window(net):
    with pytest.raises(ValueError, match="depart"):
        net.travel_time_matrix(percentiles=[50])


def test_route_takes_one_departure(net):
    with pytest.raises(ValueError, match="one departure"):
        net.route("c_foshan", "c_zhaoqing", depart="07:00-08:00")


def test_missing_network_folder(tmp_path):
    with pytest.raises(ValueError, match="network.toml"):
        onehour.Network.load(tmp_path)


def test_bad_profile_and_limit():
    with pytest.raises(ValueError, match="profile"):
        onehour.Network.load(profile="bike")
    with pytest.raises(ValueError, match="limit"):
        onehour.Network.load(limit=0)


def test_bad_date():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        onehour.Network.load(date="2024-13-40")


def test_bad_isochrone_origin_and_thresholds(net):
    with pytest.raises(ValueError, match="origin"):
        net.isochrones(("a", "b"))
    with pytest.raises(ValueError, match="threshold"):
        net.isochrones("c_foshan", thresholds=[60, 30])
    with pytest.raises(ValueError):
        net.isochrones((0.0, 0.0))


def test_errors_are_onehour_errors(net):
    with pytest.raises(onehour.Error):
        net.scenario("no-such-scenario")
    assert issubclass(onehour.Error, ValueError)
