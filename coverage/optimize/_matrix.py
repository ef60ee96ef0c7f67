"""Exact reductions of the 0/1 coverage matrix (points x candidates) of the covering models."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["coverage_matrix", "covered_by_fixed", "merge_identical_rows",
           "undominated_columns"]


def coverage_matrix(costs: np.ndarray, radius: float) -> sp.csr_matrix:
    """Boolean (points, candidates) sparse matrix: True where cost <= radius."""
    return sp.csc_matrix(costs <= radius).tocsr()


def covered_by_fixed(cover: sp.csr_matrix, fixed: np.ndarray) -> np.ndarray:
    """Per point: True if a fixed (always open) candidate covers it."""
    return np.asarray(cover[:, np.flatnonzero(fixed)].sum(axis=1)).ravel() > 0


def merge_identical_rows(a: sp.csr_matrix, weight: np.ndarray
                         ) -> tuple[sp.csr_matrix, np.ndarray]:
    """Merge rows with identical sparsity patterns (points covered by the same candidates),
    summing their weights. Returns (the first row of each group, the group weights)."""
    a = a.tocsr()
    a.sort_indices()
    keys = [a.indices[a.indptr[i]:a.indptr[i + 1]].tobytes() for i in range(a.shape[0])]
    first: dict[bytes, int] = {}
    group = np.array([first.setdefault(key, len(first)) for key in keys], dtype=np.int64)
    reps = np.unique(group, return_index=True)[1]
    return a[reps], np.bincount(group, weights=weight)


def undominated_columns(a: sp.spmatrix, *, drop: str = "subsets") -> np.ndarray:
    """Indices of the columns to keep: with drop="subsets", columns whose row set is not
    contained in another column's; with drop="supersets", columns whose row set does not
    contain another column's. Of equal sets the first is kept; empty columns are dropped
    unless every column is empty (then the first is kept)."""
    a = (a != 0).astype(np.float64).tocsc()
    size = np.diff(a.indptr)
    overlap = (a.T @ a).tocoo()
    r, c, v = overlap.row, overlap.col, overlap.data
    if drop == "subsets":  # r inside c
        inside = (v == size[r]) & ((size[c] > size[r]) | ((size[c] == size[r]) & (c < r)))
    else:  # c inside r
        inside = (v == size[c]) & ((size[c] < size[r]) | ((size[c] == size[r]) & (c < r)))
    inside &= r != c
    dominated = np.zeros(a.shape[1], dtype=bool)
    dominated[r[inside]] = True
    empty = size == 0
    if empty.any() and (~empty).any():
        dominated |= empty
    elif empty.all():
        dominated[1:] = True
    return np.flatnonzero(~dominated)
