"""Landing page: "where are we short?" for the chosen service type and radius — the KPI
cards, the map of coverage and gaps, the ranked lists of the villages and districts with
the most uncovered target population (click a row to zoom there), the village panel and the
access chart (share of the target population within 0 … N km, baseline and scenario).

The map, the lists and the panel are one fragment (:func:`map_and_lists`): a click on the
map or a list, the search and the map options rerun that part only. Every number comes
from :func:`analysis.coverage.analyse_coverage` (through :mod:`ui.state`).
"""
from __future__ import annotations

import streamlit as st

from geo.services import SERVICE_TYPES, completeness
from i18n import t, type_name
from ui import charts, done, fmt, map_page, notes, rankings, state
from ui.controls import (MAP_METRICS, TILE_CHOICES, Settings, demand_label, is_new, pick,
                         recall, remember, wkey)

__all__ = ["render", "kpi_values", "map_and_lists", "SELECTED_KEY", "VIEW_KEY"]

SELECTED_KEY = "selected_village"
VIEW_KEY = "map_view"


def kpi_values(result, comp_row, lang: str, radius: str | None = None
               ) -> list[tuple[str, str, str]]:
    """(label, value, help) of each KPI card, formatted from the analysis result; a type
    without located sites reads "no data yet", never 0 %. ``radius``: the radius as read
    (default: the result's, in km)."""
    located = (t("kpi_located", lang), fmt.ratio(comp_row["located"], comp_row["official_count"]),
               t("help.located", lang))
    if len(result.sites) == 0:
        return [located, (t("kpi_share", lang), t("no_data_yet", lang),
                          t("help.no_data_yet", lang))]
    city = result.city
    r = radius or t("km_value", lang, r=fmt.num(result.query.radius / 1000.0, 1))
    return [
        (t("kpi_share", lang), fmt.pct(city["demand_share"]), t("help.kpi_share", lang, r=r)),
        (t("kpi_uncovered", lang), fmt.num(city["demand_uncovered"]),
         t("help.kpi_uncovered", lang, r=r)),
        (t("kpi_districts", lang), f"{city['districts_with_site']} / {city['districts']}",
         t("help.kpi_districts", lang)),
        (t("kpi_per_site", lang), fmt.num(city["residents_per_site"]),
         t("help.kpi_per_site", lang)),
        located,
    ]


def _cards(result, problem: str | None, settings: Settings) -> None:
    lang = settings.lang
    comp = completeness(state.current_sites()[0]).loc[settings.type_id]
    if problem:
        st.warning(problem)
        return
    values = kpi_values(result, comp, lang, settings.radius_text(settings.type_id))
    with st.container(key="kpi_cards"):
        for col, (label, value, help_text) in zip(st.columns(len(values)), values):
            col.metric(label, value, help=help_text, border=True)
    if len(result.sites) == 0:
        c1, c2 = st.columns([3, 1], vertical_alignment="center")
        c1.info(t("no_data_import", lang, type=type_name(settings.type_id, lang)))
        c2.button(t("go_import", lang), key="go_import", on_click=_go_to_data,
                  help=t("help.go_import", lang))


def _go_to_data() -> None:
    remember("page", "data")
    for key in ("page", "page@en"):
        st.session_state.pop(key, None)


def _question(settings: Settings, result) -> str:
    lang = settings.lang
    mode = t(f"mode_short_{settings.distance}", lang)
    return t("question", lang, type=type_name(settings.type_id, lang),
             r=settings.radius_text(settings.type_id), mode=mode,
             demand=demand_label(settings.demand, lang, settings.type_id))


def render(settings: Settings) -> None:
    """The landing page."""
    lang = settings.lang
    st.title(t("title", lang))
    if not state.has_population():
        state.missing_notice(lang)
        return
    sites, key = state.current_sites()
    step = "step_roads" if state.first_road_run(settings) else "step_coverage"
    with st.spinner(t(step, lang, type=type_name(settings.type_id, lang)), show_time=True):
        result, problem = state.coverage_of(settings, settings.type_id, sites, key)
    st.caption(_question(settings, result))
    if result is not None and result.road is not None:
        st.caption(notes.road_caption(result.road, lang), help=t("help.road_source", lang))
    if result is not None:
        notes.show(result.notes, lang, skip=("note.no_sites",))
    _cards(result, problem, settings)
    map_and_lists(settings)
    if result is not None and len(result.sites):
        charts.access_section(settings, result)


# --- the map fragment -------------------------------------------------------------------

def _select(code: str | None, view=None) -> None:
    st.session_state[SELECTED_KEY] = code
    if view is not None:
        st.session_state[VIEW_KEY] = view


