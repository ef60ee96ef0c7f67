"""Inference for local statistics: two-sided pseudo p-values from conditional permutations,
Benjamini-Hochberg FDR (scipy) and ArcGIS-style Gi* bins.

p-values. esda's ``p_sim`` is a *folded* pseudo p-value, (min(#sim >= obs, #sim < obs) + 1)
/ (R + 1): a one-tailed test in whichever direction the observed statistic lies. Compared
with 0.05 it flags about 10 % of villages under pure noise. Every decision therefore uses
the two-sided ``p = min(1, 2 (min(#sim >= obs, #sim <= obs) + 1) / (R + 1))`` (or the
two-sided analytical normal p of Gi*), so that "95 % confidence" means what it says. It
equals 2 * p_sim for continuous data, but counts ties in both tails: esda's folding gives
p = 0.001 to a 0/1 indicator whose neighbourhood is all 0. It is computed in float64 from
the simulations (esda stores Gi* p_sim as float32). With R = 999 the smallest attainable p
is 0.002, and BH over 504 villages at q = 0.05 then needs at least 21 villages at that floor
before anything is significant (:func:`fdr_min_villages`): use 9999 permutations with FDR.

Gi_Bin (ArcGIS convention): +-3 when p <= 0.01, +-2 when p <= 0.05, +-1 when p <= 0.10,
sign of z; 0 otherwise. With FDR the BH-adjusted p replaces p; as BH-adjusted p <= q exactly
when BH rejects at level q, this is BH run separately at 0.10, 0.05 and 0.01, keeping the
strictest level passed. ArcGIS (Hot Spot Analysis, "Apply False Discovery Rate Correction")
documents the same per-level idea (Caldas de Castro & Singer 2006) and keeps its z/p fields
unadjusted, as we keep ``p`` and add ``p_fdr``. The differences: ArcGIS Gi* ranks its
analytical normal p-values, not permutation ones (``p_source="norm"`` matches), and its code
is not published, so boundary handling (<= vs <) is unverified.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import esda
import numpy as np
from scipy.stats import false_discovery_control

__all__ = ["BIN_LEVELS", "bh_adjust", "fdr_min_villages", "gi_bins", "two_sided_p"]

BIN_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # |Gi_Bin| -> two-sided p threshold


def bh_adjust(p: Iterable[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (``scipy.stats.false_discovery_control``).

    Parameters
    ----------
    p : array_like
        1-d p-values in [0, 1].

    Returns
    -------
    ndarray
        Adjusted p-values in the input order; a test is rejected at FDR level q exactly when
        its adjusted p <= q.
    """
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p-values must be a 1-d array of numbers in [0, 1]")
    return false_discovery_control(p, method="bh")


def fdr_min_villages(p_min: float | None, n: int, alpha: float) -> int | None:
    """Fewest villages that must all reach the smallest attainable p for BH to reject.

    BH rejects anything at level ``alpha`` only if p_(k) <= alpha k / n for some k, so with
    every p >= ``p_min`` at least ceil(p_min n / alpha) villages must reach ``p_min``.
    ``None`` when ``p_min`` is None (analytical p-values have no floor).
    """
    return math.ceil(p_min * n / alpha - 1e-9) if p_min else None


def gi_bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS Gi_Bin of each village.

    Parameters
    ----------
    z, p : ndarray
        Gi* z-scores and the p-values that decide (two-sided, possibly BH-adjusted).

    Returns
    -------
    ndarray of int
        +-3 for p <= 0.01, +-2 for p <= 0.05, +-1 for p <= 0.10 (sign of z), else 0.
    """
    level = np.zeros(len(p), dtype=int)
    for lv, thr in reversed(BIN_LEVELS):
        level[np.asarray(p) <= thr] = lv
    return (level * np.sign(np.asarray(z))).astype(int)


def two_sided_p(sims: np.ndarray, observed: np.ndarray, esda_p: np.ndarray) -> np.ndarray:
    """Two-sided pseudo p from the kept simulations, in float64.

    Parameters
    ----------
    sims : ndarray, shape (n, R)
        Simulated statistics (esda ``rGs`` / ``rlisas``).
    observed : ndarray, shape (n,)
        Observed statistics.
    esda_p : ndarray, shape (n,)
        esda's ``p_sim``, checked to still be the folded one-tailed pseudo p (esda has
        announced a change of default); a mismatch raises RuntimeError.

    Returns
    -------
    ndarray
        min(1, 2 (min(#sim >= obs, #sim <= obs) + 1) / (R + 1)); simulations within 1e-9
        (relative) of the observed statistic count as ties in both tails.
    """
    n_perm = sims.shape[1]
    obs = observed[:, None]
    tie = np.isclose(sims, obs, rtol=1e-9, atol=0.0)
    upper = ((sims >= obs) | tie).sum(axis=1)
    lower = ((sims <= obs) | tie).sum(axis=1)
    raw_upper = (sims >= obs).sum(axis=1)
    folded = (np.minimum(raw_upper, n_perm - raw_upper) + 1) / (n_perm + 1)
    if not np.allclose(folded, esda_p, rtol=0, atol=1e-6):
        raise RuntimeError("esda's p_sim is no longer the folded one-tailed pseudo p; "
                           "update coverage/hotspots/inference.py for this esda version "
                           f"({esda.__version__})")
    return np.minimum(1.0, 2.0 * (np.minimum(upper, lower) + 1) / (n_perm + 1))
