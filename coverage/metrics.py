"""Demand, per-village coverage and per-district / city-wide coverage metrics.

Demand lives at the village (里) level: total population, children (age 0-14), elderly
(65+), households, or a custom column keyed by VILLCODE. Two representations of a village:

* point mode: all residents at the village's point_on_surface (EPSG:3826); a village is
  covered (1) when a site lies within the radius of that point, else 0;
* area-weighted mode: residents spread UNIFORMLY over the village polygon (an assumption:
  the census gives no finer location); ``covered`` is the share of the polygon's area within
  the radius of any site (straight-line discs only; no network equivalent).

All distances in metres (EPSG:3826). Only sites with status ``open`` count unless
``include_planned`` is asked for (:func:`select_sites`).
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import MAP_CRS, METRIC_CRS
from geo.boundaries import district_lookup, match_district

from coverage.distance import DistanceMatrix

DEMAND_GROUPS = {"population": "population", "children": "age_0_14",
                 "elderly": "age_65_plus", "households": "households"}
DISC_QUAD_SEGS = 64  # discs are 256-gons: area error < 0.01 %


# --- demand -------------------------------------------------------------------------

def demand_column(villages: pd.DataFrame, demand: str = "population") -> pd.Series:
    """Demand per village as float64 (NaN where the data has none).

    ``demand``: population | children | elderly | households, or any column of
    ``villages`` (e.g. a custom column read with :func:`geo.custom_demand.read_custom_demand`).
    A column that is entirely empty (e.g. households in the 2025-12 release) raises.
    """
    col = DEMAND_GROUPS.get(demand, demand)
    if col not in villages.columns:
        raise KeyError(f"unknown demand {demand!r}; use one of {list(DEMAND_GROUPS)} or a "
                       f"custom column (with --demand-file)")
    values = pd.to_numeric(villages[col], errors="coerce").astype("float64")
    if values.isna().all():
        raise ValueError(f"demand column {col!r} has no values in this population vintage")
    return values.rename(demand)


def select_sites(sites: gpd.GeoDataFrame, type_id: str, *,
                 include_planned: bool = False) -> gpd.GeoDataFrame:
    """Sites of one type that count — status open (and planned if asked), located — in
    table order: :func:`geo.services.select_located` (the one rule) without its count."""
    from geo.services import select_located
    return select_located(sites, type_id, include_planned=include_planned)[0]


# --- per village ----------------------------------------------------------------------

def nearest(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: column index of the nearest site (lowest index on ties; -1 when no site is
    reachable) and its distance (inf when none)."""
    n, m = mat.shape
    if m == 0:
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    idx = np.argmin(mat, axis=1).astype(np.int64)
    dist = mat[np.arange(n), idx]
    idx[~np.isfinite(dist)] = -1
    return idx, dist


def within_counts(mat: np.ndarray, radius_m: float) -> np.ndarray:
    """Per row: number of sites at distance <= radius_m."""
    return np.count_nonzero(mat <= radius_m, axis=1).astype(np.int64)


def settled_polygons(villages: gpd.GeoDataFrame) -> np.ndarray:
    """Where each village's residents live, in EPSG:3826 as a shapely array (prepared for
    repeated queries): ``settled_geometry`` (its built-up land, :mod:`geo.demand`) where
    present, else the village polygon."""
    polys = villages.geometry.to_crs(METRIC_CRS).to_numpy()
    if "settled_geometry" in villages:
        settled = gpd.GeoSeries(villages["settled_geometry"])
        settled = (settled.set_crs(MAP_CRS) if settled.crs is None else settled).to_crs(METRIC_CRS)
        known = (settled.notna() & ~settled.is_empty).to_numpy()
        polys[known] = settled.to_numpy()[known]
    shapely.prepare(polys)
    return polys


