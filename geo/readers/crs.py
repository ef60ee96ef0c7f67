"""Coordinate systems of imported points: declared ones honoured with pyproj, undeclared
ones recognised by their values, and every point checked against the city's extent.

A declaration comes from the caller (``crs=``, the CLI's ``--crs``), the file (GeoJSON
``crs`` member, a ``.prj`` beside it) or a CRS column (per row). Text pyproj cannot read
is refused, never guessed. The datum names TWD97 / TWD67 / WGS84 alone are read by the
values: degrees are the geographic system (EPSG:3824 / 3821 / 4326), metres the TM2 zone
121 projection (EPSG:3826 / 3828). Without any declaration, values in degrees are
WGS84 (EPSG:4326) and values in metres TWD97 / TM2 (EPSG:3826) by the majority of rows,
with a caution that the metres could be TWD67 (EPSG:3828).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj
from pyproj.exceptions import CRSError

from geo.city import city
from geo.quality import InputError

__all__ = ["WGS84", "TWD97", "TWD67", "parse_crs", "crs_label", "same_crs", "classify",
           "detect_system", "to_lonlat", "in_city", "native_problems", "twd67_offset_m",
           "DEGREES", "METRES", "CRS_EXPECTED"]

WGS84, TWD97, TWD67 = "EPSG:4326", "EPSG:3826", "EPSG:3828"
DEGREES, METRES = "degrees", "metres"
# datum names alone: (geographic system for degrees, TM2 zone 121 for metres)
_DATUMS = {"twd97": ("EPSG:3824", TWD97), "twd67": ("EPSG:3821", TWD67),
           "wgs84": (WGS84, None), "wgs1984": (WGS84, None)}
CRS_EXPECTED = ("a coordinate system pyproj knows, e.g. EPSG:3826 (TWD97 / TM2 metres), "
                "EPSG:3828 (TWD67 / TM2 metres), EPSG:4326 (WGS84 lon/lat degrees)")
_LONLAT, _TM2 = city().lonlat_bbox, city().twd97_bbox


def _key(text: str) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


@lru_cache(maxsize=256)
def _parse(text: str) -> tuple[str, ...]:
    """Labels a declaration stands for: one label, or (degrees, metres) for a datum name."""
    key = _key(text)
    if key in _DATUMS:
        return tuple(x for x in _DATUMS[key] if x)
    raw = text.strip()
    if raw.isdigit():
        raw = f"EPSG:{raw}"
    crs = pyproj.CRS.from_user_input(raw)
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(f"{crs.name} is neither geographic nor projected")
    return (crs_label(crs),)


def parse_crs(text: object, *, file: str, source: str, values: str | None = None,
              row: int | None = None, field: str = "crs") -> str:
    """The label ("EPSG:3826", or pyproj's string for a system without an EPSG code) of a
    declared coordinate system. ``values`` (DEGREES / METRES) picks the geographic or
    projected member of a datum name (TWD97, TWD67). Raises :class:`InputError` naming
    ``source`` (e.g. "the GeoJSON crs member") when pyproj cannot read the text."""
    try:
        labels = _parse(str(text))
    except (CRSError, TypeError, ValueError) as exc:
        raise InputError(file, row=row, field=field, value=str(text), code="unknown_crs",
                         problem=f"{source} declares a coordinate system pyproj cannot read "
                                 f"({str(exc).splitlines()[0][:120]})",
                         expected=CRS_EXPECTED) from None
    if len(labels) == 2 and values == METRES:
        return labels[1]
    return labels[0]


def crs_label(crs: pyproj.CRS) -> str:
    code = crs.to_epsg(min_confidence=90)
    if code is not None:
        return f"EPSG:{code}"
    if crs.equals(pyproj.CRS(WGS84), ignore_axis_order=True):
        return WGS84
    return crs.to_string()


def same_crs(a: str, b: str) -> bool:
    """Whether two labels name the same system (axis order ignored)."""
    return a == b or pyproj.CRS(a).equals(pyproj.CRS(b), ignore_axis_order=True)


def classify(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per pair (either order): DEGREES when both look like degrees, METRES when they
    look like TWD97/TWD67 TM2 metres of Taiwan, else ''."""
    lo, hi = np.minimum(np.abs(x), np.abs(y)), np.maximum(np.abs(x), np.abs(y))
    out = np.full(len(x), "", dtype=object)
    out[hi <= 180] = DEGREES
    out[(lo >= 100_000) & (lo <= 400_000) & (hi >= 2_400_000) & (hi <= 2_900_000)] = METRES
    return out


def detect_system(kinds: np.ndarray) -> str | None:
    """WGS84 or TWD97 by the majority of classified rows (ties: WGS84); None when no row
    looks like either."""
    deg, met = int((kinds == DEGREES).sum()), int((kinds == METRES).sum())
    if deg == met == 0:
        return None
    return TWD97 if met > deg else WGS84


@lru_cache(maxsize=32)
def _transformer(label: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(label, WGS84, always_xy=True)


def to_lonlat(x: np.ndarray, y: np.ndarray, label: str) -> tuple[np.ndarray, np.ndarray]:
    """x/y in ``label`` to WGS84 lon/lat degrees (inf where the transform fails)."""
    if label == WGS84:
        return np.asarray(x, float), np.asarray(y, float)
    with np.errstate(all="ignore"):
        lon, lat = _transformer(label).transform(np.asarray(x, float), np.asarray(y, float),
                                                  errcheck=False)
    return np.asarray(lon, float), np.asarray(lat, float)


def in_city(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Inside the city's accepted lon/lat extent (the city profile's bbox)."""
    return ((lon >= _LONLAT[0]) & (lon <= _LONLAT[2]) & (lat >= _LONLAT[1])
            & (lat <= _LONLAT[3]))


def _within(v: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return (v >= lo) & (v <= hi)


def expected_native(system: str, fld: str) -> str:
    """What a lon/x or lat/y value must be in WGS84 degrees or TWD97 metres."""
    if system == WGS84:
        lo, hi = (_LONLAT[0], _LONLAT[2]) if fld == "lon" else (_LONLAT[1], _LONLAT[3])
        word = "longitude" if fld == "lon" else "latitude"
        return f"a {word} of {city().name_zh}, {lo}–{hi} (WGS84 degrees)"
    lo, hi = (_TM2[0], _TM2[2]) if fld == "lon" else (_TM2[1], _TM2[3])
    return (f"a TWD97 {'x' if fld == 'lon' else 'y'} of {city().name_zh}, "
            f"{lo:,.0f}–{hi:,.0f} m (EPSG:3826)")


def native_problems(x: np.ndarray, y: np.ndarray, kinds: np.ndarray, system: str
                    ) -> list[tuple[np.ndarray, str, str, str]]:
    """Problems of undeclared coordinates read in ``system`` (WGS84 or TWD97), as
    ``(row mask, field, code, expected)``; each row gets at most one kind of problem."""
    other = METRES if system == WGS84 else DEGREES
    mixed = kinds == other
    mine = "WGS84 lon/lat degrees" if system == WGS84 else "TWD97 metres (EPSG:3826)"
    theirs = "TWD97 metres" if system == WGS84 else "WGS84 degrees"
    xr = (_LONLAT[0], _LONLAT[2]) if system == WGS84 else (_TM2[0], _TM2[2])
    yr = (_LONLAT[1], _LONLAT[3]) if system == WGS84 else (_TM2[1], _TM2[3])
    x_ok, y_ok = _within(x, *xr), _within(y, *yr)
    swapped = ~mixed & ~x_ok & ~y_ok & _within(y, *xr) & _within(x, *yr)
    rest = ~mixed & ~swapped
    names = "lon/lat" if system == WGS84 else "x/y"
    return [
        (mixed, "lon", "mixed_coordinate_system",
         f"{mine} like the rest of the file (this row looks like {theirs})"),
        (swapped, "lon", "swapped_coordinates",
         f"{expected_native(system, 'lon')}; the {names} columns look swapped"),
        (rest & ~x_ok, "lon", "coordinate_out_of_range", expected_native(system, "lon")),
        (rest & ~y_ok, "lat", "coordinate_out_of_range", expected_native(system, "lat")),
    ]


def twd67_offset_m() -> float:
    """How far a TWD67 / TM2 point of the city's centre moves when read as TWD97, metres."""
    cx, cy = (_TM2[0] + _TM2[2]) / 2, (_TM2[1] + _TM2[3]) / 2
    x, y = pyproj.Transformer.from_crs(TWD67, TWD97, always_xy=True).transform(cx, cy)
    return float(np.hypot(x - cx, y - cy))
