"""Row coordinates of a site list to WGS84 lon/lat, honouring every declaration.

Per row the system is, in this order: the row's CRS column, the declared system (the
caller's ``crs=`` or the file's GeoJSON ``crs`` / ``.prj``), else the system the file's
values show (:func:`geo.readers.crs.detect_system`). Declared systems are transformed with
pyproj and the point must fall in the city's extent; a point that does not is rejected as
swapped, as not matching the declaration, or as out of range.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyproj

from geo.city import city
from geo.quality import Finding, InputError
from geo.readers.crs import (CRS_EXPECTED, DEGREES, METRES, TWD97, classify,
                             detect_system, in_city, native_problems, parse_crs, to_lonlat,
                             twd67_offset_m)
from geo.readers.fields import numbers, problem_part

__all__ = ["Points", "resolve_points"]


class Points(NamedTuple):
    """Coordinates of every data row: ``lon`` / ``lat`` (NaN where none or rejected),
    ``blank`` (no coordinates given), row problem tables, the system(s) used (one label,
    "per row: ..." or None), where it came from, and file-level findings."""

    lon: np.ndarray
    lat: np.ndarray
    blank: np.ndarray
    parts: list[pd.DataFrame]
    system: str | None
    source: str | None
    findings: list[Finding]


@lru_cache(maxsize=64)
def _geographic(label: str) -> bool:
    return pyproj.CRS(label).is_geographic


def _labels(texts: pd.Series, kinds: np.ndarray, *, file: str, source: str,
            field: str, row_level: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per row the label of a declaration; ``bad`` rows (row level only) could not be read.
    A file-level declaration pyproj cannot read raises InputError."""
    out = np.full(len(texts), None, dtype=object)
    bad = np.zeros(len(texts), bool)
    values = np.where(kinds == METRES, METRES, DEGREES)
    keys = pd.Series(list(zip(texts.to_numpy(object), values)), dtype=object)
    for (text, kind), where in keys.groupby(keys).groups.items():
        try:
            label = parse_crs(text, file=file, source=source, values=kind, field=field)
        except InputError:
            if not row_level:
                raise
            bad[np.asarray(where)] = True
            continue
        out[np.asarray(where)] = label
    return out, bad


def _declared_problems(x: np.ndarray, y: np.ndarray, kinds: np.ndarray, labels: np.ndarray,
                       ok: np.ndarray, source_of) -> list[tuple]:
    """(mask, field, code, expected) for declared rows whose point is not in the city."""
    swapped = np.zeros(len(x), bool)
    mismatch = np.zeros(len(x), bool)
    for label in pd.unique(labels[~ok & (labels != None)]):  # noqa: E711
        rows = ~ok & (labels == label)
        sx, sy = to_lonlat(y[rows], x[rows], label)
        swapped[np.flatnonzero(rows)[in_city(sx, sy)]] = True
        family = DEGREES if _geographic(label) else METRES
        mismatch |= rows & (kinds != "") & (kinds != family)
    mismatch &= ~swapped
    rest = ~ok & ~swapped & ~mismatch & (labels != None)  # noqa: E711
    bbox = city().lonlat_bbox
    unit = np.array(["" if lb is None else "degrees" if _geographic(str(lb)) else "metres"
                     for lb in labels], dtype=object)  # rows without a declaration: unused
    expected_mismatch = np.array([f"x/y in {lb} ({u}) as declared by {source_of(i)}; this row "
                                  f"looks like {k}" for i, (lb, u, k) in
                                  enumerate(zip(labels, unit, kinds))], dtype=object)
    expected_range = np.array([f"a point of {city().name_zh} (lon {bbox[0]}–{bbox[2]}, lat "
                               f"{bbox[1]}–{bbox[3]} once converted from {lb} as declared "
                               f"by {source_of(i)})" for i, lb in enumerate(labels)], object)
    expected_swap = np.array([f"x in the first, y in the second column/position ({lb}); "
                              "the two look swapped" for lb in labels], dtype=object)
    return [(swapped, "lon", "swapped_coordinates", expected_swap),
            (mismatch, "lon", "crs_mismatch", expected_mismatch),
            (rest, "lon", "coordinate_out_of_range", expected_range)]


def _number_problems(xs: pd.Series, ys: pd.Series, fields: dict[str, str], order: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[pd.DataFrame]]:
    """x, y (NaN where blank or not a number), rows with neither, and the problems of
    one-sided or non-numeric coordinates."""
    x, bad_x = numbers(xs)
    y, bad_y = numbers(ys)
    blank_x = np.array([not (isinstance(v, str) and v.strip()) for v in xs], dtype=bool)
    blank_y = np.array([not (isinstance(v, str) and v.strip()) for v in ys], dtype=bool)
    miss = "the cell is empty; give both, or neither and an address / 村里"
    parts = [problem_part(mask, fields[fld], vals, exp, code, order + k)
             for k, (mask, fld, vals, exp, code) in enumerate([
                 (blank_y & ~blank_x, "lat", ys, miss, "missing_coordinate"),
                 (blank_x & ~blank_y, "lon", xs, miss, "missing_coordinate"),
                 (bad_x, "lon", xs, "a number (not a number)", "bad_number"),
                 (bad_y, "lat", ys, "a number (not a number)", "bad_number")])]
    return x, y, blank_x & blank_y, parts


