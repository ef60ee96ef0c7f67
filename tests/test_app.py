"""Page logic of the Streamlit app (streamlit.testing AppTest) on the real Taoyuan data:
the figures shown equal the engine's, computed here directly with coverage.* (not through
ui/), and the map-building helpers keep geometry, assets and user text safe."""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import folium
import numpy as np
import pandas as pd
import pytest
import shapely

from coverage.engine import coverage_table
from coverage.metrics import coverage_summary, district_kpi, select_sites
from geo.boundaries import load_villages

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
XSS = "<img src=x onerror=alert(1)>"

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest


@pytest.fixture(scope="module")
def engine(data_dir):
    """Engine figures for the default layers, computed without ui/."""
    from geo.population import load_village_table
    from geo.services import load_default_sites
    villages, _ = load_village_table(data_dir)
    sites, _ = load_default_sites(data_dir)

    def run(type_id: str, radius_m: float):
        chosen = select_sites(sites, type_id)
        table, _ = coverage_table(villages, chosen, radius_m=radius_m)
        summary = coverage_summary(table, ["demand", "population", "children", "elderly"],
                                   weight_col="demand")
        return table, summary, district_kpi(chosen, villages), len(chosen)
    return villages, sites, run


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _metrics(at) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in at.metric:
        out.setdefault(m.label, []).append(m.value)
    return out


