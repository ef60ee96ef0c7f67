"""The numbers the app shows, obtained from the coverage engine (no Streamlit here).

Every figure comes from a public function of :mod:`coverage`, called the way the
``safetynet coverage`` CLI calls them (cli/cmd_coverage.py), so app and CLI agree; this
module only chooses the inputs (service type, radius, distance mode, demand group) and
bundles the outputs for the pages. Distances in metres (EPSG:3826).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage import metrics
from coverage.config import TypeDefaults, load_defaults
from coverage.engine import coverage_table
from coverage.gaps import uncovered_villages

GROUPS = ("population", "children", "elderly")  # per-group shares shown on the cards
METRICS = ("covered", "nearest_m", "access", "population", "density", "gap")


@dataclass
class TypeResult:
    """One service type's analysis.

    ``villages``: :func:`coverage.engine.coverage_table` (index VILLCODE) plus ``gap`` =
    uncovered demand (:func:`coverage.gaps.uncovered_villages`, 0 where fully covered);
    ``districts``: :func:`coverage.metrics.coverage_summary` over demand + each group
    (per TOWNCODE and "all"); ``city``: :func:`coverage.metrics.city_summary`;
    ``capacity``: :func:`coverage.metrics.capacity_summary` on total population
    (residents per site)."""

    type_id: str
    radius_m: float
    mode: str
    demand: str
    n_sites: int
    villages: pd.DataFrame
    districts: pd.DataFrame
    city: dict
    capacity: pd.DataFrame


@lru_cache(maxsize=1)
def _defaults() -> dict[str, TypeDefaults]:
    return load_defaults()


def default_radius_m(type_id: str) -> float:
    """Default radius of a type (coverage/defaults.toml), metres."""
    return _defaults()[type_id].radius_m


def analyse_type(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, type_id: str, *,
                 radius_m: float, mode: str = "straight", demand: str = "population",
                 include_planned: bool = False, network=None) -> TypeResult:
    """Coverage of one service type (see module docstring). ``sites``: the whole site
    table; the type's open (and, if asked, planned) sites are selected here."""
    d = _defaults()[type_id]
    chosen = metrics.select_sites(sites, type_id, include_planned=include_planned)
    table, _ = coverage_table(villages, chosen, radius_m=radius_m, demand=demand, mode=mode,
                              network=network, **d.decay_options(radius_m))
    gap = uncovered_villages(table)["uncovered_demand"]
    table["gap"] = gap.reindex(table.index).fillna(0.0)
    norm = d.residents_per_capacity if demand == "population" else None
    city = metrics.city_summary(table, chosen, villages, residents_per_capacity=norm)
    groups = ["demand"] + [g for g in GROUPS if g in table and table[g].notna().any()]
    districts = metrics.coverage_summary(table, groups, weight_col="demand")
    capacity = metrics.capacity_summary(villages, chosen, table["population"])
    return TypeResult(type_id, radius_m, mode, demand, len(chosen), table, districts, city,
                      capacity)


def density(villages: gpd.GeoDataFrame) -> pd.Series:
    """Residents per km² (coverage.metrics.density)."""
    return metrics.density(villages)


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
