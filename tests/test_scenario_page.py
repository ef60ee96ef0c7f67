"""The scenario page (Streamlit AppTest on the real data): every number shown is compared
with the coverage engine / optimizer run directly here on the same edits."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage import compare, placement
from coverage.compare import compare_sites
from analysis.config import type_defaults
from coverage.engine import build_state
from coverage.metrics import select_sites
from coverage.places import dataset_places
from coverage.scenario import AddSite, CloseSite, MoveSite, SetCapacity, SetStatus, apply_edits
from store import list_scenarios, load_scenario, save_scenario
from geo.dataset import load_dataset
from ui.scenario_strings import t as page_t
from ui.scenario_actions import CLICK
from ui.scenario_map import GAINED_COLOR, LOST_COLOR, site_tips

APP = str(Path(__file__).parent / "apps" / "scenario_app.py")
MHC, FSC = "mental_health_centre", "family_service_centre"
HOSTILE = "<img src=x onerror=alert(1)>"
GROUP_COLS = {"population": "population", "children": "age_0_14", "elderly": "age_65_plus"}


@pytest.fixture(scope="module")
def ds(data_dir):
    return load_dataset(data_dir)


def _app(store: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["scn_store_dir"] = str(store)
    at.session_state["test_types"] = [FSC, MHC]
    at.run()
    assert not at.exception, at.exception
    return at


def _engine(ds, sites, type_id) -> tuple[dict, np.ndarray]:
    """Covered residents per group and the covered vector, straight from the engine."""
    state = build_state(ds.villages, select_sites(sites, type_id),
                        radius_m=type_defaults(type_id).radius_m)
    cov = state.covered()
    out = {g: float((np.nan_to_num(ds.villages[c].to_numpy(float)) * cov).sum())
           for g, c in GROUP_COLS.items()}
    return out, cov


def _shown(at, type_id) -> pd.DataFrame:
    """The page's totals table of one type: index group, columns before / after."""
    df = at.get_by_key(f"scn_result_{type_id}").dataframe[0].value
    t = page_t
    return pd.DataFrame({"before": df[t("col_before", "zh-TW")].to_numpy(),
                         "after": df[t("col_after", "zh-TW")].to_numpy()},
                        index=list(GROUP_COLS))


def _assert_numbers(at, ds, type_id, edits):
    before, cov_b = _engine(ds, ds.sites, type_id)
    after, cov_a = _engine(ds, apply_edits(ds.sites, edits, places=dataset_places(ds)), type_id)
    shown = _shown(at, type_id)
    for g in GROUP_COLS:
        assert shown.at[g, "before"] == before[g]
        assert shown.at[g, "after"] == after[g]
    return cov_b, cov_a


def _map_script(at) -> str:
    comp = [c for c in at.get("component_instance")
            if c.proto.component_name.endswith("st_folium")]
    assert len(comp) == 1
    return json.loads(comp[0].proto.json_args)["feature_group"]


def _listed(at) -> set[str]:
    """Scenario names in the page's store list (the table of names, authors, versions)."""
    tables = [d.value for d in at.dataframe if "情境名稱" in d.value.columns]
    return set(tables[0]["情境名稱"]) if tables else set()


def _errors(at) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def test_add_at_village_undo_redo_and_delta_map(tmp_path, ds):
    at = _app(tmp_path)
    _assert_numbers(at, ds, MHC, [])
    at.radio(key="scn_where").set_value("village").run()
    at.selectbox(key="scn_village").set_value("68000120015")
    at.selectbox(key="scn_add_type").set_value(MHC)
    at.text_input(key="scn_add_name").set_value(HOSTILE)
    at.button(key="scn_add_btn").click().run()
    assert not at.exception and not _errors(at)
    edits = [AddSite(type=MHC, name=HOSTILE, village="68000120015", status="open")]
    cov_b, cov_a = _assert_numbers(at, ds, MHC, edits)
    gained = set(ds.villages.index[(cov_b == 0) & (cov_a > 0)])
    assert len(gained) > 10

    # villages gaining coverage: listed, and green on the map; the hostile name escaped
    delta = at.get_by_key(f"scn_result_{MHC}").dataframe[1].value
    assert set(delta.index) == gained
    assert set(delta["村里"]) == set(ds.villages.loc[list(gained), "village"])  # names
    script = _map_script(at)
    painted = set(re.findall(r'"code": "(\d{11})", "fill": "' + GAINED_COLOR,
                             script))
    assert painted == gained and LOST_COLOR not in script
    assert "<img src=x" not in script and "&lt;img src=x onerror=alert(1)&gt;" in script

    at.button(key="scn_undo").click().run()
    _assert_numbers(at, ds, MHC, [])
    assert at.get_by_key(f"scn_result_{MHC}").dataframe[1:] != []  # district table still there
    at.button(key="scn_redo").click().run()
    _assert_numbers(at, ds, MHC, edits)


