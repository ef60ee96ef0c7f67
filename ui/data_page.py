"""Data page: the site library (import a list into a layer, the layers and their versions,
the to-do list of unlocated sites), every data version with the village crosswalk, layer
completeness (located, listed-not-located), the quality report (each finding described in
the page's language, with file names but never the server's paths), CSV downloads and the
report section."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import checks as geo_checks
from geo.services import completeness
from i18n import t, type_name
from ui import data_versions, fmt, library, placing, state
from ui.controls import Settings, wkey
from ui.findings import findings_table, layer_name

__all__ = ["render", "completeness_table", "findings_table", "layer_name"]

SEVERITIES = ("error", "warning", "info")


def completeness_table(sites, lang: str) -> pd.DataFrame:
    """geo.services.completeness for display (numbers kept numeric): official count,
    listed, located, listed-not-located, open, planned, share located."""
    c = completeness(sites)
    return pd.DataFrame({
        t("col_type", lang): [type_name(k, lang) for k in c.index],
        t("col_official", lang): c["official_count"].astype(float).to_numpy(),
        t("col_listed", lang): c["listed"].astype(int).to_numpy(),
        t("col_located", lang): c["located"].astype(int).to_numpy(),
        t("col_unlocated", lang): c["unlocated"].astype(int).to_numpy(),
        t("col_open", lang): c["open"].astype(int).to_numpy(),
        t("col_planned", lang): c["planned"].astype(int).to_numpy(),
        t("col_share_located", lang): c["share_located"].astype(float).to_numpy(),
    })


@st.cache_data(show_spinner=False)
def quality_report() -> dict:
    """geo.checks.quality_report of the data directory (default layers), cached."""
    return geo_checks.quality_report(state.dataset().data_dir)


def _all_findings(report: dict) -> list[dict]:
    return [f for e in report["layers"].values() for f in e["findings"]]


def _csv(df: pd.DataFrame, index: bool = True) -> bytes:
    return df.to_csv(index=index).encode("utf-8-sig")  # BOM: Excel opens zh-TW correctly


def _missing(ds, lang: str) -> None:
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
    st.title(t("page_data", lang))
    library.render(lang)
    placing.render(lang)
    sites, key = state.current_sites()
    data_versions.render(lang)
    _missing(ds, lang)
    st.header(t("completeness", lang), help=t("help.completeness", lang))
    num = st.column_config.NumberColumn
    st.dataframe(completeness_table(sites, lang), hide_index=True, key=wkey("completeness", lang),
                 column_config={t("col_share_located", lang): num(format="percent"),
                                t("col_official", lang): num(format="localized")})
    with st.spinner(t("step_quality", lang)):
        report = quality_report()
    _quality(report, lang)
    st.header(t("downloads", lang))
    _downloads(settings, sites, key, report)
    if state.has_population():
        from ui import report_section
        report_section.render(settings, sites, key)


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
        city = result.city_row.to_frame("all").T.assign(district=t("city", lang))
        cols[1].download_button(t("dl_districts", lang), _csv(pd.concat(
            [result.districts, city])), f"districts_{tid}.csv",
            "text/csv", key="dl_districts", help=t("help.dl_districts", lang))
    located = ~(sites.geometry.isna() | sites.geometry.is_empty) if len(sites) else None
    table = sites.drop(columns="geometry")
    if len(sites):
        table = table.assign(lon=sites.geometry.x.where(located), lat=sites.geometry.y.where(
            located))
    cols[2].download_button(t("dl_sites", lang), _csv(table, index=False), "sites.csv",
                            "text/csv", key="dl_sites", help=t("help.dl_sites", lang))
    cols[3].download_button(t("dl_quality", lang),
                            _csv(findings_table(_all_findings(report), lang), index=False),
                            "quality.csv", "text/csv", key="dl_quality",
                            help=t("help.dl_quality", lang))
