"""Scenario page: edit a what-if scenario (add / move / close sites, capacity, status,
undo / redo), see it against today at once (covered residents per service type, villages
that gain or lose coverage, drawn green / red on the map, district figures), ask for
placement suggestions (listed first with their village, district and gain; drawn with their
own marker until added), and keep scenarios in the store (save / load / duplicate /
delete; the list says names, authors, dates and versions in words). Suggestions use the
sidebar's distance (straight line, road km or road minutes). The map and its panel are one
fragment (:func:`editor`): a click or a panel control reruns that part only.

Pieces: :mod:`ui.scenario_actions` (session state, callbacks), :mod:`ui.scenario_widgets`
(editing panel, edit list, store), :mod:`ui.scenario_map` (folium layers); the numbers come
from :func:`analysis.scenario.compare_scenario` and :mod:`ui.scenario_calc` (suggestions,
:func:`analysis.placement.suggest_sites`). User text is escaped in HTML (map tooltips) and
shown as plain text elsewhere.
"""
from __future__ import annotations

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.scenario import compare_scenario
from coverage.compare import GROUP_COLUMNS
from coverage.scenario import apply_edits, changed_site_ids
from geo.services import SERVICE_TYPES
from i18n import t, type_name
from ui import done, fmt, mapview, scenario_widgets as widgets, state
from ui import scenario_actions as act
from ui.controls import Settings, wkey
from ui.scenario_actions import CLICK, META, MSGS, SUGGEST
from ui.scenario_map import base_map, map_layers
from ui.scenario_strings import md

MAP_KEY = "scn_map"
DRAWN = "scn_drawn_revision"  # the edits' revision the whole page was last drawn with
SEEN = "scn_click_seen"  # the last map click taken as the target


# --- drawing ------------------------------------------------------------------------------

def _messages() -> None:
    for level, text in st.session_state.pop(MSGS, []):
        getattr(st, level)(md(text))


def _header(lang: str) -> None:
    hist, meta = act.history(), st.session_state.get(META) or {}
    n = len(hist.active)
    if meta.get("name"):
        st.caption(md(t("scenario_of", lang, name=meta["name"], v=meta["version"], n=n)))
    else:
        st.caption(t("unsaved", lang, n=n))
    c1, c2, c3 = st.columns([1, 1, 3])
    c1.button(t("undo", lang), key="scn_undo", on_click=act.on_undo, disabled=not hist.can_undo,
              help=t("help.scn_undo", lang))
    c2.button(t("redo", lang), key="scn_redo", on_click=act.on_redo, disabled=not hist.can_redo,
              help=t("help.scn_redo", lang))
    c3.button(t("reset", lang), key="scn_reset", on_click=act.on_reset,
              help=t("help.scn_reset", lang))


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(base_key: str, after_key: str, types: tuple, radii: tuple,
                include_planned: bool, mode: str, weight: str, _base, _after):
    """analysis.scenario.compare_scenario per type, cached by the two tables' fingerprints
    and the distance."""
    return compare_scenario(state.dataset(), _base, _after, type_ids=list(types),
                            radii_m=dict(radii), include_planned=include_planned,
                            mode=mode, weight=weight).types


def comparisons(settings: Settings, base, after, types: list[str]) -> dict:
    """Scenario vs baseline per type (:func:`analysis.scenario.compare_scenario`) in the
    sidebar's distance — straight line, road km or road minutes (radii in metres or
    seconds): {type id: coverage.compare.TypeComparison}."""
    road = settings.mode == "network"
    radii = tuple((tid, settings.radius(tid) if road else settings.radius_m(tid))
                  for tid in types)
    with st.spinner(t("step_compare", settings.lang,
                      mode=t(f"mode_short_{settings.distance}", settings.lang)),
                    show_time=True):
        return _comparison(state.sites_fingerprint(base), state.sites_fingerprint(after),
                           tuple(types), radii, settings.include_planned,
                           settings.mode if road else "straight",
                           settings.weight if road else "length", base, after)


