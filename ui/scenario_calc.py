"""Placement suggestions for the scenario page (no Streamlit here): MCLP through the one
analysis layer (:func:`analysis.placement.suggest_sites`, as ``safetynet optimize``), and the
add-site edits that turn a suggestion into a scenario."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from analysis.placement import PlacementQuery, suggest_sites
from coverage.scenario import AddSite


@dataclass
class Suggestion:
    """An MCLP suggestion: ``chosen`` (new sites first, with village, district and gain),
    the solver result and its parameters."""

    type_id: str
    k: int
    radius_m: float
    demand: str
    chosen: pd.DataFrame
    result: object


def suggest(ctx, sites: gpd.GeoDataFrame, type_id: str, *, k: int, radius_m: float,
            demand: str | None, include_planned: bool, time_limit: float = 30.0) -> Suggestion:
    """MCLP: ``k`` new sites of ``type_id`` among the village points, the type's counted
    sites in ``sites`` fixed; straight-line distances. ``ctx``: the analysis context."""
    summary = suggest_sites(ctx.with_sites(sites), PlacementQuery(
        type_id, model="mclp", k=k, radius=radius_m, demand=demand,
        include_planned=include_planned, time_limit_s=time_limit))
    return Suggestion(type_id, int(k), float(radius_m),
                      demand or ctx.config.type(summary.query.type_id).target, summary.chosen,
                      summary.result)


def suggestion_edits(s: Suggestion, *, name_prefix: str, status: str = "open") -> list[AddSite]:
    """Add-site edits (at the village points) for the new sites of a suggestion."""
    new = s.chosen[s.chosen["new"]]
    return [AddSite(type=s.type_id, name=f"{name_prefix}{r['name']}", village=r["villcode"],
                    status=status) for _, r in new.iterrows()]
