"""A battery of malformed site lists (CSV, .xlsx, GeoJSON), population files and validate
arguments: one test each. Every case asserts the message (file, row, field, what was
expected) and, where the file is readable, that the good rows around the bad one are kept.
Files are generated in tmp_path; expected rows and values come from the text written here
and from pyproj, never from the reader's own output."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pyproj import Transformer

from cli import main as cli_main
from geo.imports import read_sites
from geo.quality import InputError

HEADER = "名稱,經度,緯度,類型,狀態,容量,地址"
GOOD1 = "甲據點,121.228005,24.959848,小衛星,,,"
GOOD2 = "乙據點,121.307054,24.979556,小衛星,,,"
TO_TWD97 = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)


def _write(tmp_path: Path, text: str | bytes, name: str = "sites.csv",
           encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def _refused(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as err:
        read_sites(path, **kwargs)
    assert err.value.file.endswith(path.name) and path.name in str(err.value)
    assert err.value.expected and "expected" in str(err.value)
    return err.value


# --- CSV: one bad row between two good ones (rows 1 and 3 must load) ----------------------

ROW_CASES = {
    "not_a_number": ("丙,abc,24.95,小衛星,,,", "經度", "abc", "bad_number", "a number"),
    "nan_longitude": ("丙,nan,24.95,小衛星,,,", "經度", "nan", "bad_number", "a number"),
    "infinite_latitude": ("丙,121.2,inf,小衛星,,,", "緯度", "inf", "bad_number", "a number"),
    "overflowing_number": ("丙,1e400,24.95,小衛星,,,", "經度", "1e400", "bad_number",
                           "a number"),
    "boolean_longitude": ("丙,TRUE,24.95,小衛星,,,", "經度", "TRUE", "bad_number", "a number"),
    "full_width_garbage": ("丙,１２１．２ｘ,24.95,小衛星,,,", "經度", "１２１．２ｘ", "bad_number",
                           "a number"),
    "latitude_missing": ("丙,121.2,,小衛星,,,", "緯度", "", "missing_coordinate", "empty"),
    "longitude_missing": ("丙,,24.95,小衛星,,,", "經度", "", "missing_coordinate", "empty"),
    "longitude_out_of_range": ("丙,200,24.95,小衛星,,,", "經度", "200",
                               "coordinate_out_of_range", "120.9–121.55"),
    "latitude_out_of_range": ("丙,121.2,30,小衛星,,,", "緯度", "30", "coordinate_out_of_range",
                              "24.5–25.2"),
    "null_island": ("丙,0,0,小衛星,,,", "經度", "0", "coordinate_out_of_range", "longitude"),
    "swapped_lon_lat": ("丙,24.95,121.2,小衛星,,,", "經度", "24.95", "swapped_coordinates",
                        "swapped"),
    "twd97_row_in_degrees_file": ("丙,273022.337,2761349.598,小衛星,,,", "經度", "273022.337",
                                  "mixed_coordinate_system", "TWD97 metres"),
    "negative_capacity": ("丙,121.2,24.95,小衛星,,-1,", "容量", "-1", "bad_capacity", "≥ 0"),
    "capacity_na_text": ("丙,121.2,24.95,小衛星,,#N/A,", "容量", "#N/A", "bad_capacity",
                         "a number"),
    "capacity_in_words": ("丙,121.2,24.95,小衛星,,很多,", "容量", "很多", "bad_capacity",
                          "a number"),
    "unknown_status": ("丙,121.2,24.95,小衛星,maybe,,", "狀態", "maybe", "bad_status",
                       "open/planned/closed"),
    "unknown_type": ("丙,121.2,24.95,bakery,,,", "類型", "bakery", "unknown_type",
                     "community_support_site"),
    "blank_name": (",121.2,24.95,小衛星,,,", "名稱", "", "missing_name", "名稱"),
    "nothing_to_place_it_by": ("丙,,,小衛星,,,", "經度", "", "missing_coordinate", "地址"),
    "exact_copy_of_row_1": (GOOD1, "名稱", "甲據點", "duplicate_row", "copy of row 1"),
}


@pytest.mark.parametrize("case", list(ROW_CASES))
def test_bad_row_is_rejected_by_name_and_good_rows_kept(tmp_path, case):
    bad, field, value, code, phrase = ROW_CASES[case]
    path = _write(tmp_path, "\n".join([HEADER, GOOD1, bad, GOOD2]) + "\n")
    res = read_sites(path)
    assert res.rejected["row"].tolist() == [2]
    assert res.sites["name"].tolist() == ["甲據點", "乙據點"]
    errors = [f for f in res.findings if f.severity == "error"]
    first = errors[0]
    assert (first.file, first.row, first.field, first.value, first.code) == (
        str(path), 2, field, value, code)
    assert phrase in first.expected
    message = first.message()
    assert str(path) in message and "row 2" in message and field in message
    assert phrase in res.rejected["reasons"].iloc[0]


# --- CSV: whole-file problems --------------------------------------------------------------

def test_empty_file(tmp_path):
    err = _refused(_write(tmp_path, b""))
    assert err.code == "empty_file" and "empty" in str(err)


def test_whitespace_only_file(tmp_path):
    assert _refused(_write(tmp_path, " \n\r\n\t")).code == "empty_file"


def test_header_only_is_an_empty_table_with_a_warning(tmp_path):
    res = read_sites(_write(tmp_path, HEADER + "\n"))
    assert len(res.sites) == 0 and res.rows_read == 0
    assert [f.code for f in res.findings] == ["no_rows"]


CHINESE = HEADER + "\n中壢據點,121.228005,24.959848,小衛星,開放,2,桃園市中壢區中央西路二段1號\n"


@pytest.mark.parametrize("codec, looks_like", [("gb18030", "GB18030"), ("gbk", "GB18030")])
def test_mainland_chinese_encodings_are_refused_by_name(tmp_path, codec, looks_like):
    text = "名称,经度,纬度,类型\n中坜据点,121.228005,24.959848,小卫星\n"
    err = _refused(_write(tmp_path, text, encoding=codec))
    assert err.field == "encoding" and looks_like in str(err) and "UTF-8" in err.expected


def test_traditional_text_in_gbk_is_refused_not_garbled(tmp_path):
    err = _refused(_write(tmp_path, CHINESE, encoding="gbk"))
    assert "GB18030" in str(err) and err.code == "unreadable_encoding"


def test_shift_jis_is_refused(tmp_path):
    text = "名前,経度,緯度\nセンター,121.2,24.9\n"
    assert "Shift-JIS" in str(_refused(_write(tmp_path, text, encoding="shift_jis")))


def test_euc_kr_is_refused(tmp_path):
    text = "이름,주소,lon,lat\n센터,도로,121.2,24.9\n"
    assert "EUC-KR" in str(_refused(_write(tmp_path, text, encoding="euc_kr")))


def test_latin1_accents_are_refused_not_read_as_big5(tmp_path):
    text = "name,lon,lat,type\nCafé Sévérine,121.228005,24.959848,小衛星\n".replace("小衛星",
                                                                                 "employment_desk")
    err = _refused(_write(tmp_path, text, encoding="latin-1"))
    assert "UTF-8" in err.expected and "Big5" in err.expected


def test_big5_hkscs_is_decoded_with_names_intact(tmp_path):
    text = HEADER + "\n香港𨋢據點,121.228005,24.959848,小衛星,,,\n"
    res = read_sites(_write(tmp_path, text, encoding="big5hkscs"))
    assert res.encoding == "big5hkscs" and res.sites["name"].tolist() == ["香港𨋢據點"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_with_and_without_bom_is_decoded(tmp_path, codec):
    res = read_sites(_write(tmp_path, CHINESE, encoding=codec))
    assert res.sites["name"].tolist() == ["中壢據點"]
    assert res.sites["address"].tolist() == ["桃園市中壢區中央西路二段1號"]


def test_binary_bytes_are_refused(tmp_path):
    err = _refused(_write(tmp_path, b"\x00\x01\x02binary\xff\xfe\x00data\x07"))
    assert err.field == "encoding" and "binary" in str(err)


def test_workbook_named_csv_is_refused(tmp_path):
    err = _refused(_write(tmp_path, b"PK\x03\x04" + bytes(range(256))))
    assert err.code == "not_text" and ".xlsx" in err.expected


def test_missing_name_column_lists_found_and_accepted_names(tmp_path):
    err = _refused(_write(tmp_path, "經度,緯度,類型\n121.2,24.95,小衛星\n"))
    assert err.code == "missing_columns" and "名稱" in str(err) and "據點名稱" in err.expected
    assert "'經度'" in str(err)  # what was found


def test_latitude_column_without_longitude(tmp_path):
    err = _refused(_write(tmp_path, "名稱,緯度,類型\n丙,24.95,小衛星\n"))
    assert "經度 (lon)" in str(err) and "longitude" in err.expected


def test_unclosed_quote_swallowing_the_file(tmp_path):
    text = HEADER + "\n" + GOOD1 + '\n"丙' + "x" * 140_000 + ",121.2,24.95\n"
    err = _refused(_write(tmp_path, text))
    assert err.code == "bad_csv" and "quote" in str(err)


def test_title_row_above_the_header_is_skipped(tmp_path):
    path = _write(tmp_path, "桃園市小衛星據點一覽表（113年）\n" + "\n".join([HEADER, GOOD1, GOOD2]))
    res = read_sites(path)
    assert res.header_row == 2 and res.sites["name"].tolist() == ["甲據點", "乙據點"]
    assert res.sites["source"].tolist() == ["sites.csv#1", "sites.csv#2"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters(tmp_path, delimiter):
    text = "\n".join(line.replace(",", delimiter) for line in (HEADER, GOOD1, GOOD2))
    assert read_sites(_write(tmp_path, text)).sites["name"].tolist() == ["甲據點", "乙據點"]


def test_ragged_rows_are_padded_and_extra_cells_ignored(tmp_path):
    path = _write(tmp_path, "名稱,類型,經度,緯度\n甲據點,小衛星,121.228005,24.959848,extra,cells\n"
                            "丙,小衛星,121.2\n")
    res = read_sites(path)
    assert res.sites["name"].tolist() == ["甲據點"]
    (f,) = [f for f in res.findings if f.severity == "error"]
    assert (f.row, f.field, f.code) == (2, "緯度", "missing_coordinate")


def test_two_name_columns_warn_and_the_first_is_used(tmp_path):
    res = read_sites(_write(tmp_path, "名稱,name,經度,緯度,類型\n甲,A,121.228005,24.959848,小衛星\n"))
    assert res.sites["name"].tolist() == ["甲"]
    (f,) = [f for f in res.findings if f.code == "ambiguous_column"]
    assert f.value == ["名稱", "name"] and "'名稱'" in f.expected


def test_unknown_encoding_name(tmp_path):
    err = _refused(_write(tmp_path, CHINESE), encoding="klingon")
    assert (err.field, err.value, err.code) == ("encoding", "klingon", "unknown_encoding")


def test_wrong_explicit_encoding_names_the_line(tmp_path):
    err = _refused(_write(tmp_path, CHINESE), encoding="ascii")
    assert "line 1" in str(err) and err.value == "ascii"


def test_explicit_encoding_reads_gb18030(tmp_path):
    res = read_sites(_write(tmp_path, CHINESE, encoding="gb18030"), encoding="gb18030")
    assert res.encoding == "gb18030" and res.sites["name"].tolist() == ["中壢據點"]
    assert res.sites["address"].tolist() == ["桃園市中壢區中央西路二段1號"]


def test_unknown_service_type_argument(tmp_path):
    err = _refused(_write(tmp_path, "名稱,經度,緯度\n丙,121.2,24.95\n"), service_type="bakery")
    assert (err.field, err.value) == ("--type", "bakery") and "family_service_centre" in str(err)


def test_a_directory_is_not_a_site_file(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    assert _refused(tmp_path / "dir.csv").code == "not_a_file"


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_sites("/nonexistent/nope.csv")


def test_old_xls_is_refused(tmp_path):
    assert ".xlsx" in _refused(_write(tmp_path, b"\xd0\xcf\x11\xe0", "old.xls")).expected


# --- coordinate systems ---------------------------------------------------------------------

TWD67_WKT = ('PROJCS["TWD67 / TM2 zone 121",GEOGCS["TWD67",DATUM["Taiwan_Datum_1967",'
             'SPHEROID["GRS 1967 Modified",6378160,298.25]],PRIMEM["Greenwich",0],'
             'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
             'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",121],'
             'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",250000],'
             'PARAMETER["false_northing",0],UNIT["metre",1]]')


def _metres_file(tmp_path: Path, extra: str = "") -> tuple[Path, tuple[float, float]]:
    x, y = 273022.337, 2761349.598
    return _write(tmp_path, f"名稱,X,Y,類型{extra and ',' + extra.split('=')[0]}\n"
                            f"丙,{x},{y},小衛星{extra and ',' + extra.split('=')[1]}\n"), (x, y)


def _lonlat(res) -> tuple[float, float]:
    g = res.sites.geometry.iloc[0]
    return g.x, g.y


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


# --- Excel .xlsx ----------------------------------------------------------------------------

XLSX_HEADER = ["名稱", "經度", "緯度", "類型", "容量"]


def _book(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _patch_sheet(path: Path, old: str, new: str) -> None:
    """Rewrite a cell in the sheet XML (openpyxl never writes cached formula results)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert old in xml
    parts["xl/worksheets/sheet1.xml"] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _sites_book(tmp_path: Path, bad: list) -> Path:
    return _book(tmp_path / "sites.xlsx", {"據點": [
        XLSX_HEADER, ["甲據點", 121.228005, 24.959848, "小衛星", 2], bad,
        ["乙據點", 121.307054, 24.979556, "小衛星", None]]})