def test_coordinates_move_close_capacity_status(tmp_path, ds):
    at = _app(tmp_path)
    at.radio(key="scn_where").set_value("coords").run()
    at.number_input(key="scn_lon").set_value(121.05)
    at.number_input(key="scn_lat").set_value(24.88)
    at.selectbox(key="scn_add_type").set_value(FSC)
    at.text_input(key="scn_add_name").set_value("新竹界據點")
    at.button(key="scn_add_btn").click().run()
    edits = [AddSite(type=FSC, name="新竹界據點", lon=121.05, lat=24.88, status="open")]
    _assert_numbers(at, ds, FSC, edits)

    # move an existing centre to a clicked map point ("move here")
    at.radio(key="scn_where").set_value("map")
    at.session_state[CLICK] = (121.20, 24.90)
    at.selectbox(key="scn_site").set_value("mhc-001")
    at.button(key="scn_move_btn").click().run()
    edits.append(MoveSite("mhc-001", 121.20, 24.90))
    _assert_numbers(at, ds, MHC, edits)

    at.selectbox(key="scn_site").set_value("fsc-001")
    at.button(key="scn_close_btn").click().run()
    edits.append(CloseSite("fsc-001"))
    at.number_input(key="scn_cap").set_value(7.0)
    at.button(key="scn_cap_btn").click().run()
    edits.append(SetCapacity("fsc-001", 7.0))
    at.selectbox(key="scn_site").set_value("mhc-002")
    at.selectbox(key="scn_status").set_value("closed")
    at.button(key="scn_status_btn").click().run()
    edits.append(SetStatus("mhc-002", "closed"))
    assert not _errors(at)
    _assert_numbers(at, ds, FSC, edits)
    cov_b, cov_a = _assert_numbers(at, ds, MHC, edits)
    lost = set(ds.villages.index[(cov_b > 0) & (cov_a == 0)])
    assert lost  # closing the 桃園區 centre loses villages: they are drawn red
    at.selectbox(key="scn_map_type").set_value(MHC).run()
    painted = set(re.findall(r'"code": "(\d{11})", "fill": "' + LOST_COLOR,
                             _map_script(at)))
    assert painted == lost

    # an edit that cannot apply is refused with a message, the history is unchanged
    at.radio(key="scn_where").set_value("coords").run()
    at.text_input(key="scn_add_name").set_value("")
    at.button(key="scn_add_btn").click().run()
    assert _errors(at) and len(at.session_state["scn_history"].active) == len(edits)


