"""Coverage gaps: uncovered villages, service deserts, per-district demand-supply gap.

Inputs are per-village coverage tables (one per service type) as produced by
:func:`coverage.engine.coverage_table`: index VILLCODE, columns TOWNCODE, district, village,
demand, nearest_m, covered (0/1 in point mode, area share in area-weighted mode).
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.access import supply_values
from coverage.metrics import site_towncodes

_ID_COLS = ["TOWNCODE", "district", "village"]


def uncovered_villages(table: pd.DataFrame, *, demand_col: str = "demand") -> pd.DataFrame:
    """Villages not fully covered, ranked by uncovered demand = demand x (1 - covered),
    largest first (ties: VILLCODE order). Adds ``uncovered_demand`` and ``rank`` (1 = worst)."""
    out = table.copy()
    out["uncovered_demand"] = np.nan_to_num(out[demand_col].to_numpy(float), nan=0.0) * (
        1.0 - out["covered"].to_numpy(float))
    out = out[out["covered"] < 1].sort_index(kind="stable")
    out = out.sort_values("uncovered_demand", ascending=False, kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def service_deserts(tables: dict[str, pd.DataFrame], *,
                    demand_col: str = "demand") -> pd.DataFrame:
    """Villages beyond the radius of EVERY given service type at once (covered == 0 in each
    table; in area-weighted mode: no part of the village within any radius), ranked by
    demand. Columns: TOWNCODE, district, village, demand, ``<type>_nearest_m`` per type."""
    if not tables:
        raise ValueError("service_deserts needs at least one service type")
    first = next(iter(tables.values()))
    desert = np.ones(len(first), dtype=bool)
    out = first[[c for c in _ID_COLS if c in first.columns]].copy()
    out["demand"] = first[demand_col]
    for type_id, t in tables.items():
        if not t.index.equals(first.index):
            raise ValueError(f"coverage table of {type_id} has different villages")
        desert &= t["covered"].to_numpy(float) == 0
        out[f"{type_id}_nearest_m"] = t["nearest_m"]
    out = out[desert].sort_index(kind="stable")
    return out.sort_values("demand", ascending=False, kind="stable")


def demand_supply_gap(villages: gpd.GeoDataFrame, demand: pd.Series,
                      sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per district (TOWNCODE): need share (district demand / city demand) minus capacity
    share (district capacity / city capacity; a site of unknown capacity counts 1, so with
    no capacities this is the share of sites). Positive gap = the district holds more of the
    need than of the supply. Sites count in the district they lie in. Sorted by gap, largest
    first; also demand, sites, capacity, capacity_per_10k (per 10,000 demand)."""
    d = demand.reindex(villages.index).fillna(0.0).astype(float)
    dem = d.groupby(villages["TOWNCODE"]).sum()
    towns = site_towncodes(sites, villages)
    cap = pd.Series(supply_values(sites["capacity"].to_numpy(float)) if len(sites) else [],
                    index=sites.index, dtype=float)
    supply = cap.groupby(towns).sum().reindex(dem.index, fill_value=0.0)
    n_sites = towns.value_counts().reindex(dem.index, fill_value=0)
    names = villages.groupby("TOWNCODE")["district"].first()
    out = pd.DataFrame({"district": names, "demand": dem, "sites": n_sites.astype(int),
                        "capacity": supply})
    out["need_share"] = out["demand"] / dem.sum() if dem.sum() > 0 else np.nan
    total_cap = supply.sum()
    out["capacity_share"] = out["capacity"] / total_cap if total_cap > 0 else 0.0
    out["gap"] = out["need_share"] - out["capacity_share"]
    out["capacity_per_10k"] = np.where(out["demand"] > 0,
                                       out["capacity"] / out["demand"] * 1e4, np.nan)
    return out.sort_values("gap", ascending=False, kind="stable")
