"""Village-to-site distances in metres, straight-line or along the road network.

Each village is represented by one point: its demand point on built-up land
(``demand_x``/``demand_y``, EPSG:3826, attached by :func:`geo.demand.attach_demand_points`)
when the village table has one, else its ``point_on_surface`` computed in EPSG:3826 (always
inside the polygon, unlike the centroid of a crescent-shaped village). Population is
assumed to live at that point (point mode) or uniformly over its settled land / polygon
(area-weighted mode, see :mod:`coverage.metrics`).

Straight-line distances are Euclidean in EPSG:3826 (TWD97 / TM2, metres; scale error under
0.1 % in Taoyuan). Network distances come from :mod:`geo.network` (shortest path along the
drivable road graph, snapping both ends to the nearest node); unreachable pairs, pairs
beyond the cut-off and ends snapped further than ``max_snap_m`` are ``inf``.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import METRIC_CRS

MODES = ("straight", "network")


@dataclass
class DistanceMatrix:
    """Distances from villages (rows) to sites (columns), metres, float64, ``inf`` where
    unreachable / beyond the cut-off. ``origin_snap`` / ``dest_snap`` (network mode) are the
    snap tables of :func:`geo.network.network_distance_matrix`, one row per village / site."""

    matrix: np.ndarray
    villages: pd.Index
    sites: pd.Index
    mode: str = "straight"
    cutoff_m: float | None = None
    origin_snap: pd.DataFrame | None = None
    dest_snap: pd.DataFrame | None = None

    def frame(self) -> pd.DataFrame:
        """The matrix as a DataFrame (index VILLCODE, columns site_id)."""
        return pd.DataFrame(self.matrix, index=self.villages, columns=self.sites)


def village_points(villages: gpd.GeoDataFrame) -> np.ndarray:
    """(n, 2) float64 x/y in EPSG:3826 of each village's demand point: ``demand_x`` /
    ``demand_y`` (built-up land, :mod:`geo.demand`) where present, else the point_on_surface
    (computed in EPSG:3826, so it lies inside the metric polygon)."""
    metric = villages.geometry.to_crs(METRIC_CRS)
    pts = metric.representative_point()  # GEOS point_on_surface
    xy = np.column_stack([pts.x.to_numpy(float), pts.y.to_numpy(float)])
    if "demand_x" in villages and "demand_y" in villages:
        demand = villages[["demand_x", "demand_y"]].to_numpy(float)
        known = np.isfinite(demand).all(axis=1)
        xy[known] = demand[known]
    return xy


def site_points(sites: gpd.GeoDataFrame) -> np.ndarray:
    """(m, 2) float64 x/y of site points in EPSG:3826. Missing or non-point geometries raise
    naming the site_id."""
    geom = sites.geometry
    bad = geom.isna() | geom.is_empty | (geom.geom_type != "Point")
    if bad.any():
        ids = sites.loc[bad, "site_id"].tolist() if "site_id" in sites else list(sites.index[bad])
        raise ValueError(f"sites without a point location: {ids}")
    metric = geom.to_crs(METRIC_CRS)
    return np.column_stack([metric.x.to_numpy(float), metric.y.to_numpy(float)])


def straight_distances(origins_xy: np.ndarray, dest_xy: np.ndarray) -> np.ndarray:
    """Euclidean distances (n, m), metres. Element-wise IEEE operations only, so a single
    column computed alone equals the same column of a full matrix bit for bit."""
    o = np.asarray(origins_xy, dtype=np.float64).reshape(-1, 2)
    d = np.asarray(dest_xy, dtype=np.float64).reshape(-1, 2)
    out = np.subtract.outer(o[:, 0], d[:, 0])  # in place from here: two (n, m) buffers
    np.multiply(out, out, out=out)
    dy = np.subtract.outer(o[:, 1], d[:, 1])
    np.multiply(dy, dy, out=dy)
    np.add(out, dy, out=out)
    del dy
    return np.sqrt(out, out=out)


def _apply_cutoff(mat: np.ndarray, cutoff_m: float | None) -> np.ndarray:
    if cutoff_m is not None:
        mat[mat > cutoff_m] = np.inf
    return mat


def as_network(network):
    """A prepared ``geo.network.RoadNetwork`` (prepared once from a graph if needed)."""
    from geo.network import RoadNetwork, prepare_network  # heavy imports only when used
    if network is None or isinstance(network, RoadNetwork):
        return network
    return prepare_network(network)  # every weight: length (m) and travel_time (s)


def distances_xy(origins_xy: np.ndarray, dest_xy: np.ndarray, *, mode: str = "straight",
                 network=None, cutoff_m: float | None = None, max_snap_m: float = 500.0,
                 weight: str = "length"
                 ) -> tuple[np.ndarray, pd.DataFrame | None, pd.DataFrame | None]:
    """Distance matrix between EPSG:3826 point arrays: (matrix, origin_snap, dest_snap).

    ``mode="straight"``: Euclidean; ``cutoff_m`` (if given) turns longer distances into inf
    so both modes mean the same. ``mode="network"``: :func:`geo.network.network_distance_matrix`
    on ``network`` (a graph, or better a prepared ``geo.network.RoadNetwork``), directed
    from village to site; with ``weight="length"`` the straight snap metres at both ends are
    added to the road distance (the cut-off applies to the road part). Points snapped
    farther than ``max_snap_m`` from the graph are unreachable (inf) and flagged in the
    snap tables.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if mode == "straight":
        return _apply_cutoff(straight_distances(origins_xy, dest_xy), cutoff_m), None, None
    if network is None:
        raise ValueError("network mode needs a road graph (network=...); see geo.network")
    network = as_network(network)
    from geo.network import network_distance_matrix
    o = np.asarray(origins_xy, float).reshape(-1, 2)
    d = np.asarray(dest_xy, float).reshape(-1, 2)
    # Dijkstra always runs from the destinations (chunks no larger than the origin set, see
    # geo.network.shortest_path_matrix), so a column never depends on the other sites.
    step = max(len(o) - 1, 1)
    parts, osnap, dsnaps = [], None, []
    for start in range(0, len(d), step):
        mat, osnap, dsnap = network_distance_matrix(
            network, o, d[start:start + step], weight=weight, cutoff=cutoff_m,
            max_snap_m=max_snap_m, include_snap=weight == "length")
        parts.append(np.asarray(mat, dtype=np.float64))
        dsnaps.append(dsnap)
    if not parts:
        return np.empty((len(o), 0)), None, None
    dsnap = pd.concat(dsnaps, ignore_index=True)
    return np.ascontiguousarray(np.hstack(parts)), osnap, dsnap


def distance_matrix(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *,
                    mode: str = "straight", network=None, cutoff_m: float | None = None,
                    max_snap_m: float = 500.0) -> DistanceMatrix:
    """Distances from every village's point_on_surface to every site, metres.

    ``villages`` indexed by VILLCODE; ``sites`` with a ``site_id`` column (any CRS). In
    network mode pass the prepared graph (:func:`geo.network.prepare_network`) and a cut-off
    (normally the largest radius asked) to bound the search.
    """
    network = as_network(network) if mode == "network" else network
    oxy = village_points(villages)
    dxy = site_points(sites) if len(sites) else np.empty((0, 2))
    if len(dxy) == 0:
        mat, osnap, dsnap = np.empty((len(oxy), 0)), None, None
    else:
        mat, osnap, dsnap = distances_xy(oxy, dxy, mode=mode, network=network,
                                         cutoff_m=cutoff_m, max_snap_m=max_snap_m)
    ids = pd.Index(sites["site_id"].astype(str).to_numpy() if len(sites) else [],
                   name="site_id", dtype=object)
    return DistanceMatrix(mat, villages.index.copy(), ids, mode, cutoff_m, osnap, dsnap)
