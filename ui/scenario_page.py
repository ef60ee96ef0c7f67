"""Scenario page: edit a what-if scenario (add / move / close sites, capacity, status,
undo / redo), see it against the baseline at once (covered residents per service type,
villages that gain or lose coverage, drawn green / red on the map, district figures),
ask for MCLP placement suggestions, and keep scenarios in the store (save / load /
duplicate / delete).

State lives in ``st.session_state`` under ``scn_*`` keys; every button acts through an
``on_click`` callback, so the page drawn after a click already shows its result. The
numbers come from :mod:`ui.scenario_calc` (the coverage engine); user text is escaped in
HTML (map tooltips) and shown as plain text elsewhere.
"""
from __future__ import annotations

import math

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from coverage.scenario import (AddSite, CloseSite, EditHistory, MoveSite, Scenario,
                               SetCapacity, SetStatus, apply_edits, changed_site_ids,
                               edit_to_dict, village_point)
from coverage.store import (ScenarioConflict, ScenarioError, delete_scenario,
                            duplicate_scenario, list_scenarios, load_scenario, save_scenario,
                            store_dir)
from geo.services import SERVICE_TYPES, STATUSES
from ui import fmt, mapview, scenario_calc, state
from ui.assets import esc
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
    return _ss().get("lang") or "zh-TW"


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


def _on_delete(version: int) -> None:
    ss, lang = _ss(), _lang()
    name = ss["scn_pick"]
    try:
        delete_scenario(name, store=_store(), expected_version=version)
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
