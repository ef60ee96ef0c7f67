"""Exact MCLP on a reduced 0/1 matrix: our own depth-first branch and bound over the LP
relaxation, every LP solved by HiGHS's dual simplex, warm-started from the previous node.

On these small, tight LPs this beats HiGHS's MIP solver, whose root cut loop and sub-MIP
heuristics cost seconds (Taoyuan 504 x 504, k = 10: 0.2 s vs 3 s, same optimum).
"""
from __future__ import annotations

import math

import highspy
import numpy as np
import scipy.sparse as sp

from ._deadline import Deadline
from ._highs import INF, highs_status, run_highs
from ._mclp_heuristics import greedy_cover, swap_search

__all__ = ["branch_and_bound"]


def _relaxation(cover: sp.csr_matrix, weight: np.ndarray, k: int,
                deadline: Deadline) -> tuple[highspy.Highs, float]:
    """The root LP, solved: max sum_i w_i y_i s.t. y_i <= sum_j a_ij x_j,
    sum_j x_j <= k, 0 <= x, y <= 1 (columns: x then y)."""
    n_rows, n_cols = cover.shape
    a = sp.bmat([[-cover, sp.identity(n_rows, format="csr")],
                 [sp.csr_matrix(np.ones((1, n_cols))), None]], format="csc")
    return run_highs(a, np.r_[np.zeros(n_cols), weight], np.zeros(n_cols + n_rows),
                     np.ones(n_cols + n_rows), np.r_[np.full(n_rows, -INF), 0.0],
                     np.r_[np.zeros(n_rows), k], n_int=0, maximise=True, offset=0.0,
                     time_limit=deadline.highs_seconds(), presolve=False)


def _round_up(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, k: int) -> np.ndarray:
    """An integer solution from the LP: the sites fixed open plus the largest free x."""
    rounded = lo > 0.5
    free = np.flatnonzero(hi > 0.5)
    rounded[free[np.argsort(-x[free], kind="stable")][:max(k - rounded.sum(), 0)]] = True
    return rounded


def _children(x, reduced, z, lo, hi, inc, tol, fractional) -> list[tuple]:
    """Fix columns by reduced cost (opening a site at 0, or closing one at 1, cannot beat
    the incumbent), then branch on the most fractional x_j; x_j = 0 is explored first."""
    lo, hi = lo.copy(), hi.copy()
    hi[(x < 1e-9) & (z + reduced <= inc + tol)] = 0.0
    lo[(x > 1 - 1e-9) & (z - reduced <= inc + tol)] = 1.0
    j = int(np.argmin(np.where(fractional, np.abs(x - 0.5), np.inf)))
    up_lo, down_hi = lo.copy(), hi.copy()
    up_lo[j], down_hi[j] = 1.0, 0.0
    return [(up_lo, hi, z), (lo, down_hi, z)]


def branch_and_bound(cover: sp.csr_matrix, weight: np.ndarray, k: int, start: np.ndarray,
                     deadline: Deadline) -> tuple[np.ndarray, str, bool, float]:
    """Choose at most ``k`` columns of ``cover`` (merged points x kept candidates, 0/1)
    maximising the weight of the covered rows.

    At each node: prune if the LP bound cannot beat the incumbent; round the LP for a new
    incumbent; fix columns by reduced cost; branch (see :func:`_children`). The incumbent
    starts from ``start`` (greedy) and, at the root, both it and the rounded LP get a
    one-swap local search. Returns (x, HiGHS status text, optimal, upper bound), the bound
    in the weights' units; the status is "Time limit reached" when the deadline passed
    between nodes, or the status of the LP that stopped.
    """
    n_cols = cover.shape[1]
    h, scale = _relaxation(cover, weight, k, deadline)

    def value(xs: np.ndarray) -> float:
        return float(weight[(cover @ xs.astype(float)) > 0].sum())

    every = np.ones(n_cols, dtype=bool)
    inc_x = swap_search(cover, weight, greedy_cover(cover, weight, start, min(k, n_cols)),
                        every, deadline)
    inc = value(inc_x)
    tol = 1e-9 * max(1.0, float(weight.sum()))
    index = np.arange(n_cols, dtype=np.int32)
    stack = [(np.zeros(n_cols), np.ones(n_cols), math.inf)]  # (lower, upper, parent bound)
    status, root = "Optimal", True
    while stack:
        lo, hi, parent = stack.pop()
        if parent <= inc + tol:
            continue
        if not root:
            if deadline.expired():
                stack.append((lo, hi, parent))
                status = "Time limit reached"
                break
            h.changeColsBounds(n_cols, index, lo, hi)
            h.setOptionValue("time_limit", deadline.seconds_left())
            h.run()
        model_status = h.getModelStatus()
        if model_status == highspy.HighsModelStatus.kInfeasible:
            continue
        if model_status != highspy.HighsModelStatus.kOptimal:
            stack.append((lo, hi, parent))
            status = highs_status(h)
            break
        z = h.getInfo().objective_function_value * scale
        if z <= inc + tol:
            continue
        sol = h.getSolution()
        x = np.asarray(sol.col_value[:n_cols])
        rounded = _round_up(x, lo, hi, k)
        if root:
            rounded = swap_search(cover, weight, rounded, every, deadline)
            root = False
        rounded_value = value(rounded)
        if rounded_value > inc:
            inc_x, inc = rounded, rounded_value
        fractional = np.abs(x - np.round(x)) > 1e-6
        if not fractional.any():
            if value(x > 0.5) > inc:
                inc_x, inc = x > 0.5, value(x > 0.5)
            continue
        if z <= inc + tol:
            continue
        reduced = np.asarray(sol.col_dual[:n_cols]) * scale
        stack += _children(x, reduced, z, lo, hi, inc, tol, fractional)
    bound = max([inc] + [b for *_, b in stack])
    return inc_x, status, status == "Optimal", bound
