"""Tables page: tables a planner can act on — every service type at a glance ("no data yet"
where a type has no located site), the districts of the analysed type with the city total
pinned apart, the district-level need (low income, measured per district) against the
type's capacity, every village with uncovered target population (worst first) and the sites
by name. Every table sorts by any column (numbers stay numbers) and downloads as CSV."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.services import SERVICE_TYPES, STATUSES, completeness
from i18n import t, type_name
from ui import fmt, rankings, state
from ui.controls import Settings, demand_label, wkey

__all__ = ["render", "types_frame", "district_table", "need_frame", "sites_frame"]


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel opens zh-TW correctly


def types_frame(results: dict, problems: dict, sites, settings: Settings) -> pd.DataFrame:
    """One row per service type: share and number not covered (empty — shown as "no data
    yet" — without located sites), the demand group, located / official sites (the
    districts' figures are on the type's own table)."""
    lang = settings.lang
    comp = completeness(sites)
    rows = []
    for tid in SERVICE_TYPES:
        r = results.get(tid)
        empty = r is None or len(r.sites) == 0
        rows.append({
            t("col_type", lang): type_name(tid, lang),
            t("col_share", lang): None if empty else 100.0 * float(r.city["demand_share"]),
            t("col_uncovered", lang): None if empty else float(r.city["demand_uncovered"]),
            t("col_target", lang): t(f"demand_{settings.demand or _target(tid)}", lang),
            t("col_sites_located", lang): fmt.ratio(comp.at[tid, "located"],
                                                     comp.at[tid, "official_count"]),
        })
    return pd.DataFrame(rows)


def _target(type_id: str) -> str:
    return state.dataset().config.type(type_id).target


def district_table(result, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the 13 districts, the city row) with numeric columns: not covered, share covered
    (%), children's and elderly shares (%), sites, demand per site, median and
    90th-percentile distance (km)."""
    d = pd.concat([result.districts, result.city_row.to_frame("all").T])
    names = state.dataset().districts["district_en" if lang == "en" else "district"]
    sites = pd.to_numeric(d["sites"], errors="coerce")
    sites.loc["all"] = len(result.sites)

    def pct(col: str) -> pd.Series:
        return 100.0 * pd.to_numeric(d[col], errors="coerce") if col in d else \
            pd.Series(float("nan"), index=d.index)

    frame = pd.DataFrame({
        t("col_district", lang): [t("city", lang) if c == "all" else names[c] for c in d.index],
        t("col_uncovered", lang): d["demand_uncovered"].astype(float),
        t("col_share", lang): pct("demand_share"),
        t("col_children_share", lang): pct("children_share"),
        t("col_elderly_share", lang): pct("elderly_share"),
        t("col_sites", lang): sites.fillna(0).astype(int),
        t("col_per_site", lang): (d["demand_total"].astype(float)
                                  / sites.where(sites > 0)).round(),
        t("col_median_km", lang): _km(d["median_m"]),
        t("col_p90_km", lang): _km(d["p90_m"]),
    }, index=d.index)
    return frame.drop(index="all"), frame.loc[["all"]]


def need_frame(result, lang: str) -> pd.DataFrame | None:
    """The districts' low-income persons (measured per district, never spread over
    villages), their share of the city's, the type's sites and share of its capacity, and
    the gap in percentage points (need share - capacity share), largest first; None
    without that indicator. ``attrs["vintage"]``: the indicator's vintage."""
    from analysis.need import DISTRICT_INDICATORS, district_need
    ctx = state.dataset()
    name = next((n for n in DISTRICT_INDICATORS if n in ctx.indicators), None)
    if name is None:
        return None
    d = district_need(ctx, result, indicator=name)
    names = ctx.districts["district_en" if lang == "en" else "district"]
    frame = pd.DataFrame({
        t("col_district", lang): [names[c] for c in d.index],
        t("col_low_income", lang): d["need"].astype(float),
        t("col_need_share", lang): 100.0 * d["need_share"].astype(float),
        t("col_sites", lang): d["sites"].astype(int),
        t("col_capacity_share", lang): 100.0 * d["capacity_share"].astype(float),
        t("col_need_gap", lang): 100.0 * d["gap"].astype(float),
    }, index=d.index)
    frame.attrs["vintage"] = str(ctx.indicators[name].vintage)
    return frame


def _need_table(result, cfg: dict, lang: str, tid: str) -> None:
    frame = need_frame(result, lang)
    if frame is None:
        return
    vintage = frame.attrs["vintage"]
    st.header(t("need_of", lang, type=type_name(tid, lang)), help=t("help.need_table", lang))
    st.caption(t("need_caption", lang, v=vintage))
    num = st.column_config.NumberColumn
    cfg = {**cfg, t("col_low_income", lang): num(format="localized"),
           t("col_need_share", lang): num(format="%.1f%%"),
           t("col_capacity_share", lang): num(format="%.1f%%"),
           t("col_need_gap", lang): num(format="%+.1f", help=t("help.col_need_gap", lang))}
    _table(frame, "need_table", cfg, lang, f"district_need_{tid}.csv", rows=len(frame))


