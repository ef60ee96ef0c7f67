"""User-facing strings in zh-TW (default) and English. ``t(key, lang, **fmt)``."""
from __future__ import annotations

from geo.services import SERVICE_TYPES

LANGS = {"zh-TW": "中文", "en": "English"}
DEFAULT_LANG = "zh-TW"

# key -> (zh-TW, en)
STRINGS: dict[str, tuple[str, str]] = {
    "title": ("桃園市社會安全網資源涵蓋分析", "Taoyuan safety-net coverage analyser"),
    "language": ("語言 Language", "Language 語言"),
    "page": ("頁面", "Page"),
    "page_overview": ("總覽", "Overview"),
    "page_map": ("地圖", "Map"),
    "page_scenario": ("情境模擬", "Scenarios"),
    "page_hotspots": ("熱區分析", "Hotspots"),
    "page_data": ("資料", "Data"),
    "controls": ("分析設定", "Analysis settings"),
    "types": ("服務類型", "Service types"),
    "radius": ("服務半徑（公里）", "Radius (km)"),
    "radius_of": ("{name} 半徑（公里）", "{name} radius (km)"),
    "mode": ("距離計算", "Distance"),
    "mode_straight": ("直線距離", "Straight line"),
    "mode_network": ("道路距離（僅桃園區路網）", "Road network (桃園區 graph only)"),
    "mode_network_missing": ("沒有路網檔（roads/*.graphml），改用直線距離。",
                             "No road graph (roads/*.graphml); using straight lines."),
    "demand": ("需求人口", "Demand group"),
    "demand_population": ("總人口", "All residents"),
    "demand_children": ("兒少（0–14歲）", "Children (0–14)"),
    "demand_elderly": ("高齡（65歲以上）", "Elderly (65+)"),
    "include_planned": ("納入規劃中據點", "Count planned sites"),
    "metric": ("地圖指標", "Map metric"),
    "metric_covered": ("涵蓋比例", "Share covered"),
    "metric_nearest_m": ("最近據點距離", "Distance to nearest site"),
    "metric_access": ("2SFCA 可及性（標準化）", "2SFCA accessibility (normalised)"),
    "metric_population": ("人口數", "Population"),
    "metric_density": ("人口密度（人/平方公里）", "Density (residents/km²)"),
    "metric_gap": ("未涵蓋需求人口", "Demand not covered"),
    "metric_type": ("指標依據的服務類型", "Service type for the metric"),
    "district_filter": ("行政區", "District"),
    "all_districts": ("全市", "Whole city"),
    "search": ("搜尋村里或據點名稱", "Search a village or site"),
    "search_none": ("找不到「{q}」", "Nothing matches “{q}”"),
    "search_pick": ("搜尋結果", "Results"),
    "tiles": ("底圖", "Base map"),
    "tiles_none": ("無底圖（離線可用）", "None (works offline)"),
    "tiles_osm": ("OpenStreetMap（需網路）", "OpenStreetMap (needs internet)"),
    "tiles_carto": ("CartoDB Positron（需網路）", "CartoDB Positron (needs internet)"),
    "show_circles": ("顯示服務半徑圈", "Show catchment circles"),
    "network_areas_note": (
        "道路距離模式：色塊為沿道路在服務半徑內可到達據點的路段（兩側各 60 公尺），不顯示直線"
        "半徑圈。路網僅含桃園區，路網外的據點沒有服務範圍。有服務範圍的據點：{counts}。",
        "Road-network mode: the shaded roads are those from which a site is reached within "
        "its radius along the roads (60 m either side); straight-line circles are not shown. "
        "The road graph covers 桃園區 only; sites off the graph have no area. Sites with an "
        "area: {counts}."),
    "located": ("已定位 / 官方數", "Located / official"),
    "pop_covered": ("人口涵蓋率", "Residents covered"),
    "children_covered": ("兒少涵蓋率", "Children covered"),
    "elderly_covered": ("高齡涵蓋率", "Elderly covered"),
    "districts_covered": ("行政區涵蓋率", "Districts with a site"),
    "residents_per_site": ("每據點服務人口", "Residents per site"),
    "no_sites": ("尚無據點資料，可於「資料」頁匯入。",
                 "No sites yet; import a list on the Data page."),
    "district_table": ("各行政區涵蓋情形", "Coverage by district"),
    "col_district": ("行政區", "District"),
    "col_population": ("人口", "Population"),
    "col_pop_share": ("人口涵蓋率", "Residents covered"),
    "col_children_share": ("兒少涵蓋率", "Children covered"),
    "col_elderly_share": ("高齡涵蓋率", "Elderly covered"),
    "col_sites": ("據點數", "Sites"),
    "col_residents_per_site": ("每據點人口", "Residents per site"),
    "col_median": ("距離中位數", "Median distance"),
    "col_p90": ("距離第90百分位", "90th-percentile distance"),
    "city": ("全市", "Whole city"),
    "radius_note": ("半徑為本工具的規劃假設（非官方標準）：{r}",
                    "Radii are planning assumptions of this tool, not official norms: {r}"),
    "detail": ("村里資訊", "Village details"),
    "value": ("數值", "Value"),
    "detail_hint": ("點選地圖上的村里以查看詳細資料。", "Click a village on the map for details."),
    "village": ("村里", "Village"),
    "population": ("人口", "Population"),
    "children": ("兒少（0–14歲）", "Children (0–14)"),
    "elderly": ("高齡（65歲以上）", "Elderly (65+)"),
    "nearest": ("最近據點", "Nearest site"),
    "distance": ("距離", "Distance"),
    "within": ("半徑內據點數", "Sites within radius"),
    "covered_yes": ("在服務半徑內", "within the radius"),
    "covered_no": ("不在服務半徑內", "outside the radius"),
    "legend_unreachable": ("無可及據點", "No site reachable"),
    "legend_nodata": ("無資料", "No data"),
    "layer_villages": ("村里：{metric}", "Villages: {metric}"),
    "planned": ("規劃中", "planned"),
    "open": ("營運中", "open"),
    "closed": ("已關閉", "closed"),
    "no_types": ("請在左側選擇服務類型。", "Choose service types in the sidebar."),
    "metric_help": ("{n} 個據點，半徑 {r} 公里", "{n} sites, radius {r} km"),
    "map_numbers": ("目前設定下的涵蓋情形", "Coverage with the current settings"),
    "quality": ("資料品質報告", "Data-quality report"),
    "completeness": ("圖層完整度（已定位 / 官方數）", "Layer completeness (located / official)"),
    "col_type": ("服務類型", "Service type"),
    "col_official": ("官方數", "Official count"),
    "col_located": ("已定位", "Located"),
    "col_open": ("營運中", "Open"),
    "col_planned": ("規劃中", "Planned"),
    "col_share_located": ("完整度", "Completeness"),
    "col_note": ("官方數說明", "About the count"),
    "col_layer": ("圖層", "Layer"),
    "col_file": ("檔案", "File"),
    "col_rows": ("筆數", "Rows"),
    "no_findings": ("沒有資料品質問題。", "No data-quality findings."),
    "missing_data": ("缺少的資料", "Missing data"),
    "vintages": ("資料版本", "Data vintages"),
    "import": ("匯入據點清單", "Import a site list"),
    "import_help": ("CSV（UTF-8 或 Big5）、Excel（.xlsx）或 GeoJSON；欄位如 名稱、地址、經度、緯度、類型、狀態。",
                    "CSV (UTF-8 or Big5), Excel (.xlsx) or GeoJSON; columns such as name, "
                    "address, lon, lat, type, status."),
    "import_type": ("未填類型的列歸入", "Rows without a type go to"),
    "import_file": ("選擇檔案", "Choose a file"),
    "import_button": ("匯入", "Import"),
    "import_done": ("已匯入 {n} 個據點（共讀取 {rows} 列，{bad} 列有錯誤）。",
                    "Imported {n} sites ({rows} rows read, {bad} rejected)."),
    "import_error": ("無法匯入：{err}", "Could not import: {err}"),
    "import_rejected": ("被拒絕的列", "Rejected rows"),
    "import_findings": ("匯入檢查結果", "Import findings"),
    "imported_layers": ("已匯入的清單", "Imported lists"),
    "imported_sites": ("已匯入的據點", "Imported sites"),
    "clear_imports": ("清除匯入資料", "Remove imported lists"),
    "downloads": ("下載目前的表格（CSV）", "Download the current tables (CSV)"),
    "dl_villages": ("村里涵蓋表", "Village coverage table"),
    "dl_districts": ("行政區涵蓋表", "District coverage table"),
    "dl_sites": ("據點清單", "Site list"),
    "dl_quality": ("資料品質報告", "Data-quality report"),
    "sites_table": ("據點清單", "Sites"),
    "loading": ("載入資料中…", "Loading data…"),
    "no_population": ("沒有人口資料：涵蓋率無法計算。", "No population data: coverage cannot be computed."),
    "boundary_note": ("村里界：{v}；地圖顯示用簡化（保持相鄰邊界一致）。",
                      "Village boundaries: {v}; simplified for display (shared edges kept)."),
}


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The string ``key`` in ``lang`` ("zh-TW" or "en"), formatted with ``fmt``."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def type_name(type_id: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a service type."""
    st = SERVICE_TYPES[type_id]
    return st.name_en if lang == "en" else st.name_zh


def district_name(row, lang: str = DEFAULT_LANG) -> str:
    """District name from a row/dict with district / district_en."""
    return row["district_en"] if lang == "en" else row["district"]


def village_name(row, lang: str = DEFAULT_LANG) -> str:
    """Village name from a row/dict with village / village_en."""
    return row["village_en"] if lang == "en" else row["village"]
