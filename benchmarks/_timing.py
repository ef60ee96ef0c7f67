"""The benchmark scripts' one timer: wall-clock seconds of a call, best or median of N."""
from __future__ import annotations

import statistics
import time
from typing import Any, Callable

__all__ = ["best_of", "median_of"]


def _once(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def best_of(fn: Callable[[], Any], repeat: int = 1) -> tuple[Any, float]:
    """(the last result, the fastest of ``repeat`` runs in seconds)."""
    runs = [_once(fn) for _ in range(max(1, repeat))]
    return runs[-1][0], min(t for _, t in runs)


def median_of(fn: Callable[[], Any], repeat: int = 1) -> tuple[Any, float]:
    """(the last result, the median of ``repeat`` runs in seconds)."""
    runs = [_once(fn) for _ in range(max(1, repeat))]
    return runs[-1][0], statistics.median(t for _, t in runs)
