"""Placement optimisation: where to add sites (MCLP, LSCP, p-median), solved with HiGHS.

Shape follows spopt: ``Model.from_costs(cost_matrix, demand, *, ...)`` builds a model,
``model.solve(*, time_limit=60.0, method="exact" | "greedy")`` returns a
:class:`PlacementResult`, the same type for every model.

Inputs: ``cost_matrix`` is (n_demand, n_candidates), any unit (the project uses metres,
straight-line or network, EPSG:3826); NaN and inf mean "unreachable". ``demand`` are
non-negative weights (e.g. residents). ``fixed`` are candidate ids that are already open:
they are always in the solution (x_j = 1). ``k`` counts NEW sites.

Models
- MCLP: choose exactly ``k`` new sites (plus the fixed ones) maximising the demand within
  ``radius`` of a chosen site. Objective: covered demand (fixed sites' coverage included).
- LSCP: fewest new sites so that every demand point that some candidate reaches within
  ``radius`` is covered (every point counts, whatever its weight, as in spopt). Points no
  candidate reaches are left out of the constraints and reported as uncoverable.
  Objective: number of NEW sites.
- p-median: choose ``p = len(fixed) + k`` sites minimising the demand-weighted cost to the
  nearest chosen site. Objective: sum of demand x cost.

``method="exact"`` first applies exact reductions (covering models: points covered by
fixed sites are constants, identical points merged, dominated candidates dropped).
- MCLP: a depth-first branch and bound on the LP relaxation in which HiGHS's dual
  simplex solves every LP, warm-started (see :func:`_mclp_branch_and_bound`; faster
  here than HiGHS's MIP solver, whose root cuts and sub-MIPs dominate on these small,
  tight models).
- LSCP: the MIP is passed to HiGHS (highspy) directly, sparse.
- p-median: greedy + interchange gives an incumbent; a Lagrangian dual (assignment rows
  relaxed, subgradient steps; its iterates double as a heuristic) gives a lower bound;
  if they meet, that is the proof. Otherwise every site and assignment pair whose
  forced Lagrangian bound exceeds the incumbent is fixed out, and HiGHS solves the
  strong formulation (z_ij <= x_j) of what is left (see :func:`_pmedian_fixing`). A
  point is never served beyond its nearest fixed site. On large inputs each point
  starts with only its nearest candidates plus an "overflow" priced at the next cost
  (a relaxation, so its bound stays valid); a point's list is widened until its cut-off
  pairs provably cannot beat the incumbent.
Status strings are HiGHS's own ("Optimal", "Time limit reached", ...). A time limit
returns the best incumbent with ``optimal=False`` and the relative gap to the proven
bound. If the search stops with no incumbent, or one worse than the greedy solution, the
greedy sites are returned (the status still says why it stopped). Optimal means proven
with a zero relative gap up to solver tolerances (HiGHS: mip_rel_gap = 0, mip_abs_gap =
1e-6 on costs scaled to about 1e3; MCLP branch and bound: 1e-9 of the total weight;
p-median Lagrangian: bound within 1e-9 of the incumbent).

``method="greedy"`` is a heuristic for very large inputs, NOT optimal in general
(``optimal=False``, ``solver_status="greedy"``): MCLP adds the site with the largest
marginal coverage, then swaps a new site for another while that raises the coverage;
LSCP is greedy set cover followed by dropping redundant sites; p-median adds the
site that lowers the total cost most, then makes the best swap of a new site for a
non-chosen candidate while that lowers the cost.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Iterable, Sequence

import highspy
import numpy as np
import scipy.sparse as sp

METHODS = ("exact", "greedy")
_PAIR_BUDGET = 2_000_000  # p-median: (point, candidate) pairs kept in the first round
_CHUNK = 256  # candidate columns per block in dense p-median savings


@dataclass(frozen=True)
class PlacementResult:
    """Outcome of one solve. Demand quantities are in the units of ``demand``; costs in
    the units of ``cost_matrix``.

    chosen: chosen candidate ids in candidate order; chosen_fixed: parallel flags (True
    for a fixed, already open site); new_sites: the non-fixed chosen ids.
    covered_demand_before/after: demand within ``radius`` of the fixed sites only / of all
    chosen sites (NaN for p-median without a radius). uncoverable_demand/uncoverable_ids:
    demand that no candidate reaches (within ``radius`` for covering models, at any finite
    cost for p-median). assignment: demand id -> nearest chosen candidate id (finite cost
    only). solver_status: "Optimal", "Time limit reached" or another HiGHS model status
    string (of the MIP, or of the LP the branch and bound stopped in), or "greedy".
    mip_gap: relative gap to the proven bound, 0.0 when proven optimal, inf when unknown.
    """

    model: str
    method: str
    chosen: tuple
    chosen_fixed: tuple[bool, ...]
    new_sites: tuple
    objective: float
    covered_demand_before: float
    covered_demand_after: float
    total_demand: float
    uncoverable_demand: float
    uncoverable_ids: tuple
    assignment: dict = field(repr=False)
    solver_status: str
    optimal: bool
    mip_gap: float
    runtime_s: float
    radius: float | None = None
    k: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: numpy scalars become Python values, non-finite floats None."""
        out = asdict(self)
        out["chosen"] = [{"id": _py(c), "fixed": f} for c, f in zip(self.chosen, self.chosen_fixed)]
        del out["chosen_fixed"]
        out["new_sites"] = [_py(c) for c in self.new_sites]
        out["uncoverable_ids"] = [_py(c) for c in self.uncoverable_ids]
        out["assignment"] = {str(_py(d)): _py(c) for d, c in self.assignment.items()}
        for key, value in out.items():
            if isinstance(value, float) and not math.isfinite(value):
                out[key] = None
        return out


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class _Problem:
    costs: np.ndarray  # (n_demand, n_candidates) float, inf = unreachable
    demand: np.ndarray  # (n_demand,) float >= 0
    radius: float | None
    k: int
    fixed: np.ndarray  # (n_candidates,) bool
    candidate_ids: tuple
    demand_ids: tuple


