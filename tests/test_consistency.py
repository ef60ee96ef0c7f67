"""One analysis, one answer (issue 11 proof): the same question asked through the CLI
(``--json`` and its output files), the app (AppTest) and the xlsx report gives identical
numbers — per-type city coverage, the district table, the top-20 gap villages and the
hotspot regions (count, villages, unmet demand)."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from cli import main
from reports.xlsx import sheet_by_key

TYPES = ("family_service_centre", "mental_health_centre")


def _sheet(wb, key: str) -> pd.DataFrame:
    rows = list(sheet_by_key(wb, key).iter_rows(values_only=True))
    return pd.DataFrame(rows[2:], columns=rows[0])  # row 1 ids, row 2 labels


@pytest.fixture(scope="module")
def cli_answers(tmp_path_factory, data_dir):
    """What the CLI answers, per type (coverage --json and its JSON file) and for hotspots
    (the defaults: children density, config settings, regions with unmet demand of the
    first type)."""
    tmp = tmp_path_factory.mktemp("cli")
    out = {}
    for tid in TYPES:
        path = tmp / f"{tid}.json"
        assert main(["coverage", "--type", tid, "--out", str(path), "--data-dir",
                     str(data_dir)]) == 0
        out[tid] = json.loads(path.read_text("utf-8"))
    path = tmp / "hot.json"
    assert main(["hotspots", "--indicator", "children_density", "--type", TYPES[0],
                 "--out", str(path), "--data-dir", str(data_dir)]) == 0
    out["hotspots"] = json.loads(path.read_text("utf-8"))
    return out


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, data_dir):
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    assert main(["report", "--type", *TYPES, "--hotspot-indicator", "children_density",
                 "--out", str(path), "--data-dir", str(data_dir)]) == 0
    return openpyxl.load_workbook(path, data_only=True)


def test_city_coverage_is_the_same(cli_answers, workbook, raw_population_2025):
    city = _sheet(workbook, "city").set_index("type")
    # both answer on the default data: every resident of the published file is demand
    # for the family service centres (people_total)
    assert city.at[TYPES[0], "demand_total"] == raw_population_2025["人口"].sum() == 2_355_106
    for tid in TYPES:
        s = cli_answers[tid]["summary"]
        for key in ("demand_total", "demand_covered", "demand_share", "median_m",
                    "districts_with_site"):
            assert city.at[tid, key] == pytest.approx(s[key], rel=1e-12), (tid, key)


def test_district_tables_are_the_same(cli_answers, workbook):
    sheet = _sheet(workbook, "districts")
    for tid in TYPES:
        xl = sheet[sheet["type"] == tid].set_index("TOWNCODE")
        cli = pd.DataFrame(cli_answers[tid]["districts"]).set_index("TOWNCODE")
        assert sorted(xl.index) == sorted(cli.index) and len(cli) == 14  # 13 + "all"
        for col in ("demand_total", "demand_covered", "demand_share", "median_m", "sites"):
            assert xl.loc[cli.index, col].astype(float).to_numpy() == pytest.approx(
                cli[col].astype(float).to_numpy(), rel=1e-12, nan_ok=True), (tid, col)


def test_top_20_gap_villages_are_the_same(cli_answers, workbook):
    gaps = _sheet(workbook, "gaps")
    for tid in TYPES:
        villages = pd.DataFrame(cli_answers[tid]["villages"])
        unmet = villages["demand"].fillna(0) * (1 - villages["covered"])
        order = villages.assign(unmet=unmet)[villages["covered"] < 1].sort_values(
            ["unmet", "VILLCODE"], ascending=[False, True], kind="stable")
        xl = gaps[gaps["type"] == tid].sort_values("rank").head(20)
        assert list(xl["VILLCODE"]) == list(order["VILLCODE"].head(20))
        assert xl["uncovered_demand"].to_numpy() == pytest.approx(
            order["unmet"].head(20).to_numpy(), rel=1e-12)


def test_hotspot_regions_are_the_same(cli_answers, workbook):
    cli = pd.DataFrame(cli_answers["hotspots"]["regions"])
    xl = _sheet(workbook, "hotspot_regions")
    xl = xl[pd.to_numeric(xl["region"], errors="coerce").notna()]  # the method note follows
    assert len(xl) == len(cli) > 0  # regions to compare (children density clusters)
    assert [str(v).split(", ") for v in xl["village_codes"]] == list(cli["villages"])
    assert xl["unmet_demand"].astype(float).to_numpy() == pytest.approx(
        cli["unmet_demand"].astype(float).to_numpy(), rel=1e-12)
    settings = _sheet(workbook, "hotspot_settings").set_index("setting")["setting_value"]
    meta = cli_answers["hotspots"]["meta"]
    for key in ("permutations", "seed", "alpha", "fdr", "min_bin"):
        assert str(settings[key]) == str(meta[key]), key


# --- the app (AppTest): the same numbers on the Tables and Hotspots pages ---------------

APP = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "app.py")


def _app_page(page: str, type_id: str):
    """The app on ``page`` with the sidebar's service type set to ``type_id`` (zh-TW)."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["page"] = page
    at.run()
    if type_id != TYPES[0]:
        at.sidebar.selectbox(key="type").set_value(type_id).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture(scope="module")
