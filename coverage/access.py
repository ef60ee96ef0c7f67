"""Spatial accessibility: two-step floating catchment area (2SFCA) and its enhanced,
distance-decayed form (E2SFCA), on a village x site distance matrix in metres.

Definitions (identical to PySAL ``access`` 1.1, ``Access.two_stage_fca`` /
``enhanced_two_stage_fca``; verified in tests/test_access.py to 1e-9):

* weight w(d): 0 beyond the radius (d > radius_m, or inf); inside it
  - ``decay=None``: 1 (classic 2SFCA, Luo & Wang 2003);
  - ``"step"``: weight of the first break b (ascending) with d <= b, 0 beyond the last
    break (``access.weights.step_fn``); default breaks at 1/3, 2/3 and 3/3 of the radius
    with weights 1, 0.68, 0.22 (Luo & Qi 2009);
  - ``"gaussian"``: exp(-d^2 / (2 sigma^2)), no 1/sqrt(2 pi) factor (``access.weights.gaussian``).
* step 1, per site j: R_j = S_j / sum_i D_i w(d_ij) (supply S = capacity, 1 per site when
  the capacity is unknown; demand D = the chosen population group). A site whose catchment
  holds no demand gets R_j = 0 (``access`` would give inf/NaN there).
* step 2, per village i: A_i = sum_j R_j w(d_ij) (supply units per resident; 0 when no
  site is within reach, where ``access`` leaves NaN).
* normalised: A_i / (sum_i D_i A_i / sum_i D_i), so the demand-weighted city mean is 1
  (``access`` ``normalize=True``). Both raw and normalised values are returned.

Sums over villages run along contiguous rows of the transposed weight matrix, so one site's
R_j computed alone equals the full computation bit for bit (used by coverage.engine).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from coverage.distance import DistanceMatrix

DECAYS = (None, "step", "gaussian")


def decay_weights(dist: np.ndarray, *, radius_m: float, decay: str | None = None,
                  sigma_m: float | None = None, steps: dict[float, float] | None = None
                  ) -> np.ndarray:
    """Catchment weights w(d) for an array of distances (metres), same shape."""
    d = np.asarray(dist, dtype=np.float64)
    inside = d <= radius_m
    if decay is None or decay == "none":
        w = np.ones_like(d)
    elif decay == "gaussian":
        if not sigma_m or sigma_m <= 0:
            raise ValueError(f"gaussian decay needs sigma_m > 0, got {sigma_m!r}")
        with np.errstate(invalid="ignore", over="ignore"):
            w = np.exp(-d * d / (2 * sigma_m ** 2))
    elif decay == "step":
        if not steps:
            raise ValueError("step decay needs steps={upper distance m: weight}")
        w = np.zeros_like(d)
        done = np.zeros(d.shape, dtype=bool)
        for upper, weight in sorted(steps.items()):
            if weight < 0:
                raise ValueError(f"step weights must be >= 0, got {weight}")
            hit = ~done & (d <= upper)
            w[hit] = weight
            done |= hit
    else:
        raise ValueError(f"decay must be one of {DECAYS}, got {decay!r}")
    return np.where(inside, w, 0.0)


def supply_values(capacity) -> np.ndarray:
    """Site supply: the capacity, 1 where it is unknown (NaN)."""
    cap = np.asarray(capacity, dtype=np.float64)
    return np.where(np.isnan(cap), 1.0, cap)


def site_ratio(weights_col: np.ndarray, demand: np.ndarray, supply: float) -> float:
    """Step 1 for one site: S_j / sum_i D_i w_ij (0 when the catchment holds no demand)."""
    reach = float((np.ascontiguousarray(weights_col) * demand).sum())
    return supply / reach if reach > 0 else 0.0


def site_ratios(weights_t: np.ndarray, demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Step 1 for all sites; ``weights_t`` is (n_sites, n_villages), C-contiguous."""
    return np.array([site_ratio(weights_t[j], demand, supply[j])
                     for j in range(weights_t.shape[0])], dtype=np.float64)


def village_access(weights_t: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """Step 2: A_i = sum_j R_j w_ij, (n_villages,)."""
    if weights_t.shape[0] == 0:
        return np.zeros(weights_t.shape[1])
    return (weights_t * ratios[:, None]).sum(axis=0)


def normalise(values: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Divide by the demand-weighted mean (NaN demand counts as 0) so that mean is 1."""
    d = np.nan_to_num(np.asarray(demand, dtype=np.float64), nan=0.0)
    mean = float((values * d).sum() / d.sum()) if d.sum() > 0 else 0.0
    return values / mean if mean > 0 else np.full_like(values, np.nan)


def two_sfca(dm: DistanceMatrix | np.ndarray, demand, capacity=None, *, radius_m: float,
             decay: str | None = None, sigma_m: float | None = None,
             steps: dict[float, float] | None = None, index=None) -> pd.DataFrame:
    """2SFCA (``decay=None``) or E2SFCA (``"step"`` / ``"gaussian"``) per village.

    ``dm``: DistanceMatrix or (n_villages, n_sites) array in metres; ``demand``: per village
    (NaN = 0); ``capacity``: per site (NaN or None = 1 each). Returns columns ``access_raw``
    (supply units per resident) and ``access`` (normalised, demand-weighted mean 1),
    indexed by VILLCODE when ``dm`` is a DistanceMatrix.
    """
    mat = dm.matrix if isinstance(dm, DistanceMatrix) else np.asarray(dm, dtype=np.float64)
    index = dm.villages if isinstance(dm, DistanceMatrix) and index is None else index
    d = np.nan_to_num(np.asarray(demand, dtype=np.float64), nan=0.0)
    supply = supply_values(np.full(mat.shape[1], np.nan) if capacity is None else capacity)
    w_t = np.ascontiguousarray(decay_weights(mat, radius_m=radius_m, decay=decay,
                                             sigma_m=sigma_m, steps=steps).T)
    raw = village_access(w_t, site_ratios(w_t, d, supply))
    return pd.DataFrame({"access_raw": raw, "access": normalise(raw, d)}, index=index)


def enhanced_two_sfca(dm, demand, capacity=None, *, radius_m: float, decay: str = "step",
                      sigma_m: float | None = None, steps: dict[float, float] | None = None,
                      index=None) -> pd.DataFrame:
    """E2SFCA: :func:`two_sfca` with distance decay; default step decay at 1/3, 2/3, 3/3 of
    the radius with weights 1, 0.68, 0.22 (Luo & Qi 2009)."""
    if decay == "step" and steps is None:
        steps = {radius_m / 3: 1.0, 2 * radius_m / 3: 0.68, radius_m: 0.22}
    if decay == "gaussian" and sigma_m is None:
        sigma_m = radius_m / 2
    return two_sfca(dm, demand, capacity, radius_m=radius_m, decay=decay, sigma_m=sigma_m,
                    steps=steps, index=index)
