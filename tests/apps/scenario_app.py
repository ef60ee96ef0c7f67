"""AppTest harness: the scenario page alone, with the default settings (types and radii
as the sidebar would give them) and no sidebar. Tests may set ``test_lang`` /
``test_types`` in session_state."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for `ui`

import streamlit as st  # noqa: E402

from ui import scenario_page  # noqa: E402
from ui.controls import DEFAULT_TYPES, Settings, default_radii_m  # noqa: E402

settings = Settings(lang=st.session_state.get("test_lang", "zh-TW"), page="scenario",
                    types=list(st.session_state.get("test_types", DEFAULT_TYPES)),
                    radii=default_radii_m())
scenario_page.render(settings)
