"""Escaping of user text for Streamlit markdown; the scenario page's strings are in the
one catalogue (:mod:`i18n`, ``i18n/strings_scenario.py``)."""
from __future__ import annotations

from i18n import t  # noqa: F401  (the pages import t from here)


def md(text: object) -> str:
    """User text made literal inside Streamlit markdown (st.error etc. render markdown;
    raw HTML is never enabled): markdown punctuation backslash-escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in str(text))