def _map_options(settings: Settings) -> Settings:
    """Metric, district, further layers, circles and tiles above the map; the settings
    with these choices."""
    lang = settings.lang
    ds = state.dataset()
    c1, c2, c3, c4 = st.container(key="map_options").columns([3, 2, 2, 2],
                                                              vertical_alignment="bottom")
    with c1:
        metric = pick(st.selectbox, "metric", t("metric", lang), list(MAP_METRICS),
                      settings.metric, lang, help=t("help.metric", lang),
                      format_func=lambda m: map_page.metric_title(m, settings))
    codes = ["all", *ds.districts.index]
    col = "district_en" if lang == "en" else "district"
    with c2:
        district = pick(st.selectbox, "district", t("district_filter", lang), codes, "all",
                        lang, help=t("help.district", lang),
                        format_func=lambda c: t("all_districts", lang) if c == "all"
                        else ds.districts.at[c, col])
    with c3:
        circles = remember("circles", st.toggle(t("show_circles", lang),
                                                value=bool(recall("circles", False)),
                                                key=wkey("circles", lang),
                                                help=t("help.circles", lang)))
    with c4, st.popover(t("more_layers", lang), help=t("help.more_layers", lang)):
        others = [k for k in SERVICE_TYPES if k != settings.type_id]
        layers = remember("layers", st.multiselect(
            t("layers", lang), others, default=[k for k in recall("layers", []) if k in others],
            key=wkey("layers", lang), format_func=lambda k: type_name(k, lang),
            help=t("help.layers", lang), select_all=False, wrap=True))
        tiles = pick(st.selectbox, "tiles", t("tiles", lang), list(TILE_CHOICES), "none", lang,
                     format_func=lambda k: t(f"tiles_{k}", lang), help=t("help.tiles", lang))
    if is_new("district", district):
        st.session_state[VIEW_KEY] = (map_page.city_view() if district == "all"
                                      else map_page.district_view(district))
    return Settings(**{**settings.__dict__, "metric": metric, "circles": circles,
                       "layers": layers, "tiles": tiles,
                       "district": None if district == "all" else district})


def _search_hits(settings: Settings, sites) -> tuple[str, list, str]:
    """Act on the search box's current text and pick (read from the session before the
    widgets are drawn, so the map drawn first already shows the result): (query, hits,
    key of the pick widget)."""
    lang = settings.lang
    query = st.session_state.get(wkey("search", lang)) or ""
    hits = map_page.search(query, state.dataset().villages, sites, lang) if query else []
    pick_key = wkey(f"search_pick:{query}", lang)
    if query and not hits:
        if is_new("search", (query, None)):
            _select(None)
    elif hits:
        index = st.session_state.get(pick_key) or 0
        kind, ident, _ = hits[index if index < len(hits) else 0]
        if is_new("search", (query, ident)):
            if kind == "village":
                _select(ident, map_page.village_view(ident))
            else:
                _select(None, map_page.site_view(sites, ident))
    return query, hits, pick_key


def _search_widgets(settings: Settings, query: str, hits: list, pick_key: str) -> None:
    lang = settings.lang
    st.text_input(t("search", lang), key=wkey("search", lang), help=t("help.search", lang),
                  placeholder=t("search_placeholder", lang))
    if query and not hits:
        st.caption(t("search_none", lang, q=query))
    elif hits:
        st.selectbox(t("search_pick", lang), range(len(hits)), index=0, key=pick_key,
                     format_func=lambda i: hits[i][2], help=t("help.search_pick", lang))


def _clicks(value) -> None:
    """Act on a new map click (the village under the pointer opens its panel)."""
    code = map_page.clicked_village(value)
    where = (value or {}).get("last_object_clicked") if isinstance(value, dict) else None
    if code is not None and is_new("map", (code, str(where))):
        _select(code)


@st.fragment
def map_and_lists(settings: Settings) -> None:
    """Map options, the map, the search, the village panel and the ranked lists: a click
    anywhere here reruns this part only."""
    lang = settings.lang
    sites, key = state.current_sites()
    _clicks(st.session_state.get(map_page.MAP_KEY))
    settings = _map_options(settings)
    results = {tid: state.coverage_of(settings, tid, sites, key)[0] for tid in settings.types}
    result = results.get(settings.type_id)
    rankings.handle_selection(result, select=_select, lang=lang)
    query, hits, pick_key = _search_hits(settings, sites)
    left, right = st.columns([5, 4], gap="medium")
    token = done.next_token("map")
    with left:  # first: the browser starts drawing the map while the lists are computed
        view = st.session_state.get(VIEW_KEY) or map_page.city_view()
        map_page.draw_map(settings, sites, results, view=view,
                          selected=st.session_state.get(SELECTED_KEY), token=token)
        if settings.circles and map_page.network_areas_shown(settings):
            st.caption(map_page.areas_note(settings, sites))
        st.caption(t("boundary_note", lang,
                     v=fmt.version(state.dataset().vintages.get("boundaries", ""))))
    with right:
        _search_widgets(settings, query, hits, pick_key)
        with st.container(key="village_panel", border=True):
            st.markdown(f"**{t('detail', lang)}**", help=t("help.term_2sfca", lang))
            map_page.detail_panel(st.session_state.get(SELECTED_KEY), settings, results)
        if result is not None and len(result.sites):
            with st.container(key="rank_block"):
                rankings.lists(result, settings)
    done.mark("map", token)
