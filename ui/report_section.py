"""Report downloads on the data page: the coverage report (coverage.report) as Excel,
GeoPackage, HTML and PDF for the sidebar's service types and radii, in the app's language,
optionally for a stored scenario.

Nothing is generated until the user presses 產生報告 / Build report (a PDF takes seconds);
the four files are then built once per input (``st.cache_data``) and kept in the session
under :data:`FILES_KEY`, and one download button per format is shown while the inputs
stay the same. A format that fails (e.g. no CJK font for the PDF) shows its error; the
others stay downloadable.
"""
from __future__ import annotations

import dataclasses
import re
from datetime import date

import streamlit as st

from coverage.report import FORMATS, build_report, build_report_data
from ui import state
from ui.controls import Settings, recall, remember, wkey
from ui.i18n import type_name

FILES_KEY = "report_files"  # session_state: {"params", "files", "errors", "missing", "created"}
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "gpkg": "application/geopackage+sqlite3", "html": "text/html",
        "pdf": "application/pdf"}
HOTSPOT_INDICATOR = "children_density"  # as `safetynet report` without --no-hotspots

# key -> (zh-TW, en)
_STRINGS = {
    "header": ("涵蓋報告（Excel、GeoPackage、HTML、PDF）",
               "Coverage report (Excel, GeoPackage, HTML, PDF)"),
    "help": ("報告依側欄設定：服務類型 {types}；距離計算：{mode}；需求人口：{demand}。",
             "The report follows the sidebar: service types {types}; distance: {mode}; "
             "demand: {demand}."),
    "scenario": ("情境（選用）", "Scenario (optional)"),
    "baseline": ("現況（不套用情境）", "Baseline (no scenario)"),
    "store_error": ("無法讀取情境庫：{err}", "Cannot read the scenario store: {err}"),
    "hotspots": ("含熱區分析（Gi*，約多 2 秒）", "Include the hotspot analysis (Gi*, ~2 s more)"),
    "build": ("產生報告", "Build report"),
    "building": ("正在產生報告（PDF 需要數秒）…", "Building the report (the PDF takes a few seconds)…"),
    "failed": ("無法產生報告：{err}", "The report could not be built: {err}"),
    "format_failed": ("{fmt} 無法產生：{err}", "{fmt} could not be built: {err}"),
    "stale": ("設定已變更，請重新產生報告。", "The settings changed; build the report again."),
    "no_types": ("請先在側欄選擇服務類型。", "Choose service types in the sidebar first."),
    "missing": ("報告附註：", "Notes in the report:"),
    "dl_xlsx": ("下載 Excel（.xlsx）", "Download Excel (.xlsx)"),
    "dl_gpkg": ("下載 GeoPackage（.gpkg，QGIS）", "Download GeoPackage (.gpkg, QGIS)"),
    "dl_html": ("下載 HTML 報告", "Download HTML report"),
    "dl_pdf": ("下載 PDF 報告", "Download PDF report"),
}


def _t(key: str, lang: str, **kw) -> str:
    zh, en = _STRINGS[key]
    return (zh if lang == "zh-TW" else en).format(**kw)


def report_data(ds, types: list[str], radii_m: dict[str, float], *, scenario=None,
                hotspots: bool = True, **options):
    """:func:`coverage.report.build_report_data` with the sidebar's radius per type
    (metres). ``options``: further keyword options (mode, network, demand,
    include_planned)."""
    return build_report_data(ds, types=types, radii_m=radii_m, scenario=scenario,
                             hotspot_indicator=HOTSPOT_INDICATOR if hotspots else None,
                             **options)


def file_name(fmt: str, created: str, scenario: str = "") -> str:
    """``taoyuan_coverage_<date>.<fmt>`` (``_<scenario>`` before the date, letters,
    digits, - and _ only)."""
    slug = re.sub(r"[^\w-]+", "_", scenario).strip("_")[:40] if scenario else ""
    return f"taoyuan_coverage_{slug + '_' if slug else ''}{created}.{fmt}"


