"""Placement suggestions on the city's data: build the inputs of :mod:`coverage.optimize`
(candidates, cost matrix, demand) from villages and site tables, solve, and describe the
chosen sites. Used by ``safetynet optimize`` and the app's scenario page.

Demand points are the villages' point_on_surface (EPSG:3826, as everywhere in coverage).
Candidates, in this order: the service type's existing sites (fixed = always open, unless
``fix_existing=False``: then they are ordinary candidates), followed by either every
village point (candidate id = VILLCODE) or a user's site list (e.g. social-housing
sites). Costs are straight-line metres in EPSG:3826. ``k`` counts NEW sites.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import MAP_CRS, METRIC_CRS

from coverage.distance import site_points, straight_distances, village_points
from coverage.metrics import demand_column
from coverage.optimize import MODELS, PlacementResult

CANDIDATE_COLUMNS = ["id", "name", "lon", "lat", "villcode", "village", "district",
                     "existing", "fixed"]


@dataclass
class PlacementInput:
    """``candidates``: one row per candidate (columns CANDIDATE_COLUMNS, lon/lat EPSG:4326;
    villcode/village/district of the village the point lies in); ``costs``: (n_villages,
    n_candidates) metres; ``demand``: float per village (NaN as 0), index VILLCODE."""

    candidates: pd.DataFrame
    costs: np.ndarray
    demand: pd.Series
    demand_name: str


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
    """Every village's point as a candidate (id = VILLCODE, name = district + village) and
    its EPSG:3826 x/y (identical to the demand points, so the cost to itself is 0)."""
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


def placement_input(villages: gpd.GeoDataFrame, existing: gpd.GeoDataFrame, *,
                    demand: str = "population", candidates: gpd.GeoDataFrame | None = None,
                    fix_existing: bool = True) -> PlacementInput:
    """Inputs for :mod:`coverage.optimize` (see the module docstring).

    ``existing``: the type's sites that count now (already selected, e.g. by
    :func:`coverage.metrics.select_sites`); ``candidates``: a site table, or None for the
    village points. Candidate ids that repeat an existing site id get a ``cand:`` prefix.
    """
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
    xy = np.vstack([ex_xy, new_xy])
    costs = straight_distances(village_points(villages), xy)
    dem = demand_column(villages, demand).fillna(0.0)
    return PlacementInput(table.reset_index(drop=True), costs, dem, demand)


def solve(inp: PlacementInput, *, model: str, radius_m: float | None, k: int | None = None,
          time_limit: float = 60.0, method: str = "exact") -> PlacementResult:
    """Build and solve ``model`` (mclp | lscp | pmedian) on ``inp``; radius in metres.
    LSCP ignores ``k`` (it chooses the number of sites)."""
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
    m = cls.from_costs(inp.costs, inp.demand.to_numpy(float), radius=radius_m, **common)
    return m.solve(time_limit=time_limit, method=method)


def chosen_table(inp: PlacementInput, result: PlacementResult) -> pd.DataFrame:
    """The chosen candidates in candidate order (existing sites first), with ``fixed`` from
    the result and ``new`` (True for a site that does not exist yet, i.e. one to add)."""
    by_id = inp.candidates.set_index("id")
    rows = by_id.loc[list(result.chosen)].reset_index()
    rows["fixed"] = list(result.chosen_fixed)
    rows["new"] = ~rows["existing"].astype(bool)
    return rows
