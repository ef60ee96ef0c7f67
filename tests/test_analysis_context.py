"""The analysis context: the planner's site library joins the default layers in every front
end (an import made in the app counts in the CLI and the reports), replacing the public
layer of a type the planner lists, and the versions read are named."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from analysis.context import load_context
from analysis.sites import with_library
from cli import main
from geo.services import make_sites
from store.layers import save_layer


def _sites(type_id: str, ids: list[str]) -> gpd.GeoDataFrame:
    return make_sites([{"site_id": i, "type": type_id, "name": f"站{i}", "status": "open",
                        "lon": 121.3 + k / 100, "lat": 24.99, "source": "test"}
                       for k, i in enumerate(ids)])


def test_library_layer_replaces_the_public_layer_of_its_type_only():
    default = _sites("family_service_centre", ["fsc-1", "fsc-2"])
    default = gpd.GeoDataFrame(pd.concat([default, _sites("mental_health_centre", ["mhc-1"])],
                                         ignore_index=True), crs=default.crs)
    library = _sites("family_service_centre", ["lib-1"])
    table, replaced = with_library(default, library)
    assert replaced == ["family_service_centre"]
    assert sorted(table["site_id"]) == ["lib-1", "mhc-1"]
    same, none = with_library(default, library.iloc[:0])
    assert none == [] and same is default
    with pytest.raises(ValueError, match="site_id used twice"):
        with_library(default, _sites("community_support_site", ["mhc-1"]))


def test_cli_counts_a_layer_imported_into_the_library(tmp_path, capsys, data_dir, monkeypatch):
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "home"))
    save_layer("小衛星清單", _sites("community_support_site", ["s1", "s2", "s3"]),
               types=["community_support_site"], source_file="test.csv")
    ctx = load_context(data_dir)
    assert (ctx.sites["type"] == "community_support_site").sum() == 3
    assert ctx.vintages["layer:小衛星清單"] == "site library, version 1"
    assert (ctx.sites["type"] == "family_service_centre").sum() == 15  # public layer kept
    out = tmp_path / "c.json"
    assert main(["coverage", "--type", "小衛星", "--out", str(out), "--json",
                 "--data-dir", str(data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["sites"] == 3
    assert len(load_context(data_dir, library=False).sites.query(
        "type == 'community_support_site'")) == 0


def test_info_counts_library_layers_against_the_official_count(tmp_path, capsys, data_dir,
                                                               monkeypatch):
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "home"))
    sites = _sites("community_support_site", ["s1", "s2"])
    unlocated = sites.iloc[[1]].copy()
    unlocated["site_id"], unlocated["geometry"], unlocated["located_by"] = "s3", None, ""
    save_layer("小衛星清單", gpd.GeoDataFrame(pd.concat([sites, unlocated]), crs=sites.crs),
               types=["community_support_site"])
    assert main(["info", "--json", "--data-dir", str(data_dir)]) == 0
    info = json.loads(capsys.readouterr().out)
    layer = {r["type"]: r for r in info["layers"]}["community_support_site"]
    # 3 listed, 2 located, 1 listed but not located, of the official 56 (seeds)
    assert (layer["listed"], layer["located"], layer["unlocated"]) == (3, 2, 1)
    assert layer["official_count"] == 56
    assert info["vintages"]["layer:小衛星清單"] == "site library, version 1"


def test_a_new_scenario_records_the_library_versions_it_was_made_on(tmp_path, capsys,
                                                                    data_dir, monkeypatch):
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "home"))
    save_layer("小衛星清單", _sites("community_support_site", ["s1"]),
               types=["community_support_site"])
    save_layer("小衛星清單", _sites("community_support_site", ["s1", "s2"]),
               types=["community_support_site"], expected_version=1)
    assert main(["scenario", "new", "甲案", "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    from store import load_scenario
    scn = load_scenario("甲案")
    assert scn.layer_versions == {"小衛星清單": 2}
    assert (scn.baseline["type"] == "community_support_site").sum() == 2
