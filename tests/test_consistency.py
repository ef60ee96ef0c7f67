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
