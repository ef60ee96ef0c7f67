"""Data page: data-quality report, layer completeness, importing a site list, downloads."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import checks as geo_checks
from geo.quality import findings_frame
from geo.services import SERVICE_TYPES, completeness
from ui import fmt, state
from ui.controls import Settings
from ui.i18n import t, type_name

UPLOAD_TYPES = ["csv", "xlsx", "geojson", "json"]


def completeness_table(sites, lang: str) -> pd.DataFrame:
    """geo.services.completeness formatted for display."""
    c = completeness(sites)
    return pd.DataFrame({
        t("col_type", lang): [type_name(k, lang) for k in c.index],
        t("col_official", lang): [fmt.num(v) for v in c["official_count"]],
        t("col_located", lang): [fmt.num(v) for v in c["located"]],
        t("col_open", lang): [fmt.num(v) for v in c["open"]],
        t("col_planned", lang): [fmt.num(v) for v in c["planned"]],
        t("col_share_located", lang): [fmt.pct(v) for v in c["share_located"]],
        t("col_note", lang): list(c["official_note"]),
    })


@st.cache_data(show_spinner=False)
def quality_report() -> dict:
    """geo.checks.quality_report of the data directory (default layers), cached."""
    return geo_checks.quality_report(state.dataset().data_dir)


def all_findings(report: dict) -> pd.DataFrame:
    """Findings of the default layers' quality report plus every import of this session."""
    rows = [f for e in report["layers"].values() for f in e["findings"]]
    base = pd.DataFrame(rows).drop(columns=["message"], errors="ignore")
    imports = [findings_frame(imp["result"].findings)
               for imp in st.session_state.get(state.IMPORTS_KEY, [])]
    frames = [f for f in [base, *imports] if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else findings_frame([])


def _csv(df: pd.DataFrame, index: bool = True) -> bytes:
    return df.to_csv(index=index).encode("utf-8-sig")  # BOM: Excel opens zh-TW correctly


def render(settings: Settings) -> None:
    lang = settings.lang
    ds = state.dataset()
    sites, key = state.current_sites()
    st.title(t("page_data", lang))

    st.header(t("vintages", lang))
    st.table(pd.DataFrame({"": list(ds.vintages.values())}, index=list(ds.vintages)))
    if ds.missing:
        st.subheader(t("missing_data", lang))
        for line in ds.missing:
            st.text(line)

    st.header(t("completeness", lang))
    st.dataframe(completeness_table(sites, lang), hide_index=True, key="completeness")

    st.header(t("quality", lang))
    report = quality_report()
    st.dataframe(pd.DataFrame([
        {t("col_layer", lang): layer, t("col_file", lang): e["file"],
         t("col_rows", lang): fmt.num(e["rows"]),
         **{sev: fmt.num(e["counts"].get(sev, 0)) for sev in ("error", "warning", "info")}}
        for layer, e in report["layers"].items()]), hide_index=True, key="quality_layers")
    findings = all_findings(report)
    if len(findings):
        st.dataframe(findings.astype(str), hide_index=True, key="findings")
    else:
        st.caption(t("no_findings", lang))

    st.header(t("import", lang))
    st.caption(t("import_help", lang))
    with st.form("import_form", clear_on_submit=True):
        st.file_uploader(t("import_file", lang), type=UPLOAD_TYPES, key="upload")
        st.selectbox(t("import_type", lang), ["", *SERVICE_TYPES], key="import_type",
                     format_func=lambda k: "—" if not k else type_name(k, lang))
        st.form_submit_button(t("import_button", lang), on_click=_do_import)
    _import_feedback(lang)

    imports = st.session_state.get(state.IMPORTS_KEY, [])
    if imports:
        st.subheader(t("imported_sites", lang))
        rows = pd.concat([imp["result"].sites.drop(columns="geometry").assign(file=imp["file"])
                          for imp in imports], ignore_index=True)
        # st.table renders text nodes (React-escaped), so names show exactly as typed
        st.table(rows[["file", "site_id", "type", "name", "district", "address", "status"]]
                 .astype(str))
        if st.button(t("clear_imports", lang), key="clear_imports"):
            st.session_state[state.IMPORTS_KEY] = []
            st.rerun()

    st.header(t("downloads", lang))
    _downloads(settings, sites, key, findings)

    if state.has_population():
        from ui import report_section
        report_section.render(settings, sites, key)


LAST_IMPORT_KEY = "last_import"


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
        st.session_state[LAST_IMPORT_KEY] = {"error": str(exc)}
    else:
        st.session_state[LAST_IMPORT_KEY] = {"result": result}


def _import_feedback(lang: str) -> None:
    """Outcome of the import just made: counts, rejected rows, findings (as text)."""
    last = st.session_state.pop(LAST_IMPORT_KEY, None)
    if not last:
        return
    if "error" in last:
        st.error(t("import_error", lang, err=last["error"]))
        return
    result = last["result"]
    st.success(t("import_done", lang, n=fmt.num(len(result.sites)),
                 rows=fmt.num(result.rows_read), bad=fmt.num(len(result.rejected))))
    if len(result.rejected):
        st.subheader(t("import_rejected", lang))
        st.dataframe(result.rejected.astype(str), hide_index=True, key="rejected")
    errors = findings_frame(result.findings)
    if len(errors):
        st.subheader(t("import_findings", lang))
        st.dataframe(errors.astype(str), hide_index=True, key="import_findings")


def _downloads(settings: Settings, sites, key: str, findings: pd.DataFrame) -> None:
    lang = settings.lang
    cols = st.columns(4)
    tid = settings.metric_type
    if tid and state.has_population():
        r = state.type_result(key, tid, settings.radii[tid], settings.mode, settings.demand,
                              settings.include_planned, sites)
        cols[0].download_button(t("dl_villages", lang), _csv(r.villages),
                                f"villages_{tid}.csv", "text/csv", key="dl_villages")
        cols[1].download_button(t("dl_districts", lang), _csv(pd.concat(
            [r.districts, r.city_row.to_frame("all").T])), f"districts_{tid}.csv", "text/csv",
            key="dl_districts")
    table = sites.drop(columns="geometry").assign(lon=sites.geometry.x, lat=sites.geometry.y) \
        if len(sites) else sites.drop(columns="geometry")
    cols[2].download_button(t("dl_sites", lang), _csv(table, index=False), "sites.csv",
                            "text/csv", key="dl_sites")
    cols[3].download_button(t("dl_quality", lang), _csv(findings, index=False),
                            "quality.csv", "text/csv", key="dl_quality")
