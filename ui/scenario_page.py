"""Scenario page: edit a what-if scenario (add / move / close sites, capacity, status,
undo / redo), see it against the baseline at once (covered residents per service type,
villages that gain or lose coverage, drawn green / red on the map, district figures),
ask for MCLP placement suggestions, and keep scenarios in the store (save / load /
duplicate / delete).

State lives in ``st.session_state`` under ``scn_*`` keys; every button acts through an
``on_click`` callback, so the page drawn after a click already shows its result. The
numbers come from :mod:`coverage.compare` (the coverage engine) and
:mod:`ui.scenario_calc` (suggestions); user text is escaped in
HTML (map tooltips) and shown as plain text elsewhere.
"""
from __future__ import annotations

import math

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from coverage import compare
from coverage.scenario import (AddSite, CloseSite, EditHistory, MoveSite, Scenario,
                               SetCapacity, SetStatus, apply_edits, changed_site_ids,
                               edit_to_dict, village_point)
from coverage.store import (ScenarioConflict, ScenarioError, delete_scenario,
                            duplicate_scenario, list_scenarios, load_scenario, save_scenario,
                            store_dir)
from geo.services import SERVICE_TYPES, STATUSES
from ui import fmt, mapview, scenario_calc, state
from ui.assets import esc, offline_map
from ui.controls import Settings
from ui.i18n import t as base_t
from ui.i18n import type_name

HIST, BASE, META, CLICK, SUGGEST, MSGS = ("scn_history", "scn_baseline", "scn_meta",
                                          "scn_click", "scn_suggestion", "scn_messages")
GAINED_COLOR, LOST_COLOR = "#1a9850", "#d73027"
WHERE = ("map", "coords", "village")
SUGGEST_DEMANDS = ("population", "children", "elderly")

