"""Report downloads on the data page: the report (:mod:`reports`) as Excel, GeoPackage,
HTML and PDF for the sidebar's service types, radii, distance mode and demand, in the app's
language, optionally for a stored scenario. The hotspot section uses the settings last
chosen on the hotspot page (``recall("hotspot_query")``: a dict of
:class:`analysis.hotspots.HotspotQuery` fields plus ``type_id``), else the config's
defaults, as ``safetynet report`` does.

Nothing is generated until the user presses 產生報告 / Build report (a PDF takes seconds);
the four files are then built once per input (``st.cache_data``) and kept in the session
under :data:`FILES_KEY`, one download button per format, while the inputs stay the same. A
format that fails (e.g. no CJK font for the PDF) shows its error; the others stay
downloadable. Failures are said in words from the catalogue (what failed and, when known,
why); the exception itself goes to the server log only, never to the page.
"""
from __future__ import annotations

import logging
import re
from datetime import date

import streamlit as st

from i18n import label, t, type_name
from reports import FORMATS, build_report, build_report_data
from ui import state
from ui.fmt import error_text
from ui.controls import Settings, recall, remember, wkey

__all__ = ["render", "build_files", "hotspot_choice", "file_name", "FILES_KEY",
           "HOTSPOT_KEY"]

FILES_KEY = "report_files"  # session_state: {"params", "files", "errors", "notes", "created"}
HOTSPOT_KEY = "hotspot_query"  # remember()ed by the hotspot page: its last choices
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "gpkg": "application/geopackage+sqlite3", "html": "text/html",
        "pdf": "application/pdf"}
HOTSPOT_FIELDS = ("indicator", "method", "weights", "threshold_m", "fdr", "alpha")
LOG = logging.getLogger(__name__)


def failure_reason(exc: BaseException) -> str:
    """Why a report format failed, as a catalogue key suffix (``app.report.why_<reason>``):
    "font" (no Traditional Chinese font for the maps), else "other"."""
    from reports.cartography import NO_CJK_FONT
    text = str(exc)
    return "font" if text == NO_CJK_FONT or "CJK font" in text else "other"


def file_name(fmt: str, created: str, scenario: str = "") -> str:
    """``taoyuan_coverage_<date>.<fmt>`` (``_<scenario>`` before the date, letters,
    digits, - and _ only)."""
    slug = re.sub(r"[^\w-]+", "_", scenario).strip("_")[:40] if scenario else ""
    return f"taoyuan_coverage_{slug + '_' if slug else ''}{created}.{fmt}"


def hotspot_choice(settings: Settings) -> tuple:
    """The hotspot question of the report as hashable (field, value) pairs: the hotspot
    page's last choices, else the config's defaults for the hotspot page's default type
    (the sidebar's map type, else its first type)."""
    chosen = recall(HOTSPOT_KEY, None) or {}
    tid = chosen.get("type_id") or settings.metric_type or \
        (settings.types[0] if settings.types else None)
    return (("type_id", tid), *((k, chosen.get(k)) for k in HOTSPOT_FIELDS))


def _hotspot_query(choice: dict, radius: float | None, mode: str, demand: str,
                   include_planned: bool, weight: str = "length"):
    from analysis.coverage import CoverageQuery
    from analysis.hotspots import HotspotQuery
    coverage = CoverageQuery(choice["type_id"], radius=radius, mode=mode, weight=weight,
                             demand=demand, include_planned=include_planned)
    return HotspotQuery(**{k: choice[k] for k in HOTSPOT_FIELDS}, coverage=coverage)


@st.cache_data(show_spinner=False, max_entries=4)
def build_files(params: tuple, _sites, _scenario) -> dict:
    """The four report files for ``params`` (see :func:`_params`): {"files": {fmt: bytes},
    "errors": {fmt: reason (:func:`failure_reason`)}, "notes": [...], "created": ISO date, "scenario": name}."""
    p = dict(params)
    ctx = state.dataset().with_sites(_sites)
    road = p["mode"] != "straight" and state.roads_available()
    mode, weight = (p["mode"], p["weight"]) if road else ("straight", "length")
    radii = dict(p["radii"]) if road or p["weight"] == "length" else None
    hotspots = None
    if p["hotspots"] is not None:
        choice = dict(p["hotspots"])
        hotspots = _hotspot_query(choice, (radii or {}).get(choice["type_id"]), mode,
                                  p["demand"], p["include_planned"], weight)
    by_unit = {"radii_s": radii} if weight == "travel_time" else {"radii_m": radii}
    data = build_report_data(ctx, types=list(p["types"]), mode=mode, weight=weight,
                             demand=p["demand"], include_planned=p["include_planned"],
                             hotspot_query=hotspots, scenario=_scenario, **by_unit)
    files, errors = {}, {}
    for fmt in FORMATS:
        try:
            files[fmt] = build_report(data, fmt, lang=p["lang"])
        except Exception as exc:  # noqa: BLE001 - said in words; other formats still work
            LOG.exception("report format %s failed", fmt)
            errors[fmt] = failure_reason(exc)
    notes = list(dict.fromkeys(n.text(p["lang"]) for _, n in data.notes))
    return {"files": files, "errors": errors, "notes": notes,
            "created": data.created or date.today().isoformat(),
            "scenario": data.scenario.name if data.scenario is not None else ""}


