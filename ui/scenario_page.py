"""Scenario page: edit a what-if scenario (add / move / close sites, capacity, status,
undo / redo), see it against the baseline at once (covered residents per service type,
villages that gain or lose coverage, drawn green / red on the map, district figures),
ask for MCLP placement suggestions, and keep scenarios in the store (save / load /
duplicate / delete).

Pieces: :mod:`ui.scenario_actions` (session state, callbacks), :mod:`ui.scenario_map`
(folium layers), :mod:`ui.scenario_strings` (texts); the numbers come from
:func:`coverage.compare.compare_sites` (the coverage engine) and :mod:`ui.scenario_calc`
(suggestions).
User text is escaped in HTML (map tooltips) and shown as plain text elsewhere.
"""
from __future__ import annotations

import math

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.scenario import compare_scenario
from coverage.compare import GROUP_COLUMNS
from coverage.scenario import apply_edits, changed_site_ids, edit_to_dict
from store import ScenarioError, list_scenarios, store_dir
from geo.services import SERVICE_TYPES, STATUSES
from ui import fmt, scenario_calc, state
from ui import scenario_actions as act
from ui.controls import Settings
from ui.i18n import t as base_t
from ui.i18n import type_name
from ui.scenario_actions import CLICK, META, MSGS, SUGGEST
from ui.scenario_map import base_map, map_layers
from ui.scenario_strings import md, t

WHERE = ("map", "coords", "village")
SUGGEST_DEMANDS = ("population", "children", "elderly")


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
    c1.button(t("undo", lang), key="scn_undo", on_click=act.on_undo, disabled=not hist.can_undo)
    c2.button(t("redo", lang), key="scn_redo", on_click=act.on_redo, disabled=not hist.can_redo)
    c3.button(t("reset", lang), key="scn_reset", on_click=act.on_reset)


def _target_widgets(lang: str, villages) -> None:
    st.subheader(t("target", lang))
    where = st.radio(t("where", lang), WHERE, key="scn_where", horizontal=True,
                     format_func=lambda w: t(f"where_{w}", lang))
    if where == "coords":
        x0, y0, x1, y1 = villages.total_bounds
        st.number_input(t("lon", lang), min_value=float(x0), max_value=float(x1),
                        value=121.3, step=0.001, format="%.6f", key="scn_lon")
        st.number_input(t("lat", lang), min_value=float(y0), max_value=float(y1),
                        value=24.99, step=0.001, format="%.6f", key="scn_lat")
    elif where == "village":
        codes = list(villages.index)
        names = (villages["district"] + " " + villages["village"]).to_dict()
        st.selectbox(t("col_village", lang), codes, key="scn_village",
                     format_func=lambda c: f"{names[c]} ({c})")
    target = act.target_point()
    st.caption(t("click_hint", lang) if target is None
               else t("target_is", lang, lon=target["lon"], lat=target["lat"]))


def _add_widgets(lang: str, default_type: str) -> None:
    st.subheader(t("add", lang))
    types = list(SERVICE_TYPES)
    st.selectbox(t("type", lang), types, index=types.index(default_type), key="scn_add_type",
                 format_func=lambda k: type_name(k, lang))
    st.text_input(t("name", lang), key="scn_add_name")
    st.selectbox(t("status", lang), ["open", "planned"], key="scn_add_status",
                 format_func=lambda s: base_t(s, lang))
    st.number_input(t("capacity", lang), min_value=0.0, value=None, step=1.0, key="scn_add_cap")
    st.button(t("add_btn", lang), key="scn_add_btn", on_click=act.on_add, type="primary")


def _site_label(row, lang: str) -> str:
    return f"{row['name']}（{type_name(row['type'], lang)}，{base_t(row['status'], lang)}）"


