"""HiGHS (highspy) directly: build a model from sparse arrays, run it, and read HiGHS's own
model status. Never a wrapper's word: PuLP, for one, says "Optimal" after a time limit."""
from __future__ import annotations

import math

import highspy
import numpy as np
import scipy.sparse as sp

__all__ = ["INF", "run_highs", "highs_status", "read_mip_sites"]

INF = highspy.kHighsInf
_HEURISTICS = ("mip_heuristic_run_rins", "mip_heuristic_run_rens",
               "mip_heuristic_run_root_reduced_cost", "mip_heuristic_run_feasibility_jump")


def _cost_scale(col_cost: np.ndarray) -> float:
    """A power of ten that brings the largest cost to about 1e3 (HiGHS slows down badly on
    costs like 1e7)."""
    top = float(np.abs(col_cost).max()) if col_cost.size else 0.0
    return 10.0 ** math.floor(math.log10(top / 1e3)) if top > 0 else 1.0


def _highs_lp(a: sp.spmatrix, col_cost: np.ndarray, lower, upper, row_lo, row_hi, *,
              n_int: int, maximise: bool, offset: float, scale: float) -> highspy.HighsLp:
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
    return lp


def run_highs(a: sp.spmatrix, col_cost, lower, upper, row_lo, row_hi, *, n_int: int,
              maximise: bool, offset: float, time_limit: float, presolve: bool = True,
              heuristics: bool = True) -> tuple[highspy.Highs, float]:
    """Pass ``row_lo <= a @ x <= row_hi``, ``lower <= x <= upper`` (the first ``n_int``
    columns integer) to HiGHS and run it with a zero relative MIP gap (absolute 1e-6 on the
    scaled costs) for at most ``time_limit`` seconds.

    ``presolve=False``: for the covering models our reductions suffice and HiGHS's
    probing costs more. ``heuristics=False``: the caller holds a strong incumbent and
    HiGHS's sub-MIPs cost more. Costs are divided by a power of ten so the largest is
    about 1e3; returns (solver, that scale): multiply HiGHS's objective values and duals
    by it.
    """
    col_cost = np.asarray(col_cost, dtype=float)
    scale = _cost_scale(col_cost)
    lp = _highs_lp(a, col_cost, lower, upper, row_lo, row_hi, n_int=n_int,
                   maximise=maximise, offset=offset, scale=scale)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-6)
    if not presolve:
        h.setOptionValue("presolve", "off")
    if not heuristics:
        for name in _HEURISTICS:
            h.setOptionValue(name, False)
    h.passModel(lp)
    h.run()
    return h, scale


def highs_status(h: highspy.Highs) -> str:
    """HiGHS's own model status as text ("Optimal", "Time limit reached", "Infeasible", ...)."""
    return h.modelStatusToString(h.getModelStatus())


def read_mip_sites(h: highspy.Highs, scale: float, m: int, fallback: np.ndarray):
    """(sites, status text, optimal, dual bound) from a run HiGHS MIP whose first ``m``
    columns are the sites. Optimal only when HiGHS says kOptimal AND holds a feasible
    solution; without a solution the ``fallback`` (greedy) sites are returned. The bound
    is in the unscaled cost units."""
    status = h.getModelStatus()
    info = h.getInfo()
    optimal = status == highspy.HighsModelStatus.kOptimal
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = (np.asarray(h.getSolution().col_value[:m]) > 0.5) if has_sol else fallback.copy()
    return x, h.modelStatusToString(status), bool(optimal and has_sol), info.mip_dual_bound * scale
