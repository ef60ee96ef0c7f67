"""Malformed GeoJSON site lists, one test each: one bad feature between good ones, invalid or
unexpected JSON, NaN coordinates, declared / linked / contradicting CRS members, another
encoding, and a null geometry kept unlocated by its address. Helpers:
tests/_malformed_helpers.py."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from _malformed_helpers import TO_TWD97, TWD67_WKT, _lonlat, _refused, _write
from geo.imports import read_sites


# --- GeoJSON --------------------------------------------------------------------------------

def _feature(name: str, geometry: object, **props) -> dict:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"名稱": name, "類型": "小衛星", **props}}


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def _collection(tmp_path: Path, bad: object, **extra) -> Path:
    doc = {"type": "FeatureCollection", **extra, "features": [
        _feature("甲據點", _point(121.228005, 24.959848)), bad,
        _feature("乙據點", _point(121.307054, 24.979556))]}
    return _write(tmp_path, json.dumps(doc, ensure_ascii=False), "sites.geojson")


GEOJSON_ROW_CASES = {
    "polygon": (_feature("丙", {"type": "Polygon", "coordinates": [[[121, 24], [121.1, 24],
                                                                    [121, 24.1], [121, 24]]]}),
                "geometry", "Polygon", "bad_geometry", "Point"),
    "string_coordinates": (_feature("丙", {"type": "Point", "coordinates": ["a", "b"]}),
                           "geometry.lon", "a", "bad_number", "a number"),
    "one_coordinate": (_feature("丙", {"type": "Point", "coordinates": [121.2]}),
                       "geometry", "Point without [x, y]", "bad_geometry", "Point"),
    "not_a_feature": (42, "geometry", "not a Feature object", "bad_geometry", "Point"),
    "no_geometry_no_address": (_feature("丙", None), "geometry", "none", "bad_geometry",
                               "address"),
    "properties_null": ({"type": "Feature", "geometry": _point(121.2, 24.95),
                         "properties": None}, "名稱", "", "missing_name", "名稱"),
    "swapped_point": (_feature("丙", _point(24.95, 121.2)), "geometry.lon", "24.95",
                      "swapped_coordinates", "swapped"),
}


@pytest.mark.parametrize("case", list(GEOJSON_ROW_CASES))
def test_bad_feature_is_rejected_and_good_features_kept(tmp_path, case):
    bad, field, value, code, phrase = GEOJSON_ROW_CASES[case]
    res = read_sites(_collection(tmp_path, bad))
    assert res.sites["name"].tolist() == ["甲據點", "乙據點"]
    assert res.rejected["row"].tolist() == [2]
    errors = [f for f in res.findings if f.severity == "error"]
    assert {f.row for f in errors} == {2}
    f = [f for f in errors if f.code == code][0]
    assert (f.row, f.field, f.value) == (2, field, value)
    assert phrase in f.expected and f.file.endswith("sites.geojson")


def test_invalid_json_names_line_and_column(tmp_path):
    err = _refused(_write(tmp_path, '{"type": "FeatureCollection",\n "features": [,]}',
                          "s.geojson"))
    assert err.code == "bad_json" and "line 2" in str(err)


def test_json_that_is_not_a_feature_collection(tmp_path):
    err = _refused(_write(tmp_path, "[1, 2, 3]", "s.geojson"))
    assert (err.code, err.value) == ("not_feature_collection", "list")


def test_features_that_are_not_a_list(tmp_path):
    err = _refused(_write(tmp_path, '{"type": "FeatureCollection", "features": {}}', "s.json"))
    assert err.value == "FeatureCollection" and "features" in str(err)


def test_deeply_nested_json(tmp_path):
    assert _refused(_write(tmp_path, "[" * 100_000 + "]" * 100_000, "s.geojson")).code \
        == "bad_json"


def test_nan_literal_in_coordinates(tmp_path):
    path = _write(tmp_path, '{"type": "FeatureCollection", "features": [{"type": "Feature", '
                            '"geometry": {"type": "Point", "coordinates": [NaN, 24.9]}, '
                            '"properties": {"名稱": "丙", "類型": "小衛星"}}]}', "s.geojson")
    (f,) = [f for f in read_sites(path).findings if f.severity == "error"]
    assert (f.field, f.value, f.code) == ("geometry.lon", "nan", "bad_number")


def test_declared_crs_member_is_honoured(tmp_path):
    x, y = TO_TWD97.transform(121.307054, 24.979556)
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::3826"}}, "features": [_feature("乙", _point(x, y))]}
    res = read_sites(_write(tmp_path, json.dumps(doc), "s.geojson"))
    assert (res.coordinate_system, res.crs_source) == ("EPSG:3826", "the GeoJSON crs member")
    assert _lonlat(res) == pytest.approx((121.307054, 24.979556), abs=1e-7)


def test_unknown_crs_member_refuses_the_file(tmp_path):
    path = _collection(tmp_path, _feature("丙", _point(121.2, 24.95)),
                       crs={"type": "name", "properties": {"name": "EPSG:99999"}})
    err = _refused(path)
    assert err.code == "unknown_crs" and "GeoJSON crs member" in str(err)


def test_linked_crs_member_is_refused(tmp_path):
    path = _collection(tmp_path, _feature("丙", _point(121.2, 24.95)),
                       crs={"type": "link", "properties": {"href": "http://x/crs.prj"}})
    err = _refused(path)
    assert (err.field, err.code) == ("crs", "unknown_crs") and "link" in str(err.value)


def test_crs_member_and_prj_both_declare(tmp_path):
    path = _collection(tmp_path, _feature("丙", _point(121.2, 24.95)),
                       crs={"type": "name", "properties": {"name": "EPSG:4326"}})
    path.with_suffix(".prj").write_text(TWD67_WKT)
    assert _refused(path).code == "crs_conflict"


def test_crs_argument_contradicting_the_file(tmp_path):
    path = _collection(tmp_path, _feature("丙", _point(121.2, 24.95)),
                       crs={"type": "name", "properties": {"name": "EPSG:4326"}})
    err = _refused(path, crs="EPSG:3826")
    assert (err.field, err.code) == ("--crs", "crs_conflict") and "EPSG:4326" in str(err)


def test_geojson_in_gb18030_is_refused(tmp_path):
    doc = {"type": "FeatureCollection", "features": [_feature("中坜据点", _point(121.2, 24.9),
                                                              地址="桃园市中坜区中央西路")]}
    path = _write(tmp_path, json.dumps(doc, ensure_ascii=False), "s.geojson", "gb18030")
    assert "GB18030" in str(_refused(path))


def test_null_geometry_with_address_is_kept_unlocated(tmp_path):
    res = read_sites(_collection(tmp_path, _feature("丙", None, 地址="龍潭區干城路19巷30號")))
    assert res.rejected.empty and res.unlocated == 1
    assert res.sites["name"].tolist() == ["甲據點", "丙", "乙據點"]
    assert res.sites.geometry.iloc[1].is_empty and res.sites["located_by"].iloc[1] == ""