@st.cache_data(show_spinner=False, max_entries=4)
def build_files(params: tuple, _sites, _scenario) -> dict:
    """The four report files for ``params`` (see :func:`_params`): {"files": {fmt: bytes},
    "errors": {fmt: message}, "missing": [...], "created": ISO date, "scenario": name}."""
    p = dict(params)
    ds = dataclasses.replace(state.dataset(), sites=_sites)
    network = state.road_network() if p["mode"] == "network" else None
    data = report_data(ds, list(p["types"]), dict(p["radii"]), scenario=_scenario,
                       hotspots=p["hotspots"], mode="network" if network is not None else
                       "straight", network=network, demand=p["demand"],
                       include_planned=p["include_planned"])
    files, errors = {}, {}
    for fmt in FORMATS:
        try:
            files[fmt] = build_report(data, fmt, lang=p["lang"])
        except Exception as exc:  # noqa: BLE001 - shown to the user; other formats still work
            errors[fmt] = f"{type(exc).__name__}: {exc}"
    return {"files": files, "errors": errors, "missing": list(data.missing),
            "created": data.created or date.today().isoformat(), "scenario": data.scenario}


def _scenario_choice(lang: str) -> tuple[str, object]:
    """The stored scenario picked ("" = baseline) and its identity for the cache key."""
    from store import ScenarioError, list_scenarios
    from ui import scenario_actions as act
    try:
        infos = [i for i in list_scenarios(store=act.store()) if i.error is None]
    except (ScenarioError, OSError) as exc:
        st.warning(_t("store_error", lang, err=exc))
        infos = []
    by_name = {i.name: i for i in infos}
    options = ["", *by_name]
    current = recall("report_scenario", "")
    name = remember("report_scenario", st.selectbox(
        _t("scenario", lang), options, index=options.index(current) if current in options else 0,
        key=wkey("report_scenario", lang),
        format_func=lambda n: _t("baseline", lang) if not n else
        f"{n} (v{by_name[n].version}, {by_name[n].modified})"))
    info = by_name.get(name)
    return name, (None if info is None else (info.name, info.version, info.modified,
                                             str(info.path)))


def _params(settings: Settings, sites_key: str, scenario_id, hotspots: bool) -> tuple:
    """Everything the report depends on, hashable (the cache and staleness key)."""
    return (("types", tuple(settings.types)),
            ("radii", tuple((t, float(settings.radii[t])) for t in settings.types)),
            ("mode", settings.mode), ("demand", settings.demand),
            ("include_planned", settings.include_planned), ("lang", settings.lang),
            ("sites", sites_key), ("scenario", scenario_id), ("hotspots", hotspots))


def render(settings: Settings, sites, sites_key: str) -> None:
    """The report section: inputs, the build button, and the download buttons."""
    lang = settings.lang
    st.header(_t("header", lang))
    if not settings.types:
        st.caption(_t("no_types", lang))
        return
    from ui.i18n import t
    names = "、".join(f"{type_name(k, lang)} {settings.radii[k] / 1000:g} km"
                     for k in settings.types)
    st.caption(_t("help", lang, types=names, mode=t(f"mode_{settings.mode}", lang),
                  demand=t(f"demand_{settings.demand}", lang)))
    name, scenario_id = _scenario_choice(lang)
    hotspots = remember("report_hotspots", st.checkbox(
        _t("hotspots", lang), value=recall("report_hotspots", True),
        key=wkey("report_hotspots", lang)))
    params = _params(settings, sites_key, scenario_id, hotspots)
    if st.button(_t("build", lang), key="report_build", type="primary"):
        with st.spinner(_t("building", lang)):
            try:
                scenario = None
                if name:
                    from store import load_scenario
                    from ui import scenario_actions as act
                    scenario = load_scenario(name, store=act.store())
                built = build_files(params, sites, scenario)
            except Exception as exc:  # noqa: BLE001 - engine/store errors shown as text
                st.session_state.pop(FILES_KEY, None)
                st.error(_t("failed", lang, err=f"{type(exc).__name__}: {exc}"))
                return
        st.session_state[FILES_KEY] = {"params": params, **built}
    built = st.session_state.get(FILES_KEY)
    if not built:
        return
    if built["params"] != params:
        st.caption(_t("stale", lang))
        return
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS):
        if fmt in built["files"]:
            col.download_button(_t(f"dl_{fmt}", lang), built["files"][fmt],
                                file_name(fmt, built["created"], built["scenario"]),
                                MIME[fmt], key=f"report_dl_{fmt}")
    for fmt, err in built["errors"].items():
        st.error(_t("format_failed", lang, fmt=fmt.upper(), err=err))
    if built["missing"]:
        st.caption(_t("missing", lang))
        for line in built["missing"]:
            st.text(line)
