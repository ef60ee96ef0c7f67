"""LSCP, the location set covering problem: the fewest new sites so that every demand point
some candidate reaches within ``radius`` is covered."""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from ._deadline import Deadline
from ._highs import INF, read_mip_sites, run_highs
from ._matrix import coverage_matrix, covered_by_fixed, undominated_columns
from ._model import PlacementModel

__all__ = ["LSCP"]


class LSCP(PlacementModel):
    """Location set covering problem. Every point counts, whatever its weight (as in
    spopt); points no candidate reaches are left out of the constraints and reported as
    uncoverable. Objective: number of NEW sites.

    Exact: reductions (below), then one sparse MIP passed to HiGHS. Greedy: greedy set
    cover, then dropping sites that became redundant.
    """

    kind = "lscp"

    @classmethod
    def from_costs(cls, cost_matrix, demand, *, radius: float, k: int | None = None,
                   fixed: Iterable = (), candidate_ids: Sequence | None = None,
                   demand_ids: Sequence | None = None) -> "LSCP":
        """Build the model; the arguments are those of :meth:`MCLP.from_costs`. ``k`` is
        not used by LSCP (the model chooses the count); it must be None. ``demand`` only
        enters the covered / uncoverable demand of the result."""
        if k is not None:
            raise ValueError("LSCP chooses the number of sites itself; do not pass k")
        return cls._build(cost_matrix, demand, radius=radius, k=0, fixed=fixed,
                          candidate_ids=candidate_ids, demand_ids=demand_ids)

    from_cost_matrix = from_costs  # spopt's name

    def _objective(self, x: np.ndarray) -> float:
        return float((x & ~self.problem.fixed).sum())

    def _rows_to_cover(self) -> sp.csr_matrix:
        """Coverage rows (as floats) that still need a site: coverable and not covered by
        a fixed site."""
        p = self.problem
        cover = coverage_matrix(p.costs, p.radius)
        by_fixed = covered_by_fixed(cover, p.fixed)
        active = np.flatnonzero(~by_fixed & (np.diff(cover.indptr) > 0))
        return cover[active].astype(float)

    def _greedy(self, deadline: Deadline) -> np.ndarray:
        """Greedy set cover (the site covering most uncovered rows; ties: lowest index),
        then the added sites, last first, are dropped while every row stays covered. Runs
        to the end: set cover is fast, the deadline is not consulted."""
        p = self.problem
        colwise = self._rows_to_cover().tocsc()
        x = p.fixed.copy()
        uncovered = np.ones(colwise.shape[0], dtype=bool)
        added = []
        while uncovered.any():
            gain = colwise.T @ uncovered.astype(float)
            gain[x] = -1.0
            j = int(np.argmax(gain))
            x[j] = True
            added.append(j)
            uncovered &= colwise[:, j].toarray().ravel() == 0
        counts = colwise[:, np.flatnonzero(x)].sum(axis=1).A.ravel() if x.any() else None
        for j in reversed(added):  # drop sites that became redundant
            col = colwise[:, j].toarray().ravel() > 0
            if counts is not None and (counts[col] >= 2).all():
                x[j] = False
                counts[col] -= 1
        return x

    def _exact(self, x0: np.ndarray, deadline: Deadline):
        """Exact reductions first: a point whose covering set contains another point's is
        covered whenever that one is; a candidate covering a subset of another's points
        can be swapped for it. Then min sum x_j s.t. every row covered, in HiGHS."""
        p = self.problem
        free = np.flatnonzero(~p.fixed)
        rows = self._rows_to_cover()[:, free].tocsr()
        rows = rows[undominated_columns(rows.T.tocsc(), drop="supersets")]
        cols = free[undominated_columns(rows)]
        a = rows[:, np.searchsorted(free, cols)].tocsc()
        n_rows, n_cols = a.shape
        h, scale = run_highs(a, np.ones(n_cols), np.zeros(n_cols), np.ones(n_cols),
                             np.ones(n_rows), np.full(n_rows, INF), n_int=n_cols,
                             maximise=False, offset=0.0, time_limit=deadline.highs_seconds(),
                             presolve=False)
        xs, status, optimal, bound = read_mip_sites(h, scale, n_cols, x0[cols])
        x = p.fixed.copy()
        x[cols[xs]] = True
        return x, status, optimal, bound