class _Model:
    kind: ClassVar[str] = ""
    needs_radius: ClassVar[bool] = True

    def __init__(self, problem: _Problem) -> None:
        self.problem = problem

    @classmethod
    def _build(cls, cost_matrix, demand, *, radius, k, fixed, candidate_ids, demand_ids):
        return cls(_validate(cost_matrix, demand, radius=radius, k=k, fixed=fixed,
                             candidate_ids=candidate_ids, demand_ids=demand_ids,
                             needs_radius=cls.needs_radius, kind=cls.kind))

    def solve(self, *, time_limit: float = 60.0, method: str = "exact") -> PlacementResult:
        """Solve; ``time_limit`` in seconds for the whole solve. With method="greedy" it
        only stops the local search (the construction always completes); model building
        is not interruptible, so very large inputs can overrun it a little. See the
        module docstring."""
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if not (isinstance(time_limit, (int, float)) and time_limit > 0):
            raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
        start = time.perf_counter()
        greedy_x = self._greedy(start + float(time_limit))
        if method == "greedy":
            x, status, optimal, gap = greedy_x, "greedy", False, math.inf
        else:
            left = float(time_limit) - (time.perf_counter() - start)  # limit covers it all
            x, status, optimal, bound = self._exact(greedy_x, max(left, 1e-3))
            obj, greedy_obj = self._objective(x), self._objective(greedy_x)
            if not optimal and (greedy_obj > obj if self.kind == "mclp" else greedy_obj < obj):
                x, obj = greedy_x, greedy_obj  # HiGHS stopped with a worse incumbent
            gap = 0.0 if optimal else _gap(obj, bound)
        return self._result(x, method, status, optimal, gap, time.perf_counter() - start)

    # --- shared pieces -------------------------------------------------------------
    def _cover(self) -> sp.csc_matrix:
        """Boolean (n_demand, n_candidates) sparse matrix: cost <= radius."""
        p = self.problem
        return sp.csc_matrix(p.costs <= p.radius)

    def _uncoverable(self) -> np.ndarray:
        p = self.problem
        if self.needs_radius:
            return ~(p.costs <= p.radius).any(axis=1)
        return ~np.isfinite(p.costs).any(axis=1)

    def _objective(self, x: np.ndarray) -> float:
        raise NotImplementedError

    def _result(self, x, method, status, optimal, gap, runtime) -> PlacementResult:
        p = self.problem
        ids = p.candidate_ids
        chosen_idx = np.flatnonzero(x)
        uncoverable = self._uncoverable()
        if p.radius is not None:
            within = p.costs <= p.radius
            before = float(p.demand[within[:, p.fixed].any(axis=1)].sum())
            after = float(p.demand[within[:, x].any(axis=1)].sum())
        else:
            before = after = math.nan
        assignment: dict = {}
        if chosen_idx.size:
            sub = p.costs[:, chosen_idx]
            nearest = sub.argmin(axis=1)
            reach = np.isfinite(sub[np.arange(len(sub)), nearest])
            assignment = {p.demand_ids[i]: ids[chosen_idx[nearest[i]]] for i in np.flatnonzero(reach)}
        return PlacementResult(
            model=self.kind, method=method,
            chosen=tuple(ids[j] for j in chosen_idx),
            chosen_fixed=tuple(bool(p.fixed[j]) for j in chosen_idx),
            new_sites=tuple(ids[j] for j in chosen_idx if not p.fixed[j]),
            objective=self._objective(x),
            covered_demand_before=before, covered_demand_after=after,
            total_demand=float(p.demand.sum()),
            uncoverable_demand=float(p.demand[uncoverable].sum()),
            uncoverable_ids=tuple(p.demand_ids[i] for i in np.flatnonzero(uncoverable)),
            assignment=assignment, solver_status=status, optimal=bool(optimal),
            mip_gap=0.0 if optimal else float(gap), runtime_s=float(runtime),
            radius=p.radius, k=p.k)


