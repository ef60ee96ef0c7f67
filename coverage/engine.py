"""Incremental coverage state for scenarios: add, move or remove one site and update every
per-village result from ONE new distance column instead of recomputing the matrix.

:func:`build_state` computes everything once (full matrix); :class:`CoverageState` methods
``add_site`` / ``move_site`` / ``remove_site`` then touch one site row (distances stored
site-major, (n_sites, n_villages), in preallocated buffers) and update:

* nearest site and distance (only villages whose nearest site changed are re-scanned),
* number of sites within the radius and covered (0/1, or the area share: only villages
  whose polygon the moved disc touches are recomputed),
* 2SFCA / E2SFCA access: the site's ratio R_j is recomputed alone; the village sums
  sum_j R_j w_ij are re-added over all sites (O(n_sites x n_villages), microseconds for
  Taoyuan) so the result is bit-identical to a fresh :func:`build_state`.

The incremental result EQUALS the full recomputation exactly (tests/test_incremental.py runs
200 random edits). Sites keep their order: adds append, removals close the gap, moves keep
the position; nearest-site ties go to the earlier site, as in :func:`coverage.metrics.nearest`.
Coordinates are EPSG:3826 metres; :func:`lonlat_to_xy` converts from EPSG:4326.
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo import MAP_CRS, METRIC_CRS

from coverage.access import decay_weights, normalise, site_ratio, supply_values, village_access
from coverage.distance import as_network, distances_xy, site_points, village_points
from coverage.metrics import (DEMAND_GROUPS, area_share_one, demand_column, disc_relations,
                              settled_polygons, weighted_percentile)

_TO_METRIC = Transformer.from_crs(MAP_CRS, METRIC_CRS, always_xy=True)


def lonlat_to_xy(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:4326 lon/lat to EPSG:3826 x/y metres."""
    x, y = _TO_METRIC.transform(lon, lat)
    return float(x), float(y)


