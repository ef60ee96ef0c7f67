"""Placement models against spopt 0.7 (PuLP + CBC) on the real 504 Taoyuan villages,
straight-line metres: equal objectives, and a stopped solve that brackets spopt's optimum.
The full 504 x 504 p-median is checked against its optimum proven here (a Lagrangian bound
and enumeration of what it leaves open, itself checked against brute force)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from coverage.optimize import LSCP, MCLP, PMedian
from tests.optimize_reference import StopAfterChecks, brute_force, spopt_objective

# spopt builds its models with PuLP calls that PuLP itself marks deprecated
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def taoyuan(data_dir):
    """The 504 villages of the 2021-03 population file (a fixed instance, whatever the
    default vintage), their point-on-surface distances (metres, EPSG:3826, computed with
    scipy here) and residents."""
    from scipy.spatial.distance import cdist

    from geo.population import load_village_table

    villages, _ = load_village_table(data_dir, population_file="taoyuan_villages_2021-03.csv")
    assert len(villages) == 504 and villages["population"].notna().all()
    pts = villages.geometry.to_crs("EPSG:3826").representative_point()
    xy = np.c_[pts.x, pts.y]
    return villages, cdist(xy, xy), villages["population"].to_numpy(dtype=float)


@pytest.mark.parametrize("k", [3, 5, 10])
def test_mclp_equals_spopt_on_taoyuan(taoyuan, k):
    from spopt.locate import MCLP as SpMCLP
    villages, costs, pop = taoyuan
    ours = MCLP.from_costs(costs, pop, radius=3000, k=k,
                           candidate_ids=villages.index, demand_ids=villages.index).solve()
    assert ours.optimal and ours.total_demand == pop.sum()
    theirs = spopt_objective(SpMCLP.from_cost_matrix(costs, pop, 3000, k))
    assert ours.objective == pytest.approx(theirs, abs=0.5)
    # covered demand recomputed independently from the chosen village codes
    sel = villages.index.get_indexer(list(ours.chosen))
    assert pop[(costs[:, sel] <= 3000).any(axis=1)].sum() == pytest.approx(ours.objective)
    greedy = MCLP.from_costs(costs, pop, radius=3000, k=k).solve(method="greedy")
    assert greedy.objective <= ours.objective and len(greedy.chosen) == k


@pytest.mark.parametrize("radius", [5000, 8000])
def test_lscp_equals_spopt_on_taoyuan(taoyuan, radius):
    from spopt.locate import LSCP as SpLSCP
    villages, costs, pop = taoyuan
    ours = LSCP.from_costs(costs, pop, radius=radius).solve()
    # candidates sit on the village points, so every village covers itself
    assert ours.uncoverable_ids == () and ours.covered_demand_after == pop.sum()
    theirs = spopt_objective(SpLSCP.from_cost_matrix(costs, radius))
    assert ours.objective == theirs and len(ours.chosen) == theirs
    greedy = LSCP.from_costs(costs, pop, radius=radius).solve(method="greedy")
    assert greedy.covered_demand_after == pop.sum() and greedy.objective >= ours.objective


def _pmedian_optimum_by_bounded_enumeration(costs: np.ndarray, w: np.ndarray, p: int,
                                            upper: float) -> tuple[float, int]:
    """The optimal p-median objective, proven here without any solver: every choice S of p
    sites costs at least sum_i lam_i + sum_{j in S} rho_j, rho_j = sum_i min(0, w_i d_ij -
    lam_i), for ANY lam (relax "each point served once" with multipliers lam; the served
    site's term is >= the sum of the non-positive terms). lam is improved by subgradient
    steps; then every choice whose bound is <= ``upper`` (the cost of a known solution) is
    enumerated and evaluated exactly, so the optimum is among them. Returns (optimum,
    number of choices evaluated)."""
    c = w[:, None] * costs
    lam = np.sort(c, axis=1)[:, 1].copy()  # each point's cheapest service but one
    best_bound, best_lam, step = -np.inf, lam.copy(), 2.0
    for it in range(2000):
        rho = np.minimum(0.0, c - lam[:, None]).sum(axis=0)
        chosen = np.argpartition(rho, p)[:p]
        bound = lam.sum() + rho[chosen].sum()
        if bound > best_bound:
            best_bound, best_lam = bound, lam.copy()
        g = 1.0 - (c[:, chosen] < lam[:, None]).sum(axis=1)
        if bound >= upper or not g.any():
            break
        lam = lam + step * (upper - bound) / (g @ g) * g
        step *= 0.7 if it % 100 == 99 else 1.0
    rho = np.minimum(0.0, c - best_lam[:, None]).sum(axis=0)
    slack = upper * (1 + 1e-9) - best_lam.sum()
    order = np.argsort(rho, kind="stable")
    r = rho[order]
    found: list[list[int]] = []

    def extend(prefix: list[int], start: int, total: float) -> None:
        if len(prefix) == p:
            found.append([int(order[k]) for k in prefix])
            return
        for k in range(start, len(r)):
            if total + (p - len(prefix)) * r[k] > slack:  # r ascending: nothing cheaper left
                break
            extend(prefix + [k], k + 1, total + r[k])

    extend([], 0, 0.0)
    assert 0 < len(found) <= 10_000, len(found)  # a weak bound would enumerate too much
    return min(float(w @ costs[:, s].min(axis=1)) for s in found), len(found)


def test_pmedian_equals_the_proven_optimum_on_all_504_taoyuan_villages(taoyuan):
    # the full 504 x 504 instance. spopt (PuLP + CBC) takes 80 s on a quiet machine and
    # over 20 minutes on a busy one, and a MIP of its 254,520 variables solved by scipy's
    # HiGHS still 30-40 s; the optimum is proven here by a Lagrangian bound and an
    # enumeration of the few choices it leaves open (the district instances below are
    # checked against spopt itself)
    villages, costs, pop = taoyuan
    ours = PMedian.from_costs(costs, pop, k=3, candidate_ids=villages.index,
                              demand_ids=villages.index).solve(time_limit=120)
    assert ours.optimal and ours.solver_status == "Optimal"
    # the objective recomputed independently from the chosen village codes
    sel = villages.index.get_indexer(list(ours.chosen))
    value = float(pop @ costs[:, sel].min(axis=1))
    assert value == pytest.approx(ours.objective, rel=1e-12)
    optimum, _ = _pmedian_optimum_by_bounded_enumeration(costs, pop, 3, value)
    assert ours.objective == pytest.approx(optimum, rel=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_bounded_enumeration_equals_brute_force(seed):
    # the reference above, itself checked against plain enumeration of all 9,880 triples of
    # 40 points; an upper bound 5 % above the optimum leaves a few thousand of them open,
    # so the pruning is exercised and must never drop the optimum
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, (40, 2))
    costs = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(1, 3000, 40).astype(float)
    want = brute_force("pmedian", costs, w, None, 3)
    got, n = _pmedian_optimum_by_bounded_enumeration(costs, w, 3, want * 1.05)
    assert got == pytest.approx(want, rel=1e-12) and 1 < n < 9880


@pytest.mark.parametrize("districts", [["中壢區"], ["桃園區", "八德區"]])
def test_pmedian_equals_spopt_on_taoyuan_districts(taoyuan, districts):
    from spopt.locate import PMedian as SpPMedian
    villages, costs, pop = taoyuan
    idx = np.flatnonzero(villages["district"].isin(districts).to_numpy())
    sub, w = costs[np.ix_(idx, idx)], pop[idx]
    ours = PMedian.from_costs(sub, w, k=3).solve()
    assert ours.optimal
    theirs = spopt_objective(SpPMedian.from_cost_matrix(sub, w, 3))
    assert ours.objective == pytest.approx(theirs, rel=1e-7)
    greedy = PMedian.from_costs(sub, w, k=3).solve(method="greedy")
    assert greedy.objective >= ours.objective * (1 - 1e-9)


def test_mclp_stopped_early_brackets_spopts_optimum_on_taoyuan(taoyuan):
    # Taoyuan, 3 km, k = 15 takes a few hundred branch-and-bound nodes; stopped after 0 or
    # 40 deadline checks (the same step on any machine), the incumbent and the reported
    # bound must bracket spopt's (CBC) optimum
    from spopt.locate import MCLP as SpMCLP
    _, costs, pop = taoyuan
    theirs = spopt_objective(SpMCLP.from_cost_matrix(costs, pop, 3000, 15))
    for checks in (0, 40):
        stopped = MCLP.from_costs(costs, pop, radius=3000, k=15).solve(
            deadline=StopAfterChecks(checks))
        assert stopped.solver_status == "Time limit reached" and not stopped.optimal
        assert 0 < stopped.mip_gap < math.inf and len(stopped.new_sites) == 15
        sel = list(stopped.chosen)
        assert stopped.objective == pop[(costs[:, sel] <= 3000).any(axis=1)].sum()
        assert stopped.objective <= theirs <= stopped.objective * (1 + stopped.mip_gap) + 0.5