class MCLP(_Model):
    """Maximal covering location problem: ``k`` new sites maximising covered demand."""

    kind = "mclp"

    @classmethod
    def from_costs(cls, cost_matrix, demand, *, radius: float, k: int, fixed: Iterable = (),
                   candidate_ids: Sequence | None = None,
                   demand_ids: Sequence | None = None) -> "MCLP":
        return cls._build(cost_matrix, demand, radius=radius, k=k, fixed=fixed,
                          candidate_ids=candidate_ids, demand_ids=demand_ids)

    def _objective(self, x):
        p = self.problem
        return float(p.demand[(p.costs[:, x] <= p.radius).any(axis=1)].sum())

    def _greedy(self, deadline: float = math.inf) -> np.ndarray:
        p = self.problem
        cov = self._cover().tocsr().astype(float)
        x = _mclp_fill(cov, p.demand, p.fixed.copy(), p.k + int(p.fixed.sum()))
        return _mclp_swap(cov, p.demand, x, ~p.fixed, deadline)

    def _exact(self, x0, time_limit):
        """Exact reductions first: points covered by a fixed site are constant; points
        with the same set of covering candidates are merged; a candidate whose covered
        set is inside another's is dropped (the cardinality row becomes <= k and any
        unused slots are filled afterwards, which cannot lower the coverage). Then
        :func:`_mclp_branch_and_bound` on what is left."""
        deadline = time.perf_counter() + time_limit
        p = self.problem
        cov = self._cover().tocsr()
        by_fixed = np.asarray(cov[:, np.flatnonzero(p.fixed)].sum(axis=1)).ravel() > 0
        active = np.flatnonzero((p.demand > 0) & ~by_fixed & (np.diff(cov.indptr) > 0))
        free = np.flatnonzero(~p.fixed)
        sub = cov[active][:, free].astype(float).tocsr()
        sub, weight = _merge_rows(sub, p.demand[active])
        cols = free[_undominated(sub)]
        sub = sub[:, np.searchsorted(free, cols)].tocsr()
        xs, status, optimal, bound = _mclp_branch_and_bound(sub, weight, p.k, x0[cols], deadline)
        x = p.fixed.copy()
        x[cols[xs]] = True
        for j in free:  # fill unused slots (in candidate order)
            if (x & ~p.fixed).sum() >= p.k:
                break
            x[j] = True
        offset = float(p.demand[by_fixed].sum())
        return x, status, optimal, bound + offset