def _site_widgets(lang: str, after, types: list[str]) -> None:
    st.subheader(t("site_panel", lang))
    sites = after[after["type"].isin(types)] if len(after) else after
    if len(sites) == 0:
        st.caption(base_t("no_sites", lang))
        return
    rows = {str(r["site_id"]): r for _, r in sites.iterrows()}
    sid = st.selectbox(t("site", lang), list(rows), key="scn_site",
                       format_func=lambda s: _site_label(rows[s], lang))
    row = rows[sid]
    g = row.geometry
    st.text(f"{sid} · {row['district'] or ''} · {row['address'] or ''}\n"
            f"{g.x:.5f}, {g.y:.5f} · {t('capacity', lang)}: {fmt.num(row['capacity'])}")
    c1, c2 = st.columns(2)
    c1.button(t("move_btn", lang), key="scn_move_btn", on_click=act.on_move)
    c2.button(t("close_btn", lang), key="scn_close_btn", on_click=act.on_close,
              disabled=row["status"] == "closed")
    c1.number_input(t("capacity", lang), min_value=0.0, value=None, step=1.0, key="scn_cap")
    c1.button(t("cap_btn", lang), key="scn_cap_btn", on_click=act.on_capacity)
    c2.selectbox(t("status", lang), list(STATUSES), key="scn_status",
                 format_func=lambda s: base_t(s, lang))
    c2.button(t("status_btn", lang), key="scn_status_btn", on_click=act.on_status)


def _suggest_widgets(lang: str, settings: Settings, default_type: str) -> None:
    st.subheader(t("suggest", lang))
    types = list(SERVICE_TYPES)
    tid = st.selectbox(t("type", lang), types, index=types.index(default_type),
                       key="scn_sug_type", format_func=lambda k: type_name(k, lang),
                       on_change=act.on_suggest_type, args=(settings,))
    st.number_input(t("suggest_k", lang), min_value=1, max_value=30, value=1, step=1,
                    key="scn_sug_k")
    st.number_input(t("suggest_radius", lang), min_value=0.5, max_value=50.0, step=0.5,
                    value=act.radius_m(settings, tid) / 1000.0, key="scn_sug_radius")
    st.selectbox(base_t("demand", lang), SUGGEST_DEMANDS, key="scn_sug_demand",
                 format_func=lambda d: base_t(f"demand_{d}", lang))
    st.caption(t("suggest_note", lang))
    st.button(t("suggest_btn", lang), key="scn_sug_run", on_click=act.on_suggest, type="primary")
    sug = st.session_state.get(SUGGEST)
    if sug is None:
        return
    r = sug.result
    st.caption(t("suggest_stale", lang, t=type_name(sug.type_id, lang), k=sug.k,
                 r=fmt.num(sug.radius_m / 1000, 1), d=base_t(f"demand_{sug.demand}", lang)))
    c1, c2 = st.columns(2)
    c1.metric(t("suggest_before", lang), fmt.num(r.covered_demand_before),
              help=fmt.pct(r.covered_demand_before / r.total_demand) if r.total_demand else None)
    c2.metric(t("suggest_after", lang), fmt.num(r.covered_demand_after),
              delta=fmt.num(r.covered_demand_after - r.covered_demand_before))
    st.caption(t("solver", lang, s=r.solver_status,
                 g=fmt.pct(r.mip_gap, 2) if math.isfinite(r.mip_gap) else fmt.DASH))
    table = sug.chosen[["id", "name", "district", "village", "lon", "lat", "fixed"]].rename(
        columns={"name": t("col_name", lang), "district": base_t("col_district", lang),
                 "village": t("col_village", lang), "fixed": t("col_fixed", lang)})
    st.dataframe(table, hide_index=True, key="scn_sug_table")
    st.button(t("suggest_apply", lang), key="scn_sug_apply", on_click=act.on_apply_suggestion)


@st.cache_data(show_spinner=False, max_entries=64)
def _comparison(base_key: str, after_key: str, types: tuple, radii: tuple,
                include_planned: bool, _base, _after):
    """analysis.scenario.compare_scenario per type, cached by the two tables' fingerprints."""
    return compare_scenario(state.dataset(), _base, _after, type_ids=list(types),
                            radii_m=dict(radii), include_planned=include_planned).types


def comparisons(settings: Settings, base, after, types: list[str]) -> dict:
    """Scenario vs baseline per type (:func:`analysis.scenario.compare_scenario`, straight-line
    distance): {type id: coverage.compare.TypeComparison}."""
    radii = tuple((tid, act.radius_m(settings, tid)) for tid in types)
    return _comparison(state.sites_fingerprint(base), state.sites_fingerprint(after),
                       tuple(types), radii, settings.include_planned, base, after)


