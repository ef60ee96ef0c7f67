"""Reports on the real Taoyuan data, the Excel export: every sheet is reopened with openpyxl
and its figures are checked against a brute-force numpy computation (demand points to sites,
the published population file, connected components of touching villages) or against
``safetynet hotspots --json``; the analysis result is only what is rendered, never the
reference. Shared references and fixtures: tests/_report_fixtures.py."""
from __future__ import annotations

import json
import tomllib

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from _report_fixtures import FSC, MHC, PERMUTATIONS, RADIUS, ROOT, nearest_m, open_sites, read_sheet
from _report_fixtures import after, ctx, data, population, scenario  # noqa: F401  (fixtures)
from cli import main as cli_main
from geo import METRIC_CRS
from reports import export_report


@pytest.fixture(scope="module")
def workbook(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    export_report(data, "xlsx", path)
    return openpyxl.load_workbook(path)


def test_radii_are_the_config_defaults():
    cfg = tomllib.loads((ROOT / "analysis" / "defaults.toml").read_text(encoding="utf-8"))
    assert {t: cfg["types"][t]["radius_km"] * 1000 for t in RADIUS} == RADIUS


# --- Excel ----------------------------------------------------------------------------------

def test_xlsx_sheets_headers_frozen(workbook):
    keys = [ws.sheet_properties.codeName for ws in workbook.worksheets]
    assert keys == ["city", "districts", "villages", "gaps", "district_need", "deserts", "access",
                    "hotspot_regions", "hotspot_villages", "hotspot_settings", "scenario",
                    "scenario_districts", "scenario_villages", "scenario_edits", "sites",
                    "notes", "quality", "sources"]
    assert workbook.sheetnames[:3] == ["全市摘要", "行政區", "村里"]  # zh-TW report
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A3", ws.title
    ws = workbook["全市摘要"]
    assert ws["A1"].value == "type" and ws["A2"].value == "服務類型代碼"


def test_xlsx_city_matches_brute_force(workbook, ctx, after, population):
    city = read_sheet(workbook, "city").set_index("type")
    assert list(city.index) == [FSC, MHC]
    total = float(population.sum())
    assert total == 2_355_106  # the published total of the 2025-12 file
    for tid in (FSC, MHC):
        near = nearest_m(ctx.villages, after, tid)
        covered = float(population[near <= RADIUS[tid]].sum())
        row = city.loc[tid]
        assert row["radius_km"] * 1000 == RADIUS[tid]
        assert row["demand_total"] == total
        assert row["demand_covered"] == pytest.approx(covered, abs=1e-6)
        assert row["demand_share"] == pytest.approx(covered / total, rel=1e-12)
        assert row["sites"] == len(open_sites(after, tid))
    assert city.loc[FSC, "sites"] == 14 and city.loc[MHC, "sites"] == 3
    ws = workbook["全市摘要"]
    col = [c.value for c in ws[1]].index("demand_share") + 1
    assert ws.cell(3, col).number_format == "0.0%"


def test_xlsx_villages_and_districts_match_brute_force(workbook, ctx, after, population):
    villages = read_sheet(workbook, "villages")
    districts = read_sheet(workbook, "districts")
    for tid in (FSC, MHC):
        v = villages[villages["type"] == tid].set_index("VILLCODE").loc[ctx.villages.index]
        near = nearest_m(ctx.villages, after, tid)
        np.testing.assert_allclose(v["nearest_m"].astype(float), near, rtol=1e-9)
        np.testing.assert_array_equal(v["covered"].astype(float), (near <= RADIUS[tid]) * 1.0)
        d = districts[districts["type"] == tid].set_index("TOWNCODE")
        assert list(d.index[:-1]) == sorted(ctx.districts.index) and d.index[-1] == "all"
        by_town = (population * (near <= RADIUS[tid])).groupby(ctx.villages["TOWNCODE"]).sum()
        np.testing.assert_allclose(d.loc[by_town.index, "demand_covered"].astype(float), by_town)
        assert d.loc["all", "demand_covered"] == pytest.approx(by_town.sum())
    assert len(villages) == 2 * len(ctx.villages) == 2 * 516


def test_xlsx_gap_ranking_matches_brute_force(workbook, ctx, after, population):
    gaps = read_sheet(workbook, "gaps")
    g = gaps[gaps["type"] == FSC]
    near = nearest_m(ctx.villages, after, FSC)
    uncovered = population[near > RADIUS[FSC]].sort_values(ascending=False)
    assert list(g["rank"]) == list(range(1, len(uncovered) + 1))
    np.testing.assert_array_equal(g["uncovered_demand"].astype(float), uncovered.to_numpy())
    assert set(g["VILLCODE"].head(20)) <= set(uncovered.index[uncovered >= uncovered.iloc[19]])


def test_xlsx_access_profile_matches_brute_force(workbook, ctx, after, population):
    acc = read_sheet(workbook, "access")
    a = acc[acc["type"] == MHC]
    near_after = nearest_m(ctx.villages, after, MHC)
    near_before = nearest_m(ctx.villages, ctx.sites, MHC)
    total = population.sum()
    assert a["threshold_km"].max() == pytest.approx(3 * RADIUS[MHC] / 1000)
    for km, share, base in zip(a["threshold_km"], a["share"], a["share_baseline"]):
        assert share == pytest.approx(population[near_after <= km * 1000].sum() / total, abs=1e-12)
        assert base == pytest.approx(population[near_before <= km * 1000].sum() / total, abs=1e-12)


def _components(villages: gpd.GeoDataFrame, codes: list[str]) -> list[set]:
    """Connected components of the villages ``codes`` that touch (queen: shared edge or
    corner), by a spatial self-join and scipy's connected_components."""
    part = villages.loc[codes].to_crs(METRIC_CRS).reset_index()
    pairs = gpd.sjoin(part, part, predicate="intersects")
    n = len(part)
    graph = coo_matrix((np.ones(len(pairs)), (pairs.index.to_numpy(),
                                              pairs["index_right"].to_numpy())), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return [set(part["VILLCODE"][label == k]) for k in range(label.max() + 1)]


def test_hotspot_regions_equal_cli_and_merge_touching_villages(workbook, ctx, after,
                                                                population, data_dir, capsys):
    regions = read_sheet(workbook, "hotspot_regions")
    hv = read_sheet(workbook, "hotspot_villages").set_index("VILLCODE")
    settings = dict(read_sheet(workbook, "hotspot_settings")[["setting", "setting_value"]].values)
    cfg = tomllib.loads((ROOT / "analysis" / "defaults.toml").read_text(encoding="utf-8"))
    assert settings["indicator"] == cfg["hotspots"]["indicator"]
    assert settings["permutations"] == PERMUTATIONS and settings["seed"] == cfg["hotspots"]["seed"]
    assert settings["fdr"] is False and settings["min_bin"] == 2 and settings["type"] == FSC
    hot = list(hv.index[hv["bin"] >= 2])
    assert len(hot) >= 2  # children density clusters in the city centre: regions to compare
    expected = _components(ctx.villages, hot)
    got = [set(s.split(", ")) for s in regions["village_codes"]]
    assert sorted(map(sorted, got)) == sorted(map(sorted, expected))
    near = nearest_m(ctx.villages, after, FSC)
    unmet = population.where(near > RADIUS[FSC], 0.0)
    for codes, value in zip(got, regions["unmet_demand"]):
        assert value == pytest.approx(unmet[list(codes)].sum())
    # the same question through `safetynet hotspots` (on the scenario's sites: same unmet)
    assert cli_main(["hotspots", "--indicator", cfg["hotspots"]["indicator"], "--type", FSC,
                     "--permutations", str(PERMUTATIONS), "--data-dir", str(data_dir),
                     "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["regions"]
    assert sorted(r["villages"] for r in cli) == sorted(sorted(codes) for codes in got)


def test_xlsx_scenario_sheets_match_brute_force(workbook, ctx, after, population):
    comp = read_sheet(workbook, "scenario")
    shares = comp[comp["metric"] == "population_share"].set_index("type")
    changes = read_sheet(workbook, "scenario_villages")
    total = population.sum()
    for tid in (FSC, MHC):
        before = nearest_m(ctx.villages, ctx.sites, tid) <= RADIUS[tid]
        now = nearest_m(ctx.villages, after, tid) <= RADIUS[tid]
        assert shares.loc[tid, "baseline"] == pytest.approx(population[before].sum() / total)
        assert shares.loc[tid, "scenario"] == pytest.approx(population[now].sum() / total)
        mine = changes[changes["type"] == tid]
        assert set(mine.loc[mine["coverage_change"] == "gained", "VILLCODE"]) == \
            set(ctx.villages.index[~before & now])
        assert set(mine.loc[mine["coverage_change"] == "lost", "VILLCODE"]) == \
            set(ctx.villages.index[before & ~now])
    assert len(changes) > 10
    edits = read_sheet(workbook, "scenario_edits")
    assert list(edits["kind"]) == ["add", "close"]


def test_xlsx_sites_and_sources_name_every_vintage(workbook, ctx, after):
    sites = read_sheet(workbook, "sites")
    assert len(sites) == len(after) and {"located_by", "precision", "location_note"} <= set(sites)
    assert int(sites["counted"].sum()) == 14 + 3  # the closed centre is listed, not counted
    exact = sites[sites["precision"] == "exact"]
    assert (exact["location_note"] == "依檔案座標；精確").all()
    sources = read_sheet(workbook, "sources")
    text = " ".join(sources["detail"].astype(str))
    for vintage in ctx.vintages.values():
        assert str(vintage) in text
    assert "直線距離" in text and "analysis/defaults.toml" in text
