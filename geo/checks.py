"""Data-quality checks over site tables and the data-quality report for every default layer.

Each finding names the file, row, field, value and what was expected. Rows and files come
from a site's ``source`` (``<file>#<row>``, plus ``; address: <file> line <n>`` when the
address came from another file, as :func:`geo.services.load_default_sites` writes).
Distances are metres in EPSG:3826.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo import METRIC_CRS
from geo.city import city
from geo.boundaries import BOUNDARY_VINTAGE, district_lookup, load_districts, match_district
from geo.quality import Finding, normalize_name
from geo.services import (SERVICE_TYPES, STATUSES, completeness, district_from_address,
                          load_default_sites)

DUPLICATE_DISTANCE_M = 20.0
# well-known place names that are not districts -> the district they lie in (city profile)
PLACE_DISTRICT = city().place_aliases
_SOURCE_ROW = re.compile(r"^([^#;]+)#(\d+)")
_ADDRESS_FROM = re.compile(r"address: (.+?) line (\d+)")


def _origin(source: object, position: int, file: str | None) -> tuple[str, int]:
    m = _SOURCE_ROW.match(str(source)) if isinstance(source, str) else None
    if m:
        return (file or m[1].strip()), int(m[2])
    return (file or "<sites>"), position + 1


def _address_origin(source: object, fallback: tuple[str, int]) -> tuple[str, int]:
    m = _ADDRESS_FROM.search(str(source)) if isinstance(source, str) else None
    return (m[1].strip(), int(m[2])) if m else fallback


def suggest_district(name: object, point_district: str | None = None) -> str:
    """What to write instead of an unknown district name, for a finding's ``expected``."""
    key = normalize_name(name).removesuffix("區")
    for place, district in PLACE_DISTRICT.items():
        if key.endswith(place) or key == place:
            return f"a district of 桃園市, e.g. {district} ({place} is part of {district})"
    if point_district:
        return f"a district of 桃園市, e.g. {point_district} (the district containing the point)"
    names = "、".join(load_districts()["district"])
    return f"a district of 桃園市: {names}"


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def check_sites(sites: gpd.GeoDataFrame, *, file: str | None = None,
                districts: gpd.GeoDataFrame | None = None,
                duplicate_m: float = DUPLICATE_DISTANCE_M) -> list[Finding]:
    """Quality findings (severity warning; nothing is removed) for a site table:

    - ``missing_geometry``; ``outside_city`` (point not inside any 桃園市 district,
      e.g. in the sea; value the point, expected states the distance to the city);
    - ``point_district_mismatch``: the point lies in another district than ``district``;
    - ``unknown_district``: ``district`` or the district written in ``address`` is not a
      district of 桃園市 (e.g. 「內壢區」);
    - ``address_district_mismatch``: the address names another district than ``district``;
    - ``duplicate_name`` (same :func:`geo.quality.normalize_name`, any type),
      ``duplicate_location`` (same type, within ``duplicate_m`` metres, EPSG:3826),
      ``duplicate_id``; ``unknown_type`` / ``unknown_status``.

    ``file`` overrides the file named in each site's ``source``.
    """
    findings: list[Finding] = []
    if len(sites) == 0:
        return findings
    sites = sites.reset_index(drop=True)  # positions are the identity below
    districts = load_districts() if districts is None else districts
    lookup = district_lookup(districts)
    name_of = districts["district"].to_dict()
    metric = sites.to_crs(METRIC_CRS)
    dmetric = districts.to_crs(METRIC_CRS)
    city = dmetric.union_all()
    has_geom = ~(metric.geometry.isna() | metric.geometry.is_empty)
    joined = gpd.sjoin(metric.loc[has_geom, ["geometry"]], dmetric[["geometry"]],
                       how="left", predicate="within")
    point_code = joined[~joined.index.duplicated()]["TOWNCODE"].reindex(sites.index)

    origins = [_origin(s, k, file) for k, s in enumerate(sites["source"])]
    records = sites.drop(columns=sites.geometry.name).to_dict("records")
    geoms, mgeoms = list(sites.geometry), list(metric.geometry)
    codes = [None if pd.isna(c) else str(c) for c in point_code]
    district_of = lru_cache(maxsize=None)(lambda name: match_district(name, lookup))
    for k, site in enumerate(records):
        f, row = origins[k]
        layer = str(site.get("type") or "")

        def add(fld: str, value: object, expected: str, code: str,
                where: tuple[str, int] = (f, row)) -> None:
            findings.append(Finding(where[0], where[1], fld, value, expected, "warning",
                                    code, layer))

        geom, pcode = geoms[k], codes[k]
        if not has_geom.iat[k]:
            add("geometry", None, "a point location (lon/lat)", "missing_geometry")
        elif pcode is None:
            dist = mgeoms[k].distance(city)
            add("geometry", f"({geom.x:.6f}, {geom.y:.6f})",
                f"a point inside 桃園市 (this one is {dist:,.0f} m outside the city "
                "boundary, e.g. in the sea or a neighbouring city)", "outside_city")

        stated = site.get("district")
        scode = None
        if not _blank(stated):
            scode = district_of(stated)
            if scode is None:
                add("district", stated,
                    suggest_district(stated, name_of.get(pcode)), "unknown_district")
            elif pcode is not None and scode != pcode:
                dist = mgeoms[k].distance(dmetric.geometry.loc[scode])
                add("district", stated,
                    f"the district that contains the point, {name_of[pcode]} (the point "
                    f"({geom.x:.6f}, {geom.y:.6f}) is {dist:,.0f} m outside {name_of[scode]})",
                    "point_district_mismatch")

        address = site.get("address")
        addr_district = None if _blank(address) else district_from_address(address)
        if addr_district:
            where = _address_origin(site.get("source"), (f, row))
            acode = district_of(addr_district)
            if acode is None:
                add("address", address, suggest_district(
                    addr_district, name_of.get(scode or pcode)), "unknown_district", where)
            elif scode is not None and acode != scode:
                add("address", address,
                    f"an address in the stated district {name_of[scode]} (the address "
                    f"names {name_of[acode]}"
                    + (f"; the point lies in {name_of[pcode]})" if pcode else ")"),
                    "address_district_mismatch", where)

        if not _blank(site.get("type")) and site.get("type") not in SERVICE_TYPES:
            add("type", site.get("type"), "a service-type id: " + ", ".join(SERVICE_TYPES),
                "unknown_type")
        if site.get("status") not in STATUSES:
            add("status", site.get("status"), "open/planned/closed", "unknown_status")

    findings += _duplicates(sites, metric[has_geom], origins, duplicate_m)
    return findings


