"""Build an expensive test object once per session, however many test modules use it.

pytest makes a separate fixture for every module that imports a fixture function, so a
session-scoped fixture imported into two split test modules would still be built twice;
the fixtures in the tests/_*_fixtures.py helpers wrap their work in ``once`` so it is not."""
from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")
_BUILT: dict[str, object] = {}


def once(key: str, build: Callable[[], T]) -> T:
    """``build()`` the first time ``key`` is asked for in this process, the same object after."""
    if key not in _BUILT:
        _BUILT[key] = build()
    return _BUILT[key]  # type: ignore[return-value]
