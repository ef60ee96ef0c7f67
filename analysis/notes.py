"""Notes: what an analysis wants a reader to know (a limitation, a dropped input, a
fallback), as a message key plus its values. The front ends translate them with
:func:`i18n.t`, so the analysis layer holds no display text and every front end says the
same thing."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Note"]


@dataclass(frozen=True)
class Note:
    """``key``: an i18n catalogue key (``note.<topic>``); ``values``: its format fields
    (numbers unformatted); ``level``: "info" | "warning"."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    level: str = "info"

    def text(self, lang: str = "zh-TW") -> str:
        """The note in ``lang`` (i18n catalogue)."""
        from i18n import t
        return t(self.key, lang, **self.values)
