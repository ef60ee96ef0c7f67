"""Scenario versus baseline: what opening, moving or closing sites changes, per service
type — the one answer behind the scenario page, ``safetynet scenario apply`` and the
reports' scenario sheets. Computed with the engine's incremental update
(:mod:`coverage.compare`); radii come from the config unless given."""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd

from analysis.context import AnalysisContext
from analysis.distance_options import resolve_radius
from coverage.compare import TypeComparison, changed_types, compare_type

__all__ = ["ScenarioComparison", "compare_scenario"]


@dataclass
class ScenarioComparison:
    """``types``: per type id the :class:`coverage.compare.TypeComparison` (totals per
    group before/after, villages gained/lost, district shares, districts with a site);
    ``radii_m``: the radius used per type; ``changed``: the types whose counted sites
    differ between the two tables."""

    types: dict[str, TypeComparison]
    radii_m: dict[str, float]
    changed: list[str] = field(default_factory=list)
    include_planned: bool = False
    mode: str = "straight"
    weight: str = "length"


def compare_scenario(ctx: AnalysisContext, before: gpd.GeoDataFrame, after: gpd.GeoDataFrame,
                     *, type_ids: list[str] | None = None,
                     radii_m: dict[str, float] | None = None, include_planned: bool = False,
                     mode: str = "straight", weight: str = "length") -> ScenarioComparison:
    """Compare two site tables (a scenario's baseline and its edited sites) over the
    context's villages. ``type_ids``: default the changed types; ``radii_m``: a radius per
    type in the cost's unit — metres, or seconds with ``weight="travel_time"`` (default:
    the config's)."""
    changed = changed_types(before, after)
    type_ids = changed if type_ids is None else list(type_ids)
    radii = {t: resolve_radius(ctx.config, t, (radii_m or {}).get(t), mode=mode, weight=weight,
                               max_snap_m=500.0)[0] for t in type_ids}
    network = None
    if mode == "network":
        road = ctx.road_network()
        if road is None:
            raise ValueError("mode network needs a road network")
        network = road[0]
    types = {t: compare_type(ctx.villages, before, after, t, radius_m=radii[t],
                             include_planned=include_planned, mode=mode, network=network,
                             weight=weight)
             for t in type_ids}
    return ScenarioComparison(types, radii, changed, include_planned, mode, weight)
