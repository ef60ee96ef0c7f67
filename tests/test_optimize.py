"""Placement optimisation (coverage.optimize): hand-checked tiny instances, brute force on
small random ones, HiGHS's time-limit path, and equal objectives to spopt (CBC) on the
real 504 Taoyuan villages."""
from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from coverage.optimize import LSCP, MCLP, MODELS, PMedian, PlacementResult

NAN = np.nan
# spopt builds its models with PuLP calls that PuLP itself marks deprecated
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

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
def _brute(kind, costs, w, radius, k, fixed=()):
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
    best = None
    for combo in itertools.combinations(free, k):
        sel = list(fixed) + list(combo)
        if kind == "mclp":
            val = w[(costs[:, sel] <= radius).any(axis=1)].sum()
            best = val if best is None else max(best, val)
        else:
            d = costs[:, sel].min(axis=1)
            val = (w * d).sum()
            best = val if best is None else min(best, val)
    return best


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
        want = _brute(model.kind, costs, w, radius, k, fixed)
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


def test_time_limit_reports_highs_status_and_gap():
    # 400 x 400 random p-median (160,000 assignment pairs): HiGHS cannot prove
    # optimality in 0.2 s.
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 50_000, (400, 2))
    costs = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(1, 5000, 400).astype(float)
    res = PMedian.from_costs(costs, w, k=7).solve(time_limit=0.2)
    if res.optimal:
        pytest.skip("HiGHS proved optimality within 0.2 s on this machine")
    assert res.solver_status == "Time limit reached"
    assert not math.isnan(res.mip_gap) and res.mip_gap > 0
    assert len(res.chosen) == 7 and math.isfinite(res.objective)
    greedy = PMedian.from_costs(costs, w, k=7).solve(method="greedy")
    assert res.objective <= greedy.objective + 1e-6  # never worse than the greedy fallback


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


# --- equal objectives to spopt on the real Taoyuan villages ---------------------------------
@pytest.fixture(scope="module")
def taoyuan():
    from scipy.spatial.distance import cdist

    from geo.boundaries import to_metric
    from geo.paths import resolve_data_dir
    from geo.population import load_village_table

    data_dir = resolve_data_dir()
    if data_dir is None:
        pytest.skip("no data directory (population) available")
    villages, _ = load_village_table(data_dir)
    assert len(villages) == 504 and villages["population"].notna().all()
    pts = to_metric(villages).geometry.representative_point()  # point on surface, EPSG:3826
    xy = np.c_[pts.x, pts.y]
    return villages, cdist(xy, xy), villages["population"].to_numpy(dtype=float)


def _spopt_objective(model, solver: str = "cbc") -> float:
    import pulp
    if solver == "highs":
        # PuLP's own status says "Optimal" even after a time limit: ask HiGHS itself
        model.solve(pulp.HiGHS(msg=False, gapRel=0.0))
        highs = model.problem.solverModel
        assert highs.modelStatusToString(highs.getModelStatus()) == "Optimal"
    else:
        model.solve(pulp.PULP_CBC_CMD(msg=False))
        assert pulp.LpStatus[model.problem.status] == "Optimal"
    return float(model.problem.objective.value())


@pytest.mark.parametrize("k", [3, 5, 10])
def test_mclp_equals_spopt_on_taoyuan(taoyuan, k):
    from spopt.locate import MCLP as SpMCLP
    villages, costs, pop = taoyuan
    ours = MCLP.from_costs(costs, pop, radius=3000, k=k,
                           candidate_ids=villages.index, demand_ids=villages.index).solve()
    assert ours.optimal and ours.total_demand == pop.sum()
    theirs = _spopt_objective(SpMCLP.from_cost_matrix(costs, pop, 3000, k))
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
    theirs = _spopt_objective(SpLSCP.from_cost_matrix(costs, radius))
    assert ours.objective == theirs and len(ours.chosen) == theirs
    greedy = LSCP.from_costs(costs, pop, radius=radius).solve(method="greedy")
    assert greedy.covered_demand_after == pop.sum() and greedy.objective >= ours.objective