def _frames_with(at, column: str) -> list[pd.DataFrame]:
    """The st.dataframe values that have ``column`` (AppTest keeps no key on them)."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def _app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def test_overview_cards_equal_engine(engine):
    villages, _, run = engine
    at = _app()
    assert not at.exception, [e.message for e in at.exception]
    shown = _metrics(at)
    # family service centres are the first card, mental-health centres the third
    table, summary, kpi, n = run("family_service_centre", 5000.0)
    city = summary.loc["all"]
    assert shown["已定位 / 官方數"][0] == "15 / 15"
    assert shown["人口涵蓋率"][0] == _pct(city["population_share"])
    assert shown["兒少涵蓋率"][0] == _pct(city["children_share"])
    assert shown["高齡涵蓋率"][0] == _pct(city["elderly_share"])
    assert shown["行政區涵蓋率"][0] == f"{_pct(kpi['district_share'])} " \
                                   f"({kpi['districts_with_site']}/13)"
    # residents per site by hand: the 2021-03 total over the 15 centres
    total = int(pd.to_numeric(villages["population"]).sum())
    assert total == 2_270_689
    assert shown["每據點服務人口"][0] == f"{round(total / 15):,}" == "151,379"
    table, summary, kpi, n = run("mental_health_centre", 10000.0)
    assert shown["已定位 / 官方數"][2] == "2 / 5"
    assert shown["人口涵蓋率"][2] == _pct(summary.loc["all", "population_share"])
    # a type without any located site: 0 of its official count, nothing covered
    assert shown["已定位 / 官方數"][1] == "0 / 56"
    assert shown["人口涵蓋率"][1] == "0.0%"


def test_district_table_equals_engine(engine):
    _, _, run = engine
    at = _app()
    df = _frames_with(at, "人口涵蓋率")[0]  # first selected type: family service centres
    _, summary, _, _ = run("family_service_centre", 5000.0)
    row = df[df["行政區"] == "復興區"].iloc[0]
    code = "68000130"  # 復興區
    assert row["人口"] == f"{summary.loc[code, 'population_total']:,.0f}"
    assert row["人口涵蓋率"] == _pct(summary.loc[code, "population_share"])
    assert row["距離中位數"] == f"{summary.loc[code, 'median_m'] / 1000:,.1f} km"
    assert df.iloc[-1]["行政區"] == "全市" and len(df) == 14


def test_radius_change_updates_cards(engine):
    _, _, run = engine
    at = _app()
    before = _metrics(at)["人口涵蓋率"][0]
    at.sidebar.number_input(key="radius_family_service_centre").set_value(2.0).run()
    after = _metrics(at)["人口涵蓋率"][0]
    _, summary, _, _ = run("family_service_centre", 2000.0)
    assert after == _pct(summary.loc["all", "population_share"])
    assert after != before


def test_english_switch_and_thousands_separators():
    at = _app()
    assert at.title[0].value == "桃園市社會安全網資源涵蓋分析"
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert at.title[0].value == "Taoyuan safety-net coverage analyser"
    shown = _metrics(at)
    assert shown["Residents per site"][0] == "151,379"
    assert shown["Located / official"][0] == "15 / 15"


def test_map_page_numbers_and_detail_panel(engine):
    villages, sites, run = engine
    at = _app(page="map")
    assert not at.exception, [e.message for e in at.exception]
    table, summary, _, _ = run("family_service_centre", 5000.0)
    shown = _metrics(at)
    assert shown["家庭服務中心 · 人口涵蓋率"] == [_pct(summary.loc["all", "population_share"])]
    # the village the user clicked (st_folium's last_active_drawing) -> detail table
    code = table["nearest_m"].idxmax()
    at.session_state["selected_village"] = code
    at.run()
    detail = at.table[0].value
    values = dict(zip(detail.index, detail.iloc[:, 0]))
    assert values["人口"] == f"{int(villages.at[code, 'population']):,}"
    nearest = sites.set_index("site_id").at[table.at[code, "nearest_site"], "name"]
    assert values["家庭服務中心 · 最近據點"] == nearest
    assert values["家庭服務中心 · 距離"] == f"{table.at[code, 'nearest_m'] / 1000:,.2f} km"


def test_map_page_search_and_district_filter():
    at = _app(page="map")
    at.text_input(key="search").input("文化").run()
    labels = at.selectbox(key="search_pick:文化").options
    assert any("文化里" in s for s in labels)
    # the first hit is selected: its detail panel shows that village
    first = labels[0]
    villages = load_villages()
    hit = villages[(villages["district"] + " " + villages["village"]) == first]
    assert len(hit) == 1
    assert any(m.value == f"`{hit.index[0]}`" or hit.index[0] in m.value for m in at.markdown)
    at.sidebar.selectbox(key="district").set_value("68000130").run()
    assert not at.exception


def test_import_shows_rows_and_errors_as_text(tmp_path):
    at = _app(page="data")
    csv = ("名稱,地址,經度,緯度,類型,狀態\n"
           f'"{XSS}",桃園市桃園區縣府路1號,121.3010,24.9936,family_service_centre,open\n'
           "壞座標,桃園市中壢區,999,24.95,family_service_centre,open\n").encode("utf-8")
    at.file_uploader(key="upload").set_value(("sites.csv", csv, "text/csv"))
    at.button(key="FormSubmitter:import_form-匯入").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("已匯入 1 個據點" in s.value for s in at.success)
    rejected = _frames_with(at, "reasons")[0]
    assert list(rejected["row"].astype(int)) == [2]
    imported = at.table[-1].value
    assert XSS in list(imported["name"])  # shown verbatim, as text
    comp = _frames_with(at, "官方數說明")[0]
    fsc = comp[comp["服務類型"] == "家庭服務中心"].iloc[0]
    assert fsc["已定位"] == "16" and fsc["完整度"] == "106.7%"


# --- helpers without a running app ------------------------------------------------------

def test_display_geometry_keeps_shared_edges():
    from ui.mapview import display_geometry
    villages = load_villages()
    simple = display_geometry(villages)
    assert len(simple) == 504 and simple.is_valid.all()
    # still a coverage: no overlaps (shared edges were simplified once, identically)
    assert shapely.coverage_is_valid(simple.to_crs(3826).to_numpy())
    # every pair of villages that shared an edge still shares one
    orig = villages.geometry.to_numpy()
    tree = shapely.STRtree(orig)
    i, j = tree.query(orig, predicate="touches")
    pairs = [(a, b) for a, b in zip(i, j) if a < b
             and shapely.intersection(orig[a], orig[b]).length > 0]
    new = simple.to_numpy()
    lost = [p for p in pairs if shapely.intersection(new[p[0]], new[p[1]]).length == 0]
    assert len(pairs) > 1000 and not lost
    # fewer or equal vertices, same total area within 0.5 %
    assert shapely.get_num_coordinates(new).sum() <= shapely.get_num_coordinates(orig).sum()
    a0 = villages.to_crs(3826).area.sum()
    assert abs(simple.to_crs(3826).area.sum() - a0) / a0 < 0.005


def test_classify_share_bins_match_mapclassify_user_defined():
    import mapclassify
    from ui.mapview import NODATA_COLOR, UNREACHABLE_COLOR, classify
    values = pd.Series([0.0, 0.1, 0.2, 0.5, 0.81, 1.0, np.inf, np.nan], index=list("abcdefgh"))
    colors, legend = classify(values, kind="share")
    finite = values.iloc[:6].to_numpy()
    ref = mapclassify.UserDefined(finite, bins=[0.2, 0.4, 0.6, 0.8, 1.0])
    hexes = [e["color"] for e in legend if "lower" in e]
    assert [hexes[c] for c in ref.yb] == list(colors.iloc[:6])
    assert colors["g"] == UNREACHABLE_COLOR and colors["h"] == NODATA_COLOR
    assert [e["count"] for e in legend if "lower" in e] == list(np.bincount(ref.yb, minlength=5))


def test_assets_are_local_and_match_folium_versions():
    from ui.assets import STATIC_DIR, external_urls, manifest, offline_map
    m = offline_map(tiles=None)
    folium.Marker([25.0, 121.3], icon=folium.Icon(icon="home")).add_to(m)
    assert external_urls(m) == []
    man = manifest()
    for kind, cdn in (("js", folium.Map.default_js), ("css", folium.Map.default_css)):
        for name, url in cdn:
            if name == "awesome_rotate_css":
                continue  # not vendored (icons are never rotated), see VERSIONS.md
            local = man[kind][name]
            assert (STATIC_DIR / local).is_file()
            # the vendored version is the one folium names in its CDN URL
            version = local.split("@")[1].split("/")[0]
            assert version in url or name == "glyphicons_css", (name, url, local)
    assert "BSD 2-Clause" in (STATIC_DIR / "vendor/leaflet@1.9.3/LICENSE").read_text()


def test_escaping_user_text_in_tooltips():
    from ui.assets import esc
    from ui.map_page import site_tips
    evil = "`${alert(1)}`" + XSS + "\\"
    out = esc(evil)
    assert not set("<>`$\\") & set(out)
    sites = pd.DataFrame({"name": [XSS], "type": ["family_service_centre"],
                          "status": ["open"], "address": ['"><script>x()</script>']})
    tip = site_tips(sites, "zh-TW").iloc[0]
    assert "<img" not in tip and "<script" not in tip and "&lt;img" in tip


def test_component_arguments_match_st_folium():
    """Our cached-base renderer passes streamlit-folium's component what st_folium would
    (script, header, html, asset links, feature groups)."""
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


def test_site_layer_marks_planned_sites_and_draws_catchments():
    import geopandas as gpd
    from shapely.geometry import Point
    from ui.mapview import site_group
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b"], "type": ["mental_health_centre"] * 2,
         "name": ["開放", "規劃"], "status": ["open", "planned"]},
        geometry=[Point(121.30, 24.99), Point(121.20, 24.95)], crs=4326)
    fg = site_group(sites, "mental_health_centre", name="x", radius_m=10000.0,
                    tips=pd.Series(["a", "b"], index=sites.index))
    markers = [c for c in fg._children.values() if isinstance(c, folium.Marker)
               and not isinstance(c, folium.Circle)]
    circles = [c for c in fg._children.values() if isinstance(c, folium.Circle)]
    icons = [next(ch for ch in mk._children.values() if isinstance(ch, folium.Icon))
             for mk in markers]
    assert [i.options["marker_color"] for i in icons] == ["green", "lightgray"]
    assert "status-planned" in icons[1].options["extra_classes"]
    assert [c.options["radius"] for c in circles] == [10000.0, 10000.0]
    assert circles[0].options.get("dashArray") is None and circles[1].options["dashArray"]


def test_base_map_tiles_are_optional():
    from ui.mapview import base_map, display_geometry, geojson_features
    from geo.boundaries import load_districts
    districts = load_districts()
    dgeom = display_geometry(districts)
    feats = geojson_features(display_geometry(load_villages()))

    def tiles(m):
        return [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert tiles(base_map(districts, dgeom, feats, tiles="none")) == []  # offline default
    assert len(tiles(base_map(districts, dgeom, feats, tiles="osm"))) == 1


def test_language_switch_keeps_the_choices():
    at = _app(page="map")
    at.sidebar.number_input(key="radius_family_service_centre").set_value(3.0).run()
    at.sidebar.selectbox(key="district").set_value("68000130").run()
    at.sidebar.multiselect(key="types").set_value(["family_service_centre"]).run()
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.radio(key="page@en").value == "map"
    assert at.sidebar.multiselect(key="types@en").value == ["family_service_centre"]
    assert at.sidebar.number_input(key="radius_family_service_centre@en").value == 3.0
    assert at.sidebar.selectbox(key="district@en").value == "68000130"
    at.sidebar.segmented_control(key="lang").set_value("zh-TW").run()
    assert at.sidebar.number_input(key="radius_family_service_centre").value == 3.0


def test_district_table_without_a_site_shows_a_dash(engine):
    """Mental-health centres: 2 sites, so most districts have none -> residents per site
    is undefined there (not 'inf')."""
    at = _app()
    df = _frames_with(at, "每據點人口")[1]  # second selected type
    assert "inf" not in set(df["每據點人口"]) and "—" in set(df["每據點人口"])


def test_without_population_the_pages_say_what_is_missing(tmp_path, monkeypatch):
    from ui import state
    monkeypatch.setenv("SAFETYNET_DATA_DIR", str(tmp_path))  # an empty data directory
    state.dataset.clear()
    state.display.clear()
    try:
        for page in ("overview", "map", "data"):
            at = _app(page=page)
            assert not at.exception, (page, [e.message for e in at.exception])
            if page != "data":
                assert at.warning[0].value == "沒有人口資料：涵蓋率無法計算。"
                assert any("population" in x.value for x in at.text)
    finally:
        state.dataset.clear()
        state.display.clear()


@pytest.mark.parametrize("kind", ["xlsx", "geojson"])
def test_import_excel_and_geojson(tmp_path, kind):
    """The same two sites as an Excel sheet and as GeoJSON: both land in their layer."""
    rows = [("社區心理衛生中心甲", "桃園市中壢區中央西路1號", 121.2240, 24.9560),
            ("社區心理衛生中心乙", "桃園市楊梅區大成路1號", 121.1460, 24.9080)]
    if kind == "xlsx":
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["名稱", "地址", "經度", "緯度"])
        for r in rows:
            ws.append(list(r))
        path = tmp_path / "sites.xlsx"
        wb.save(path)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        import json
        path = tmp_path / "sites.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": n, "address": a},
             "geometry": {"type": "Point", "coordinates": [x, y]}} for n, a, x, y in rows]},
            ensure_ascii=False), encoding="utf-8")
        mime = "application/geo+json"
    at = _app(page="data")
    at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), mime))
    at.selectbox(key="import_type").set_value("mental_health_centre")
    at.button(key="FormSubmitter:import_form-匯入").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("已匯入 2 個據點" in s.value for s in at.success)
    comp = _frames_with(at, "官方數說明")[0]
    mhc = comp[comp["服務類型"] == "社區心理衛生中心"].iloc[0]
    assert mhc["已定位"] == "4"  # 2 default + 2 imported, of 5