class CoverageState:
    """Per-village coverage of one service type for a changing set of sites.

    Build with :func:`build_state`. Public read-outs: :meth:`village_table`,
    :meth:`summary`, ``site_ids``, :meth:`distances` ((n_villages, n_sites) metres).
    """

    def __init__(self, village_ids: pd.Index, village_xy: np.ndarray, towncode: np.ndarray,
                 demand: np.ndarray, *, radius_m: float, mode: str = "straight", network=None,
                 cutoff_m: float | None = None, max_snap_m: float = 500.0,
                 decay: str | None = None, sigma_m: float | None = None,
                 steps: dict[float, float] | None = None, polys: np.ndarray | None = None,
                 weight: str = "length"):
        self.village_ids = village_ids
        self.xy = np.asarray(village_xy, dtype=np.float64)
        self.towncode = np.asarray(towncode, dtype=object)
        self.demand = np.nan_to_num(np.asarray(demand, dtype=np.float64), nan=0.0)
        self.radius_m = float(radius_m)
        self.mode, self.network, self.max_snap_m = mode, network, max_snap_m
        self.weight = weight  # network mode: "length" (metres) or "travel_time" (seconds)
        self.cutoff_m = cutoff_m
        self.decay = dict(decay=decay, sigma_m=sigma_m, steps=steps)
        self.polys = polys  # area-weighted mode when given
        n = len(self.xy)
        self.site_ids: list[str] = []
        self.site_xy = np.empty((0, 2))
        self.supply = np.empty(0)
        self._dist = np.empty((0, n))  # buffers, first m rows valid
        self._w = np.empty((0, n))
        self._touch = np.zeros((0, n), dtype=bool)
        self._contain = np.zeros((0, n), dtype=bool)
        self.ratios = np.empty(0)
        self.nearest_idx = np.full(n, -1, dtype=np.int64)
        self.nearest_m = np.full(n, np.inf)
        self.sites_within = np.zeros(n, dtype=np.int64)
        self.share = np.zeros(n) if polys is not None else None
        self.access_raw = np.zeros(n)
        self.dest_snap: dict[str, object] = {}  # network mode: site_id -> snap row
        self.origin_snap = None
        self._last_dest_snap = None

    # --- internals -------------------------------------------------------------------

    @property
    def m(self) -> int:
        return len(self.site_ids)

    def _columns(self, xy: np.ndarray) -> np.ndarray:
        """Distance rows (k, n_villages) for k site points; the one place distances are made."""
        if self.mode == "straight":  # site-major directly: (a - b)² = (b - a)² bit for bit
            rows, _, _ = distances_xy(xy, self.xy, mode="straight", cutoff_m=self.cutoff_m)
            return rows
        mat, osnap, dsnap = distances_xy(self.xy, xy, mode=self.mode, network=self.network,
                                         cutoff_m=self.cutoff_m, max_snap_m=self.max_snap_m,
                                         weight=self.weight)
        if osnap is not None and self.origin_snap is None:
            self.origin_snap = osnap
        self._last_dest_snap = dsnap
        return np.ascontiguousarray(mat.T)

    def _grow(self, k: int) -> None:
        need = self.m + k
        if need <= self._dist.shape[0]:
            return
        cap = max(need, 2 * self._dist.shape[0], 8)
        n = len(self.xy)
        for name, dtype in (("_dist", float), ("_w", float), ("_touch", bool), ("_contain", bool)):
            old = getattr(self, name)
            new = np.zeros((cap, n), dtype=dtype)
            new[:self.m] = old[:self.m]
            setattr(self, name, new)

    def _relations(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        touch, contain = disc_relations(self.polys, xy, self.radius_m)
        return touch.T, contain.T

    def _recompute_share(self, villages: np.ndarray) -> None:
        m = self.m
        for i in villages:
            self.share[i] = area_share_one(self.polys[i], self.site_xy,
                                           self._touch[:m, i], self._contain[:m, i],
                                           self.radius_m)

    def _rescan_nearest(self, rows: np.ndarray) -> None:
        if len(rows) == 0:
            return
        if self.m == 0:
            self.nearest_idx[rows], self.nearest_m[rows] = -1, np.inf
            return
        sub = self._dist[:self.m, rows]
        idx = np.argmin(sub, axis=0).astype(np.int64)
        dist = sub[idx, np.arange(len(rows))]
        idx[~np.isfinite(dist)] = -1
        self.nearest_idx[rows], self.nearest_m[rows] = idx, dist

    def _refresh_access(self) -> None:
        self.access_raw = village_access(self._w[:self.m], self.ratios)

    def _set_row(self, j: int, dist_row: np.ndarray) -> None:
        self._dist[j] = dist_row
        self._w[j] = decay_weights(dist_row, radius_m=self.radius_m, **self.decay)
        self.ratios[j] = site_ratio(self._w[j], self.demand, self.supply[j])

    # --- edits -----------------------------------------------------------------------

    def add_sites(self, site_ids, xy: np.ndarray, capacity=None) -> None:
        """Append sites (ids, (k, 2) EPSG:3826 metres, capacities; NaN/None = unknown = 1
        unit of supply). Used for the initial full build; one distance call for all."""
        site_ids = [str(s) for s in site_ids]
        dup = set(site_ids) & set(self.site_ids) or len(set(site_ids)) < len(site_ids)
        if dup:
            raise ValueError(f"site_id already present or repeated: {site_ids}")
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        k = len(site_ids)
        if k == 0:
            return
        cap = np.full(k, np.nan) if capacity is None else np.asarray(capacity, float).reshape(k)
        rows = self._columns(xy)
        snaps = self._last_dest_snap
        self._grow(k)
        start = self.m
        self.site_ids += site_ids
        self.site_xy = np.vstack([self.site_xy, xy])
        self.supply = np.concatenate([self.supply, supply_values(cap)])
        self.ratios = np.concatenate([self.ratios, np.zeros(k)])
        for t in range(k):
            j = start + t
            self._set_row(j, rows[t])
            if snaps is not None:
                self.dest_snap[site_ids[t]] = snaps.iloc[t]
            better = self._dist[j] < self.nearest_m
            self.nearest_idx[better] = j
            self.nearest_m[better] = self._dist[j][better]
            self.sites_within += self._dist[j] <= self.radius_m
        if self.polys is not None:
            touch, contain = self._relations(xy)
            self._touch[start:self.m], self._contain[start:self.m] = touch, contain
            self._recompute_share(np.flatnonzero(touch.any(axis=0)))
        self._refresh_access()

    def add_site(self, site_id: str, xy, capacity: float | None = None) -> None:
        """Add one site at ``xy`` (EPSG:3826 metres)."""
        self.add_sites([site_id], np.asarray(xy, float).reshape(1, 2),
                       None if capacity is None else [capacity])

    def _index(self, site_id: str) -> int:
        try:
            return self.site_ids.index(str(site_id))
        except ValueError:
            raise KeyError(f"no site {site_id!r} in this scenario") from None

    def remove_site(self, site_id: str) -> None:
        """Remove one site; the later sites move up one position."""
        j = self._index(site_id)
        m = self.m
        self.sites_within -= self._dist[j] <= self.radius_m
        touched = np.flatnonzero(self._touch[j]) if self.polys is not None else None
        for buf in (self._dist, self._w, self._touch, self._contain):
            buf[j:m - 1] = buf[j + 1:m]
        del self.site_ids[j]
        self.site_xy = np.delete(self.site_xy, j, axis=0)
        self.supply = np.delete(self.supply, j)
        self.ratios = np.delete(self.ratios, j)
        self.dest_snap.pop(str(site_id), None)
        lost = np.flatnonzero(self.nearest_idx == j)
        self.nearest_idx[self.nearest_idx > j] -= 1
        self._rescan_nearest(lost)
        if touched is not None:
            self._recompute_share(touched)
        self._refresh_access()

    def move_site(self, site_id: str, xy) -> None:
        """Move one site to ``xy`` (EPSG:3826 metres); it keeps its position and capacity."""
        j = self._index(site_id)
        xy = np.asarray(xy, dtype=np.float64).reshape(1, 2)
        row = self._columns(xy)[0]
        if self._last_dest_snap is not None:
            self.dest_snap[str(site_id)] = self._last_dest_snap.iloc[0]
        self.sites_within -= self._dist[j] <= self.radius_m
        self.site_xy[j] = xy[0]
        self._set_row(j, row)
        self.sites_within += row <= self.radius_m
        lost = self.nearest_idx == j
        better = ~lost & ((row < self.nearest_m)
                          | ((row == self.nearest_m) & np.isfinite(row) & (j < self.nearest_idx)))
        self.nearest_idx[better] = j
        self.nearest_m[better] = row[better]
        self._rescan_nearest(np.flatnonzero(lost))
        if self.polys is not None:
            old = self._touch[j].copy()
            touch, contain = self._relations(xy)
            self._touch[j], self._contain[j] = touch[0], contain[0]
            self._recompute_share(np.flatnonzero(old | touch[0]))
        self._refresh_access()

    # --- read-outs -------------------------------------------------------------------

    def covered(self) -> np.ndarray:
        """0/1 per village (point mode) or the covered area share (area-weighted mode)."""
        if self.share is not None:
            return self.share.copy()
        return (self.sites_within > 0).astype(np.float64)

    def distances(self) -> np.ndarray:
        """(n_villages, n_sites) metres, inf where unreachable / beyond the cut-off."""
        return self._dist[:self.m].T.copy()

    def village_table(self) -> pd.DataFrame:
        """Per village: nearest_site, nearest_m, sites_within, covered, access_raw, access
        (2SFCA normalised to a demand-weighted mean of 1), demand."""
        ids = np.array(self.site_ids + [None], dtype=object)
        return pd.DataFrame({
            "nearest_site": ids[self.nearest_idx],  # -1 picks the trailing None
            "nearest_m": self.nearest_m.copy(), "sites_within": self.sites_within.copy(),
            "covered": self.covered(), "access_raw": self.access_raw.copy(),
            "access": normalise(self.access_raw, self.demand), "demand": self.demand.copy(),
        }, index=self.village_ids)

    def summary(self) -> dict:
        """City-wide: demand total / covered / share, demand-weighted nearest-distance
        median and 90th percentile (metres), number of sites."""
        cov = self.covered()
        total = float(self.demand.sum())
        covered = float((self.demand * cov).sum())
        return {"sites": self.m, "demand_total": total, "demand_covered": covered,
                "demand_share": covered / total if total > 0 else math.nan,
                "median_m": weighted_percentile(self.nearest_m, self.demand, 0.5),
                "p90_m": weighted_percentile(self.nearest_m, self.demand, 0.9)}


def build_state(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, radius_m: float,
                demand: str | pd.Series = "population", mode: str = "straight", network=None,
                cutoff_m: float | None = None, max_snap_m: float = 500.0,
                area_weighted: bool = False, decay: str | None = None,
                sigma_m: float | None = None, steps: dict[float, float] | None = None,
                weight: str = "length") -> CoverageState:
    """Full computation for ``sites`` (already selected: one type, status filter applied;
    columns site_id, capacity, geometry) and ``villages`` (index VILLCODE, TOWNCODE,
    demand columns). ``demand``: a group name / column (see coverage.metrics.demand_column)
    or a Series indexed by VILLCODE. Network mode defaults the cut-off to the radius;
    ``weight="travel_time"`` makes every cost, the radius and the cut-off seconds.
    """
    dem = (demand.reindex(villages.index) if isinstance(demand, pd.Series)
           else demand_column(villages, demand))
    if mode == "network":
        network = as_network(network)
        cutoff_m = radius_m if cutoff_m is None else cutoff_m
    if area_weighted and mode != "straight":
        raise ValueError("area-weighted coverage is defined for straight-line distances only")
    state = CoverageState(villages.index, village_points(villages),
                          villages["TOWNCODE"].to_numpy(), dem.to_numpy(float),
                          radius_m=radius_m, mode=mode, network=network, cutoff_m=cutoff_m,
                          max_snap_m=max_snap_m, decay=decay, sigma_m=sigma_m, steps=steps,
                          polys=settled_polygons(villages) if area_weighted else None,
                          weight=weight)
    if len(sites):
        cap = sites["capacity"].to_numpy(float) if "capacity" in sites else None
        state.add_sites(sites["site_id"].astype(str).tolist(), site_points(sites), cap)
    return state


def coverage_table(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, radius_m: float,
                   demand: str | pd.Series = "population", **options
                   ) -> tuple[pd.DataFrame, CoverageState]:
    """The per-village coverage table of one service type and the state behind it.

    Index VILLCODE; columns TOWNCODE, district, village, population, demand, nearest_site,
    nearest_m (metres, inf = none reachable), sites_within, covered (0/1, or the covered
    area share with ``area_weighted=True``), access_raw / access (2SFCA, see
    coverage.access; decay options as in :func:`build_state`), children, elderly,
    households (when the population table has them, for per-group summaries with
    coverage.metrics.coverage_summary), and in network mode
    snap_m / snapped (False = the village point is farther than max_snap_m from the road
    graph, so it is unreachable). ``options``: keyword options of :func:`build_state`.
    """
    state = build_state(villages, sites, radius_m=radius_m, demand=demand, **options)
    t = state.village_table()
    out = pd.DataFrame(villages[["TOWNCODE", "district", "village"]])
    out["population"] = (pd.to_numeric(villages["population"], errors="coerce").astype(float)
                         if "population" in villages else np.nan)
    dem = demand.reindex(villages.index) if isinstance(demand, pd.Series) else \
        demand_column(villages, demand)
    out["demand"] = dem.to_numpy(float)
    for col in ("nearest_site", "nearest_m", "sites_within", "covered", "access_raw", "access"):
        out[col] = t[col].to_numpy()
    for group in ("children", "elderly", "households"):  # for per-group summaries
        col = DEMAND_GROUPS[group]
        if col in villages:
            out[group] = pd.to_numeric(villages[col], errors="coerce").astype(float).to_numpy()
    if state.mode == "network":
        snap = state.origin_snap
        if snap is None:  # no sites: snap the villages anyway, to report reachability
            from geo.network import snap_points
            snap = snap_points(state.xy, state.network.node_xy, max_snap_m=state.max_snap_m)
        out["snap_m"] = snap["snap_m"].to_numpy()
        out["snapped"] = ~snap["flagged"].to_numpy()
    return out, state
