"""The analysis defaults from ``analysis/defaults.toml``: one place for every default the
app, the CLI and the reports use (radii, decay, target populations, demand groups, hotspot
settings, how missing values count).

Radii are read in km (and minutes) and returned in metres (and seconds). Errors name the file
and the key. :func:`load_config` reads a file; :func:`config` is the cached default.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from geo.services import SERVICE_TYPES

__all__ = ["AnalysisConfig", "HotspotDefaults", "TypeDefaults", "DEFAULTS_FILE", "config",
           "load_config", "load_defaults", "type_defaults", "bin_of_alpha"]

DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")
_DECAYS = ("none", "step", "gaussian")


@dataclass(frozen=True)
class TypeDefaults:
    """Defaults of one service type. Distances in metres (EPSG:3826), times in seconds."""

    type_id: str
    radius_m: float
    rationale: str
    radius_s: float = math.nan  # travel-time radius (road minutes x 60)
    target: str = "population"  # demand group of the type's target population
    target_rationale: str = ""
    capacity_unit: str = "sites"
    residents_per_capacity: float | None = None  # norm: residents per capacity unit
    decay: str | None = None  # 2SFCA decay: None (classic), "step" or "gaussian"
    sigma_m: float | None = None  # Gaussian decay width at radius_m
    step_breaks_m: tuple[float, ...] = ()  # step decay thresholds (ascending) at radius_m
    step_weights: tuple[float, ...] = ()

    def steps(self) -> dict[float, float]:
        """Step decay as {upper distance m: weight} (the PySAL ``access`` step_fn form)."""
        return dict(zip(self.step_breaks_m, self.step_weights))

    def decay_options(self, radius: float | None = None, *, decay: str | None = "default",
                      unit_radius: float | None = None) -> dict:
        """Keyword options (decay, sigma_m, steps) for :func:`coverage.engine.build_state` at
        ``radius`` (in the cost's unit: metres, or seconds with ``unit_radius`` the type's
        time radius): the decay parameters are stored for the default radius and scale with
        the radius asked. ``decay`` overrides the kind ("none" for classic 2SFCA);
        "default" keeps this type's."""
        base = unit_radius if unit_radius is not None else self.radius_m
        scale = (radius or base) / self.radius_m
        kind = self.decay if decay == "default" else (None if decay in (None, "none") else decay)
        return {"decay": kind,
                "sigma_m": self.sigma_m * scale if self.sigma_m else None,
                "steps": {b * scale: w for b, w in self.steps().items()}}


@dataclass(frozen=True)
class HotspotDefaults:
    """Hotspot settings (see the [hotspots] table of defaults.toml)."""

    indicator: str = "children_density"
    method: str = "gi"
    weights: str = "queen"
    distance_threshold_m: float = 3000.0
    permutations: int = 999
    fdr_permutations: int = 9999
    seed: int = 12345
    alpha: float = 0.05
    fdr: bool = False

    def permutations_for(self, fdr: bool) -> int:
        """Permutations used with or without FDR."""
        return self.fdr_permutations if fdr else self.permutations


@dataclass(frozen=True)
class AnalysisConfig:
    """Everything in defaults.toml: per-type defaults, demand groups, hotspot defaults, the
    missing-value rule and the minutes-per-km used for default travel-time radii."""

    types: dict[str, TypeDefaults]
    demand_groups: dict[str, tuple[str, ...]]
    hotspots: HotspotDefaults
    missing_demand: str = "zero"
    minutes_per_km: float = 2.0
    path: Path = field(default=DEFAULTS_FILE, compare=False)

    def type(self, type_id: str) -> TypeDefaults:
        """Defaults of one service type; unknown ids raise ValueError listing the valid ones."""
        if type_id not in self.types:
            raise ValueError(f"unknown service type {type_id!r}; valid ids: "
                             + ", ".join(self.types))
        return self.types[type_id]


def bin_of_alpha(alpha: float) -> int:
    """The Gi* bin that a significance level stands for (0.1 -> 1, 0.05 -> 2, 0.01 -> 3):
    villages with |bin| >= it merge into hot (cold) regions."""
    for level, b in ((0.01, 3), (0.05, 2), (0.1, 1)):
        if alpha <= level + 1e-12:
            return b
    raise ValueError(f"alpha: expected 0.1, 0.05 or 0.01 (or smaller), got {alpha!r}")