def test_random_bytes_named_xlsx(tmp_path):
    err = _refused(_write(tmp_path, bytes(range(256)) * 4, "sites.xlsx"))
    assert err.code == "not_xlsx" and "not an Excel workbook" in str(err)


def test_csv_text_named_xlsx(tmp_path):
    err = _refused(_write(tmp_path, "\n".join([HEADER, GOOD1]), "sites.xlsx"))
    assert err.code == "not_xlsx" and "CSV" in str(err)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "sites.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    err = _refused(path)
    assert err.code == "bad_workbook" and "cannot be opened" in str(err)


def test_truncated_workbook(tmp_path):
    path = _sites_book(tmp_path, ["丙", 121.2, 24.95, "小衛星", None])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert _refused(path).code == "bad_workbook"


def test_old_xls_renamed_xlsx(tmp_path):
    err = _refused(_write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "s.xlsx"))
    assert "old Excel .xls" in str(err)


def test_empty_xlsx_file(tmp_path):
    assert _refused(_write(tmp_path, b"", "sites.xlsx")).code == "empty_file"


def test_formula_without_cached_value_is_named(tmp_path):
    path = _sites_book(tmp_path, ["丙", 121.2, 24.95, "小衛星", "=B2*2"])
    res = read_sites(path)
    assert res.sites["name"].tolist() == ["甲據點", "乙據點"]
    (f,) = [f for f in res.findings if f.severity == "error"]
    assert (f.row, f.field, f.value, f.code) == (2, "容量", "=B2*2", "formula_without_value")
    assert "without a saved result" in f.expected and "capacity" not in f.expected