def _duplicates(sites: gpd.GeoDataFrame, metric: gpd.GeoDataFrame,
                origins: list[tuple[str, int]], duplicate_m: float) -> list[Finding]:
    out: list[Finding] = []
    pos = {idx: k for k, idx in enumerate(sites.index)}
    first_name: dict[str, int] = {}
    first_id: dict[str, int] = {}
    for k, site in enumerate(sites.drop(columns=sites.geometry.name).to_dict("records")):
        f, row = origins[k]
        layer = str(site.get("type") or "")
        key = normalize_name(site.get("name"))
        if key and key in first_name:
            j = first_name[key]
            out.append(Finding(f, row, "name", site.get("name"),
                               f"a name no other site has (same as {origins[j][0]} row "
                               f"{origins[j][1]}, {sites['site_id'].iat[j]})",
                               "warning", "duplicate_name", layer))
        elif key:
            first_name[key] = k
        sid = site.get("site_id")
        if not _blank(sid) and sid in first_id:
            j = first_id[sid]
            out.append(Finding(f, row, "site_id", sid, f"a unique site id (also used by "
                               f"{origins[j][0]} row {origins[j][1]})", "warning",
                               "duplicate_id", layer))
        elif not _blank(sid):
            first_id[sid] = k
    for type_id, group in metric.groupby("type", dropna=False):
        if len(group) < 2:
            continue
        xy = np.column_stack([group.geometry.x, group.geometry.y])
        for a, b in sorted(cKDTree(xy).query_pairs(duplicate_m)):
            ka, kb = pos[group.index[a]], pos[group.index[b]]
            ka, kb = min(ka, kb), max(ka, kb)
            d = float(np.hypot(*(xy[a] - xy[b])))
            g = sites.geometry.iat[kb]
            out.append(Finding(origins[kb][0], origins[kb][1], "geometry",
                               f"({g.x:.6f}, {g.y:.6f})",
                               f"sites of one type at least {duplicate_m:g} m apart (this one "
                               f"is {d:.1f} m from {origins[ka][0]} row {origins[ka][1]}, "
                               f"{sites['name'].iat[ka]})", "warning", "duplicate_location",
                               str(type_id or "")))
    return out


