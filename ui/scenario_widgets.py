"""The scenario page's editing panel (add a site, edit a site, placement suggestion), the
edit list in words and the scenario store (names, authors, dates and versions in words).
Callbacks live in :mod:`ui.scenario_actions`; user text is shown as plain text."""
from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from coverage.scenario import AddSite, CloseSite, MoveSite, SetCapacity
from geo.services import SERVICE_TYPES, STATUSES
from i18n import t, type_name
from ui import fmt, notes, scenario_actions as act, state
from ui.controls import Settings, demand_label, demand_options, wkey
from ui.scenario_actions import SUGGEST
from ui.scenario_strings import md

__all__ = ["target_widgets", "add_widgets", "site_widgets", "suggest_widgets", "edit_list",
           "store_widgets", "edit_text", "when", "suggestion_frame"]

WHERE = ("map", "coords", "village")
LOCAL_TZ = ZoneInfo("Asia/Taipei")


def target_widgets(lang: str, villages) -> None:
    st.subheader(t("target", lang))
    where = st.radio(t("where", lang), WHERE, key=wkey("scn_where", lang), horizontal=True,
                     format_func=lambda w: t(f"where_{w}", lang), help=t("help.scn_where", lang))
    if where == "coords":
        x0, y0, x1, y1 = villages.total_bounds
        st.number_input(t("lon", lang), min_value=float(x0), max_value=float(x1),
                        value=121.3, step=0.001, format="%.6f", key=wkey("scn_lon", lang),
                        help=t("help.scn_lon", lang))
        st.number_input(t("lat", lang), min_value=float(y0), max_value=float(y1),
                        value=24.99, step=0.001, format="%.6f", key=wkey("scn_lat", lang),
                        help=t("help.scn_lat", lang))
    elif where == "village":
        dcol, vcol = ("district_en", "village_en") if lang == "en" else ("district", "village")
        names = (villages[dcol] + " " + villages[vcol]).to_dict()
        st.selectbox(t("col_village", lang), list(villages.index), key=wkey("scn_village", lang),
                     format_func=lambda c: names[c], help=t("help.scn_village", lang))
    target = act.target_point()
    st.caption(t("click_hint", lang) if target is None
               else t("target_is", lang, lon=target["lon"], lat=target["lat"]))


def add_widgets(lang: str, default_type: str) -> None:
    st.subheader(t("add", lang))
    types = list(SERVICE_TYPES)
    st.selectbox(t("type", lang), types, index=types.index(default_type),
                 key=wkey("scn_add_type", lang),
                 format_func=lambda k: type_name(k, lang), help=t("help.scn_type", lang))
    st.text_input(t("name", lang), key=wkey("scn_add_name", lang), help=t("help.scn_name", lang))
    st.selectbox(t("status", lang), ["open", "planned"], key=wkey("scn_add_status", lang),
                 format_func=lambda s: t(s, lang), help=t("help.scn_status", lang))
    st.number_input(t("capacity", lang), min_value=0.0, value=None, step=1.0,
                    key=wkey("scn_add_cap", lang),
                    help=t("help.scn_capacity", lang))
    st.button(t("add_btn", lang), key="scn_add_btn", on_click=act.on_add, type="primary",
              help=t("help.scn_add", lang))


def _site_label(row, lang: str) -> str:
    return f"{row['name']} ({type_name(row['type'], lang)}, {t(row['status'], lang)})"


