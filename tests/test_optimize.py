"""Placement optimisation (coverage.optimize): hand-checked tiny instances, brute force on
small random ones, the time-limit path stopped at a chosen step (the same on any machine)
and bad input. The proofs' building blocks are in test_optimize_internals.py, the
comparisons with spopt on the real villages in test_optimize_spopt.py."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from coverage.optimize import LSCP, MCLP, METHODS, MODELS, Deadline, PMedian, PlacementResult
from tests.optimize_reference import StopAfterChecks, brute_force

NAN = np.nan

# --- a covering instance where greedy is NOT optimal --------------------------------------
# radius 10. Candidate c0 sits between A and B; c1 near A and C; c2 near B and D;
# E is 50 from everything (no candidate within the radius).
#   c0 covers {A, B}       = 10 + 10 = 20
#   c1 covers {A, C}       = 10 +  9 = 19
#   c2 covers {B, D}       = 10 +  9 = 19
# MCLP k=2: greedy takes c0 (20) then c1 or c2 (+9) = 29; the optimum is {c1, c2} = 38.
# LSCP: C is only covered by c1 and D only by c2, and {c1, c2} also covers A and B:
# 2 sites. E is uncoverable (weight 5).
COVER_COSTS = np.array([
    # c0  c1  c2
    [5,   6,  50],   # A w=10
    [5,  50,   6],   # B w=10
    [50,  7,  50],   # C w=9
    [50, 50,   7],   # D w=9
    [50, 50,  50],   # E w=5
], dtype=float)
COVER_W = np.array([10, 10, 9, 9, 5], dtype=float)
CAND = ["c0", "c1", "c2"]
DEM = ["A", "B", "C", "D", "E"]

# --- a p-median instance -------------------------------------------------------------------
#        c0  c1  c2
# d0 w1:  0   4   9
# d1 w1:  4   0   5
# d2 w1:  9   5   0
# d3 w3:  7   3   4
# p=1: c0 = 0+4+9+21 = 34, c1 = 4+0+5+9 = 18, c2 = 9+5+0+12 = 26  -> c1, 18
# p=2: {c0,c1} = 0+0+5+9 = 14, {c0,c2} = 0+4+0+12 = 16, {c1,c2} = 4+0+0+9 = 13 -> 13
# fixed c0 + k=1: {c0,c1} = 14 beats {c0,c2} = 16 -> c1; d2 goes to c1 (5 < 9).
PM_COSTS = np.array([[0, 4, 9], [4, 0, 5], [9, 5, 0], [7, 3, 4]], dtype=float)
PM_W = np.array([1, 1, 1, 3], dtype=float)


def _mclp(**kw):
    return MCLP.from_costs(COVER_COSTS, COVER_W, radius=10, candidate_ids=CAND,
                           demand_ids=DEM, **kw)


# --- an MCLP instance where greedy + one-swap local search is NOT optimal ------------------
# radius 10; "1" = within the radius, "50" = beyond it.
#   c0 covers {E}     = 5
#   c1 covers {C, D}  = 3 + 3 = 6
#   c2 covers {A, C}  = 9 + 3 = 12
#   c3 covers {A, B}  = 9 + 3 = 12
# k=2: greedy takes c2 (12; tie with c3, lowest index) then c0 (+5; c1 and c3 add 3) = 17.
# No single swap improves {c0, c2}: {c1,c2} 15, {c2,c3} 15, {c0,c1} 11, {c0,c3} 17.
# The optimum {c1, c3} covers A, B, C, D = 18.
SWAP_COSTS = np.array([
    # c0  c1  c2  c3
    [50, 50,  1,  1],   # A w=9
    [50, 50, 50,  1],   # B w=3
    [50,  1,  1, 50],   # C w=3
    [50,  1, 50, 50],   # D w=3
    [1,  50, 50, 50],   # E w=5
], dtype=float)
SWAP_W = np.array([9, 3, 3, 3, 5], dtype=float)


def test_mclp_hand_instance_exact_and_greedy_with_swap():
    exact = _mclp(k=2).solve()
    assert isinstance(exact, PlacementResult)
    assert exact.chosen == ("c1", "c2") and exact.new_sites == ("c1", "c2")
    assert exact.objective == 38 and exact.covered_demand_after == 38
    assert exact.covered_demand_before == 0
    assert exact.total_demand == 43
    assert exact.uncoverable_demand == 5 and exact.uncoverable_ids == ("E",)
    assert exact.optimal and exact.mip_gap == 0.0 and exact.solver_status == "Optimal"
    # plain greedy would take c0 (20) and then c1 (+9) = 29; the swap step finds 38
    greedy = _mclp(k=2).solve(method="greedy")
    assert greedy.objective == 38 and greedy.chosen == ("c1", "c2")
    assert not greedy.optimal and greedy.solver_status == "greedy"


def test_mclp_exact_beats_greedy_with_swaps():
    model = MCLP.from_costs(SWAP_COSTS, SWAP_W, radius=10, k=2,
                            candidate_ids=["c0", "c1", "c2", "c3"])
    greedy = model.solve(method="greedy")
    assert greedy.chosen == ("c0", "c2") and greedy.objective == 17
    exact = model.solve()
    assert exact.chosen == ("c1", "c3") and exact.objective == 18 and exact.optimal


def test_mclp_fixed_site_is_kept_and_k_counts_new_sites():
    # c0 open already (covers A, B = 20); one new site adds C or D (+9) = 29.
    res = _mclp(k=1, fixed=["c0"]).solve()
    assert "c0" in res.chosen and len(res.chosen) == 2 and len(res.new_sites) == 1
    assert dict(zip(res.chosen, res.chosen_fixed))["c0"] is True
    assert res.new_sites[0] in ("c1", "c2")
    assert res.covered_demand_before == 20 and res.objective == 29
    # k=0: only the fixed site
    assert _mclp(k=0, fixed=["c0"]).solve().chosen == ("c0",)


def test_mclp_fixed_site_forced_even_when_useless():
    # Forcing c0 with k=2 leaves 2 new sites c1, c2: all three chosen, coverage 38.
    res = _mclp(k=2, fixed=["c0"]).solve()
    assert res.chosen == ("c0", "c1", "c2") and res.chosen_fixed == (True, False, False)
    assert res.objective == 38


def test_lscp_hand_instance_with_uncoverable_point():
    res = LSCP.from_costs(COVER_COSTS, COVER_W, radius=10, candidate_ids=CAND,
                          demand_ids=DEM).solve()
    assert res.chosen == ("c1", "c2") and res.objective == 2
    assert res.uncoverable_ids == ("E",) and res.uncoverable_demand == 5
    assert res.covered_demand_after == 38 and res.optimal
    # Greedy set cover picks c0 first (ties on 2 points, lowest index), then c1 and c2,
    # and then drops c0 as redundant.
    greedy = LSCP.from_costs(COVER_COSTS, COVER_W, radius=10).solve(method="greedy")
    assert greedy.chosen == (1, 2) and greedy.objective == 2


def test_lscp_fixed_sites_forced_objective_counts_new_sites():
    res = LSCP.from_costs(COVER_COSTS, COVER_W, radius=10, candidate_ids=CAND,
                          fixed=["c0"]).solve()
    assert res.chosen == ("c0", "c1", "c2") and res.new_sites == ("c1", "c2")
    assert res.objective == 2 and res.covered_demand_before == 20
    # a fixed site that already covers everything coverable: nothing to add
    all_in_one = np.array([[1, 20], [2, 20], [30, 30]], dtype=float)
    res = LSCP.from_costs(all_in_one, np.ones(3), radius=10, fixed=[0]).solve()
    assert res.chosen == (0,) and res.objective == 0 and res.uncoverable_ids == (2,)


def test_pmedian_hand_instance():
    one = PMedian.from_costs(PM_COSTS, PM_W, k=1).solve()
    assert one.chosen == (1,) and one.objective == pytest.approx(18)
    two = PMedian.from_costs(PM_COSTS, PM_W, k=2).solve()
    assert two.chosen == (1, 2) and two.objective == pytest.approx(13)
    assert two.assignment == {0: 1, 1: 1, 2: 2, 3: 1}
    assert two.optimal and math.isnan(two.covered_demand_after)  # no radius given
    fixed = PMedian.from_costs(PM_COSTS, PM_W, k=1, fixed=[0], radius=4).solve()
    assert fixed.chosen == (0, 1) and fixed.chosen_fixed == (True, False)
    assert fixed.objective == pytest.approx(14)
    assert fixed.assignment == {0: 0, 1: 1, 2: 1, 3: 1}
    # radius 4, reporting only: c0 alone reaches d0 and d1 (2); c0+c1 reach all but d2
    assert fixed.covered_demand_before == 2 and fixed.covered_demand_after == 5


def test_nan_cost_is_unreachable():
    costs = PM_COSTS.copy()
    costs[2, 1] = NAN  # d2 cannot be served by c1: p=1 must now be c2 (26) not c1
    res = PMedian.from_costs(costs, PM_W, k=1).solve()
    assert res.chosen == (2,) and res.objective == pytest.approx(26)
    assert PMedian.from_costs(costs, PM_W, k=1).solve(method="greedy").chosen == (2,)
    # a row of NaN/inf: uncoverable, left out of the objective
    costs = np.vstack([PM_COSTS, [NAN, np.inf, NAN]])
    res = PMedian.from_costs(costs, np.r_[PM_W, 7.0], k=2).solve()
    assert res.objective == pytest.approx(13) and res.uncoverable_ids == (4,)
    assert res.uncoverable_demand == 7 and 4 not in res.assignment
    mclp = MCLP.from_costs(np.array([[NAN, 1.0], [np.inf, 20.0]]), [1, 1], radius=5, k=1)
    assert mclp.solve().chosen == (1,)


# --- brute force on small random instances ------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_exact_matches_brute_force_and_greedy_is_feasible_not_better(seed):
    rng = np.random.default_rng(seed)
    n, m = 9, 7
    dem_xy, cand_xy = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    costs = np.hypot(*(dem_xy[:, None, :] - cand_xy[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(0, 50, n).astype(float)
    fixed = [int(rng.integers(m))] if seed % 2 else []
    radius, k = 3.0, 2
    for model, kw in ((MCLP, dict(radius=radius, k=k)), (LSCP, dict(radius=radius)),
                      (PMedian, dict(k=k))):
        built = model.from_costs(costs, w, fixed=fixed, **kw)
        exact = built.solve()
        greedy = built.solve(method="greedy")
        want = brute_force(model.kind, costs, w, radius, k, fixed)
        assert exact.optimal
        assert exact.objective == pytest.approx(want, rel=1e-9)
        assert set(fixed) <= set(exact.chosen) and set(fixed) <= set(greedy.chosen)
        if model is LSCP:  # greedy must also cover every coverable point
            within = costs <= radius
            sel = list(greedy.chosen)
            assert (within[:, sel].any(axis=1) >= within.any(axis=1)).all()
            assert greedy.objective >= exact.objective
        elif model is MCLP:
            assert len(greedy.new_sites) == k and greedy.objective <= exact.objective + 1e-9
        else:
            assert len(greedy.new_sites) == k and greedy.objective >= exact.objective - 1e-6


# --- a solve stopped at a chosen step: the same path on a fast and a slow machine ---------
def _random_costs(seed: int, n: int, m: int):
    rng = np.random.default_rng(seed)
    dem_xy, cand_xy = rng.uniform(0, 10_000, (n, 2)), rng.uniform(0, 10_000, (m, 2))
    costs = np.hypot(*(dem_xy[:, None, :] - cand_xy[None, :, :]).transpose(2, 0, 1))
    return costs, rng.integers(1, 3000, n).astype(float)


@pytest.mark.parametrize("checks", [0, 1, 4])
def test_mclp_stopped_in_branch_and_bound_brackets_the_brute_force_optimum(checks):
    # 150 points, 24 candidates, 3 km, k = 4: the root LP is fractional and the search
    # needs 7 deadline checks (local-search passes and nodes) to finish; stopped after
    # ``checks`` of them, the incumbent and the reported bound must bracket the optimum
    # found by enumerating all 10,626 choices
    costs, w = _random_costs(0, 150, 24)
    want = brute_force("mclp", costs, w, 3000, 4)
    res = MCLP.from_costs(costs, w, radius=3000, k=4).solve(deadline=StopAfterChecks(checks))
    assert res.solver_status == "Time limit reached" and not res.optimal
    assert 0 < res.mip_gap < math.inf and len(res.new_sites) == 4
    sel = list(res.chosen)
    assert res.objective == w[(costs[:, sel] <= 3000).any(axis=1)].sum()
    assert res.objective < want <= res.objective * (1 + res.mip_gap) * (1 + 1e-12)


@pytest.mark.parametrize("seed, checks", [(0, 0), (0, 10), (1, 5), (1, 20)])
def test_pmedian_stopped_in_lagrangian_brackets_the_brute_force_optimum(seed, checks):
    # 80 points, 30 candidates, k = 4 (27,405 choices): the Lagrangian needs about 30
    # iterations to close the gap; stopped earlier the solve must say so, and its
    # incumbent and lower bound must bracket the enumerated optimum
    costs, w = _random_costs(seed, 80, 30)
    want = brute_force("pmedian", costs, w, None, 4)
    res = PMedian.from_costs(costs, w, k=4).solve(deadline=StopAfterChecks(checks))
    assert res.solver_status == "Time limit reached" and not res.optimal
    assert 0 < res.mip_gap < math.inf and len(res.chosen) == 4
    sel = list(res.chosen)
    assert res.objective == pytest.approx(w @ costs[:, sel].min(axis=1), rel=1e-12)
    assert res.objective * (1 - res.mip_gap) <= want * (1 + 1e-9)
    assert res.objective >= want * (1 - 1e-9)


def test_real_deadline_in_the_past_still_returns_k_sites():
    # a Deadline that has already passed: the heuristics stop at once, the exact phase
    # gets its minimum moment; whatever it reaches, the answer is feasible
    costs, w = _random_costs(3, 80, 30)
    mclp = MCLP.from_costs(costs, w, radius=2000, k=3).solve(deadline=Deadline(-1.0))
    pmedian = PMedian.from_costs(costs, w, k=3).solve(deadline=Deadline(-1.0))
    for res in (mclp, pmedian):
        assert len(res.new_sites) == 3 == len(set(res.chosen))
        assert res.optimal == (res.solver_status == "Optimal")
    # the objective reported is that of the sites returned, recomputed here, and never
    # better than the enumerated optimum
    sel = list(mclp.chosen)
    assert mclp.objective == w[(costs[:, sel] <= 2000).any(axis=1)].sum()
    assert mclp.objective <= brute_force("mclp", costs, w, 2000, 3)
    sel = list(pmedian.chosen)
    assert pmedian.objective == pytest.approx(w @ costs[:, sel].min(axis=1), rel=1e-12)
    assert pmedian.objective >= brute_force("pmedian", costs, w, None, 3) * (1 - 1e-12)


def test_from_cost_matrix_is_the_spopt_named_alias():
    for model in (MCLP, LSCP, PMedian):
        assert model.from_cost_matrix.__func__ is model.from_costs.__func__
    res = MCLP.from_cost_matrix(COVER_COSTS, COVER_W, radius=10, k=2).solve()
    assert res.chosen == (1, 2) and res.objective == 38


def test_result_to_dict_is_json():
    # numpy ids (as from a DataFrame index) must come out as plain JSON numbers
    res = MCLP.from_costs(COVER_COSTS, COVER_W, radius=10, k=1, fixed=[np.int64(0)],
                          candidate_ids=np.arange(3, dtype=np.int64)).solve()
    text = json.dumps(res.to_dict())
    back = json.loads(text)
    assert back["chosen"][0] == {"id": 0, "fixed": True}
    assert back["model"] == "mclp" and back["optimal"] is True
    greedy = MCLP.from_costs(COVER_COSTS, COVER_W, radius=10, k=1).solve(method="greedy")
    assert json.loads(json.dumps(greedy.to_dict()))["mip_gap"] is None  # inf -> null


@pytest.mark.parametrize("call, message", [
    (lambda: MCLP.from_costs(np.ones(3), [1, 1, 1], radius=1, k=1), "2-D"),
    (lambda: MCLP.from_costs(np.ones((3, 2)), [1, 1], radius=1, k=1), "one value per"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, -1], radius=1, k=1), "demand\\[1\\]"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, NAN], radius=1, k=1), "finite"),
    (lambda: MCLP.from_costs(-np.ones((2, 2)), [1, 1], radius=1, k=1), "negative"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=-1), "k "),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=1.5), "k "),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=3), "only 2"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=NAN, k=1), "radius"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=1, fixed=["x"]),
     "fixed site id"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=1,
                             candidate_ids=["a", "a"]), "duplicates"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=1,
                             demand_ids=["a"]), "demand_ids"),
    (lambda: LSCP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=1), "do not pass k"),
    (lambda: PMedian.from_costs(np.ones((2, 2)), [1, 1], k=0), "at least one site"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=1).solve(method="x"),
     "method"),
    (lambda: MCLP.from_costs(np.ones((2, 2)), [1, 1], radius=1, k=1).solve(time_limit=0),
     "time_limit"),
])
def test_bad_input_raises_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_models_registry():
    assert MODELS == {"mclp": MCLP, "lscp": LSCP, "pmedian": PMedian}
    assert METHODS == ("exact", "greedy")
