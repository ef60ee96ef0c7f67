"""AppTest harness: the hotspot page alone, with the default sidebar settings (the default
type and every type's default radius). Tests may set ``test_lang`` in session_state."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for `ui`

import streamlit as st  # noqa: E402

from ui import hotspot_page  # noqa: E402
from ui.controls import Settings, default_radii_m  # noqa: E402

settings = Settings(lang=st.session_state.get("test_lang", "zh-TW"), page="hotspots",
                    radii=default_radii_m())
hotspot_page.render(settings)