def _scenario_choice(lang: str) -> tuple[str, object]:
    """The stored scenario picked ("" = baseline) and its identity for the cache key."""
    from store import ScenarioError, list_scenarios
    from ui import scenario_actions as act
    try:
        infos = [i for i in list_scenarios(store=act.store()) if i.error is None]
    except (ScenarioError, OSError) as exc:
        st.warning(t("app.report.store_error", lang, err=error_text(exc, lang)))
        infos = []
    by_name = {i.name: i for i in infos}
    options = ["", *by_name]
    current = recall("report_scenario", "")
    name = remember("report_scenario", st.selectbox(
        t("app.report.scenario", lang), options,
        index=options.index(current) if current in options else 0,
        key=wkey("report_scenario", lang), help=t("app.report.scenario_help", lang),
        format_func=lambda n: t("app.report.baseline", lang) if not n else
        t("app.report.scenario_option", lang, name=n, version=by_name[n].version,
          modified=by_name[n].modified)))
    info = by_name.get(name)
    return name, (None if info is None else (info.name, info.version, info.modified,
                                             str(info.path)))




def _demand_text(demand: str | None, lang: str) -> str:
    """The sidebar's demand choice in words (None: each type's target population)."""
    return t("app.report.demand_target", lang) if demand in (None, "target") \
        else label(demand, lang)


def _params(settings: Settings, sites_key: str, scenario_id, hotspots) -> tuple:
    """Everything the report depends on, hashable (the cache and staleness key)."""
    return (("types", tuple(settings.types)),
            ("radii", tuple((k, settings.radius(k)) for k in settings.types)),
            ("mode", settings.mode), ("weight", settings.weight), ("demand", settings.demand),
            ("include_planned", settings.include_planned), ("lang", settings.lang),
            ("sites", sites_key), ("scenario", scenario_id), ("hotspots", hotspots))


def _hotspot_caption(choice: tuple, lang: str) -> str:
    from reports.text import indicator_label
    from analysis.config import config
    c, h = dict(choice), config().hotspots
    indicator = c["indicator"] or h.indicator
    return t("app.report.hotspot_caption", lang, indicator=indicator_label(indicator, lang),
             type=type_name(c["type_id"], lang) if c["type_id"] else "—",
             fdr=t("report.yes" if (h.fdr if c["fdr"] is None else c["fdr"]) else "report.no",
                   lang))


def _build(params: tuple, sites, name: str, lang: str) -> None:
    """Build the files under a named spinner; a failure is said in words (which step failed:
    reading the stored scenario or computing the report's analyses)."""
    with st.spinner(t("app.report.building", lang)):
        scenario = None
        if name:
            from store import load_scenario
            from ui import scenario_actions as act
            try:
                scenario = load_scenario(name, store=act.store())
            except Exception:  # noqa: BLE001 - said in words, logged for the developers
                LOG.exception("report: loading scenario %r failed", name)
                st.session_state.pop(FILES_KEY, None)
                st.error(t("app.report.failed_scenario", lang, name=name))
                return
        try:
            built = build_files(params, sites, scenario)
        except Exception:  # noqa: BLE001 - said in words, logged for the developers
            LOG.exception("report: building the report data failed")
            st.session_state.pop(FILES_KEY, None)
            st.error(t("app.report.failed_data", lang))
            return
    st.session_state[FILES_KEY] = {"params": params, **built}


def _downloads(built: dict, lang: str) -> None:
    cols = st.columns(len(FORMATS))
    for col, fmt in zip(cols, FORMATS):
        if fmt in built["files"]:
            col.download_button(t(f"app.report.dl_{fmt}", lang), built["files"][fmt],
                                file_name(fmt, built["created"], built["scenario"]),
                                MIME[fmt], key=f"report_dl_{fmt}",
                                help=t(f"app.report.dl_{fmt}_help", lang))
    for fmt, reason in built["errors"].items():
        st.error(t("app.report.format_failed", lang, fmt=t(f"app.report.fmt_{fmt}", lang),
                   why=t(f"app.report.why_{reason}", lang)))
    if built["notes"]:
        st.caption(t("app.report.notes", lang))
        for line in built["notes"]:
            st.text(line)


def render(settings: Settings, sites, sites_key: str) -> None:
    """The report section: inputs, the build button, and the download buttons."""
    lang = settings.lang
    st.header(t("app.report.header", lang))
    if not settings.types:
        st.caption(t("app.report.no_types", lang))
        return
    names = t("list_sep", lang).join(f"{type_name(k, lang)} {settings.radius_text(k)}"
                                     for k in settings.types)
    st.caption(t("app.report.help", lang, types=names,
                 mode=t(f"mode_{settings.distance}", lang),
                 demand=_demand_text(settings.demand, lang)))
    name, scenario_id = _scenario_choice(lang)
    with_hotspots = remember("report_hotspots", st.checkbox(
        t("app.report.hotspots", lang), value=recall("report_hotspots", True),
        key=wkey("report_hotspots", lang), help=t("app.report.hotspots_help", lang)))
    choice = hotspot_choice(settings) if with_hotspots else None
    if choice is not None:
        st.caption(_hotspot_caption(choice, lang))
    params = _params(settings, sites_key, scenario_id, choice)
    if st.button(t("app.report.build", lang), key="report_build", type="primary",
                 help=t("app.report.build_help", lang)):
        _build(params, sites, name, lang)
    built = st.session_state.get(FILES_KEY)
    if not built:
        return
    if built["params"] != params:
        st.caption(t("app.report.stale", lang))
        return
    _downloads(built, lang)
