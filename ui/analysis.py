"""The numbers the app shows, obtained from the coverage engine (no Streamlit here).

Every figure comes from a public function of :mod:`coverage`; this module only chooses the
inputs (service type, radius, distance mode, demand group) and bundles the outputs for the
pages. Distances in metres (EPSG:3826).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage import access, metrics
from coverage.distance import distance_matrix

DEMAND_COLUMNS = ["population", "age_0_14", "age_65_plus"]  # total, children, elderly
DEMANDS = {"population": "population", "children": "age_0_14", "elderly": "age_65_plus"}
METRICS = ("covered", "nearest_m", "access", "population", "density", "gap")


@dataclass
class TypeResult:
    """One service type's analysis. ``villages``: index VILLCODE with nearest_site,
    nearest_m, sites_within, covered, access_raw, access (normalised 2SFCA), gap (demand
    not covered); ``districts``: :func:`coverage.metrics.coverage_summary` (per TOWNCODE +
    "all"); ``kpi``: :func:`coverage.metrics.district_kpi`; ``capacity``:
    :func:`coverage.metrics.capacity_summary`."""

    type_id: str
    radius_m: float
    mode: str
    demand: str
    n_sites: int
    villages: pd.DataFrame
    districts: pd.DataFrame
    kpi: dict
    capacity: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def analyse_type(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, type_id: str, *,
                 radius_m: float, mode: str = "straight", demand: str = "population",
                 include_planned: bool = False, network=None) -> TypeResult:
    """Coverage of one service type with the engine's functions (see module docstring)."""
    chosen = metrics.select_sites(sites, type_id, include_planned=include_planned)
    dm = distance_matrix(villages, chosen, mode=mode, network=network,
                         cutoff_m=radius_m * 3 if mode == "network" else None)
    table = metrics.village_coverage(dm, radius_m)
    dem = metrics.demand_column(villages, demand)
    acc = access.two_sfca(dm, dem.to_numpy(), chosen["capacity"].to_numpy(float),
                          radius_m=radius_m)
    table = table.join(acc)
    table["gap"] = dem * (1.0 - table["covered"])  # placeholder until coverage.gaps lands
    full = villages[["TOWNCODE", "district", *DEMAND_COLUMNS]].join(table)
    districts = metrics.coverage_summary(full, DEMAND_COLUMNS,
                                         weight_col=DEMANDS.get(demand, demand))
    kpi = metrics.district_kpi(chosen, villages)
    capacity = metrics.capacity_summary(villages, chosen, dem)
    return TypeResult(type_id, radius_m, mode, demand, len(chosen), table, districts, kpi,
                      capacity)


def density(villages: gpd.GeoDataFrame) -> pd.Series:
    """Residents per km² (area in EPSG:3826 via coverage.hotspots.village_area_km2)."""
    from coverage import hotspots  # esda/libpysal: imported only for this metric

    pop = pd.to_numeric(villages["population"], errors="coerce").astype(float)
    return (pop / hotspots.village_area_km2(villages)).rename("density")


def metric_values(villages: gpd.GeoDataFrame, result: TypeResult | None, metric: str
                  ) -> pd.Series:
    """Per-village values of the chosen map metric (index VILLCODE)."""
    if metric == "population":
        return pd.to_numeric(villages["population"], errors="coerce").astype(float)
    if metric == "density":
        return density(villages)
    if result is None:
        return pd.Series(np.nan, index=villages.index)
    return result.villages[metric].astype(float).reindex(villages.index)
