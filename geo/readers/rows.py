"""Row checks of a site list read by :mod:`geo.readers`: each field's problems as tables
of ``pos, field, value, expected, code`` (vectorised), exact copies, Excel cells reported
once, and the rejected rows as read."""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.quality import Finding
from geo.readers.fields import map_unique, numbers, problem_part, status_of
from geo.readers.table import GEOMETRY_TYPE, GEOMETRY_X, GEOMETRY_Y, RawTable
from geo.services import SERVICE_TYPES, match_service_type

__all__ = ["text_of", "field_problems", "xy_text", "duplicate_rows", "drop_cell_echoes",
           "rejected_table", "row_findings", "unplaceable", "REJECTED_COLUMNS"]

REJECTED_COLUMNS = ["row", "reasons"]
_RAW_NAMES = {GEOMETRY_X: "geometry_x", GEOMETRY_Y: "geometry_y", "row": "row (file)",
              "reasons": "reasons (file)"}


def text_of(raw: RawTable, mapping: dict[str, str], fld: str) -> pd.Series:
    """A field's cells as stripped text (object dtype; '' where blank or no column)."""
    frame = raw.frame
    if fld not in mapping:
        return pd.Series("", index=frame.index, dtype=object)
    return pd.Series([v.strip() if isinstance(v, str) else "" for v in
                      frame[mapping[fld]].to_numpy(object)], index=frame.index, dtype=object)


def field_problems(raw: RawTable, mapping: dict, text: dict, default_type: str | None
                    ) -> tuple[list[pd.DataFrame], dict]:
    """Row problems of type, name, status, capacity and Excel cells; parsed values."""
    col = {f: mapping.get(f, f) for f in text}
    parts = []
    for k, ((pos, column), cp) in enumerate(sorted(raw.cell_problems.items())):
        fld = next((f for f, c in mapping.items() if c == column), None)
        if fld in ("name", "type", "status", "capacity", "lon", "lat", "address", "crs",
                   "district", "site_id", "village"):
            parts.append(pd.DataFrame({"pos": [pos], "order": 0, "field": column,
                                       "value": cp.value, "expected": cp.expected,
                                       "code": cp.code}))
    type_id = map_unique(text["type"], lambda v: match_service_type(v) if v else default_type)
    valid = ", ".join(f"{t.id}/{t.name_zh}" for t in SERVICE_TYPES.values())
    parts.append(problem_part(type_id.isna(), col["type"], text["type"], "a service type: "
                              + valid + ("" if "type" in mapping else " (or --type)"),
                              "unknown_type", 1))
    parts.append(problem_part(text["name"] == "", col["name"], text["name"],
                              "a site name (名稱/name)", "missing_name", 2))
    status = map_unique(text["status"], status_of)
    parts.append(problem_part(status.isna(), col["status"], text["status"],
                              "open/planned/closed (開放/規劃中/關閉), blank = open",
                              "bad_status", 3))
    capacity, bad = numbers(text["capacity"])
    bad |= capacity < 0
    parts.append(problem_part(bad, col["capacity"], text["capacity"],
                              "a number ≥ 0 (or blank = unknown)", "bad_capacity", 4))
    return parts, {"type": type_id, "status": status, "capacity": capacity}


def xy_text(raw: RawTable, mapping: dict, text: dict) -> tuple[pd.Series, pd.Series]:
    if raw.kind != "geojson":
        return text["lon"], text["lat"]
    gx, gy = raw.frame[GEOMETRY_X].astype(str), raw.frame[GEOMETRY_Y].astype(str)
    if "lon" not in mapping:
        return gx, gy
    use_geom = ((gx != "") | (gy != "")).to_numpy()
    return gx.where(use_geom, text["lon"]), gy.where(use_geom, text["lat"])