def disc_relations(polys: np.ndarray, site_xy: np.ndarray, radius_m: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(touch, contain), bool (n_villages, n_sites): the site's disc of radius_m reaches the
    polygon / contains it entirely (every vertex within radius_m; discs are convex)."""
    site_xy = np.asarray(site_xy, float).reshape(-1, 2)
    pts = shapely.points(site_xy)
    touch = shapely.distance(polys[:, None], pts[None, :]) <= radius_m
    contain = np.zeros_like(touch)
    for i in np.flatnonzero(touch.any(axis=1)):
        v = shapely.get_coordinates(polys[i])
        for j in np.flatnonzero(touch[i]):
            dx, dy = v[:, 0] - site_xy[j, 0], v[:, 1] - site_xy[j, 1]
            contain[i, j] = np.sqrt(dx * dx + dy * dy).max() <= radius_m
    return touch, contain


def area_share_one(poly, site_xy: np.ndarray, touch: np.ndarray, contain: np.ndarray,
                   radius_m: float) -> float:
    """Share of one polygon's area within radius_m of the sites flagged in ``touch``
    (1.0 exactly when one disc contains it). Discs are unioned in site order, so the result
    depends only on the set of touching sites (what makes incremental updates exact)."""
    if contain.any():
        return 1.0
    cols = np.flatnonzero(touch)
    if len(cols) == 0:
        return 0.0
    discs = shapely.buffer(shapely.points(site_xy[cols]), radius_m, quad_segs=DISC_QUAD_SEGS)
    covered = shapely.intersection(poly, shapely.union_all(discs))
    return min(1.0, float(shapely.area(covered)) / float(shapely.area(poly)))


def area_covered_share(polys: np.ndarray, site_xy: np.ndarray, radius_m: float) -> np.ndarray:
    """Per village: share (0..1) of the polygon area within radius_m (straight line) of
    any site. Assumes residents are spread uniformly over the polygon."""
    site_xy = np.asarray(site_xy, float).reshape(-1, 2)
    touch, contain = disc_relations(polys, site_xy, radius_m)
    return np.array([area_share_one(polys[i], site_xy, touch[i], contain[i], radius_m)
                     for i in range(len(polys))], dtype=np.float64)


def village_coverage(dm: DistanceMatrix, radius_m: float, *,
                     area_share: np.ndarray | None = None) -> pd.DataFrame:
    """Per village (index VILLCODE): nearest_site (site_id, None when none reachable),
    nearest_m (metres, inf when none), sites_within (count within radius_m), covered (0/1,
    or ``area_share`` when given)."""
    idx, dist = nearest(dm.matrix)
    ids = np.asarray(dm.sites, dtype=object)
    covered = (np.asarray(area_share, dtype=np.float64) if area_share is not None
               else (dist <= radius_m).astype(np.float64))
    return pd.DataFrame({
        "nearest_site": np.where(idx >= 0, ids[np.maximum(idx, 0)] if len(ids) else None, None),
        "nearest_m": dist, "sites_within": within_counts(dm.matrix, radius_m),
        "covered": covered}, index=dm.villages)


# --- aggregates -----------------------------------------------------------------------

def weighted_percentile(values, weights, q: float) -> float:
    """Smallest value d such that the share of weight on values <= d is >= q (0 < q <= 1).

    Weights are the demand (NaN counts as 0); values may be inf (unreachable). Returns NaN
    when the total weight is 0. Example: values 1, 2, 3, 4 with equal weights give 2 for
    q=0.5 (half the weight is at <= 2) and 4 for q=0.9.
    """
    if not 0 < q <= 1:
        raise ValueError(f"q must be in (0, 1], got {q}")
    v = np.asarray(values, dtype=np.float64)
    w = np.nan_to_num(np.asarray(weights, dtype=np.float64), nan=0.0)
    if np.isnan(v).any():
        raise ValueError("weighted_percentile: values contain NaN")
    if (w < 0).any():
        raise ValueError("weighted_percentile: negative weight")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order])
    if len(cum) == 0 or cum[-1] <= 0:
        return math.nan
    k = int(np.searchsorted(cum, q * cum[-1], side="left"))
    return float(v[order][min(k, len(v) - 1)])


def site_towncodes(sites: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> pd.Series:
    """TOWNCODE of the district each site lies in (point in the village's whole polygon);
    sites outside every polygon fall back to their ``district`` text; None when neither
    works. Vectorised: one spatial query, one name lookup per distinct district text."""
    if len(sites) == 0:
        return pd.Series([], dtype=object)
    pts = sites.geometry.to_crs(METRIC_CRS).to_numpy()
    tree = shapely.STRtree(villages.geometry.to_crs(METRIC_CRS).to_numpy())
    site_i, poly_i = tree.query(pts, predicate="within")
    town = villages["TOWNCODE"].to_numpy()
    out = np.full(len(sites), None, dtype=object)
    out[site_i] = town[poly_i]
    missing = np.flatnonzero(pd.isna(out))
    if len(missing) and "district" in sites:
        lookup = district_lookup()
        names = sites["district"].iloc[missing]
        codes = {n: match_district(n, lookup) for n in names.dropna().unique()}
        out[missing] = [codes.get(n) if isinstance(n, str) else None for n in names]
    return pd.Series(out, index=sites.index, name="TOWNCODE")


def district_kpi(sites: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> dict:
    """Districts with at least one site (the seeds' 涵蓋率 「13區皆已設置」): count, total,
    share, and the TOWNCODEs without a site."""
    towns = sorted(villages["TOWNCODE"].unique())
    have = set(site_towncodes(sites, villages).dropna())
    return {"districts_with_site": sum(t in have for t in towns), "districts": len(towns),
            "district_share": sum(t in have for t in towns) / len(towns) if towns else math.nan,
            "districts_without_site": [t for t in towns if t not in have]}


def coverage_summary(table: pd.DataFrame, demand_cols: list[str], *,
                     weight_col: str | None = None) -> pd.DataFrame:
    """Per district (TOWNCODE) plus a city row ("all", district None: the front ends name
    it in their language): for each demand column its total,
    the part covered (sum of demand x covered) and the share; population-weighted nearest
    distance median and 90th percentile (weighted by ``weight_col``, default the first
    demand column; see :func:`weighted_percentile`).

    ``table``: per-village rows with TOWNCODE, district, covered, nearest_m and the demand
    columns.
    """
    weight_col = weight_col or demand_cols[0]
    rows = []
    groups = list(table.groupby("TOWNCODE", sort=True)) + [("all", table)]
    for code, g in groups:
        row = {"TOWNCODE": code, "district": g["district"].iat[0] if code != "all" else None,
               "villages": len(g), "villages_covered": float(g["covered"].sum())}
        cov = g["covered"].to_numpy(float)
        for col in demand_cols:
            d = np.nan_to_num(g[col].to_numpy(float), nan=0.0)
            total = float(d.sum())
            row[f"{col}_total"] = total
            row[f"{col}_covered"] = float((d * cov).sum())
            row[f"{col}_share"] = row[f"{col}_covered"] / total if total > 0 else math.nan
        w = g[weight_col].to_numpy(float)
        row["median_m"] = weighted_percentile(g["nearest_m"], w, 0.5)
        row["p90_m"] = weighted_percentile(g["nearest_m"], w, 0.9)
        rows.append(row)
    return pd.DataFrame(rows).set_index("TOWNCODE")


def capacity_summary(villages: pd.DataFrame, sites: gpd.GeoDataFrame, demand: pd.Series, *,
                     residents_per_capacity: float | None = None,
                     site_town: pd.Series | None = None) -> pd.DataFrame:
    """Per district plus city ("all"): demand, sites, capacity (sum of known capacities),
    residents per site, residents per capacity unit (NaN when a site's capacity is unknown),
    and against a norm (e.g. 20,000 residents per social worker) the capacity needed and
    the shortfall (needed - available). Sites count in the district they lie in."""
    site_town = site_towncodes(sites, villages) if site_town is None else site_town
    cap = sites["capacity"].astype(float) if len(sites) else pd.Series([], dtype=float)
    d = demand.reindex(villages.index).fillna(0.0)
    towns = sorted(villages["TOWNCODE"].unique())
    rows = []
    for code in towns + ["all"]:
        in_town = np.ones(len(sites), bool) if code == "all" else (site_town == code).to_numpy()
        dem = float(d.sum() if code == "all" else d[villages["TOWNCODE"] == code].sum())
        n = int(in_town.sum())
        c = cap[in_town] if len(sites) else cap
        known = bool(n) and bool(c.notna().all())
        capacity = float(c.sum()) if known else math.nan
        row = {"TOWNCODE": code, "demand": dem, "sites": n, "capacity": capacity,
               "capacity_unknown_sites": int(c.isna().sum()),
               "residents_per_site": dem / n if n else math.inf,
               "residents_per_capacity": dem / capacity if known and capacity > 0 else math.nan}
        if residents_per_capacity:
            row["capacity_needed"] = dem / residents_per_capacity
            row["capacity_shortfall"] = row["capacity_needed"] - capacity
        rows.append(row)
    return pd.DataFrame(rows).set_index("TOWNCODE")


def city_summary(table: pd.DataFrame, sites: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, *,
                 demand_col: str = "demand",
                 residents_per_capacity: float | None = None) -> dict:
    """City-wide figures of a per-village coverage table (see coverage.engine.coverage_table):
    demand total / covered / share, villages covered, demand-weighted nearest distance
    median and p90 (metres; inf when more than that share has no reachable site), district
    KPI (share of districts with >= 1 site), residents per site and per capacity unit, and
    the capacity needed at ``residents_per_capacity`` (e.g. 20,000 per social worker)."""
    d = np.nan_to_num(table[demand_col].to_numpy(float), nan=0.0)
    cov = table["covered"].to_numpy(float)
    total = float(d.sum())
    covered = float((d * cov).sum())
    kpi = district_kpi(sites, villages)
    cap = capacity_summary(villages, sites, table[demand_col],
                           residents_per_capacity=residents_per_capacity).loc["all"]
    out = {"villages": len(table), "villages_covered": float(cov.sum()),
           "villages_missing_demand": int(table[demand_col].isna().sum()),
           "demand_total": total, "demand_covered": covered,
           "demand_uncovered": total - covered,
           "demand_share": covered / total if total > 0 else math.nan,
           "median_m": weighted_percentile(table["nearest_m"], d, 0.5),
           "p90_m": weighted_percentile(table["nearest_m"], d, 0.9),
           "sites": int(len(sites)), **kpi,
           "residents_per_site": float(cap["residents_per_site"]),
           "capacity": float(cap["capacity"]),
           "residents_per_capacity": float(cap["residents_per_capacity"])}
    if residents_per_capacity:
        out["capacity_norm"] = residents_per_capacity
        out["capacity_needed"] = float(cap["capacity_needed"])
        out["capacity_shortfall"] = float(cap["capacity_shortfall"])
    return out


def village_area_km2(villages: gpd.GeoDataFrame) -> pd.Series:
    """Area of each village in km², measured in EPSG:3826."""
    return (villages.to_crs(METRIC_CRS).area / 1e6).rename("area_km2")


def density(villages: gpd.GeoDataFrame, column: str = "population") -> pd.Series:
    """Residents (``column``) per km² of village area (EPSG:3826), keyed by VILLCODE."""
    if column not in villages:
        raise KeyError(f"village table has no column {column!r}; columns: {list(villages.columns)}")
    counts = pd.to_numeric(villages[column], errors="coerce").astype(float)
    return (counts / village_area_km2(villages)).rename("density")