# key -> (zh-TW, en); keys missing here come from ui.i18n
STRINGS: dict[str, tuple[str, str]] = {
    "page_scenario": ("情境模擬", "Scenarios"),
    "scenario_of": ("情境：{name}（版本 {v}，{n} 項編輯）", "Scenario: {name} (version {v}, {n} edits)"),
    "unsaved": ("未儲存的情境（{n} 項編輯）", "Unsaved scenario ({n} edits)"),
    "undo": ("↶ 復原", "↶ Undo"), "redo": ("↷ 重做", "↷ Redo"),
    "reset": ("以目前據點開新情境", "New scenario on the current sites"),
    "target": ("目標位置", "Target point"),
    "where": ("位置來源", "Point from"),
    "where_map": ("點選地圖", "Map click"), "where_coords": ("輸入經緯度", "Coordinates"),
    "where_village": ("選擇村里", "A village"),
    "lon": ("經度", "Longitude"), "lat": ("緯度", "Latitude"),
    "click_hint": ("請在地圖上點選位置。", "Click the map to pick a point."),
    "target_is": ("目標：{lon:.5f}, {lat:.5f}", "Target: {lon:.5f}, {lat:.5f}"),
    "add": ("新增據點", "Add a site"), "add_btn": ("在目標位置新增", "Add at the target point"),
    "name": ("名稱", "Name"), "status": ("狀態", "Status"),
    "capacity": ("容量（空白＝未知）", "Capacity (blank = unknown)"),
    "type": ("服務類型", "Service type"),
    "site_panel": ("據點編輯", "Edit a site"), "site": ("據點", "Site"),
    "move_btn": ("移到目標位置", "Move here (target point)"),
    "close_btn": ("關閉此據點", "Close this site"),
    "cap_btn": ("設定容量", "Set capacity"), "status_btn": ("設定狀態", "Set status"),
    "no_target": ("尚未選定目標位置。", "No target point yet."),
    "need_name": ("請輸入據點名稱。", "Enter a site name."),
    "edit_error": ("無法套用：{err}", "Cannot apply: {err}"),
    "edits": ("編輯紀錄", "Edits"), "active": ("生效", "active"),
    "results": ("與基準比較", "Against the baseline"),
    "covered_of": ("{group}涵蓋", "{group} covered"),
    "group_population": ("總人口", "Residents"), "group_children": ("兒少", "Children"),
    "group_elderly": ("高齡", "Elderly"),
    "districts_kpi": ("有據點行政區：{b} → {a}", "Districts with a site: {b} → {a}"),
    "sites_count": ("據點數：{b} → {a}", "Sites: {b} → {a}"),
    "village_delta": ("涵蓋變動的村里", "Villages gaining or losing coverage"),
    "no_delta": ("沒有村里的涵蓋狀態改變。", "No village changes coverage."),
    "gained": ("新增涵蓋", "gained"), "lost": ("失去涵蓋", "lost"),
    "map_type": ("地圖顯示的服務類型", "Service type on the map"),
    "layer_delta": ("涵蓋變動（綠：新增，紅：失去）", "Coverage change (green gained, red lost)"),
    "layer_suggest": ("建議據點", "Suggested sites"), "layer_target": ("目標位置", "Target point"),
    "suggest": ("區位建議（MCLP）", "Placement suggestion (MCLP)"),
    "suggest_k": ("新增據點數 k", "New sites k"),
    "suggest_radius": ("服務半徑（公里）", "Radius (km)"),
    "suggest_btn": ("計算建議", "Suggest sites"),
    "suggest_apply": ("將建議加入情境", "Add the suggestion to the scenario"),
    "suggest_note": ("候選點為各村里代表點；既有營運據點固定保留；直線距離。",
                     "Candidates are the village points; existing sites are kept; straight-line distance."),
    "suggest_before": ("建議前涵蓋", "Covered before"), "suggest_after": ("建議後涵蓋", "Covered after"),
    "solver": ("求解狀態：{s}；最佳性差距 {g}", "Solver: {s}; MIP gap {g}"),
    "suggest_prefix": ("建議據點 ", "Suggested "),
    "suggest_stale": ("建議參數：{t}，k={k}，半徑 {r} km，{d}", "Suggestion for {t}, k={k}, radius {r} km, {d}"),
    "store": ("情境庫", "Scenario store"), "store_dir": ("情境庫資料夾", "Store folder"),
    "scenario_name": ("情境名稱", "Scenario name"), "author": ("作者", "Author"),
    "notes": ("備註", "Notes"), "save": ("儲存", "Save"),
    "stored": ("已儲存的情境", "Stored scenarios"), "load": ("載入", "Load"),
    "delete": ("刪除", "Delete"), "dup_name": ("複製為新名稱", "Copy under the name"),
    "duplicate": ("複製", "Duplicate"), "none_stored": ("情境庫中沒有情境。", "No stored scenarios."),
    "saved": ("已儲存「{name}」版本 {v}", "Saved “{name}” version {v}"),
    "loaded": ("已載入「{name}」版本 {v}", "Loaded “{name}” version {v}"),
    "deleted": ("已刪除「{name}」", "Deleted “{name}”"),
    "duplicated": ("已複製為「{name}」", "Copied to “{name}”"),
    "conflict": ("儲存衝突：{err}", "Save conflict: {err}"),
    "store_error": ("情境庫錯誤：{err}", "Store error: {err}"),
    "unreadable": ("無法讀取的檔案：{err}", "Unreadable file: {err}"),
    "baseline_error": ("情境的編輯無法套用到基準據點：{err}",
                       "The scenario's edits do not apply to its baseline: {err}"),
    "col_group": ("需求群", "Group"), "col_total": ("總數", "Total"),
    "col_before": ("基準涵蓋", "Covered (baseline)"), "col_after": ("情境涵蓋", "Covered (scenario)"),
    "col_change": ("變化", "Change"), "col_share_before": ("基準涵蓋率", "Share (baseline)"),
    "col_share_after": ("情境涵蓋率", "Share (scenario)"),
    "col_sites_before": ("基準據點數", "Sites (baseline)"),
    "col_sites_after": ("情境據點數", "Sites (scenario)"),
    "col_village": ("村里", "Village"), "col_code": ("村里代碼", "VILLCODE"),
    "col_delta": ("變動", "Change"), "col_name": ("名稱", "Name"),
    "col_fixed": ("既有（固定）", "Existing (kept)"),
}


def t(key: str, lang: str, **kw) -> str:
    """Page string (falls back to ui.i18n)."""
    if key not in STRINGS:
        return base_t(key, lang, **kw)
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text