def duplicate_rows(text: dict, xs: pd.Series, ys: pd.Series, ok: np.ndarray,
                rownos: np.ndarray, name_field: str, order: int) -> pd.DataFrame:
    """Exact copies of an earlier accepted row (same text in every site field)."""
    cols = [text[k].tolist() for k in ("type", "name", "address", "district", "status",
                                      "capacity")] + [xs.tolist(), ys.tolist()]
    keys = pd.Series(["\x1f".join(map(str, t)) for t in zip(*cols)], dtype=object)[ok]
    dup = keys.duplicated(keep="first").to_numpy()
    mask = np.zeros(len(ok), bool)
    expected = np.full(len(ok), "", dtype=object)
    if dup.any():
        pos = keys.index.to_numpy()
        firsts = pd.Series(pos).groupby(keys.to_numpy(), sort=False).transform("first")
        where = pos[dup]
        mask[where] = True
        expected[where] = [f"a row that is not a copy of row {rownos[f]} (exact duplicate)"
                           for f in firsts.to_numpy()[dup]]
    return problem_part(mask, name_field, text["name"], expected, "duplicate_row", order)


def drop_cell_echoes(problems: pd.DataFrame, raw: RawTable) -> pd.DataFrame:
    """A cell that is an Excel error or an uncached formula is reported as such once, not
    again as a bad number / missing value of the same field."""
    if not raw.cell_problems or problems.empty:
        return problems
    cells = set(raw.cell_problems)
    echo = [(p, f) in cells and c not in ("error_cell", "formula_without_value")
            for p, f, c in zip(problems["pos"], problems["field"], problems["code"])]
    return problems[~np.asarray(echo, bool)]


def rejected_table(raw: RawTable, problems: pd.DataFrame, rownos: np.ndarray
                    ) -> pd.DataFrame:
    cols = [c for c in raw.frame.columns if c != GEOMETRY_TYPE]
    names = [_RAW_NAMES.get(str(c), str(c)) for c in cols]
    if problems.empty:
        return pd.DataFrame(columns=REJECTED_COLUMNS + names)
    by_pos: dict[int, list[str]] = {}
    for p, f, e in zip(problems["pos"], problems["field"], problems["expected"]):
        by_pos.setdefault(int(p), []).append(f"{f}: {e}")
    pos = np.array(sorted(by_pos), dtype=int)
    out = raw.frame.iloc[pos][cols].copy()
    out.columns = names
    out.insert(0, "reasons", ["; ".join(by_pos[p]) for p in pos])
    out.insert(0, "row", rownos[pos])
    return out.reset_index(drop=True)


def row_findings(problems: pd.DataFrame, rownos: np.ndarray, types: pd.Series,
              file: str) -> list[Finding]:
    return [Finding(file, int(rownos[p]), str(f), v, str(e), "error", c, t or "")
            for p, f, v, e, c, t in zip(problems["pos"], problems["field"], problems["value"],
                                        problems["expected"], problems["code"],
                                        types.to_numpy(object)[problems["pos"].to_numpy(int)])]


def unplaceable(raw: RawTable, mapping: dict, blank: np.ndarray, text: dict, order: int
                 ) -> pd.DataFrame:
    """Rows with neither coordinates nor an address / 村里 to place them by."""
    nothing = blank & (text["address"] == "").to_numpy() & (text["village"] == "").to_numpy()
    if raw.kind == "geojson":
        gtype = raw.frame[GEOMETRY_TYPE].astype(str)
        other = ~gtype.isin(["Point", "none"]).to_numpy()
        exp = "a Point geometry with [lon, lat], or an address / 村里 to place the site later"
        return pd.concat([
            problem_part(other, "geometry", gtype, "a Point geometry with [lon, lat]",
                         "bad_geometry", order),
            problem_part(nothing & ~other, "geometry", gtype, exp, "bad_geometry", order)])
    return problem_part(nothing, mapping.get("lon", "lon"), text["lon"],
                        "經度/緯度 (lon/lat), or an address (地址) or 村里 (village) to place "
                        "the site later", "missing_coordinate", order)
