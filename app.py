"""桃園市社會安全網資源涵蓋分析 — Streamlit entry point (page wiring only; see ui/).

Run: ./run.sh app   (or .venv/bin/streamlit run app.py); open /?page=map for the map.
"""
import importlib

import streamlit as st

from ui import controls, state
from ui.i18n import t

st.set_page_config(page_title="桃園市社會安全網資源涵蓋分析", page_icon="🗺️", layout="wide")

# page id -> module with render(settings); imported only when shown
PAGES = {"overview": "ui.overview", "map": "ui.map_page", "scenario": "ui.scenario_page",
         "hotspots": "ui.hotspot_page", "data": "ui.data_page"}

ds = state.dataset()
settings = controls.sidebar(ds.districts, network_available=state.roads_available())
with st.spinner(t("loading", settings.lang)):
    importlib.import_module(PAGES[settings.page]).render(settings)
