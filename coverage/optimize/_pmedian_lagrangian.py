"""The p-median lower bound: the Lagrangian dual with the assignment rows relaxed, solved
by subgradient steps, and the variable fixing it allows against an incumbent.

Pair lists: ``cand`` / ``cst`` are (points, width) arrays of candidate columns and
demand-weighted costs, each row sorted, inf past the point's kept pairs; ``over`` is the
weighted cost of a point's first pair not kept (inf if all are kept). A point may take
this "overflow" without an open site, so the problem is a relaxation of the real one and
every bound here is valid for it.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ._deadline import Deadline

__all__ = ["lagrangian_dual", "fix_by_lagrangian_bounds"]


def _starting_multipliers(cst: np.ndarray, over: np.ndarray) -> np.ndarray:
    """lam_i = the point's second-nearest kept cost (else its nearest, else overflow)."""
    second = cst[:, min(1, cst.shape[1] - 1)]
    lam = np.where(np.isfinite(second), second, cst[:, 0])
    return np.where(np.isfinite(lam), lam, over)


def _dual_value(lam, flat_cand, cst, over, fixed, k):
    """L(lam) = sum lam_i + sum min(0, over_i - lam_i) + sum over the chosen sites of
    rho_j = sum_i min(0, c_ij - lam_i), the chosen sites being the fixed ones and the k
    free ones with the smallest rho (``flat_cand``: the pair lists' columns, raveled).
    Returns (L, rho, chosen, below = c_ij < lam_i)."""
    m = fixed.size
    free = np.flatnonzero(~fixed)
    below = cst < lam[:, None]
    rho = np.bincount(flat_cand, np.where(below, cst - lam[:, None], 0.0).ravel(),
                      minlength=m)
    chosen = fixed.copy()
    if k:
        chosen[free[np.argpartition(rho[free], k - 1)[:k]]] = True
    value = float(lam.sum() + np.minimum(0.0, over - lam).sum() + rho[chosen].sum())
    return value, rho, chosen, below


def lagrangian_dual(cand: np.ndarray, cst: np.ndarray, over: np.ndarray, fixed: np.ndarray,
                    k: int, target: float, lam: np.ndarray | None, deadline: Deadline,
                    true_cost: Callable[[np.ndarray], float]) -> dict:
    """Subgradient optimisation of the Lagrangian dual of p-median with the assignment
    rows sum_j z_ij + s_i = 1 relaxed (multipliers lam_i; pair lists as in the module
    docstring; ``fixed`` sites always open, ``k`` free ones chosen).

    Each iterate's sites are also costed exactly (``true_cost``), a cheap heuristic.
    Polyak steps towards ``target`` (or the best cost seen, if lower); the step factor
    halves after 30 iterations without a better bound; one deadline check per iteration.
    Starts from ``lam`` (None: :func:`_starting_multipliers`). Returns a dict: the best
    bound "lb" with its "lam", "rho" and "chosen" sites, and the best solution seen
    ("best_x", "best_cost"), costs in the units of ``cst``.
    """
    lam = _starting_multipliers(cst, over) if lam is None else lam
    lam = lam.astype(float).copy()
    flat = cand.ravel()
    best_lb, best_lam = -math.inf, lam
    best_x, best_cost = None, math.inf
    step, stall = 2.0, 0
    while step > 1e-4 and not deadline.expired():
        value, rho, chosen, below = _dual_value(lam, flat, cst, over, fixed, k)
        if value > best_lb + 1e-12 * abs(value):
            best_lb, best_lam, stall = value, lam, 0
        else:
            stall += 1
            if stall >= 30:
                step, stall = step / 2, 0
        cost = true_cost(chosen)
        if cost < best_cost:
            best_x, best_cost = chosen, cost
        goal = min(target, best_cost)
        if goal - best_lb <= 1e-9 * abs(goal):
            break
        g = 1.0 - (below & chosen[cand]).sum(axis=1) - (over < lam)
        norm = float(g @ g)
        if norm == 0:  # lam is optimal for the dual
            break
        lam = lam + step * max(goal - value, 1e-9 * abs(goal)) / norm * g
    value, rho, chosen, _ = _dual_value(best_lam, flat, cst, over, fixed, k)
    return {"lb": value, "lam": best_lam, "rho": rho, "chosen": chosen,
            "best_x": best_x if best_x is not None else chosen, "best_cost": best_cost}


def fix_by_lagrangian_bounds(cand: np.ndarray, cst: np.ndarray, over: np.ndarray,
                             lag: dict, fixed: np.ndarray, ub: float):
    """Lagrangian variable fixing against an incumbent of cost ``ub``.

    With L the bound, rho the site values and S the chosen set of :func:`lagrangian_dual`:
    opening a free site j outside S costs at least L + rho_j - (largest rho in S's free
    part); closing a free j in S at least L - rho_j + (smallest rho outside S); serving
    point i from j at least L + (c_ij - lam_i) - min(0, over_i - lam_i) plus j's opening
    term. Whatever provably costs more than ``ub`` cannot be in a better solution.
    Returns (allowed sites, sites forced open, kept pairs as a mask over ``cand``).
    """
    lb, lam, rho, chosen = lag["lb"], lag["lam"], lag["rho"], lag["chosen"]
    tol = 1e-9 * abs(ub)
    free = ~fixed
    chosen_free, other_free = chosen & free, ~chosen & free
    worst_in = rho[chosen_free].max() if chosen_free.any() else 0.0
    best_out = rho[other_free].min() if other_free.any() else np.inf
    site_lb = np.where(other_free, lb + rho - worst_in, lb)
    allowed = fixed | chosen_free | (other_free & (site_lb <= ub + tol))
    forced = fixed | (chosen_free & (lb - rho + best_out > ub + tol))
    opening = np.where(other_free, np.maximum(0.0, rho - worst_in), 0.0)
    pair_lb = (lb + (cst - lam[:, None]) - np.minimum(0.0, over - lam)[:, None]
               + opening[cand])
    keep = np.isfinite(cst) & (pair_lb <= ub + tol) & allowed[cand]
    return allowed, forced, keep