def totals_frame(cmp, lang: str) -> pd.DataFrame:
    """The per-group covered residents, raw numbers, with display column names."""
    tt = cmp.totals
    return pd.DataFrame({
        t("col_group", lang): [t(f"group_{g}", lang) for g in tt.index],
        t("col_total", lang): tt["total"].to_numpy(),
        t("col_before", lang): tt["before"].to_numpy(),
        t("col_after", lang): tt["after"].to_numpy(),
        t("col_change", lang): tt["change"].to_numpy(),
        t("col_share_before", lang): 100.0 * tt["share_before"].to_numpy(float),
        t("col_share_after", lang): 100.0 * tt["share_after"].to_numpy(float)})


def delta_frame(cmp, villages, lang: str) -> pd.DataFrame:
    """Villages that gain / lose coverage: district, village, population, change (index
    VILLCODE)."""
    codes = cmp.gained + cmp.lost
    v = villages.loc[codes] if codes else villages.iloc[:0]
    return pd.DataFrame({
        t("col_district", lang): v["district_en" if lang == "en" else "district"].to_numpy(),
        t("col_village", lang): v["village_en" if lang == "en" else "village"].to_numpy(),
        t("population", lang): v["population"].to_numpy(float),
        t("col_delta", lang): [t("gained", lang)] * len(cmp.gained)
        + [t("lost", lang)] * len(cmp.lost)}, index=pd.Index(list(codes), name="VILLCODE"))


def district_frame(cmp, districts, lang: str) -> pd.DataFrame:
    """Share covered today / in the scenario per district, the city row last (index
    TOWNCODE and "all"; the page shows the city apart)."""
    d = cmp.districts
    names = [t("city", lang) if c == "all" else districts.at[c, "district_en" if lang == "en"
                                                                  else "district"] for c in d.index]
    return pd.DataFrame({
        t("col_district", lang): names,
        t("population", lang): d["population_total"].to_numpy(),
        t("col_share_before", lang): 100.0 * d["share_before"].to_numpy(float),
        t("col_share_after", lang): 100.0 * d["share_after"].to_numpy(float),
        t("col_change", lang): 100.0 * d["change"].to_numpy(float),
        t("col_sites_before", lang): d["sites_before"].to_numpy(),
        t("col_sites_after", lang): d["sites_after"].to_numpy()}, index=d.index)


def _formats(lang: str, *, share_change: bool) -> dict:
    """Column formats: shares in percent with one decimal, counts with thousands
    separators; the change column is in percentage points (district table) or a count
    (totals table)."""
    pct = st.column_config.NumberColumn(format="%.1f%%")
    num = st.column_config.NumberColumn(format="localized")
    cfg = {t("col_share_before", lang): pct, t("col_share_after", lang): pct,
           t("col_change", lang): pct if share_change else num,
           t("col_total", lang): num, t("col_before", lang): num, t("col_after", lang): num,
           t("population", lang): num}
    return cfg


def _results(settings: Settings, cmps: dict, villages, districts) -> None:
    lang = settings.lang
    st.header(t("results", lang))
    st.caption(t("compare_note", lang, mode=t(f"mode_short_{settings.distance}", lang)))
    for tid, cmp in cmps.items():
        with st.container(border=True, key=f"scn_result_{tid}"):
            # the radius as the sidebar gives it (km, or minutes of road travel time)
            st.subheader(f"{type_name(tid, lang)} · {settings.radius_text(tid)}")
            cols = st.columns(3)
            for col, g in zip(cols, GROUP_COLUMNS):
                row = cmp.totals.loc[g]
                pp = 100.0 * (row["share_after"] - row["share_before"])
                col.metric(t("covered_of", lang, group=t(f"group_{g}", lang)),
                           fmt.pct(row["share_after"]),
                           help=f"{fmt.num(row['before'])} → {fmt.num(row['after'])}",
                           delta=t("pp", lang, pp=pp, n=row["change"]) if row["change"]
                           else None)
            kb, ka, n = cmp.districts_with_site
            st.caption(t("sites_count", lang, b=cmp.sites_before, a=cmp.sites_after) + " · "
                       + t("districts_kpi", lang, b=f"{kb}/{n}", a=f"{ka}/{n}"))
            st.dataframe(totals_frame(cmp, lang), hide_index=True,
                         key=wkey(f"scn_totals_{tid}", lang),
                         column_config=_formats(lang, share_change=False))
            st.markdown(f"**{t('village_delta', lang)}**")
            if cmp.gained or cmp.lost:
                st.dataframe(delta_frame(cmp, villages, lang), hide_index=True,
                             key=wkey(f"scn_delta_{tid}", lang),
                             column_config=_formats(lang, share_change=False))
            else:
                st.caption(t("no_delta", lang))
            frame = district_frame(cmp, districts, lang)
            cfg = _formats(lang, share_change=True)
            st.dataframe(frame.loc[["all"]] if "all" in frame.index else frame.iloc[:0],
                         hide_index=True, key=wkey(f"scn_city_{tid}", lang), column_config=cfg)
            rest = frame.drop(index="all", errors="ignore")
            st.dataframe(rest, hide_index=True, key=wkey(f"scn_districts_{tid}", lang),
                         column_config=cfg,
                         height=38 + 35 * len(rest) + 2)