def _md(text: object) -> str:
    """User text made literal inside Streamlit markdown (st.error etc. render markdown;
    raw HTML is never enabled): markdown punctuation backslash-escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in str(text))


# --- session state ----------------------------------------------------------------------

def _ss():
    return st.session_state


def history() -> EditHistory:
    """The edit history of the scenario being edited."""
    return _ss().setdefault(HIST, EditHistory())


def baseline():
    """The scenario's baseline site table: a snapshot of the app's sites taken when the
    scenario started (or the baseline stored with a loaded scenario)."""
    if _ss().get(BASE) is None:
        _ss()[BASE] = state.current_sites()[0]
    return _ss()[BASE]


def _say(level: str, text: str) -> None:
    _ss().setdefault(MSGS, []).append((level, text))


def _lang() -> str:
    return _ss().get("scn_lang") or "zh-TW"


def target_point() -> dict | None:
    """The target point from the widgets: {"lon", "lat", "village"} (village only when a
    village was chosen), or None."""
    where = _ss().get("scn_where", "map")
    if where == "map":
        click = _ss().get(CLICK)
        return None if click is None else {"lon": click[0], "lat": click[1], "village": None}
    if where == "coords":
        lon, lat = _ss().get("scn_lon"), _ss().get("scn_lat")
        return None if lon is None or lat is None else {"lon": lon, "lat": lat, "village": None}
    code = _ss().get("scn_village")
    if not code:
        return None
    lon, lat = village_point(code)
    return {"lon": lon, "lat": lat, "village": code}


def push(edit) -> bool:
    """Add an edit after checking that it applies; a failure becomes an error message."""
    hist = history()
    try:
        apply_edits(baseline(), hist.active + (edit,))
    except ValueError as exc:
        _say("error", t("edit_error", _lang(), err=exc))
        return False
    _ss()[HIST] = hist.push(edit)
    if isinstance(edit, AddSite):
        _ss()["scn_map_type"] = edit.type  # show the type just edited on the map
    else:
        sites = baseline()
        hit = sites.loc[sites["site_id"] == edit.site_id, "type"]
        if len(hit):
            _ss()["scn_map_type"] = hit.iloc[0]
    return True


# --- callbacks ----------------------------------------------------------------------------

def _on_add() -> None:
    lang, target = _lang(), target_point()
    name = (_ss().get("scn_add_name") or "").strip()
    if target is None:
        return _say("error", t("no_target", lang))
    if not name:
        return _say("error", t("need_name", lang))
    cap = _ss().get("scn_add_cap")
    kw = dict(type=_ss()["scn_add_type"], name=name, status=_ss().get("scn_add_status", "open"),
              capacity=None if cap is None else float(cap))
    if target["village"] is not None:
        push(AddSite(village=target["village"], **kw))
    else:
        push(AddSite(lon=float(target["lon"]), lat=float(target["lat"]), **kw))


def _on_move() -> None:
    target = target_point()
    if target is None:
        return _say("error", t("no_target", _lang()))
    push(MoveSite(_ss()["scn_site"], float(target["lon"]), float(target["lat"])))


def _on_close() -> None:
    push(CloseSite(_ss()["scn_site"]))


def _on_capacity() -> None:
    cap = _ss().get("scn_cap")
    push(SetCapacity(_ss()["scn_site"], None if cap is None else float(cap)))


def _on_status() -> None:
    push(SetStatus(_ss()["scn_site"], _ss()["scn_status"]))


def _on_undo() -> None:
    _ss()[HIST] = history().undo()


def _on_redo() -> None:
    _ss()[HIST] = history().redo()


def _on_reset() -> None:
    for key in (HIST, BASE, META, SUGGEST):
        _ss().pop(key, None)
    _ss()["scn_name"] = ""


def _on_suggest() -> None:
    ss, lang = _ss(), _lang()
    try:
        after = apply_edits(baseline(), history().active)
        ss[SUGGEST] = scenario_calc.suggest(
            state.dataset().villages, after, ss["scn_sug_type"], k=int(ss["scn_sug_k"]),
            radius_m=float(ss["scn_sug_radius"]) * 1000.0, demand=ss["scn_sug_demand"],
            include_planned=bool(ss.get("scn_include_planned", False)))
    except ValueError as exc:
        _say("error", t("edit_error", lang, err=exc))


def _on_suggest_type(settings: Settings) -> None:
    """A new suggestion type starts from that type's radius."""
    _ss()["scn_sug_radius"] = _radius(settings, _ss()["scn_sug_type"]) / 1000.0