def test_formula_with_cached_value_uses_the_value(tmp_path):
    path = _sites_book(tmp_path, ["丙", 121.2, 24.95, "小衛星", "=B2*2"])
    _patch_sheet(path, "<f>B2*2</f><v />", "<f>B2*2</f><v>4</v>")
    res = read_sites(path)
    assert res.rejected.empty and res.sites["capacity"].tolist()[1] == 4.0


def test_error_cell_na_in_capacity(tmp_path):
    path = _sites_book(tmp_path, ["丙", 121.2, 24.95, "小衛星", "#N/A"])
    (f,) = [f for f in read_sites(path).findings if f.severity == "error"]
    assert (f.row, f.field, f.value, f.code) == (2, "容量", "#N/A", "error_cell")
    assert "Excel error #N/A" in f.expected


def test_cached_formula_error_value_in_longitude(tmp_path):
    path = _sites_book(tmp_path, ["丙", "=1/0", 24.95, "小衛星", None])
    _patch_sheet(path, "<c r=\"B3\"><f>1/0</f><v /></c>",
                 "<c r=\"B3\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c>")
    res = read_sites(path)
    (f,) = [f for f in res.findings if f.severity == "error"]
    assert (f.row, f.field, f.value, f.code) == (2, "經度", "#DIV/0!", "error_cell")
    assert res.sites["name"].tolist() == ["甲據點", "乙據點"]


