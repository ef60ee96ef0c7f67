"""Placement models against spopt 0.7 (PuLP + CBC) on the real 504 Taoyuan villages,
straight-line metres: equal objectives, and a stopped solve that brackets spopt's optimum.
The full 504 x 504 p-median is checked against its MIP built here and solved by HiGHS."""
from __future__ import annotations

import math

import numpy as np
import pytest

from coverage.optimize import LSCP, MCLP, PMedian
from tests.optimize_reference import StopAfterChecks, spopt_objective

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


def _pmedian_milp_reference(costs: np.ndarray, w: np.ndarray, p: int) -> float:
    """The strong p-median MIP (z_ij <= x_j), built here from scratch and solved by scipy's
    HiGHS (scipy.optimize.milp); asserts HiGHS's own status is optimal."""
    import scipy.sparse as sp
    from scipy.optimize import Bounds, LinearConstraint, milp
    n, m = costs.shape
    nz = n * m
    rows, cols = np.repeat(np.arange(n), m), np.tile(np.arange(m), n)
    assign = sp.csr_matrix((np.ones(nz), (rows, np.arange(nz))), shape=(n, nz + m))
    link = sp.csr_matrix((np.r_[np.ones(nz), -np.ones(nz)],
                          (np.r_[np.arange(nz), np.arange(nz)], np.r_[np.arange(nz), nz + cols])),
                         shape=(nz, nz + m))
    count = sp.csr_matrix((np.ones(m), (np.zeros(m, dtype=int), nz + np.arange(m))),
                          shape=(1, nz + m))
    scale = 1e6  # person-metres in millions: HiGHS prefers costs near 1e3
    res = milp(np.r_[(w[:, None] * costs).ravel() / scale, np.zeros(m)],
               constraints=LinearConstraint(sp.vstack([assign, link, count]).tocsr(),
                                            np.r_[np.ones(n), np.full(nz, -np.inf), p],
                                            np.r_[np.ones(n), np.zeros(nz), p]),
               integrality=np.r_[np.zeros(nz), np.ones(m)], bounds=Bounds(0, 1),
               options={"mip_rel_gap": 0.0})
    assert res.status == 0 and "Optimal" in res.message, res.message
    return float(res.fun) * scale


def test_pmedian_equals_an_independent_highs_mip_on_all_504_taoyuan_villages(taoyuan):
    # the full 504 x 504 instance (254,520 variables). spopt builds the same model through
    # PuLP, which takes 80 s on a quiet machine and over 20 minutes on a busy one (CBC
    # does not finish in 5); the model is built here with scipy instead, solved by HiGHS
    # (the district instances below are checked against spopt itself)
    villages, costs, pop = taoyuan
    ours = PMedian.from_costs(costs, pop, k=3, candidate_ids=villages.index,
                              demand_ids=villages.index).solve(time_limit=120)
    assert ours.optimal and ours.solver_status == "Optimal"
    assert ours.objective == pytest.approx(_pmedian_milp_reference(costs, pop, 3), rel=1e-9)
    # the objective recomputed independently from the chosen village codes
    sel = villages.index.get_indexer(list(ours.chosen))
    assert pop @ costs[:, sel].min(axis=1) == pytest.approx(ours.objective, rel=1e-12)


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
