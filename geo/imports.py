"""Import a user's site list (CSV, Excel .xlsx, GeoJSON) into the standard site table.

Columns are found by common names (名稱/name, 地址/address, 經度/lon/lng/longitude/x,
緯度/lat/latitude/y, 行政區/區/district, 類型/type, 狀態/status, 容量/capacity/社工人數,
id/編號), case-, whitespace- and full-width-insensitive.

CSV encoding: UTF-8 (with or without BOM), else Big5 (cp950); anything else is an error that
names the file.

Coordinates are detected **per file**: WGS84 lon/lat degrees (EPSG:4326) or TWD97 / TM2
metres (EPSG:3826), by the majority of rows whose values fall in one of the two systems.
Rows then must fit the file's system and 桃園市's extent (lon 120.9–121.55, lat 24.5–25.2;
x 240,000–310,000 m, y 2,700,000–2,790,000 m); swapped columns, the other system and
impossible values reject the row with a finding naming the file, row, field, value and
the expected range. TWD97 input is converted to lon/lat.

Nothing is silently dropped: every data row is either loaded or listed in ``rejected``
with its row number (1-based, header excluded) and reasons.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import METRIC_CRS
from geo.boundaries import district_lookup, load_districts, match_district
from geo.city import city
from geo.quality import Finding
from geo.services import SERVICE_TYPES, make_sites, match_service_type

# site-table field -> accepted header names (compared after _norm_header)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "site_id": ("id", "編號", "site_id", "siteid", "代碼", "序號"),
    "name": ("名稱", "name", "機構名稱", "據點名稱", "單位名稱", "site_name", "sitename"),
    "address": ("地址", "address", "addr", "住址", "服務地址"),
    "lon": ("經度", "lon", "lng", "long", "longitude", "x", "x座標", "twd97x", "e", "easting"),
    "lat": ("緯度", "lat", "latitude", "y", "y座標", "twd97y", "n", "northing"),
    "district": ("行政區", "區", "district", "區域", "鄉鎮市區", "town"),
    "type": ("類型", "type", "服務類型", "類別", "service_type"),
    "status": ("狀態", "status", "營運狀態"),
    "capacity": ("容量", "capacity", "社工人數", "服務量"),
}
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "open": ("open", "開放", "營運中", "服務中", "運作中", "已設置", "已成立", "已達成"),
    "planned": ("planned", "規劃中", "籌設中", "籌備中", "預計", "計畫中", "計劃中", "未設置"),
    "closed": ("closed", "關閉", "停止", "停辦", "已結束", "裁撤", "歇業"),
}

WGS84 = "EPSG:4326"
TWD97 = "EPSG:3826"
# plausible extents of 桃園市 (the city's bounds are lon 120.98–121.48, lat 24.59–25.12;
# x 248,186–298,580 m, y 2,720,031–2,779,495 m), with a margin
_LONLAT_BBOX, _TWD97_BBOX = city().lonlat_bbox, city().twd97_bbox
LON_RANGE = (_LONLAT_BBOX[0], _LONLAT_BBOX[2])
LAT_RANGE = (_LONLAT_BBOX[1], _LONLAT_BBOX[3])
X_RANGE = (_TWD97_BBOX[0], _TWD97_BBOX[2])
Y_RANGE = (_TWD97_BBOX[1], _TWD97_BBOX[3])
_EXPECT = {
    WGS84: {"lon": f"a longitude of 桃園市, {LON_RANGE[0]}–{LON_RANGE[1]} (WGS84 degrees)",
            "lat": f"a latitude of 桃園市, {LAT_RANGE[0]}–{LAT_RANGE[1]} (WGS84 degrees)"},
    TWD97: {"lon": f"a TWD97 x of 桃園市, {X_RANGE[0]:,.0f}–{X_RANGE[1]:,.0f} m (EPSG:3826)",
            "lat": f"a TWD97 y of 桃園市, {Y_RANGE[0]:,.0f}–{Y_RANGE[1]:,.0f} m (EPSG:3826)"},
}
REJECTED_COLUMNS = ["row", "reasons"]
_RAW_NAMES = {"__x": "geometry_x", "__y": "geometry_y", "row": "row (file)",
              "reasons": "reasons (file)"}


class ImportResult(NamedTuple):
    """What :func:`read_sites` read.

    ``sites``: site table (EPSG:4326); ``findings``: import errors (rejected rows) plus the
    quality warnings of :func:`geo.checks.check_sites` on the loaded rows; ``rejected``:
    the bad rows as read (text verbatim) with ``row`` and ``reasons``; ``encoding``:
    "utf-8", "utf-8-sig" or "cp950" for CSV, None otherwise; ``coordinate_system``:
    "EPSG:4326", "EPSG:3826" or None (no usable coordinates); ``rows_read`` = loaded +
    rejected.
    """

    sites: gpd.GeoDataFrame
    findings: list[Finding]
    rejected: pd.DataFrame
    encoding: str | None
    coordinate_system: str | None
    rows_read: int
    file: str


# --- reading the raw table -------------------------------------------------------------

def _norm_header(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-/().:：（）]+", "", s)


def _clean(value: object) -> str:
    """Cell text as given, stripped; '' for empty / NaN."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def decode_bytes(data: bytes, *, file: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (BOM allowed), else cp950 (Big5). Returns (text, encoding).
    Raises ValueError naming the file when neither fits or the text holds control bytes."""
    candidates = (("utf-8-sig", "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"),
                  ("cp950", "cp950"))
    for codec, label in candidates:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            return text, label
    raise ValueError(f"{file}: cannot read the text: it is neither UTF-8 nor Big5 (cp950) "
                     "text (binary or another encoding such as Latin-1?); "
                     "save it as CSV UTF-8 / 請另存為 UTF-8 編碼的 CSV")


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    data = path.read_bytes()
    if not data.strip():
        raise ValueError(f"{path}: the file is empty (no header row and no data) / 檔案是空的")
    text, encoding = decode_bytes(data, file=str(path))
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delim = max((",", "\t", ";"), key=first.count)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delim))
    header, body = rows[0], rows[1:]
    width = max([len(header)] + [len(r) for r in body])
    header = header + [f"column_{i + 1}" for i in range(len(header), width)]
    body = [r + [""] * (width - len(r)) for r in body]
    return pd.DataFrame(body, columns=header, dtype=object), encoding


def _read_excel(path: Path) -> pd.DataFrame:
    df = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    return df.map(_clean)


def _read_geojson(path: Path) -> pd.DataFrame:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not valid GeoJSON (UTF-8 JSON expected): {exc}") from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection (no 'features' list)")
    crs_name = str(((doc.get("crs") or {}).get("properties") or {}).get("name", ""))
    records = []
    for feat in feats:
        props = dict((feat or {}).get("properties") or {})
        geom = (feat or {}).get("geometry") or {}
        rec = {k: _clean(v) for k, v in props.items()}
        if geom.get("type") == "Point" and len(geom.get("coordinates") or []) >= 2:
            rec["__x"], rec["__y"] = (str(c) for c in geom["coordinates"][:2])
        else:
            rec["__x"] = rec["__y"] = ""
            rec["__geometry_type"] = geom.get("type") or "none"
        records.append(rec)
    df = pd.DataFrame(records, dtype=object).fillna("")
    df.attrs["crs"] = crs_name
    return df


def read_table(path: str | Path) -> tuple[pd.DataFrame, str | None]:
    """The raw rows of a site file as text (``dtype=object``) and the CSV encoding."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"site file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if path.stat().st_size == 0:
            raise ValueError(f"{path}: the file is empty / 檔案是空的")
        return _read_excel(path), None
    if suffix in (".geojson", ".json"):
        if not path.read_bytes().strip():
            raise ValueError(f"{path}: the file is empty / 檔案是空的")
        return _read_geojson(path), None
    if suffix == ".xls":
        raise ValueError(f"{path}: old Excel .xls is not supported; save as .xlsx or CSV")
    return _read_csv(path)


