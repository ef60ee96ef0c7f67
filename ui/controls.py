"""Sidebar controls. Every widget has a stable key (tests set them by key); option values
are ids, display text comes from ui.i18n, so switching language keeps the choices."""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from geo.services import SERVICE_TYPES
from ui.i18n import DEFAULT_LANG, LANGS, t, type_name

PAGES = ("overview", "map", "scenario", "hotspots", "data")
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
    """Default radius per type (analysis/defaults.toml), metres."""
    from analysis.config import config

    return {k: config().type(k).radius_m for k in SERVICE_TYPES}


def language() -> str:
    """The language switch (first in the sidebar so every later label follows it)."""
    return st.sidebar.segmented_control(
        "Language / 語言", list(LANGS), format_func=LANGS.get, key="lang",
        default=DEFAULT_LANG, selection_mode="single") or DEFAULT_LANG


def wkey(name: str, lang: str) -> str:
    """Widget key: ``name`` in zh-TW, ``name@en`` in English. A widget whose labels change
    is a new widget to Streamlit, so each language has its own; the value carries over
    through :func:`remember` / :func:`recall`."""
    return name if lang == DEFAULT_LANG else f"{name}@{lang}"


def recall(name: str, default):
    """The last value the user chose for control ``name`` (in either language)."""
    return st.session_state.get(f"_value_{name}", default)


def remember(name: str, value):
    st.session_state[f"_value_{name}"] = value
    return value


def _pick(widget, name: str, label: str, options: list, default, lang: str, **kw):
    """A radio/selectbox over ``options`` that keeps its choice across reruns and
    language switches."""
    value = recall(name, default)
    index = options.index(value) if value in options else 0
    return remember(name, widget(label, options, index=index, key=wkey(name, lang), **kw))


def sidebar(districts, *, network_available: bool) -> Settings:
    """Draw the sidebar and return the settings."""
    lang = language()
    sb = st.sidebar
    start_page = st.query_params.get("page") if st.query_params.get("page") in PAGES else "overview"
    page = _pick(sb.radio, "page", t("page", lang), list(PAGES), start_page, lang,
                 horizontal=True, format_func=lambda p: t(f"page_{p}", lang))
    st.query_params["page"] = page  # the address bar names the page (bookmarkable)
    sb.header(t("controls", lang))
    chosen = [k for k in recall("types", list(DEFAULT_TYPES)) if k in SERVICE_TYPES]
    types = remember("types", sb.multiselect(
        t("types", lang), list(SERVICE_TYPES), default=chosen, key=wkey("types", lang),
        format_func=lambda k: type_name(k, lang)))
    defaults = default_radii_m()
    radii = dict(defaults)
    for tid in types:
        name = f"radius_{tid}"
        km = sb.number_input(t("radius_of", lang, name=type_name(tid, lang)), min_value=0.5,
                             max_value=50.0, value=recall(name, defaults[tid] / 1000.0),
                             step=0.5, key=wkey(name, lang))
        radii[tid] = 1000.0 * remember(name, km)
    mode = _pick(sb.radio, "mode", t("mode", lang), list(MODES), "straight", lang,
                 format_func=lambda m: t(f"mode_{m}", lang))
    if mode == "network" and not network_available:
        sb.caption(t("mode_network_missing", lang))
    demand = _pick(sb.selectbox, "demand", t("demand", lang), list(DEMANDS), "population",
                   lang, format_func=lambda d: t(f"demand_{d}", lang))
    planned = remember("planned", sb.checkbox(t("include_planned", lang),
                                              value=recall("planned", False),
                                              key=wkey("planned", lang)))
    metric = _pick(sb.selectbox, "metric", t("metric", lang), list(MAP_METRICS), "covered",
                   lang, format_func=lambda m: t(f"metric_{m}", lang))
    metric_type = None
    if types:
        metric_type = _pick(sb.selectbox, "metric_type", t("metric_type", lang), list(types),
                            types[0], lang, format_func=lambda k: type_name(k, lang))
    codes = ["all", *districts.index]
    district = _pick(
        sb.selectbox, "district", t("district_filter", lang), codes, "all", lang,
        format_func=lambda c: t("all_districts", lang) if c == "all" else (
            districts.at[c, "district_en"] if lang == "en" else districts.at[c, "district"]))
    tiles = _pick(sb.selectbox, "tiles", t("tiles", lang), list(TILE_CHOICES), "none", lang,
                  format_func=lambda k: t(f"tiles_{k}", lang))
    circles = remember("circles", sb.checkbox(t("show_circles", lang),
                                              value=recall("circles", True),
                                              key=wkey("circles", lang)))
    return Settings(lang, page, list(types), radii, mode, demand, planned, metric,
                    metric_type, None if district == "all" else district, tiles, circles)
