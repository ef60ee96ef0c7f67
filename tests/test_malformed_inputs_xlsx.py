"""Malformed Excel .xlsx site lists, one test each: files that are not workbooks, formulas
with and without cached values, error cells, title rows, finding the sheet with the list, and
an unreadable CRS cell beside a good row. Every case asserts the message and that the good
rows are kept. Helpers: tests/_malformed_helpers.py."""
from __future__ import annotations

import zipfile
from pathlib import Path

from _malformed_helpers import GOOD1, HEADER, XLSX_HEADER, _book, _refused, _sites_book, _write
from geo.imports import read_sites


# --- Excel .xlsx ----------------------------------------------------------------------------

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