def _take_click() -> None:
    """A new click on the scenario map becomes the target point (read from the map's value
    before the panel is drawn, so this run already shows it)."""
    click = (st.session_state.get(MAP_KEY) or {}).get("last_clicked")
    if isinstance(click, dict) and "lng" in click and "lat" in click:
        point = (float(click["lng"]), float(click["lat"]))
        if point != st.session_state.get(SEEN):
            st.session_state[CLICK] = st.session_state[SEEN] = point


def _map(lang: str, settings: Settings, cmps: dict, base, after, token: str) -> None:
    types = list(cmps)
    tid = st.selectbox(t("map_type", lang), types, key=wkey("scn_map_type", lang),
                       format_func=lambda k: type_name(k, lang), help=t("help.scn_map_type", lang))
    tid = tid if tid in cmps else types[0]
    # circles show a straight-line radius: none when the comparison runs on the roads
    groups = map_layers(lang, cmps[tid], base, after, tid,
                        circles=settings.circles and settings.mode == "straight",
                        suggestion=st.session_state.get(SUGGEST), target=act.target_point())
    st_folium(base_map(lang, settings.tiles), key=MAP_KEY, height=560,
              use_container_width=True,
              feature_group_to_add=[*groups, mapview.done_group(token)],
              layer_control=folium.LayerControl(collapsed=True),
              returned_objects=["last_clicked"])


@st.fragment
def editor(settings: Settings, cmps: dict, base, after, default_type: str) -> None:
    """The map and its panel (target, add, edit a site, suggestions): a map click or a
    panel control reruns this part only; an edit made here redraws the whole page (the
    comparison, the edit list), and every run writes the ``scenario_map`` done signal."""
    if act.revision() != st.session_state.get(DRAWN):
        st.rerun(scope="app")
    lang = settings.lang
    _take_click()
    _messages()
    token = done.next_token("scenario_map")
    left, right = st.columns([3, 2])
    with right:
        tabs = st.tabs([t("add", lang), t("site_panel", lang), t("suggest", lang)],
                       key=wkey("scn_tabs", lang))
        with tabs[0]:
            widgets.target_widgets(lang, state.dataset().villages)
            widgets.add_widgets(lang, default_type)
        with tabs[1]:
            widgets.site_widgets(lang, after, list(SERVICE_TYPES))
        with tabs[2]:
            widgets.suggest_widgets(lang, settings, default_type)
    with left:
        _map(lang, settings, cmps, base, after, token)
    done.mark("scenario_map", token)


def render(settings: Settings) -> None:
    """The scenario page (signature of the other pages: ``render(settings)``)."""
    lang = settings.lang
    st.session_state["scn_lang"] = lang
    st.session_state["scn_include_planned"] = settings.include_planned
    ds = state.dataset()
    st.title(t("page_scenario", lang))
    _header(lang)
    base = act.baseline()
    try:
        after = apply_edits(base, act.history().active, places=act.places())
    except ValueError as exc:
        st.error(md(t("baseline_error", lang, err=fmt.error_text(exc, lang))))
        after = base
    edited = after[after["site_id"].isin(changed_site_ids(act.history().active))]["type"]
    types = list(dict.fromkeys([*settings.types, *edited]))
    default_type = act.get("scn_add_type") or types[0]
    cmps = comparisons(settings, base, after, types)
    st.session_state[DRAWN] = act.revision()
    editor(settings, cmps, base, after, default_type)
    _results(settings, cmps, ds.villages, ds.districts)
    widgets.edit_list(lang, after)
    widgets.store_widgets(lang)
