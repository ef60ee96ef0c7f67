"""桃園市社會安全網資源涵蓋分析 — Streamlit entry point (page wiring only; see ui/).

Run: ./run.sh app   (or .venv/bin/streamlit run app.py)
"""
import streamlit as st

from ui import controls, data_page, map_page, overview, state
from ui.i18n import t

st.set_page_config(page_title="桃園市社會安全網資源涵蓋分析", page_icon="🗺️", layout="wide")

ds = state.dataset()
settings = controls.sidebar(ds.districts, network_available=state.network_file() is not None)
PAGES = {"overview": overview.render, "map": map_page.render, "data": data_page.render}
with st.spinner(t("loading", settings.lang)):
    PAGES[settings.page](settings)
