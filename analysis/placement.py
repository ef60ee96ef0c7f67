"""Placement suggestions (MCLP, LSCP, p-median) for a service type — the one answer behind
``safetynet optimize``, the scenario page's suggestions and the reports. Candidates are the
village demand points unless a candidate list is given; the type's counted sites are fixed
unless told otherwise. Each suggested site comes with its village, district and its own
gain: the demand it alone covers among the chosen sites (MCLP / LSCP), or the increase in
demand-weighted distance without it (p-median)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.context import AnalysisContext
from analysis.demand import resolve_demand
from analysis.notes import Note
from analysis.sites import counted_sites
from analysis.distance_options import cost_unit, resolve_radius
from common.checks import choice, int_in_range, positive_number
from coverage import placement
from geo.services import resolve_service_type

__all__ = ["PlacementQuery", "PlacementSummary", "suggest_sites", "MODELS"]

MODELS = ("mclp", "lscp", "pmedian")


@dataclass(frozen=True)
class PlacementQuery:
    """``k``: new sites (MCLP, p-median; LSCP chooses its own number); ``radius``: metres, or
    seconds with road travel time (None = the type's default); ``demand``: group / column
    (None = the type's target); ``mode`` / ``weight``: straight line, or road length /
    travel time (candidates and demand points snapped to the graph, never beyond
    ``max_snap_m``)."""

    type_id: str
    model: str = "mclp"
    k: int | None = None
    radius: float | None = None
    demand: str | None = None
    include_planned: bool = False
    fix_existing: bool = True
    time_limit_s: float = 60.0
    method: str = "exact"
    mode: str = "straight"
    weight: str = "length"
    max_snap_m: float = 500.0

    @property
    def unit(self) -> str:
        """"s" for road travel time, else "m"."""
        return cost_unit(self.mode, self.weight)


@dataclass
class PlacementSummary:
    """``chosen``: the chosen sites, new ones first (id, name, lon, lat, villcode, village,
    district, existing, fixed, new, gain); ``result``: the solver's PlacementResult;
    ``covered_existing``: demand within the radius of the existing sites alone."""

    query: PlacementQuery
    demand_column: str
    chosen: pd.DataFrame
    result: object
    existing_sites: int
    covered_existing: float
    candidates_total: int
    notes: list[Note] = field(default_factory=list)

    @property
    def new_sites(self) -> pd.DataFrame:
        """The suggested new sites only."""
        return self.chosen[self.chosen["new"]]


def _resolve(ctx: AnalysisContext, q: PlacementQuery) -> PlacementQuery:
    type_id = resolve_service_type(q.type_id, name="type")
    model = choice(q.model, "model", MODELS)
    if model == "lscp" and q.k is not None:
        raise ValueError("k: does not apply to lscp (it chooses the number of sites)")
    k = None if model == "lscp" else int_in_range(q.k, "k", minimum=0, maximum=10_000)
    radius, snap = resolve_radius(ctx.config, type_id, q.radius, mode=q.mode, weight=q.weight,
                                  max_snap_m=q.max_snap_m)
    limit = positive_number(q.time_limit_s, "time_limit", unit="seconds", maximum=86_400.0)
    return replace(q, type_id=type_id, model=model, k=k, radius=float(radius),
                   time_limit_s=limit, method=choice(q.method, "method", ("exact", "greedy")),
                   max_snap_m=snap)


def _gains(inp, chosen_ids: list[str], model: str, radius: float) -> dict[str, float]:
    """Per chosen candidate: covered demand lost (MCLP/LSCP) or weighted cost added
    (p-median) if it alone were left out of the chosen set."""
    ids = inp.candidates["id"].tolist()
    cols = [ids.index(c) for c in chosen_ids]
    costs = inp.costs[:, cols]
    w = inp.demand.to_numpy(float)
    gains = {}
    for j, cid in enumerate(chosen_ids):
        rest = np.delete(costs, j, axis=1)
        if model == "pmedian":
            def total(c):
                best = c.min(axis=1) if c.shape[1] else np.full(len(w), np.inf)
                return float((w * np.where(np.isfinite(best), best, 0.0)).sum())
            gains[cid] = total(rest) - total(costs)
        else:
            full = (costs <= radius).any(axis=1)
            part = (rest <= radius).any(axis=1) if rest.shape[1] else np.zeros(len(w), bool)
            gains[cid] = float(w[full & ~part].sum())
    return gains


def suggest_sites(ctx: AnalysisContext, query: PlacementQuery, *,
                  candidates: gpd.GeoDataFrame | None = None) -> PlacementSummary:
    """Solve the query's model over the context (straight-line distances, EPSG:3826).
    ``candidates``: a site table of candidate locations (default: every village's demand
    point)."""
    q = _resolve(ctx, query)
    existing, notes = counted_sites(ctx.sites, q.type_id, include_planned=q.include_planned)
    demand = resolve_demand(ctx.villages, q.demand, ctx.config, type_id=q.type_id)
    notes += list(demand.notes)
    network = None
    if q.mode == "network":
        road = ctx.road_network()
        if road is None:
            raise ValueError("mode network needs a road network")
        network = road[0]
        if road[1].partial:
            notes.append(Note("note.road_partial", {"covers": road[1].covers}, "warning"))
    inp = placement.placement_input(ctx.villages, existing, demand=demand.column,
                                    candidates=candidates, fix_existing=q.fix_existing,
                                    mode=q.mode, network=network, weight=q.weight,
                                    max_snap_m=q.max_snap_m)
    result = placement.solve(inp, model=q.model, radius=q.radius, k=q.k,
                             time_limit=q.time_limit_s, method=q.method)
    if len(inp.excluded_candidates):
        notes.append(Note("note.candidates_off_graph", {"n": len(inp.excluded_candidates),
                                                        "max_snap_m": q.max_snap_m}, "warning"))
    chosen = placement.chosen_table(inp, result)
    gains = _gains(inp, chosen["id"].tolist(), q.model, q.radius)
    chosen["gain"] = chosen["id"].map(gains).astype(float)
    chosen = pd.concat([chosen[chosen["new"]].sort_values("gain", ascending=False),
                        chosen[~chosen["new"]]], ignore_index=True)
    within = inp.costs[:, inp.candidates["existing"].to_numpy()] <= q.radius
    covered_existing = float(inp.demand.to_numpy(float)[within.any(axis=1)].sum())
    return PlacementSummary(q, demand.column, chosen, result, int(len(existing)),
                            covered_existing, int(len(inp.candidates)), notes)