def _num(value: object, where: str, *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{where}: expected a number > 0, got {value!r}")
    return float(value)


def _decay_kind(value: object, where: str) -> str | None:
    if value not in _DECAYS:
        raise ValueError(f"{where}: expected \"none\", \"step\" or \"gaussian\", got {value!r}")
    return None if value == "none" else str(value)


def _decay_table(decay: dict, path: Path) -> tuple[list[float], list[float], float, str | None]:
    breaks = [_num(b, f"{path}: decay.step_breaks") for b in decay.get("step_breaks", [1.0])]
    weights = [_num(w, f"{path}: decay.step_weights", positive=False)
               for w in decay.get("step_weights", [1.0])]
    if len(breaks) != len(weights) or breaks != sorted(breaks):
        raise ValueError(f"{path}: decay.step_breaks must be ascending and as long as "
                         f"decay.step_weights, got {breaks} / {weights}")
    sigma_frac = _num(decay.get("gaussian_sigma", 0.5), f"{path}: decay.gaussian_sigma")
    return breaks, weights, sigma_frac, _decay_kind(decay.get("default", "none"),
                                                    f"{path}: decay.default")


def _type_defaults(type_id: str, t: dict, path: Path, decay: tuple, minutes_per_km: float,
                   groups: dict) -> TypeDefaults:
    breaks, weights, sigma_frac, default_kind = decay
    where = f"{path}: types.{type_id}"
    if "radius_km" not in t:
        raise ValueError(f"{where}.radius_km missing")
    radius_m = _num(t["radius_km"], f"{where}.radius_km") * 1000.0
    minutes = (_num(t["radius_min"], f"{where}.radius_min") if "radius_min" in t
               else radius_m / 1000.0 * minutes_per_km)
    target = str(t.get("target", "population"))
    if target not in groups:
        raise ValueError(f"{where}.target: expected one of {', '.join(groups)}, got {target!r}")
    norm = t.get("residents_per_capacity")
    return TypeDefaults(
        type_id=type_id, radius_m=radius_m, rationale=str(t.get("rationale", "")),
        radius_s=minutes * 60.0, target=target,
        target_rationale=str(t.get("target_rationale", "")),
        capacity_unit=str(t.get("capacity_unit", "sites")),
        decay=_decay_kind(t["decay"], f"{where}.decay") if "decay" in t else default_kind,
        residents_per_capacity=None if norm is None else _num(
            norm, f"{where}.residents_per_capacity"),
        sigma_m=(_num(t["sigma_km"], f"{where}.sigma_km") * 1000.0
                 if "sigma_km" in t else sigma_frac * radius_m),
        step_breaks_m=tuple(b * radius_m for b in breaks), step_weights=tuple(weights))


def _hotspot_defaults(h: dict, path: Path) -> HotspotDefaults:
    where = f"{path}: hotspots"
    method, weights = h.get("method", "gi"), h.get("weights", "queen")
    if method not in ("gi", "lisa"):
        raise ValueError(f"{where}.method: expected gi or lisa, got {method!r}")
    if weights not in ("queen", "distance"):
        raise ValueError(f"{where}.weights: expected queen or distance, got {weights!r}")
    out = HotspotDefaults(
        indicator=str(h.get("indicator", "children_density")), method=method, weights=weights,
        distance_threshold_m=_num(h.get("distance_threshold_km", 3.0),
                                  f"{where}.distance_threshold_km") * 1000.0,
        permutations=int(_num(h.get("permutations", 999), f"{where}.permutations")),
        fdr_permutations=int(_num(h.get("fdr_permutations", 9999), f"{where}.fdr_permutations")),
        seed=int(_num(h.get("seed", 12345), f"{where}.seed", positive=False)),
        alpha=_num(h.get("alpha", 0.05), f"{where}.alpha"), fdr=bool(h.get("fdr", False)))
    bin_of_alpha(out.alpha)  # validates alpha
    return out


def load_config(path: str | Path | None = None) -> AnalysisConfig:
    """Read every default from ``path`` (default: analysis/defaults.toml). Errors name the
    file and the key: unknown type ids, missing radius_km, non-positive numbers, step
    breaks that are not ascending or do not match the weights, unknown target groups."""
    path = Path(path) if path is not None else DEFAULTS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    decay = _decay_table(data.get("decay", {}), path)
    minutes_per_km = _num(data.get("travel_time", {}).get("minutes_per_km", 2.0),
                          f"{path}: travel_time.minutes_per_km")
    groups = {str(k): tuple(str(c) for c in v)
              for k, v in data.get("demand_groups", {"population": ["population"]}).items()}
    types = data.get("types", {})
    unknown = sorted(set(types) - set(SERVICE_TYPES))
    if unknown:
        raise ValueError(f"{path}: unknown service type(s) {unknown}; valid ids: "
                         + ", ".join(SERVICE_TYPES))
    out: dict[str, TypeDefaults] = {}
    for type_id in SERVICE_TYPES:
        if type_id not in types:
            raise ValueError(f"{path}: no [types.{type_id}] table")
        out[type_id] = _type_defaults(type_id, types[type_id], path, decay, minutes_per_km,
                                      groups)
    missing = data.get("missing", {}).get("demand", "zero")
    if missing != "zero":
        raise ValueError(f"{path}: missing.demand: expected \"zero\", got {missing!r}")
    return AnalysisConfig(types=out, demand_groups=groups,
                          hotspots=_hotspot_defaults(data.get("hotspots", {}), path),
                          missing_demand=missing, minutes_per_km=minutes_per_km, path=path)


@lru_cache(maxsize=1)
def config() -> AnalysisConfig:
    """The default configuration (analysis/defaults.toml), read once."""
    return load_config()


def load_defaults(path: str | Path | None = None) -> dict[str, TypeDefaults]:
    """Every service type's defaults keyed by type id (shortcut for ``load_config().types``)."""
    return (config() if path is None else load_config(path)).types


def type_defaults(type_id: str, *, path: str | Path | None = None) -> TypeDefaults:
    """Defaults of one service type; unknown ids raise ValueError listing the valid ones."""
    return (config() if path is None else load_config(path)).type(type_id)
