"""The map-building helpers of the Streamlit app, without a running app: catchment circles take
no clicks, class breaks fit the metric, the display geometry keeps shared edges, the city view
leaves the legend strip free, assets are local and match folium's versions, user text is
escaped in tooltips and scripts, the cached-base renderer passes what st_folium would and the
site layer marks planned sites."""
from __future__ import annotations

import json
import re
from unittest import mock

import folium
import numpy as np
import pandas as pd
import pytest
import shapely

from _app_helpers import FSC, XSS
from _app_helpers import ctx  # noqa: F401  (fixture)


def test_catchment_circles_take_no_clicks():
    """folium drops ``interactive`` from path options; ours sets it, so a click inside a
    circle reaches the village under it (the browser test clicks one)."""
    from ui.mapview import catchment_circle
    m = folium.Map()
    catchment_circle([25.0, 121.3], 5000.0, color="#d63e2a").add_to(m)
    js = m.get_root().render()
    options = json.loads(re.search(r"L\.circle\(\s*\[[^\]]*\],\s*(\{.*?\})\s*\)", js,
                                   re.S).group(1))
    assert options["interactive"] is False and options["radius"] == 5000.0
    plain = folium.Circle([25.0, 121.3], radius=5000.0, interactive=False)
    assert "interactive" not in plain.options  # why the helper exists


def test_class_breaks_fit_the_metric():
    import mapclassify
    from ui.classes import BINARY_COLORS, NODATA_COLOR, UNREACHABLE_COLOR, ZERO_COLOR, classify
    covered = pd.Series([1.0, 0.0, 1.0, 1.0, np.nan], index=list("abcde"))
    colors, legend = classify(covered, kind="binary")
    assert [e["label_key"] for e in legend] == ["legend_yes", "legend_no", "legend_nodata"]
    assert [e["count"] for e in legend] == [3, 1, 1]  # two classes for 0/1, nothing empty
    assert colors["b"] == BINARY_COLORS[0] and colors["e"] == NODATA_COLOR
    gap = pd.Series([0.0, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0])
    colors, legend = classify(gap, kind="gap", k=5)
    assert legend[0]["label_key"] == "legend_zero" and legend[0]["count"] == 2
    assert colors[0] == ZERO_COLOR
    ref = mapclassify.Quantiles(gap[gap > 0].to_numpy(), k=4)
    assert [e["upper"] for e in legend[1:]] == pytest.approx(list(ref.bins))
    assert [e["count"] for e in legend[1:]] == list(ref.counts)
    share = pd.Series([0.0, 0.1, 0.2, 0.5, 0.81, 1.0, np.inf, np.nan], index=list("abcdefgh"))
    colors, legend = classify(share, kind="share")
    ref = mapclassify.UserDefined(share.iloc[:6].to_numpy(), bins=[0.2, 0.4, 0.6, 0.8, 1.0])
    hexes = [e["color"] for e in legend if "lower" in e]
    assert [hexes[c] for c in ref.yb] == list(colors.iloc[:6])
    assert colors["g"] == UNREACHABLE_COLOR and colors["h"] == NODATA_COLOR


def test_display_geometry_keeps_shared_edges(ctx):
    from ui.mapview import DISPLAY_TOLERANCE_M, display_geometry
    villages = ctx.villages
    simple = display_geometry(villages)
    assert len(simple) == len(villages) and simple.is_valid.all()
    assert shapely.coverage_is_valid(simple.to_crs(3826).to_numpy())
    orig = villages.geometry.to_numpy()
    tree = shapely.STRtree(orig)
    i, j = tree.query(orig, predicate="touches")
    metric = villages.geometry.to_crs(3826).to_numpy()
    # edges longer than two simplification tolerances (a 0.3 m "edge" is a corner)
    pairs = [(a, b) for a, b in zip(i, j) if a < b
             and shapely.intersection(metric[a], metric[b]).length > 2 * DISPLAY_TOLERANCE_M]
    new = simple.to_numpy()
    lost = [p for p in pairs if shapely.intersection(new[p[0]], new[p[1]]).length == 0]
    assert len(pairs) > 1000 and not lost
    a0 = villages.to_crs(3826).area.sum()
    assert abs(simple.to_crs(3826).area.sum() - a0) / a0 < 0.005


def test_city_view_leaves_the_legend_strip_free(ctx):
    """The fitted view puts the city right of the legend strip: the west edge of the city
    lies at least LEGEND_PX from the map's left edge (Web-Mercator pixels)."""
    import math
    from ui.mapview import bounds_view
    minx, miny, maxx, maxy = ctx.districts.total_bounds
    (lat, lon), zoom = bounds_view((minx, miny, maxx, maxy), width_px=440, height_px=560,
                                   pad_left_px=140)
    px_per_deg = 256 * 2 ** zoom / 360
    assert (minx - lon) * px_per_deg + 440 / 2 >= 140 - 1
    assert (maxx - lon) * px_per_deg + 440 / 2 <= 440 + 1
    assert math.isfinite(lat)