def map_columns(columns: list[str]) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """Site-table field -> source column, first match in column order; also the fields
    that matched more than one column (field, [columns])."""
    found: dict[str, list[str]] = {}
    for col in columns:
        key = _norm_header(col)
        for fld, names in COLUMN_ALIASES.items():
            if key in {_norm_header(n) for n in names}:
                found.setdefault(fld, []).append(col)
    mapping = {fld: cols[0] for fld, cols in found.items()}
    ambiguous = [(fld, cols) for fld, cols in found.items() if len(cols) > 1]
    return mapping, ambiguous


def _raw_name(col: object) -> str:
    """Column name of a raw cell in the rejected table (never clobbers row/reasons)."""
    return _RAW_NAMES.get(str(col), str(col))


def _accepted(fld: str) -> str:
    return "/".join(COLUMN_ALIASES[fld])


# --- values ---------------------------------------------------------------------------

def _number(text: str) -> float | None:
    s = unicodedata.normalize("NFKC", text).replace(",", "").replace("°", "").strip()
    if not s:
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _system_of(x: float, y: float) -> str | None:
    """Which system a pair (in either order) belongs to, loosely: degrees or TWD97 metres."""
    lo, hi = sorted((abs(x), abs(y)))
    if hi <= 180:
        return WGS84
    if 100_000 <= lo <= 400_000 and 2_400_000 <= hi <= 2_900_000:
        return TWD97
    return None