def app_tables():
    """Per type, the Tables page's three frames: the pinned city row, the 13 districts and
    the village ranking (zh-TW labels)."""
    out = {}
    for tid in TYPES:
        at = _app_page("tables", tid)
        frames = [d.value for d in at.dataframe]  # keyed frames are not found by key
        city = [f for f in frames if "行政區" in f and list(f["行政區"]) == ["全市"]]
        districts = [f for f in frames if "涵蓋率" in f and "行政區" in f and len(f) == 13]
        ranking = [f for f in frames if "排名" in f and "最近據點" in f]
        assert len(city) == len(districts) == len(ranking) == 1, tid
        out[tid] = {"city_row": city[0], "district_table": districts[0],
                    "village_table": ranking[0]}
    return out


def _district_names(data_dir) -> dict[str, str]:
    from analysis.context import load_context
    districts = load_context(data_dir, library=False).districts
    return dict(zip(districts.index, districts["district"]))


def test_app_tables_show_the_cli_figures(cli_answers, app_tables, data_dir):
    names = _district_names(data_dir)
    for tid in TYPES:
        s, app = cli_answers[tid]["summary"], app_tables[tid]
        city = app["city_row"].iloc[0]
        assert city["行政區"] == "全市"
        assert city["未涵蓋人數"] == pytest.approx(s["demand_total"] - s["demand_covered"],
                                                abs=1e-6)
        assert city["涵蓋率"] == pytest.approx(100 * s["demand_share"], rel=1e-12)
        assert city["中位數（公里）"] == pytest.approx(s["median_m"] / 1000, rel=1e-12)
        cli = pd.DataFrame(cli_answers[tid]["districts"]).set_index("TOWNCODE").drop("all")
        shown = app["district_table"].set_index("行政區")
        assert len(shown) == len(cli) == 13
        for code, row in cli.iterrows():
            got = shown.loc[names[code]]
            assert got["未涵蓋人數"] == pytest.approx(row["demand_total"] - row["demand_covered"],
                                                   abs=1e-6), (tid, code)
            assert got["涵蓋率"] == pytest.approx(100 * row["demand_share"], rel=1e-12)
            assert got["據點數"] == row["sites"], (tid, code)


def test_app_village_ranking_is_the_cli_gap_ranking(cli_answers, app_tables, data_dir):
    from analysis.context import load_context
    villages = load_context(data_dir, library=False).villages
    for tid in TYPES:
        cli = pd.DataFrame(cli_answers[tid]["villages"])
        unmet = cli["demand"].fillna(0) * (1 - cli["covered"])
        order = cli.assign(unmet=unmet)[cli["covered"] < 1].sort_values(
            ["unmet", "VILLCODE"], ascending=[False, True], kind="stable").head(20)
        want = [(villages.at[c, "district"], villages.at[c, "village"]) for c in order["VILLCODE"]]
        app = app_tables[tid]["village_table"].sort_values("排名").head(20)
        assert list(zip(app["行政區"], app["村里"])) == want, tid
        assert app["未涵蓋人數"].to_numpy() == pytest.approx(order["unmet"].to_numpy(),
                                                          rel=1e-12)


def test_app_hotspot_regions_are_the_cli_regions(cli_answers, data_dir):
    """The Hotspots page on its defaults (children density, the config's settings, unmet
    demand of the family service centres) lists the CLI's regions: count, villages (by
    name), population and persons not covered."""
    from analysis.context import load_context
    villages = load_context(data_dir, library=False).villages
    at = _app_page("hotspots", TYPES[0])
    frames = [d.value for d in at.dataframe if "村里數" in d.value.columns]
    assert len(frames) == 1
    app = frames[0]
    cli = pd.DataFrame(cli_answers["hotspots"]["regions"])
    assert len(app) == len(cli) > 0
    sep = "、"
    for (_, shown), (_, want) in zip(app.iterrows(), cli.iterrows()):
        names = [f"{villages.at[c, 'district']} {villages.at[c, 'village']}"
                 for c in want["villages"]]
        assert shown["村里"].split(sep) == names
        assert shown["村里數"] == len(want["villages"])
        assert shown["人口"] == pytest.approx(float(want["population"]), rel=1e-12)
        assert shown["未涵蓋人數"] == pytest.approx(float(want["unmet_demand"]), rel=1e-12)
