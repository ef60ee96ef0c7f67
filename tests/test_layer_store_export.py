"""Exporting a library layer (store/layer_export.py): CSV with lon / lat, GeoJSON and GeoPackage
read back with pandas / geopandas as the independent readers, refusals, and files that follow
the umask. Helpers: tests/_layer_store_helpers.py."""
from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from _layer_store_helpers import _places, _table
from _layer_store_helpers import lib  # noqa: F401  (fixtures)
from coverage.scenario import Scenario
from store import LayerNotFound, export_layer, layer_path, save_layer, save_scenario, scenario_path


# --- export ---------------------------------------------------------------------------

def _located(table):
    return ~(table.geometry.isna() | table.geometry.is_empty)


def test_export_csv_reads_back_with_lon_lat(lib, tmp_path):
    table = _table()
    save_layer("L", table, store=lib)
    out = export_layer("L", tmp_path / "L.csv", store=lib)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # "CSV UTF-8" for spreadsheets
    back = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""], dtype={"opened": "int64"})
    expected = pd.DataFrame(table.drop(columns="geometry")).replace("", np.nan)  # CSV: no ''
    assert list(back.columns) == list(expected.columns) + ["lon", "lat"]
    pd.testing.assert_frame_equal(back[expected.columns], expected, check_dtype=False)
    ok = _located(table).to_numpy()
    np.testing.assert_array_equal(back["lon"].to_numpy()[ok], table.geometry[ok].x.to_numpy())
    np.testing.assert_array_equal(back["lat"].to_numpy()[ok], table.geometry[ok].y.to_numpy())
    assert back.loc[~ok, ["lon", "lat"]].isna().all().all()


def test_export_geojson_and_gpkg_read_back_with_geopandas(lib, tmp_path):
    table = _table()
    save_layer("L", table, store=lib)
    gj = gpd.read_file(export_layer("L", tmp_path / "L.geojson", store=lib))
    assert gj.crs.to_epsg() == 4326 and len(gj) == len(table)
    ok = _located(table)
    assert gj.geometry[ok].geom_equals_exact(table.geometry[ok], tolerance=1e-12).all()
    assert gj.geometry[~ok].isna().all()  # GeoJSON has no empty point: null geometry
    pd.testing.assert_frame_equal(pd.DataFrame(gj.drop(columns="geometry")),
                                  pd.DataFrame(table.drop(columns="geometry")),
                                  check_dtype=False)
    gp = gpd.read_file(export_layer("L", tmp_path / "L.gpkg", store=lib), layer="sites")
    assert_geodataframe_equal(gp, table, check_dtype=False)
    assert gp.geometry.iloc[1].is_empty and gp.geometry.iloc[2] is None


def test_export_refusals(lib, tmp_path):
    info = save_layer("L", _table(), store=lib)
    export_layer("L", tmp_path / "L.csv", store=lib)
    with pytest.raises(FileExistsError, match="L.csv"):
        export_layer("L", tmp_path / "L.csv", store=lib)
    assert export_layer("L", tmp_path / "L.csv", store=lib, overwrite=True).exists()
    with pytest.raises(ValueError, match="'.txt'"):
        export_layer("L", tmp_path / "L.txt", store=lib)
    with pytest.raises(ValueError, match="is the input file"):
        export_layer("L", info.path, store=lib, overwrite=True)
    with pytest.raises(FileNotFoundError, match="no-such-dir"):
        export_layer("L", tmp_path / "no-such-dir" / "L.csv", store=lib)
    with pytest.raises(LayerNotFound):
        export_layer("M", tmp_path / "M.csv", store=lib)


def test_files_follow_the_umask(lib, tmp_path):
    old = os.umask(0o027)
    try:
        info = save_layer("L", _table(), store=lib)
        out = export_layer("L", tmp_path / "L.geojson", store=lib)
        save_scenario(Scenario("S", _table().iloc[[0, 3]], ()), places=_places(),
                      store=tmp_path / "scn")
        os.umask(0o002)
        v2 = save_layer("L", _table(seed=1), expected_version=1, store=lib)
    finally:
        os.umask(old)
    mode = lambda p: p.stat().st_mode & 0o777  # noqa: E731
    assert mode(info.path) == mode(out) == 0o640
    assert mode(scenario_path("S", tmp_path / "scn")) == 0o640
    assert mode(layer_path("L", lib)) == 0o750 and mode(lib / ".safetynet-store.lock") == 0o640
    assert mode(v2.path) == 0o664