def _in(v: float, rng: tuple[float, float]) -> bool:
    return rng[0] <= v <= rng[1]


def _check_xy(x: float, y: float, system: str) -> list[tuple[str, str, str]]:
    """Problems with one coordinate pair in ``system``: (field, code, expected)."""
    xr, yr = (LON_RANGE, LAT_RANGE) if system == WGS84 else (X_RANGE, Y_RANGE)
    looks = _system_of(x, y)
    if looks is not None and looks != system:
        mine = "WGS84 lon/lat degrees" if system == WGS84 else "TWD97 metres (EPSG:3826)"
        other = "TWD97 metres" if system == WGS84 else "WGS84 degrees"
        return [("lon", "mixed_coordinate_system",
                 f"{mine} like the rest of the file (this row looks like {other})")]
    if not _in(x, xr) and not _in(y, yr) and _in(y, xr) and _in(x, yr):
        names = "lon/lat" if system == WGS84 else "x/y"
        return [("lon", "swapped_coordinates",
                 f"{_EXPECT[system]['lon']}; the {names} columns look swapped "
                 f"(lon/x column holds {x:g}, lat/y column holds {y:g})")]
    out = []
    if not _in(x, xr):
        out.append(("lon", "coordinate_out_of_range", _EXPECT[system]["lon"]))
    if not _in(y, yr):
        out.append(("lat", "coordinate_out_of_range", _EXPECT[system]["lat"]))
    return out


def _detect_system(xy: list[tuple[float, float]], declared: str = "") -> str | None:
    if "3826" in declared:
        return TWD97
    if any(k in declared for k in ("4326", "CRS84")):
        return WGS84
    votes = [s for s in (_system_of(x, y) for x, y in xy) if s]
    if not votes:
        return None
    return TWD97 if votes.count(TWD97) > votes.count(WGS84) else WGS84


def _status(text: str) -> str | None:
    key = unicodedata.normalize("NFKC", text).strip().lower()
    if not key:
        return "open"
    for status, words in STATUS_WORDS.items():
        if key in words:
            return status
    return None


def _require_columns(file: str, raw: pd.DataFrame, mapping: dict[str, str], *,
                     is_geojson: bool, has_type: bool) -> None:
    """Raise ValueError naming the missing columns and the accepted names."""
    missing = []
    if not is_geojson and ("lon" in mapping) != ("lat" in mapping):
        missing += [("經度 (lon)", "lon")] if "lat" in mapping else [("緯度 (lat)", "lat")]
    elif not is_geojson and "lon" not in mapping and "address" not in mapping:
        missing += [("經度 (lon)", "lon"), ("緯度 (lat)", "lat"), ("地址 (address)", "address")]
    if "name" not in mapping:
        missing.append(("名稱 (name)", "name"))
    if "type" not in mapping and not has_type:
        missing.append(("類型 (type) or --type", "type"))
    if not missing:
        return
    found = [str(c) for c in raw.columns if not str(c).startswith("__")]
    raise ValueError(
        f"{file}: missing column(s) {', '.join(m for m, _ in missing)}; found columns {found}. "
        "Accepted names: " + "; ".join(f"{fld}: {_accepted(fld)}" for _, fld in missing)
        + ("" if "type" in mapping else
           "; or give the type with --type / service_type= (" + ", ".join(SERVICE_TYPES) + ")"))


