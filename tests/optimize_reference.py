"""Independent references for the placement tests (never the code under test): brute
force over every site combination, spopt's objective with the solver's own status, and
a deadline that stops a solve after a given number of steps instead of a time."""
from __future__ import annotations

import itertools

import numpy as np

from coverage.optimize import Deadline


def brute_force(kind: str, costs: np.ndarray, w: np.ndarray, radius: float | None, k: int,
                fixed=()) -> float:
    """The optimal objective of ``kind`` (mclp | lscp | pmedian) by enumeration."""
    m = costs.shape[1]
    free = [j for j in range(m) if j not in fixed]
    if kind == "lscp":
        within = costs <= radius
        need = within.any(axis=1)
        for size in range(0, len(free) + 1):
            for combo in itertools.combinations(free, size):
                sel = list(fixed) + list(combo)
                if (within[:, sel].any(axis=1) >= need).all():
                    return size
    # p-median: points with no demand or no finite cost anywhere are left out (as the
    # model does); a point the chosen sites cannot reach makes the objective inf
    active = (w > 0) & np.isfinite(costs).any(axis=1)
    best = None
    for combo in itertools.combinations(free, k):
        sel = list(fixed) + list(combo)
        if kind == "mclp":
            val = w[(costs[:, sel] <= radius).any(axis=1)].sum()
            best = val if best is None else max(best, val)
        else:
            val = w[active] @ costs[np.ix_(active, sel)].min(axis=1)
            best = val if best is None else min(best, val)
    return best


def spopt_objective(model) -> float:
    """Solve a spopt model with CBC (no time limit, so PuLP's "Optimal" is CBC's proof)
    and return its objective."""
    import pulp
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[model.problem.status] == "Optimal"
    return float(model.problem.objective.value())


class StopAfterChecks(Deadline):
    """A deadline that passes after ``checks`` calls of ``expired()`` (each loop of the
    solvers asks once per step), whatever the clock; HiGHS runs get an hour, so no HiGHS
    run stops on time. A solve given it stops at the same step on any machine."""

    def __init__(self, checks: int) -> None:  # no call to Deadline.__init__: no clock
        self.left = int(checks)

    def seconds_left(self) -> float:
        return 3600.0

    def expired(self) -> bool:
        self.left -= 1
        return self.left < 0
