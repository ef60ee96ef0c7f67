"""Placement suggestions on the scenario page follow the sidebar's distance (Streamlit
AppTest on the real data and road network): in road-km mode the suggested sites and their
gains equal ``analysis.placement.suggest_sites`` asked here with the same road question, and
each gain equals the elderly residents the coverage engine (``analyse_coverage``, road
mode) counts as covered with all suggested sites minus those covered without that one site;
the answer differs from the straight-line one. In road-minutes mode the radius is asked in
minutes and the suggestion is the travel-time one."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest

from analysis.coverage import CoverageQuery, analyse_coverage
from analysis.placement import PlacementQuery, suggest_sites
from i18n import t

APP = str(Path(__file__).parent / "apps" / "scenario_app.py")
MHC = "mental_health_centre"
GAIN = t("col_gain", "zh-TW")


@pytest.fixture(scope="module")
def ctx(data_dir):
    from analysis.context import load_context
    ctx = load_context(data_dir)
    assert ctx.road_network() is not None
    return ctx


def _app(store: Path, weight: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["scn_store_dir"] = str(store)
    at.session_state["test_types"] = [MHC]
    at.session_state["test_mode"] = "network"
    at.session_state["test_weight"] = weight
    at.run()
    assert not at.exception, at.exception
    return at


def _suggest(at, *, radius_key: str, radius: float) -> pd.DataFrame:
    at.selectbox(key="scn_sug_type").set_value(MHC).run()
    at.number_input(key="scn_sug_k").set_value(2)
    at.number_input(key=radius_key).set_value(radius)
    at.selectbox(key="scn_sug_demand").set_value("elderly")
    at.button(key="scn_sug_run").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return [d.value for d in at.dataframe if GAIN in d.value.columns][0]


def _with_sites(ctx, rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """The context's sites plus open sites of the type at ``rows``' lon / lat (built here,
    not through the scenario's edits)."""
    add = gpd.GeoDataFrame({"site_id": [f"test-{i}" for i in range(len(rows))], "type": MHC,
                            "status": "open", "name": [f"t{i}" for i in range(len(rows))]},
                           geometry=[Point(x, y) for x, y in zip(rows["lon"], rows["lat"])],
                           crs="EPSG:4326").to_crs(ctx.sites.crs)
    return pd.concat([ctx.sites, add], ignore_index=True)


def _covered(ctx, sites, *, radius: float = 10_000.0, weight: str = "length") -> float:
    r = analyse_coverage(ctx.with_sites(sites), CoverageQuery(
        MHC, radius=radius, mode="network", weight=weight, demand="elderly"))
    return float((r.villages["demand"] * r.villages["covered"]).sum())


def test_road_km_suggestion_is_the_road_answer(tmp_path, ctx):
    at = _app(tmp_path, "length")
    km = at.number_input(key="scn_sug_radius")
    assert km.label == "服務半徑（公里）" and "沿道路" in km.help
    shown = _suggest(at, radius_key="scn_sug_radius", radius=10.0)

    road = suggest_sites(ctx, PlacementQuery(MHC, model="mclp", k=2, radius=10_000.0,
                                             demand="elderly", mode="network"))
    new = road.new_sites
    assert len(new) == 2 and (new["gain"] > 0).all()
    assert list(shown["村里"]) == [ctx.villages.at[c, "village"] for c in new["villcode"]]
    assert list(shown[GAIN]) == list(new["gain"])

    # each gain, recomputed by the coverage engine on the roads: covered with every
    # suggested site minus covered without that one
    full = _covered(ctx, _with_sites(ctx, new))
    for i in range(len(new)):
        without = _covered(ctx, _with_sites(ctx, new.drop(index=new.index[i])))
        assert full - without == pytest.approx(shown[GAIN].iloc[i])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("suggest_after", "zh-TW")] == f"{full:,.0f}"
    assert metrics[t("suggest_before", "zh-TW")] == f"{_covered(ctx, ctx.sites):,.0f}"

    straight = suggest_sites(ctx, PlacementQuery(MHC, model="mclp", k=2, radius=10_000.0,
                                                 demand="elderly"))
    assert set(straight.new_sites["villcode"]) != set(new["villcode"])
    # the caption says which distance was used
    said = [c.value for c in at.caption if c.value.startswith("建議條件")]
    assert said == ["建議條件：社區心理衛生中心，新增 2 處，半徑 10.0 公里（沿道路距離），高齡者（65 歲以上）"]


def test_road_minutes_suggestion_asks_minutes(tmp_path, ctx):
    at = _app(tmp_path, "travel_time")
    assert not [w for w in at.number_input if w.key == "scn_sug_radius"]
    minutes = at.number_input(key="scn_sug_minutes")
    assert minutes.label == "車程上限（分鐘）" and "分鐘" in minutes.help
    shown = _suggest(at, radius_key="scn_sug_minutes", radius=20.0)

    timed = suggest_sites(ctx, PlacementQuery(MHC, model="mclp", k=2, radius=1200.0,
                                              demand="elderly", mode="network",
                                              weight="travel_time"))
    assert list(shown["村里"]) == [ctx.villages.at[c, "village"]
                                   for c in timed.new_sites["villcode"]]
    assert list(shown[GAIN]) == list(timed.new_sites["gain"])
    # each gain recomputed by the coverage engine on road travel time (20 min = 1200 s)
    new = timed.new_sites
    assert len(new) == 2 and (new["gain"] > 0).all()
    full = _covered(ctx, _with_sites(ctx, new), radius=1200.0, weight="travel_time")
    for i in range(len(new)):
        without = _covered(ctx, _with_sites(ctx, new.drop(index=new.index[i])),
                           radius=1200.0, weight="travel_time")
        assert full - without == pytest.approx(shown[GAIN].iloc[i])
    said = [c.value for c in at.caption if c.value.startswith("建議條件")]
    assert said == ["建議條件：社區心理衛生中心，新增 2 處，半徑 20 分鐘（沿道路車程），高齡者（65 歲以上）"]
    # the comparison's heading gives the radius in minutes (was seconds / 1000 as "km")
    from ui.controls import default_minutes
    heads = [h.value for h in at.subheader if h.value.startswith("社區心理衛生中心 · ")]
    assert heads == [f"社區心理衛生中心 · {default_minutes()[MHC]:g} 分鐘"]


def test_the_comparison_after_applying_follows_the_road_distance(tmp_path, ctx):
    """Suggested road sites added to the scenario are compared with today on the roads too:
    the elderly covered before and after equal the coverage engine's road answer with and
    without the two sites (radius 10 km, the type's default), and the caption says so."""
    at = _app(tmp_path, "length")
    _suggest(at, radius_key="scn_sug_radius", radius=10.0)
    road = suggest_sites(ctx, PlacementQuery(MHC, model="mclp", k=2, radius=10_000.0,
                                             demand="elderly", mode="network"))
    at.button(key="scn_sug_apply").click().run()
    assert not at.exception, at.exception
    group = t("group_elderly", "zh-TW")
    totals = [d.value for d in at.dataframe if t("col_group", "zh-TW") in d.value.columns]
    row = totals[0].set_index(t("col_group", "zh-TW")).loc[group]
    assert row[t("col_after", "zh-TW")] > row[t("col_before", "zh-TW")]
    assert row[t("col_before", "zh-TW")] == pytest.approx(_covered(ctx, ctx.sites))
    assert row[t("col_after", "zh-TW")] == pytest.approx(
        _covered(ctx, _with_sites(ctx, road.new_sites)))
    assert t("compare_note", "zh-TW", mode="沿道路距離") in [c.value for c in at.caption]
