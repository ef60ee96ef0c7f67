"""CSV / TSV / semicolon-separated site lists: text decoded by
:mod:`geo.readers.encoding`, delimiter and header row found, ragged rows padded."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from geo.quality import InputError
from geo.readers.columns import HEADER_SCAN_ROWS, find_header
from geo.readers.encoding import decode_text
from geo.readers.table import RawTable, unique_headers

__all__ = ["read_delimited", "DELIMITERS"]

DELIMITERS = (",", "\t", ";", "|")
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


def _delimiter(text: str) -> str:
    sample = text[:200_000].splitlines()[:HEADER_SCAN_ROWS + 5]
    counts = {d: sum(line.count(d) for line in sample) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(text: str, delim: str, file: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        return list(reader)
    except csv.Error as exc:
        raise InputError(file, field="line", value=reader.line_num, code="bad_csv",
                         problem=f"the CSV cannot be split into fields ({exc}); an unclosed "
                                 "quote (\") often makes one field swallow the rest",
                         expected="CSV text with balanced quotes") from None


def read_delimited(path: str | Path, *, encoding: str | None = None) -> RawTable:
    """Read a delimited text file into a :class:`RawTable` (all cells text).

    Raises :class:`InputError` for an empty file, a workbook or binary file under a text
    name, undecodable text (see :func:`geo.readers.encoding.decode_text`) and CSV that
    cannot be split into fields.
    """
    path = Path(path)
    file = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(file, problem="the file is empty (no header row and no data) / "
                         "檔案是空的", expected="a header row and data rows", code="empty_file")
    if data.startswith((_ZIP, _OLE)):
        raise InputError(file, problem="this is not CSV text: it starts like an Excel "
                         "workbook or another zip / binary file", code="not_text",
                         expected="CSV text in UTF-8 or Big5; rename a workbook to .xlsx, "
                                  "or save it as CSV UTF-8")
    text, used = decode_text(data, file=file, encoding=encoding)
    text = text.lstrip("\ufeff")
    rows = _rows(text, _delimiter(text), file)
    if not rows:
        raise InputError(file, problem="the file holds no rows", code="empty_file",
                         expected="a header row and data rows")
    pos, _ = find_header(rows)
    header, body = rows[pos], rows[pos + 1:]
    width = max([len(header)] + [len(r) for r in body])
    body = [r if len(r) == width else r + [""] * (width - len(r)) for r in body]
    frame = pd.DataFrame(body, columns=unique_headers(header, width), dtype=object)
    return RawTable(frame, file, "csv", encoding=used, header_row=pos + 1)
