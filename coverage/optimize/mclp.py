"""MCLP, the maximal covering location problem: ``k`` new sites (plus the fixed ones)
maximising the demand within ``radius`` of a chosen site."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from ._deadline import Deadline
from ._mclp_branch_and_bound import branch_and_bound
from ._mclp_heuristics import greedy_cover, swap_search
from ._matrix import coverage_matrix, covered_by_fixed, merge_identical_rows, \
    undominated_columns
from ._model import PlacementModel

__all__ = ["MCLP"]


class MCLP(PlacementModel):
    """Maximal covering location problem. Objective: covered demand (the fixed sites'
    coverage included), in the units of ``demand``.

    Exact: reductions (below), then :func:`branch_and_bound` over warm-started HiGHS
    LPs. Greedy: the site with the largest marginal coverage, ``k`` times, then one-swap
    local search.
    """

    kind = "mclp"
    maximise = True

    @classmethod
    def from_costs(cls, cost_matrix, demand, *, radius: float, k: int, fixed: Iterable = (),
                   candidate_ids: Sequence | None = None,
                   demand_ids: Sequence | None = None) -> "MCLP":
        """Build the model.

        Parameters
        ----------
        cost_matrix : array (n_demand, n_candidates)
            Metres (straight line or road) or seconds (road travel time); NaN / inf mean
            unreachable.
        demand : array (n_demand,)
            Weights >= 0, e.g. residents (persons).
        radius : float
            A point is covered by a site at cost <= radius (same unit as the costs).
        k : int
            Number of NEW sites.
        fixed : iterable of candidate ids
            Sites already open: always in the solution.
        candidate_ids, demand_ids : sequence, optional
            Ids of the columns / rows (default 0..n-1).
        """
        return cls._build(cost_matrix, demand, radius=radius, k=k, fixed=fixed,
                          candidate_ids=candidate_ids, demand_ids=demand_ids)

    from_cost_matrix = from_costs  # spopt's name

    def _objective(self, x: np.ndarray) -> float:
        p = self.problem
        return float(p.demand[(p.costs[:, x] <= p.radius).any(axis=1)].sum())

    def _greedy(self, deadline: Deadline) -> np.ndarray:
        p = self.problem
        cover = coverage_matrix(p.costs, p.radius).astype(float)
        x = greedy_cover(cover, p.demand, p.fixed.copy(), p.k + int(p.fixed.sum()))
        return swap_search(cover, p.demand, x, ~p.fixed, deadline)

    def _exact(self, x0: np.ndarray, deadline: Deadline):
        """Exact reductions first: points covered by a fixed site are constant; points
        with the same set of covering candidates are merged; a candidate whose covered
        set is inside another's is dropped (the cardinality row becomes <= k and any
        unused slots are filled afterwards, which cannot lower the coverage). Then the
        branch and bound on what is left."""
        p = self.problem
        cover = coverage_matrix(p.costs, p.radius)
        by_fixed = covered_by_fixed(cover, p.fixed)
        active = np.flatnonzero((p.demand > 0) & ~by_fixed & (np.diff(cover.indptr) > 0))
        free = np.flatnonzero(~p.fixed)
        sub = cover[active][:, free].astype(float).tocsr()
        sub, weight = merge_identical_rows(sub, p.demand[active])
        cols = free[undominated_columns(sub)]
        sub = sub[:, np.searchsorted(free, cols)].tocsr()
        xs, status, optimal, bound = branch_and_bound(sub, weight, p.k, x0[cols], deadline)
        x = p.fixed.copy()
        x[cols[xs]] = True
        for j in free:  # fill unused slots (in candidate order)
            if (x & ~p.fixed).sum() >= p.k:
                break
            x[j] = True
        return x, status, optimal, bound + float(p.demand[by_fixed].sum())
