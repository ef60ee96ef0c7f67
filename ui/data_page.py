"""Data page: data versions, layer completeness, the data-quality report, importing a site
list, downloads and the report section. Findings are shown in the page's language (a
description per finding code), with file names but never the server's paths."""
from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import checks as geo_checks
from geo.services import SERVICE_TYPES, STATUSES, completeness
from i18n import has, t, type_name
from ui import fmt, state
from ui.controls import Settings, wkey

__all__ = ["render", "completeness_table", "findings_table", "layer_name"]

UPLOAD_TYPES = ["csv", "xlsx", "geojson", "json"]
SEVERITIES = ("error", "warning", "info")
LAST_IMPORT_KEY = "last_import"


def layer_name(layer: str, lang: str) -> str:
    """A data layer's display name (service types by their name)."""
    if layer in SERVICE_TYPES:
        return type_name(layer, lang)
    return t(f"layer.{layer}", lang) if has(f"layer.{layer}") else t("layer.other", lang)


def completeness_table(sites, lang: str) -> pd.DataFrame:
    """geo.services.completeness for display (numbers kept numeric)."""
    c = completeness(sites)
    return pd.DataFrame({
        t("col_type", lang): [type_name(k, lang) for k in c.index],
        t("col_official", lang): c["official_count"].astype(float).to_numpy(),
        t("col_located", lang): c["located"].astype(int).to_numpy(),
        t("col_open", lang): c["open"].astype(int).to_numpy(),
        t("col_planned", lang): c["planned"].astype(int).to_numpy(),
        t("col_share_located", lang): c["share_located"].astype(float).to_numpy(),
    })


@st.cache_data(show_spinner=False)
def quality_report() -> dict:
    """geo.checks.quality_report of the data directory (default layers), cached."""
    return geo_checks.quality_report(state.dataset().data_dir)


def _problem(code: str, expected: str, lang: str) -> str:
    if has(f"finding.{code}"):
        return t(f"finding.{code}", lang)
    return expected if lang == "en" else t("finding.other", lang)


def findings_table(rows: list[dict], lang: str) -> pd.DataFrame:
    """Findings (dicts of geo.quality.Finding fields) for display: layer, file name, row,
    field, value, severity and the problem in words."""
    return pd.DataFrame({
        t("col_severity", lang): [t(f"severity_{r.get('severity', 'info')}", lang)
                                  for r in rows],
        t("col_layer", lang): [layer_name(r.get("layer", ""), lang) for r in rows],
        t("col_problem", lang): [_problem(str(r.get("code") or ""), str(r.get("expected", "")),
                                          lang) for r in rows],
        t("col_value", lang): [str(r.get("value") if r.get("value") is not None else "")
                               for r in rows],
        t("col_row", lang): [r.get("row") for r in rows],
        t("col_file", lang): [Path(str(r.get("file") or "")).name for r in rows],
        t("col_field", lang): [_field(r.get("field"), lang) for r in rows],
    })


def _field(name, lang: str) -> str:
    """A field of the site table in ``lang`` (a file's own headers stay as they are)."""
    name = str(name or "")
    return t(f"field.{name}", lang) if has(f"field.{name}") else name


def _all_findings(report: dict) -> list[dict]:
    rows = [f for e in report["layers"].values() for f in e["findings"]]
    for imp in st.session_state.get(state.IMPORTS_KEY, []):
        rows += [asdict(f) for f in imp["result"].findings]
    return rows


def _csv(df: pd.DataFrame, index: bool = True) -> bytes:
    return df.to_csv(index=index).encode("utf-8-sig")  # BOM: Excel opens zh-TW correctly


def _versions(ds, lang: str) -> None:
    st.header(t("vintages", lang), help=t("help.vintages", lang))
    st.dataframe(pd.DataFrame({t("col_layer", lang): [layer_name(k, lang) for k in ds.vintages],
                               t("col_version", lang): [fmt.version(v)
                                                        for v in ds.vintages.values()]}),
                 hide_index=True, key=wkey("vintages", lang))
    if ds.missing:
        st.subheader(t("missing_data", lang))
        for line in ds.missing:
            st.caption(_missing_line(line, lang))


def _missing_line(line: str, lang: str) -> str:
    """A missing-data line without server paths; zh-TW names the layer only."""
    head = line.split(":", 1)[0].strip()
    if lang != "en":
        return t("missing_layer", lang, layer=layer_name(head, lang))
    return re.sub(r"(/[^\s:;,()]+)+", lambda m: Path(m.group(0)).name, line)


def _quality(report: dict, lang: str) -> None:
    st.header(t("quality", lang), help=t("help.quality", lang))
    st.dataframe(pd.DataFrame([
        {t("col_layer", lang): layer_name(layer, lang), t("col_rows", lang): e["rows"],
         **{t(f"severity_{sev}", lang): e["counts"].get(sev, 0) for sev in SEVERITIES}}
        for layer, e in report["layers"].items()]), hide_index=True,
        key=wkey("quality_layers", lang))
    rows = _all_findings(report)
    if rows:
        st.dataframe(findings_table(rows, lang), hide_index=True, key=wkey("findings", lang))
    else:
        st.caption(t("no_findings", lang))


