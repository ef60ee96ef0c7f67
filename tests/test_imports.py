"""Import of user site lists: encodings, column names, coordinate systems, bad rows.

Each bad-input case is its own file under tests/data/imports/ (see README.md there).
Expected values come from the fixture files themselves (read here with the csv module),
from pyproj and from the shared data's point file, never from read_sites' own output.
Address-only rows (village placement, the geocoder): test_imports_addresses.py.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from pyproj import Transformer

from cli import main as cli_main
from geo.boundaries import load_districts
from geo.imports import read_sites

FIX = Path(__file__).parent / "data" / "imports"
MARKUP = "<img src=x onerror=alert(1)>"


def _csv_rows(name: str, encoding: str = "utf-8-sig") -> list[dict]:
    with open(FIX / name, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _codes(res, row=None):
    return {f.code for f in res.findings if row is None or f.row == row}


def _errors_by_row(res) -> dict[int, list]:
    out: dict[int, list] = {}
    for f in res.findings:
        if f.severity == "error" and f.row is not None:
            out.setdefault(f.row, []).append(f)
    return out


LOADABLE = ["big5_sites.csv", "utf8_bom.csv", "swapped_latlon.csv", "twd97.csv",
            "header_only.csv", "duplicate_rows.csv", "sea_point.csv", "impossible_values.csv",
            "unknown_type.csv", "markup_text.csv", "fullwidth_headers.csv", "mixed_crs.csv",
            "address_only.csv", "sites.geojson", "duplicate_ids.csv"]


@pytest.mark.parametrize("name", LOADABLE)
def test_nothing_is_lost(name):
    res = read_sites(FIX / name)
    if name.endswith(".csv"):
        enc = "cp950" if name.startswith("big5") else "utf-8-sig"
        expected_rows = len(_csv_rows(name, enc))
    else:
        expected_rows = len(json.loads((FIX / name).read_text(encoding="utf-8"))["features"])
    assert res.rows_read == expected_rows
    assert len(res.sites) + len(res.rejected) == res.rows_read
    errors = _errors_by_row(res)
    assert sorted(res.rejected["row"]) == sorted(errors)  # every rejected row has a reason
    for f in res.findings:
        assert f.file == str(FIX / name)
        assert f.expected


def test_big5_file_loads_with_chinese_names_intact():
    res = read_sites(FIX / "big5_sites.csv")
    assert res.encoding == "cp950"
    rows = _csv_rows("big5_sites.csv", "cp950")
    assert list(res.sites["name"]) == [r["名稱"] for r in rows]
    assert list(res.sites["address"]) == [r["地址"] for r in rows]
    assert set(res.sites["type"]) == {"community_support_site"}  # 類型 小衛星
    assert list(res.sites["status"]) == ["open", "planned"]  # 開放, 規劃中
    assert res.sites["capacity"].iloc[0] == 2.0 and math.isnan(res.sites["capacity"].iloc[1])
    assert list(res.sites["district"]) == ["觀音區", "龜山區"]


@pytest.mark.parametrize("name", ["latin1.csv", "binary_garbage.csv"])
def test_undecodable_file_is_a_clear_error(name):
    with pytest.raises(ValueError) as err:
        read_sites(FIX / name)
    msg = str(err.value)
    assert name in msg and "UTF-8" in msg and "Big5" in msg


def test_utf8_bom_and_english_headers_in_any_case():
    res = read_sites(FIX / "utf8_bom.csv")
    assert res.encoding == "utf-8-sig"
    assert res.sites["name"].tolist() == ["中壢家庭服務中心"]  # header " Name " after the BOM
    assert res.sites["type"].tolist() == ["family_service_centre"]
    g = res.sites.geometry.iloc[0]
    assert (g.x, g.y) == (121.228005, 24.959848)
    assert not res.findings


def test_plain_utf8_is_reported_as_utf8():
    assert read_sites(FIX / "swapped_latlon.csv").encoding == "utf-8"


def test_swapped_lat_lon_is_rejected_with_file_row_field_value():
    res = read_sites(FIX / "swapped_latlon.csv")
    assert res.coordinate_system == "EPSG:4326"
    assert res.rejected["row"].tolist() == [2]
    (f,) = _errors_by_row(res)[2]
    assert (f.code, f.field, f.value) == ("swapped_coordinates", "lon", "24.883112")
    assert "swapped" in f.expected and "120.9" in f.expected
    assert res.sites["name"].tolist() == ["八德家庭服務中心", "龍潭家庭服務中心"]


def test_twd97_input_is_converted_to_lon_lat(data_dir):
    res = read_sites(FIX / "twd97.csv")
    assert res.coordinate_system == "EPSG:3826"
    rows = _csv_rows("twd97.csv")
    inverse = Transformer.from_crs("EPSG:3826", "EPSG:4326", always_xy=True)
    known = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in json.loads(
        (data_dir / "services" / "family_service_centres.geojson").read_text("utf-8"))["features"]}
    assert len(res.sites) == len(rows) == 3
    for row, (_, site) in zip(rows, res.sites.iterrows()):
        lon, lat = inverse.transform(float(row["X"]), float(row["Y"]))
        assert site.geometry.x == pytest.approx(lon, abs=1e-9)
        assert site.geometry.y == pytest.approx(lat, abs=1e-9)
        # the fixture was built from the real centre: 1 mm rounding ≈ 1e-8 degrees
        assert site.geometry.x == pytest.approx(known[row["名稱"]][0], abs=1e-7)
        assert site.geometry.y == pytest.approx(known[row["名稱"]][1], abs=1e-7)
        assert site["site_id"] == row["編號"]  # unique id column is used


def test_missing_columns_error_names_them_and_the_accepted_names():
    with pytest.raises(ValueError) as err:
        read_sites(FIX / "missing_columns.csv")
    msg = str(err.value)
    assert "missing_columns.csv" in msg
    for word in ("經度", "緯度", "地址", "longitude", "latitude", "address", "lng"):
        assert word in msg


def test_address_without_coordinates_is_kept_unlocated():
    res = read_sites(FIX / "address_only.csv")
    (row,) = _csv_rows("address_only.csv")
    assert res.rejected.empty and len(res.sites) == 1 and res.unlocated == 1
    site = res.sites.iloc[0]
    assert site.geometry.is_empty and (site["located_by"], site["precision"]) == ("", "")
    assert (site["name"], site["address"]) == (row["名稱"], row["地址"])
    assert site["district"] == "龍潭區"  # from the address, as no point can say
    assert _codes(res, 1) == {"unlocated"}  # the address names no 里: stays unlocated


def test_empty_file_is_an_error_and_header_only_is_an_empty_table():
    with pytest.raises(ValueError, match="empty.csv.*empty"):
        read_sites(FIX / "empty.csv")
    res = read_sites(FIX / "header_only.csv")
    assert res.rows_read == 0 and len(res.sites) == 0
    assert _codes(res) == {"no_rows"}


def test_duplicate_rows(tmp_path):
    res = read_sites(FIX / "duplicate_rows.csv")
    # row 3 is an exact copy of row 1: rejected, pointing at row 1
    assert res.rejected["row"].tolist() == [3]
    (dup,) = _errors_by_row(res)[3]
    assert dup.code == "duplicate_row" and "row 1" in dup.expected
    # row 4: 台/臺 and a full-width digit, same name after normalisation → warning
    by_code = {(f.code, f.row) for f in res.findings}
    assert ("duplicate_name", 4) in by_code
    # row 5 is a few metres from row 2 (distance checked independently in EPSG:3826)
    rows = _csv_rows("duplicate_rows.csv")
    fwd = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)
    (x2, y2), (x5, y5) = (fwd.transform(float(rows[i]["lon"]), float(rows[i]["lat"]))
                          for i in (1, 4))
    assert math.hypot(x5 - x2, y5 - y2) < 20
    loc = [f for f in res.findings if f.code == "duplicate_location"]
    assert [f.row for f in loc] == [5]
    assert f"{math.hypot(x5 - x2, y5 - y2):.1f} m" in loc[0].expected


def test_point_in_the_sea_is_kept_and_flagged():
    from shapely.geometry import Point
    import geopandas as gpd
    from geo.paths import BOUNDARIES_DIR
    city = gpd.read_file(BOUNDARIES_DIR / "taoyuan_districts_2021.geojson").union_all()
    assert not city.intersects(Point(121.0, 25.2))  # independent: the fixture point is at sea
    res = read_sites(FIX / "sea_point.csv")
    assert len(res.sites) == 2 and res.rejected.empty  # suspect, not rejected
    outside = [f for f in res.findings if f.code == "outside_city"]
    assert [(f.row, f.field) for f in outside] == [(2, "geometry")]
    assert "inside 桃園市" in outside[0].expected


def test_blank_district_comes_from_the_polygon_containing_the_point():
    res = read_sites(FIX / "swapped_latlon.csv")  # no district column
    districts = load_districts()
    assert len(res.sites) == 2  # the two rows that load (row 2 is rejected)
    for _, site in res.sites.iterrows():
        (name,) = districts.loc[districts.contains(site.geometry), "district"]
        assert site["district"] == name
    sea = read_sites(FIX / "sea_point.csv").sites
    assert sea["district"].iloc[1] is None  # in no district: left blank, flagged elsewhere


def test_impossible_and_non_numeric_values():
    res = read_sites(FIX / "impossible_values.csv")
    errs = _errors_by_row(res)
    assert sorted(errs) == [1, 2, 3]
    assert [(f.code, f.field, f.value) for f in errs[1]] == [
        ("coordinate_out_of_range", "lon", "200")]
    assert [(f.code, f.value) for f in errs[2]] == [("bad_number", "abc")]
    assert [(f.code, f.field, f.value) for f in errs[3]] == [
        ("bad_capacity", "capacity", "很多")]
    assert res.sites["name"].tolist() == ["正常"] and res.sites["capacity"].tolist() == [3.0]


def test_unknown_type_and_status_are_row_errors():
    res = read_sites(FIX / "unknown_type.csv")
    errs = _errors_by_row(res)
    assert [(f.code, f.value) for f in errs[1]] == [("unknown_type", "bakery")]
    assert "community_support_site" in errs[1][0].expected
    assert [(f.code, f.value) for f in errs[3]] == [("bad_status", "maybe")]
    assert res.sites["status"].tolist() == ["open"]  # 營運中


def test_type_argument_and_unknown_type_argument(tmp_path):
    path = tmp_path / "no_type.csv"
    path.write_text("名稱,經度,緯度\n據點,121.3,24.99\n", encoding="utf-8")
    with pytest.raises(ValueError, match="type"):
        read_sites(path)  # no 類型 column and no --type
    res = read_sites(path, service_type="小衛星")
    assert res.sites["type"].tolist() == ["community_support_site"]
    assert res.sites["site_id"].tolist() == ["community_support_site-imp-1"]
    assert res.sites["source"].tolist() == ["no_type.csv#1"]
    with pytest.raises(ValueError, match="family_service_centre"):
        read_sites(path, service_type="bakery")


def test_user_markup_is_kept_verbatim_as_data(capsys):
    res = read_sites(FIX / "markup_text.csv")
    row = _csv_rows("markup_text.csv")[0]
    assert res.sites["name"].tolist() == [MARKUP] == [row["name"]]
    assert res.sites["address"].tolist() == [row["address"]]
    assert cli_main(["validate", str(FIX / "markup_text.csv"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sites"][0]["name"] == MARKUP


def test_full_width_and_spaced_headers_and_values():
    res = read_sites(FIX / "fullwidth_headers.csv")
    assert len(res.sites) == 1
    g = res.sites.geometry.iloc[0]
    assert (g.x, g.y) == (121.307054, 24.979556)
    assert res.sites["district"].tolist() == ["桃園區"]  # 「桃園」 canonicalised
    assert res.sites["type"].tolist() == ["family_service_centre"]


def test_a_twd97_row_in_a_lon_lat_file_is_rejected():
    res = read_sites(FIX / "mixed_crs.csv")
    assert res.coordinate_system == "EPSG:4326"
    assert res.rejected["row"].tolist() == [2]
    assert _codes(res, 2) == {"mixed_coordinate_system"}


def test_geojson_import():
    res = read_sites(FIX / "sites.geojson")
    assert res.encoding == "utf-8" and res.coordinate_system == "EPSG:4326"
    assert res.sites["site_id"].tolist() == ["S-01", "S-03"]
    assert res.rejected["row"].tolist() == [2]
    assert _codes(res, 2) == {"bad_geometry"}
    neili = [f for f in res.findings if f.row == 3 and f.code == "unknown_district"]
    assert {f.field for f in neili} == {"district", "address"}
    assert all("中壢區 (內壢 is part of 中壢區)" in f.expected for f in neili)


def test_ids_that_are_not_unique_are_replaced():
    res = read_sites(FIX / "duplicate_ids.csv")
    assert res.sites["site_id"].tolist() == [f"community_support_site-imp-{i}" for i in (1, 2, 3)]
    (f,) = [f for f in res.findings if f.code == "ids_not_unique"]
    assert f.value == ["A1"] and f.field == "id"


def test_xlsx_import(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["編號", "名稱", "經度", "緯度", "類型", "容量", "狀態"])
    ws.append(["X-1", "龍潭家庭服務中心", 121.206745, 24.86882, "家庭服務中心", 3, "開放"])
    ws.append(["X-2", "大溪家庭服務中心", 24.883112, 121.286115, "家庭服務中心", None, None])
    ws.append([None] * 7)  # a blank line is not a data row
    ws.append(["X-4", "楊梅家庭服務中心", 121.148222, 24.89799, "家庭服務中心", None, "籌設中"])
    path = tmp_path / "sites.xlsx"
    wb.save(path)
    res = read_sites(path)
    assert res.encoding is None and res.rows_read == 3
    assert res.sites["site_id"].tolist() == ["X-1", "X-4"]
    assert res.sites["capacity"].iloc[0] == 3.0
    assert res.sites["status"].tolist() == ["open", "planned"]
    assert res.rejected["row"].tolist() == [2]
    assert _codes(res, 2) == {"swapped_coordinates"}


# --- CLI -----------------------------------------------------------------------------

def test_cli_exit_codes_and_report(capsys):
    assert cli_main(["validate", str(FIX / "big5_sites.csv")]) == 0
    out = capsys.readouterr().out
    assert "cp950" in out and "觀音小衛星據點" not in out  # report, not a data dump
    assert cli_main(["validate", str(FIX / "swapped_latlon.csv"), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "rows read: 3" in out and "loaded: 2" in out and "rejected: 1" in out
    assert "row 2" in out and "swapped" in out
    assert cli_main(["validate", str(FIX / "swapped_latlon.csv")]) == 1  # zh-TW, the default
    out = capsys.readouterr().out
    assert "讀取 3 列   載入 2   未定位 0   剔除 1" in out
    assert "第 2 列" in out and "經緯度可能填反了" in out
    assert cli_main(["validate", str(FIX / "latin1.csv")]) == 2
    assert "latin1.csv" in capsys.readouterr().err


def test_cli_json(capsys):
    assert cli_main(["validate", str(FIX / "impossible_values.csv"), "--json"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out)
    assert (data["rows_read"], data["loaded"], data["rejected"]) == (4, 1, 3)
    assert [r["row"] for r in data["rejected_rows"]] == [1, 2, 3]
    assert {f["code"] for f in data["findings"]} >= {"coordinate_out_of_range", "bad_capacity"}
    assert "很多" in out


def test_cli_type_option(tmp_path, capsys):
    path = tmp_path / "sites.csv"
    path.write_text("name,lon,lat\n甲,121.3,24.99\n", encoding="utf-8")
    assert cli_main(["validate", str(path), "--type", "employment_desk", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sites"][0]["type"] == "employment_desk"
