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
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from geo import MAP_CRS, METRIC_CRS
from geo.city import city
from geo.boundaries import BOUNDARY_VINTAGE, district_lookup, load_districts, match_district
from geo.quality import Finding, InputError, normalize_name
from geo.services import (SERVICE_TYPES, STATUSES, completeness, districts_from_addresses,
                          is_located, load_default_sites)

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


def suggest_district(name: object, point_district: str | None = None, *,
                     district_names: list[str] | None = None) -> str:
    """What to write instead of an unknown district name, for a finding's ``expected``.
    ``district_names``: the city's districts (default: read from the boundaries)."""
    key = normalize_name(name).removesuffix("區")
    for place, district in PLACE_DISTRICT.items():
        if key.endswith(place) or key == place:
            return (f"a district of {city().name_zh}, e.g. {district} ({place} is part of "
                    f"{district})")
    if point_district:
        return (f"a district of {city().name_zh}, e.g. {point_district} (the district "
                "containing the point)")
    names = "、".join(district_names if district_names is not None
                     else load_districts()["district"])
    return f"a district of {city().name_zh}: {names}"


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _origins(sites: gpd.GeoDataFrame, file: str | None) -> tuple[list, list]:
    """Per site (file, row) of its own row and of its address (``source`` parsed)."""
    origins, addr_origins = [], []
    for k, src in enumerate(sites["source"].tolist(), 1):
        src = src if isinstance(src, str) else ""
        head, _, tail = src.partition("#")
        if tail.isdigit() and head and ";" not in head:  # the common "<file>#<row>"
            own = ((file or head.strip()), int(tail))
        else:
            m = _SOURCE_ROW.match(src)
            own = ((file or m[1].strip()), int(m[2])) if m else ((file or "<sites>"), k)
        origins.append(own)
        a = _ADDRESS_FROM.search(src) if "address:" in src else None
        addr_origins.append((a[1].strip(), int(a[2])) if a else own)
    return origins, addr_origins


_TO_METRIC = Transformer.from_crs(MAP_CRS, METRIC_CRS, always_xy=True)


