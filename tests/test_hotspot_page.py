"""The hotspot page (Streamlit AppTest on the real data): the region table, the map classes
and the method note shown equal coverage.hotspots run directly here, on an indicator built
here from coverage.engine.coverage_table (not through ui/ or the CLI). Strings are the
catalogue's (i18n.t)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from coverage import hotspots as hs
from analysis.config import type_defaults
from coverage.engine import coverage_table
from coverage.metrics import select_sites
from geo.dataset import load_dataset
from i18n import t as cat_t
from i18n.hotspot_notes import hotspot_method_note
from ui import hotspot_page as page

APP = str(Path(__file__).parent / "apps" / "hotspot_app.py")
FSC, MHC = "family_service_centre", "mental_health_centre"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def ds(data_dir):
    return load_dataset(data_dir)


@pytest.fixture(scope="module")
def cov(ds):
    """Coverage tables at the default radius, straight from the engine."""
    out = {}
    for tid in (FSC, MHC):
        table, _ = coverage_table(ds.villages, select_sites(ds.sites, tid),
                                  radius_m=type_defaults(tid).radius_m)
        out[tid] = table
    return out


def _direct(ds, table, values, *, method="gi", fdr=False, alpha=0.05, side="hot", **weights):
    """gi_star / local_moran and hotspot_regions with the page's documented inputs:
    seed 12345, 999 permutations (9999 with FDR), hot = bin >= 2 at alpha 0.05 (LISA: HH),
    unmet demand = demand x (1 - covered)."""
    opts = dict(permutations=9999 if fdr else 999, seed=12345, alpha=alpha, fdr=fdr, **weights)
    fn = hs.gi_star if method == "gi" else hs.local_moran
    result, meta = fn(values, ds.villages, **opts)
    reg = ds.villages.copy()
    reg["population"] = pd.to_numeric(reg["population"]).astype(float)
    reg["demand"] = table["demand"]
    reg["unmet"] = table["demand"] * (1.0 - table["covered"])
    reg["nearest_site"] = table["nearest_site"]
    min_bin = {0.10: 1, 0.05: 2, 0.01: 3}[alpha]
    regions = hs.hotspot_regions(reg, hs.hot_villages(result, min_bin=min_bin, side=side),
                                 demand_col="demand", unmet_col="unmet", site_col="nearest_site",
                                 missing="zero")
    return result, {**meta, "side": side, "min_bin": min_bin}, regions


def _app(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _regions_shown(at) -> pd.DataFrame:
    return at.get_by_key("hs_regions").dataframe[0].value


def _assert_regions(at, ds, regions, lang="zh-TW"):
    shown = _regions_shown(at)
    t = cat_t
    assert len(shown) == len(regions) > 0
    assert list(shown[t("hs.col_region", lang)]) == list(range(1, len(regions) + 1))
    assert list(shown[t("hs.col_n", lang)]) == list(regions["n_villages"])
    for col, src in (("hs.col_pop", "population"), ("hs.col_demand", "demand"),
                     ("hs.col_unmet", "unmet_demand")):
        assert np.array_equal(shown[t(col, lang)].to_numpy(float), regions[src].to_numpy(float))
    # ranked by unmet demand
    assert (np.diff(shown[t("hs.col_unmet", lang)].to_numpy(float)) <= 0).all()
    v = ds.villages
    vname, dcol = ("village_en", "district_en") if lang == "en" else ("village", "district")
    sep = "、" if lang != "en" else ", "
    names = [sep.join(f"{v.at[c, dcol]} {v.at[c, vname]}" for c in codes)
             for codes in regions["villages"]]
    assert list(shown[t("hs.col_villages", lang)]) == names
    site_name = dict(zip(ds.sites["site_id"], ds.sites["name"]))
    assert list(shown[t("hs.col_sites", lang)]) == [sep.join(site_name[s] for s in ss)
                                                   for ss in regions["nearest_sites"]]


def _styles(at) -> dict[str, list[str]]:
    """{VILLCODE: [fill, tooltip]} sent to the map component (ui.mapview._VillageStyle)."""
    comp = [c for c in at.get("component_instance")
            if c.proto.component_name.endswith("st_folium")]
    assert len(comp) == 1
    script = json.loads(comp[0].proto.json_args)["feature_group"]
    return json.loads(re.search(r"var styles = (\{.*?\});", script, re.S).group(1))


def _note(at) -> str:
    return at.get_by_key("hs_note").caption[0].value.replace("\\", "")


def test_default_gi_star_table_map_and_note(ds, cov):
    at = _app()
    # the page opens on the config's indicator (the reports' and the CLI's default) ...
    box = at.selectbox(key=f"hs_indicator:{FSC}")
    assert box.value == "children_density"
    values = hs.children_density(ds.villages)
    _assert_regions(at, ds, _direct(ds, cov[FSC], values)[2])
    # ... and the unmet-need indicator is one choice away
    box.set_value("uncovered_share").run()
    assert not at.exception
    table = cov[FSC]
    values = (1.0 - table["covered"].astype(float)).rename("uncovered_share")
    result, meta, regions = _direct(ds, table, values)
    _assert_regions(at, ds, regions)
    # region 1 by hand: every village's uncovered residents, summed
    first = regions.iloc[0]
    unc = (table.loc[first["villages"], "population"] * (1 - table.loc[first["villages"],
                                                                         "covered"])).sum()
    assert _regions_shown(at)["未涵蓋人數"].iloc[0] == unc
    # map: every village painted with the colour of its Gi* bin
    styles = _styles(at)
    assert len(styles) == len(ds.villages)
    want = {c: page.BIN_COLORS[int(b)] for c, b in result["bin"].items()}
    assert {c: s[0] for c, s in styles.items()} == want
    assert len({s[0] for s in styles.values()}) >= 3  # some hot, some cold, not significant
    # method note: permutations, seed and FDR state as coverage.hotspots states them
    note = _note(at)
    label = "未涵蓋比例（家庭服務中心）"
    assert note == hotspot_method_note({**meta, "type": FSC, "indicator": label}, "zh-TW")
    assert "指標：未涵蓋比例（家庭服務中心）" in note and "uncovered_share" not in note
    assert "排列 999 次" in note and "亂數種子 12345" in note and "未做多重檢定校正" in note


def test_lisa_labels_equal_local_moran(ds, cov):
    at = _app()
    at.selectbox(key=f"hs_indicator:{FSC}").set_value("elderly_density")
    at.radio(key="hs_method").set_value("lisa").run()
    assert not at.exception
    values = hs.elderly_density(ds.villages)
    result, meta, regions = _direct(ds, cov[FSC], values, method="lisa")
    sig = at.get_by_key("hs_significant").dataframe[0].value
    shown = dict(zip(sig.index, sig["LISA"]))
    want = result.loc[result["quadrant"] != "ns", "quadrant"].to_dict()
    assert shown == want
    assert {"HH", "LL"} <= set(want.values())
    styles = _styles(at)
    assert {c: s[0] for c, s in styles.items()} == \
        {c: page.LISA_COLORS[q] for c, q in result["quadrant"].items()}
    _assert_regions(at, ds, regions)  # HH villages merged
    label = "高齡人口密度（65 歲以上，人/平方公里）"
    assert "局部 Moran's I" in _note(at)
    assert _note(at) == hotspot_method_note({**meta, "indicator": label}, "zh-TW")


def test_fdr_uses_9999_permutations(ds, cov):
    at = _app()
    at.selectbox(key=f"hs_indicator:{FSC}").set_value("children_density")
    at.checkbox(key="hs_fdr").check().run()
    assert not at.exception
    values = hs.children_density(ds.villages)
    result, meta, regions = _direct(ds, cov[FSC], values, fdr=True)
    _assert_regions(at, ds, regions)
    note = _note(at)
    label = "兒童人口密度（0–14 歲，人/平方公里）"
    assert note == hotspot_method_note({**meta, "indicator": label}, "zh-TW")
    assert "排列 9999 次" in note and "亂數種子 12345" in note and "偽發現率（FDR）" in note
    sig = at.get_by_key("hs_significant").dataframe[0].value
    assert dict(zip(sig.index, sig["Gi_Bin"].astype(int))) == \
        result.loc[result["bin"] != 0, "bin"].astype(int).to_dict()
    assert np.allclose(sig["p（FDR 校正）"], result.loc[sig.index, "p_fdr"])


def test_english_distance_band_and_cold_access_regions(ds, cov):
    at = _app(test_lang="en")
    at.selectbox(key="hs_type@en").set_value(MHC).run()
    at.selectbox(key=f"hs_indicator@en:{MHC}").set_value("access_score")
    at.radio(key="hs_weights@en").set_value("distance").run()
    at.number_input(key="hs_threshold@en").set_value(4.0)
    at.select_slider(key="hs_alpha@en").set_value(0.10).run()
    assert not at.exception
    table = cov[MHC]
    values = table["access"].astype(float).rename("access_score")
    result, meta, regions = _direct(ds, table, values, alpha=0.10, side="cold",
                                    weights="distance", threshold_m=4000.0)
    _assert_regions(at, ds, regions, lang="en")
    note = _note(at)
    label = "2SFCA access (mean 1) (Community mental-health centre)"
    assert note == hotspot_method_note({**meta, "indicator": label}, "en")
    assert "distance band 4000 m" in note and "999 conditional permutations, seed 12345" in note
    assert "cold regions: villages with Gi* bin <= -1" in note
    tip = _styles(at)[regions.iloc[0]["villages"][0]][1]
    assert "Cold spot" in tip and "region 1" in tip


def test_indicator_without_sites_is_a_warning():
    at = _app()
    at.selectbox(key="hs_type").set_value("community_support_site").run()  # 0 sites located
    assert not at.exception and not at.warning  # children density needs no sites
    at.selectbox(key="hs_indicator:community_support_site").set_value("uncovered_share").run()
    assert not at.exception
    shown = [w.value for w in at.warning]
    assert shown == [cat_t("hs.cannot_no_sites", "zh-TW")]  # words, no internal names


def test_tooltips_and_legend_escape_text():
    villages = pd.DataFrame({"district": [XSS, "桃園區"], "village": ["`${x}`", "b"],
                             "district_en": ["d", "e"], "village_en": ["f", "g"]},
                            index=["A", "B"])
    result = pd.DataFrame({"value": [1.0, 2.0], "z": [3.1, -0.2], "p": [0.002, 0.8],
                           "bin": [3, 0]}, index=["A", "B"])
    regions = pd.DataFrame({"region": [1], "villages": [["A"]]})
    tips = page.village_tips(villages, result, regions, "children_density", XSS, "zh-TW")
    assert "<img" not in tips["A"] and "&lt;img" in tips["A"] and "`" not in tips["A"]
    assert "熱點 99% 信心" in tips["A"] and "屬第 1 區" in tips["A"]
    legend = page.legend_html(result, XSS, "en")
    assert "<img" not in legend and "Hot spot, 99% confidence (1)" in legend


def test_indigenous_residents_per_1000_is_an_indicator(ds, cov, data_dir):
    """The need layer measured per village (indigenous residents, 2021-06, carried onto the
    516 villages) is a hotspot indicator on the page: values from the published file by
    hand (o_cnt carried by the crosswalk sums to 78,366), regions equal the direct call and
    the mountain villages of 復興區 form the hot region."""
    at = _app()
    at.selectbox(key=f"hs_indicator:{FSC}").set_value("per_1000:indigenous").run()
    assert not at.exception
    carried = pd.to_numeric(ds.villages["indigenous"]).astype(float)
    assert carried.sum() == pytest.approx(78_366)
    values = (1000.0 * carried / pd.to_numeric(ds.villages["population"]).astype(float)
              ).rename("per_1000:indigenous")
    result, meta, regions = _direct(ds, cov[FSC], values)
    _assert_regions(at, ds, regions)
    # every village whose code did not change carries the published count itself
    raw = pd.read_csv(data_dir / "demand" / "taoyuan_indigenous_village_2021-06.csv",
                      dtype={"district_code": str}).set_index("district_code")["o_cnt"]
    same = raw.index.intersection(carried.index)
    kept = carried[same] == raw[same]
    # 492 of the 504 codes carry the published count itself; the 12 others changed their
    # boundaries in 2022 (the crosswalk moves people between them, the total is kept)
    assert len(same) == 504 and kept.sum() == 492
    first = set(regions.iloc[0]["villages"])
    fuxing = set(ds.villages.index[ds.villages["district"] == "復興區"])
    assert fuxing <= first  # the mountain district's villages form the hot region
    assert "每千人原住民族人口" in _note(at)