def test_pmedian_equals_spopt_on_all_504_taoyuan_villages(taoyuan):
    # the full 504 x 504 instance: spopt's p-median (254,520 PuLP variables) solved by
    # HiGHS through PuLP takes about 80 s here; CBC does not finish within 5 minutes
    from spopt.locate import PMedian as SpPMedian
    villages, costs, pop = taoyuan
    ours = PMedian.from_costs(costs, pop, k=3, candidate_ids=villages.index,
                              demand_ids=villages.index).solve(time_limit=120)
    assert ours.optimal and ours.solver_status == "Optimal"
    theirs = _spopt_objective(SpPMedian.from_cost_matrix(costs, pop, 3), solver="highs")
    assert ours.objective == pytest.approx(theirs, rel=1e-9)
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
    theirs = _spopt_objective(SpPMedian.from_cost_matrix(sub, w, 3))
    assert ours.objective == pytest.approx(theirs, rel=1e-7)
    greedy = PMedian.from_costs(sub, w, k=3).solve(method="greedy")
    assert greedy.objective >= ours.objective * (1 - 1e-9)


def test_mclp_time_limit_returns_incumbent_and_a_valid_bound(taoyuan):
    # Taoyuan, 3 km, k = 15 takes a few hundred branch-and-bound nodes (about 1 s);
    # stopped after 0.15 s, the incumbent and the reported bound must bracket the optimum
    _, costs, pop = taoyuan
    model = MCLP.from_costs(costs, pop, radius=3000, k=15)
    stopped = model.solve(time_limit=0.15)
    if stopped.optimal:
        pytest.skip("the branch and bound finished within 0.15 s on this machine")
    assert stopped.solver_status == "Time limit reached" and 0 < stopped.mip_gap < math.inf
    assert len(stopped.new_sites) == 15
    full = model.solve(time_limit=120)
    assert full.optimal
    bound = stopped.objective * (1 + stopped.mip_gap)
    assert stopped.objective <= full.objective <= bound * (1 + 1e-9)


