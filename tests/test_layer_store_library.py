"""The site library (store/layers.py): save / load keep every column and unlocated rows,
versions, history and rollback to exactly the earlier rows, conflicts naming both versions,
bad tables refused before anything is written, names that never become paths, damaged
versions, and layer versions recorded in a scenario. Helpers: tests/_layer_store_helpers.py."""
from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from _layer_store_helpers import CSS, _places, _table
from _layer_store_helpers import lib  # noqa: F401  (fixtures)
from coverage.scenario import CloseSite, Scenario
from store import (HISTORY_LIMIT, LayerConflict, LayerFileError, LayerNotFound, delete_layer,
                   layer_history, layer_versions, library_sites, list_layers, load_layer,
                   load_scenario, rollback_layer, save_layer, save_scenario, scenario_path)


# --- library operations ---------------------------------------------------------------

def test_save_and_load_keep_every_column_and_unlocated_rows(lib):
    table = _table()
    info = save_layer("小衛星 2026", table, source_file="小衛星.xlsx", author="王", store=lib)
    assert (info.name, info.version, info.types, info.n_sites, info.n_unlocated) == (
        "小衛星 2026", 1, (CSS,), 6, 2)
    assert info.created == info.modified and info.created.endswith("+00:00")
    layer = load_layer("小衛星 2026", store=lib)
    assert layer.info == info
    assert_geodataframe_equal(layer.sites, table)  # values, dtypes, column order
    assert layer.sites.geometry.iloc[1].is_empty and layer.sites.geometry.iloc[2] is None
    # the stored file, read with plain sqlite3: one metadata row, 6 site rows
    with sqlite3.connect(info.path) as con:
        meta = con.execute("SELECT name, version, types, source_file, author, n_unlocated "
                           "FROM layer_info").fetchall()
        n_rows = con.execute("SELECT count(*) FROM sites").fetchone()[0]
    assert meta == [("小衛星 2026", 1, json.dumps([CSS]), "小衛星.xlsx", "王", 2)] and n_rows == 6
    assert [i.name for i in list_layers(store=lib)] == ["小衛星 2026"]


def test_versions_history_and_rollback_restore_exactly_the_earlier_rows(lib):
    first, second = _table(6, seed=1), _table(4, seed=2)
    save_layer("L", first, store=lib)
    v2 = save_layer("L", second, expected_version=1, source_file="new.csv", store=lib)
    assert v2.version == 2
    assert_geodataframe_equal(load_layer("L", store=lib).sites, second)
    assert_geodataframe_equal(load_layer("L", version=1, store=lib).sites, first)
    back = rollback_layer("L", 1, expected_version=2, store=lib)
    assert (back.version, back.based_on, back.n_sites) == (3, 1, 6)
    assert_geodataframe_equal(load_layer("L", store=lib).sites, first)
    history = layer_history("L", store=lib)
    assert [(h.version, h.based_on, h.n_sites) for h in history] == [
        (1, None, 6), (2, None, 4), (3, 1, 6)]
    assert len({h.created for h in history}) == 1  # the layer's creation time travels on
    assert layer_versions(store=lib) == {"L": 3}


def test_conflicts_name_both_versions(lib):
    save_layer("L", _table(), store=lib)
    with pytest.raises(LayerConflict, match=r"'L' already exists \(version 1\)"):
        save_layer("L", _table(seed=3), store=lib)
    save_layer("L", _table(seed=4), expected_version=1, store=lib)
    with pytest.raises(LayerConflict, match="stored version 2, yours is based on version 1"):
        save_layer("L", _table(seed=5), expected_version=1, store=lib)
    with pytest.raises(LayerConflict, match="stored version 2, yours is based on version 1"):
        rollback_layer("L", 1, expected_version=1, store=lib)
    with pytest.raises(LayerConflict, match="stored version 2, yours is based on version 1"):
        delete_layer("L", expected_version=1, store=lib)
    with pytest.raises(LayerNotFound, match="no version 7; kept versions: 1, 2"):
        rollback_layer("L", 7, store=lib)
    delete_layer("L", expected_version=2, store=lib)
    assert list_layers(store=lib) == [] and not [p for p in lib.iterdir() if p.is_dir()]
    with pytest.raises(LayerConflict, match="no longer exists.*version 2"):
        save_layer("L", _table(), expected_version=2, store=lib)
    with pytest.raises(LayerNotFound, match="'L'"):
        load_layer("L", store=lib)
    with pytest.raises(LayerNotFound):
        delete_layer("L", store=lib)
    assert save_layer("L", _table(), store=lib).version == 1  # the name is free again