def test_title_rows_above_the_header_in_a_sheet(tmp_path):
    path = _book(tmp_path / "s.xlsx", {"清單": [["桃園市小衛星據點"], ["製表：社會局"], XLSX_HEADER,
                                              ["甲據點", 121.228005, 24.959848, "小衛星", 1]]})
    res = read_sites(path)
    assert (res.sheet, res.header_row) == ("清單", 3) and res.sites["name"].tolist() == ["甲據點"]


def test_the_sheet_with_the_list_is_found(tmp_path):
    path = _book(tmp_path / "s.xlsx", {"說明": [["本檔說明"], ["填表人", "王"]], "資料": [
        XLSX_HEADER, ["甲據點", 121.228005, 24.959848, "小衛星", 1]]})
    res = read_sites(path)
    assert res.sheet == "資料" and res.sites["name"].tolist() == ["甲據點"]


def test_two_list_sheets_warn_about_the_other(tmp_path):
    rows = [XLSX_HEADER, ["甲據點", 121.228005, 24.959848, "小衛星", 1]]
    res = read_sites(_book(tmp_path / "s.xlsx", {"A": rows, "B": rows}))
    (f,) = [f for f in res.findings if f.code == "other_sheet"]
    assert res.sheet == "A" and f.value == "B" and "--sheet" in f.expected