# --- report over the default data ------------------------------------------------------

def finding_dict(f: Finding) -> dict:
    """A finding as a JSON-safe dict (NaN → None, other non-JSON values → str)."""
    d = asdict(f)
    v = d["value"]
    if isinstance(v, float) and math.isnan(v):
        d["value"] = None
    elif isinstance(v, (np.generic,)):
        d["value"] = v.item()
    elif isinstance(v, (list, tuple)):
        d["value"] = [str(x) for x in v]
    elif v is not None and not isinstance(v, (str, int, float, bool)):
        d["value"] = str(v)
    d["message"] = f.message()
    return d


def _counts(findings: list[Finding]) -> dict[str, int]:
    return {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}


def _population_findings(data_dir: Path) -> tuple[str | None, int | None, list[Finding]]:
    """Findings of the lead's population loader, when it exposes them."""
    try:
        from geo import population
    except ImportError:
        return None, None, []
    loader = getattr(population, "load_village_table", None)
    if loader is None:
        return None, None, []
    try:
        table, report = loader(data_dir)
    except FileNotFoundError as exc:
        return None, None, [Finding(str(Path(data_dir) / "population"), None, None, str(exc),
                                    "a population file (ODRP014 layout)", "warning",
                                    "missing_file", "population")]
    found = list(getattr(report, "findings", []) or [])
    return getattr(report, "file", None), getattr(report, "rows", len(table)), found


def _locate(f: Finding, data_dir: Path | None) -> Finding:
    """The finding with its file as a path: data-dir relative files and seed files."""
    if data_dir is None or Path(f.file).is_absolute():
        return f
    for base in (data_dir, data_dir.parent / "seeds"):
        if (base / f.file).is_file():
            return replace(f, file=str(base / f.file))
    return f


def quality_report(data_dir: str | Path | None) -> dict:
    """Data-quality summary of every default layer in ``data_dir``: boundaries, the default
    site layers (with :func:`check_sites`) and population (the loader's own findings).

    Returns ``{"data_dir", "layers": {layer: {"file", "rows", "counts", "findings"}},
    "counts", "completeness"}`` — JSON-safe (findings as :func:`finding_dict`).
    """
    layers: dict[str, dict] = {}

    def put(layer: str, file: str | None, rows: int | None, found: list[Finding]) -> None:
        entry = layers.setdefault(layer, {"file": file, "rows": rows, "findings": []})
        entry["findings"] += found

    districts = load_districts()
    invalid = [Finding("data/boundaries", None, "geometry", code, "a valid polygon",
                       "warning", "invalid_geometry", "boundaries")
               for code, ok in districts.geometry.is_valid.items() if not ok]
    put("boundaries", f"data/boundaries ({BOUNDARY_VINTAGE})", len(districts), invalid)

    path = Path(data_dir) if data_dir is not None else None
    sites, load_findings = load_default_sites(path)
    for type_id in SERVICE_TYPES:
        group = sites[sites["type"] == type_id]
        mine = [f for f in load_findings if f.layer == type_id]
        if len(group) == 0 and not mine:
            continue
        files = sorted({_origin(s, 0, None)[0] for s in group["source"]})
        files = [str(path / f) if path is not None and (path / f).is_file() else f
                 for f in files]
        put(type_id, ", ".join(files) or (mine[0].file if mine else None), len(group), mine)
    for f in check_sites(sites, districts=districts):
        put(f.layer or "sites", None, None, [_locate(f, path)])
    for f in load_findings:
        if f.layer not in layers:
            put(f.layer or "sites", f.file, None, [f])

    if path is not None:
        pfile, prows, pfound = _population_findings(path)
        put("population", pfile, prows, pfound)

    all_findings = [f for entry in layers.values() for f in entry["findings"]]
    for entry in layers.values():
        entry["counts"] = _counts(entry["findings"])
        entry["findings"] = [finding_dict(f) for f in entry["findings"]]
    comp = completeness(sites).reset_index()
    return {"data_dir": str(path) if path is not None else None, "layers": layers,
            "counts": _counts(all_findings),
            "completeness": comp[["type", "name_zh", "official_count", "located"]]
            .to_dict("records")}
