"""Page logic of the Streamlit app (streamlit.testing AppTest) on the real Taoyuan data: the
figures shown equal the analysis layer's (analysis.coverage run here, not through ui/),
checked by hand where a hand check is short; the map-building helpers keep geometry, clicks,
assets and user text safe."""
from __future__ import annotations

import json
import re
from pathlib import Path
from unittest import mock

import folium
import numpy as np
import pandas as pd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
XSS = "<img src=x onerror=alert(1)>"
FSC, CSS_ = "family_service_centre", "community_support_site"

from streamlit.testing.v1 import AppTest  # noqa: E402


@pytest.fixture(scope="module")
def ctx(data_dir):
    from analysis.context import load_context
    return load_context(data_dir)


@pytest.fixture(scope="module")
def fsc(ctx):
    """The default question: family service centres, 5 km, their target population."""
    from analysis.coverage import CoverageQuery, analyse_coverage
    return analyse_coverage(ctx, CoverageQuery(FSC))


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _app(lang: str = "zh-TW", **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if lang == "en":
        at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _frame(at, key: str) -> pd.DataFrame:
    return at.get_by_key(key).value if hasattr(at.get_by_key(key), "value") else None


def _dataframes(at, column: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_landing_cards_equal_the_analysis(ctx, fsc):
    at = _app()
    shown = _metrics(at)
    city = fsc.city
    assert shown["目標人口涵蓋率"] == f"{100 * city['demand_share']:.1f}%"
    assert shown["未涵蓋人數"] == f"{city['demand_uncovered']:,.0f}"
    # by hand: all 13 districts hold a centre; residents per centre over the 15 centres
    assert shown["有據點的行政區"] == "13 / 13"
    total = pd.to_numeric(ctx.villages["population"]).sum()
    assert shown["每據點服務人數"] == f"{total / 15:,.0f}"
    assert shown["已定位 / 官方數"] == "15 / 15"
    assert len(ctx.villages) == len(fsc.villages)  # the vintage's villages, none dropped


def test_ranked_lists_are_the_analysis_gaps_by_name(ctx, fsc):
    at = _app()
    villages = _dataframes(at, "村里")[0]
    top = fsc.gaps.head(10)
    assert list(villages["村里"]) == list(ctx.villages.loc[top.index, "village"])
    assert list(villages["行政區"]) == list(ctx.villages.loc[top.index, "district"])
    assert list(villages["未涵蓋人數"]) == list(top["uncovered_demand"])
    assert list(villages["排名"]) == list(range(1, 11))
    districts = _dataframes(at, "涵蓋率")[0]
    d = fsc.districts
    want = (d["demand_total"] - d["demand_covered"]).sort_values(ascending=False)
    assert list(districts["未涵蓋人數"]) == list(want)
    assert len(districts) == 13 and "全市" not in set(districts["行政區"])  # city apart
    city = [c.value for c in at.caption if c.value.startswith("全市")]
    assert city == [f"全市：未涵蓋 {fsc.city['demand_uncovered']:,.0f} 人（共 "
                    f"{fsc.city['demand_total']:,.0f} 人，涵蓋率 "
                    f"{100 * fsc.city['demand_share']:.1f}%）"]


def test_a_type_without_sites_reads_no_data_yet(ctx):
    at = _app()
    at.sidebar.selectbox(key="type").set_value(CSS_).run()
    assert not at.exception
    shown = _metrics(at)
    assert shown["目標人口涵蓋率"] == "尚無資料" and "0.0%" not in shown.values()
    assert shown["已定位 / 官方數"] == "0 / 56"
    assert any("尚無資料 — 請匯入據點清單" in i.value for i in at.info)


def test_radius_and_demand_change_the_numbers(ctx):
    from analysis.coverage import CoverageQuery, analyse_coverage
    at = _app()
    at.sidebar.number_input(key=f"radius_{FSC}").set_value(2.0).run()
    want = analyse_coverage(ctx, CoverageQuery(FSC, radius=2000.0))
    assert _metrics(at)["目標人口涵蓋率"] == f"{100 * want.city['demand_share']:.1f}%"
    demand = at.sidebar.selectbox(key=f"demand:{FSC}")
    assert demand.options[0] == "總人口（目標人口）"  # each type's target group first
    assert "高齡者（65 歲以上）" in demand.options
    demand.set_value("elderly").run()
    want = analyse_coverage(ctx, CoverageQuery(FSC, radius=2000.0, demand="elderly"))
    assert _metrics(at)["目標人口涵蓋率"] == f"{100 * want.city['demand_share']:.1f}%"
    assert _metrics(at)["未涵蓋人數"] == f"{want.city['demand_uncovered']:,.0f}"


def _chart_data(at) -> tuple[dict, list[pd.DataFrame]]:
    """The access chart's Vega-Lite spec and its data sets (Arrow tables)."""
    import pyarrow as pa
    chart = at.get("vega_lite_chart")
    assert len(chart) == 1
    proto = chart[0].proto
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in proto.datasets]
    return json.loads(proto.spec), frames


def test_access_chart_is_the_analysis_profile_with_the_radius_marked(ctx, fsc):
    from analysis.coverage import CoverageQuery, access_profile, analyse_coverage
    from coverage.scenario import AddSite, EditHistory
    at = _app()
    spec, frames = _chart_data(at)
    lines = next(f for f in frames if "share" in f)
    rule = next(f for f in frames if "label" in f)
    want = access_profile(fsc, steps=45)
    assert list(lines["series"].unique()) == ["現況"]
    np.testing.assert_allclose(lines["km"], want["threshold"] / 1000.0)
    np.testing.assert_allclose(lines["share"], want["share"])
    assert list(rule["km"]) == [5.0] and rule["label"].iloc[0] == "服務半徑 5.0 公里"
    # by hand: the share within 5 km is the KPI card's coverage
    assert want.loc[want["threshold"] == 5000.0, "share"].iloc[0] == pytest.approx(
        fsc.city["demand_share"])
    # while a scenario is edited, the chart shows it too (same analysis, scenario sites)
    edit = AddSite(type=FSC, name="新據點", village=fsc.gaps.index[0], status="open")
    at.session_state["scn_history"] = EditHistory.of([edit])
    at.run()
    assert not at.exception
    _, frames = _chart_data(at)
    lines = next(f for f in frames if "share" in f)
    assert list(lines["series"].unique()) == ["現況", "情境"]
    from coverage.places import build_places
    from coverage.scenario import apply_edits
    places = build_places(ctx.villages, ctx.districts,
                          vintage=ctx.vintages.get("boundaries", ""))
    after = analyse_coverage(ctx.with_sites(apply_edits(ctx.sites, [edit], places=places)),
                             CoverageQuery(FSC))
    scn = lines[lines["series"] == "情境"]
    np.testing.assert_allclose(scn["share"],
                               access_profile(after, upper=15_000.0, steps=45)["share"])
    assert scn["share"].iloc[-1] >= lines[lines["series"] == "現況"]["share"].iloc[-1]


def test_map_click_opens_the_village_panel(ctx, fsc):
    """The component's value after a click on a village (what streamlit-folium returns)
    selects the village: its panel shows names and the analysis's figures."""
    at = _app()
    code = fsc.gaps.index[3]
    at.session_state["map"] = {"last_active_drawing": {"properties": {"code": code}},
                               "last_object_clicked": {"lat": 25.0, "lng": 121.3}}
    at.run()
    assert not at.exception
    panel = at.get_by_key("village_panel")
    row = ctx.villages.loc[code]
    assert f"**{row['district']} {row['village']}**" in [m.value for m in panel.markdown]
    facts = panel.table[0].value
    facts = dict(zip(facts.index, facts.iloc[:, 0]))
    r = fsc.villages.loc[code]
    assert facts["未涵蓋人數"] == f"{r['uncovered_demand']:,.0f}"
    assert facts["缺口排名"] == f"第 4 名（共 {len(fsc.gaps)} 個缺口村里）"
    nearest = ctx.sites.set_index("site_id").at[r["nearest_site"], "name"]
    assert facts["家庭服務中心 · 最近據點"] == nearest
    assert facts["家庭服務中心 · 距離"] == f"{r['nearest_m'] / 1000:,.2f} km"


def test_search_selects_and_a_miss_clears_the_panel(ctx):
    at = _app()
    at.text_input(key="search").input("樂善").run()
    hits = at.selectbox(key="search_pick:樂善")
    assert hits.options == ["龜山區 樂善里"]
    panel = at.get_by_key("village_panel")
    assert "**龜山區 樂善里**" in [m.value for m in panel.markdown]
    at.text_input(key="search").input("沒有這個里").run()
    assert any("找不到「沒有這個里」" in c.value for c in at.caption)
    assert at.get_by_key("village_panel").table == [] or not at.get_by_key(
        "village_panel").table


def test_road_mode_says_when_the_network_is_partial(ctx):
    """Road mode shows the analysis's road caution as a warning exactly when the network
    is partial (today's network: whichever the data set has)."""
    from analysis.coverage import CoverageQuery, analyse_coverage
    want = analyse_coverage(ctx, CoverageQuery(FSC, mode="network"))
    at = _app()
    at.sidebar.radio(key="mode").set_value("network").run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    partial = any("路網僅涵蓋" in w and "全市數字僅供參考" in w for w in warnings)
    assert partial == bool(want.road.partial), (want.road, warnings)
    assert _metrics(at)["目標人口涵蓋率"] == f"{100 * want.city['demand_share']:.1f}%"


def test_partial_road_note_names_the_district_in_each_language():
    from analysis.notes import Note
    from ui.notes import note_text
    note = Note("note.road_partial", {"covers": "桃園區"}, "warning")
    assert "路網僅涵蓋桃園區" in note_text(note, "zh-TW")
    assert "covers only Taoyuan District" in note_text(note, "en")
    assert not re.search(r"[\u3400-\u9fff]", note_text(note, "en"))


def test_english_switch_keeps_the_choices():
    at = _app()
    at.sidebar.number_input(key=f"radius_{FSC}").set_value(3.0).run()
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Taoyuan safety-net coverage analyser"
    assert at.sidebar.number_input(key=f"radius_{FSC}@en").value == 3.0
    assert at.sidebar.selectbox(key="type@en").value == FSC
    assert _metrics(at)["Located / official"] == "15 / 15"
    at.sidebar.segmented_control(key="lang").set_value("zh-TW").run()
    assert at.sidebar.number_input(key=f"radius_{FSC}").value == 3.0


def test_tables_page_pins_the_city_and_says_no_data(ctx, fsc):
    at = _app(page="tables")
    types = _dataframes(at, "服務類型")[0]
    row = types.set_index("服務類型")
    assert row.at["家庭服務中心", "涵蓋率"] == pytest.approx(100 * fsc.city["demand_share"])
    assert pd.isna(row.at["兒少及家庭社區支持服務據點（小衛星）", "涵蓋率"])  # no data, not 0
    city = [d.value for d in at.dataframe
            if "行政區" in d.value and list(d.value["行政區"]) == ["全市"]]
    assert len(city) == 1 and city[0]["未涵蓋人數"].iloc[0] == fsc.city["demand_uncovered"]
    districts = [d.value for d in at.dataframe if "行政區" in d.value and len(d.value) == 13][0]
    by_name = districts.set_index("行政區")
    names = ctx.districts["district"]
    for code, d in fsc.districts.iterrows():
        uncovered = d["demand_total"] - d["demand_covered"]
        assert by_name.at[names[code], "未涵蓋人數"] == uncovered
        assert by_name.at[names[code], "涵蓋率"] == pytest.approx(100 * d["demand_share"])
    # the frames have one column per label in both languages (no label used twice)
    from ui import rankings, tables_page
    from ui.controls import Settings, default_radii_m
    for lang in ("zh-TW", "en"):
        for frame in (*tables_page.district_table(fsc, lang),
                      rankings.village_frame(fsc, lang, n=None),
                      rankings.district_frame(fsc, lang),
                      tables_page.sites_frame(ctx.sites, FSC, lang),
                      tables_page.types_frame({FSC: fsc}, {}, ctx.sites,
                                              Settings(lang=lang, radii=default_radii_m()))):
            assert frame.columns.is_unique, (lang, list(frame.columns))
    villages = [d.value for d in at.dataframe if "最近據點" in d.value][0]
    assert len(villages) == len(fsc.gaps)
    assert set(villages["最近據點"]) <= set(ctx.sites["name"])  # names, never ids


def test_data_page_shows_no_server_path_and_findings_in_words():
    at = _app(page="data")
    texts = [str(x.value) for x in [*at.markdown, *at.caption, *at.text]]
    frames = [d.value.astype(str).to_numpy().ravel().tolist() for d in at.dataframe]
    every = " ".join(texts + [c for f in frames for c in f])
    assert "/work/" not in every and "/home/" not in every
    findings = [d.value for d in at.dataframe if "問題" in d.value.columns][0]
    assert set(findings["問題"]) <= {"地址中的行政區不屬於桃園市（例如「內壢」屬於中壢區）。",
                                     "地址寫的行政區與座標所在的行政區不同。"}
    assert set(findings["欄位"]) == {"地址"}


def test_without_population_the_pages_say_what_is_missing(tmp_path, monkeypatch):
    from ui import state
    monkeypatch.setenv("SAFETYNET_DATA_DIR", str(tmp_path))  # an empty data directory
    caches = (state.base_context, state._with_library, state._display, state._roads)
    for cache in caches:
        cache.clear()
    try:
        for page in ("overview", "tables", "data"):
            at = _app(page=page)
            if page != "data":
                assert at.warning[0].value == "沒有人口資料：涵蓋率無法計算。"
                assert "/" not in " ".join(c.value for c in at.caption)
    finally:
        for cache in caches:
            cache.clear()


# --- helpers without a running app ------------------------------------------------------

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


def test_every_app_string_has_both_languages_and_no_internal_key_leaks():
    """Every key the app's modules ask for is in the catalogue, in zh-TW and English, and
    the zh-TW text of app strings carries no internal id (a type id or a key)."""
    from geo.services import SERVICE_TYPES
    from i18n import CATALOGUE
    used = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]:
        used |= set(re.findall(r'\bt\("([^"{]+)"', path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith(("_", "."))}  # prefixes of composed keys
    missing = sorted(k for k in used if k not in CATALOGUE)
    assert not missing, missing
    for key in used:
        zh, en = CATALOGUE[key]
        assert zh and en, key
        assert not any(tid in zh for tid in SERVICE_TYPES), key


def test_every_control_has_help():
    """Each widget of every page (both panels of the scenario page, the map options in
    their popover, the sidebar, the report section) has a help text."""
    kinds = ("selectbox", "multiselect", "number_input", "text_input", "text_area",
             "checkbox", "toggle", "radio", "select_slider", "button", "download_button",
             "segmented_control")
    missing = []
    for page in ("overview", "tables", "scenario", "hotspots", "data"):
        at = _app(page=page)
        for kind in kinds:
            for w in at.get(kind):
                key = getattr(w, "key", None) or w.proto.id
                if "FormSubmitter" in str(key):
                    continue
                if not getattr(w.proto, "help", ""):
                    missing.append((page, kind, key))
    assert not missing, missing
