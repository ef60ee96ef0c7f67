"""p-median heuristics on a dense cost matrix (points x sites, inf = unreachable): the
savings of opening a site, and the interchange (swap) local search."""
from __future__ import annotations

import numpy as np

from ._deadline import Deadline

__all__ = ["unreachable_penalty", "savings", "interchange", "CHUNK"]

CHUNK = 256  # candidate columns per block in the dense savings


def unreachable_penalty(c: np.ndarray) -> float:
    """A finite stand-in for "unreachable" in heuristic scoring: above any real cost."""
    finite = c[np.isfinite(c)]
    return 10.0 * (float(finite.max()) + 1.0) if finite.size else 1.0


def savings(c: np.ndarray, w: np.ndarray, d: np.ndarray, penalty: float) -> np.ndarray:
    """For every candidate j: sum_i w_i * max(0, d_i - c_ij), unreachable priced at
    ``penalty`` (the weighted cost saved by opening j when point i currently pays d_i)."""
    out = np.empty(c.shape[1])
    for lo in range(0, c.shape[1], CHUNK):
        block = np.minimum(c[:, lo:lo + CHUNK], penalty)
        out[lo:lo + CHUNK] = w @ np.maximum(0.0, d[:, None] - block)
    return out


def _nearest_two(sub: np.ndarray, penalty: float):
    """Per point: position of its nearest chosen site in ``sub`` (points x chosen), the
    cost to it and the cost to the second nearest (``penalty`` with one site)."""
    n = sub.shape[0]
    rows = np.arange(n)
    if sub.shape[1] < 2:
        return np.zeros(n, dtype=int), sub[:, 0], np.full(n, penalty)
    two = np.argpartition(sub, 1, axis=1)[:, :2]
    d_two = np.take_along_axis(sub, two, axis=1)
    first = np.where(d_two[:, 0] <= d_two[:, 1], 0, 1)
    return two[rows, first], d_two[rows, first], d_two[rows, 1 - first]


def interchange(c: np.ndarray, w: np.ndarray, x: np.ndarray, movable: np.ndarray,
                penalty: float, deadline: Deadline) -> np.ndarray:
    """Interchange local search: while closing a movable chosen site r and opening a
    site j lowers sum_i w_i * (cost to the nearest chosen site), make the best such swap
    (one deadline check per pass). Unreachable costs are priced at ``penalty``.

    One pass costs O(points x sites), not O(points x sites x chosen): the saving of a
    swap is gain_j (opening j, nothing closed) plus a correction over the points that r
    serves only (they fall back to their second-nearest site)."""
    x = x.copy()
    while not deadline.expired():
        chosen = np.flatnonzero(x)
        nearest, d1, d2 = _nearest_two(np.minimum(c[:, chosen], penalty), penalty)
        current = float(w @ d1)
        gain = savings(c, w, d1, penalty)  # opening j alone
        best, swap = 1e-12 * current + 1e-9, None
        for pos, r in enumerate(chosen):
            if not movable[r]:
                continue
            own = np.flatnonzero(nearest == pos)
            block = np.minimum(c[own], penalty)
            total = gain - float(w[own] @ (d2[own] - d1[own])) + w[own] @ (
                np.maximum(0.0, d2[own, None] - block) - np.maximum(0.0, d1[own, None] - block))
            total[x] = -np.inf
            j = int(np.argmax(total))
            if total[j] > best:
                best, swap = total[j], (r, j)
        if swap is None:
            break
        x[swap[0]], x[swap[1]] = False, True
    return x