def _metric_xy(sites: gpd.GeoDataFrame, has_geom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x / y (EPSG:3826 metres) of each located site's point (NaN where none)."""
    x, y = np.full(len(sites), np.nan), np.full(len(sites), np.nan)
    geoms = sites.geometry.to_crs(MAP_CRS).to_numpy()[has_geom]
    centre = shapely.centroid(geoms)
    x[has_geom], y[has_geom] = _TO_METRIC.transform(shapely.get_x(centre),
                                                     shapely.get_y(centre))
    return x, y


def _point_codes(x: np.ndarray, y: np.ndarray, dmetric: gpd.GeoSeries) -> list:
    """TOWNCODE of the district containing each point (None outside all, or no point)."""
    code = np.full(len(x), None, dtype=object)
    todo = np.flatnonzero(~np.isnan(x))
    for c, poly in dmetric.items():
        if not len(todo):
            break
        shapely.prepare(poly)
        inside = shapely.contains_xy(poly, x[todo], y[todo])
        code[todo[inside]] = str(c)
        todo = todo[~inside]
    return code.tolist()


def check_sites(sites: gpd.GeoDataFrame, *, file: str | None = None,
                districts: gpd.GeoDataFrame | None = None,
                duplicate_m: float = DUPLICATE_DISTANCE_M) -> list[Finding]:
    """Quality findings (nothing is removed) for a site table, vectorised (100,000 sites
    in seconds), in row order:

    - ``unlocated`` (info): listed without a point (counts toward completeness only);
    - ``outside_city``: the point is in no district (expected states the distance, m);
    - ``point_district_mismatch``: the point lies in another district than ``district``;
    - ``unknown_district``: ``district`` or the district in ``address`` is not one of the
      city's (e.g. 「內壢區」, with the district the place belongs to);
    - ``address_district_mismatch``: the address names another district than ``district``;
    - ``unknown_type`` / ``unknown_status``; ``duplicate_name`` (same
      :func:`geo.quality.normalize_name`), ``duplicate_id``, ``duplicate_location`` (same
      type within ``duplicate_m`` metres, EPSG:3826).

    Warnings unless stated. ``file`` overrides the file named in each site's ``source``.
    """
    if len(sites) == 0:
        return []
    sites = sites.reset_index(drop=True)  # positions are the identity below
    districts = load_districts() if districts is None else districts
    dmetric = districts.geometry.to_crs(METRIC_CRS)
    has_geom = is_located(sites).to_numpy()
    mx, my = _metric_xy(sites, has_geom)
    pcode = _point_codes(mx, my, dmetric)
    origins, addr_origins = _origins(sites, file)
    layer = [t if isinstance(t, str) else "" for t in sites["type"].tolist()]
    geoms = sites.geometry.to_crs(MAP_CRS).to_numpy()
    out: list[tuple[int, int, Finding]] = []

    def add(k: int, order: int, fld: str, value: object, expected: str, code: str,
            where: tuple | None = None, severity: str = "warning") -> None:
        f, row = where or origins[k]
        out.append((k, order, Finding(f, row, fld, value, expected, severity, code, layer[k])))

    def xy(k: int) -> str:
        return f"({geoms[k].x:.6f}, {geoms[k].y:.6f})"

    _location_findings(sites, has_geom, pcode, mx, my, dmetric, add, xy)
    _district_findings(sites, pcode, mx, my, districts, add, xy, addr_origins)
    types = sites["type"].tolist()
    for k in np.flatnonzero(~sites["type"].isin(list(SERVICE_TYPES)).to_numpy()):
        if not _blank(types[k]):
            add(k, 6, "type", types[k], "a service-type id: " + ", ".join(SERVICE_TYPES),
                "unknown_type")
    for k in np.flatnonzero(~sites["status"].isin(STATUSES).to_numpy()):
        add(k, 7, "status", sites["status"].iat[k], "open/planned/closed", "unknown_status")
    out.sort(key=lambda t: (t[0], t[1]))
    return [f for _, _, f in out] + _duplicates(sites, mx, my, has_geom, origins, duplicate_m)


def _distance_to_edges(polygons, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Distance (metres, EPSG:3826) from points outside ``polygons`` to the nearest of
    their edges, i.e. to the polygons: one STRtree of boundary segments, so 100,000
    points take well under a second (a point-to-polygon distance each would take
    minutes)."""
    rings = shapely.get_rings(shapely.get_parts(np.asarray(polygons, dtype=object)))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    edges = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    which, dist = shapely.STRtree(edges).query_nearest(
        shapely.points(x, y), return_distance=True, all_matches=False)
    out = np.full(len(x), np.nan)
    out[which[0]] = dist
    return out


def _location_findings(sites, has_geom, pcode, mx, my, dmetric, add, xy) -> None:
    """unlocated (info) and outside_city findings, through ``add``."""
    outside = np.flatnonzero(has_geom & np.array([c is None for c in pcode]))
    if len(outside):
        dist = _distance_to_edges(dmetric.to_numpy(), mx[outside], my[outside])
        for k, d in zip(outside, dist):
            add(k, 1, "geometry", xy(k), f"a point inside {city().name_zh} (this one is "
                f"{d:,.0f} m outside the city boundary, e.g. in the sea or a neighbouring "
                "city)", "outside_city")
    address = sites["address"].tolist()
    for k in np.flatnonzero(~has_geom):
        add(k, 0, "geometry", None if _blank(address[k]) else address[k],
            "a location: listed, not located (counts toward completeness, not coverage); "
            "place it by its 里, on the map, or with the geocoder", "unlocated",
            severity="info")


def _district_findings(sites, pcode, mx, my, districts, add, xy, addr_origins) -> None:
    """unknown_district, point_district_mismatch and address_district_mismatch findings
    of the stated district and the district written in the address, through ``add``."""
    lookup, name_of = district_lookup(districts), districts["district"].to_dict()
    all_names = list(districts["district"])
    dmetric = districts.geometry.to_crs(METRIC_CRS)
    district_of = lru_cache(maxsize=None)(lambda v: match_district(v, lookup))
    suggest = lru_cache(maxsize=None)(lambda v, near: suggest_district(
        v, near, district_names=all_names))
    stated = sites["district"].tolist()
    blank_district = np.array([_blank(v) for v in sites["district"]], dtype=bool)
    scode = [None if b else district_of(v) for v, b in zip(stated, blank_district)]
    elsewhere = [k for k in range(len(stated)) if scode[k] and pcode[k] and scode[k] != pcode[k]]
    away = {}
    for code in {scode[k] for k in elsewhere}:
        ks = [k for k in elsewhere if scode[k] == code]
        away.update(zip(ks, _distance_to_edges([dmetric.loc[code]], mx[ks], my[ks])))
    for k in np.flatnonzero(~blank_district):
        v = stated[k]
        if scode[k] is None:
            add(k, 2, "district", v, suggest(v, name_of.get(pcode[k])), "unknown_district")
        elif k in away:
            add(k, 3, "district", v, f"the district that contains the point, "
                f"{name_of[pcode[k]]} (the point {xy(k)} is {away[k]:,.0f} m outside "
                f"{name_of[scode[k]]})", "point_district_mismatch")
    address = sites["address"].tolist()
    written = districts_from_addresses(sites["address"]).tolist()
    for k in np.flatnonzero(pd.notna(np.asarray(written, dtype=object))):
        a, ad = address[k], written[k]
        acode = district_of(ad)
        if acode is None:
            add(k, 4, "address", a, suggest(ad, name_of.get(scode[k] or pcode[k])),
                "unknown_district", addr_origins[k])
        elif scode[k] is not None and acode != scode[k]:
            add(k, 5, "address", a, f"an address in the stated district {name_of[scode[k]]} "
                f"(the address names {name_of[acode]}" + (f"; the point lies in "
                f"{name_of[pcode[k]]})" if pcode[k] else ")"),
                "address_district_mismatch", addr_origins[k])


def _first_of(keys: pd.Series) -> np.ndarray:
    """Per position, the first position holding the same key."""
    return pd.Series(np.arange(len(keys))).groupby(keys.to_numpy(), sort=False) \
        .transform("first").to_numpy()


def _near_earlier(mx: np.ndarray, my: np.ndarray, use: np.ndarray, types: np.ndarray,
                  radius: float) -> list[tuple[int, int]]:
    """(site, earliest earlier site of its type within ``radius`` metres) for every site
    that has one, in row order. Sites at identical coordinates are collapsed first, so a
    pile of sites on one point costs one point, not all their pairs."""
    found: dict[int, int] = {}
    for _, group in pd.Series(np.flatnonzero(use)).groupby(types[use].astype(str)):
        rows = group.to_numpy()
        if len(rows) < 2:
            continue
        xy = np.column_stack([mx[rows], my[rows]])
        uniq, first_of, inverse = np.unique(xy, axis=0, return_index=True,
                                            return_inverse=True)
        inverse = inverse.ravel()
        first_site = rows[first_of]  # the earliest site at each distinct point
        nearest_other = np.full(len(uniq), np.iinfo(np.int64).max)
        for a, b in cKDTree(uniq).query_pairs(radius):
            nearest_other[a] = min(nearest_other[a], first_site[b])
            nearest_other[b] = min(nearest_other[b], first_site[a])
        for site, u in zip(rows, inverse):
            candidates = [c for c in (first_site[u], nearest_other[u]) if c < site]
            if candidates:
                found[int(site)] = int(min(candidates))
    return sorted(found.items())


def _duplicates(sites: gpd.GeoDataFrame, mx: np.ndarray, my: np.ndarray, has_geom: np.ndarray,
                origins: list[tuple[str, int]], duplicate_m: float) -> list[Finding]:
    out: list[Finding] = []
    layer = [t if isinstance(t, str) else "" for t in sites["type"].tolist()]
    names, site_ids = sites["name"].tolist(), sites["site_id"].tolist()
    keys = pd.Series([normalize_name(n) for n in names], dtype=object)
    first = _first_of(keys)
    for k in np.flatnonzero(keys.duplicated().to_numpy() & (keys != "").to_numpy()):
        j = int(first[k])
        out.append(Finding(*origins[k], "name", names[k], f"a name no other site has (same "
                           f"as {origins[j][0]} row {origins[j][1]}, {site_ids[j]})",
                           "warning", "duplicate_name", layer[k]))
    ids = pd.Series(site_ids, dtype=object)
    first = _first_of(ids.astype(str))
    valid = ~np.array([_blank(v) for v in ids], dtype=bool)
    for k in np.flatnonzero(ids.duplicated().to_numpy() & valid):
        j = int(first[k])
        out.append(Finding(*origins[k], "site_id", site_ids[k], f"a unique site id (also "
                           f"used by {origins[j][0]} row {origins[j][1]})", "warning",
                           "duplicate_id", layer[k]))
    precision = sites["precision"].tolist() if "precision" in sites else [""] * len(sites)
    exact = has_geom & np.array([p != "village" for p in precision], dtype=bool)
    geoms = sites.geometry.to_crs(MAP_CRS).to_numpy()
    types = sites["type"].to_numpy(object)
    for k, j in _near_earlier(mx, my, exact, types, duplicate_m):
        d = float(np.hypot(mx[k] - mx[j], my[k] - my[j]))
        g = geoms[k]
        out.append(Finding(*origins[k], "geometry", f"({g.x:.6f}, {g.y:.6f})",
                           f"sites of one type at least {duplicate_m:g} m apart (this one "
                           f"is {d:.1f} m from {origins[j][0]} row {origins[j][1]}, "
                           f"{names[j]})", "warning", "duplicate_location", layer[k]))
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
    """Findings of the population loader; a file it refuses (InputError, e.g. implausible
    counts) is reported by its errors instead of stopping the report."""
    from geo.population import load_village_table
    try:
        table, report = load_village_table(data_dir)
    except FileNotFoundError as exc:
        return None, None, [Finding(str(Path(data_dir) / "population"), None, None, str(exc),
                                    "a population file (ODRP014 layout)", "warning",
                                    "missing_file", "population")]
    except InputError as exc:
        return exc.file, None, exc.findings or [exc.as_finding("population")]
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
            "completeness": comp[["type", "name_zh", "official_count", "listed", "located",
                                  "unlocated"]]
            .to_dict("records")}
