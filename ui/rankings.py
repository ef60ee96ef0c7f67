"""Ranked lists of the landing page and the tables page: the villages and the districts with
the most uncovered target population (worst first, names not ids), numbers kept numeric so
every column sorts, the city total pinned apart. A click on a row of the landing page's
lists zooms the map there (:func:`handle_selection`)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n import district_name, t, village_name
from ui import fmt, state
from ui.controls import Settings, demand_label, is_new, wkey

__all__ = ["village_frame", "district_frame", "city_line", "lists", "handle_selection",
           "column_config", "TOP_N", "VILLAGE_KEY", "DISTRICT_KEY"]

TOP_N = 10
VILLAGE_KEY, DISTRICT_KEY = "rank_villages", "rank_districts"
ROW_PX, HEAD_PX = 35, 38  # st.dataframe row and header heights


def short_name(name: str, lang: str) -> str:
    """A district or village name for narrow lists: English without " District" /
    " Vil." (the column says which); zh-TW as it is."""
    if lang != "en":
        return name
    for suffix in (" District", " Vil."):
        name = name.removesuffix(suffix)
    return name


def village_frame(result, lang: str, *, n: int | None = TOP_N, short: bool = False
                  ) -> pd.DataFrame:
    """The gap ranking (:attr:`CoverageResult.gaps`, worst first), ``n`` rows (None: all),
    for display: rank, district, village, uncovered, demand, nearest site (name) and its
    distance (km). Index VILLCODE."""
    gaps = result.gaps if n is None else result.top_gaps(n)
    villages = state.dataset().villages.loc[gaps.index]
    names = state.site_names()
    name = (lambda x: short_name(x, lang)) if short else (lambda x: x)
    return pd.DataFrame({
        t("col_rank", lang): gaps["rank"].astype(int).to_numpy(),
        t("col_district", lang): [name(district_name(r, lang)) for _, r in villages.iterrows()],
        t("col_village", lang): [name(village_name(r, lang)) for _, r in villages.iterrows()],
        t("col_uncovered", lang): gaps["uncovered_demand"].astype(float).to_numpy(),
        t("col_demand", lang): gaps["demand"].astype(float).to_numpy(),
        t("col_nearest", lang): [names.get(s, fmt.DASH) if isinstance(s, str) else fmt.DASH
                                 for s in gaps["nearest_site"]],
        t("col_distance_km", lang): (gaps["nearest_m"].astype(float) / 1000.0).where(
            lambda x: x != float("inf")).to_numpy(),
    }, index=gaps.index)


def district_frame(result, lang: str, *, short: bool = False) -> pd.DataFrame:
    """The 13 districts, most uncovered demand first (the city row is apart, see
    :func:`city_line`): district, uncovered, demand, share covered, sites, median distance.
    Index TOWNCODE."""
    d = result.districts
    uncovered = d["demand_uncovered"].astype(float)  # the analysis layer's figure
    order = uncovered.sort_values(ascending=False, kind="stable").index
    d, uncovered = d.loc[order], uncovered.loc[order]
    districts = state.dataset().districts.loc[order]
    col = "district_en" if lang == "en" else "district"
    return pd.DataFrame({
        t("col_district", lang): [short_name(x, lang) if short else x for x in districts[col]],
        t("col_uncovered", lang): uncovered.to_numpy(),
        t("col_demand", lang): d["demand_total"].astype(float).to_numpy(),
        t("col_share", lang): 100.0 * d["demand_share"].astype(float).to_numpy(),
        t("col_sites", lang): d["sites"].fillna(0).astype(int).to_numpy(),
        t("col_median_km", lang): (d["median_m"].astype(float) / 1000.0).where(
            lambda x: x != float("inf")).to_numpy(),
    }, index=order)


def city_line(result, lang: str) -> str:
    """The city total, pinned apart from the district rows."""
    c = result.city
    return t("city_total", lang, u=fmt.num(c["demand_uncovered"]), d=fmt.num(c["demand_total"]),
             s=fmt.pct(c["demand_share"]))


def column_config(lang: str, demand: str, *, compact: bool = False) -> dict:
    """Formats and explanations of the ranking columns (thousands separators, % with one
    decimal, km); ``compact``: fixed narrow widths for the landing page's lists."""
    num = st.column_config.NumberColumn
    text = st.column_config.TextColumn
    w = {"rank": 40, "name": 76, "number": 88} if compact else {}
    return {
        t("col_rank", lang): num(format="%d", help=t("help.col_rank", lang),
                                 width=w.get("rank", "small")),
        t("col_district", lang): text(width=w.get("name")),
        t("col_village", lang): text(width=w.get("name")),
        t("col_uncovered", lang): num(format="localized", width=w.get("number"),
                                      help=t("help.col_uncovered", lang, demand=demand)),
        t("col_demand", lang): num(format="localized", help=t("help.col_demand", lang,
                                                               demand=demand)),
        t("col_share", lang): num(format="%.1f%%", help=t("help.col_share", lang),
                                  width=w.get("number")),
        t("col_sites", lang): num(format="%d", help=t("help.col_sites", lang),
                                  width=w.get("rank")),
        t("col_distance_km", lang): num(format="%.1f", help=t("help.col_distance", lang)),
        t("col_median_km", lang): num(format="%.1f", help=t("help.col_median", lang)),
        t("col_nearest", lang): st.column_config.TextColumn(help=t("help.col_nearest", lang)),
    }


