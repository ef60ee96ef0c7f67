"""User-facing strings of the scenario page, zh-TW (default) and English, and escaping
of user text for Streamlit markdown."""
from __future__ import annotations

from ui.i18n import t as base_t


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
    "straight_note": ("情境比較以直線距離計算（道路距離僅適用於地圖頁）。",
                      "Scenario comparisons use straight-line distance (road distance is "
                      "on the map page only)."),
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
    "col_sites_before": ("基準有據點", "Site (baseline)"),
    "col_sites_after": ("情境有據點", "Site (scenario)"),
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


def md(text: object) -> str:
    """User text made literal inside Streamlit markdown (st.error etc. render markdown;
    raw HTML is never enabled): markdown punctuation backslash-escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in str(text))
