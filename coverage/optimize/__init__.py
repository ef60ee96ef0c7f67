"""Placement optimisation: where to add sites (MCLP, LSCP, p-median), solved with HiGHS.

Shape follows spopt: ``Model.from_costs(cost_matrix, demand, *, ...)`` (alias
``from_cost_matrix``) builds a model, ``model.solve(*, time_limit=60.0, method="exact" |
"greedy")`` returns a :class:`PlacementResult`, the same type for every model.

Inputs: ``cost_matrix`` is (n_demand, n_candidates) in any unit: the project passes
metres (straight line in EPSG:3826, or road length) or seconds (road travel time), see
:mod:`coverage.placement`; NaN and inf mean "unreachable". ``demand`` are non-negative
weights (e.g. residents). ``fixed`` are candidate ids already open: always in the solution
(x_j = 1). ``k`` counts NEW sites. ``radius`` is in the unit of the costs.

Models
- MCLP: choose exactly ``k`` new sites (plus the fixed ones) maximising the demand within
  ``radius`` of a chosen site. Objective: covered demand (fixed sites' coverage included).
- LSCP: fewest new sites so that every demand point that some candidate reaches within
  ``radius`` is covered (every point counts, whatever its weight, as in spopt). Points no
  candidate reaches are left out of the constraints and reported as uncoverable.
  Objective: number of NEW sites.
- p-median: choose ``p = len(fixed) + k`` sites minimising the demand-weighted cost to the
  nearest chosen site. Objective: sum of demand x cost.

How each optimum is proven (``method="exact"``). Exact reductions come first (covering
models: points covered by fixed sites are constants, identical points merged, dominated
candidates dropped); the heuristic solution is the starting incumbent.
- MCLP (:mod:`.mclp`, :mod:`._mclp_branch_and_bound`): a depth-first branch and bound
  on the LP relaxation, every LP solved by HiGHS's dual simplex, warm-started. The
  optimum is proven when no open node's LP bound exceeds the incumbent by more than
  1e-9 of the total weight (faster here than HiGHS's MIP, whose root cuts and sub-MIPs
  dominate on these small, tight models).
- LSCP (:mod:`.lscp`): the set-covering MIP passed to HiGHS directly, sparse; the proof
  is HiGHS's own status (mip_rel_gap = 0, mip_abs_gap = 1e-6 on costs scaled to about
  1e3).
- p-median (:mod:`.pmedian`, :mod:`._pmedian_lagrangian`, :mod:`._pmedian_interchange`):
  greedy + interchange gives an incumbent; a Lagrangian dual (assignment rows relaxed,
  subgradient steps; its iterates double as a heuristic) gives a lower bound; if they
  meet within 1e-9, that is the proof. Otherwise every site and assignment pair whose
  forced Lagrangian bound exceeds the incumbent is fixed out, and HiGHS solves the
  strong formulation (z_ij <= x_j) of what is left, its status being the proof. A point
  is never served beyond its nearest fixed site. On large inputs each point starts with
  only its nearest candidates plus an "overflow" priced at the next cost (a relaxation,
  so its bound stays valid); a point's list is widened until its cut-off pairs provably
  cannot beat the incumbent.
The tests (tests/test_optimize.py) hold every model to brute force on small instances
and to spopt (PuLP + CBC or HiGHS, the solver's own status) on the Taoyuan villages, with
straight-line and road costs; the fixing and the Lagrangian bound are checked by brute
force too.

Status strings are HiGHS's own ("Optimal", "Time limit reached", ...), never a wrapper's.
When the time is up the best incumbent is returned with ``optimal=False`` and the relative
gap to the proven bound. If the search stops with no incumbent, or one worse than the
greedy solution, the greedy sites are returned (the status still says why it stopped).
A :class:`Deadline` may replace ``time_limit`` (one budget shared by several solves).

``method="greedy"`` is a heuristic for very large inputs, NOT optimal in general
(``optimal=False``, ``solver_status="greedy"``): MCLP adds the site with the largest
marginal coverage, then swaps a new site for another while that raises the coverage;
LSCP is greedy set cover followed by dropping redundant sites; p-median adds the site
that lowers the total cost most, then makes the best swap of a new site for a non-chosen
candidate while that lowers the cost.
"""
from __future__ import annotations

from ._deadline import Deadline
from ._model import METHODS, PlacementModel
from ._result import PlacementResult
from .lscp import LSCP
from .mclp import MCLP
from .pmedian import PMedian

__all__ = ["MCLP", "LSCP", "PMedian", "PlacementResult", "Deadline", "METHODS", "MODELS"]

MODELS: dict[str, type[PlacementModel]] = {"mclp": MCLP, "lscp": LSCP, "pmedian": PMedian}
