"""Overview page: per service type, cards (located vs official, residents / children /
elderly covered, districts with a site, residents per site) and a table per district."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.services import SERVICE_TYPES, completeness
from ui import fmt, state
from ui.controls import Settings
from ui.i18n import t, type_name


def type_results(settings: Settings, sites, sites_key: str, type_ids) -> dict:
    """Engine results per type id (cached in ui.state)."""
    return {tid: state.type_result(sites_key, tid, settings.radii[tid], settings.mode,
                                   settings.demand, settings.include_planned, sites)
            for tid in type_ids}


def card_values(result, comp_row) -> dict[str, str]:
    """The card texts of one type, formatted from the engine's numbers."""
    city = result.city_row
    kpi = result.city
    return {
        "located": fmt.ratio(comp_row["located"], comp_row["official_count"]),
        "pop_covered": fmt.pct(city.get("population_share")),
        "children_covered": fmt.pct(city.get("children_share")),
        "elderly_covered": fmt.pct(city.get("elderly_share")),
        "districts_covered": f"{fmt.pct(kpi['district_share'])} "
                             f"({kpi['districts_with_site']}/{kpi['districts']})",
        "residents_per_site": fmt.num(kpi["residents_per_site"]) if len(result.sites)
        else fmt.DASH,
    }


CARD_KEYS = ("located", "pop_covered", "children_covered", "elderly_covered",
             "districts_covered", "residents_per_site")


def district_table(result, districts, lang: str) -> pd.DataFrame:
    """Per-district table (plus the city row) of one type, formatted for display."""
    d = pd.concat([result.districts, result.city_row.to_frame("all").T])
    d["residents_per_site"] = d["demand_total"] / d["sites"].where(d["sites"] > 0)
    rows = []
    for code in [*districts.index, "all"]:
        r = d.loc[code]
        name = t("city", lang) if code == "all" else (
            districts.at[code, "district_en"] if lang == "en" else districts.at[code, "district"])
        rows.append({
            t("col_district", lang): name,
            t("col_population", lang): fmt.num(r.get("population_total")),
            t("col_pop_share", lang): fmt.pct(r.get("population_share")),
            t("col_children_share", lang): fmt.pct(r.get("children_share")),
            t("col_elderly_share", lang): fmt.pct(r.get("elderly_share")),
            t("col_sites", lang): fmt.num(r["sites"]),
            t("col_residents_per_site", lang): fmt.num(r["residents_per_site"]),
            t("col_median", lang): fmt.km(r["median_m"]),
            t("col_p90", lang): fmt.km(r["p90_m"]),
        })
    return pd.DataFrame(rows)


def render(settings: Settings) -> None:
    lang = settings.lang
    ds = state.dataset()
    sites, key = state.current_sites()
    comp = completeness(sites)
    st.title(t("title", lang))
    if not state.has_population():
        state.missing_notice(lang)
        return
    radii = "; ".join(f"{type_name(k, lang)} {fmt.num(settings.radii[k] / 1000, 1)} km"
                      for k in settings.types)
    st.caption(t("radius_note", lang, r=radii))
    results = type_results(settings, sites, key, SERVICE_TYPES)
    for tid in SERVICE_TYPES:
        with st.container(border=True, key=f"card_{tid}"):
            st.subheader(type_name(tid, lang))
            values = card_values(results[tid], comp.loc[tid])
            cols = st.columns(len(CARD_KEYS))
            for col, k in zip(cols, CARD_KEYS):
                col.metric(t(k, lang), values[k])
            if len(results[tid].sites) == 0:
                st.caption(t("no_sites", lang))
    st.header(t("district_table", lang))
    for tid in settings.types:
        st.subheader(type_name(tid, lang))
        st.dataframe(district_table(results[tid], ds.districts, lang), hide_index=True,
                     key=f"district_table_{tid}")
