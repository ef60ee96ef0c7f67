"""Malformed CSV site lists, one test each: one bad row between two good ones (rejected by
name, rows 1 and 3 kept) and whole-file problems (empty, encodings, binary, delimiters, ragged
rows, missing columns, wrong arguments). Every case asserts the message (file, row, field,
what was expected); expected rows and values come from the text written here, never from the
reader's own output. Helpers: tests/_malformed_helpers.py."""
from __future__ import annotations

import pytest

from _malformed_helpers import GOOD1, GOOD2, HEADER, _refused, _write
from geo.imports import read_sites


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
