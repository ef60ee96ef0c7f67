"""When a solve must stop: one wall-clock budget for the heuristics, our own search loops
and every HiGHS run of a solve."""
from __future__ import annotations

import math
import time

__all__ = ["Deadline", "MIN_HIGHS_SECONDS"]

MIN_HIGHS_SECONDS = 1e-3  # HiGHS always gets at least this (a zero limit is an error)


class Deadline:
    """A point in time (``time.perf_counter`` seconds) by which a solve must stop.

    ``Deadline(60.0)`` ends 60 s from now; ``Deadline(math.inf)`` never ends. Every loop of
    the solvers asks :meth:`expired` once per step, and every HiGHS run is given
    :meth:`seconds_left` (at least ``MIN_HIGHS_SECONDS``). A subclass may override these
    two to stop a solve at a chosen step instead of a time (the tests do, so that a
    "Time limit reached" path runs the same way on a fast and a slow machine).
    """

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + float(seconds)

    def seconds_left(self) -> float:
        """Seconds until the deadline (<= 0 once it has passed; inf for no deadline)."""
        return self.end - time.perf_counter()

    def expired(self) -> bool:
        """True once the deadline has passed."""
        return self.seconds_left() <= 0

    def highs_seconds(self) -> float:
        """The time limit to give a HiGHS run, seconds: what is left, at least 1 ms."""
        return max(self.seconds_left(), MIN_HIGHS_SECONDS)

    def extended(self, seconds: float) -> "Deadline":
        """This deadline, or ``seconds`` from now if that is later (the exact phase always
        gets a moment after the heuristics, even when they used up the budget)."""
        return self if self.seconds_left() >= seconds else Deadline(seconds)

    @staticmethod
    def never() -> "Deadline":
        """A deadline that never passes."""
        return Deadline(math.inf)
