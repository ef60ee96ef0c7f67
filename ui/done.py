"""The app's own "done" signals: a hidden element per finished run of the page or of a
fragment (``[data-done=NAME]`` with a ``data-token`` that changes on every run), and the
same token on the map frame's ``body[data-styled]`` once the map has applied a run's
colours. The browser tests wait on these, never on fixed times."""
from __future__ import annotations

import streamlit as st

__all__ = ["next_token", "mark"]


def next_token(name: str) -> str:
    """A new token for run ``name`` of this session ("map-3", "page-7")."""
    key = f"_done_{name}"
    st.session_state[key] = st.session_state.get(key, 0) + 1
    return f"{name}-{st.session_state[key]}"


def mark(name: str, token: str) -> None:
    """Write the done element of ``name`` (call it last in the page or fragment)."""
    st.html(f'<div class="app-done" data-done="{name}" data-token="{token}" '
            'style="display:none"></div>')