def _column_labels(row_crs: pd.Series, numeric: np.ndarray, kinds: np.ndarray,
                   labels: np.ndarray, sources: np.ndarray, parts: list, *, file: str,
                   field: str, order: int) -> np.ndarray:
    """Fill ``labels`` / ``sources`` (in place) from a CRS column; return the rows whose
    cell pyproj cannot read (a problem each)."""
    text = pd.Series([str(v).strip() for v in row_crs], dtype=object)
    has = numeric & (text != "").to_numpy()
    lab, bad = _labels(text[has], kinds[has], file=file, source=f"the {field} column",
                       field=field, row_level=True)
    labels[has], sources[has] = lab, f"the {field} column"
    bad_rows = np.zeros(len(numeric), bool)
    bad_rows[np.flatnonzero(has)[bad]] = True
    parts.append(problem_part(bad_rows, field, text, CRS_EXPECTED, "unknown_crs", order))
    return bad_rows


def resolve_points(xs: pd.Series, ys: pd.Series, *, file: str, row_crs: pd.Series | None,
                   declared: str | None, declared_source: str | None,
                   fields: dict[str, str], order: int = 100) -> Points:
    """Coordinates of every row (``xs`` / ``ys`` text; ``row_crs`` the CRS column's text
    or None). ``fields`` names the lon / lat / crs fields in findings."""
    n = len(xs)
    x, y, blank, parts = _number_problems(xs, ys, fields, order)
    numeric = ~np.isnan(x) & ~np.isnan(y)
    kinds = classify(np.nan_to_num(x), np.nan_to_num(y))
    kinds[~numeric] = ""
    labels, sources = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    if row_crs is not None:
        bad_rows = _column_labels(row_crs, numeric, kinds, labels, sources, parts, file=file,
                                  field=fields["crs"], order=order + 5)
        numeric &= ~bad_rows
    free = numeric & (labels == None)  # noqa: E711
    if declared is not None and free.any():
        lab, _ = _labels(pd.Series([declared] * int(free.sum()), dtype=object), kinds[free],
                         file=file, source=declared_source or "the declaration",
                         field="crs", row_level=False)
        labels[free], sources[free] = lab, declared_source
        free[:] = False
    findings: list[Finding] = []
    system = detect_system(kinds[free]) if free.any() else None
    lon, lat = np.full(n, np.nan), np.full(n, np.nan)
    if free.any():
        if system is None:
            parts.append(problem_part(free, fields["lon"], xs + ", " + ys,
                                      "WGS84 lon/lat degrees or TWD97 metres (EPSG:3826)",
                                      "unknown_coordinate_system", order + 6))
        else:
            problems = native_problems(x, y, kinds, system)
            rejected = np.zeros(n, bool)
            for k, (mask, fld, code, exp) in enumerate(problems):
                parts.append(problem_part(mask & free, fields[fld], xs if fld == "lon" else ys,
                                          exp, code, order + 10 + k))
                rejected |= mask & free
            good = free & ~rejected
            lon[good], lat[good] = to_lonlat(x[good], y[good], system)
            labels[free], sources[free] = system, "detected from the values"
            if system == TWD97:
                findings.append(_twd67_caution(file, fields))
    declared_rows = numeric & ~free & (labels != None)  # noqa: E711
    for label in pd.unique(labels[declared_rows]):
        rows = declared_rows & (labels == label)
        lon[rows], lat[rows] = to_lonlat(x[rows], y[rows], label)
    ok = ~declared_rows | (np.isfinite(lon) & np.isfinite(lat) & in_city(lon, lat))
    if (~ok).any():
        dl = np.where(declared_rows, labels, None)
        for k, (mask, fld, code, exp) in enumerate(_declared_problems(
                x, y, kinds, dl, ok, lambda i: sources[i])):
            parts.append(problem_part(mask, fields[fld], xs, exp, code, order + 20 + k))
        lon[~ok], lat[~ok] = np.nan, np.nan
    used = pd.unique(labels[numeric & (labels != None)])  # noqa: E711
    label = used[0] if len(used) == 1 else ("per row: " + ", ".join(map(str, used))
                                            if len(used) else None)
    src = pd.unique(sources[numeric & (sources != None)])  # noqa: E711
    return Points(lon, lat, blank, parts, label,
                  src[0] if len(src) == 1 else (", ".join(map(str, src)) or None), findings)


def _twd67_caution(file: str, fields: dict[str, str]) -> Finding:
    return Finding(file, None, fields["lon"], TWD97,
                   "a declared coordinate system: metres without one were read as TWD97 / "
                   f"TM2 (EPSG:3826), but TWD67 / TM2 (EPSG:3828) metres look the same and "
                   f"lie about {twd67_offset_m():,.0f} m away; if the file is TWD67, declare "
                   "it (--crs EPSG:3828, a .prj file or a CRS column)", "warning",
                   "crs_assumed", "")