class LSCP(_Model):
    """Location set covering problem: fewest new sites covering every coverable point."""

    kind = "lscp"

    @classmethod
    def from_costs(cls, cost_matrix, demand, *, radius: float, k: int | None = None,
                   fixed: Iterable = (), candidate_ids: Sequence | None = None,
                   demand_ids: Sequence | None = None) -> "LSCP":
        """``k`` is not used by LSCP (the model chooses the count); it must be None."""
        if k is not None:
            raise ValueError("LSCP chooses the number of sites itself; do not pass k")
        return cls._build(cost_matrix, demand, radius=radius, k=0, fixed=fixed,
                          candidate_ids=candidate_ids, demand_ids=demand_ids)

    def _objective(self, x):
        return float((x & ~self.problem.fixed).sum())

    def _rows(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """Coverage rows that still need a site: coverable, not covered by a fixed site."""
        p = self.problem
        cov = self._cover().tocsr()
        by_fixed = np.asarray(cov[:, np.flatnonzero(p.fixed)].sum(axis=1)).ravel() > 0
        active = np.flatnonzero(~by_fixed & (np.diff(cov.indptr) > 0))
        return cov[active].astype(float), active

    def _greedy(self, deadline: float = math.inf) -> np.ndarray:
        p = self.problem
        rows, _ = self._rows()
        x = p.fixed.copy()
        uncovered = np.ones(rows.shape[0], dtype=bool)
        colwise = rows.tocsc()
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

    def _exact(self, x0, time_limit):
        """Exact reductions first: a point whose covering set contains another point's is
        covered whenever that one is; a candidate covering a subset of another's points
        can be swapped for it."""
        p = self.problem
        rows, _ = self._rows()
        free = np.flatnonzero(~p.fixed)
        rows = rows[:, free].tocsr()
        rows = rows[_undominated(rows.T.tocsc(), drop="supersets")]
        cols = free[_undominated(rows)]
        a = rows[:, np.searchsorted(free, cols)].tocsc()
        n_rows, n_cols = a.shape
        h, scale = _highs_model(a, np.ones(n_cols), np.zeros(n_cols), np.ones(n_cols),
                                np.ones(n_rows), np.full(n_rows, highspy.kHighsInf),
                                n_int=n_cols, maximise=False, offset=0.0,
                                time_limit=time_limit, presolve=False)
        xs, status, optimal, bound = _read_highs(h, scale, n_cols, x0[cols])
        x = p.fixed.copy()
        x[cols[xs]] = True
        return x, status, optimal, bound


class PMedian(_Model):
    """p-median: ``len(fixed) + k`` sites minimising demand-weighted cost to the nearest."""

    kind = "pmedian"
    needs_radius = False

    @classmethod
    def from_costs(cls, cost_matrix, demand, *, k: int, radius: float | None = None,
                   fixed: Iterable = (), candidate_ids: Sequence | None = None,
                   demand_ids: Sequence | None = None) -> "PMedian":
        """``radius`` is optional and only used to report covered demand."""
        model = cls._build(cost_matrix, demand, radius=radius, k=k, fixed=fixed,
                           candidate_ids=candidate_ids, demand_ids=demand_ids)
        if model.problem.fixed.sum() + k < 1:
            raise ValueError("p-median needs at least one site: k >= 1 or a fixed site")
        return model

    def _active(self) -> np.ndarray:
        p = self.problem
        return np.flatnonzero((p.demand > 0) & np.isfinite(p.costs).any(axis=1))

    def _objective(self, x):
        p = self.problem
        act = self._active()
        if not x.any():
            return math.inf
        return float(p.demand[act] @ p.costs[np.ix_(act, np.flatnonzero(x))].min(axis=1))

    def _greedy(self, deadline: float = math.inf) -> np.ndarray:
        p = self.problem
        act = self._active()
        c = p.costs[act]
        w = p.demand[act]
        penalty = _penalty(c)
        x = p.fixed.copy()
        d = c[:, x].min(axis=1) if x.any() else np.full(len(act), penalty)
        d = np.minimum(d, penalty)
        for _ in range(p.k):
            saving = _savings(c, w, d, penalty)
            saving[x] = -np.inf
            j = int(np.argmax(saving))
            x[j] = True
            d = np.minimum(d, np.where(np.isfinite(c[:, j]), c[:, j], penalty))
        return _pmedian_swap(c, w, x, ~p.fixed, penalty, deadline)

    def _exact(self, x0, time_limit):
        """Lagrangian bound, variable fixing, then HiGHS on what is left (module docstring).
        Returns (x, status, optimal, lower bound)."""
        deadline = time.perf_counter() + time_limit
        p = self.problem
        act = self._active()
        c, w = p.costs[act], p.demand[act]
        n, m = c.shape
        penalty = _penalty(c)

        def true_cost(x: np.ndarray) -> float:
            return float(w @ c[:, x].min(axis=1)) if x.any() else math.inf

        order = np.argsort(c, axis=1, kind="stable")
        sorted_c = np.take_along_axis(c, order, axis=1)
        # a point is never served beyond its nearest fixed site (ties kept)
        cap = c[:, p.fixed].min(axis=1) if p.fixed.any() else np.full(n, np.inf)
        n_useful = np.minimum((sorted_c <= cap[:, None]).sum(axis=1),
                              np.isfinite(sorted_c).sum(axis=1))
        keep = np.minimum(n_useful, max(16, _PAIR_BUDGET // max(n, 1)))
        best_x, ub = x0.copy(), true_cost(x0)
        lam = None
        while True:
            cutoff = sorted_c[np.arange(n), keep - 1]  # extend each prefix over ties
            keep = np.minimum(n_useful, (sorted_c <= cutoff[:, None]).sum(axis=1))
            width = int(keep.max())
            cand = order[:, :width]
            cst = np.where(np.arange(width) < keep[:, None], w[:, None] * sorted_c[:, :width],
                           np.inf)
            over = np.full(n, np.inf)
            rows = np.flatnonzero(keep < n_useful)
            over[rows] = w[rows] * sorted_c[rows, keep[rows]]
            target = ub if math.isfinite(ub) else float(w.sum() * penalty)
            lag = _pmedian_lagrangian(cand, cst, over, p.fixed, p.k, target, lam, deadline,
                                      true_cost)
            lam = lag["lam"]
            if lag["best_cost"] < ub:
                best_x = _pmedian_swap(c, w, lag["best_x"], ~p.fixed, penalty, deadline)
                ub = true_cost(best_x)
            lb = lag["lb"]
            if math.isfinite(ub) and ub - lb <= 1e-9 * abs(ub):
                return best_x, "Optimal", True, lb
            if time.perf_counter() >= deadline:
                return best_x, "Time limit reached", False, lb
            # a point's pairs beyond its kept ones are provably useless only if forcing
            # one of them lifts the bound above the incumbent; widen the others
            tol = 1e-9 * abs(ub)
            short = np.isfinite(over) & ~(lb + np.maximum(0.0, over - lam) > ub + tol)
            if short.any():
                keep[short] = np.minimum(n_useful[short], 4 * keep[short])
                continue
            return self._fixed_mip(cand, cst, over, lag, best_x, ub, act, deadline)

    def _fixed_mip(self, cand, cst, over, lag, best_x, ub, act, deadline):
        """Fix by Lagrangian bounds (a site or pair whose forced bound exceeds the
        incumbent cannot be in a better solution), then solve the rest with HiGHS. If
        HiGHS finds nothing better, or the rest is infeasible, the incumbent is optimal."""
        p = self.problem
        m = p.fixed.size
        allowed, forced, keep = _pmedian_fixing(cand, cst, over, lag, p.fixed, ub)
        ii, pos = np.nonzero(keep)
        jj = cand[ii, pos]
        sites = np.flatnonzero(allowed)
        col_of = np.full(m, -1)
        col_of[sites] = np.arange(sites.size)
        n_act, n_s, n_z = act.size, sites.size, ii.size
        free_cols = np.flatnonzero(~p.fixed[sites])
        # columns: x (sites), z (kept pairs); rows: sum_j z_ij = 1; z_ij <= x_j; sum free x = k
        r = np.r_[ii, n_act + np.arange(n_z), n_act + np.arange(n_z),
                  np.full(free_cols.size, n_act + n_z)]
        col = np.r_[n_s + np.arange(n_z), n_s + np.arange(n_z), col_of[jj], free_cols]
        val = np.r_[np.ones(2 * n_z), -np.ones(n_z), np.ones(free_cols.size)]
        a = sp.csc_matrix((val, (r, col)), shape=(n_act + n_z + 1, n_s + n_z))
        h, scale = _highs_model(
            a, np.r_[np.zeros(n_s), cst[ii, pos]],
            np.r_[forced[sites].astype(float), np.zeros(n_z)],
            np.ones(n_s + n_z), np.r_[np.ones(n_act), np.full(n_z, -highspy.kHighsInf), p.k],
            np.r_[np.ones(n_act), np.zeros(n_z), p.k], n_int=n_s, maximise=False, offset=0.0,
            time_limit=max(deadline - time.perf_counter(), 1e-3), heuristics=False)
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return best_x, "Optimal", True, ub  # nothing beats the incumbent
        info = h.getInfo()
        if info.primal_solution_status == 2:  # feasible
            x = np.zeros(m, dtype=bool)
            x[sites[np.asarray(h.getSolution().col_value[:n_s]) > 0.5]] = True
            if self._objective(x) < ub:
                best_x, ub = x, self._objective(x)
        if status == highspy.HighsModelStatus.kOptimal:
            return best_x, "Optimal", True, ub
        bound = max(lag["lb"], min(ub, info.mip_dual_bound * scale))
        return best_x, h.modelStatusToString(status), False, bound


def _merge_rows(a: sp.csr_matrix, weight: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Merge rows with identical sparsity patterns, summing their weights."""
    a = a.tocsr()
    a.sort_indices()
    keys = [a.indices[a.indptr[i]:a.indptr[i + 1]].tobytes() for i in range(a.shape[0])]
    first: dict[bytes, int] = {}
    group = np.array([first.setdefault(key, len(first)) for key in keys], dtype=np.int64)
    reps = np.unique(group, return_index=True)[1]
    return a[reps], np.bincount(group, weights=weight)


def _undominated(a: sp.csr_matrix, *, drop: str = "subsets") -> np.ndarray:
    """Indices of the columns to keep: with drop="subsets", columns whose row set is not
    contained in another column's; with drop="supersets", columns whose row set does not
    contain another column's. Of equal sets the first is kept."""
    a = (a != 0).astype(np.float64).tocsc()
    size = np.diff(a.indptr)
    overlap = (a.T @ a).tocoo()
    r, c, v = overlap.row, overlap.col, overlap.data
    if drop == "subsets":  # r inside c
        inside = (v == size[r]) & ((size[c] > size[r]) | ((size[c] == size[r]) & (c < r)))
    else:  # c inside r
        inside = (v == size[c]) & ((size[c] < size[r]) | ((size[c] == size[r]) & (c < r)))
    inside &= r != c
    dominated = np.zeros(a.shape[1], dtype=bool)
    dominated[r[inside]] = True
    empty = size == 0
    if empty.any() and (~empty).any():
        dominated |= empty
    elif empty.all():
        dominated[1:] = True
    return np.flatnonzero(~dominated)


def _mclp_fill(cov: sp.csr_matrix, weight: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """Add the site with the largest marginal covered weight until ``size`` sites are
    chosen (ties: lowest index). ``cov`` is the (points, sites) 0/1 matrix as floats."""
    x = x.copy()
    cov_t = cov.T.tocsr()
    covered = (cov @ x.astype(float)) > 0
    while x.sum() < size:
        gain = cov_t @ (weight * ~covered)
        gain[x] = -1.0
        j = int(np.argmax(gain))
        x[j] = True
        covered |= cov[:, j].toarray().ravel() > 0
    return x


def _mclp_swap(cov: sp.csr_matrix, weight: np.ndarray, x: np.ndarray,
               movable: np.ndarray, deadline: float = math.inf) -> np.ndarray:
    """One-swap local search: while closing a movable chosen site and opening another
    raises the covered weight, make the best such swap."""
    x = x.copy()
    cov_c, cov_t = cov.tocsc(), cov.T.tocsr()
    count = cov @ x.astype(float)  # chosen sites covering each point
    tol = 1e-9 * max(1.0, float(weight.sum()))
    while time.perf_counter() < deadline:
        opened = cov_t @ (weight * (count == 0))  # gain of opening j on top of x
        only = weight * (count == 1)
        best, swap = tol, None
        for r in np.flatnonzero(x & movable):
            col = cov_c[:, r].toarray().ravel() > 0
            gain = opened + cov_t @ (only * col) - only[col].sum()
            gain[x] = -np.inf
            j = int(np.argmax(gain))
            if gain[j] > best:
                best, swap = gain[j], (r, j)
        if swap is None:
            break
        r, j = swap
        x[r], x[j] = False, True
        count += cov_c[:, j].toarray().ravel() - cov_c[:, r].toarray().ravel()
    return x


def _mclp_branch_and_bound(sub: sp.csr_matrix, weight: np.ndarray, k: int,
                           start: np.ndarray, deadline: float):
    """Exact MCLP on the reduced 0/1 matrix ``sub`` (merged points x kept candidates):
    choose at most ``k`` columns maximising the weight of covered rows.

    Depth-first branch and bound on the LP relaxation (y_i <= sum_j a_ij x_j,
    sum_j x_j <= k, 0 <= x, y <= 1). Every LP is solved by HiGHS's dual simplex,
    warm-started from the previous node. At each node: prune if the LP bound cannot beat
    the incumbent; fix columns by reduced cost; round the LP (its largest x) for a new
    incumbent; branch on the most fractional x_j, x_j = 0 first. The incumbent starts
    from ``start`` (greedy) and, at the root, both it and the rounded LP get a one-swap
    local search. On this small, tight LP this beats HiGHS's MIP, whose root cut loop
    and sub-MIP heuristics cost seconds (Taoyuan 504 x 504, k = 10: 0.2 s vs 3 s, same
    optimum). Returns (x, status, optimal, upper bound) in the weights' units.
    """
    n_rows, n_cols = sub.shape
    a = sp.bmat([[-sub, sp.identity(n_rows, format="csr")],
                 [sp.csr_matrix(np.ones((1, n_cols))), None]], format="csc")
    h, scale = _highs_model(
        a, np.r_[np.zeros(n_cols), weight], np.zeros(n_cols + n_rows),
        np.ones(n_cols + n_rows), np.r_[np.full(n_rows, -highspy.kHighsInf), 0.0],
        np.r_[np.zeros(n_rows), k], n_int=0, maximise=True, offset=0.0,
        time_limit=max(deadline - time.perf_counter(), 1e-3), presolve=False)

    def value(xs: np.ndarray) -> float:
        return float(weight[(sub @ xs.astype(float)) > 0].sum())

    every = np.ones(n_cols, dtype=bool)
    inc_x = _mclp_fill(sub, weight, start, min(k, n_cols))
    inc_x = _mclp_swap(sub, weight, inc_x, every, deadline)
    inc = value(inc_x)
    tol = 1e-9 * max(1.0, float(weight.sum()))
    index = np.arange(n_cols, dtype=np.int32)
    stack = [(np.zeros(n_cols), np.ones(n_cols), math.inf)]  # (lower, upper, parent bound)
    status, root = "Optimal", True
    while stack:
        lo, hi, parent = stack.pop()
        if parent <= inc + tol:
            continue
        left = deadline - time.perf_counter()
        if not root:
            if left <= 0:
                stack.append((lo, hi, parent))
                status = "Time limit reached"
                break
            h.changeColsBounds(n_cols, index, lo, hi)
            h.setOptionValue("time_limit", left)
            h.run()
        model_status = h.getModelStatus()
        if model_status == highspy.HighsModelStatus.kInfeasible:
            continue
        if model_status != highspy.HighsModelStatus.kOptimal:
            stack.append((lo, hi, parent))
            status = h.modelStatusToString(model_status)
            break
        z = h.getInfo().objective_function_value * scale
        if z <= inc + tol:
            continue
        sol = h.getSolution()
        x = np.asarray(sol.col_value[:n_cols])
        reduced = np.asarray(sol.col_dual[:n_cols]) * scale
        rounded = lo > 0.5
        free = np.flatnonzero(hi > 0.5)
        rounded[free[np.argsort(-x[free], kind="stable")][:max(k - rounded.sum(), 0)]] = True
        if root:
            rounded = _mclp_swap(sub, weight, rounded, every, deadline)
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
        lo, hi = lo.copy(), hi.copy()
        hi[(x < 1e-9) & (z + reduced <= inc + tol)] = 0.0  # opening j cannot beat inc
        lo[(x > 1 - 1e-9) & (z - reduced <= inc + tol)] = 1.0  # closing j cannot either
        j = int(np.argmin(np.where(fractional, np.abs(x - 0.5), np.inf)))
        up_lo, down_hi = lo.copy(), hi.copy()
        up_lo[j], down_hi[j] = 1.0, 0.0
        stack += [(up_lo, hi, z), (lo, down_hi, z)]  # x_j = 0 is explored first
    bound = max([inc] + [b for *_, b in stack])
    return inc_x, status, status == "Optimal", bound


def _penalty(c: np.ndarray) -> float:
    """A finite stand-in for "unreachable" in heuristic scoring: above any real cost."""
    finite = c[np.isfinite(c)]
    return 10.0 * (float(finite.max()) + 1.0) if finite.size else 1.0


def _pmedian_swap(c: np.ndarray, w: np.ndarray, x: np.ndarray, movable: np.ndarray,
                  penalty: float, deadline: float = math.inf) -> np.ndarray:
    """Interchange local search: while closing a movable chosen site r and opening a
    site j lowers sum_i w_i * (cost to the nearest chosen site), make the best such swap.
    ``c`` is (points, sites) with inf = unreachable (priced at ``penalty``).

    One pass costs O(points x sites), not O(points x sites x chosen): the saving of a
    swap is gain_j (opening j, nothing closed) plus a correction over the points that r
    serves only (they fall back to their second-nearest site)."""
    x = x.copy()
    n = c.shape[0]
    rows = np.arange(n)
    while time.perf_counter() < deadline:
        chosen = np.flatnonzero(x)
        sub = np.minimum(c[:, chosen], penalty)
        if chosen.size >= 2:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            d_two = np.take_along_axis(sub, two, axis=1)
            first = np.where(d_two[:, 0] <= d_two[:, 1], 0, 1)
            nearest = two[rows, first]
            d1, d2 = d_two[rows, first], d_two[rows, 1 - first]
        else:
            nearest = np.zeros(n, dtype=int)
            d1, d2 = sub[:, 0], np.full(n, penalty)
        current = float(w @ d1)
        gain = _savings(c, w, d1, penalty)  # opening j alone
        best, swap = 1e-12 * current + 1e-9, None
        for pos, r in enumerate(chosen):
            if not movable[r]:
                continue
            own = np.flatnonzero(nearest == pos)
            block = np.minimum(c[own], penalty)
            total = gain - float(w[own] @ (d2[own] - d1[own])) + w[own] @ (
                np.maximum(0.0, d2[own, None] - block) - np.maximum(0.0, d1[own, None] - block))
            total[x] = -np.inf
            j = int(np.argmax(total))
            if total[j] > best:
                best, swap = total[j], (r, j)
        if swap is None:
            break
        x[swap[0]], x[swap[1]] = False, True
    return x


def _savings(c: np.ndarray, w: np.ndarray, d: np.ndarray, penalty: float) -> np.ndarray:
    """For every candidate j: sum_i w_i * max(0, d_i - c_ij), unreachable priced at
    penalty (the cost saved by opening j when point i currently pays d_i)."""
    out = np.empty(c.shape[1])
    for lo in range(0, c.shape[1], _CHUNK):
        block = np.minimum(c[:, lo:lo + _CHUNK], penalty)
        out[lo:lo + _CHUNK] = w @ np.maximum(0.0, d[:, None] - block)
    return out


def _pmedian_lagrangian(cand: np.ndarray, cst: np.ndarray, over: np.ndarray,
                        fixed: np.ndarray, k: int, target: float, lam: np.ndarray | None,
                        deadline: float, true_cost) -> dict:
    """Subgradient optimisation of the Lagrangian dual of p-median with the assignment
    rows sum_j z_ij + s_i = 1 relaxed (multipliers lam_i).

    ``cand``/``cst``: (points, width) candidate columns and weighted costs, each row
    sorted, inf past the point's kept pairs; ``over``: weighted cost of the first pair
    not kept (inf if all are kept). A point may take this "overflow" without an open
    site, so the problem is a relaxation and every bound is valid for the real one.
    L(lam) = sum lam_i + sum min(0, over_i - lam_i) + sum over the chosen sites of
    rho_j = sum_i min(0, c_ij - lam_i), the chosen sites being the fixed ones and the
    k free ones with the smallest rho. Each iterate's sites are also costed exactly
    (``true_cost``), a cheap heuristic. Polyak steps towards ``target``; the step factor
    halves after 30 iterations without a better bound. Returns the best bound ("lb")
    with its lam, rho and chosen sites, and the best solution seen ("best_x",
    "best_cost").
    """
    n, m = cst.shape[0], fixed.size
    flat = cand.ravel()
    free = np.flatnonzero(~fixed)
    if lam is None:  # start each point at its second-nearest kept cost
        second = cst[:, min(1, cst.shape[1] - 1)]
        lam = np.where(np.isfinite(second), second, cst[:, 0])
        lam = np.where(np.isfinite(lam), lam, over)
    lam = lam.astype(float).copy()

    def evaluate(lam_):
        below = cst < lam_[:, None]
        rho = np.bincount(flat, np.where(below, cst - lam_[:, None], 0.0).ravel(), minlength=m)
        chosen = fixed.copy()
        if k:
            chosen[free[np.argpartition(rho[free], k - 1)[:k]]] = True
        value = float(lam_.sum() + np.minimum(0.0, over - lam_).sum() + rho[chosen].sum())
        return value, rho, chosen, below

    best_lb, best_lam = -math.inf, lam
    best_x, best_cost = None, math.inf
    step, stall = 2.0, 0
    while step > 1e-4 and time.perf_counter() < deadline:
        value, rho, chosen, below = evaluate(lam)
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
    value, rho, chosen, _ = evaluate(best_lam)
    return {"lb": value, "lam": best_lam, "rho": rho, "chosen": chosen,
            "best_x": best_x if best_x is not None else chosen, "best_cost": best_cost}


def _pmedian_fixing(cand: np.ndarray, cst: np.ndarray, over: np.ndarray, lag: dict,
                    fixed: np.ndarray, ub: float):
    """Lagrangian variable fixing against an incumbent of cost ``ub``. With L the bound,
    rho the site values and the chosen set S from :func:`_pmedian_lagrangian`:
    opening a free site j outside S costs at least L + rho_j - (largest rho in S's free
    part); closing a free j in S at least L - rho_j + (smallest rho outside S); serving
    point i from j at least L + (c_ij - lam_i) - min(0, over_i - lam_i) plus j's opening
    term. Whatever provably costs more than ``ub`` cannot be in a better solution.
    Returns (allowed sites, sites forced open, kept pairs as a mask over ``cand``)."""
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


def _gap(objective: float, bound: float) -> float:
    """Relative gap |objective - bound| / |objective|, HiGHS's definition; inf if unknown."""
    if not (math.isfinite(objective) and math.isfinite(bound)) or objective == 0:
        return 0.0 if objective == bound else math.inf
    return abs(objective - bound) / abs(objective)


def _highs_model(a: sp.csc_matrix, col_cost, lower, upper, row_lo, row_hi, *, n_int: int,
                 maximise: bool, offset: float, time_limit: float,
                 presolve: bool = True, heuristics: bool = True) -> tuple[highspy.Highs, float]:
    """Pass a MIP (first ``n_int`` columns binary) to HiGHS and run it. Costs are divided
    by a power of ten so the largest is about 1e3 (HiGHS slows down badly on costs like
    1e7); returns (solver, that scale)."""
    col_cost = np.asarray(col_cost, dtype=float)
    top = float(np.abs(col_cost).max()) if col_cost.size else 0.0
    scale = 10.0 ** math.floor(math.log10(top / 1e3)) if top > 0 else 1.0
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = col_cost / scale
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_hi, dtype=float)
    lp.offset_ = offset / scale
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    a = a.tocsc()
    a.sort_indices()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = a.shape[1], a.shape[0]
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_int + \
        [highspy.HighsVarType.kContinuous] * (a.shape[1] - n_int)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-6)
    if not presolve:  # covering models: our reductions suffice; HiGHS's probing costs more
        h.setOptionValue("presolve", "off")
    if not heuristics:  # the caller holds a strong incumbent; HiGHS's sub-MIPs cost more
        for name in ("mip_heuristic_run_rins", "mip_heuristic_run_rens",
                     "mip_heuristic_run_root_reduced_cost", "mip_heuristic_run_feasibility_jump"):
            h.setOptionValue(name, False)
    h.passModel(lp)
    h.run()
    return h, scale


def _read_highs(h: highspy.Highs, scale: float, m: int, fallback: np.ndarray):
    """(x, status string, optimal, dual bound) from a solved HiGHS model; the first m
    columns are the sites. Without an incumbent the fallback (greedy) sites are returned."""
    status = h.getModelStatus()
    info = h.getInfo()
    optimal = status == highspy.HighsModelStatus.kOptimal
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = (np.asarray(h.getSolution().col_value[:m]) > 0.5) if has_sol else fallback.copy()
    return x, h.modelStatusToString(status), bool(optimal and has_sol), info.mip_dual_bound * scale


def _validate(cost_matrix, demand, *, radius, k, fixed, candidate_ids, demand_ids,
              needs_radius: bool, kind: str) -> _Problem:
    costs = np.asarray(cost_matrix, dtype=float)
    if costs.ndim != 2 or 0 in costs.shape:
        raise ValueError(f"{kind}: cost_matrix must be a non-empty 2-D array "
                         f"(n_demand, n_candidates), got shape {costs.shape}")
    n, m = costs.shape
    bad = ~np.isfinite(costs)
    if bad.any():
        costs = np.where(bad, np.inf, costs)  # NaN/inf: unreachable
    if (costs < 0).any():
        i, j = np.argwhere(costs < 0)[0]
        raise ValueError(f"{kind}: cost_matrix[{i}, {j}] = {costs[i, j]} is negative; "
                         "costs must be >= 0 (NaN/inf mean unreachable)")
    w = np.asarray(demand, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"{kind}: demand must have one value per cost_matrix row "
                         f"({n}), got shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        i = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise ValueError(f"{kind}: demand[{i}] = {w[i]}; demand must be finite and >= 0")
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
    position = {c: j for j, c in enumerate(cand)}
    fixed_ids = list(dict.fromkeys(fixed))
    missing = [f for f in fixed_ids if f not in position]
    if missing:
        raise ValueError(f"{kind}: fixed site id(s) not among candidate_ids: {missing[:5]}")
    mask = np.zeros(m, dtype=bool)
    mask[[position[f] for f in fixed_ids]] = True
    if k > m - mask.sum():
        raise ValueError(f"{kind}: k = {k} new sites but only {m - mask.sum()} "
                         "non-fixed candidates")
    return _Problem(costs, w, radius, int(k), mask, cand, dem)


def _ids(ids, size: int, name: str, kind: str) -> tuple:
    if ids is None:
        return tuple(range(size))
    out = tuple(_py(i) for i in ids)
    if len(out) != size:
        raise ValueError(f"{kind}: {name} has {len(out)} ids, expected {size}")
    if len(set(out)) != size:
        raise ValueError(f"{kind}: {name} contains duplicates")
    return out


MODELS: dict[str, type[_Model]] = {"mclp": MCLP, "lscp": LSCP, "pmedian": PMedian}