def render(settings: Settings) -> None:
    """The data page."""
    lang = settings.lang
    ds = state.dataset()
    sites, key = state.current_sites()
    st.title(t("page_data", lang))
    _versions(ds, lang)
    st.header(t("completeness", lang), help=t("help.completeness", lang))
    num = st.column_config.NumberColumn
    st.dataframe(completeness_table(sites, lang), hide_index=True, key=wkey("completeness", lang),
                 column_config={t("col_share_located", lang): num(format="percent"),
                                t("col_official", lang): num(format="localized")})
    with st.spinner(t("step_quality", lang)):
        report = quality_report()
    _quality(report, lang)
    _import_section(lang)
    st.header(t("downloads", lang))
    _downloads(settings, sites, key, report)
    if state.has_population():
        from ui import report_section
        report_section.render(settings, sites, key)


def _import_section(lang: str) -> None:
    st.header(t("import", lang))
    st.caption(t("import_help", lang))
    with st.form("import_form", clear_on_submit=True):
        st.file_uploader(t("import_file", lang), type=UPLOAD_TYPES, key="upload",
                         help=t("help.import_file", lang))
        st.selectbox(t("import_type", lang), ["", *SERVICE_TYPES], key="import_type",
                     format_func=lambda k: fmt.DASH if not k else type_name(k, lang),
                     help=t("help.import_type", lang))
        st.form_submit_button(t("import_button", lang), on_click=_do_import,
                              help=t("help.import_button", lang))
    _import_feedback(lang)
    imports = st.session_state.get(state.IMPORTS_KEY, [])
    if imports:
        st.subheader(t("imported_sites", lang))
        rows = pd.concat([imp["result"].sites.drop(columns="geometry").assign(file=imp["file"])
                          for imp in imports], ignore_index=True)
        # st.table renders text nodes (React-escaped), so names show exactly as typed
        st.table(pd.DataFrame({
            t("col_file", lang): rows["file"].astype(str),
            t("col_name", lang): rows["name"].astype(str),
            t("col_type", lang): [type_name(k, lang) if k in SERVICE_TYPES else str(k)
                                  for k in rows["type"]],
            t("col_district", lang): rows["district"].fillna("").astype(str),
            t("col_address", lang): rows["address"].fillna("").astype(str),
            t("col_status", lang): [t(s, lang) if s in STATUSES else str(s)
                                    for s in rows["status"]]}))
        if st.button(t("clear_imports", lang), key="clear_imports",
                     help=t("help.clear_imports", lang)):
            st.session_state[state.IMPORTS_KEY] = []
            st.rerun()


def _do_import() -> None:
    """Form callback: runs before the page is drawn, so every table below already
    includes the new sites."""
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        result = state.import_upload(upload.name, upload.getvalue(),
                                     service_type=st.session_state.get("import_type") or None)
    except (ValueError, FileNotFoundError, KeyError) as exc:
        st.session_state[LAST_IMPORT_KEY] = {"error": exc}
    else:
        st.session_state[LAST_IMPORT_KEY] = {"result": result}


def _import_feedback(lang: str) -> None:
    """Outcome of the import just made: counts, rejected rows, findings (as text)."""
    last = st.session_state.pop(LAST_IMPORT_KEY, None)
    if not last:
        return
    if "error" in last:
        exc = last["error"]
        code = getattr(exc, "code", "")
        st.error(t("import_error", lang, err=_problem(code, str(exc), lang)))
        return
    result = last["result"]
    st.success(t("import_done", lang, n=fmt.num(len(result.sites)),
                 rows=fmt.num(result.rows_read), bad=fmt.num(len(result.rejected))))
    if result.findings:
        st.subheader(t("import_findings", lang))
        rows = [asdict(f) for f in result.findings]
        st.dataframe(findings_table(rows, lang), hide_index=True, key=wkey("import_findings", lang))


def _downloads(settings: Settings, sites, key: str, report: dict) -> None:
    lang = settings.lang
    cols = st.columns(4)
    tid = settings.type_id
    result, _ = state.coverage_of(settings, tid, sites, key) if state.has_population() \
        else (None, None)
    if result is not None:
        cols[0].download_button(t("dl_villages", lang), _csv(result.villages),
                                f"villages_{tid}.csv", "text/csv", key="dl_villages",
                                help=t("help.dl_villages", lang))
        cols[1].download_button(t("dl_districts", lang), _csv(pd.concat(
            [result.districts, result.city_row.to_frame("all").T])), f"districts_{tid}.csv",
            "text/csv", key="dl_districts", help=t("help.dl_districts", lang))
    table = sites.drop(columns="geometry").assign(lon=sites.geometry.x, lat=sites.geometry.y) \
        if len(sites) else sites.drop(columns="geometry")
    cols[2].download_button(t("dl_sites", lang), _csv(table, index=False), "sites.csv",
                            "text/csv", key="dl_sites", help=t("help.dl_sites", lang))
    cols[3].download_button(t("dl_quality", lang),
                            _csv(findings_table(_all_findings(report), lang), index=False),
                            "quality.csv", "text/csv", key="dl_quality",
                            help=t("help.dl_quality", lang))
