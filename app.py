"""桃園市社會安全網資源涵蓋分析 — Streamlit entry point (page wiring only; see ui/).

Run: ./run.sh app   (or .venv/bin/streamlit run app.py). The landing page answers "where are
we short?"; /?page=tables|scenario|hotspots|data opens the other pages.
"""
import importlib
import logging
import os

import streamlit as st

from i18n import t
from ui import controls, done, state, style

SIDEBAR_PX = 420  # the longest service-type name (English) fits its select box uncut
st.set_page_config(page_title="桃園市社會安全網資源涵蓋分析", page_icon="🗺️", layout="wide",
                   initial_sidebar_state=SIDEBAR_PX)
lang = st.session_state.get("lang") or "zh-TW"
style.inject(lang)

# page id -> module with render(settings); imported only when shown
PAGES = {"overview": "ui.overview", "tables": "ui.tables_page", "scenario": "ui.scenario_page",
         "hotspots": "ui.hotspot_page", "data": "ui.data_page"}



def _load():
    """The picked vintage's context (a spinner names the step while it loads)."""
    with st.spinner(t("step_load", lang, v=state.current_vintage()), show_time=True):
        ctx = state.dataset()
    state.warm_up(lang)  # the map's geometry and base script, while coverage is computed
    return ctx


token = done.next_token("page")
try:
    settings = controls.sidebar(_load, network_available=state.roads_available)
    if state.library_error():
        from ui.fmt import error_text
        st.error(t("library_unreadable", lang, err=error_text(state.library_error(), lang)))
    importlib.import_module(PAGES[settings.page]).render(settings)
except Exception:  # no traceback ever reaches a user: words on the page, details in the log
    if os.environ.get("SAFETYNET_RAISE"):  # the tests want to see it
        raise
    logging.getLogger("safetynet.app").exception("page run failed")
    st.error(t("app_error", lang))
done.mark("page", token)
