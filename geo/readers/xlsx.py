"""Excel .xlsx site lists: the sheet and its header row are found (title rows, several
sheets), error cells (#N/A, #VALUE!) and formulas without a saved result are recorded as
cell problems instead of being read as empty, and a file that is not a workbook gets a
message, not a traceback."""
from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pandas as pd

from geo.quality import Finding, InputError
from geo.readers.columns import HEADER_SCAN_ROWS, find_header
from geo.readers.table import CellProblem, RawTable, clean_cell, unique_headers

__all__ = ["read_xlsx"]

_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
_EXPECTED_BOOK = "an .xlsx workbook saved by Excel or LibreOffice (or the list as CSV UTF-8)"
FORMULA_EXPECTED = ("a value: the cell holds a formula without a saved result (the file was "
                    "written by a program that does not calculate); open and save it in "
                    "Excel or LibreOffice, or type the value")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return clean_cell(value)


def _open(path: Path, *, data_only: bool):
    import openpyxl
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise InputError(str(path), code="bad_workbook", expected=_EXPECTED_BOOK,
                         problem=f"the workbook cannot be opened ({type(exc).__name__}: "
                                 f"{str(exc)[:160]})") from None


def _check_signature(path: Path) -> None:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise InputError(str(path), problem="the file is empty / 檔案是空的", code="empty_file",
                         expected=_EXPECTED_BOOK)
    if head.startswith(_OLE):
        raise InputError(str(path), code="not_xlsx", expected=_EXPECTED_BOOK,
                         problem="this is an old Excel .xls or an encrypted workbook, not .xlsx")
    if not head.startswith(_ZIP):
        raise InputError(str(path), code="not_xlsx", expected=_EXPECTED_BOOK,
                         problem=f"this is not an Excel workbook (it starts with {head!r}); "
                                 "a CSV or text file named .xlsx?")


def _rows(ws, limit: int | None = None) -> list[list[tuple[object, str]]]:
    return [[(c.value, getattr(c, "data_type", "n")) for c in row]
            for row in ws.iter_rows(max_row=limit)]


def _seen(name: str, rows: list[list[tuple[object, str]]]) -> str:
    first = next((r for r in rows if any(_text(v) for v, _ in r)), None)
    if first is None:
        return f"sheet {name!r}: empty"
    cells = [_text(v) for v, _ in first if _text(v)][:8]
    return f"sheet {name!r}: first row {cells}"


def _pick_sheet(book, sheet: str | None, file: str):
    sheets = list(book.worksheets)
    if not sheets:
        raise InputError(file, problem="the workbook has no worksheet", code="no_sheet",
                         expected=_EXPECTED_BOOK)
    if sheet is not None:
        names = [ws.title for ws in sheets]
        key = str(sheet).strip()
        if key in names:
            return sheets[names.index(key)], []
        if key.isdigit() and 1 <= int(key) <= len(sheets):
            return sheets[int(key) - 1], []
        raise InputError(file, field="sheet", value=sheet, code="unknown_sheet",
                         problem="the workbook has no such sheet",
                         expected=f"a sheet name or number: {names}")
    scored = []
    for ws in sheets:
        rows = _rows(ws, HEADER_SCAN_ROWS)
        texts = [[_text(v) for v, _ in r] for r in rows]
        pos, score = find_header(texts) if texts else (0, 0)
        scored.append((score, ws, rows))
    good = [s for s in scored if s[0] >= 2]
    if not good:
        raise InputError(file, code="no_header", problem="no sheet has a header row naming "
                         "the site columns within its first 20 rows; saw: "
                         + "; ".join(_seen(ws.title, rows) for _, ws, rows in scored),
                         expected="a header row with 名稱 (name) and 經度/緯度 (lon/lat) or "
                                  "地址 (address)")
    best = max(good, key=lambda s: s[0])
    others = [Finding(file, None, "sheet", ws.title, f"one site list per file: sheet "
                      f"{best[1].title!r} was read, this sheet also looks like a site list "
                      "(choose it with --sheet / sheet=)", "warning", "other_sheet")
              for _, ws, _ in good if ws is not best[1]]
    return best[1], others


def read_xlsx(path: str | Path, *, sheet: str | None = None) -> RawTable:
    """Read an .xlsx site list into a :class:`RawTable` (all cells text).

    ``sheet``: name or 1-based number; default the sheet whose header names the most
    site columns. Error cells and formulas without a cached value become
    ``cell_problems``. Raises :class:`InputError` for a file that is not a readable
    workbook, an unknown sheet, or no sheet with a recognisable header (the message lists
    the first row seen on each sheet).
    """
    path = Path(path)
    file = str(path)
    _check_signature(path)
    values_book = _open(path, data_only=True)
    try:
        ws, findings = _pick_sheet(values_book, sheet, file)
        values = _rows(ws)
    finally:
        values_book.close()
    formulas_book = _open(path, data_only=False)
    try:
        formulas = _rows(formulas_book[ws.title])
    finally:
        formulas_book.close()
    texts = [[_text(v) for v, _ in r] for r in values]
    pos, _ = find_header(texts)
    width = max([len(r) for r in texts] + [1])
    header = unique_headers(texts[pos] if texts else [], width)
    body = [r + [""] * (width - len(r)) for r in texts[pos + 1:]]
    problems: dict[tuple[int, str], CellProblem] = {}
    pairs = itertools.zip_longest(values[pos + 1:], formulas[pos + 1:], fillvalue=[])
    for i, (vrow, frow) in enumerate(pairs):
        for j, (vcell, fcell) in enumerate(itertools.zip_longest(vrow, frow,
                                                                 fillvalue=(None, "n"))):
            if j >= width:
                break
            if vcell[1] == "e":
                problems[(i, header[j])] = CellProblem(
                    _text(vcell[0]), "error_cell",
                    f"a value, not the Excel error {_text(vcell[0])} (fix the formula or "
                    "type the value)")
            elif vcell[0] is None and fcell[1] == "f":
                problems[(i, header[j])] = CellProblem(str(fcell[0]), "formula_without_value",
                                                       FORMULA_EXPECTED)
                body[i][j] = str(fcell[0])
    frame = pd.DataFrame(body, columns=header, dtype=object)
    return RawTable(frame, file, "xlsx", header_row=pos + 1, sheet=ws.title,
                    cell_problems=problems, findings=findings)
