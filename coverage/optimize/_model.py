"""What every placement model shares: building from a cost matrix, ``solve`` (greedy, then
the exact search, under one deadline) and the :class:`PlacementResult` it returns."""
from __future__ import annotations

import math
import time
from typing import ClassVar

import numpy as np

from ._deadline import Deadline
from ._result import PlacementResult, relative_gap
from ._validate import PlacementProblem, validate_problem

__all__ = ["METHODS", "PlacementModel"]

METHODS = ("exact", "greedy")


class PlacementModel:
    """Base of MCLP, LSCP and PMedian. A subclass sets ``kind``, ``needs_radius`` and
    ``maximise`` and implements ``_objective(x)``, ``_greedy(deadline)`` and
    ``_exact(x0, deadline)`` -> (x, HiGHS status text, optimal, bound); ``x`` is always a
    boolean mask over the candidates."""

    kind: ClassVar[str] = ""
    needs_radius: ClassVar[bool] = True
    maximise: ClassVar[bool] = False

    def __init__(self, problem: PlacementProblem) -> None:
        self.problem = problem

    @classmethod
    def _build(cls, cost_matrix, demand, *, radius, k, fixed, candidate_ids, demand_ids):
        return cls(validate_problem(cost_matrix, demand, radius=radius, k=k, fixed=fixed,
                                    candidate_ids=candidate_ids, demand_ids=demand_ids,
                                    needs_radius=cls.needs_radius, kind=cls.kind))

    def solve(self, *, time_limit: float = 60.0, method: str = "exact",
              deadline: Deadline | None = None) -> PlacementResult:
        """Solve the model.

        Parameters
        ----------
        time_limit : float
            Seconds for the whole solve (greedy start, exact search, every HiGHS run).
            With method="greedy" it only stops the local search (the construction always
            completes); model building is not interruptible, so very large inputs can
            overrun it a little.
        method : {"exact", "greedy"}
            "exact": proven optimum, or the best solution found and its gap to the proven
            bound when the time is up. "greedy": the heuristic alone (not optimal).
        deadline : Deadline, optional
            Stop at this :class:`Deadline` instead of ``time_limit`` seconds from now,
            e.g. to share one budget between solves.
        """
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {method!r}")
        if not (isinstance(time_limit, (int, float)) and time_limit > 0):
            raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
        start = time.perf_counter()
        deadline = Deadline(time_limit) if deadline is None else deadline
        greedy_x = self._greedy(deadline)
        if method == "greedy":
            x, status, optimal, gap = greedy_x, "greedy", False, math.inf
        else:
            x, status, optimal, bound = self._exact(greedy_x, deadline.extended(1e-3))
            obj, greedy_obj = self._objective(x), self._objective(greedy_x)
            greedy_better = greedy_obj > obj if self.maximise else greedy_obj < obj
            if not optimal and greedy_better:
                x, obj = greedy_x, greedy_obj  # the search stopped with a worse incumbent
            gap = 0.0 if optimal else relative_gap(obj, bound)
        return self._result(x, method, status, optimal, gap, time.perf_counter() - start)

    def _objective(self, x: np.ndarray) -> float:
        raise NotImplementedError

    def _greedy(self, deadline: Deadline) -> np.ndarray:
        raise NotImplementedError

    def _exact(self, x0: np.ndarray, deadline: Deadline):
        raise NotImplementedError

    def _uncoverable(self) -> np.ndarray:
        """Per demand point: True if no candidate reaches it (within the radius for the
        covering models, at a finite cost for p-median)."""
        p = self.problem
        if self.needs_radius:
            return ~(p.costs <= p.radius).any(axis=1)
        return ~np.isfinite(p.costs).any(axis=1)

    def _covered_demand(self, x: np.ndarray) -> tuple[float, float]:
        """Demand within the radius of the fixed sites / of the chosen sites ``x``."""
        p = self.problem
        if p.radius is None:
            return math.nan, math.nan
        within = p.costs <= p.radius
        return (float(p.demand[within[:, p.fixed].any(axis=1)].sum()),
                float(p.demand[within[:, x].any(axis=1)].sum()))

    def _assignment(self, chosen_idx: np.ndarray) -> dict:
        """Demand id -> id of its nearest chosen candidate, for finite costs only."""
        p = self.problem
        if not chosen_idx.size:
            return {}
        sub = p.costs[:, chosen_idx]
        nearest = sub.argmin(axis=1)
        reach = np.isfinite(sub[np.arange(len(sub)), nearest])
        return {p.demand_ids[i]: p.candidate_ids[chosen_idx[nearest[i]]]
                for i in np.flatnonzero(reach)}

    def _result(self, x, method, status, optimal, gap, runtime) -> PlacementResult:
        p = self.problem
        ids = p.candidate_ids
        chosen_idx = np.flatnonzero(x)
        uncoverable = self._uncoverable()
        before, after = self._covered_demand(x)
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
            assignment=self._assignment(chosen_idx), solver_status=status,
            optimal=bool(optimal), mip_gap=0.0 if optimal else float(gap),
            runtime_s=float(runtime), radius=p.radius, k=p.k)