def _with(table, **changes):
    out = table.copy()
    for col, (row, value) in changes.items():
        out.loc[row, col] = value
    return out


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"site_id": ["a"]}), r"expected a site table \(GeoDataFrame\), got DataFrame"),
    (_table().set_crs(None, allow_override=True), "without a coordinate reference system"),
    (_table().drop(columns="site_id"), "without a 'site_id' column"),
    (_with(_table(), site_id=(3, "css-000")), "site_id 'css-000' appears more than once"),
    (_with(_table(), site_id=(2, " ")), "row 2: blank site_id"),
    (_with(_table(), type=(4, "bogus")), "row 4: type 'bogus'; expected one of"),
    (_with(_table(), geometry=(5, shapely.box(121, 24.9, 121.1, 25))),
     "row 5 \\(site_id 'css-005'\\): geometry Polygon"),
])
def test_bad_tables_are_refused_before_anything_is_written(lib, bad, message):
    with pytest.raises(ValueError, match=message):
        save_layer("L", bad, store=lib)
    assert list_layers(store=lib) == []


def test_names_never_become_paths(lib, tmp_path):
    names = ["../../etc/x", "/etc/passwd", "..", ".hidden", "a/../../b", "名稱/../逃脫"]
    for i, name in enumerate(names):
        save_layer(name, _table(prefix=f"n{i}"), store=lib)
    folders = [p for p in tmp_path.rglob("*") if p.is_dir()]
    assert all(p.parent == lib for p in folders if p != lib), folders
    assert sorted(i.name for i in list_layers(store=lib)) == sorted(names)
    for bad in ["", "  ", "a\x00b", "x" * 201]:
        with pytest.raises(ValueError, match="layer name"):
            save_layer(bad, _table(), store=lib)


def test_history_keeps_the_newest_versions(lib, monkeypatch):
    import store.layers
    assert HISTORY_LIMIT >= 10
    monkeypatch.setattr(store.layers, "HISTORY_LIMIT", 4)  # fewer saves, same rule
    table = _table(3)
    for v in range(6):
        save_layer("L", _with(table, capacity=(0, float(v))), expected_version=v, store=lib)
    kept = [h.version for h in layer_history("L", store=lib)]
    assert kept == [3, 4, 5, 6]
    with pytest.raises(LayerNotFound, match="no version 2"):
        rollback_layer("L", 2, store=lib)
    assert load_layer("L", version=3, store=lib).sites.at[0, "capacity"] == 2.0


def test_damaged_current_version_is_reported_and_repairable(lib):
    save_layer("L", _table(seed=1), store=lib)
    v2 = save_layer("L", _table(seed=2), expected_version=1, store=lib)
    v2.path.write_bytes(v2.path.read_bytes()[:2000])
    with pytest.raises(LayerFileError, match=str(v2.path)):
        load_layer("L", store=lib)
    [info] = list_layers(store=lib)
    assert info.error and str(v2.path) in info.error
    assert_geodataframe_equal(load_layer("L", version=1, store=lib).sites, _table(seed=1))
    assert rollback_layer("L", 1, expected_version=2, store=lib).version == 3


def test_layer_versions_are_recorded_in_a_scenario(lib, tmp_path):
    save_layer("甲", _table(prefix="a"), store=lib)
    save_layer("乙", _table(prefix="b"), store=lib)
    save_layer("乙", _table(prefix="b", seed=9), expected_version=1, store=lib)
    assert layer_versions(store=lib) == {"甲": 1, "乙": 2}
    assert layer_versions(["乙"], store=lib) == {"乙": 2}
    with pytest.raises(LayerNotFound, match="丙"):
        layer_versions(["丙"], store=lib)
    sites, versions = library_sites(store=lib)
    assert versions == {"甲": 1, "乙": 2} and len(sites) == 12
    assert set(sites["site_id"]) == set(_table(prefix="a")["site_id"]) | set(
        _table(prefix="b")["site_id"])
    located = sites[~(sites.geometry.isna() | sites.geometry.is_empty)]
    scenario = Scenario("用圖層", located, (CloseSite("a-000"),))
    saved = save_scenario(scenario, places=_places(), store=tmp_path / "scn",
                          layer_versions=versions)
    assert load_scenario("用圖層", store=tmp_path / "scn").layer_versions == {"甲": 1, "乙": 2}
    with sqlite3.connect(scenario_path("用圖層", tmp_path / "scn")) as con:
        stored = con.execute("SELECT layer_versions FROM scenarios").fetchone()[0]
    assert json.loads(stored) == {"甲": 1, "乙": 2} and saved.version == 1
    save_layer("丙", _table(prefix="a"), store=lib)
    with pytest.raises(ValueError, match="site_id 'a-000' is in layer"):
        library_sites(store=lib)
