"""MCLP heuristics on a 0/1 coverage matrix (points x sites, as floats): greedy
construction and one-swap local search. Used by ``method="greedy"`` and to seed and
improve the incumbent of the exact branch and bound."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._deadline import Deadline

__all__ = ["greedy_cover", "swap_search"]


def greedy_cover(cover: sp.csr_matrix, weight: np.ndarray, x: np.ndarray,
                 size: int) -> np.ndarray:
    """Starting from the sites in ``x``, add the site with the largest marginal covered
    weight until ``size`` sites are chosen (ties: lowest index)."""
    x = x.copy()
    cover_t = cover.T.tocsr()
    covered = (cover @ x.astype(float)) > 0
    while x.sum() < size:
        gain = cover_t @ (weight * ~covered)
        gain[x] = -1.0
        j = int(np.argmax(gain))
        x[j] = True
        covered |= cover[:, j].toarray().ravel() > 0
    return x


def swap_search(cover: sp.csr_matrix, weight: np.ndarray, x: np.ndarray,
                movable: np.ndarray, deadline: Deadline) -> np.ndarray:
    """One-swap local search: while closing a movable chosen site and opening another
    raises the covered weight, make the best such swap (one deadline check per pass)."""
    x = x.copy()
    cover_c, cover_t = cover.tocsc(), cover.T.tocsr()
    count = cover @ x.astype(float)  # chosen sites covering each point
    tol = 1e-9 * max(1.0, float(weight.sum()))
    while not deadline.expired():
        opened = cover_t @ (weight * (count == 0))  # gain of opening j on top of x
        only = weight * (count == 1)
        best, swap = tol, None
        for r in np.flatnonzero(x & movable):
            col = cover_c[:, r].toarray().ravel() > 0
            gain = opened + cover_t @ (only * col) - only[col].sum()
            gain[x] = -np.inf
            j = int(np.argmax(gain))
            if gain[j] > best:
                best, swap = gain[j], (r, j)
        if swap is None:
            break
        r, j = swap
        x[r], x[j] = False, True
        count += cover_c[:, j].toarray().ravel() - cover_c[:, r].toarray().ravel()
    return x