def site_widgets(lang: str, after, types: list[str]) -> None:
    st.subheader(t("site_panel", lang))
    sites = after[after["type"].isin(types)] if len(after) else after
    if len(sites) == 0:
        st.caption(t("no_sites", lang))
        return
    rows = {str(r["site_id"]): r for _, r in sites.iterrows()}
    sid = st.selectbox(t("site", lang), list(rows), key=wkey("scn_site", lang),
                       format_func=lambda s: _site_label(rows[s], lang),
                       help=t("help.scn_site", lang))
    row = rows[sid]
    st.text(t("site_facts", lang, district=row["district"] or "", address=row["address"] or "",
              cap=fmt.num(row["capacity"])))
    c1, c2 = st.columns(2)
    c1.button(t("move_btn", lang), key="scn_move_btn", on_click=act.on_move,
              help=t("help.scn_move", lang))
    c2.button(t("close_btn", lang), key="scn_close_btn", on_click=act.on_close,
              disabled=row["status"] == "closed", help=t("help.scn_close", lang))
    c1.number_input(t("capacity", lang), min_value=0.0, value=None, step=1.0,
                    key=wkey("scn_cap", lang),
                    help=t("help.scn_capacity", lang))
    c1.button(t("cap_btn", lang), key="scn_cap_btn", on_click=act.on_capacity,
              help=t("help.scn_cap", lang))
    c2.selectbox(t("status", lang), list(STATUSES), key=wkey("scn_status", lang),
                 format_func=lambda s: t(s, lang), help=t("help.scn_status", lang))
    c2.button(t("status_btn", lang), key="scn_status_btn", on_click=act.on_status,
              help=t("help.scn_status_btn", lang))


def suggestion_frame(chosen: pd.DataFrame, lang: str, *, new: bool) -> pd.DataFrame:
    """The suggested new sites (``new``) or the kept existing ones, by village, district
    and gain (persons who would lose coverage without the site); no ids, no coordinates."""
    rows = chosen[chosen["new"] == new]
    villages = state.dataset().villages
    code = rows["villcode"].astype(str)
    vcol, dcol = ("village_en", "district_en") if lang == "en" else ("village", "district")
    out = pd.DataFrame({
        t("col_village", lang): [villages.at[c, vcol] if c in villages.index else fmt.DASH
                                 for c in code],
        t("col_district", lang): [villages.at[c, dcol] if c in villages.index else fmt.DASH
                                  for c in code],
        t("col_gain", lang): rows["gain"].astype(float).to_numpy(),
    })
    if not new:
        out.insert(0, t("col_name", lang), rows["name"].astype(str).to_numpy())
    return out


def suggest_widgets(lang: str, settings: Settings, default_type: str) -> None:
    """Type, number, radius (km, or minutes with road travel time) and demand of a placement
    suggestion; "suggest" computes it here (a named spinner: it can take seconds on the
    roads), then the suggested sites."""
    st.subheader(t("suggest", lang))
    types = list(SERVICE_TYPES)
    tid = st.selectbox(t("type", lang), types, index=types.index(default_type),
                       key=wkey("scn_sug_type", lang), format_func=lambda k: type_name(k, lang),
                       on_change=act.on_suggest_type, args=(settings,),
                       help=t("help.scn_sug_type", lang))
    mode, weight = act.suggestion_distance(settings)
    distance = "network_time" if weight == "travel_time" and mode == "network" else mode
    c1, c2 = st.columns(2)
    c1.number_input(t("suggest_k", lang), min_value=1, max_value=30, value=1, step=1,
                    key=wkey("scn_sug_k", lang), help=t("help.scn_sug_k", lang))
    if distance == "network_time":
        c2.number_input(t("suggest_minutes", lang), min_value=1.0, max_value=120.0, step=1.0,
                        value=act.settings_minutes(settings, tid),
                        key=wkey("scn_sug_minutes", lang), help=t("help.scn_sug_minutes", lang))
    else:
        c2.number_input(t("suggest_radius", lang), min_value=0.5, max_value=50.0, step=0.5,
                        value=settings.radius_m(tid) / 1000.0, key=wkey("scn_sug_radius", lang),
                        help=t(f"help.scn_sug_radius_{distance}", lang))
    ds = state.dataset()
    st.selectbox(t("demand", lang), demand_options(ds.villages, ds.vintages.get("population", "")),
                 key=wkey("scn_sug_demand", lang), format_func=lambda d: demand_label(d, lang),
                 help=t("help.scn_sug_demand", lang))
    st.caption(t("suggest_note", lang, mode=t(f"mode_short_{distance}", lang)))
    if st.button(t("suggest_btn", lang), key="scn_sug_run", type="primary",
                 help=t("help.scn_sug_run", lang)):
        with st.spinner(t("step_suggest", lang, type=type_name(act.get("scn_sug_type"), lang),
                          mode=t(f"mode_short_{distance}", lang)), show_time=True):
            error = act.run_suggestion(settings)
        if error:
            st.error(md(error))
    sug = st.session_state.get(SUGGEST)
    if sug is not None:
        _suggestion(lang, sug)


