"""Landing page of the Streamlit app (streamlit.testing AppTest) on the real Taoyuan data: the
KPI cards, the ranked village and district lists, the access chart, the map click and search
that open the village panel, road mode's caution and the English switch. The figures shown
equal the analysis layer's (analysis.coverage run here, not through ui/), checked by hand where
a hand check is short. The tables and data pages are in tests/test_app_tables.py, the
map-building helpers in tests/test_app_mapview.py."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from _app_helpers import CSS_, FSC, _dataframes, _metrics
from _app_helpers import start_app as _app
from _app_helpers import ctx, fsc  # noqa: F401  (fixtures)


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
