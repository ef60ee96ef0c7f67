"""Placement suggestions on the city's data: build the inputs of :mod:`coverage.optimize`
(candidates, cost matrix, demand) from villages and site tables, solve, and describe the
chosen sites. Used by the analysis layer (``safetynet optimize``, the scenario page).

Demand points are the villages' demand points (:func:`coverage.distance.village_points`,
EPSG:3826). Candidates, in this order: the service type's existing sites (fixed = always
open, unless ``fix_existing=False``: then they are ordinary candidates), followed by either
every village's demand point (candidate id = VILLCODE) or a user's site list (e.g.
social-housing sites). ``k`` counts NEW sites.

Costs come from any distance mode through one interface, :func:`placement_costs`, which
asks :func:`coverage.distance.distances_xy` for the (demand points x candidates) matrix:

- ``mode="straight"`` (default): straight-line metres in EPSG:3826;
- ``mode="network", weight="length"``: road metres along a road network (anything with
  the ``RoadNetwork`` interface: graph, csr per weight, node_ids, node_xy), the
  straight-line snap metres at both ends added;
- ``mode="network", weight="travel_time"``: road seconds (the snap legs not included).

In network mode every demand point and candidate is snapped to its nearest graph node and
its snap distance is reported. A point farther than ``max_snap_m`` is never snapped: a
demand point keeps its demand but reaches no site (the models report it uncoverable); a
candidate that is not fixed is left out of the optimisation and listed in
``excluded_candidates``; a fixed existing site stays (it is open whatever the model says)
but reaches no one. Radii are in the unit of the costs: metres, or seconds for travel time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from common.checks import choice, positive_number
from coverage.distance import distances_xy, site_points, village_points
from coverage.metrics import demand_column
from coverage.optimize import MODELS, PlacementResult
from geo import MAP_CRS, METRIC_CRS

__all__ = ["CANDIDATE_COLUMNS", "MODES", "WEIGHTS", "PlacementCosts", "PlacementInput",
           "placement_costs", "placement_input", "village_candidates", "site_candidates",
           "solve", "chosen_table"]

CANDIDATE_COLUMNS = ["id", "name", "lon", "lat", "villcode", "village", "district",
                     "existing", "fixed"]
MODES = ("straight", "network")
WEIGHTS = ("length", "travel_time")
MAX_SNAP_LIMIT_M = 50_000.0  # a snap threshold beyond this would switch the check off


@dataclass
class PlacementCosts:
    """A cost matrix and how it was made. ``matrix``: (n_demand, n_candidates) float, inf =
    unreachable; ``unit``: "m" (straight line or road length) or "s" (road travel time);
    ``demand_snap`` / ``candidate_snap`` (network mode, else None): one row per demand
    point / candidate with ``node`` (graph node position), ``snap_m`` (metres to it) and
    ``flagged`` (snap_m > max_snap_m: never snapped, every cost of the point is inf)."""

    matrix: np.ndarray
    unit: str = "m"
    mode: str = "straight"
    weight: str = "length"
    max_snap_m: float | None = None
    demand_snap: pd.DataFrame | None = None
    candidate_snap: pd.DataFrame | None = None


@dataclass
class PlacementInput:
    """Inputs of one placement solve.

    ``candidates``: one row per candidate (columns CANDIDATE_COLUMNS, lon/lat EPSG:4326;
    villcode/village/district of the village the point lies in); ``costs``: (n_villages,
    n_candidates) in ``unit`` ("m" metres or "s" seconds); ``demand``: float per village
    (NaN as 0), index VILLCODE. Network mode only (else None / empty): ``demand_snap``
    (index VILLCODE; node, snap_m, flagged), ``candidate_snap`` (index candidate id, the
    kept candidates), ``excluded_candidates`` (the candidates left out as off the road
    network, CANDIDATE_COLUMNS + snap_m).
    """

    candidates: pd.DataFrame
    costs: np.ndarray
    demand: pd.Series
    demand_name: str
    unit: str = "m"
    mode: str = "straight"
    weight: str = "length"
    demand_snap: pd.DataFrame | None = None
    candidate_snap: pd.DataFrame | None = None
    excluded_candidates: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=CANDIDATE_COLUMNS + ["snap_m"]))

    @property
    def off_network_villages(self) -> pd.Index:
        """VILLCODEs whose demand point is farther than the snap threshold from the road
        network (empty in straight-line mode)."""
        if self.demand_snap is None:
            return pd.Index([], name="VILLCODE")
        return self.demand_snap.index[self.demand_snap["flagged"].to_numpy(bool)]


def placement_costs(demand_xy: np.ndarray, candidate_xy: np.ndarray, *,
                    mode: str = "straight", network=None, weight: str = "length",
                    max_snap_m: float = 500.0, cutoff: float | None = None) -> PlacementCosts:
    """The (demand points x candidates) cost matrix for the placement models.

    Parameters
    ----------
    demand_xy, candidate_xy : array (n, 2), (m, 2)
        EPSG:3826 x/y metres.
    mode : {"straight", "network"}
    network : RoadNetwork or graph, optional
        Needed in network mode (see :func:`coverage.distance.distances_xy`).
    weight : {"length", "travel_time"}
        Network mode: road metres (snap metres added) or road seconds.
    max_snap_m : float
        Metres; a point snapped farther is flagged and unreachable. Must be a finite
        number > 0 (no value switches the check off).
    cutoff : float, optional
        Network mode: costs beyond it (metres or seconds, road part) become inf; pass the
        radius of a covering model to bound the search, None for p-median.
    """
    choice(mode, "mode", MODES)
    choice(weight, "weight", WEIGHTS)
    snap = positive_number(max_snap_m, "max_snap_m", unit="metres", maximum=MAX_SNAP_LIMIT_M)
    limit = None if cutoff is None else positive_number(cutoff, "cutoff")
    if mode == "straight" and weight != "length":
        raise ValueError(f"weight: {weight!r} needs mode 'network' (road travel time); "
                         "straight-line costs are metres")
    matrix, demand_snap, candidate_snap = distances_xy(
        demand_xy, candidate_xy, mode=mode, network=network, cutoff_m=limit,
        max_snap_m=snap, weight=weight)
    unit = "s" if mode == "network" and weight == "travel_time" else "m"
    return PlacementCosts(np.asarray(matrix, dtype=float), unit, mode, weight,
                          snap if mode == "network" else None, demand_snap, candidate_snap)


def _lonlat(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC_CRS).to_crs(MAP_CRS)
    return pts.x.to_numpy(float), pts.y.to_numpy(float)


def _village_of(villages: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
    """VILLCODE, village and district containing each lon/lat point (None outside)."""
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=MAP_CRS)
    joined = gpd.sjoin(pts, villages[["village", "district", "geometry"]].to_crs(MAP_CRS),
                       how="left", predicate="within")
    joined = joined[~joined.index.duplicated()].sort_index()
    code = joined["index_right"] if "index_right" in joined else joined.iloc[:, -3]
    return pd.DataFrame({"villcode": code.astype(object).where(code.notna(), None).to_numpy(),
                         "village": joined["village"].astype(object).where(
                             joined["village"].notna(), None).to_numpy(),
                         "district": joined["district"].astype(object).where(
                             joined["district"].notna(), None).to_numpy()})


def village_candidates(villages: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Every village's demand point as a candidate (id = VILLCODE, name = district +
    village) and its EPSG:3826 x/y (identical to the demand points, so the cost to itself
    is 0 in straight-line mode)."""
    xy = village_points(villages)
    lon, lat = _lonlat(xy)
    table = pd.DataFrame({
        "id": villages.index.astype(str), "name": (villages["district"] + villages["village"]
                                                   ).to_numpy(),
        "lon": lon, "lat": lat, "villcode": villages.index.astype(str),
        "village": villages["village"].to_numpy(), "district": villages["district"].to_numpy(),
        "existing": False, "fixed": False})
    return table[CANDIDATE_COLUMNS], xy


