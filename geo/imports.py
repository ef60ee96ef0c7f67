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
from geo.readers.fields import join_problems, map_unique
from geo.readers.rows import (REJECTED_COLUMNS, drop_cell_echoes, duplicate_rows,
                              field_problems, rejected_table, row_findings, text_of,
                              unplaceable, xy_text)
from geo.services import (SERVICE_TYPES, districts_from_addresses, is_located,
                          resolve_service_type, sites_from_frame)

__all__ = ["ImportResult", "read_sites", "REJECTED_COLUMNS"]



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
    rownos = _keep_data_rows(raw)
    text = {f: text_of(raw, mapping, f) for f in ("site_id", "name", "address", "lon", "lat",
                                                 "district", "village", "type", "status",
                                                 "capacity", "crs", "located_by",
                                                 "precision")}
    parts, parsed = field_problems(raw, mapping, text, default_type)
    xs, ys = xy_text(raw, mapping, text)
    geo_fields = raw.kind == "geojson" and "lon" not in mapping
    points = resolve_points(xs, ys, file=file, row_crs=text["crs"] if "crs" in mapping else None,
                            declared=declared, declared_source=declared_source, fields={
                                "lon": "geometry.lon" if geo_fields else mapping.get("lon", "lon"),
                                "lat": "geometry.lat" if geo_fields else mapping.get("lat", "lat"),
                                "crs": mapping.get("crs", "crs")})
    findings += points.findings
    parts += points.parts + [unplaceable(raw, mapping, points.blank, text, 30)]
    problems = drop_cell_echoes(join_problems(parts), raw)
    ok = np.ones(len(raw.frame), bool)
    ok[problems["pos"].to_numpy(int)] = False
    dup = duplicate_rows(text, xs, ys, ok, rownos, mapping.get("name", "name"), 40)
    problems = join_problems([problems, dup])
    ok[dup["pos"].to_numpy(int)] = False
    findings += row_findings(problems, rownos, parsed["type"].fillna(""), file)

    districts = load_districts() if districts is None else districts
    sites, notes = _site_table(text, parsed, points, ok, rownos, mapping=mapping, label=label,
                               districts=districts, file=file, default_type=default_type)
    findings += notes
    sites, notes, used = _locate(sites, villages if place else False, geocoder, geocode_cache,
                                 village_text=text["village"][ok].reset_index(drop=True),
                                 village_field=mapping.get("village", "村里"), file=file)
    findings += notes
    _fill_districts(sites, districts)
    if len(raw.frame) == 0:
        findings.append(Finding(file, None, None, "", "at least one data row below the header",
                                "warning", "no_rows", default_type or ""))
    if check and len(sites):
        from geo.checks import check_sites
        findings += check_sites(sites, file=file, districts=districts)
    return ImportResult(sites, findings, rejected_table(raw, problems, rownos), raw.encoding,
                        points.system, len(raw.frame), file, points.source, raw.sheet,
                        raw.header_row, int((~is_located(sites)).sum()), used)


def _keep_data_rows(raw: RawTable) -> np.ndarray:
    """Drop entirely blank rows (they are not data rows) in place; return the row number
    (1-based, header excluded) of each remaining row."""
    cells = raw.frame.to_numpy(object)
    data = ((cells != "") & pd.notna(cells)).any(axis=1) if raw.frame.shape[1] else \
        np.zeros(len(raw.frame), bool)
    remap = {int(orig): new for new, orig in enumerate(np.flatnonzero(data))}
    raw.cell_problems = {(remap[p], c): v for (p, c), v in raw.cell_problems.items()
                         if p in remap}
    raw.frame = raw.frame[data].reset_index(drop=True)
    return np.flatnonzero(data) + 1


def _site_table(text: dict, parsed: dict, points, ok: np.ndarray, rownos: np.ndarray, *,
                mapping: dict, label: str, districts: gpd.GeoDataFrame, file: str,
                default_type: str | None) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """The accepted rows as a site table; a note when the id column cannot be used."""
    findings = []
    ids = text["site_id"]
    use_ids = "site_id" in mapping and (ids != "").all() and not ids.duplicated().any()
    if "site_id" in mapping and not use_ids and len(ids):
        dups = sorted(set(ids[ids.duplicated(keep=False) & (ids != "")]))
        findings.append(Finding(file, None, mapping["site_id"], dups or "(blank ids)",
                                "unique, non-blank ids; generated <type>-imp-<row> instead",
                                "warning", "ids_not_unique", default_type or ""))
    types, kept = parsed["type"][ok], rownos[ok].tolist()
    how, located_notes = _how_located(text, ok, points, rownos, mapping, file)
    sites = sites_from_frame(pd.DataFrame({
        "site_id": ids[ok] if use_ids else types + "-imp-" + pd.Series(kept, dtype=object)
        .astype(str).to_numpy(), "type": types, "name": text["name"][ok],
        "district": _district_names(text["district"][ok], districts),
        "address": text["address"][ok].replace("", None), "status": parsed["status"][ok],
        "capacity": parsed["capacity"][ok], "source": [f"{label}#{r}" for r in kept],
        **how}), points.lon[ok], points.lat[ok])
    return sites, findings + located_notes


def _how_located(text: dict, ok: np.ndarray, points, rownos: np.ndarray, mapping: dict,
                 file: str) -> tuple[dict[str, list], list[Finding]]:
    """The file's own located_by / precision of the kept rows (see
    :func:`geo.readers.located.how_located`) and its warnings."""
    from geo.readers.located import how_located
    has_point = ~(np.isnan(points.lon[ok]) | np.isnan(points.lat[ok]))
    by, prec, findings = how_located(
        text["located_by"][ok].to_numpy(object), text["precision"][ok].to_numpy(object),
        has_point, rownos[ok], file=file,
        fields=(mapping.get("located_by", "located_by"), mapping.get("precision", "precision")))
    return {"located_by": by, "precision": prec}, findings


def _locate(sites: gpd.GeoDataFrame, villages, geocoder, cache, *, village_text: pd.Series,
            village_field: str, file: str) -> tuple[gpd.GeoDataFrame, list[Finding], str | None]:
    """Place unlocated sites by their 里 (unless ``villages`` is False), then with the
    geocoder when one is given; returns the sites, findings and the geocoder's name."""
    findings: list[Finding] = []
    if villages is not False and len(sites) and not is_located(sites).all():
        from geo.geocode import place_at_villages
        sites, notes = place_at_villages(sites, villages, village_text=village_text,
                                         village_field=village_field, file=file)
        findings += notes
    if geocoder is None or not len(sites) or is_located(sites).all():
        return sites, findings, None
    from geo.geocode import geocode_sites, geocoder_name
    sites, notes = geocode_sites(sites, geocoder=geocoder, cache_path=cache, file=file)
    return sites, findings + notes, geocoder_name(geocoder)