@pytest.mark.parametrize("seed, fixed", [(1, []), (2, [5]), (3, [0, 17])])
def test_pmedian_with_truncated_pair_lists_is_still_exact(monkeypatch, seed, fixed):
    # With a tiny pair budget every point starts with its 16 nearest candidates and an
    # "overflow" priced at the 17th: the Lagrangian bound is then that of a relaxation,
    # lists are widened until truncation is provably harmless, and the answer must still
    # be the brute-force optimum (k = 2 new sites among 80: 3,160 combinations; with so
    # few sites most points are served beyond their 16 nearest candidates).
    import coverage.optimize as optimize
    rng = np.random.default_rng(seed)
    dem_xy, cand_xy = rng.uniform(0, 10_000, (60, 2)), rng.uniform(0, 10_000, (80, 2))
    costs = np.hypot(*(dem_xy[:, None, :] - cand_xy[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(1, 3000, 60).astype(float)
    want = _brute("pmedian", costs, w, None, 2, fixed)
    monkeypatch.setattr(optimize, "_PAIR_BUDGET", 1)
    # switch the heuristics off (no swaps, no Lagrangian solutions) so that the proof, not
    # a lucky incumbent, has to deliver the optimum: widening, fixing, then HiGHS
    lagrangian = optimize._pmedian_lagrangian
    monkeypatch.setattr(optimize, "_pmedian_swap", lambda c, w, x, *a, **kw: x)
    monkeypatch.setattr(optimize, "_pmedian_lagrangian", lambda *a, **kw: {
        **lagrangian(*a, **kw), "best_cost": math.inf})
    res = PMedian.from_costs(costs, w, k=2, fixed=fixed).solve(time_limit=60)
    assert res.optimal and res.objective == pytest.approx(want, rel=1e-9)
    assert set(fixed) <= set(res.chosen) and len(res.new_sites) == 2


def test_pmedian_lagrangian_bound_never_exceeds_the_optimum():
    # the dual bound alone (one call, no fixing) on instances with a real integrality gap
    import coverage.optimize as optimize
    for seed in range(4):
        rng = np.random.default_rng(100 + seed)
        xy = rng.uniform(0, 10_000, (30, 2))
        costs = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        w = rng.integers(1, 3000, 30).astype(float)
        want = _brute("pmedian", costs, w, None, 4)
        order = np.argsort(costs, axis=1, kind="stable")
        cst = np.take_along_axis(w[:, None] * costs, order, axis=1)
        for width in (30, 5):  # all pairs; 5 nearest + overflow at the 6th
            over = cst[:, width] if width < 30 else np.full(30, np.inf)
            lag = optimize._pmedian_lagrangian(
                order[:, :width], cst[:, :width], over, np.zeros(30, dtype=bool), 4,
                want * 1.05, None, math.inf,
                lambda x: float(w @ costs[:, x].min(axis=1)))
            assert lag["lb"] <= want * (1 + 1e-9)
            assert lag["best_cost"] >= want * (1 - 1e-9)
            if width == 30:
                assert lag["lb"] >= 0.9 * want  # and it is a useful bound


@pytest.mark.parametrize("seed", range(4))
def test_pmedian_fixing_only_removes_what_cannot_beat_the_incumbent(seed):
    # Every site the Lagrangian fixing closes, every site it forces open and every pair
    # it drops is checked by brute force (16 candidates, k = 3: 560 solutions): each must
    # only appear in solutions costing more than the incumbent.
    import coverage.optimize as optimize
    rng = np.random.default_rng(200 + seed)
    n, m, k = 24, 16, 3
    dem_xy, cand_xy = rng.uniform(0, 10_000, (n, 2)), rng.uniform(0, 10_000, (m, 2))
    costs = np.hypot(*(dem_xy[:, None, :] - cand_xy[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(1, 3000, n).astype(float)
    combos = [list(c) for c in itertools.combinations(range(m), k)]
    values = np.array([w @ costs[:, c].min(axis=1) for c in combos])
    ub = float(values.min()) * 1.002  # an incumbent 0.2 % above the optimum
    fixed = np.zeros(m, dtype=bool)
    order = np.argsort(costs, axis=1, kind="stable")
    cst = np.take_along_axis(w[:, None] * costs, order, axis=1)
    for width in (m, 6):
        over = cst[:, width] if width < m else np.full(n, np.inf)
        lag = optimize._pmedian_lagrangian(order[:, :width], cst[:, :width], over, fixed, k,
                                           ub, None, math.inf,
                                           lambda x: float(w @ costs[:, x].min(axis=1)))
        allowed, forced, keep = optimize._pmedian_fixing(order[:, :width], cst[:, :width],
                                                         over, lag, fixed, ub)
        assert (~allowed).sum() + forced.sum() > 0  # the test must exercise some fixing
        for j in np.flatnonzero(~allowed):
            assert min(v for c, v in zip(combos, values) if j in c) > ub
        for j in np.flatnonzero(forced):
            assert min(v for c, v in zip(combos, values) if j not in c) > ub
        for i, p in zip(*np.nonzero(~keep & np.isfinite(cst[:, :width]))):
            j = order[i, p]
            # i served by j, everyone else by their nearest open site
            assert min(v - w[i] * (costs[i, c].min() - costs[i, j])
                       for c, v in zip(combos, values) if j in c) > ub
        if width < m:  # pairs past the kept width: the widening test
            short = np.isfinite(over) & ~(lag["lb"] + np.maximum(0.0, over - lag["lam"]) > ub)
            for i in np.flatnonzero(~short):
                for j in order[i, width:]:
                    assert min(v - w[i] * (costs[i, c].min() - costs[i, j])
                               for c, v in zip(combos, values) if j in c) > ub
