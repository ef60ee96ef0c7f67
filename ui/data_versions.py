"""The data page's versions: every layer in use with its version — village boundaries,
population (the vintage picked in the sidebar), built-up land, the road network, the need
indicators, the default service layers and the site library's layers — and the 2021 ↔
2023-09 village crosswalk (:func:`geo.crosswalk.crosswalk_summary`): how many villages
changed and each split village with the share of its parent's people it received.
Names are in the page's language; no path of the server is shown."""
from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from geo.city import city
from i18n import district_name, has, t, type_name, village_name
from ui import fmt, state
from ui.controls import wkey
from ui.findings import layer_name

__all__ = ["render", "versions_frame", "crosswalk_frame"]

_LIBRARY = re.compile(r"version (\d+)")


def _road_rows(lang: str) -> list[dict]:
    """The road network the app uses (its configured name and vintage; nothing is loaded):
    the layer, the vintage, the source and what it covers."""
    from analysis.context import RoadSource
    from geo.roads import default_source
    from ui.notes import place_names, road_label
    roads = city().files.get("roads", {})
    name = state.road_choice() or default_source()
    conf = roads.get(name) if isinstance(roads.get(name), dict) else None
    if conf is None:
        return [{"layer": t("layer.roads", lang), "version": fmt.DASH, "note": name}]
    source = RoadSource(label=str(conf.get("name", name)), vintage=str(conf.get("vintage", "")))
    covers = str(conf.get("covers", ""))
    note = (t("note.roads_partial", lang, covers=place_names(covers, lang)) if covers
            else t("note.roads_city", lang))
    return [{"layer": t("layer.roads", lang), "version": fmt.version(source.vintage),
             "note": f"{road_label(source, lang)}; {note}" if lang == "en"
             else f"{road_label(source, lang)}；{note}"}]


def versions_frame(ctx, lang: str) -> pd.DataFrame:
    """One row per layer in use: layer, version (a date, or a library version in words),
    a note (counts, the indicators' level)."""
    rows = []
    for key, text in ctx.vintages.items():
        if key.startswith("layer:"):
            m = _LIBRARY.search(text)
            rows.append({"layer": t("layer.library", lang, name=key.split(":", 1)[1]),
                         "version": t("lib.version_words", lang, v=m.group(1)) if m else text,
                         "note": ""})
        elif key.startswith("replaced:"):
            rows.append({"layer": t("layer.replaced", lang,
                                    type=type_name(key.split(":", 1)[1], lang)),
                         "version": fmt.DASH, "note": ""})
        elif key == "crosswalk":
            rows.append({"layer": layer_name(key, lang), "version": "2021 ↔ 2023-09",
                         "note": t("note.crosswalk", lang)})
        elif key in ctx.indicators:
            ind = ctx.indicators[key]
            rows.append({"layer": layer_name(key, lang), "version": fmt.version(ind.vintage),
                         "note": t(f"level.{ind.level}", lang) if has(f"level.{ind.level}")
                         else ind.level})
        else:
            rows.append({"layer": layer_name(key, lang), "version": fmt.version(text),
                         "note": _note(ctx, key, lang)})
        if key == "residents_placed_on":
            rows += _road_rows(lang)
    if not any(k == "residents_placed_on" for k in ctx.vintages):
        rows += _road_rows(lang)
    return pd.DataFrame(rows).rename(columns={
        "layer": t("col_layer", lang), "version": t("col_version", lang),
        "note": t("col_note", lang)})


def _note(ctx, key: str, lang: str) -> str:
    if key == "boundaries":
        return t("note.villages", lang, n=fmt.num(len(ctx.villages)))
    if key == "population" and "population" in ctx.villages:
        return t("note.residents", lang, n=fmt.num(ctx.villages["population"].sum()))
    return ""


@st.cache_data(show_spinner=False)
def _summary(data_dir: str | None) -> dict | None:
    """geo.crosswalk.crosswalk_summary of the data directory's crosswalk (cached)."""
    if data_dir is None:
        return None
    from geo.crosswalk import crosswalk_summary, village_crosswalk
    return crosswalk_summary(village_crosswalk(data_dir))


def crosswalk_frame(summary: dict, new_villages, old_villages, lang: str) -> pd.DataFrame:
    """The split villages: new village, parent village (names in ``lang``), the parent's
    share of people it received (%) and how the share was set."""
    def name(table, code: str, fallback: str) -> str:
        if code in table.index:
            row = table.loc[code]
            return f"{district_name(row, lang)} {village_name(row, lang)}"
        return fallback
    rows = []
    for code, split in summary["split_villages"].items():
        for p in split["parents"]:
            basis = str(p["basis"]).replace("-", "")
            rows.append({
                t("crosswalk.col_new", lang): name(new_villages, code, split["name"]),
                t("crosswalk.col_parent", lang): name(old_villages, p["parent"],
                                                      p["parent_name"]),
                t("crosswalk.col_share", lang): 100.0 * float(p["share_of_parent"]),
                t("crosswalk.col_basis", lang): t(f"crosswalk.basis.{basis}", lang)
                if has(f"crosswalk.basis.{basis}") else str(p["basis"])})
    return pd.DataFrame(rows)


def _villages_on(boundaries: str):
    """The village table of the vintage on ``boundaries`` (names for the crosswalk)."""
    from geo.population import POPULATION_VINTAGES
    for vintage, meta in POPULATION_VINTAGES.items():
        if meta.get("boundaries") == boundaries:
            return state.base_context(vintage).villages
    return state.dataset().villages


def render(lang: str) -> None:
    """Data versions and the village crosswalk."""
    ctx = state.dataset()
    st.header(t("vintages", lang), help=t("help.vintages", lang))
    st.caption(t("vintage.in_use", lang, v=state.current_vintage(), n=fmt.num(len(ctx.villages))))
    col = st.column_config.TextColumn
    st.dataframe(versions_frame(ctx, lang), hide_index=True, key=wkey("vintages", lang),
                 column_config={t("col_layer", lang): col(width="medium"),
                                t("col_version", lang): col(width="small"),
                                t("col_note", lang): col(width="large")})
    summary = _summary(str(ctx.data_dir) if ctx.data_dir else None)
    if summary:
        st.subheader(t("crosswalk.header", lang), help=t("help.crosswalk", lang))
        st.caption(t("crosswalk.summary", lang, old=summary["old_villages"],
                     new=summary["new_villages"], same=summary["unchanged"],
                     changed=len(summary["changed_old_villages"]),
                     split=len(summary["split_villages"])))
        new, old = (_villages_on(b) for b in ("2023-09", "2021"))
        st.dataframe(crosswalk_frame(summary, new, old, lang), hide_index=True,
                     key=wkey("crosswalk", lang), column_config={
                         t("crosswalk.col_share", lang): st.column_config.NumberColumn(
                             format="%.1f%%")})