def totals_frame(cmp, lang: str) -> pd.DataFrame:
    """The per-group covered residents, raw numbers, with display column names."""
    tt = cmp.totals
    return pd.DataFrame({
        t("col_group", lang): [t(f"group_{g}", lang) for g in tt.index],
        t("col_total", lang): tt["total"].to_numpy(),
        t("col_before", lang): tt["before"].to_numpy(),
        t("col_after", lang): tt["after"].to_numpy(),
        t("col_change", lang): tt["change"].to_numpy(),
        t("col_share_before", lang): tt["share_before"].to_numpy(),
        t("col_share_after", lang): tt["share_after"].to_numpy()})


def delta_frame(cmp, villages, lang: str) -> pd.DataFrame:
    """Villages that gain / lose coverage: code, district, village, population, change."""
    codes = cmp.gained + cmp.lost
    v = villages.loc[codes] if codes else villages.iloc[:0]
    return pd.DataFrame({
        t("col_code", lang): list(codes),
        base_t("col_district", lang): v["district_en" if lang == "en" else "district"].to_numpy(),
        t("col_village", lang): v["village_en" if lang == "en" else "village"].to_numpy(),
        base_t("col_population", lang): v["population"].to_numpy(float),
        t("col_delta", lang): [t("gained", lang)] * len(cmp.gained) + [t("lost", lang)] * len(cmp.lost)})


def district_frame(cmp, districts, lang: str) -> pd.DataFrame:
    d = cmp.districts
    names = [base_t("city", lang) if c == "all" else districts.at[c, "district_en" if lang == "en"
                                                                  else "district"] for c in d.index]
    return pd.DataFrame({
        base_t("col_district", lang): names,
        base_t("col_population", lang): d["population_total"].to_numpy(),
        t("col_share_before", lang): d["share_before"].to_numpy(),
        t("col_share_after", lang): d["share_after"].to_numpy(),
        t("col_change", lang): d["change"].to_numpy(),
        t("col_sites_before", lang): d["sites_before"].to_numpy(),
        t("col_sites_after", lang): d["sites_after"].to_numpy()})


def _formats(lang: str, *, share_change: bool) -> dict:
    """Column formats: shares as percentages, counts with thousands separators; the
    change column is a share (district table) or a count (totals table)."""
    pct = st.column_config.NumberColumn(format="percent")
    num = st.column_config.NumberColumn(format="localized")
    cfg = {t("col_share_before", lang): pct, t("col_share_after", lang): pct,
           t("col_change", lang): pct if share_change else num,
           t("col_total", lang): num, t("col_before", lang): num, t("col_after", lang): num,
           base_t("col_population", lang): num}
    return cfg


def _results(lang: str, cmps: dict, villages, districts, *, network: bool) -> None:
    st.header(t("results", lang))
    if network:
        st.caption(t("straight_note", lang))
    for tid, cmp in cmps.items():
        with st.container(border=True, key=f"scn_result_{tid}"):
            st.subheader(f"{type_name(tid, lang)} · {fmt.num(cmp.radius_m / 1000, 1)} km")
            cols = st.columns(3)
            for col, g in zip(cols, GROUP_COLUMNS):
                row = cmp.totals.loc[g]
                pp = 100.0 * (row["share_after"] - row["share_before"])
                col.metric(t("covered_of", lang, group=t(f"group_{g}", lang)),
                           fmt.pct(row["share_after"]),
                           help=f"{fmt.num(row['before'])} → {fmt.num(row['after'])}",
                           delta=f"{pp:+.1f} pp ({row['change']:+,.0f})",
                           delta_color="normal" if row["change"] else "off")
            kb, ka, n = cmp.districts_with_site
            st.caption(t("sites_count", lang, b=cmp.sites_before, a=cmp.sites_after) + " · "
                       + t("districts_kpi", lang, b=f"{kb}/{n}", a=f"{ka}/{n}"))
            st.dataframe(totals_frame(cmp, lang), hide_index=True, key=f"scn_totals_{tid}",
                         column_config=_formats(lang, share_change=False))
            st.markdown(f"**{t('village_delta', lang)}**")
            if cmp.gained or cmp.lost:
                st.dataframe(delta_frame(cmp, villages, lang), hide_index=True,
                             key=f"scn_delta_{tid}",
                             column_config=_formats(lang, share_change=False))
            else:
                st.caption(t("no_delta", lang))
            st.dataframe(district_frame(cmp, districts, lang), hide_index=True,
                         key=f"scn_districts_{tid}",
                         column_config=_formats(lang, share_change=True))


