"""Sidebar controls. Every widget has a stable key (tests set them by key); option values
are ids, display text comes from ui.i18n, so switching language keeps the choices."""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from geo.services import SERVICE_TYPES
from ui.i18n import DEFAULT_LANG, LANGS, t, type_name

PAGES = ("overview", "map", "data")
MODES = ("straight", "network")
DEMANDS = ("population", "children", "elderly")
MAP_METRICS = ("covered", "nearest_m", "access", "population", "density", "gap")
TILE_CHOICES = ("none", "osm", "carto")
DEFAULT_TYPES = ("family_service_centre", "mental_health_centre")


@dataclass
class Settings:
    """The user's choices. Radii in metres."""

    lang: str = DEFAULT_LANG
    page: str = "overview"
    types: list[str] = field(default_factory=lambda: list(DEFAULT_TYPES))
    radii: dict[str, float] = field(default_factory=dict)
    mode: str = "straight"
    demand: str = "population"
    include_planned: bool = False
    metric: str = "covered"
    metric_type: str | None = "family_service_centre"
    district: str | None = None  # TOWNCODE
    tiles: str = "none"
    circles: bool = True


@st.cache_resource(show_spinner=False)
def default_radii_m() -> dict[str, float]:
    """Default radius per type (coverage/defaults.toml), metres."""
    from ui.analysis import default_radius_m

    return {k: default_radius_m(k) for k in SERVICE_TYPES}


def language() -> str:
    """The language switch (first in the sidebar so every later label follows it)."""
    return st.sidebar.segmented_control(
        "Language / 語言", list(LANGS), format_func=LANGS.get, key="lang",
        default=DEFAULT_LANG, selection_mode="single") or DEFAULT_LANG


def sidebar(districts, *, network_available: bool) -> Settings:
    """Draw the sidebar and return the settings."""
    lang = language()
    sb = st.sidebar
    if "page" not in st.session_state and st.query_params.get("page") in PAGES:
        st.session_state["page"] = st.query_params["page"]  # e.g. /?page=map
    page = sb.radio(t("page", lang), PAGES, key="page", horizontal=True,
                    format_func=lambda p: t(f"page_{p}", lang))
    sb.header(t("controls", lang))
    types = sb.multiselect(t("types", lang), list(SERVICE_TYPES), default=list(DEFAULT_TYPES),
                           key="types", format_func=lambda k: type_name(k, lang))
    defaults = default_radii_m()
    radii = dict(defaults)
    for tid in types:
        radii[tid] = 1000.0 * sb.number_input(
            t("radius_of", lang, name=type_name(tid, lang)), min_value=0.5, max_value=50.0,
            value=defaults[tid] / 1000.0, step=0.5, key=f"radius_{tid}")
    mode = sb.radio(t("mode", lang), MODES, key="mode",
                    format_func=lambda m: t(f"mode_{m}", lang))
    if mode == "network" and not network_available:
        sb.caption(t("mode_network_missing", lang))
    demand = sb.selectbox(t("demand", lang), DEMANDS, key="demand",
                          format_func=lambda d: t(f"demand_{d}", lang))
    planned = sb.checkbox(t("include_planned", lang), key="planned")
    metric = sb.selectbox(t("metric", lang), MAP_METRICS, key="metric",
                          format_func=lambda m: t(f"metric_{m}", lang))
    metric_type = sb.selectbox(t("metric_type", lang), types or [None], key="metric_type",
                               format_func=lambda k: type_name(k, lang) if k else "—")
    codes = [None, *districts.index]
    district = sb.selectbox(
        t("district_filter", lang), codes, key="district",
        format_func=lambda c: t("all_districts", lang) if c is None else (
            districts.at[c, "district_en"] if lang == "en" else districts.at[c, "district"]))
    tiles = sb.selectbox(t("tiles", lang), TILE_CHOICES, key="tiles",
                         format_func=lambda k: t(f"tiles_{k}", lang))
    circles = sb.checkbox(t("show_circles", lang), value=True, key="circles")
    return Settings(lang, page, list(types), radii, mode, demand, planned, metric,
                    metric_type, district, tiles, circles)