def _on_apply_suggestion() -> None:
    sug = _ss().get(SUGGEST)
    if sug is None:
        return
    for edit in scenario_calc.suggestion_edits(sug, name_prefix=t("suggest_prefix", _lang())):
        if not push(edit):
            return
    _ss().pop(SUGGEST, None)


def _store() -> str:
    return _ss().get("scn_store_dir") or str(store_dir())


def _on_save() -> None:
    ss, lang = _ss(), _lang()
    name = ss.get("scn_name") or ""
    meta = ss.get(META) or {}
    same = meta.get("name") == name
    scn = Scenario(name=name, baseline=baseline(), edits=history().active,
                   author=ss.get("scn_author") or "", notes=ss.get("scn_notes") or "",
                   created=meta.get("created", "") if same else "",
                   version=meta.get("version", 0) if same else 0)
    try:
        saved = save_scenario(scn, store=_store())
    except ScenarioConflict as exc:
        return _say("error", t("conflict", lang, err=exc))
    except (ScenarioError, ValueError, OSError) as exc:
        return _say("error", t("store_error", lang, err=exc))
    ss[META] = {"name": saved.name, "version": saved.version, "created": saved.created}
    _say("success", t("saved", lang, name=saved.name, v=saved.version))


def _on_load() -> None:
    ss, lang = _ss(), _lang()
    try:
        scn = load_scenario(ss["scn_pick"], store=_store())
    except (ScenarioError, ValueError) as exc:
        return _say("error", t("store_error", lang, err=exc))
    ss[BASE] = scn.baseline
    ss[HIST] = EditHistory.of(scn.edits)
    ss[META] = {"name": scn.name, "version": scn.version, "created": scn.created}
    ss["scn_name"], ss["scn_author"], ss["scn_notes"] = scn.name, scn.author, scn.notes
    ss.pop(SUGGEST, None)
    _say("success", t("loaded", lang, name=scn.name, v=scn.version))


def _on_delete() -> None:
    """Delete the picked scenario if it is still the version the list showed."""
    ss, lang = _ss(), _lang()
    name = ss["scn_pick"]
    try:
        delete_scenario(name, store=_store(),
                        expected_version=ss.get("scn_listed", {}).get(name))
    except ScenarioConflict as exc:
        return _say("error", t("conflict", lang, err=exc))
    except (ScenarioError, ValueError) as exc:
        return _say("error", t("store_error", lang, err=exc))
    if (ss.get(META) or {}).get("name") == name:
        ss[META] = {**ss[META], "version": 0, "created": ""}
    _say("success", t("deleted", lang, name=name))


def _on_duplicate() -> None:
    ss, lang = _ss(), _lang()
    try:
        saved = duplicate_scenario(ss["scn_pick"], ss.get("scn_dup_name") or "", store=_store())
    except ScenarioConflict as exc:
        return _say("error", t("conflict", lang, err=exc))
    except (ScenarioError, ValueError) as exc:
        return _say("error", t("store_error", lang, err=exc))
    _say("success", t("duplicated", lang, name=saved.name))


# --- drawing ------------------------------------------------------------------------------

def _messages() -> None:
    for level, text in _ss().pop(MSGS, []):
        getattr(st, level)(_md(text))