def test_no_sheet_with_a_header_lists_what_was_seen(tmp_path):
    path = _book(tmp_path / "s.xlsx", {"說明": [["本檔說明"]], "空白": []})
    err = _refused(path)
    assert err.code == "no_header" and "sheet '說明': first row ['本檔說明']" in str(err)
    assert "sheet '空白': empty" in str(err)


def test_unknown_sheet_argument_lists_the_sheets(tmp_path):
    err = _refused(_sites_book(tmp_path, ["丙", 121.2, 24.95, "小衛星", 1]), sheet="工作表9")
    assert (err.field, err.value) == ("sheet", "工作表9") and "['據點']" in err.expected


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


# --- population files (ODRP014 layout) ------------------------------------------------------

def _population(tmp_path: Path, data_dir: Path, edit, name: str = "pop.csv",
                source: str = "population/taoyuan_villages_2021-03.csv") -> Path:
    import pandas as pd
    raw = pd.read_csv(data_dir / source, dtype=str, keep_default_na=False)
    raw = edit(raw)
    path = tmp_path / name
    raw.to_csv(path, index=False)
    return path


def _population_refused(path: Path) -> InputError:
    from geo.population import read_population
    with pytest.raises(InputError) as err:
        read_population(path)
    assert err.value.file == str(path) and err.value.findings
    assert all(f.severity == "error" and f.file == str(path) for f in err.value.findings)
    return err.value


def _set(raw, row: int, **cells):
    for col, value in cells.items():
        raw.loc[row, col] = str(value)
    return raw


def test_more_households_than_residents(tmp_path, data_dir):
    path = _population(tmp_path, data_dir, lambda r: _set(r, 9, 戶數=int(r.loc[9, "人口"]) + 1))
    err = _population_refused(path)
    (f,) = err.findings
    assert (f.row, f.field, f.code) == (10, "戶數", "more_households_than_residents")
    assert "戶數 ≤ 人口" in f.expected and "row 10" in str(err)


def test_age_bands_not_summing_to_population(tmp_path, data_dir):
    path = _population(tmp_path, data_dir,
                       lambda r: _set(r, 3, 超過64歲=int(r.loc[3, "超過64歲"]) + 7))
    (f,) = _population_refused(path).findings
    assert (f.row, f.field, f.code) == (4, "人口", "parts_do_not_sum")
    assert "未滿15歲 + 15-64歲 + 超過64歲 = 人口" in f.expected


def test_sexes_not_summing_to_population(tmp_path, data_dir):
    path = _population(tmp_path, data_dir, lambda r: _set(r, 0, 男性人口=0))
    (f,) = _population_refused(path).findings
    assert (f.row, f.code) == (1, "parts_do_not_sum") and "男性人口 + 女性人口" in f.expected


def test_swapped_population_and_household_columns(tmp_path, data_dir):
    def swap(raw):
        raw[["戶數", "人口"]] = raw[["人口", "戶數"]].to_numpy()
        return raw
    err = _population_refused(_population(tmp_path, data_dir, swap))
    (f,) = err.findings
    assert f.code == "swapped_columns" and f.row is None and "戶數" in f.field
    assert "人口" in f.field and "look swapped" in f.expected


def test_swapped_age_band_columns(tmp_path, data_dir):
    def swap(raw):
        raw[["未滿15歲", "人口"]] = raw[["人口", "未滿15歲"]].to_numpy()
        return raw
    (f,) = _population_refused(_population(tmp_path, data_dir, swap)).findings
    assert f.code == "swapped_columns" and {"未滿15歲", "人口"} <= set(f.field.split(", "))