def test_assets_are_local_and_match_folium_versions():
    from ui.assets import STATIC_DIR, external_urls, manifest, offline_map
    m = offline_map(tiles=None, control_scale=True)
    folium.Marker([25.0, 121.3], icon=folium.Icon(icon="home")).add_to(m)
    assert external_urls(m) == []
    assert "imperial: false" in m.get_root().render()  # a metric-only scale bar
    man = manifest()
    for kind, cdn in (("js", folium.Map.default_js), ("css", folium.Map.default_css)):
        for name, url in cdn:
            if name == "awesome_rotate_css":
                continue
            local = man[kind][name]
            assert (STATIC_DIR / local).is_file()
            version = local.split("@")[1].split("/")[0]
            assert version in url or name == "glyphicons_css", (name, url, local)


def test_escaping_user_text_in_tooltips():
    from ui.assets import esc
    from ui.map_page import site_tips
    evil = "`${alert(1)}`" + XSS + "\\"
    assert not set("<>`$\\") & set(esc(evil))
    sites = pd.DataFrame({"name": [XSS], "type": [FSC], "status": ["open"],
                          "address": ['"><script>x()</script>']})
    tip = site_tips(sites, "zh-TW").iloc[0]
    assert "<img" not in tip and "<script" not in tip and "&lt;img" in tip
    # template tags in a name: folium compiles every rendered script as a Jinja template
    import geopandas as gpd
    from shapely.geometry import Point

    from ui.folium_component import _groups_script
    from ui.mapview import site_group, village_style_group
    for name in ("{{x", "{%y", "{#z", "{{ 7*7 }}"):
        named = gpd.GeoDataFrame({"site_id": ["a"], "type": [FSC], "name": [name],
                                  "status": ["open"]}, geometry=[Point(121.3, 25.0)], crs=4326)
        tips = site_tips(named, "zh-TW")
        assert "{" not in tips.iloc[0] and "&#123;" in tips.iloc[0]
        script = _groups_script([
            village_style_group(pd.Series({"v": "#ffffff"}), pd.Series({"v": tips.iloc[0]}),
                                legend_html=esc(name)),
            site_group(named, FSC, name=esc(name), radius_m=None, tips=tips)])
        assert "&#123;" in script and "49" not in script


def test_component_arguments_match_st_folium():
    """Our cached-base renderer passes streamlit-folium's component what st_folium would."""
    import streamlit_folium as sf
    from ui.assets import offline_map
    from ui.folium_component import show_map

    def build():
        m = offline_map(location=[25.0, 121.3], zoom_start=10, tiles=None)
        folium.GeoJson({"type": "Feature", "properties": {}, "geometry": {
            "type": "Point", "coordinates": [121.3, 25.0]}}).add_to(m)
        return m

    def group():
        fg = folium.FeatureGroup(name="g")
        folium.Marker([25.0, 121.3]).add_to(fg)
        return fg

    with mock.patch.object(sf, "_component_func") as ref:
        sf.st_folium(build(), key="k", feature_group_to_add=[group()], returned_objects=[])
    with mock.patch.object(sf, "_component_func") as ours:
        show_map(("test", id(build)), build, [group()], overlays=[("g", 0)], key="k",
                 returned_objects=[])
    a, b = ref.call_args.kwargs, ours.call_args.kwargs
    for name in ("script", "header", "html", "css_links", "js_links", "feature_group",
                 "key", "default"):
        assert a[name] == b[name], name


def test_site_layer_marks_planned_sites_and_draws_quiet_circles():
    import geopandas as gpd
    from shapely.geometry import Point
    from ui.mapview import site_group
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b"], "type": ["mental_health_centre"] * 2,
         "name": ["開放", "規劃"], "status": ["open", "planned"]},
        geometry=[Point(121.30, 24.99), Point(121.20, 24.95)], crs=4326)
    fg = site_group(sites, "mental_health_centre", name="x", radius_m=10000.0,
                    tips=pd.Series(["a", "b"], index=sites.index))
    circles = [c for c in fg._children.values() if isinstance(c, folium.Circle)]
    markers = [c for c in fg._children.values() if isinstance(c, folium.Marker)
               and not isinstance(c, folium.Circle)]
    icons = [next(ch for ch in mk._children.values() if isinstance(ch, folium.Icon))
             for mk in markers]
    assert [i.options["marker_color"] for i in icons] == ["green", "lightgray"]
    assert [c.options["radius"] for c in circles] == [10000.0, 10000.0]
    assert all(c.options["interactive"] is False for c in circles)
    assert circles[0].options.get("dashArray") is None and circles[1].options["dashArray"]
