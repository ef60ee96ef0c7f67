"""GeoPackage helpers shared by the scenario store and the site library: integrity checks
with plain ``sqlite3`` (read-only, immutable) and atomic writes through
:func:`common.files.atomic_write` (temp folder beside the target, fsync, permissions that
follow the umask, ``os.replace``, fsync of the directory)."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Callable

import pandas as pd
import pyogrio

from common.files import atomic_write

__all__ = ["GPKG_APPLICATION_ID", "check_gpkg", "column_dtypes", "file_identity", "read_layer",
           "restore_dtypes", "text_or_empty", "write_gpkg_atomic"]

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"


def check_gpkg(path: Path, tables: set[str], *, bad: Callable[[Path, str], Exception],
               missing: Callable[[Path], Exception]) -> None:
    """Raise ``bad(path, what)`` unless ``path`` is an intact GeoPackage holding ``tables``
    (``missing(path)`` when the file does not exist)."""
    try:
        uri = Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
        con = sqlite3.connect(uri, uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            check = con.execute("PRAGMA quick_check").fetchone()[0]
            found = {r[0] for r in con.execute(
                "SELECT table_name FROM gpkg_contents").fetchall()}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if not Path(path).exists():  # deleted meanwhile: not a damaged file
            raise missing(path) from None
        raise bad(path, f"not a readable GeoPackage ({exc})") from None
    if app_id != GPKG_APPLICATION_ID:
        raise bad(path, f"not a GeoPackage (application_id {app_id:#x})")
    if check != "ok":
        raise bad(path, f"damaged GeoPackage (integrity check: {check})")
    absent = tables - found
    if absent:
        raise bad(path, f"GeoPackage without the layer(s) {sorted(absent)}")


def read_layer(path: Path, layer: str, *, bad: Callable[[Path, str], Exception]):
    """``pyogrio.read_dataframe(path, layer=layer)``; any reader error becomes ``bad``."""
    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # pyogrio/GDAL errors have no common base class
        raise bad(path, f"unreadable '{layer}' layer ({exc})") from None


def read_meta_row(path: Path, layer: str, fmt: str, *,
                  bad: Callable[[Path, str], Exception]) -> pd.Series:
    """The one row of a metadata table ``layer`` whose ``format`` is ``fmt``; ``bad(path,
    what)`` is raised when the table has another number of rows or another format."""
    meta = read_layer(path, layer, bad=bad)
    if len(meta) != 1:
        raise bad(path, f"'{layer}' table has {len(meta)} rows; expected 1")
    row = meta.iloc[0]
    if row.get("format") != fmt:
        raise bad(path, f"format {row.get('format')!r}; expected {fmt!r}")
    return row


def write_gpkg_atomic(target: Path, write: Callable[[Path], None],
                      check: Callable[[Path], None]) -> Path:
    """Create ``target`` atomically: ``write(tmp)`` builds the file, ``check(tmp)`` must pass
    before it replaces ``target``; on any failure ``target`` is left as it was."""
    def build(tmp: Path) -> None:
        write(tmp)
        check(tmp)
    return atomic_write(target, build)


def file_identity(path: Path) -> tuple[int, int, int]:
    """(inode, mtime ns, size): changes when a save replaces the file."""
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size


def text_or_empty(value: object) -> str:
    """A metadata cell as text ('' for null / NaN)."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def column_dtypes(frame: pd.DataFrame) -> list[list[str]]:
    """[[column, dtype], ...] of a table, to store beside it (GeoPackage keeps fewer types)."""
    return [[str(c), str(frame[c].dtype)] for c in frame.columns]


def restore_dtypes(frame: pd.DataFrame, columns: list[list[str]]) -> pd.DataFrame:
    """``frame`` (as read back) with the column order and dtypes of :func:`column_dtypes`;
    a column whose values cannot take the recorded dtype keeps the one it was read with."""
    out = frame[[c for c, _ in columns]].copy()
    for col, dtype in columns:
        if dtype == "geometry" or str(out[col].dtype) == dtype:
            continue
        try:
            out[col] = out[col].astype(dtype)
        except (TypeError, ValueError):
            pass  # the values are intact; only the dtype differs
    return out