def suggestion_radius_text(sug, lang: str) -> str:
    """The radius of a suggestion as read: "10.0 公里" / "10.0 km", or "15 分鐘" / "15 min"."""
    if sug.unit == "s":
        return t("min_value", lang, r=fmt.num(sug.radius / 60.0))
    return t("km_value", lang, r=fmt.num(sug.radius / 1000.0, 1))


def _suggestion(lang: str, sug) -> None:
    r = sug.result
    st.caption(t("suggest_stale", lang, t=type_name(sug.type_id, lang), k=sug.k,
                 r=suggestion_radius_text(sug, lang), mode=t(f"mode_short_{sug.distance}", lang),
                 d=demand_label(sug.demand, lang)))
    notes.show(sug.notes, lang)
    st.markdown(f"**{t('suggested_sites', lang)}**")
    num = st.column_config.NumberColumn(format="localized", help=t("help.scn_gain", lang))
    st.dataframe(suggestion_frame(sug.chosen, lang, new=True), hide_index=True,
                 key=wkey("scn_sug_table", lang), column_config={t("col_gain", lang): num})
    c1, c2 = st.columns(2)
    c1.metric(t("suggest_before", lang), fmt.num(r.covered_demand_before),
              help=fmt.pct(r.covered_demand_before / r.total_demand) if r.total_demand else None)
    c2.metric(t("suggest_after", lang), fmt.num(r.covered_demand_after),
              delta=fmt.num(r.covered_demand_after - r.covered_demand_before))
    if math.isfinite(r.mip_gap) and r.mip_gap > 0:
        st.caption(t("solver", lang, g=fmt.pct(r.mip_gap, 2)))
    st.button(t("suggest_apply", lang), key="scn_sug_apply", on_click=act.on_apply_suggestion,
              type="primary", help=t("help.scn_sug_apply", lang))
    kept = sug.chosen[~sug.chosen["new"]]
    if len(kept):
        with st.expander(t("kept_sites", lang, n=len(kept))):
            st.dataframe(suggestion_frame(sug.chosen, lang, new=False), hide_index=True,
                         key=wkey("scn_kept_table", lang), column_config={t("col_gain", lang): num})


def edit_text(edit, names: dict, lang: str) -> str:
    """One edit in words (names, not ids)."""
    villages = state.dataset().villages
    if isinstance(edit, AddSite):
        if edit.village is not None and edit.village in villages.index:
            row = villages.loc[edit.village]
            cols = ("district_en", "village_en") if lang == "en" else ("district", "village")
            where = f"{row[cols[0]]} {row[cols[1]]}"
        else:
            where = t("point_at", lang, lon=edit.lon or 0.0, lat=edit.lat or 0.0)
        return t("edit_add", lang, type=type_name(edit.type, lang), name=edit.name, where=where)
    name = names.get(edit.site_id, fmt.DASH)
    if isinstance(edit, MoveSite):
        return t("edit_move", lang, name=name, lon=edit.lon, lat=edit.lat)
    if isinstance(edit, CloseSite):
        return t("edit_close", lang, name=name)
    if isinstance(edit, SetCapacity):
        return t("edit_capacity", lang, name=name, cap=fmt.num(edit.capacity))
    return t("edit_status", lang, name=name, status=t(edit.status, lang))