def _map(lang: str, settings: Settings, cmps: dict, after) -> None:
    types = list(cmps)
    tid = st.selectbox(t("map_type", lang), types, key="scn_map_type",
                       format_func=lambda k: type_name(k, lang))
    tid = tid if tid in cmps else types[0]
    out = st_folium(base_map(lang, settings.tiles), key="scn_map", height=560,
                    use_container_width=True,
                    feature_group_to_add=map_layers(
                        lang, cmps[tid], after, tid, circles=settings.circles,
                        suggestion=st.session_state.get(SUGGEST), target=act.target_point()),
                    layer_control=folium.LayerControl(collapsed=False),
                    returned_objects=["last_clicked"])
    click = out.get("last_clicked") if isinstance(out, dict) else None
    if isinstance(click, dict) and "lng" in click and "lat" in click:
        point = (float(click["lng"]), float(click["lat"]))
        if point != st.session_state.get(CLICK):
            st.session_state[CLICK] = point
            st.rerun()


def _edit_list(lang: str) -> None:
    hist = act.history()
    if not hist.edits:
        return
    rows = []
    for i, e in enumerate(hist.edits):
        d = edit_to_dict(e)
        rows.append({"#": i + 1, t("active", lang): i < hist.cursor, "kind": d.pop("kind"),
                     "": ", ".join(f"{k}={v}" for k, v in d.items() if v is not None)})
    st.subheader(t("edits", lang))
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="scn_edits")


def _store_widgets(lang: str) -> None:
    st.header(t("store", lang))
    st.text_input(t("store_dir", lang), value=str(store_dir()), key="scn_store_dir")
    c1, c2 = st.columns(2)
    with c1:
        st.text_input(t("scenario_name", lang), key="scn_name")
        st.text_input(t("author", lang), key="scn_author")
        st.text_area(t("notes", lang), key="scn_notes", height=80)
        st.button(t("save", lang), key="scn_save", on_click=act.on_save, type="primary")
    with c2:
        try:
            infos = list_scenarios(store=act.store())
        except (ScenarioError, OSError) as exc:
            st.error(md(t("store_error", lang, err=exc)))
            return
        for bad in [i for i in infos if i.error]:
            st.warning(md(t("unreadable", lang, err=bad.error)))
        good = {i.name: i for i in infos if i.error is None}
        st.session_state["scn_listed"] = {n: i.version for n, i in good.items()}
        if not good:
            st.caption(t("none_stored", lang))
            return
        st.selectbox(t("stored", lang), list(good), key="scn_pick",
                     format_func=lambda n: f"{n} (v{good[n].version}, {good[n].n_edits})")
        b1, b2 = st.columns(2)
        b1.button(t("load", lang), key="scn_load", on_click=act.on_load)
        b2.button(t("delete", lang), key="scn_delete", on_click=act.on_delete)
        st.text_input(t("dup_name", lang), key="scn_dup_name")
        st.button(t("duplicate", lang), key="scn_dup", on_click=act.on_duplicate)


def render(settings: Settings) -> None:
    """The scenario page (signature of the other pages: ``render(settings)``)."""
    lang = settings.lang
    st.session_state["scn_lang"] = lang
    st.session_state["scn_include_planned"] = settings.include_planned
    ds = state.dataset()
    st.title(t("page_scenario", lang))
    _messages()
    _header(lang)
    base = act.baseline()
    try:
        after = apply_edits(base, act.history().active, places=act.places())
    except ValueError as exc:
        st.error(md(t("baseline_error", lang, err=exc)))
        after = base
    edited = after[after["site_id"].isin(changed_site_ids(act.history().active))]["type"]
    types = list(dict.fromkeys([*settings.types, *edited])) or ["family_service_centre"]
    default_type = st.session_state.get("scn_add_type") or types[0]
    cmps = comparisons(settings, base, after, types)

    left, right = st.columns([3, 2])
    with right:
        tabs = st.tabs([t("add", lang), t("site_panel", lang), t("suggest", lang)])
        with tabs[0]:
            _target_widgets(lang, ds.villages)
            _add_widgets(lang, default_type)
        with tabs[1]:
            _site_widgets(lang, after, list(SERVICE_TYPES))
        with tabs[2]:
            _suggest_widgets(lang, settings, default_type)
    with left:
        _map(lang, settings, cmps, after)
    _results(lang, cmps, ds.villages, ds.districts,
             network=settings.mode == "network")
    _edit_list(lang)
    _store_widgets(lang)
