"""Coordinate systems of a site list: undeclared metres (TWD97 with a TWD67 caution), --crs,
a .prj beside the file, a CRS column per row, and the ones refused (unreadable, vertical,
degrees under a projected CRS), each checked against pyproj, never the reader's own output.
Helpers: tests/_malformed_helpers.py."""
from __future__ import annotations

from pathlib import Path

import pytest
from pyproj import Transformer

from _malformed_helpers import GOOD1, HEADER, TO_TWD97, TWD67_WKT, _lonlat, _refused, _write
from geo.imports import read_sites


# --- coordinate systems ---------------------------------------------------------------------

def _metres_file(tmp_path: Path, extra: str = "") -> tuple[Path, tuple[float, float]]:
    x, y = 273022.337, 2761349.598
    return _write(tmp_path, f"名稱,X,Y,類型{extra and ',' + extra.split('=')[0]}\n"
                            f"丙,{x},{y},小衛星{extra and ',' + extra.split('=')[1]}\n"), (x, y)


def test_undeclared_metres_are_twd97_with_a_twd67_caution(tmp_path):
    path, (x, y) = _metres_file(tmp_path)
    res = read_sites(path)
    assert _lonlat(res) == pytest.approx(Transformer.from_crs(
        "EPSG:3826", "EPSG:4326", always_xy=True).transform(x, y), abs=1e-9)
    (f,) = [f for f in res.findings if f.code == "crs_assumed"]
    assert "EPSG:3828" in f.expected and "--crs" in f.expected


def test_crs_argument_twd67_is_honoured(tmp_path):
    path, (x, y) = _metres_file(tmp_path)
    res = read_sites(path, crs="EPSG:3828")
    expected = Transformer.from_crs("EPSG:3828", "EPSG:4326", always_xy=True).transform(x, y)
    assert _lonlat(res) == pytest.approx(expected, abs=1e-9)
    assert (res.coordinate_system, res.crs_source) == ("EPSG:3828", "--crs")
    assert not [f for f in res.findings if f.code == "crs_assumed"]


def test_prj_beside_the_csv_is_honoured(tmp_path):
    path, (x, y) = _metres_file(tmp_path)
    path.with_suffix(".prj").write_text(TWD67_WKT)
    res = read_sites(path)
    expected = Transformer.from_crs(TWD67_WKT, "EPSG:4326", always_xy=True).transform(x, y)
    assert _lonlat(res) == pytest.approx(expected, abs=1e-9)
    assert res.crs_source == "sites.prj"


def test_unreadable_prj_refuses_the_file(tmp_path):
    path, _ = _metres_file(tmp_path)
    path.with_suffix(".prj").write_text("this is not WKT")
    err = _refused(path)
    assert err.code == "unknown_crs" and "sites.prj" in str(err) and "EPSG:3826" in err.expected


def test_crs_argument_pyproj_cannot_read(tmp_path):
    path, _ = _metres_file(tmp_path)
    err = _refused(path, crs="EPSG:99999")
    assert (err.field, err.value, err.code) == ("--crs", "EPSG:99999", "unknown_crs")


def test_vertical_crs_argument_is_refused(tmp_path):
    path, _ = _metres_file(tmp_path)
    assert "neither geographic nor projected" in str(_refused(path, crs="EPSG:5703"))


def test_declared_projected_crs_with_degree_values(tmp_path):
    path = _write(tmp_path, "\n".join([HEADER, GOOD1]))
    res = read_sites(path, crs="EPSG:3826")
    (f,) = [f for f in res.findings if f.severity == "error"]
    assert (f.row, f.code) == (1, "crs_mismatch") and "EPSG:3826" in f.expected
    assert "--crs" in f.expected and len(res.sites) == 0


def test_crs_column_per_row_is_honoured(tmp_path):
    x, y = TO_TWD97.transform(121.307054, 24.979556)
    path = _write(tmp_path, f"名稱,X,Y,類型,CRS\n甲,121.228005,24.959848,小衛星,EPSG:4326\n"
                            f"乙,{x:.3f},{y:.3f},小衛星,TWD97\n")
    res = read_sites(path)
    assert res.coordinate_system == "per row: EPSG:4326, EPSG:3826"
    assert res.sites.geometry.iloc[1].x == pytest.approx(121.307054, abs=1e-7)


def test_unreadable_crs_cell_rejects_that_row(tmp_path):
    path = _write(tmp_path, "名稱,經度,緯度,類型,座標系統\n甲,121.228005,24.959848,小衛星,\n"
                            "乙,121.3,24.97,小衛星,EPSG:99999\n")
    res = read_sites(path)
    assert res.sites["name"].tolist() == ["甲"]
    (f,) = [f for f in res.findings if f.severity == "error"]
    assert (f.row, f.field, f.value, f.code) == (2, "座標系統", "EPSG:99999", "unknown_crs")
