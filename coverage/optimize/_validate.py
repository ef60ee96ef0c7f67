"""Checking a model's inputs once, at ``from_costs``: every later step trusts them."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from ._result import plain

__all__ = ["PlacementProblem", "validate_problem"]


@dataclass(frozen=True)
class PlacementProblem:
    """A checked instance. ``costs``: (n_demand, n_candidates) float, inf = unreachable
    (NaN is turned into inf), in the caller's unit (metres or seconds); ``demand``:
    (n_demand,) float >= 0; ``radius``: float in the costs' unit or None; ``k``: new
    sites; ``fixed``: (n_candidates,) bool, True for a site that is always open."""

    costs: np.ndarray
    demand: np.ndarray
    radius: float | None
    k: int
    fixed: np.ndarray
    candidate_ids: tuple
    demand_ids: tuple


def validate_problem(cost_matrix, demand, *, radius, k, fixed: Iterable,
                     candidate_ids: Sequence | None, demand_ids: Sequence | None,
                     needs_radius: bool, kind: str) -> PlacementProblem:
    """The checked :class:`PlacementProblem`, or ValueError naming ``kind``, the argument,
    the offending value (and its position) and what was expected."""
    costs = _cost_array(cost_matrix, kind)
    n, m = costs.shape
    w = _demand_array(demand, n, kind)
    if needs_radius or radius is not None:
        if isinstance(radius, bool) or not isinstance(radius, (int, float, np.number)) \
                or not math.isfinite(radius) or radius < 0:
            raise ValueError(f"{kind}: radius must be a finite number >= 0 "
                             f"(cost_matrix units), got {radius!r}")
        radius = float(radius)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise ValueError(f"{kind}: k (number of new sites) must be an integer >= 0, got {k!r}")
    cand = _ids(candidate_ids, m, "candidate_ids", kind)
    dem = _ids(demand_ids, n, "demand_ids", kind)
    mask = _fixed_mask(fixed, cand, kind)
    if k > m - mask.sum():
        raise ValueError(f"{kind}: k = {k} new sites but only {m - mask.sum()} "
                         "non-fixed candidates")
    return PlacementProblem(costs, w, radius, int(k), mask, cand, dem)


def _cost_array(cost_matrix, kind: str) -> np.ndarray:
    costs = np.asarray(cost_matrix, dtype=float)
    if costs.ndim != 2 or 0 in costs.shape:
        raise ValueError(f"{kind}: cost_matrix must be a non-empty 2-D array "
                         f"(n_demand, n_candidates), got shape {costs.shape}")
    bad = ~np.isfinite(costs)
    if bad.any():
        costs = np.where(bad, np.inf, costs)  # NaN/inf: unreachable
    if (costs < 0).any():
        i, j = np.argwhere(costs < 0)[0]
        raise ValueError(f"{kind}: cost_matrix[{i}, {j}] = {costs[i, j]} is negative; "
                         "costs must be >= 0 (NaN/inf mean unreachable)")
    return costs


def _demand_array(demand, n: int, kind: str) -> np.ndarray:
    w = np.asarray(demand, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"{kind}: demand must have one value per cost_matrix row "
                         f"({n}), got shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        i = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise ValueError(f"{kind}: demand[{i}] = {w[i]}; demand must be finite and >= 0")
    return w


def _fixed_mask(fixed: Iterable, candidate_ids: tuple, kind: str) -> np.ndarray:
    position = {c: j for j, c in enumerate(candidate_ids)}
    fixed_ids = list(dict.fromkeys(fixed))
    missing = [f for f in fixed_ids if f not in position]
    if missing:
        raise ValueError(f"{kind}: fixed site id(s) not among candidate_ids: {missing[:5]}")
    mask = np.zeros(len(candidate_ids), dtype=bool)
    mask[[position[f] for f in fixed_ids]] = True
    return mask


def _ids(ids, size: int, name: str, kind: str) -> tuple:
    if ids is None:
        return tuple(range(size))
    out = tuple(plain(i) for i in ids)
    if len(out) != size:
        raise ValueError(f"{kind}: {name} has {len(out)} ids, expected {size}")
    if len(set(out)) != size:
        raise ValueError(f"{kind}: {name} contains duplicates")
    return out
