"""Placement suggestions for the scenario page (no Streamlit here): MCLP on the village
points with the type's counted sites fixed (:mod:`coverage.placement`), and the add-site
edits that turn a suggestion into a scenario."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from coverage import placement
from coverage.metrics import select_sites
from coverage.scenario import AddSite


@dataclass
class Suggestion:
    """An MCLP suggestion: ``chosen`` (coverage.placement.chosen_table), the solver result
    and its parameters."""

    type_id: str
    k: int
    radius_m: float
    demand: str
    chosen: pd.DataFrame
    result: object


def suggest(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, type_id: str, *, k: int,
            radius_m: float, demand: str, include_planned: bool,
            time_limit: float = 30.0) -> Suggestion:
    """MCLP: ``k`` new sites of ``type_id`` among the village points, the type's counted
    sites in ``sites`` fixed; straight-line distances."""
    existing = select_sites(sites, type_id, include_planned=include_planned)
    inp = placement.placement_input(villages, existing, demand=demand)
    result = placement.solve(inp, model="mclp", radius_m=radius_m, k=k, time_limit=time_limit)
    return Suggestion(type_id, int(k), float(radius_m), demand,
                      placement.chosen_table(inp, result), result)


def suggestion_edits(s: Suggestion, *, name_prefix: str, status: str = "open") -> list[AddSite]:
    """Add-site edits (at the village points) for the new sites of a suggestion."""
    new = s.chosen[s.chosen["new"]]
    return [AddSite(type=s.type_id, name=f"{name_prefix}{r['name']}", village=r["villcode"],
                    status=status) for _, r in new.iterrows()]
