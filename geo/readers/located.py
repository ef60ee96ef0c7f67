"""How a site list says its points were found (``located_by`` / ``precision`` columns, as
the site library's exports write them), read back so that a re-import never claims more
than the point shows: a village-level point never turns into "exact"."""
from __future__ import annotations

import numpy as np

from geo.quality import Finding

__all__ = ["how_located", "METHODS"]

# located_by -> precision, one to one
METHODS = {"coordinates": "exact", "village": "village", "geocoder": "geocoder", "hand": "hand"}
_BY_PRECISION = {p: m for m, p in METHODS.items()}
# the words a planner's file may use instead of the codes (zh-TW labels of the app)
_WORDS = {"檔案座標": "coordinates", "座標": "coordinates", "精確": "coordinates",
          "村里": "village", "村里需求點": "village", "地理編碼": "geocoder",
          "手動": "hand", "手動放置": "hand"}


def _method(value: object, codes: dict[str, str]) -> str | None:
    """The locating method a cell names (None: blank); "?" for a value no one knows."""
    text = str(value or "").strip()
    if not text:
        return None
    key = text.lower()
    return codes.get(key) or _WORDS.get(text) or "?"


def how_located(by: np.ndarray, precision: np.ndarray, has_point: np.ndarray,
                rows: np.ndarray, *, fields: tuple[str, str], file: str
                ) -> tuple[list, list, list[Finding]]:
    """Per row (``rows``: 1-based file rows) the (located_by, precision) to store, None for
    the reader's default (coordinates / exact where there is a point), and warnings for
    values no one knows or pairs that disagree. A row naming a less exact method in either
    column (village, geocoder, hand) keeps that method; rows without a point keep none."""
    out_by, out_prec, findings = [], [], []
    for b, p, point, row in zip(by, precision, has_point, rows):
        mb = _method(b, {m: m for m in METHODS})
        mp = _method(p, _BY_PRECISION)
        for m, value, field in ((mb, b, fields[0]), (mp, p, fields[1])):
            if m == "?":
                findings.append(Finding(file, int(row), field, value,
                                        "one of " + ", ".join(METHODS if field == fields[0]
                                                              else METHODS.values()),
                                        "warning", "unknown_located_by", ""))
        known = [m for m in (mb, mp) if m not in (None, "?")]
        if len(set(known)) > 1:
            findings.append(Finding(file, int(row), f"{fields[0]}, {fields[1]}", f"{b} / {p}",
                                    "the same method in both columns; the less exact one "
                                    "is kept", "warning", "located_by_mismatch", ""))
        rough = [m for m in known if m != "coordinates"]
        method = rough[0] if rough else (known[0] if known else None)
        keep = bool(point) and method is not None
        out_by.append(method if keep else None)
        out_prec.append(METHODS[method] if keep else None)
    return out_by, out_prec, findings