def _km(metres: pd.Series) -> pd.Series:
    m = pd.to_numeric(metres, errors="coerce").astype(float)
    return (m / 1000.0).where(m != float("inf"))


def sites_frame(sites, type_id: str, lang: str) -> pd.DataFrame:
    """The type's sites by name: district (in ``lang``), address, status, capacity and how
    each was located (its precision in words)."""
    from ui.map_page import precision_text
    s = sites[sites["type"] == type_id] if len(sites) else sites
    districts = state.dataset().districts
    names = dict(zip(districts["district"], districts["district_en" if lang == "en"
                                                       else "district"]))
    return pd.DataFrame({
        t("col_name", lang): s["name"].astype(str).to_numpy(),
        t("col_district", lang): [names.get(d, d) if isinstance(d, str) else ""
                                  for d in s["district"]],
        t("col_address", lang): s["address"].fillna("").astype(str).to_numpy(),
        t("col_status", lang): [t(x, lang) if x in STATUSES else str(x) for x in s["status"]],
        t("col_capacity", lang): pd.to_numeric(s["capacity"], errors="coerce").to_numpy(),
        t("col_precision", lang): [precision_text(p, lang) for p in s["precision"]],
    })


def _all_types(settings: Settings, sites, key: str) -> tuple[dict, dict]:
    """Every type's result, with a progress bar naming the type being computed."""
    lang = settings.lang
    results, problems = {}, {}
    bar = st.progress(0.0)
    for i, tid in enumerate(SERVICE_TYPES):
        bar.progress(i / len(SERVICE_TYPES), text=t("step_type", lang, type=type_name(tid, lang)))
        results[tid], problems[tid] = state.coverage_of(settings, tid, sites, key)
    bar.empty()
    return results, problems


def _formats(lang: str, demand: str) -> dict:
    num = st.column_config.NumberColumn
    cfg = rankings.column_config(lang, demand)
    cfg.update({
        t("col_covered", lang): num(format="localized", help=t("help.col_covered", lang)),
        t("col_children_share", lang): num(format="%.1f%%",
                                           help=t("help.col_children_share", lang)),
        t("col_elderly_share", lang): num(format="%.1f%%",
                                          help=t("help.col_elderly_share", lang)),
        t("col_per_site", lang): num(format="localized", help=t("help.kpi_per_site", lang)),
        t("col_p90_km", lang): num(format="%.1f", help=t("help.col_p90", lang)),
        t("col_sites_located", lang): st.column_config.TextColumn(help=t("help.located", lang)),
        t("col_capacity", lang): num(format="localized", help=t("help.col_capacity", lang)),
    })
    return cfg


def _table(frame: pd.DataFrame, key: str, cfg: dict, lang: str, file_name: str, *,
           rows: int | None = None, placeholder: str | None = None) -> None:
    """A sortable table (``rows`` shown without scrolling, default up to 10) and its CSV;
    ``placeholder``: the text of empty cells."""
    height = (rankings.HEAD_PX + rankings.ROW_PX * rows + 2) if rows else "auto"
    st.dataframe(frame, hide_index=True, key=wkey(key, lang), column_config=cfg, height=height,
                 placeholder=placeholder or t("no_data_cell", lang))
    st.download_button(t("download_csv", lang), _csv(frame), file_name, "text/csv",
                       key=f"dl_{key}", help=t("help.download", lang))


def render(settings: Settings) -> None:
    """The tables page."""
    lang = settings.lang
    st.title(t("page_tables", lang))
    if not state.has_population():
        state.missing_notice(lang)
        return
    sites, key = state.current_sites()
    tid = settings.type_id
    demand = demand_label(settings.demand, lang, tid)
    cfg = _formats(lang, demand)
    st.header(t("all_types", lang))
    results, problems = _all_types(settings, sites, key)
    _table(types_frame(results, problems, sites, settings), "types_table", cfg, lang,
           "service_types.csv", rows=len(SERVICE_TYPES), placeholder=t("no_data_yet", lang))
    st.caption(t("no_data_hint", lang))
    result = results[tid]
    st.header(t("districts_of", lang, type=type_name(tid, lang)))
    if result is None or not len(result.sites):
        st.info(problems[tid] or t("no_data_import", lang, type=type_name(tid, lang)))
        return
    districts, city = district_table(result, lang)
    st.caption(t("city_pinned", lang))
    st.dataframe(city, hide_index=True, key=wkey("city_row", lang), column_config=cfg)
    _table(districts.sort_values(t("col_uncovered", lang), ascending=False, kind="stable"), "district_table",
           cfg, lang, f"districts_{tid}.csv", rows=len(districts))
    _need_table(result, cfg, lang, tid)
    st.header(t("villages_of", lang, type=type_name(tid, lang), demand=demand))
    st.caption(t("ranking_hint_all", lang, n=len(result.gaps)))
    _table(rankings.village_frame(result, lang, n=None), "village_table", cfg, lang,
           f"villages_{tid}.csv")
    st.header(t("sites_of", lang, type=type_name(tid, lang)))
    _table(sites_frame(sites, tid, lang), "sites_table", cfg, lang, f"sites_{tid}.csv")