def site_candidates(sites: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, *, existing: bool
                    ) -> tuple[pd.DataFrame, np.ndarray]:
    """Sites (site_id, name, geometry) as candidates, with their x/y in EPSG:3826."""
    if len(sites) == 0:
        return pd.DataFrame(columns=CANDIDATE_COLUMNS), np.empty((0, 2))
    xy = site_points(sites)
    geo = sites.geometry.to_crs(MAP_CRS)
    lon, lat = geo.x.to_numpy(float), geo.y.to_numpy(float)
    where = _village_of(villages, lon, lat)
    table = pd.DataFrame({"id": sites["site_id"].astype(str).to_numpy(),
                          "name": sites["name"].astype(str).to_numpy(), "lon": lon, "lat": lat,
                          "villcode": where["villcode"].to_numpy(),
                          "village": where["village"].to_numpy(),
                          "district": where["district"].to_numpy(),
                          "existing": existing, "fixed": False})
    return table[CANDIDATE_COLUMNS], xy


def _candidate_table(villages, existing, candidates, fix_existing
                     ) -> tuple[pd.DataFrame, np.ndarray]:
    """Existing sites first, then the village points or the candidate list; x/y parallel."""
    ex_table, ex_xy = site_candidates(existing, villages, existing=True)
    ex_table["fixed"] = bool(fix_existing)
    if candidates is None:
        new_table, new_xy = village_candidates(villages)
    else:
        new_table, new_xy = site_candidates(candidates, villages, existing=False)
        clash = new_table["id"].isin(set(ex_table["id"]))
        new_table.loc[clash, "id"] = "cand:" + new_table.loc[clash, "id"]
        if new_table["id"].duplicated().any():
            dup = new_table.loc[new_table["id"].duplicated(), "id"].tolist()
            raise ValueError(f"candidate site ids repeat: {dup[:5]}")
    table = pd.concat([ex_table, new_table], ignore_index=True) if len(ex_table) else new_table
    table["existing"] = table["existing"].astype(bool)
    table["fixed"] = table["fixed"].astype(bool)
    return table.reset_index(drop=True), np.vstack([ex_xy, new_xy])