def _header(lang: str) -> None:
    hist, meta = history(), _ss().get(META) or {}
    n = len(hist.active)
    if meta.get("name"):
        st.caption(_md(t("scenario_of", lang, name=meta["name"], v=meta["version"], n=n)))
    else:
        st.caption(t("unsaved", lang, n=n))
    c1, c2, c3 = st.columns([1, 1, 3])
    c1.button(t("undo", lang), key="scn_undo", on_click=_on_undo, disabled=not hist.can_undo)
    c2.button(t("redo", lang), key="scn_redo", on_click=_on_redo, disabled=not hist.can_redo)
    c3.button(t("reset", lang), key="scn_reset", on_click=_on_reset)


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
    target = target_point()
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
    st.button(t("add_btn", lang), key="scn_add_btn", on_click=_on_add, type="primary")


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
    c1.button(t("move_btn", lang), key="scn_move_btn", on_click=_on_move)
    c2.button(t("close_btn", lang), key="scn_close_btn", on_click=_on_close,
              disabled=row["status"] == "closed")
    c1.number_input(t("capacity", lang), min_value=0.0, value=None, step=1.0, key="scn_cap")
    c1.button(t("cap_btn", lang), key="scn_cap_btn", on_click=_on_capacity)
    c2.selectbox(t("status", lang), list(STATUSES), key="scn_status",
                 format_func=lambda s: base_t(s, lang))
    c2.button(t("status_btn", lang), key="scn_status_btn", on_click=_on_status)


def _suggest_widgets(lang: str, settings: Settings, default_type: str) -> None:
    st.subheader(t("suggest", lang))
    types = list(SERVICE_TYPES)
    tid = st.selectbox(t("type", lang), types, index=types.index(default_type),
                       key="scn_sug_type", format_func=lambda k: type_name(k, lang),
                       on_change=_on_suggest_type, args=(settings,))
    st.number_input(t("suggest_k", lang), min_value=1, max_value=30, value=1, step=1,
                    key="scn_sug_k")
    st.number_input(t("suggest_radius", lang), min_value=0.5, max_value=50.0, step=0.5,
                    value=_radius(settings, tid) / 1000.0, key="scn_sug_radius")
    st.selectbox(base_t("demand", lang), SUGGEST_DEMANDS, key="scn_sug_demand",
                 format_func=lambda d: base_t(f"demand_{d}", lang))
    st.caption(t("suggest_note", lang))
    st.button(t("suggest_btn", lang), key="scn_sug_run", on_click=_on_suggest, type="primary")
    sug = _ss().get(SUGGEST)
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
    st.button(t("suggest_apply", lang), key="scn_sug_apply", on_click=_on_apply_suggestion)


def _radius(settings: Settings, type_id: str) -> float:
    from ui.controls import default_radii_m
    return float(settings.radii.get(type_id) or default_radii_m()[type_id])


@st.cache_resource(show_spinner=False, max_entries=64)
def _base_state(sites_key: str, type_id: str, radius_m: float, mode: str,
                include_planned: bool, _sites):
    """The engine state of the baseline's counted sites (cached; callers clone it)."""
    network = state.road_network() if mode == "network" else None
    counted = compare.counted(_sites, type_id, include_planned=include_planned)
    return compare.baseline_state(state.dataset().villages, counted, radius_m=radius_m,
                                        mode=mode if network is not None else "straight",
                                        network=network)


def comparisons(settings: Settings, base, after, types: list[str]) -> dict:
    """coverage.compare.compare_type for each type (baseline states cached)."""
    key = state.sites_fingerprint(base)
    mode = settings.mode if (settings.mode != "network" or state.network_file()) else "straight"
    network = state.road_network() if mode == "network" else None
    out = {}
    for tid in types:
        r = _radius(settings, tid)
        b = _base_state(key, tid, r, mode, settings.include_planned, base)
        out[tid] = compare.compare_type(
            state.dataset().villages, base, after, tid, radius_m=r,
            include_planned=settings.include_planned, mode=mode, network=network, base=b)
    return out


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


def _pct_cols(lang: str) -> dict:
    cfg = {t(k, lang): st.column_config.NumberColumn(format="percent")
           for k in ("col_share_before", "col_share_after", "col_change")}
    return cfg