def test_suggestion_matches_optimizer_and_becomes_edits(tmp_path, ds):
    at = _app(tmp_path)
    at.selectbox(key="scn_sug_type").set_value(MHC)
    at.number_input(key="scn_sug_k").set_value(2)
    at.number_input(key="scn_sug_radius").set_value(10.0)
    at.selectbox(key="scn_sug_demand").set_value("elderly")
    at.button(key="scn_sug_run").click().run()
    assert not at.exception and not _errors(at)

    inp = placement.placement_input(ds.villages, select_sites(ds.sites, MHC), demand="elderly")
    direct = placement.solve(inp, model="mclp", radius_m=10_000.0, k=2)
    # the suggested sites come first, by village and district, with their gain by hand:
    # the elderly only that site reaches among the chosen ones
    shown = [d.value for d in at.dataframe if "增加涵蓋人數" in d.value.columns][0]
    assert "村里" in shown and "行政區" in shown and "id" not in shown and "lon" not in shown
    ids = list(inp.candidates["id"])
    cols = [ids.index(c) for c in direct.chosen]
    within = inp.costs[:, cols] <= 10_000.0
    w = inp.demand.to_numpy(float)
    gain = {}
    for j, cid in enumerate(direct.chosen):
        others = np.delete(within, j, axis=1).any(axis=1)
        gain[cid] = float(w[within[:, j] & ~others].sum())
    new = sorted(direct.new_sites, key=lambda c: -gain[c])
    villcode = dict(zip(inp.candidates["id"], inp.candidates.get("villcode", inp.candidates["id"])))
    assert list(shown["村里"]) == [ds.villages.at[villcode[c], "village"] for c in new]
    assert list(shown["增加涵蓋人數"]) == [gain[c] for c in new]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[page_t("suggest_after", "zh-TW")] == f"{direct.covered_demand_after:,.0f}"
    assert metrics[page_t("suggest_before", "zh-TW")] == f"{direct.covered_demand_before:,.0f}"
    # drawn with their own marker (a star) before they are added
    assert _map_script(at).count("site-suggested") == 2

    at.button(key="scn_sug_apply").click().run()
    hist = at.session_state["scn_history"]
    assert sorted(e.village for e in hist.active) == sorted(villcode[c] for c in new)
    _assert_numbers(at, ds, MHC, hist.active)
    elderly_after = _shown(at, MHC).at["elderly", "after"]
    assert elderly_after == direct.covered_demand_after  # the suggestion, as a scenario
    script = _map_script(at)
    assert script.count("site-suggested") == 0 and script.count("site-new") == 2
    edits = [d.value for d in at.dataframe if "編輯" in d.value.columns][0]
    assert all(e.startswith("新增社區心理衛生中心「建議據點 ") for e in edits["編輯"])


def test_save_load_duplicate_delete_and_conflict(tmp_path, ds):
    store = tmp_path / "store"
    at = _app(store)
    at.radio(key="scn_where").set_value("village").run()
    at.selectbox(key="scn_village").set_value("68000040028")
    at.selectbox(key="scn_add_type").set_value(MHC)
    at.text_input(key="scn_add_name").set_value(HOSTILE)
    at.button(key="scn_add_btn").click().run()
    shown_before_save = _shown(at, MHC)
    name = "楊梅 <b>試算</b>"
    at.text_input(key="scn_name").set_value(name)
    at.button(key="scn_save").click().run()
    assert not _errors(at), _errors(at)
    assert load_scenario(name, store=store).version == 1

    at.button(key="scn_reset").click().run()
    assert (_shown(at, MHC)["after"] == _shown(at, MHC)["before"]).all()
    at.selectbox(key="scn_pick").set_value(name)
    at.button(key="scn_load").click().run()
    pd.testing.assert_frame_equal(_shown(at, MHC), shown_before_save)
    assert at.text_input(key="scn_name").value == name

    at.selectbox(key="scn_pick").set_value(name)
    at.text_input(key="scn_dup_name").set_value("副本")
    at.button(key="scn_dup").click().run()
    assert _listed(at) == {name, "副本"} == {i.name for i in list_scenarios(store=store)}

    # another session saves the same scenario: this page's save is refused, clearly
    other = load_scenario(name, store=store)
    save_scenario(other, places=dataset_places(ds), store=store)
    at.radio(key="scn_where").set_value("coords").run()
    at.text_input(key="scn_add_name").set_value("另一點")
    at.button(key="scn_add_btn").click().run()
    at.button(key="scn_save").click().run()
    errors = _errors(at)
    assert len(errors) == 1 and "情境已被其他工作階段修改" in errors[0] and "version 2" in errors[0]
    assert load_scenario(name, store=store).version == 2  # nothing overwritten

    # deleting a copy that changed since the list was drawn is refused too
    at.selectbox(key="scn_pick").set_value("副本").run()
    save_scenario(load_scenario("副本", store=store), places=dataset_places(ds), store=store)
    at.button(key="scn_delete").click().run()
    assert "情境已被其他工作階段修改" in " ".join(_errors(at))
    assert _listed(at) == {name, "副本"}
    at.selectbox(key="scn_pick").set_value("副本")
    at.button(key="scn_delete").click().run()
    assert not _errors(at)
    assert _listed(at) == {name} == {i.name for i in list_scenarios(store=store)}