def _selected_row(key: str) -> int | None:
    state_ = st.session_state.get(key)
    try:
        rows = state_["selection"]["rows"]
    except (KeyError, TypeError):
        return None
    return int(rows[0]) if rows else None


def handle_selection(result, *, select, lang: str) -> None:
    """Act on a new row click in the landing page's lists: a village opens its panel
    and the map zooms to it; a district zooms the map to the district."""
    from ui import map_page
    if result is None or not len(result.sites):
        return
    row = _selected_row(wkey(VILLAGE_KEY, lang))
    if is_new(VILLAGE_KEY, (lang, row)) and row is not None:
        codes = result.top_gaps(TOP_N).index
        if row < len(codes):
            select(codes[row], map_page.village_view(codes[row]))
    row = _selected_row(wkey(DISTRICT_KEY, lang))
    if is_new(DISTRICT_KEY, (lang, row)) and row is not None:
        codes = district_frame(result, "en").index
        if row < len(codes):
            st.session_state["map_view"] = map_page.district_view(codes[row])


def lists(result, settings: Settings) -> None:
    """The two ranked lists (tabs), worst first, rows clickable."""
    lang = settings.lang
    demand = demand_label(settings.demand, lang, settings.type_id)
    cfg = column_config(lang, demand, compact=True)
    st.markdown(f"**{t('ranking', lang, demand=demand)}**")
    tab_v, tab_d = st.tabs([t("tab_villages", lang), t("tab_districts", lang)],
                           key=wkey("rank_tabs", lang))
    with tab_v:
        _clickable(village_frame(result, lang, short=True), VILLAGE_KEY, cfg, lang,
                   ("col_rank", "col_district", "col_village", "col_uncovered"))
        st.caption(t("ranking_hint", lang, n=len(result.gaps)))
    with tab_d:
        st.caption(city_line(result, lang))
        _clickable(district_frame(result, lang, short=True), DISTRICT_KEY, cfg, lang,
                   ("col_district", "col_uncovered", "col_share", "col_sites"))


def _clickable(frame: pd.DataFrame, key: str, cfg: dict, lang: str, columns: tuple) -> None:
    """A ranked list whose rows can be clicked (one at a time), all rows shown."""
    st.dataframe(frame, hide_index=True, key=wkey(key, lang), on_select="rerun",
                 selection_mode="single-row", column_config=cfg,
                 height=HEAD_PX + ROW_PX * len(frame) + 2,
                 column_order=[t(k, lang) for k in columns])