def test_duplicate_village_code_is_an_error_not_first_wins(tmp_path, data_dir):
    import pandas as pd
    path = _population(tmp_path, data_dir, lambda r: pd.concat([r, r.iloc[[5]]]))
    err = _population_refused(path)
    assert [(f.row, f.code) for f in err.findings] == [(6, "duplicate_code"),
                                                        (505, "duplicate_code")]
    assert "first on row 6" in err.findings[1].expected


def test_child_age_groups_not_summing(tmp_path, data_dir):
    path = _population(tmp_path, data_dir,
                       lambda r: _set(r, 2, age_0_5=int(r.loc[2, "age_0_5"]) + 1),
                       source="vintages/taoyuan_villages_2025-12_agegroups.csv")
    (f,) = _population_refused(path).findings
    assert (f.row, f.field, f.code) == (3, "age_0_17", "parts_do_not_sum")


def test_plausibility_findings_without_raising(tmp_path, data_dir):
    import pandas as pd
    from geo.plausibility import check_population
    rows = pd.DataFrame({"VILLCODE": ["68000010001", "68000010002"], "file_row": [1, 2],
                         "households": [10, 50], "population": [20, 40]})
    (f,) = check_population(rows, file="p.csv", raise_errors=False)
    assert (f.file, f.row, f.field, f.value) == ("p.csv", 2, "戶數", 50)


# --- validate's arguments -------------------------------------------------------------------

def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli_main(["validate", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_crs_pyproj_cannot_read(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "\n".join([HEADER, GOOD1])), "--crs", "bogus")
    assert code == 2 and "--crs='bogus'" in err and "EPSG:3826" in err


def test_cli_crs_nan(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "\n".join([HEADER, GOOD1])), "--crs", "nan")
    assert code == 2 and "--crs='nan'" in err and "Traceback" not in err


def test_cli_sheet_on_a_csv(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "\n".join([HEADER, GOOD1])), "--sheet", "1")
    assert code == 2 and "--sheet" in err and ".xlsx" in err


def test_cli_encoding_on_a_workbook(tmp_path, capsys):
    path = _sites_book(tmp_path, ["丙", 121.2, 24.95, "小衛星", 1])
    code, _, err = _cli(capsys, path, "--encoding", "utf-8")
    assert code == 2 and "--encoding" in err and "no text encoding" in err


def test_cli_options_without_a_file(capsys):
    code, _, err = _cli(capsys, "--type", "小衛星")
    assert code == 2 and "--type" in err and "validate FILE" in err


def test_cli_missing_file(tmp_path, capsys):
    code, _, err = _cli(capsys, tmp_path / "none.csv")
    assert code == 2 and "none.csv" in err and "not found" in err


def test_cli_population_file_with_errors(tmp_path, data_dir, capsys):
    path = _population(tmp_path, data_dir, lambda r: _set(r, 9, 戶數=int(r.loc[9, "人口"]) + 1))
    code, out, _ = _cli(capsys, path, "--population", "--lang", "en")
    assert code == 1 and "row 10" in out and "戶數" in out
    code, out, _ = _cli(capsys, path, "--population")
    assert code == 1 and "第 10 列" in out and "戶數" in out


def test_cli_population_with_site_options(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "x"), "--population", "--crs", "EPSG:3826")
    assert code == 2 and "--population" in err


def test_cli_unlocated_rows_load_and_show_in_json(tmp_path, capsys):
    path = _write(tmp_path, "名稱,地址,類型\n丙,龍潭區干城路19巷30號,小衛星\n")
    code, out, _ = _cli(capsys, path, "--json")
    data = json.loads(out)
    assert code == 0 and (data["loaded"], data["unlocated"], data["rejected"]) == (1, 1, 0)
    assert (data["sites"][0]["lon"], data["sites"][0]["located_by"]) == (None, "")


def test_unreadable_crs_cell_beside_a_good_row_in_xlsx(tmp_path):
    """Found by the property test: an xlsx whose CRS column has one unreadable cell (and
    empty ones) crashed in pyproj instead of naming the row; the good row is kept."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名稱", "類型", "經度", "CRS", "緯度", "狀態"])
    ws.append(["V0", "小衛星", "121.25", "", "25.0", "開放"])
    ws.append(["V1", "小衛星", "0", ":EPSG3824", "0", "開放"])
    path = tmp_path / "crs.xlsx"
    wb.save(path)
    res = read_sites(path)
    assert res.sites["name"].tolist() == ["V0"]
    assert len(res.rejected) == 1 and "CRS" in res.rejected["reasons"].iat[0]