def _drop_off_network(table: pd.DataFrame, costs: PlacementCosts):
    """Leave out the candidates flagged off the network unless fixed: (kept table, kept
    matrix, kept snap table indexed by id, excluded rows with snap_m)."""
    snap = costs.candidate_snap.reset_index(drop=True)
    drop = snap["flagged"].to_numpy(bool) & ~table["fixed"].to_numpy(bool)
    excluded = table[drop].assign(snap_m=snap.loc[drop, "snap_m"].to_numpy(float))
    kept_snap = snap[~drop].set_index(table.loc[~drop, "id"].rename("id"))
    return (table[~drop].reset_index(drop=True), costs.matrix[:, ~drop], kept_snap,
            excluded.reset_index(drop=True))


def placement_input(villages: gpd.GeoDataFrame, existing: gpd.GeoDataFrame, *,
                    demand: str = "population", candidates: gpd.GeoDataFrame | None = None,
                    fix_existing: bool = True, mode: str = "straight", network=None,
                    weight: str = "length", max_snap_m: float = 500.0,
                    cutoff: float | None = None) -> PlacementInput:
    """Inputs for :mod:`coverage.optimize` (see the module docstring).

    ``existing``: the type's sites that count now (already selected, e.g. by
    :func:`coverage.metrics.select_sites`); ``candidates``: a site table, or None for the
    village points. Candidate ids that repeat an existing site id get a ``cand:`` prefix.
    ``mode``, ``network``, ``weight``, ``max_snap_m`` (metres) and ``cutoff`` (metres or
    seconds): as :func:`placement_costs`; straight-line metres by default.
    """
    table, xy = _candidate_table(villages, existing, candidates, fix_existing)
    costs = placement_costs(village_points(villages), xy, mode=mode, network=network,
                            weight=weight, max_snap_m=max_snap_m, cutoff=cutoff)
    dem = demand_column(villages, demand).fillna(0.0)
    if costs.mode == "straight":
        return PlacementInput(table, costs.matrix, dem, demand)
    table, matrix, candidate_snap, excluded = _drop_off_network(table, costs)
    demand_snap = costs.demand_snap.set_index(villages.index.rename("VILLCODE"))
    return PlacementInput(table, matrix, dem, demand, costs.unit, costs.mode, costs.weight,
                          demand_snap, candidate_snap, excluded)


def _radius(inp: PlacementInput, radius: float | None, radius_m: float | None):
    if radius_m is None:
        return radius
    if radius is not None:
        raise ValueError("give the radius once: radius (in the costs' unit) or radius_m")
    if inp.unit != "m":
        raise ValueError(f"radius_m is metres but the costs are road travel time "
                         f"({inp.unit}); pass radius in seconds")
    return radius_m


def solve(inp: PlacementInput, *, model: str, radius: float | None = None,
          k: int | None = None, time_limit: float = 60.0, method: str = "exact",
          radius_m: float | None = None) -> PlacementResult:
    """Build and solve ``model`` (mclp | lscp | pmedian) on ``inp``.

    ``radius``: in the unit of ``inp.costs`` (metres, or seconds for travel time);
    ``radius_m``: the same in metres (the older name; metre costs only). LSCP ignores ``k``
    (it chooses the number of sites); ``time_limit`` in seconds.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {list(MODELS)}, got {model!r}")
    cls = MODELS[model]
    fixed = inp.candidates.loc[inp.candidates["fixed"], "id"].tolist()
    common = dict(fixed=fixed, candidate_ids=inp.candidates["id"].tolist(),
                  demand_ids=inp.demand.index.tolist())
    if model != "lscp":
        if k is None:
            raise ValueError(f"{model} needs k, the number of new sites")
        common["k"] = int(k)
    m = cls.from_costs(inp.costs, inp.demand.to_numpy(float),
                       radius=_radius(inp, radius, radius_m), **common)
    return m.solve(time_limit=time_limit, method=method)


def chosen_table(inp: PlacementInput, result: PlacementResult) -> pd.DataFrame:
    """The chosen candidates in candidate order (existing sites first), with ``fixed`` from
    the result and ``new`` (True for a site that does not exist yet, i.e. one to add)."""
    by_id = inp.candidates.set_index("id")
    rows = by_id.loc[list(result.chosen)].reset_index()
    rows["fixed"] = list(result.chosen_fixed)
    rows["new"] = ~rows["existing"].astype(bool)
    return rows
