"""Isochrones as GeoDataFrames where geopandas is installed, and a clear ImportError where not."""

from __future__ import annotations

import sys

import pytest

import onehour


def test_geodataframe_without_geopandas_names_the_install(net, monkeypatch):
    monkeypatch.setitem(sys.modules, "geopandas", None)  # `import geopandas` now fails
    with pytest.raises(ImportError, match="pip install geopandas"):
        net.isochrones_gdf("c_foshan", thresholds=[30], cell=500)


def test_geodataframe_has_the_bands(net):
    pytest.importorskip("geopandas")
    fc = net.isochrones("c_foshan", thresholds=[30, 60], cell=500)
    gdf = net.isochrones_gdf("c_foshan", thresholds=[30, 60], cell=500)
    assert len(gdf) == len(fc["features"]) == 2
    assert list(gdf["minutes"]) == [60, 30]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()
    # The 60-minute band contains the 30-minute one.
    assert gdf.geometry.iloc[0].buffer(1e-6).contains(gdf.geometry.iloc[1])
