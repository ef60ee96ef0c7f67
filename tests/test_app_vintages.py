"""The data vintage in the app (streamlit.testing AppTest, real data): the picker offers
2025-12 (default) and 2021-03 and reloads the context; the cards and the ranking equal the
analysis run here on that vintage; the demand choice offers each type's target population
first and the demand groups the vintage has; the data page names every vintage (boundaries,
population, built-up land, roads, need indicators, library layers) and the crosswalk
summary, with the numbers of :func:`geo.crosswalk.crosswalk_summary`."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
FSC = "family_service_centre"

from streamlit.testing.v1 import AppTest  # noqa: E402

from _app_helpers import start_app  # noqa: E402


def _app(page: str = "overview", lang: str = "zh-TW") -> AppTest:
    return start_app(lang, page=page)


def _frame(at, column: str) -> pd.DataFrame:
    return [d.value for d in at.dataframe if column in d.value.columns][0]


def test_the_vintage_picker_reloads_the_2021_data():
    from analysis.context import load_context
    from analysis.coverage import CoverageQuery, analyse_coverage
    at = _app()
    picker = at.sidebar.selectbox(key="vintage")
    assert picker.value == "2025-12"
    assert picker.options == ["2025-12 人口・516 村里・2023-09 村里界",
                              "2021-03 人口・504 村里・2021 村里界"]
    picker.set_value("2021-03").run()
    assert not at.exception, [e.message for e in at.exception]
    ctx = load_context(vintage="2021-03")
    assert len(ctx.villages) == 504
    assert int(ctx.villages["population"].sum()) == 2_270_689
    want = analyse_coverage(ctx, CoverageQuery(FSC))
    cards = {m.label: m.value for m in at.metric}
    assert cards["目標人口涵蓋率"] == f"{100 * want.city['demand_share']:.1f}%"
    assert cards["未涵蓋人數"] == f"{want.city['demand_uncovered']:,.0f}"
    ranked = [d.value for d in at.dataframe if "村里" in d.value.columns][0]
    top = want.gaps.head(10)
    assert list(ranked["村里"]) == list(ctx.villages.loc[top.index, "village"])
    data = at
    data.sidebar.radio(key="page").set_value("data").run()
    assert "使用中的資料版本：2021-03（504 村里）" in [c.value for c in data.caption]
    versions = _frame(data, "說明").set_index("圖層")
    assert versions.at["村里界", "版本"] == "2021" and versions.at["村里界", "說明"] == "504 個村里"
    assert versions.at["人口", "版本"] == "2021-03"
    assert versions.at["人口", "說明"] == "2,270,689 人"
    data.sidebar.selectbox(key="vintage").set_value("2025-12").run()
    versions = _frame(data, "說明").set_index("圖層")
    assert versions.at["人口", "說明"] == "2,355,106 人"


def test_demand_choices_are_the_targets_and_the_vintages_groups(raw_population_2025):
    from analysis.config import config
    assert list(config().demand_groups) == ["population", "households", "children", "youth",
                                            "working_age", "elderly", "indigenous"]
    assert "households" not in raw_population_2025.columns  # 2025-12 publishes no households
    at = _app()
    at.sidebar.selectbox(key="type").set_value("indigenous_family_centre").run()
    demand = at.sidebar.selectbox(key="demand:indigenous_family_centre")
    # the target first (with its rationale as help), then the groups the vintage has
    assert demand.options[0] == "原住民（目標人口）" and demand.value == "target"
    assert "原住民族家庭服務中心服務原住民家庭" in demand.help
    assert demand.options[1:] == ["總人口", "兒童（0–14 歲）", "兒少（0–17 歲）",
                                  "工作年齡人口（18–64 歲）", "高齡者（65 歲以上）", "原住民"]
    at.sidebar.selectbox(key="vintage").set_value("2021-03").run()
    demand = at.sidebar.selectbox(key="demand:indigenous_family_centre")
    assert "戶數" in demand.options  # the 2021-03 file has households


def test_the_data_page_names_every_vintage_and_the_crosswalk(data_dir):
    from geo.crosswalk import crosswalk_summary, village_crosswalk
    for lang in ("zh-TW", "en"):
        at = _app("data", lang)
        versions = _frame(at, "說明" if lang != "en" else "Note")
        layer = "圖層" if lang != "en" else "Layer"
        version = "版本" if lang != "en" else "Version"
        v = dict(zip(versions[layer], versions[version]))
        if lang == "en":
            assert v["Village boundaries"] == "2023-09" and v["Population"] == "2025-12"
            assert v["Built-up land (where residents live)"] == "2024"
            assert v["Road network"] == "2024"
            assert v["Indigenous residents"] == "2021-06" and v["Taxable income"] == "2018"
            assert v["Low- and middle-low-income households"] == "2021-06"
        else:
            assert v["路網"] == "2024" and v["原住民人口"] == "2021-06"
    summary = crosswalk_summary(village_crosswalk(data_dir))
    at = _app("data")
    text = [c.value for c in at.caption if c.value.startswith("2021 年")][0]
    assert text.startswith(f"2021 年 {summary['old_villages']} 個村里對應 2023-09 年 "
                           f"{summary['new_villages']} 個村里：{summary['unchanged']} 個未變動，"
                           f"{len(summary['changed_old_villages'])} 個 2021 年村里有調整，"
                           f"{len(summary['split_villages'])} 個新村里由分割而來")
    assert (summary["old_villages"], summary["new_villages"]) == (504, 516)
    table = _frame(at, "分得原村里人口比例")
    parents = [p for s in summary["split_villages"].values() for p in s["parents"]]
    assert len(table) == len(parents) == 14  # 12 split villages, two with two parents
    assert list(table["分得原村里人口比例"]) == pytest.approx(
        [100 * p["share_of_parent"] for p in parents])
    assert table["新村里"].iloc[0] == "桃園區 經國里"


def test_a_library_layer_is_named_with_its_version(tmp_path, monkeypatch):
    from geo.services import make_sites
    from store import save_layer
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "home"))
    sites = make_sites([{"site_id": "v1", "type": "employment_desk", "name": "就業台",
                         "status": "open", "lon": 121.3, "lat": 24.99}])
    save_layer("就業台清單", sites, expected_version=0)
    save_layer("就業台清單", sites, expected_version=1)
    at = _app("data")
    versions = _frame(at, "說明")
    assert dict(zip(versions["圖層"], versions["版本"]))["據點圖層庫「就業台清單」"] == "第 2 版"
