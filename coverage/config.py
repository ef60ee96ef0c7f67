"""Per-service-type defaults (radius, decay, capacity norm) from ``coverage/defaults.toml``.

The file is the single place the defaults live; every coverage function also takes the
values as arguments. Radii are read in km and returned in metres.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from geo.services import SERVICE_TYPES

DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")


@dataclass(frozen=True)
class TypeDefaults:
    """Defaults of one service type. Distances in metres (EPSG:3826)."""

    type_id: str
    radius_m: float
    rationale: str
    capacity_unit: str = "sites"
    residents_per_capacity: float | None = None  # norm: residents per capacity unit
    decay: str | None = None  # 2SFCA decay: None (classic), "step" or "gaussian"
    sigma_m: float | None = None  # Gaussian decay width
    step_breaks_m: tuple[float, ...] = ()  # step decay thresholds (ascending)
    step_weights: tuple[float, ...] = ()

    def steps(self) -> dict[float, float]:
        """Step decay as {upper distance m: weight} (the PySAL ``access`` step_fn form)."""
        return dict(zip(self.step_breaks_m, self.step_weights))

    def decay_options(self, radius_m: float | None = None, *,
                      decay: str | None = "default") -> dict:
        """Keyword options (decay, sigma_m, steps) for coverage.engine.build_state /
        coverage_table at ``radius_m``: the decay parameters are stored for the default
        radius and scale with the radius asked. ``decay`` overrides the kind ("none" for
        classic 2SFCA); "default" keeps this type's."""
        scale = (radius_m or self.radius_m) / self.radius_m
        kind = self.decay if decay == "default" else (None if decay in (None, "none") else decay)
        return {"decay": kind,
                "sigma_m": self.sigma_m * scale if self.sigma_m else None,
                "steps": {b * scale: w for b, w in self.steps().items()}}


def _num(value: object, where: str, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{where}: expected a number > 0, got {value!r}")
    return float(value)


def _decay_kind(value: object, where: str) -> str | None:
    if value not in ("none", "step", "gaussian"):
        raise ValueError(f"{where}: expected \"none\", \"step\" or \"gaussian\", got {value!r}")
    return None if value == "none" else str(value)


def load_defaults(path: str | Path | None = None) -> dict[str, TypeDefaults]:
    """All service types' defaults, keyed by type id (every id of geo.services.SERVICE_TYPES).

    Errors name the file and the key: unknown type ids, missing radius_km, non-positive
    numbers, step breaks that are not ascending or do not match the weights.
    """
    path = Path(path) if path is not None else DEFAULTS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    decay = data.get("decay", {})
    breaks = [_num(b, f"{path}: decay.step_breaks") for b in decay.get("step_breaks", [1.0])]
    weights = [_num(w, f"{path}: decay.step_weights", positive=False)
               for w in decay.get("step_weights", [1.0])]
    if len(breaks) != len(weights) or breaks != sorted(breaks):
        raise ValueError(f"{path}: decay.step_breaks must be ascending and as long as "
                         f"decay.step_weights, got {breaks} / {weights}")
    sigma_frac = _num(decay.get("gaussian_sigma", 0.5), f"{path}: decay.gaussian_sigma")
    default_kind = _decay_kind(decay.get("default", "none"), f"{path}: decay.default")
    types = data.get("types", {})
    unknown = sorted(set(types) - set(SERVICE_TYPES))
    if unknown:
        raise ValueError(f"{path}: unknown service type(s) {unknown}; valid ids: "
                         + ", ".join(SERVICE_TYPES))
    out: dict[str, TypeDefaults] = {}
    for type_id in SERVICE_TYPES:
        t = types.get(type_id)
        if t is None:
            raise ValueError(f"{path}: no [types.{type_id}] table")
        if "radius_km" not in t:
            raise ValueError(f"{path}: types.{type_id}.radius_km missing")
        radius_m = _num(t["radius_km"], f"{path}: types.{type_id}.radius_km") * 1000.0
        norm = t.get("residents_per_capacity")
        out[type_id] = TypeDefaults(
            type_id=type_id, radius_m=radius_m, rationale=str(t.get("rationale", "")),
            capacity_unit=str(t.get("capacity_unit", "sites")),
            decay=_decay_kind(t["decay"], f"{path}: types.{type_id}.decay") if "decay" in t
            else default_kind,
            residents_per_capacity=None if norm is None else _num(
                norm, f"{path}: types.{type_id}.residents_per_capacity"),
            sigma_m=(_num(t["sigma_km"], f"{path}: types.{type_id}.sigma_km") * 1000.0
                     if "sigma_km" in t else sigma_frac * radius_m),
            step_breaks_m=tuple(b * radius_m for b in breaks),
            step_weights=tuple(weights))
    return out


def type_defaults(type_id: str, *, path: str | Path | None = None) -> TypeDefaults:
    """Defaults of one service type; unknown ids raise KeyError listing the valid ones."""
    defaults = load_defaults(path)
    if type_id not in defaults:
        raise KeyError(f"unknown service type {type_id!r}; valid ids: " + ", ".join(defaults))
    return defaults[type_id]