def _coordinates(x: float | None, y: float | None, tx: str, ty: str, system: str | None,
                 to_wgs: Transformer | None) -> tuple[tuple[float, float] | None, list]:
    """lon/lat (EPSG:4326) of one row, or None with problems [(field, value, expected, code)]."""
    if x is None or y is None:
        return None, [(fld, text, _EXPECT[system or WGS84][fld] + (
            " (the cell is empty; this tool does not geocode addresses)" if not text
            else " (not a number)"), "missing_coordinate" if not text else "bad_number")
            for fld, text, v in (("lon", tx, x), ("lat", ty, y)) if v is None]
    if system is None:
        return None, [("lon", f"{tx}, {ty}", "WGS84 lon/lat degrees or TWD97 metres (EPSG:3826)",
                       "unknown_coordinate_system")]
    problems = [(fld, tx if fld == "lon" else ty, expected, code)
                for fld, code, expected in _check_xy(x, y, system)]
    if problems:
        return None, problems
    return (to_wgs.transform(x, y) if to_wgs else (x, y)), []


# --- main entry -----------------------------------------------------------------------

def read_sites(path: str | Path, *, service_type: str | None = None,
               source: str | None = None, check: bool = True,
               districts: gpd.GeoDataFrame | None = None) -> ImportResult:
    """Read a user's site list (CSV / .xlsx / GeoJSON) into the site table (EPSG:4326).

    ``service_type``: id or name of the type for rows whose 類型 column is blank (or when
    the file has none). ``source``: label stored in each site's ``source`` as
    ``<source>#<row>`` (default: the file name). ``check``: also run
    :func:`geo.checks.check_sites` on the loaded rows (outside the city, district
    mismatches, duplicates) and append its findings.

    Raises FileNotFoundError / ValueError (naming the file) for an unreadable, empty or
    undecodable file, an unknown ``service_type`` and missing required columns.
    """
    path = Path(path)
    file = str(path)
    label = source or path.name
    raw, encoding = read_table(path)
    default_type = None
    if service_type is not None:
        default_type = match_service_type(service_type)
        if default_type is None:
            raise ValueError(f"unknown service type {service_type!r}; valid: "
                             + ", ".join(f"{t.id} ({t.name_zh})" for t in SERVICE_TYPES.values()))

    is_geojson = "__x" in raw.columns
    mapping, ambiguous = map_columns([c for c in raw.columns if not str(c).startswith("__")])
    findings: list[Finding] = []
    for fld, cols in ambiguous:
        findings.append(Finding(file, None, fld, cols, f"one column for {fld}; used {cols[0]!r}",
                                "warning", "ambiguous_column", default_type or ""))
    has_xy = is_geojson or ("lon" in mapping and "lat" in mapping)
    _require_columns(file, raw, mapping, is_geojson=is_geojson, has_type=default_type is not None)

    text = [[_clean(v) for v in r] for r in raw.itertuples(index=False, name=None)]
    col_pos = {fld: list(raw.columns).index(col) for fld, col in mapping.items()}
    col_pos.update({c: j for j, c in enumerate(raw.columns) if str(c).startswith("__")})

    def cell(i: int, fld: str) -> str:
        return text[i][col_pos[fld]] if fld in col_pos else ""

    # rows: drop only entirely blank ones (they are not data rows)
    rows = [i for i, r in enumerate(text) if any(r)]

    def xy_text(i: int) -> tuple[str, str]:
        if is_geojson:
            gx, gy = cell(i, "__x"), cell(i, "__y")
            if gx or gy or "lon" not in mapping:
                return gx, gy
        return cell(i, "lon"), cell(i, "lat")

    parsed = {i: tuple(_number(t) for t in xy_text(i)) for i in rows} if has_xy else {}
    system = _detect_system([p for p in parsed.values() if None not in p],
                            raw.attrs.get("crs", "")) if has_xy else None
    to_wgs = Transformer.from_crs(TWD97, WGS84, always_xy=True) if system == TWD97 else None

    ids = [cell(i, "site_id") for i in rows] if "site_id" in mapping else []
    use_ids = bool(ids) and all(ids) and len(set(ids)) == len(ids)
    if ids and not use_ids:
        dup = sorted({v for v in ids if ids.count(v) > 1 and v})
        findings.append(Finding(file, None, mapping["site_id"], dup or "(blank ids)",
                                "unique, non-blank ids; generated <type>-imp-<row> instead",
                                "warning", "ids_not_unique", default_type or ""))
    lookup = district_lookup(districts if districts is not None else load_districts())
    canon = {code: name for name, code in lookup.items() if name.endswith("區")
             and not name.startswith("桃園市")}

    type_of = lru_cache(maxsize=None)(match_service_type)
    district_of = lru_cache(maxsize=None)(lambda name: match_district(name, lookup))
    records, rejected = [], []
    seen: dict[tuple, int] = {}
    for k, i in enumerate(rows):
        rowno = i + 1
        problems: list[Finding] = []

        def bad(fld: str, value: object, expected: str, code: str, t: str = "") -> None:
            col = mapping.get(fld, fld) if not (is_geojson and fld in ("lon", "lat")) \
                else f"geometry.{fld}"
            problems.append(Finding(file, rowno, str(col), value, expected, "error", code, t))

        type_text = cell(i, "type")
        type_id = type_of(type_text) if type_text else default_type
        if type_id is None:
            bad("type", type_text, "a service type: " + ", ".join(
                f"{t.id}/{t.name_zh}" for t in SERVICE_TYPES.values())
                + ("" if type_text else " (or --type)"), "unknown_type")
        t = type_id or ""
        name = cell(i, "name")
        if not name:
            bad("name", name, "a site name (名稱/name)", "missing_name", t)
        lonlat = None
        tx, ty = xy_text(i) if has_xy else ("", "")
        if not has_xy:
            bad("lon", "", "經度/緯度 (lon/lat) columns: this tool does not geocode addresses",
                "missing_coordinate", t)
        elif is_geojson and not tx and not ty and "lon" not in mapping:
            gtype = cell(i, "__geometry_type") or "none"
            bad("geometry", gtype, "a Point geometry with [lon, lat]", "bad_geometry", t)
        else:
            lonlat, xy_problems = _coordinates(*parsed[i], tx, ty, system, to_wgs)
            for fld, value, expected, code in xy_problems:
                bad(fld, value, expected, code, t)
        status = _status(cell(i, "status"))
        if status is None:
            bad("status", cell(i, "status"), "open/planned/closed (開放/規劃中/關閉), blank = open",
                "bad_status", t)
        cap_text = cell(i, "capacity")
        capacity = _number(cap_text) if cap_text else np.nan
        if cap_text and (capacity is None or capacity < 0):
            bad("capacity", cap_text, "a number ≥ 0 (or blank = unknown)", "bad_capacity", t)
        dist_text = cell(i, "district")
        code = district_of(dist_text) if dist_text else None
        district = canon.get(code, dist_text) if dist_text else None

        key = (t, name, cell(i, "address"), (tx, ty), dist_text, status, cap_text)
        if not problems and key in seen:
            bad("name", name, f"a row that is not a copy of row {seen[key]} "
                "(exact duplicate)", "duplicate_row", t)
        if problems:
            findings.extend(problems)
            rec = {_raw_name(c): text[i][j]
                   for j, c in enumerate(raw.columns) if str(c) != "__geometry_type"}
            rejected.append({"row": rowno, "reasons": "; ".join(
                f"{p.field}: {p.expected}" for p in problems), **rec})
            continue
        seen[key] = rowno
        records.append({
            "site_id": ids[k] if use_ids else f"{t}-imp-{rowno}",
            "type": t, "name": name, "district": district,
            "address": cell(i, "address") or None, "status": status,
            "capacity": capacity, "source": f"{label}#{rowno}",
            "lon": float(lonlat[0]), "lat": float(lonlat[1])})

    sites = make_sites(records)
    if len(sites) and sites["district"].isna().any():
        _fill_district_from_point(sites, districts)
    rejected_df = pd.DataFrame(rejected)
    if rejected_df.empty:
        rejected_df = pd.DataFrame(columns=REJECTED_COLUMNS + [
            _raw_name(c) for c in raw.columns if str(c) != "__geometry_type"])
    if len(rows) == 0:
        findings.append(Finding(file, None, None, "", "at least one data row below the header",
                                "warning", "no_rows", default_type or ""))
    if check and len(sites):
        from geo.checks import check_sites
        findings.extend(check_sites(sites, file=file, districts=districts))
    return ImportResult(sites, findings, rejected_df, encoding, system, len(rows), file)


def _fill_district_from_point(sites: gpd.GeoDataFrame,
                              districts: gpd.GeoDataFrame | None) -> None:
    """Blank districts take the district that contains the point (in place)."""
    d = districts if districts is not None else load_districts()
    joined = gpd.sjoin(sites[["geometry"]].to_crs(METRIC_CRS), d[["district", "geometry"]]
                       .to_crs(METRIC_CRS), how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    fill = sites["district"].isna()
    sites.loc[fill, "district"] = joined.loc[fill[fill].index, "district"].values
    sites["district"] = sites["district"].astype(object).where(sites["district"].notna(), None)
