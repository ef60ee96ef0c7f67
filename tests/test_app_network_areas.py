"""The landing map in road-network mode (streamlit.testing AppTest, real data): with the
circles switched on, the straight-line catchment circles give way to road service areas, one
feature per site that lies on the data set's road network (found here by brute-force
snapping over the network's nodes, not through coverage.service_area); neither takes clicks."""
from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import METRIC_CRS

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TYPES = ("family_service_centre",)  # the sidebar's default type
MAX_SNAP_M = 500.0

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest


def _map_script(at) -> str:
    """The swappable feature groups' JavaScript sent to the map component."""
    for el in at.main:
        args = getattr(getattr(el, "proto", None), "json_args", None)
        if args and "feature_group" in args:
            return json.loads(args)["feature_group"]
    raise AssertionError("no map component on the page")


def _area_sites(script: str) -> list[str]:
    return re.findall(r'"kind":\s*"service_area",\s*"site_id":\s*"([^"]+)"', script)


@pytest.fixture(scope="module")
def expected(data_dir):
    """Site ids of the shown sites (open + planned, the default type) within MAX_SNAP_M of
    a road-network node, by brute force over all nodes (EPSG:3826 metres)."""
    from analysis.context import load_context
    ctx = load_context(data_dir)
    network, _ = ctx.road_network()
    nxy = np.asarray(network.node_xy, float)
    s = ctx.sites[(ctx.sites["type"] == TYPES[0]) & ctx.sites["status"].isin(["open", "planned"])]
    pts = s.geometry.to_crs(METRIC_CRS)
    out = {str(sid) for sid, p in zip(s["site_id"], pts)
           if np.hypot(nxy[:, 0] - p.x, nxy[:, 1] - p.y).min() <= MAX_SNAP_M}
    return out, len(s)


def test_network_mode_draws_service_areas_instead_of_circles(expected):
    reachable, shown = expected
    assert reachable
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.toggle(key="circles").value is False  # circles are off by default
    assert _map_script(at).count("L.circle(") == 0
    at.toggle(key="circles").set_value(True).run()
    straight = _map_script(at)
    assert straight.count("L.circle(") == shown and not _area_sites(straight)
    assert straight.count('"interactive": false') >= shown  # circles take no clicks

    at.sidebar.radio(key="mode").set_value("network").run()
    assert not at.exception, [e.message for e in at.exception]
    network = _map_script(at)
    areas = _area_sites(network)
    assert sorted(areas) == sorted(reachable)  # one feature per reachable site
    assert network.count("L.circle(") == 0
    assert "service-area" in network
    note = [c.value for c in at.caption if "色塊為沿道路" in c.value]
    assert len(note) == 1 and f"{len(reachable)}/{shown}" in note[0]

    at.toggle(key="circles").set_value(False).run()  # the same switch hides the areas
    assert not _area_sites(_map_script(at))


def test_site_group_with_areas_has_no_circles_and_dashes_planned():
    from ui.mapview import site_group
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"], "type": ["mental_health_centre"] * 3,
         "name": ["開放", "規劃", "路網外"], "status": ["open", "planned", "open"]},
        geometry=[Point(121.30, 24.99), Point(121.31, 24.99), Point(121.0, 24.8)], crs=4326)
    areas = gpd.GeoDataFrame({"site_id": ["a", "b"]},
                             geometry=[box(121.29, 24.98, 121.30, 24.99),
                                       box(121.30, 24.98, 121.31, 24.99)], crs=4326)
    fg = site_group(sites, "mental_health_centre", name="x", radius_m=10000.0,
                    tips=pd.Series(["a", "b", "c"], index=sites.index), areas=areas)
    children = list(fg._children.values())
    assert not [c for c in children if isinstance(c, folium.Circle)]
    layers = [c for c in children if isinstance(c, folium.GeoJson)]
    assert len(layers) == 1
    feats = layers[0].data["features"]
    assert [f["properties"]["site_id"] for f in feats] == ["a", "b"]
    styles = [layers[0].style_function(f) for f in feats]
    assert styles[0].get("dashArray") is None and styles[1]["dashArray"]
    assert len([c for c in children if isinstance(c, folium.Marker)]) == 3  # markers stay
