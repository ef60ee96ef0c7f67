"""The building blocks of the exact solves, each checked by brute force or by HiGHS's own
word: the p-median Lagrangian bound, its variable fixing, truncated pair lists, and the
reading of a HiGHS MIP stopped by its time limit."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.sparse as sp

import coverage.optimize.pmedian as pmedian_module
from coverage.optimize import Deadline, PMedian
from coverage.optimize._highs import INF, highs_status, read_mip_sites, run_highs
from coverage.optimize._pmedian_lagrangian import fix_by_lagrangian_bounds, lagrangian_dual
from tests.optimize_reference import brute_force

NEVER = Deadline.never()


def _set_cover(n_rows: int, n_cols: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    a = sp.csc_matrix((rng.random((n_rows, n_cols)) < 0.05).astype(float))
    a = a[np.asarray(a.sum(axis=1)).ravel() > 0].tocsc()
    rows, cols = a.shape
    return a, (np.ones(cols), np.zeros(cols), np.ones(cols), np.ones(rows), np.full(rows, INF))


def test_highs_stopped_by_its_time_limit_is_never_optimal():
    # a set-cover MIP given no time at all: HiGHS itself says "Time limit reached"; the
    # reader must pass that on, call it not optimal and return the fallback sites
    a, arrays = _set_cover(300, 120)
    fallback = np.zeros(a.shape[1], dtype=bool)
    fallback[:7] = True
    h, scale = run_highs(a, *arrays, n_int=a.shape[1], maximise=False, offset=0.0,
                         time_limit=0.0, presolve=False)
    x, status, optimal, _ = read_mip_sites(h, scale, a.shape[1], fallback)
    assert status == highs_status(h) == "Time limit reached" and optimal is False
    assert (x == fallback).all() and x is not fallback
    # the same model with time: optimal, and the cover checked here
    h, scale = run_highs(a, *arrays, n_int=a.shape[1], maximise=False, offset=0.0,
                         time_limit=60.0, presolve=False)
    x, status, optimal, bound = read_mip_sites(h, scale, a.shape[1], fallback)
    assert status == "Optimal" and optimal and (a[:, x].sum(axis=1) >= 1).all()
    assert bound == pytest.approx(x.sum(), abs=1e-6)


@pytest.mark.parametrize("seed, fixed", [(1, []), (2, [5]), (3, [0, 17])])
def test_pmedian_with_truncated_pair_lists_is_still_exact(monkeypatch, seed, fixed):
    # With a tiny pair budget every point starts with its 16 nearest candidates and an
    # "overflow" priced at the 17th: the Lagrangian bound is then that of a relaxation,
    # lists are widened until truncation is provably harmless, and the answer must still
    # be the brute-force optimum (k = 2 new sites among 80: 3,160 combinations; with so
    # few sites most points are served beyond their 16 nearest candidates).
    rng = np.random.default_rng(seed)
    dem_xy, cand_xy = rng.uniform(0, 10_000, (60, 2)), rng.uniform(0, 10_000, (80, 2))
    costs = np.hypot(*(dem_xy[:, None, :] - cand_xy[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(1, 3000, 60).astype(float)
    want = brute_force("pmedian", costs, w, None, 2, fixed)
    monkeypatch.setattr(pmedian_module, "PAIR_BUDGET", 1)
    # switch the heuristics off (no swaps, no Lagrangian solutions) so that the proof, not
    # a lucky incumbent, has to deliver the optimum: widening, fixing, then HiGHS
    monkeypatch.setattr(pmedian_module, "interchange", lambda c, w, x, *a, **kw: x)
    monkeypatch.setattr(pmedian_module, "lagrangian_dual", lambda *a, **kw: {
        **lagrangian_dual(*a, **kw), "best_cost": math.inf})
    res = PMedian.from_costs(costs, w, k=2, fixed=fixed).solve(time_limit=60)
    assert res.optimal and res.objective == pytest.approx(want, rel=1e-9)
    assert set(fixed) <= set(res.chosen) and len(res.new_sites) == 2


def test_pmedian_lagrangian_bound_never_exceeds_the_optimum():
    # the dual bound alone (one call, no fixing) on instances with a real integrality gap
    for seed in range(4):
        rng = np.random.default_rng(100 + seed)
        xy = rng.uniform(0, 10_000, (30, 2))
        costs = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        w = rng.integers(1, 3000, 30).astype(float)
        want = brute_force("pmedian", costs, w, None, 4)
        order = np.argsort(costs, axis=1, kind="stable")
        cst = np.take_along_axis(w[:, None] * costs, order, axis=1)
        for width in (30, 5):  # all pairs; 5 nearest + overflow at the 6th
            over = cst[:, width] if width < 30 else np.full(30, np.inf)
            lag = lagrangian_dual(
                order[:, :width], cst[:, :width], over, np.zeros(30, dtype=bool), 4,
                want * 1.05, None, NEVER,
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
        lag = lagrangian_dual(order[:, :width], cst[:, :width], over, fixed, k, ub, None,
                              NEVER, lambda x: float(w @ costs[:, x].min(axis=1)))
        allowed, forced, keep = fix_by_lagrangian_bounds(order[:, :width], cst[:, :width],
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
