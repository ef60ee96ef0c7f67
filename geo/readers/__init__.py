"""Readers for a planner's own files: CSV / TSV, Excel .xlsx and GeoJSON site lists into
one raw text table (:class:`RawTable`), with the encoding, sheet, header row and any
declared coordinate system (GeoJSON ``crs``, a ``.prj`` beside the file). Every failure is
a :class:`geo.quality.InputError` naming the file and what was expected."""
from __future__ import annotations

from pathlib import Path

from geo.quality import InputError
from geo.readers.delimited import read_delimited
from geo.readers.encoding import decode_text
from geo.readers.geojson import read_geojson
from geo.readers.table import RawTable
from geo.readers.xlsx import read_xlsx

__all__ = ["read_table", "RawTable", "decode_text", "read_delimited", "read_xlsx",
           "read_geojson", "EXCEL_SUFFIXES", "GEOJSON_SUFFIXES"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
GEOJSON_SUFFIXES = (".geojson", ".json")


def _prj(path: Path, table: RawTable) -> None:
    """Take the coordinate system of a ``.prj`` beside the file (ESRI WKT)."""
    prj = path.with_suffix(".prj")
    if not prj.is_file():
        return
    text, _ = decode_text(prj.read_bytes(), file=str(prj))
    if not text.strip():
        raise InputError(str(prj), problem="the .prj file beside the data is empty",
                         code="unknown_crs", expected="the coordinate system as WKT")
    if table.crs is not None:
        raise InputError(table.file, field="crs", value=prj.name, code="crs_conflict",
                         problem=f"both {table.crs_source} ({table.crs}) and {prj.name} "
                                 "declare a coordinate system",
                         expected="one declaration (remove the .prj or the crs member)")
    table.crs, table.crs_source = text.strip(), prj.name


def read_table(path: str | Path, *, encoding: str | None = None,
               sheet: str | None = None) -> RawTable:
    """Read a site file by its suffix: .xlsx/.xlsm, .geojson/.json, anything else as
    delimited text. ``encoding`` overrides detection for text files; ``sheet`` picks a
    worksheet. Raises FileNotFoundError for a missing path, InputError otherwise."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"site file not found: {path}")
    if not path.is_file():
        raise InputError(str(path), problem="this is a directory, not a file",
                         code="not_a_file", expected="a CSV, .xlsx or GeoJSON file")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InputError(str(path), problem="old Excel .xls is not supported", code="not_xlsx",
                         expected="an .xlsx workbook or CSV UTF-8 (save as .xlsx or CSV)")
    if suffix in EXCEL_SUFFIXES:
        table = read_xlsx(path, sheet=sheet)
    elif suffix in GEOJSON_SUFFIXES:
        table = read_geojson(path, encoding=encoding)
    else:
        table = read_delimited(path, encoding=encoding)
    _prj(path, table)
    return table
