"""Column names of a site list and where its header row is.

Columns are found by common names, case-, whitespace- and full-width-insensitive
(:func:`norm_header`). A header row need not be the first row: a title row or notes above
it are skipped (:func:`find_header`).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["COLUMN_ALIASES", "norm_header", "map_columns", "find_header", "accepted_names",
           "HEADER_SCAN_ROWS"]

# site-table field -> accepted header names (compared after norm_header)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("id", "編號", "site_id", "siteid", "代碼", "序號"),
    "name": ("名稱", "name", "機構名稱", "據點名稱", "單位名稱", "site_name", "sitename"),
    "address": ("地址", "address", "addr", "住址", "服務地址"),
    "lon": ("經度", "lon", "lng", "long", "longitude", "x", "x座標", "twd97x", "e", "easting"),
    "lat": ("緯度", "lat", "latitude", "y", "y座標", "twd97y", "n", "northing"),
    "district": ("行政區", "區", "district", "區域", "鄉鎮市區", "town"),
    "village": ("村里", "里", "村", "里別", "村里名稱", "village"),
    "type": ("類型", "type", "服務類型", "類別", "service_type"),
    "status": ("狀態", "status", "營運狀態"),
    "capacity": ("容量", "capacity", "社工人數", "服務量"),
    # how a point was found, as the library's exports write it (a re-import keeps it)
    "located_by": ("located_by", "定位方式", "locatedby"),
    "precision": ("precision", "定位精度", "位置精度"),
    "crs": ("crs", "epsg", "srid", "座標系統", "坐標系統", "座標系", "參考系統",
            "coordinate_system", "coordinate_reference_system"),
}
HEADER_SCAN_ROWS = 20


def norm_header(text: object) -> str:
    """A header as compared: NFKC, lower case, without spaces and punctuation."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-/().:：（）]+", "", s)


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, str]:
    return {norm_header(n): fld for fld, names in COLUMN_ALIASES.items() for n in names}


def map_columns(columns: list[object]) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """Site-table field -> source column (first match in column order), and the fields
    that matched more than one column as ``(field, [columns])``."""
    index = _alias_index()
    found: dict[str, list[str]] = {}
    for col in columns:
        fld = index.get(norm_header(col))
        if fld is not None:
            found.setdefault(fld, []).append(col)
    mapping = {fld: cols[0] for fld, cols in found.items()}
    ambiguous = [(fld, cols) for fld, cols in found.items() if len(cols) > 1]
    return mapping, ambiguous


def accepted_names(field: str) -> str:
    """The accepted header names of a field, for messages."""
    return "/".join(COLUMN_ALIASES[field])


def find_header(rows: list[list[str]], *, scan: int = HEADER_SCAN_ROWS) -> tuple[int, int]:
    """Position of the header among the first ``scan`` rows: the first row naming the
    most site-table fields (at least two). Returns ``(position, fields named)``;
    ``(0, n)`` when no row names two fields (the first row is then taken as the header
    and the missing columns are reported against it)."""
    index = _alias_index()
    best, best_score = 0, -1
    for pos, row in enumerate(rows[:scan]):
        score = len({index[k] for k in (norm_header(c) for c in row if str(c).strip())
                     if k in index})
        if score > best_score:
            best, best_score = pos, score
    if best_score < 2:
        first = rows[0] if rows else []
        return 0, len({index[k] for k in map(norm_header, first) if k in index})
    return best, best_score
