"""p-median: ``p = len(fixed) + k`` sites minimising the demand-weighted cost to the
nearest chosen site (sum of demand x cost, e.g. person-metres)."""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import highspy
import numpy as np
import scipy.sparse as sp

from ._deadline import Deadline
from ._highs import INF, run_highs
from ._model import PlacementModel
from ._pmedian_interchange import interchange, savings, unreachable_penalty
from ._pmedian_lagrangian import fix_by_lagrangian_bounds, lagrangian_dual

__all__ = ["PMedian", "PAIR_BUDGET"]

PAIR_BUDGET = 2_000_000  # (point, candidate) pairs kept in the first round


class PMedian(PlacementModel):
    """p-median. Points with zero demand or no finite cost are left out of the objective
    (the latter reported as uncoverable).

    Exact: greedy + interchange gives an incumbent; the Lagrangian dual (assignment rows
    relaxed; its iterates double as a heuristic) gives a lower bound; if they meet, that
    is the proof. Otherwise sites and pairs are fixed by Lagrangian bounds and HiGHS
    solves the strong formulation of what is left. On large inputs each point starts
    with only its nearest candidates plus an "overflow" priced at the next cost, widened
    until its cut-off pairs provably cannot beat the incumbent. A point is never served
    beyond its nearest fixed site. Greedy: the site that lowers the total cost most, ``k``
    times, then interchange.
    """

    kind = "pmedian"
    needs_radius = False

    @classmethod
    def from_costs(cls, cost_matrix, demand, *, k: int, radius: float | None = None,
                   fixed: Iterable = (), candidate_ids: Sequence | None = None,
                   demand_ids: Sequence | None = None) -> "PMedian":
        """Build the model; the arguments are those of :meth:`MCLP.from_costs`.
        ``radius`` is optional and only used to report covered demand. Needs at least
        one site (``k >= 1`` or a fixed site)."""
        model = cls._build(cost_matrix, demand, radius=radius, k=k, fixed=fixed,
                           candidate_ids=candidate_ids, demand_ids=demand_ids)
        if model.problem.fixed.sum() + k < 1:
            raise ValueError("p-median needs at least one site: k >= 1 or a fixed site")
        return model

    from_cost_matrix = from_costs  # spopt's name

    def _active(self) -> np.ndarray:
        """Rows that enter the objective: positive demand and some finite cost."""
        p = self.problem
        return np.flatnonzero((p.demand > 0) & np.isfinite(p.costs).any(axis=1))

    def _objective(self, x: np.ndarray) -> float:
        p = self.problem
        act = self._active()
        if not x.any():
            return math.inf
        return float(p.demand[act] @ p.costs[np.ix_(act, np.flatnonzero(x))].min(axis=1))

    def _greedy(self, deadline: Deadline) -> np.ndarray:
        p = self.problem
        act = self._active()
        c, w = p.costs[act], p.demand[act]
        penalty = unreachable_penalty(c)
        x = p.fixed.copy()
        d = c[:, x].min(axis=1) if x.any() else np.full(len(act), penalty)
        d = np.minimum(d, penalty)
        for _ in range(p.k):
            saving = savings(c, w, d, penalty)
            saving[x] = -np.inf
            j = int(np.argmax(saving))
            x[j] = True
            d = np.minimum(d, np.where(np.isfinite(c[:, j]), c[:, j], penalty))
        return interchange(c, w, x, ~p.fixed, penalty, deadline)

    def _exact(self, x0: np.ndarray, deadline: Deadline):
        """Lagrangian bound on pair lists, widened until truncation is provably harmless,
        then variable fixing and HiGHS (class docstring). Returns (x, status, optimal,
        lower bound)."""
        p = self.problem
        act = self._active()
        c, w = p.costs[act], p.demand[act]
        n = c.shape[0]
        penalty = unreachable_penalty(c)

        def true_cost(x: np.ndarray) -> float:
            return float(w @ c[:, x].min(axis=1)) if x.any() else math.inf

        order, sorted_c, n_useful = _sorted_pairs(c, p.fixed)
        keep = np.minimum(n_useful, max(16, PAIR_BUDGET // max(n, 1)))
        best_x, ub = x0.copy(), true_cost(x0)
        lam = None
        while True:
            keep, cand, cst, over = _pair_lists(order, sorted_c, w, keep, n_useful)
            target = ub if math.isfinite(ub) else float(w.sum() * penalty)
            lag = lagrangian_dual(cand, cst, over, p.fixed, p.k, target, lam, deadline,
                                  true_cost)
            lam = lag["lam"]
            if lag["best_cost"] < ub:
                best_x = interchange(c, w, lag["best_x"], ~p.fixed, penalty, deadline)
                ub = true_cost(best_x)
            lb = lag["lb"]
            if math.isfinite(ub) and ub - lb <= 1e-9 * abs(ub):
                return best_x, "Optimal", True, lb
            if deadline.expired():
                return best_x, "Time limit reached", False, lb
            # a point's pairs beyond its kept ones are provably useless only if forcing
            # one of them lifts the bound above the incumbent; widen the others
            tol = 1e-9 * abs(ub)
            short = np.isfinite(over) & ~(lb + np.maximum(0.0, over - lam) > ub + tol)
            if short.any():
                keep[short] = np.minimum(n_useful[short], 4 * keep[short])
                continue
            return self._fixed_mip(cand, cst, over, lag, best_x, ub, act.size, deadline)

    def _fixed_mip(self, cand, cst, over, lag, best_x, ub, n_act, deadline: Deadline):
        """Fix by Lagrangian bounds (a site or pair whose forced bound exceeds the
        incumbent cannot be in a better solution), then solve the rest with HiGHS. If
        HiGHS finds nothing better, or the rest is infeasible, the incumbent is optimal."""
        p = self.problem
        allowed, forced, keep = fix_by_lagrangian_bounds(cand, cst, over, lag, p.fixed, ub)
        sites = np.flatnonzero(allowed)
        h, scale = _strong_formulation(cand, cst, keep, sites, forced, p.fixed, p.k, n_act,
                                       deadline)
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return best_x, "Optimal", True, ub  # nothing beats the incumbent
        info = h.getInfo()
        if info.primal_solution_status == 2:  # feasible
            x = np.zeros(p.fixed.size, dtype=bool)
            x[sites[np.asarray(h.getSolution().col_value[:sites.size]) > 0.5]] = True
            if self._objective(x) < ub:
                best_x, ub = x, self._objective(x)
        if status == highspy.HighsModelStatus.kOptimal:
            return best_x, "Optimal", True, ub
        bound = max(lag["lb"], min(ub, info.mip_dual_bound * scale))
        return best_x, h.modelStatusToString(status), False, bound


def _sorted_pairs(c: np.ndarray, fixed: np.ndarray):
    """Each point's candidates by cost: (order, sorted costs, number of useful pairs). A
    pair is useful if finite and not beyond the point's nearest fixed site (ties kept)."""
    n = c.shape[0]
    order = np.argsort(c, axis=1, kind="stable")
    sorted_c = np.take_along_axis(c, order, axis=1)
    cap = c[:, fixed].min(axis=1) if fixed.any() else np.full(n, np.inf)
    n_useful = np.minimum((sorted_c <= cap[:, None]).sum(axis=1),
                          np.isfinite(sorted_c).sum(axis=1))
    return order, sorted_c, n_useful


def _pair_lists(order, sorted_c, w, keep, n_useful):
    """The first ``keep`` pairs of each point, extended over ties: (keep, cand, cst, over)
    with cst demand-weighted, inf past the kept pairs, and ``over`` the weighted cost of
    the first pair not kept (inf if none is cut off)."""
    n = sorted_c.shape[0]
    cutoff = sorted_c[np.arange(n), keep - 1]
    keep = np.minimum(n_useful, (sorted_c <= cutoff[:, None]).sum(axis=1))
    width = int(keep.max())
    cand = order[:, :width]
    cst = np.where(np.arange(width) < keep[:, None], w[:, None] * sorted_c[:, :width], np.inf)
    over = np.full(n, np.inf)
    rows = np.flatnonzero(keep < n_useful)
    over[rows] = w[rows] * sorted_c[rows, keep[rows]]
    return keep, cand, cst, over


def _strong_formulation(cand, cst, keep, sites, forced, fixed, k, n_act, deadline: Deadline):
    """Run HiGHS on min sum c_ij z_ij over the kept pairs; columns x (the allowed
    ``sites``, integer; forced ones at 1) then z; rows: sum_j z_ij = 1 per point,
    z_ij <= x_j per pair, sum of free x = k. Returns (solver, cost scale)."""
    ii, pos = np.nonzero(keep)
    jj = cand[ii, pos]
    col_of = np.full(fixed.size, -1)
    col_of[sites] = np.arange(sites.size)
    n_s, n_z = sites.size, ii.size
    free_cols = np.flatnonzero(~fixed[sites])
    r = np.r_[ii, n_act + np.arange(n_z), n_act + np.arange(n_z),
              np.full(free_cols.size, n_act + n_z)]
    col = np.r_[n_s + np.arange(n_z), n_s + np.arange(n_z), col_of[jj], free_cols]
    val = np.r_[np.ones(2 * n_z), -np.ones(n_z), np.ones(free_cols.size)]
    a = sp.csc_matrix((val, (r, col)), shape=(n_act + n_z + 1, n_s + n_z))
    return run_highs(
        a, np.r_[np.zeros(n_s), cst[ii, pos]],
        np.r_[forced[sites].astype(float), np.zeros(n_z)],
        np.ones(n_s + n_z), np.r_[np.ones(n_act), np.full(n_z, -INF), k],
        np.r_[np.ones(n_act), np.zeros(n_z), k], n_int=n_s, maximise=False, offset=0.0,
        time_limit=deadline.highs_seconds(), heuristics=False)
