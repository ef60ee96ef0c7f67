"""The distance options every question shares: straight line or road network, road length
(metres) or travel time (seconds), the radius in that unit and the snap threshold — checked
once, the same way for coverage, scenarios and placement."""
from __future__ import annotations

from analysis.config import AnalysisConfig
from common.checks import choice, positive_number

__all__ = ["MODES", "WEIGHTS", "cost_unit", "resolve_radius", "MAX_RADIUS_M", "MAX_RADIUS_S"]

MODES = ("straight", "network")
WEIGHTS = ("length", "travel_time")
MAX_RADIUS_M = 200_000.0  # absurd beyond this: the city is about 60 km across
MAX_RADIUS_S = 6 * 3600.0
MAX_SNAP_M = 50_000.0


def cost_unit(mode: str, weight: str) -> str:
    """"s" for road travel time, else "m" (straight line or road length)."""
    return "s" if mode == "network" and weight == "travel_time" else "m"


def resolve_radius(cfg: AnalysisConfig, type_id: str, radius: float | None, *, mode: str,
                   weight: str, max_snap_m: float) -> tuple[float, float]:
    """(radius in the cost's unit, snap threshold in metres): the type's default radius
    when ``radius`` is None; every value checked (ValueError naming the argument)."""
    choice(mode, "mode", MODES)
    choice(weight, "weight", WEIGHTS)
    timed = cost_unit(mode, weight) == "s"
    defaults = cfg.type(type_id)
    if radius is None:
        value = defaults.radius_s if timed else defaults.radius_m
    else:
        value = positive_number(radius, "radius", unit="seconds" if timed else "metres",
                                maximum=MAX_RADIUS_S if timed else MAX_RADIUS_M)
    snap = positive_number(max_snap_m, "max_snap_m", unit="metres", maximum=MAX_SNAP_M)
    return float(value), snap
