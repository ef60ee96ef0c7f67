"""Placement suggestions for the scenario page (no Streamlit here): MCLP through the one
analysis layer (:func:`analysis.placement.suggest_sites`, as ``safetynet optimize``), and the
add-site edits that turn a suggestion into a scenario."""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from analysis.distance_options import cost_unit
from analysis.placement import PlacementQuery, suggest_sites
from coverage.scenario import AddSite


@dataclass
class Suggestion:
    """An MCLP suggestion: ``chosen`` (new sites first, with village, district and gain),
    the solver result and its parameters. ``radius``: metres, or seconds with road travel
    time (``mode`` / ``weight`` as in :class:`analysis.placement.PlacementQuery`);
    ``notes``: the analysis's cautions (road network partial, candidates off the graph)."""

    type_id: str
    k: int
    radius: float
    demand: str
    chosen: pd.DataFrame
    result: object
    mode: str = "straight"
    weight: str = "length"
    notes: list = field(default_factory=list)

    @property
    def unit(self) -> str:
        """"s" for road travel time, else "m"."""
        return cost_unit(self.mode, self.weight)

    @property
    def distance(self) -> str:
        """straight, network (road km) or network_time (road minutes), as the sidebar's."""
        return "network_time" if self.unit == "s" else self.mode


def suggest(ctx, sites: gpd.GeoDataFrame, type_id: str, *, k: int, radius: float,
            demand: str | None, include_planned: bool, mode: str = "straight",
            weight: str = "length", time_limit: float = 30.0) -> Suggestion:
    """MCLP: ``k`` new sites of ``type_id`` among the village points, the type's counted
    sites in ``sites`` fixed; ``radius`` in metres, or seconds with ``mode="network"`` and
    ``weight="travel_time"``. ``ctx``: the analysis context."""
    summary = suggest_sites(ctx.with_sites(sites), PlacementQuery(
        type_id, model="mclp", k=k, radius=radius, demand=demand,
        include_planned=include_planned, time_limit_s=time_limit, mode=mode, weight=weight))
    q = summary.query
    return Suggestion(type_id, int(k), float(q.radius),
                      demand or ctx.config.type(q.type_id).target, summary.chosen,
                      summary.result, mode=q.mode, weight=q.weight, notes=list(summary.notes))


def suggestion_edits(s: Suggestion, *, name_prefix: str, status: str = "open") -> list[AddSite]:
    """Add-site edits (at the village points) for the new sites of a suggestion."""
    new = s.chosen[s.chosen["new"]]
    return [AddSite(type=s.type_id, name=f"{name_prefix}{r['name']}", village=r["villcode"],
                    status=status) for _, r in new.iterrows()]