def test_compare_sites_equal_full_build(ds):
    """compare_sites (what the page shows) after move / capacity / close / status edits."""
    edits = [AddSite(type=MHC, name="a", lon=121.1, lat=24.95, status="open", capacity=3.0),
             MoveSite("mhc-002", 121.25, 25.05), SetCapacity("mhc-001", 4.0),
             CloseSite("fsc-003"), SetStatus("fsc-004", "planned")]
    after = apply_edits(ds.sites, edits, places=dataset_places(ds))
    radii = {MHC: 10_000.0, FSC: 5_000.0}
    views = compare_sites(ds.villages, ds.sites, after, type_ids=list(radii), radii_m=radii)
    for tid, radius in radii.items():
        view = views[tid]
        full = build_state(ds.villages, select_sites(after, tid), radius_m=radius)
        base = build_state(ds.villages, select_sites(ds.sites, tid), radius_m=radius)
        pop = np.nan_to_num(ds.villages["population"].to_numpy(float))
        assert view.totals.at["population", "after"] == float((pop * full.covered()).sum())
        assert view.totals.at["population", "before"] == float((pop * base.covered()).sum())
        assert set(view.gained) == set(ds.villages.index[(base.covered() == 0)
                                                         & (full.covered() > 0)])
        assert set(view.lost) == set(ds.villages.index[(base.covered() > 0)
                                                       & (full.covered() == 0)])
        assert view.sites_after == len(select_sites(after, tid))
        towns = select_sites(after, tid)["district"]
        assert view.districts_with_site[1] == towns.nunique()


def test_compare_type_equals_full_build(ds):
    """coverage.compare.compare_type (used by the reports): the cloned baseline state updated
    edit by edit equals a full engine build, and its JSON form is plain."""
    edits = [AddSite(type=MHC, name="a", lon=121.1, lat=24.95, status="open", capacity=3.0),
             MoveSite("mhc-002", 121.25, 25.05), SetCapacity("mhc-001", 4.0),
             CloseSite("fsc-003"), SetStatus("fsc-004", "planned")]
    after = apply_edits(ds.sites, edits, places=dataset_places(ds))
    for tid, radius in ((MHC, 10_000.0), (FSC, 5_000.0)):
        base = compare.baseline_state(ds.villages, select_sites(ds.sites, tid), radius_m=radius)
        kept = base.covered().copy()
        cmp = compare.compare_type(ds.villages, ds.sites, after, tid, radius_m=radius,
                                   include_planned=False, base=base)
        np.testing.assert_array_equal(base.covered(), kept)  # the given state is not changed
        full = build_state(ds.villages, select_sites(after, tid), radius_m=radius)
        np.testing.assert_array_equal(cmp.covered_after.to_numpy(), full.covered())
        pop = np.nan_to_num(ds.villages["population"].to_numpy(float))
        assert cmp.totals.at["population", "after"] == float((pop * full.covered()).sum())
        assert cmp.districts.at["all", "sites_after"] == len(select_sites(after, tid))
        plain = json.loads(json.dumps(compare.comparison_dict(cmp), allow_nan=False))
        assert plain["covered"]["population"]["after"] == cmp.totals.at["population", "after"]
        assert plain["villages_lost"] == cmp.lost


def test_tooltips_escape_user_text(ds):
    sites = apply_edits(ds.sites, [AddSite(type=MHC, name=HOSTILE, lon=121.2, lat=24.9)],
                        places=dataset_places(ds))
    tips = site_tips(sites[sites["name"] == HOSTILE], "zh-TW")
    assert "<img" not in tips.iloc[0] and "&lt;img src=x onerror=alert(1)&gt;" in tips.iloc[0]
