"""Import a user's site list (CSV, Excel .xlsx, GeoJSON) into the standard site table.

Reading (encodings, sheets, header rows, declared coordinate systems) is done by
:mod:`geo.readers`; this module turns the raw rows into sites. Columns are found by common
names (:data:`geo.readers.columns.COLUMN_ALIASES`: 名稱/name, 地址/address, 經度/lon,
緯度/lat, 行政區/district, 村里/village, 類型/type, 狀態/status, 容量/capacity, id/編號,
CRS/座標系統), case-, whitespace- and full-width-insensitive.

Nothing is silently dropped: every data row is loaded or listed in ``rejected`` with its
row number (1-based, header excluded; a GeoJSON feature's position) and reasons. A row
with an address or a 村里 but no coordinates is kept as *unlocated* (empty geometry,
``located_by`` ""), then placed at its village's demand point when the address or the
村里 column names one (:func:`geo.geocode.place_at_villages`) and, only when a geocoder
is passed, by :func:`geo.geocode.geocode_sites`. Unreadable input raises
:class:`geo.quality.InputError`.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import METRIC_CRS
from geo.boundaries import district_lookup, load_districts, match_district
from geo.quality import Finding, InputError
from geo.readers import RawTable, read_table
from geo.readers.columns import accepted_names, map_columns
from geo.readers.coordinates import resolve_points
from geo.readers.crs import parse_crs, same_crs
from geo.readers.fields import join_problems, map_unique, numbers, problem_part, status_of
from geo.readers.table import GEOMETRY_TYPE, GEOMETRY_X, GEOMETRY_Y
from geo.services import (SERVICE_TYPES, districts_from_addresses, is_located,
                          match_service_type, resolve_service_type, sites_from_frame)

__all__ = ["ImportResult", "read_sites", "REJECTED_COLUMNS"]

REJECTED_COLUMNS = ["row", "reasons"]
_RAW_NAMES = {GEOMETRY_X: "geometry_x", GEOMETRY_Y: "geometry_y", "row": "row (file)",
              "reasons": "reasons (file)"}


class ImportResult(NamedTuple):
    """What :func:`read_sites` read.

    ``sites``: site table (EPSG:4326; unlocated rows have empty geometry); ``findings``:
    row errors (rejected rows), placement notes and the warnings of
    :func:`geo.checks.check_sites`; ``rejected``: the bad rows as read with ``row`` and
    ``reasons``; ``encoding``: the text encoding (None for .xlsx); ``coordinate_system``:
    the system the coordinates were read in (e.g. "EPSG:4326", "EPSG:3826", "per row: ..."
    or None); ``rows_read`` = loaded + rejected; ``crs_source``: where that system came
    from ("--crs", "the GeoJSON crs member", "<file>.prj", "the CRS column", "detected
    from the values"); ``sheet`` / ``header_row``: the worksheet and 1-based header row
    read; ``unlocated``: sites kept without a point; ``geocoder``: the geocoder used, or
    None when none was.
    """

    sites: gpd.GeoDataFrame
    findings: list[Finding]
    rejected: pd.DataFrame
    encoding: str | None
    coordinate_system: str | None
    rows_read: int
    file: str
    crs_source: str | None = None
    sheet: str | None = None
    header_row: int = 1
    unlocated: int = 0
    geocoder: str | None = None


def _text(raw: RawTable, mapping: dict[str, str], fld: str) -> pd.Series:
    """A field's cells as stripped text (object dtype; '' where blank or no column)."""
    frame = raw.frame
    if fld not in mapping:
        return pd.Series("", index=frame.index, dtype=object)
    return pd.Series([v.strip() if isinstance(v, str) else "" for v in
                      frame[mapping[fld]].to_numpy(object)], index=frame.index, dtype=object)


def _require_columns(raw: RawTable, mapping: dict[str, str], has_type: bool) -> None:
    missing = []
    geo = raw.kind == "geojson"
    if not geo and ("lon" in mapping) != ("lat" in mapping):
        missing += [("緯度 (lat)", "lat")] if "lon" in mapping else [("經度 (lon)", "lon")]
    elif not geo and not ({"lon", "address", "village"} & set(mapping)):
        missing += [("經度 (lon)", "lon"), ("緯度 (lat)", "lat"), ("地址 (address)", "address")]
    if "name" not in mapping:
        missing.append(("名稱 (name)", "name"))
    if "type" not in mapping and not has_type:
        missing.append(("類型 (type) or --type", "type"))
    if not missing:
        return
    found = [str(c) for c in raw.frame.columns if not str(c).startswith("__")]
    where = f" (header on row {raw.header_row}" + (f" of sheet {raw.sheet!r})" if raw.sheet
                                                   else ")")
    raise InputError(raw.file, field="columns", value=found, code="missing_columns",
                     problem="missing column(s) " + ", ".join(m for m, _ in missing)
                     + where, expected="; ".join(f"{fld}: {accepted_names(fld)}"
                                                 for _, fld in missing)
                     + ("" if "type" in mapping else "; or give the type with --type / "
                        "service_type= (" + ", ".join(SERVICE_TYPES) + ")"))


def _declared(raw: RawTable, crs: str | None) -> tuple[str | None, str | None]:
    """The file-level declaration: the caller's ``crs`` and the file's must agree."""
    if crs is None:
        return raw.crs, raw.crs_source
    given = parse_crs(crs, file=raw.file, source="--crs / crs=", field="--crs")
    if raw.crs is not None:
        own = parse_crs(raw.crs, file=raw.file, source=raw.crs_source or "the file")
        if not same_crs(given, own):
            raise InputError(raw.file, field="--crs", value=crs, code="crs_conflict",
                             problem=f"{raw.crs_source} declares {own}",
                             expected=f"--crs matching the file ({own}), or no --crs")
    return crs, "--crs"


def _resolve_type(service_type: str | None, file: str) -> str | None:
    if service_type is None:
        return None
    try:
        return resolve_service_type(service_type, name="--type")
    except ValueError:
        raise InputError(file, field="--type", value=service_type, code="unknown_type",
                         problem="not a service type",
                         expected=", ".join(f"{t.id} ({t.name_zh})"
                                            for t in SERVICE_TYPES.values())) from None


def _field_problems(raw: RawTable, mapping: dict, text: dict, default_type: str | None
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


def _xy_text(raw: RawTable, mapping: dict, text: dict) -> tuple[pd.Series, pd.Series]:
    if raw.kind != "geojson":
        return text["lon"], text["lat"]
    gx, gy = raw.frame[GEOMETRY_X].astype(str), raw.frame[GEOMETRY_Y].astype(str)
    if "lon" not in mapping:
        return gx, gy
    use_geom = ((gx != "") | (gy != "")).to_numpy()
    return gx.where(use_geom, text["lon"]), gy.where(use_geom, text["lat"])


def _duplicates(text: dict, xs: pd.Series, ys: pd.Series, ok: np.ndarray,
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


def _drop_cell_echoes(problems: pd.DataFrame, raw: RawTable) -> pd.DataFrame:
    """A cell that is an Excel error or an uncached formula is reported as such once, not
    again as a bad number / missing value of the same field."""
    if not raw.cell_problems or problems.empty:
        return problems
    cells = set(raw.cell_problems)
    echo = [(p, f) in cells and c not in ("error_cell", "formula_without_value")
            for p, f, c in zip(problems["pos"], problems["field"], problems["code"])]
    return problems[~np.asarray(echo, bool)]


def _rejected_table(raw: RawTable, problems: pd.DataFrame, rownos: np.ndarray
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


def _findings(problems: pd.DataFrame, rownos: np.ndarray, types: pd.Series,
              file: str) -> list[Finding]:
    return [Finding(file, int(rownos[p]), str(f), v, str(e), "error", c, t or "")
            for p, f, v, e, c, t in zip(problems["pos"], problems["field"], problems["value"],
                                        problems["expected"], problems["code"],
                                        types.to_numpy(object)[problems["pos"].to_numpy(int)])]


def _district_names(text: pd.Series, districts: gpd.GeoDataFrame) -> pd.Series:
    """Stated districts in their canonical spelling (e.g. 桃園 → 桃園區); unknown names kept
    as written (checks flag them); blank → None."""
    lookup = district_lookup(districts)
    names = districts["district"].to_dict()

    def canon(v: str) -> str | None:
        if not v:
            return None
        code = match_district(v, lookup)
        return names.get(code, v) if code else v
    return map_unique(text, canon)


def _fill_districts(sites: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> None:
    """Blank districts (in place) take the district that contains the point or, for
    unlocated sites, the district their address names (when it is one of the city's)."""
    unlocated = sites["district"].isna() & ~is_located(sites)
    if unlocated.any():
        lookup, names = district_lookup(districts), districts["district"].to_dict()
        written = districts_from_addresses(sites.loc[unlocated, "address"])
        codes = written.map(lambda d: match_district(d, lookup) if d else None)
        sites.loc[unlocated, "district"] = [names.get(c) if c else None for c in codes]
    fill = sites["district"].isna() & is_located(sites)
    if not fill.any():
        return
    pts = sites.loc[fill, ["geometry"]].to_crs(METRIC_CRS)
    joined = gpd.sjoin(pts, districts[["district", "geometry"]].to_crs(METRIC_CRS),
                       how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    got = joined["district"].reindex(pts.index)
    sites.loc[fill, "district"] = got.astype(object).where(got.notna(), None).to_numpy()


def _unplaceable(raw: RawTable, mapping: dict, blank: np.ndarray, text: dict, order: int
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


def read_sites(path: str | Path, *, service_type: str | None = None,
               source: str | None = None, check: bool = True,
               districts: gpd.GeoDataFrame | None = None,
               villages: gpd.GeoDataFrame | None = None, place: bool = True,
               crs: str | None = None, encoding: str | None = None,
               sheet: str | None = None, geocoder=None,
               geocode_cache: str | Path | None = None) -> ImportResult:
    """Read a user's site list (CSV / .xlsx / GeoJSON) into the site table (EPSG:4326).

    ``service_type``: id or name of the type for rows whose 類型 is blank (or when the
    file has no such column). ``source``: label stored in each site's ``source`` as
    ``<source>#<row>`` (default: the file name). ``check``: append the warnings of
    :func:`geo.checks.check_sites`. ``districts`` / ``villages``: boundary tables
    (default: the committed ones); ``place``: put unlocated rows that name their 里 at the
    village's demand point. ``crs``: the coordinate system of the coordinates (pyproj
    input, e.g. "EPSG:3828"), which must agree with one the file declares. ``encoding``
    overrides text-encoding detection; ``sheet`` picks a worksheet. ``geocoder``: an
    object with geopy's ``geocode(query)``; only then are the remaining unlocated
    addresses geocoded (cached in ``geocode_cache``, see :mod:`geo.geocode`).

    Raises FileNotFoundError for a missing file and :class:`geo.quality.InputError`
    (a ValueError) naming the file, field, value and what is expected for anything that
    cannot be read: empty or binary files, other encodings, not a workbook, invalid JSON,
    missing columns, an unreadable or conflicting coordinate system, an unknown type.
    """
    path = Path(path)
    file, label = str(path), source or path.name
    raw = read_table(path, encoding=encoding, sheet=sheet)
    default_type = _resolve_type(service_type, file)
    declared, declared_source = _declared(raw, crs)
    mapping, ambiguous = map_columns([c for c in raw.frame.columns if not str(c).startswith("__")])
    findings = list(raw.findings) + [
        Finding(file, None, fld, cols, f"one column for {fld}; used {cols[0]!r}", "warning",
                "ambiguous_column", default_type or "") for fld, cols in ambiguous]
    _require_columns(raw, mapping, default_type is not None)

    frame = raw.frame
    cells = frame.to_numpy(object)
    data = ((cells != "") & pd.notna(cells)).any(axis=1) if frame.shape[1] else \
        np.zeros(len(frame), bool)
    rownos = np.flatnonzero(data) + 1
    remap = {int(orig): new for new, orig in enumerate(np.flatnonzero(data))}
    raw.cell_problems = {(remap[p], c): v for (p, c), v in raw.cell_problems.items() if p in remap}
    raw.frame = frame = frame[data].reset_index(drop=True)
    text = {f: _text(raw, mapping, f) for f in ("site_id", "name", "address", "lon", "lat",
                                                 "district", "village", "type", "status",
                                                 "capacity", "crs")}
    parts, parsed = _field_problems(raw, mapping, text, default_type)
    xs, ys = _xy_text(raw, mapping, text)
    geo_fields = raw.kind == "geojson" and "lon" not in mapping
    points = resolve_points(xs, ys, file=file, row_crs=text["crs"] if "crs" in mapping else None,
                            declared=declared, declared_source=declared_source, fields={
                                "lon": "geometry.lon" if geo_fields else mapping.get("lon", "lon"),
                                "lat": "geometry.lat" if geo_fields else mapping.get("lat", "lat"),
                                "crs": mapping.get("crs", "crs")})
    findings += points.findings
    parts += points.parts
    parts.append(_unplaceable(raw, mapping, points.blank, text, 30))
    problems = _drop_cell_echoes(join_problems(parts), raw)
    ok = np.ones(len(frame), bool)
    ok[problems["pos"].to_numpy(int)] = False
    dup = _duplicates(text, xs, ys, ok, rownos, mapping.get("name", "name"), 40)
    problems = join_problems([problems, dup])
    ok[dup["pos"].to_numpy(int)] = False
    findings += _findings(problems, rownos, parsed["type"].fillna(""), file)

    districts = load_districts() if districts is None else districts
    ids = text["site_id"]
    use_ids = "site_id" in mapping and (ids != "").all() and not ids.duplicated().any()
    if "site_id" in mapping and not use_ids and len(ids):
        dups = sorted(set(ids[ids.duplicated(keep=False) & (ids != "")]))
        findings.append(Finding(file, None, mapping["site_id"], dups or "(blank ids)",
                                "unique, non-blank ids; generated <type>-imp-<row> instead",
                                "warning", "ids_not_unique", default_type or ""))
    types = parsed["type"][ok]
    sites = sites_from_frame(pd.DataFrame({
        "site_id": ids[ok] if use_ids else types + "-imp-" + pd.Series(rownos[ok]).astype(str)
        .to_numpy(), "type": types, "name": text["name"][ok],
        "district": _district_names(text["district"][ok], districts),
        "address": text["address"][ok].replace("", None), "status": parsed["status"][ok],
        "capacity": parsed["capacity"][ok], "source": [f"{label}#{r}" for r in rownos[ok].tolist()]}),
        points.lon[ok], points.lat[ok])
    village_text = text["village"][ok].reset_index(drop=True)
    if place and len(sites) and not is_located(sites).all():
        from geo.geocode import place_at_villages
        sites, placed = place_at_villages(sites, villages, village_text=village_text,
                                          village_field=mapping.get("village", "村里"),
                                          file=file)
        findings += placed
    used = None
    if geocoder is not None and len(sites) and not is_located(sites).all():
        from geo.geocode import geocode_sites, geocoder_name
        sites, coded = geocode_sites(sites, geocoder=geocoder, cache_path=geocode_cache,
                                     file=file)
        findings += coded
        used = geocoder_name(geocoder)
    _fill_districts(sites, districts)
    if len(frame) == 0:
        findings.append(Finding(file, None, None, "", "at least one data row below the header",
                                "warning", "no_rows", default_type or ""))
    if check and len(sites):
        from geo.checks import check_sites
        findings += check_sites(sites, file=file, districts=districts)
    return ImportResult(sites, findings, _rejected_table(raw, problems, rownos), raw.encoding,
                        points.system, len(frame), file, points.source, raw.sheet,
                        raw.header_row, int((~is_located(sites)).sum()), used)
