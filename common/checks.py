"""Argument checks shared by the CLI, the app and the analysis layer.

Each check returns the clean value or raises ``ValueError`` whose text names the argument,
the value given and what was expected, e.g.
``--radius-km: expected a finite number > 0 (kilometres), got nan``. NaN, ±inf, booleans
and text that is not a number are always refused: no numeric argument can switch a check
off by being non-finite.
"""
from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_number", "positive_number", "non_negative_number", "int_in_range",
           "share", "choice"]


def _as_float(value: Any, name: str, expected: str) -> float:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {expected}, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return number


def finite_number(value: Any, name: str, *, unit: str = "", minimum: float | None = None,
                  maximum: float | None = None) -> float:
    """A finite float within [minimum, maximum] (bounds inclusive, either optional)."""
    expected = "a finite number"
    if minimum is not None and maximum is not None:
        expected += f" between {minimum:g} and {maximum:g}"
    elif minimum is not None:
        expected += f" >= {minimum:g}"
    elif maximum is not None:
        expected += f" <= {maximum:g}"
    if unit:
        expected += f" ({unit})"
    number = _as_float(value, name, expected)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return number


def positive_number(value: Any, name: str, *, unit: str = "", minimum: float | None = None,
                    maximum: float | None = None) -> float:
    """A finite float > 0 (and >= ``minimum`` / <= ``maximum`` when given: absurd values,
    such as a radius of 1e-300 km, are refused)."""
    low = f">= {minimum:g}" if minimum is not None else "> 0"
    expected = f"a finite number {low}" + (f" and <= {maximum:g}" if maximum is not None
                                           else "")
    if unit:
        expected += f" ({unit})"
    number = _as_float(value, name, expected)
    if number <= 0 or (minimum is not None and number < minimum) or (
            maximum is not None and number > maximum):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return number


def non_negative_number(value: Any, name: str, *, unit: str = "",
                        maximum: float | None = None) -> float:
    """A finite float >= 0 (and <= ``maximum`` when given)."""
    return finite_number(value, name, unit=unit, minimum=0.0, maximum=maximum)


def int_in_range(value: Any, name: str, *, minimum: int, maximum: int | None = None) -> int:
    """An integer within [minimum, maximum]; floats with a fraction and booleans refused."""
    expected = f"an integer >= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {expected}, got {value!r}") from None
    if not math.isfinite(number) or number != int(number):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    number = int(number)
    if number < minimum or (maximum is not None and number > maximum):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return number


def share(value: Any, name: str, *, open_low: bool = True) -> float:
    """A probability / share in (0, 1] (or [0, 1] with ``open_low=False``)."""
    number = _as_float(value, name, "a number between 0 and 1")
    if number > 1 or number < 0 or (open_low and number == 0):
        low = "0 <" if open_low else "0 <="
        raise ValueError(f"{name}: expected a number with {low} x <= 1, got {value!r}")
    return number


def choice(value: Any, name: str, options: tuple[str, ...] | list[str]) -> str:
    """``value`` when it is one of ``options`` (exact), else a message listing them."""
    if value not in options:
        raise ValueError(f"{name}: expected one of {', '.join(map(str, options))}, "
                         f"got {value!r}")
    return value
