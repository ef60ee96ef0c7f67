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
from shapely.geometry import Point

from geo import METRIC_CRS

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TYPES = ("family_service_centre",)  # the sidebar's default type
MAX_SNAP_M = 500.0

from streamlit.testing.v1 import AppTest  # noqa: E402


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
    note = [c.value for c in at.caption if "彩色線為在服務範圍內" in c.value]
    assert len(note) == 1 and f"{len(reachable)}/{shown}" in note[0]

    at.toggle(key="circles").set_value(False).run()  # the same switch hides the areas
    assert not _area_sites(_map_script(at))


def test_site_group_with_areas_has_no_circles_and_dashes_planned():
    from ui.mapview import site_group
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"], "type": ["mental_health_centre"] * 3,
         "name": ["開放", "規劃", "路網外"], "status": ["open", "planned", "open"]},
        geometry=[Point(121.30, 24.99), Point(121.31, 24.99), Point(121.0, 24.8)], crs=4326)
    from ui.road_areas import encode_lines
    areas = [{"kind": "service_area", "site_id": sid, "status": status,
              "lines": encode_lines(np.array([[x, 24.98], [x, 24.99]]), np.array([0, 0]), 1)}
             for sid, status, x in (("a", "open", 121.295), ("b", "planned", 121.305))]
    fg = site_group(sites, "mental_health_centre", name="x", radius_m=10000.0,
                    tips=pd.Series(["a", "b", "c"], index=sites.index), areas=areas)
    children = list(fg._children.values())
    assert not [c for c in children if isinstance(c, folium.Circle)]
    layers = [c for c in children if type(c).__name__ == "_AreaLines"]
    assert len(layers) == 1
    feats = json.loads(layers[0].data)
    assert [f["site_id"] for f in feats] == ["a", "b"]
    js = layers[0]._template.module.script(layers[0])
    assert "interactive: false" in js and 'a.status === "planned"' in js
    assert len([c for c in children if isinstance(c, folium.Marker)]) == 3  # markers stay


# --- road travel time: radii in minutes, areas by time, the panel's road figures -------------

@pytest.fixture(scope="module")
def road(data_dir):
    from analysis.context import load_context
    ctx = load_context(data_dir)
    return ctx, ctx.road_network()[0]


def test_travel_time_reach_equals_networkx(road):
    """The nodes of a site's travel-time area are those from which networkx's Dijkstra on
    the reversed graph (to the site) takes at most the radius; the site snapped to its
    nearest node by brute force."""
    import networkx as nx
    from ui.road_areas import _reach_time
    ctx, net = road
    sites = ctx.sites[ctx.sites["type"] == TYPES[0]].head(3)
    reach = _reach_time(net, sites, 420.0)
    nxy = np.asarray(net.node_xy, float)
    reverse = net.graph.reverse(copy=False)
    for sid, p in zip(sites["site_id"].astype(str), sites.geometry.to_crs(METRIC_CRS)):
        node = net.node_ids[int(np.argmin(np.hypot(nxy[:, 0] - p.x, nxy[:, 1] - p.y)))]
        want = nx.single_source_dijkstra_path_length(reverse, node, cutoff=420.0,
                                                     weight="travel_time")
        got = set(np.asarray(net.node_ids)[reach[sid]].tolist())
        assert got == set(want) and len(got) > 10