def _results(lang: str, cmps: dict, villages, districts) -> None:
    st.header(t("results", lang))
    for tid, cmp in cmps.items():
        with st.container(border=True, key=f"scn_result_{tid}"):
            st.subheader(f"{type_name(tid, lang)} · {fmt.num(cmp.radius_m / 1000, 1)} km")
            cols = st.columns(3)
            for col, g in zip(cols, compare.GROUPS):
                row = cmp.totals.loc[g]
                pp = 100.0 * (row["share_after"] - row["share_before"])
                col.metric(t("covered_of", lang, group=t(f"group_{g}", lang)),
                           fmt.pct(row["share_after"]),
                           help=f"{fmt.num(row['before'])} → {fmt.num(row['after'])}",
                           delta=f"{pp:+.1f} pp ({row['change']:+,.0f})",
                           delta_color="normal" if row["change"] else "off")
            kb, ka = cmp.kpi_before, cmp.kpi_after
            st.caption(t("sites_count", lang, b=cmp.sites_before, a=cmp.sites_after) + " · "
                       + t("districts_kpi", lang,
                           b=f"{kb['districts_with_site']}/{kb['districts']}",
                           a=f"{ka['districts_with_site']}/{ka['districts']}"))
            st.dataframe(totals_frame(cmp, lang), hide_index=True, key=f"scn_totals_{tid}",
                         column_config=_pct_cols(lang))
            st.markdown(f"**{t('village_delta', lang)}**")
            if cmp.gained or cmp.lost:
                st.dataframe(delta_frame(cmp, villages, lang), hide_index=True,
                             key=f"scn_delta_{tid}")
            else:
                st.caption(t("no_delta", lang))
            st.dataframe(district_frame(cmp, districts, lang), hide_index=True,
                         key=f"scn_districts_{tid}", column_config=_pct_cols(lang))


# --- map ----------------------------------------------------------------------------------

def delta_group(villages, gained: list[str], lost: list[str], features: list[dict], *,
                lang: str, name: str) -> folium.FeatureGroup:
    """Villages that gain (green) or lose (red) coverage as one GeoJSON layer; tooltips
    escaped. ``features``: village GeoJSON features with the VILLCODE as ``id``."""
    gained_set = set(gained)
    fg = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    chosen = []
    for f in features:
        if f["id"] not in gained_set and f["id"] not in set(lost):
            continue
        row = villages.loc[f["id"]]
        up = f["id"] in gained_set
        tip = (f"<b>{esc(row['district'])} {esc(row['village'])}</b><br>"
               f"{esc(t('gained' if up else 'lost', lang))} · "
               f"{esc(base_t('population', lang))} {fmt.num(row['population'])}")
        chosen.append({**f, "properties": {"code": f["id"], "tip": tip,
                                           "fill": GAINED_COLOR if up else LOST_COLOR}})
    if chosen:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": chosen}, name=name,
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#333333",
                                      "weight": 0.8, "fillOpacity": 0.7},
            tooltip=folium.GeoJsonTooltip(["tip"], labels=False, sticky=True),
        ).add_to(fg)
    return fg