def edit_list(lang: str, after) -> None:
    hist = act.history()
    if not hist.edits:
        return
    names = dict(zip(act.baseline()["site_id"].astype(str), act.baseline()["name"]))
    names.update(zip(after["site_id"].astype(str), after["name"]))
    st.subheader(t("edits", lang))
    st.dataframe(pd.DataFrame({
        "#": range(1, len(hist.edits) + 1),
        t("active", lang): [i < hist.cursor for i in range(len(hist.edits))],
        t("col_edit", lang): [edit_text(e, names, lang) for e in hist.edits]}),
        hide_index=True, key=wkey("scn_edits", lang))


def when(stamp: str, lang: str) -> str:
    """An ISO time stamp (UTC) as a Taipei date and time in words."""
    try:
        dt = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return fmt.DASH
    if dt.tzinfo is not None:
        dt = dt.astimezone(LOCAL_TZ)
    if lang == "en":
        return dt.strftime("%d %b %Y, %H:%M").lstrip("0")
    return f"{dt.year} 年 {dt.month} 月 {dt.day} 日 {dt:%H:%M}"


def _stored_table(good: dict, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("scenario_name", lang): list(good),
        t("col_author", lang): [i.author or t("no_author", lang) for i in good.values()],
        t("col_version", lang): [t("version_n", lang, v=i.version) for i in good.values()],
        t("col_modified", lang): [when(i.modified, lang) for i in good.values()],
        t("col_created", lang): [when(i.created, lang) for i in good.values()],
        t("col_edits", lang): [t("edits_n", lang, n=i.n_edits) for i in good.values()]})


def store_widgets(lang: str) -> None:
    """The stored scenarios in words (full width), then saving and the actions on the
    picked scenario side by side."""
    from store import ScenarioError, list_scenarios
    st.header(t("store", lang))
    try:
        infos = list_scenarios(store=act.store())
    except (ScenarioError, OSError) as exc:
        st.error(md(t("store_error", lang, err=fmt.error_text(exc, lang))))
        infos = None
    good = {i.name: i for i in infos or [] if i.error is None}
    st.session_state["scn_listed"] = {n: i.version for n, i in good.items()}
    if infos is not None:
        if any(i.error for i in infos):
            st.warning(t("unreadable", lang))
        if good:
            st.markdown(f"**{t('stored', lang)}**")
            st.dataframe(_stored_table(good, lang), hide_index=True,
                         key=wkey("scn_stored", lang))
        else:
            st.caption(t("none_stored", lang))
    c1, c2 = st.columns(2)
    with c1:
        st.text_input(t("scenario_name", lang), key=wkey("scn_name", lang),
                      help=t("help.scn_save_name", lang))
        st.text_input(t("author", lang), key=wkey("scn_author", lang),
                      help=t("help.scn_author", lang))
        st.text_area(t("notes", lang), key=wkey("scn_notes", lang), height=80,
                     help=t("help.scn_notes", lang))
        st.button(t("save", lang), key="scn_save", on_click=act.on_save, type="primary",
                  help=t("help.scn_save", lang))
    if not good:
        return
    with c2:
        st.selectbox(t("pick", lang), list(good), key=wkey("scn_pick", lang),
                     format_func=lambda n: t("stored_line", lang, name=n, v=good[n].version,
                                             author=good[n].author or t("no_author", lang),
                                             when=when(good[n].modified, lang)),
                     help=t("help.scn_pick", lang))
        b1, b2 = st.columns(2)
        b1.button(t("load", lang), key="scn_load", on_click=act.on_load,
                  help=t("help.scn_load", lang))
        b2.button(t("delete", lang), key="scn_delete", on_click=act.on_delete,
                  help=t("help.scn_delete", lang))
        st.text_input(t("dup_name", lang), key=wkey("scn_dup_name", lang),
                      help=t("help.scn_dup_name", lang))
        st.button(t("duplicate", lang), key="scn_dup", on_click=act.on_duplicate,
                  help=t("help.scn_duplicate", lang))