def test_road_minutes_mode_radii_cards_areas_and_panel(road):
    from analysis.coverage import CoverageQuery, analyse_coverage
    ctx, _ = road
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.sidebar.radio(key="mode").set_value("network_time").run()
    assert not at.exception, [e.message for e in at.exception]
    minutes = at.sidebar.number_input(key=f"minutes_{TYPES[0]}")
    assert minutes.value == ctx.config.type(TYPES[0]).radius_s / 60.0 == 10.0
    minutes.set_value(8.0).run()
    want = analyse_coverage(ctx, CoverageQuery(TYPES[0], radius=480.0, mode="network",
                                               weight="travel_time"))
    cards = {m.label: m.value for m in at.metric}
    assert cards["目標人口涵蓋率"] == f"{100 * want.city['demand_share']:.1f}%"
    assert cards["未涵蓋人數"] == f"{want.city['demand_uncovered']:,.0f}"
    captions = [c.value for c in at.caption]
    assert any("服務範圍 8 分鐘（沿道路車程）" in c for c in captions)
    assert "路網：內政部國土測繪中心 1:25,000 經建版地形圖道路（2024），全市 13 區。" in captions
    at.toggle(key="circles").set_value(True).run()
    script = _map_script(at)
    assert script.count("L.circle(") == 0 and len(_area_sites(script)) >= 1
    assert "L.polyline(" in script and "service-area" in script

    # the village panel: road distance and driving time to the nearest site, as computed
    code = want.gaps.index[0]
    at.session_state["map"] = {"last_active_drawing": {"properties": {"code": code}},
                               "last_object_clicked": {"lat": 25.0, "lng": 121.3}}
    at.run()
    facts = at.get_by_key("village_panel").table[0].value
    facts = dict(zip(facts.index, facts.iloc[:, 0]))
    r = want.villages.loc[code]
    assert facts["家庭服務中心 · 道路距離"] == f"{r['road_m'] / 1000:,.2f} km"
    assert facts["家庭服務中心 · 車程"] == f"{r['road_min']:,.1f} 分鐘"


def test_a_partial_network_still_gets_its_warning(monkeypatch):
    """`--roads osm` (here $SAFETYNET_ROADS): the 桃園區 graph; the page warns that city
    figures are partial and names the district, in each language."""
    from ui import state
    monkeypatch.setenv("SAFETYNET_ROADS", "osm")
    caches = (state.base_context, state._with_library, state._roads)
    for cache in caches:
        cache.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=300)
        at.run()
        at.sidebar.radio(key="mode").set_value("network").run()
        assert not at.exception, [e.message for e in at.exception]
        assert any("路網僅涵蓋桃園區" in w.value for w in at.warning)
        assert any(c.value.startswith("路網：OpenStreetMap 道路（2026-08）（僅涵蓋桃園區）")
                   for c in at.caption)
        at.sidebar.segmented_control(key="lang").set_value("en").run()
        assert any("covers only Taoyuan District" in w.value for w in at.warning)
        assert any("(covers Taoyuan District only)" in c.value for c in at.caption)
    finally:
        for cache in caches:
            cache.clear()


def _decode(text: str) -> list[tuple[float, float]]:
    """The encoded-polyline algorithm written out (lat, lon at 5 decimals), as a reference."""
    out, i, lat, lon = [], 0, 0, 0
    while i < len(text):
        vals = []
        for _ in range(2):
            shift = result = 0
            while True:
                b = ord(text[i]) - 63
                i += 1
                result |= (b & 0x1F) << shift
                shift += 5
                if b < 0x20:
                    break
            vals.append(~(result >> 1) if result & 1 else result >> 1)
        lat, lon = lat + vals[0], lon + vals[1]
        out.append((lat / 1e5, lon / 1e5))
    return out


def test_encoded_road_lines_round_trip():
    """Lines of real magnitude (and negative, long and one-point ones) come back from the
    reference decoder to within the 5-decimal rounding; "<" never appears in the text."""
    from ui.road_areas import as_json, encode_lines
    rng = np.random.default_rng(3)
    lines = [np.column_stack([121.0 + rng.random(n), 24.6 + rng.random(n)]) for n in (2, 7, 1)]
    lines.append(np.array([[-0.5, -1.25], [-0.50001, -1.2], [179.99999, 89.99999]]))
    lonlat = np.vstack(lines)
    index = np.repeat(np.arange(len(lines)), [len(x) for x in lines])
    codes = encode_lines(lonlat, index, len(lines))
    for code, line in zip(codes, lines):
        got = np.array(_decode(code))
        np.testing.assert_allclose(got[:, ::-1], np.round(line, 5), atol=1e-9)
    text = as_json([{"site_id": "</script><img src=x>", "lines": codes}])
    assert "<" not in text and json.loads(text)[0]["site_id"] == "</script><img src=x>"