def base_map(lang: str, tiles: str) -> folium.Map:
    """Offline base map: optional tiles and the district outlines with escaped names."""
    ds, disp = state.dataset(), state.display()
    centre, zoom = mapview.bounds_view(tuple(disp["district_geoms"].total_bounds))
    m = offline_map(location=centre, zoom_start=zoom, tiles=None, control_scale=True)
    if mapview.TILES.get(tiles):
        folium.TileLayer(mapview.TILES[tiles], name=tiles, control=False).add_to(m)
    col = "district_en" if lang == "en" else "district"
    feats = [{**f, "properties": {"name": esc(ds.districts.at[f["id"], col])}}
             for f in mapview.geojson_features(disp["district_geoms"])]
    folium.GeoJson({"type": "FeatureCollection", "features": feats}, name="districts",
                   control=False,
                   style_function=lambda f: {"color": "#222222", "weight": 1.5, "fill": False},
                   tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(m)
    return m


def site_tips(sites, lang: str) -> pd.Series:
    """Marker tooltips (escaped): name, type, status, id."""
    return pd.Series({idx: f"<b>{esc(r['name'])}</b><br>{esc(type_name(r['type'], lang))} · "
                           f"{esc(base_t(r['status'], lang))}<br>{esc(r['site_id'])}"
                      for idx, r in sites.iterrows()}, dtype=object)


def suggestion_group(sug, lang: str) -> folium.FeatureGroup:
    """Markers of the suggested new sites (escaped tooltips)."""
    fg = folium.FeatureGroup(name=t("layer_suggest", lang), overlay=True, control=True)
    for _, r in sug.chosen[sug.chosen["new"]].iterrows():
        folium.Marker([r["lat"], r["lon"]], icon=folium.Icon(color="purple", icon="star"),
                      tooltip=folium.Tooltip(f"{esc(t('layer_suggest', lang))}: "
                                             f"<b>{esc(r['name'])}</b>")).add_to(fg)
    return fg


def map_layers(lang: str, settings: Settings, cmp, after, type_id: str) -> list:
    """Feature groups: coverage change, the type's sites (after the edits), suggestions,
    the target point."""
    ds = state.dataset()
    groups = [delta_group(ds.villages, cmp.gained, cmp.lost, state.display()["village_features"],
                          lang=lang, name=t("layer_delta", lang))]
    s = after[(after["type"] == type_id) & after["status"].isin(["open", "planned"])] \
        if len(after) else after
    groups.append(mapview.site_group(s, type_id, name=type_name(type_id, lang),
                                     radius_m=cmp.radius_m if settings.circles else None,
                                     tips=site_tips(s, lang)))
    sug = _ss().get(SUGGEST)
    if sug is not None:
        groups.append(suggestion_group(sug, lang))
    target = target_point()
    fg = folium.FeatureGroup(name=t("layer_target", lang), overlay=True, control=False)
    if target is not None:
        folium.CircleMarker([target["lat"], target["lon"]], radius=8, color="#000000",
                            weight=2, fill=True, fill_color="#ffff00", fill_opacity=0.9
                            ).add_to(fg)
    groups.append(fg)
    return groups


def _map(lang: str, settings: Settings, cmps: dict, after) -> None:
    types = list(cmps)
    tid = st.selectbox(t("map_type", lang), types, key="scn_map_type",
                       format_func=lambda k: type_name(k, lang))
    tid = tid if tid in cmps else types[0]
    out = st_folium(base_map(lang, settings.tiles), key="scn_map", height=560,
                    use_container_width=True,
                    feature_group_to_add=map_layers(lang, settings, cmps[tid], after, tid),
                    layer_control=folium.LayerControl(collapsed=False),
                    returned_objects=["last_clicked"])
    click = out.get("last_clicked") if isinstance(out, dict) else None
    if isinstance(click, dict) and "lng" in click and "lat" in click:
        point = (float(click["lng"]), float(click["lat"]))
        if point != _ss().get(CLICK):
            _ss()[CLICK] = point
            st.rerun()


def _edit_list(lang: str) -> None:
    hist = history()
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
        st.button(t("save", lang), key="scn_save", on_click=_on_save, type="primary")
    with c2:
        try:
            infos = list_scenarios(store=_store())
        except (ScenarioError, OSError) as exc:
            st.error(_md(t("store_error", lang, err=exc)))
            return
        for bad in [i for i in infos if i.error]:
            st.warning(_md(t("unreadable", lang, err=bad.error)))
        good = {i.name: i for i in infos if i.error is None}
        _ss()["scn_listed"] = {n: i.version for n, i in good.items()}
        if not good:
            st.caption(t("none_stored", lang))
            return
        st.selectbox(t("stored", lang), list(good), key="scn_pick",
                     format_func=lambda n: f"{n} (v{good[n].version}, {good[n].n_edits})")
        b1, b2 = st.columns(2)
        b1.button(t("load", lang), key="scn_load", on_click=_on_load)
        b2.button(t("delete", lang), key="scn_delete", on_click=_on_delete)
        st.text_input(t("dup_name", lang), key="scn_dup_name")
        st.button(t("duplicate", lang), key="scn_dup", on_click=_on_duplicate)


def render(settings: Settings) -> None:
    """The scenario page (signature of the other pages: ``render(settings)``)."""
    lang = settings.lang
    _ss()["scn_lang"] = lang
    _ss()["scn_include_planned"] = settings.include_planned
    ds = state.dataset()
    st.title(t("page_scenario", lang))
    _messages()
    _header(lang)
    base = baseline()
    try:
        after = apply_edits(base, history().active)
    except ValueError as exc:
        st.error(_md(t("baseline_error", lang, err=exc)))
        after = base
    edited = after[after["site_id"].isin(changed_site_ids(history().active))]["type"]
    types = list(dict.fromkeys([*settings.types, *edited])) or ["family_service_centre"]
    default_type = _ss().get("scn_add_type") or types[0]
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
    _results(lang, cmps, ds.villages, ds.districts)
    _edit_list(lang)
    _store_widgets(lang)
