"""Reports through ``safetynet report`` on the real Taoyuan data: a stored scenario, bad
arguments, the hotspot options (equal to ``safetynet hotspots``), road distance (service areas)
and travel time; the files written are reopened with pyogrio / openpyxl and checked against
the numpy reference. Shared references and fixtures: tests/_report_fixtures.py."""
from __future__ import annotations

import json

import numpy as np
import openpyxl
import pyogrio
import pytest

from _report_fixtures import (EDITS, FSC, MHC, PERMUTATIONS, RADIUS, SCENARIO_NAME, nearest_m,
                              open_sites, read_sheet)
from _report_fixtures import ctx, population  # noqa: F401  (fixtures)
from cli import main as cli_main
from coverage.places import dataset_places
from coverage.scenario import Scenario
from geo import METRIC_CRS


# --- CLI ------------------------------------------------------------------------------------

def test_cli_report_with_stored_scenario(ctx, tmp_path, data_dir, population):
    from store import save_scenario
    store = tmp_path / "store"
    save_scenario(Scenario(SCENARIO_NAME, baseline=ctx.sites, edits=EDITS),
                  places=dataset_places(ctx), store=store)
    out = tmp_path / "cli.gpkg"
    assert cli_main(["report", "--scenario", SCENARIO_NAME, "--store", str(store), "--out",
                     str(out), "--type", "家庭服務中心", "--radius-km", "3", "--no-hotspots",
                     "--data-dir", str(data_dir), "--json"]) == 0
    v = pyogrio.read_dataframe(out, layer="villages").set_index("VILLCODE")
    after = Scenario("x", baseline=ctx.sites, edits=EDITS).sites(dataset_places(ctx))
    near = nearest_m(ctx.villages, after, FSC)
    np.testing.assert_array_equal(v.loc[near.index, f"{FSC}_covered"], (near <= 3000) * 1.0)
    assert f"{MHC}_covered" not in v.columns
    assert {"scenario_edits", "baseline_sites"} <= set(dict(pyogrio.list_layers(out)))
    assert "hotspot_regions" not in dict(pyogrio.list_layers(out))


def test_cli_report_bad_input(tmp_path, data_dir, capsys):
    def run(*args):
        return cli_main(["report", *args, "--data-dir", str(data_dir)])
    assert run("--out", str(tmp_path / "r.txt")) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert run("--out", str(tmp_path / "r.pdf"), "--format", "xlsx") == 2
    assert run("--out", str(tmp_path / "r.pdf"), "--type", "no_such_type") == 2
    assert "no_such_type" in capsys.readouterr().err
    assert run("--out", str(tmp_path / "r.pdf"), "--radius-km", "nan") == 2
    assert run("--out", str(tmp_path / "r.pdf"), "--scenario", "missing", "--store",
               str(tmp_path / "store")) == 1
    # a report written into the scenario store it reads is refused
    assert run("--out", str(tmp_path / "store" / "r.pdf"), "--store",
               str(tmp_path / "store")) == 2
    assert "lies inside the store given by --store" in capsys.readouterr().err
    assert not list(tmp_path.glob("r.*"))
    population = data_dir / "vintages" / "taoyuan_villages_2025-12.csv"
    copy = tmp_path / "population.html"
    copy.write_bytes(population.read_bytes())
    assert run("--out", str(copy), "--population-file", str(copy), "--type", FSC,
               "--no-hotspots") == 2
    assert "is the input file" in capsys.readouterr().err
    assert copy.read_bytes() == population.read_bytes()


def test_cli_report_hotspot_options_ask_what_safetynet_hotspots_asks(tmp_path, data_dir,
                                                                      capsys):
    options = ["--fdr", "--permutations", str(PERMUTATIONS), "--alpha", "0.1"]
    out = tmp_path / "hot.xlsx"
    assert cli_main(["report", "--out", str(out), "--type", MHC, "--hotspot-indicator",
                     "elderly_density", *options, "--lang", "en", "--data-dir", str(data_dir),
                     "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["types"] == [MHC]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "City summary"
    settings = dict(read_sheet(wb, "hotspot_settings")[["setting", "setting_value"]].values)
    assert (settings["indicator"], settings["fdr"], settings["permutations"],
            settings["alpha"], settings["min_bin"], settings["type"]) == \
        ("elderly_density", True, PERMUTATIONS, 0.1, 1, MHC)
    regions = read_sheet(wb, "hotspot_regions")
    assert cli_main(["hotspots", "--indicator", "elderly_density", "--type", MHC, *options,
                     "--data-dir", str(data_dir), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["regions"]
    assert len(cli) == len(regions) > 0
    assert [", ".join(r["villages"]) for r in cli] == list(regions["village_codes"])
    np.testing.assert_allclose([r["unmet_demand"] for r in cli], regions["unmet_demand"])


def test_cli_report_road_mode_draws_service_areas(ctx, tmp_path, data_dir, capsys):
    from geo.city import city
    out = tmp_path / "road.gpkg"
    assert cli_main(["report", "--mode", "network", "--type", FSC, "--no-hotspots", "--out",
                     str(out), "--data-dir", str(data_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["types"] == [FSC]
    sites = open_sites(ctx.sites, FSC).set_index("site_id").to_crs(METRIC_CRS)
    areas = pyogrio.read_dataframe(out, layer="service_areas").to_crs(METRIC_CRS)
    # the city-wide roads reach every centre: one service area each
    assert sorted(areas["site_id"]) == sorted(sites.index) and set(areas["type"]) == {FSC}
    for sid, geom in zip(areas["site_id"], areas.geometry):  # roads are never shorter
        assert sites.geometry[sid].buffer(RADIUS[FSC] + 1.0).contains(geom)
    sources = pyogrio.read_dataframe(out, layer="sources")
    distance = sources.loc[sources["item"] == "distance", "detail"].iloc[0]
    roads = city().files["roads"]
    assert "road distance" in distance and roads[roads["default"]]["name"] in distance
    v = pyogrio.read_dataframe(out, layer="villages").set_index("VILLCODE")
    straight = nearest_m(ctx.villages, ctx.sites, FSC).loc[v.index]
    covered = v[f"{FSC}_covered"] > 0
    assert covered.any() and (straight[covered] <= RADIUS[FSC]).all()


def test_cli_report_travel_time(tmp_path, data_dir, capsys):
    out = tmp_path / "minutes.xlsx"
    assert cli_main(["report", "--mode", "network", "--radius-min", "10", "--type", FSC,
                     "--no-hotspots", "--out", str(out), "--data-dir", str(data_dir),
                     "--lang", "en", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] == "s"
    wb = openpyxl.load_workbook(out)
    city = read_sheet(wb, "city").set_index("type")
    assert city.loc[FSC, "radius_min"] == 10 and "radius_km" not in city
    v = read_sheet(wb, "villages")
    minutes = v["nearest_min"].astype(float).fillna(np.inf)
    np.testing.assert_array_equal(v["covered"].astype(float), (minutes <= 10) * 1.0)
    sources = read_sheet(wb, "sources").set_index("item")
    assert "road travel time" in sources.loc["distance", "detail"]
    acc = read_sheet(wb, "access")
    assert acc["threshold_min"].max() == pytest.approx(30.0)
