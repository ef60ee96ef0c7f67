"""Coverage of one service type: the per-village table, the district table, the city KPIs,
the gap ranking and the 2SFCA access index — the one answer the app, the CLI and the reports
show. Also service deserts over several types and the access profile (share of the demand
within 0 … N km / minutes of the nearest site).

Distances are metres (straight line in EPSG:3826, or road length); with road travel time the
costs and radii are seconds. Everything is computed by :mod:`coverage`; this module chooses
the inputs from the context and the config and bundles the outputs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.context import AnalysisContext, RoadSource
from analysis.demand import resolve_demand
from analysis.notes import Note
from analysis.sites import counted_sites
from analysis.distance_options import MODES, WEIGHTS, cost_unit, resolve_radius
from coverage.distance import distances_xy, site_points, village_points
from coverage.engine import coverage_table
from coverage.gaps import demand_supply_gap, service_deserts, uncovered_villages
from coverage.metrics import city_summary, coverage_summary, weighted_percentile
from geo.services import resolve_service_type

__all__ = ["CoverageQuery", "CoverageResult", "analyse_coverage", "resolve_query",
           "service_deserts_of", "access_profile", "GROUP_COLUMNS", "MODES", "WEIGHTS"]

GROUP_COLUMNS = ("population", "children", "elderly")  # per-group shares in every table


@dataclass(frozen=True)
class CoverageQuery:
    """One coverage question. ``radius``: metres (straight line, road length) or seconds
    (road travel time); None = the type's default. ``demand``: a demand group / column, or
    None for the type's target group. ``decay``: 2SFCA decay ("default" = the type's)."""

    type_id: str
    radius: float | None = None
    mode: str = "straight"
    weight: str = "length"
    demand: str | None = None
    include_planned: bool = False
    decay: str | None = "default"
    area_weighted: bool = False
    max_snap_m: float = 500.0

    @property
    def unit(self) -> str:
        """"s" for road travel time, else "m"."""
        return cost_unit(self.mode, self.weight)


@dataclass
class CoverageResult:
    """The answer for one type. ``villages``: index VILLCODE (the engine's per-village table:
    TOWNCODE, district, village, population, demand, nearest_site, nearest_m (cost in the
    query's unit, inf = none reachable), sites_within, covered, access_raw, access, group
    columns, uncovered_demand, gap_rank, and in road mode snap_m, snapped, road_m (shortest
    road distance to any counted site, m) and road_min (shortest travel time, minutes); with
    travel time the cost is ``nearest_min`` (minutes to the nearest site by time) and
    ``nearest_m`` the shortest road distance); ``districts``: index TOWNCODE, the 13 districts
    only (coverage of demand and of each group, weighted median / p90, sites, capacity,
    need and capacity shares, supply_gap); ``city_row``: the district table's city row
    ("all"), pinned apart; ``city``: the city KPIs and group shares as a dict;
    ``gaps``: villages not fully covered, worst first; ``sites``: the sites counted."""

    query: CoverageQuery
    demand_column: str
    sites: gpd.GeoDataFrame
    villages: pd.DataFrame
    districts: pd.DataFrame
    city: dict
    gaps: pd.DataFrame
    city_row: pd.Series = field(default_factory=pd.Series)
    notes: list[Note] = field(default_factory=list)
    road: RoadSource | None = None

    def top_gaps(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` villages with the most uncovered demand (rank 1 = worst)."""
        return self.gaps.head(n)


def resolve_query(ctx: AnalysisContext, query: CoverageQuery) -> CoverageQuery:
    """The query with its type resolved, its radius filled from the config and every
    argument checked (ValueError naming the argument, value and what was expected)."""
    type_id = resolve_service_type(query.type_id, name="type")
    if query.area_weighted and query.mode != "straight":
        raise ValueError("area-weighted coverage works with straight-line distances only "
                         "(mode straight)")
    radius, snap = resolve_radius(ctx.config, type_id, query.radius, mode=query.mode,
                                  weight=query.weight, max_snap_m=query.max_snap_m)
    if query.decay not in ("default", None, "none", "step", "gaussian"):
        raise ValueError(f"decay: expected default, none, step or gaussian, got {query.decay!r}")
    return replace(query, type_id=type_id, radius=float(radius), max_snap_m=snap)


def _network(ctx: AnalysisContext, q: CoverageQuery) -> tuple[object, RoadSource, list[Note]]:
    road = ctx.road_network()
    if road is None:
        raise ValueError("mode network needs a road network: none was found in the data "
                         "directory (see `safetynet roads`)")
    network, source = road
    notes = []
    if source.partial:
        notes.append(Note("note.road_partial", {"covers": source.covers}, "warning"))
    return network, source, notes


def _road_nearest(ctx: AnalysisContext, sites: gpd.GeoDataFrame, network, max_snap_m: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per village: shortest road distance (m) and shortest travel time (min) to any counted
    site, each over the whole network (no cut-off); inf where none is reachable."""
    n = len(ctx.villages)
    if len(sites) == 0:
        return np.full(n, np.inf), np.full(n, np.inf)
    origins, dest = village_points(ctx.villages), site_points(sites)
    out = []
    for weight in ("length", "travel_time"):
        mat, _, _ = distances_xy(origins, dest, mode="network", network=network,
                                 max_snap_m=max_snap_m, weight=weight)
        out.append(mat.min(axis=1))
    return out[0], out[1] / 60.0


def _district_table(table: pd.DataFrame, ctx: AnalysisContext, sites: gpd.GeoDataFrame
                    ) -> pd.DataFrame:
    groups = ["demand"] + [g for g in GROUP_COLUMNS if g in table and table[g].notna().any()]
    summary = coverage_summary(table, groups, weight_col="demand")
    supply = demand_supply_gap(ctx.villages, table["demand"], sites)
    supply = supply[["sites", "capacity", "need_share", "capacity_share", "gap",
                     "capacity_per_10k"]].rename(columns={"gap": "supply_gap"})
    out = summary.join(supply)
    out["demand_uncovered"] = out["demand_total"] - out["demand_covered"]
    return out


def _farthest_names(off: pd.DataFrame, villages: pd.DataFrame, n: int = 10) -> dict:
    """The villages off the graph, farthest first (at most ``n``), as "district village
    612 m" in zh-TW (``names``) and English (``names_en``)."""
    far = off.sort_values("snap_m", ascending=False).head(n)
    more = "…" if len(off) > n else ""
    out = {}
    for key, (d, v), sep in (("names", ("district", "village"), "、"),
                             ("names_en", ("district_en", "village_en"), ", ")):
        cols = villages.reindex(far.index)
        dist = cols[d] if d in cols else far["district"]
        vill = cols[v] if v in cols else far["village"]
        out[key] = sep.join(f"{a} {b} {m:,.0f} m" for a, b, m in
                            zip(dist, vill, far["snap_m"])) + more
    return out


def analyse_coverage(ctx: AnalysisContext, query: CoverageQuery, *,
                     demand_values: pd.Series | None = None) -> CoverageResult:
    """Coverage of ``query.type_id`` over the context's villages and sites.

    ``demand_values``: a planner's own demand per VILLCODE (wins over ``query.demand``).

    Examples
    --------
    >>> r = analyse_coverage(ctx, CoverageQuery("family_service_centre"))  # doctest: +SKIP
    >>> r.city["demand_share"]                                              # doctest: +SKIP
    """
    q = resolve_query(ctx, query)
    cfg = ctx.config
    defaults = cfg.type(q.type_id)
    sites, notes = counted_sites(ctx.sites, q.type_id, include_planned=q.include_planned)
    demand = resolve_demand(ctx.villages, demand_values if demand_values is not None
                            else q.demand, cfg, type_id=q.type_id)
    notes += list(demand.notes)
    network = source = None
    if q.mode == "network":
        network, source, road_notes = _network(ctx, q)
        notes += road_notes
    decay = defaults.decay_options(q.radius, decay=q.decay,
                                   unit_radius=defaults.radius_s if q.unit == "s" else None)
    table, _ = coverage_table(ctx.villages, sites, radius_m=q.radius, demand=demand.values,
                              mode=q.mode, network=network, area_weighted=q.area_weighted,
                              max_snap_m=q.max_snap_m, weight=q.weight, **decay)
    if q.mode == "network":
        table["road_m"], table["road_min"] = _road_nearest(ctx, sites, network, q.max_snap_m)
    if q.unit == "s":  # travel time: costs in minutes; nearest_m keeps its meaning (metres)
        table.insert(table.columns.get_loc("nearest_m") + 1, "nearest_min",
                     table["nearest_m"] / 60.0)
        table["nearest_m"] = table["road_m"]
    ranking = uncovered_villages(table)
    table["uncovered_demand"] = ranking["uncovered_demand"].reindex(table.index, fill_value=0.0)
    table["gap_rank"] = ranking["rank"].reindex(table.index).astype("Int64")
    norm = defaults.residents_per_capacity if demand.column == "population" else None
    city = city_summary(table, sites, ctx.villages, residents_per_capacity=norm)
    if q.unit == "s":
        weights = table["demand"].fillna(0.0)
        city["median_min"] = weighted_percentile(table["nearest_min"], weights, 0.5)
        city["p90_min"] = weighted_percentile(table["nearest_min"], weights, 0.9)
    districts = _district_table(table, ctx, sites)
    all_row = districts.loc["all"]
    city.update({k: float(v) for k, v in all_row.items()
                 if k.split("_")[0] in GROUP_COLUMNS and isinstance(v, (int, float))})
    if q.mode == "network":
        off = table[~table["snapped"]]
        city["villages_off_graph"] = int(len(off))
        city["demand_off_graph"] = float(off["demand"].fillna(0).sum())
        city["villages_unreachable"] = int((~np.isfinite(table["nearest_m"])).sum())
        if len(off):
            notes.append(Note("note.villages_off_graph",
                              {"n": len(off), "demand": city["demand_off_graph"],
                               "max_snap_m": q.max_snap_m,
                               **_farthest_names(off, ctx.villages)}, "warning"))
    if len(sites) == 0:
        notes.append(Note("note.no_sites", {"type": q.type_id}, "warning"))
    return CoverageResult(q, demand.column, sites, table, districts.drop(index="all"), city,
                          ranking, all_row, notes, source)


def service_deserts_of(results: dict[str, CoverageResult]) -> pd.DataFrame:
    """Villages beyond the radius of every given type at once, most demand first
    (:func:`coverage.gaps.service_deserts`); demand is the first result's."""
    return service_deserts({t: r.villages for t, r in results.items()})


def access_profile(result: CoverageResult, *, upper: float | None = None, steps: int = 40,
                   thresholds: np.ndarray | None = None) -> pd.DataFrame:
    """Share of the demand whose nearest counted site is within each cost threshold, in the
    query's unit (metres, or seconds for travel time): columns ``threshold``, ``share``
    (0..1, of all demand, unreachable included). Thresholds: ``thresholds`` if given, else
    ``steps`` + 1 even steps over 0 … ``upper`` (default three times the radius); the radius
    in use (``result.query.radius``) is always one of them."""
    if thresholds is None:
        upper = 3.0 * result.query.radius if upper is None else float(upper)
        thresholds = np.linspace(0.0, upper, steps + 1)
    thresholds = np.union1d(np.asarray(thresholds, dtype=float), [result.query.radius])
    d = np.nan_to_num(result.villages["demand"].to_numpy(float), nan=0.0)
    cost = (result.villages["nearest_min"].to_numpy(float) * 60.0 if result.query.unit == "s"
            else result.villages["nearest_m"].to_numpy(float))
    covered = result.villages["covered"].to_numpy(float)
    total = d.sum()
    if result.query.area_weighted:  # shares of area within the radius are not a distance
        shares = [float((d * covered).sum() / total) if total else math.nan] * len(thresholds)
    else:
        shares = [float(d[cost <= x].sum() / total) if total else math.nan for x in thresholds]
    return pd.DataFrame({"threshold": thresholds, "share": shares})


def median_cost(result: CoverageResult) -> float:
    """Demand-weighted median cost to the nearest site (query's unit)."""
    return weighted_percentile(result.villages["nearest_m"], result.villages["demand"], 0.5)
