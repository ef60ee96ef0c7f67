"""AppTest harness: the scenario page alone, with the default settings (the default type
and every type's default radius) and no sidebar. Tests may set ``test_lang`` /
``test_types`` (the analysed type first, then further types) and ``test_mode`` /
``test_weight`` (the sidebar's distance: straight, or network with length / travel_time)
in session_state."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for `ui`

import streamlit as st  # noqa: E402

from ui import scenario_page  # noqa: E402
from ui.controls import DEFAULT_TYPES, Settings, default_radii_m  # noqa: E402

types = list(st.session_state.get("test_types", DEFAULT_TYPES))
settings = Settings(lang=st.session_state.get("test_lang", "zh-TW"), page="scenario",
                    type_id=types[0], layers=types[1:], radii=default_radii_m(),
                    mode=st.session_state.get("test_mode", "straight"),
                    weight=st.session_state.get("test_weight", "length"))
scenario_page.render(settings)
