"""The scenario GeoPackage store (store/scenarios.py): save / load round trip as a real
GeoPackage, list / duplicate / delete, export / import, optimistic concurrency in one process,
where the store lives, and safety (malicious names stay inside the store, a corrupted file is
isolated and kept, a missing file is named). Fixtures: tests/_scenario_store_fixtures.py."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from _scenario_store_fixtures import _edits, _places, _sha
from _scenario_store_fixtures import sites, store  # noqa: F401  (fixtures)
from coverage.scenario import CloseSite, Scenario, apply_edits, changed_site_ids, edits_to_list
from store import (ScenarioConflict, ScenarioFileError, ScenarioNotFound, delete_scenario,
                   duplicate_scenario, export_scenario, file_name, import_scenario, list_scenarios,
                   load_scenario, quarantine_corrupt, read_scenario_file, save_scenario,
                   scenario_path, store_dir)


# --- store: round trip and operations -------------------------------------------------

def test_save_load_roundtrip_is_a_real_geopackage(sites, store):
    scn = Scenario("北區加站 v1", sites, _edits(), author="社會局 王", notes='line1\nline "2"')
    saved = save_scenario(scn, places=_places(), store=store)
    assert saved.version == 1 and saved.created == saved.modified
    assert saved.created.endswith("+00:00")
    loaded = load_scenario("北區加站 v1", store=store)
    assert loaded == saved  # name, edits, author, notes, timestamps, version
    assert_geodataframe_equal(loaded.baseline, sites)
    assert loaded.baseline.geometry.geom_equals_exact(sites.geometry, tolerance=0).all()

    path = scenario_path("北區加站 v1", store)
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"baseline_sites": "Point", "scenario_sites": "Point", "scenarios": None}
    assert pyogrio.read_info(path, layer="scenario_sites")["crs"] == "EPSG:4326"
    changed = pyogrio.read_dataframe(path, layer="scenario_sites").set_index("site_id")
    expected = apply_edits(sites, _edits(), places=_places()).set_index("site_id")
    assert list(changed.index) == [s for s in expected.index if s in changed_site_ids(_edits())]
    assert set(changed.index) == set(changed_site_ids(_edits()))
    assert changed.geometry.geom_equals(expected.loc[changed.index].geometry).all()
    assert changed.loc["scn-1", "changes"] == "add,status"
    # the metadata table, read with plain sqlite3
    with sqlite3.connect(path) as con:
        rows = con.execute("SELECT name, author, notes, version, edits FROM scenarios").fetchall()
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    assert rows == [("北區加站 v1", "社會局 王", 'line1\nline "2"', 1,
                     json.dumps(edits_to_list(_edits()), ensure_ascii=False))]
    assert kinds["scenarios"] == "attributes" and kinds["baseline_sites"] == "features"


def test_invalid_edits_are_rejected_before_writing(sites, store):
    with pytest.raises(ValueError, match="edit 0"):
        save_scenario(Scenario("bad", sites, (CloseSite("nope"),)), places=_places(), store=store)
    assert list_scenarios(store=store) == []
    assert not list(store.glob("*.gpkg"))


def test_list_duplicate_delete(sites, store):
    a = save_scenario(Scenario("A", sites, _edits()[:2], author="x"), places=_places(), store=store)
    save_scenario(Scenario("B", sites, _edits()[2:4]), places=_places(), store=store)
    c = duplicate_scenario("A", "C", places=_places(), store=store)
    assert (c.version, c.edits, c.author) == (1, a.edits, "x")
    infos = list_scenarios(store=store)
    assert [(i.name, i.version, i.n_edits, i.error) for i in infos] == [
        ("A", 1, 2, None), ("B", 1, 2, None), ("C", 1, 2, None)]
    assert_geodataframe_equal(load_scenario("C", store=store).baseline, sites)
    with pytest.raises(ScenarioConflict, match="already exists"):
        duplicate_scenario("A", "B", places=_places(), store=store)
    with pytest.raises(ScenarioConflict, match="version 1"):
        delete_scenario("B", store=store, expected_version=7)
    delete_scenario("B", store=store, expected_version=1)
    assert [i.name for i in list_scenarios(store=store)] == ["A", "C"]
    with pytest.raises(ScenarioNotFound, match="'B'"):
        load_scenario("B", store=store)
    with pytest.raises(ScenarioNotFound):
        delete_scenario("B", store=store)


def test_export_import_roundtrip(sites, store, tmp_path):
    saved = save_scenario(Scenario("匯出", sites, _edits(), notes="n"), places=_places(),
                          store=store)
    out = export_scenario("匯出", tmp_path / "shared.gpkg", store=store)
    assert dict(pyogrio.list_layers(out))["scenario_sites"] == "Point"
    assert len(pyogrio.read_dataframe(out, layer="baseline_sites")) == len(sites)
    with pytest.raises(FileExistsError):
        export_scenario("匯出", out, store=store)
    with pytest.raises(ValueError, match=".gpkg"):
        export_scenario("匯出", tmp_path / "x.shp", store=store)

    other = tmp_path / "other-store"
    imported = import_scenario(out, places=_places(), store=other)
    assert (imported.name, imported.edits, imported.notes, imported.version) == (
        "匯出", saved.edits, "n", 1)
    assert imported.created == saved.created  # creation time travels with the scenario
    assert_geodataframe_equal(load_scenario("匯出", store=other).baseline, sites)
    renamed = import_scenario(out, places=_places(), store=store, name="匯入副本")
    assert renamed.edits == saved.edits
    with pytest.raises(ScenarioConflict, match="already exists"):
        import_scenario(out, places=_places(), store=store)
    assert_geodataframe_equal(
        apply_edits(load_scenario("匯入副本", store=store).baseline, renamed.edits,
                    places=_places()),
        apply_edits(sites, saved.edits, places=_places()))


def test_optimistic_concurrency_in_one_process(sites, store):
    v1 = save_scenario(Scenario("S", sites, ()), places=_places(), store=store)
    first, second = load_scenario("S", store=store), load_scenario("S", store=store)
    v2 = save_scenario(first.with_edit(CloseSite("fsc-003")), places=_places(), store=store)
    assert v2.version == 2 and v1.version == 1
    with pytest.raises(ScenarioConflict, match="stored version 2.*based on version 1"):
        save_scenario(second.with_edit(CloseSite("fsc-004")), places=_places(), store=store)
    with pytest.raises(ScenarioConflict, match="already exists"):
        save_scenario(Scenario("S", sites, ()), places=_places(), store=store)
    delete_scenario("S", store=store)
    with pytest.raises(ScenarioConflict, match="deleted"):
        save_scenario(v2, places=_places(), store=store)
    assert list_scenarios(store=store) == []


def test_store_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("SAFETYNET_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store_dir() == (tmp_path / "home/.local/share/safetynet/scenarios").resolve()
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "sn"))
    assert store_dir() == (tmp_path / "sn" / "scenarios").resolve()
    assert store_dir(tmp_path / "explicit") == (tmp_path / "explicit").resolve()


# --- safety ---------------------------------------------------------------------------

NASTY = ["../../etc/x", "/etc/passwd", "..", "../", "a/../../b", "..\\..\\win", "~/x",
         "名稱/../../逃脫", ".hidden", "-rf *"]


def test_malicious_names_stay_inside_the_store(sites, tmp_path):
    store = tmp_path / "a" / "b" / "store"
    etc_x = Path("/etc/x").exists()
    for name in NASTY:
        save_scenario(Scenario(name, sites, ()), places=_places(), store=store)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.parent == store for p in files), files
    assert not (tmp_path / "a" / "etc").exists() and Path("/etc/x").exists() == etc_x
    assert sorted(i.name for i in list_scenarios(store=store)) == sorted(NASTY)
    assert all(not p.name.startswith(".") for p in store.glob("*.gpkg"))
    assert len({file_name(n) for n in NASTY}) == len(NASTY)
    for name in NASTY:
        assert load_scenario(name, store=store).name == name
    for bad in ["", "   ", "a\x00b", "a\nb", "x" * 201, None, 5]:
        with pytest.raises(ValueError, match="scenario name"):
            save_scenario(Scenario(bad, sites, ()), places=_places(), store=store)
    assert len(list(store.glob("*.gpkg"))) == len(NASTY)


def _plain_gpkg(path: Path) -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(121.2, 24.9)], crs=4326)
    gdf.to_file(path, driver="GPKG", engine="pyogrio")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "foreign_gpkg"])
def test_corrupted_file_is_isolated_and_kept(sites, store, damage):
    save_scenario(Scenario("good", sites, _edits()), places=_places(), store=store)
    save_scenario(Scenario("bad", sites, _edits()[:1]), places=_places(), store=store)
    path = scenario_path("bad", store)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(len(raw)))
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
        _plain_gpkg(path)
    damaged = _sha(path)

    with pytest.raises(ScenarioFileError) as err:
        load_scenario("bad", store=store)
    assert str(path) in str(err.value)
    assert load_scenario("good", store=store).edits == _edits()
    infos = {i.path.name: i for i in list_scenarios(store=store)}
    assert infos[path.name].error and str(path) in infos[path.name].error
    assert [i.name for i in infos.values() if i.error is None] == ["good"]
    # saving over it (as if it were still version 1) refuses and leaves the bytes alone
    with pytest.raises(ScenarioFileError, match=str(path)):
        save_scenario(Scenario("bad", sites, (), version=1), places=_places(), store=store)
    assert _sha(path) == damaged
    # explicit repair moves it aside, intact; then the name can be used again
    moved = quarantine_corrupt(store=store)
    assert len(moved) == 1 and moved[0].name.startswith(path.name + ".corrupt-")
    assert _sha(moved[0]) == damaged and not path.exists()
    assert [i.name for i in list_scenarios(store=store)] == ["good"]
    assert save_scenario(Scenario("bad", sites, ()), places=_places(), store=store).version == 1


def test_read_scenario_file_names_a_missing_file(tmp_path):
    with pytest.raises(ScenarioNotFound, match="nope.gpkg"):
        read_scenario_file(tmp_path / "nope.gpkg")
