"""Map page: village choropleth of the chosen metric, one layer per service type, district
zoom, search, and the detail panel of the clicked village."""
from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from geo.quality import normalize_name
from geo.services import STATUSES
from coverage.metrics import density
from ui import fmt, mapview, state
from ui.assets import esc
from ui.controls import Settings
from ui.folium_component import show_map
from ui.i18n import district_name, t, type_name, village_name

SELECTED_KEY = "selected_village"
SHARE_METRICS = {"covered"}
COVERED_LABEL = {"population": "pop_covered", "children": "children_covered",
                 "elderly": "elderly_covered"}
CMAPS = {"covered": "YlGnBu", "access": "YlGnBu", "nearest_m": "YlOrRd", "gap": "YlOrRd",
         "population": "PuBu", "density": "PuBu"}


def _base_map(tiles: str, lang: str) -> folium.Map:
    """A fresh base map each run (st_folium mutates the map it is given; building it costs
    milliseconds and its script, hence the browser's Leaflet map, stays the same)."""
    ds = state.dataset()
    disp = state.display()
    heads = _village_heads(lang)
    features = [{**f, "properties": {**f["properties"], "head": heads.get(f["id"], "")}}
                for f in disp["village_features"]]
    return mapview.base_map(ds.districts, disp["district_geoms"], features,
                            tiles=tiles, villages_name=t("village", lang),
                            label_column="district_en" if lang == "en" else "district")


def metric_text(metric: str, value: float) -> str:
    """A metric value formatted for tooltips/legend."""
    if metric == "covered":
        return fmt.pct(value)
    if metric == "nearest_m":
        return fmt.km(value, 2)
    if metric == "access":
        return fmt.num(value, 2)
    return fmt.num(value)


def _legend_html(metric: str, legend: list[dict], lang: str) -> str:
    parts = [f"<b>{esc(t('metric_' + metric, lang))}</b>"]
    for e in legend:
        label = (t(e["label_key"], lang) if "label_key" in e else
                 f"{metric_text(metric, e['lower'])} – {metric_text(metric, e['upper'])}")
        parts.append(f'<div><i style="background:{e["color"]}"></i>{esc(label)} '
                     f'({fmt.num(e["count"])})</div>')
    return "".join(parts)


@st.cache_data(show_spinner=False)
def _village_heads(lang: str) -> pd.Series:
    """Static first lines of each village tooltip: district, village, population."""
    v = state.dataset().villages
    pop_label = esc(t("population", lang))
    return pd.Series([f"<b>{esc(district_name(r, lang))} {esc(village_name(r, lang))}</b>"
                      f"<br>{pop_label}：{fmt.num(r['population'])}"
                      for _, r in v.iterrows()], index=v.index)


def village_tips(villages, result, values, metric: str, site_names: pd.Series,
                 lang: str) -> pd.Series:
    """The changing part of each village tooltip (the static head -- district, village,
    population -- travels once with the base map): nearest site and distance, metric value.
    All text is escaped."""
    tips = pd.Series("", index=villages.index, dtype=object)
    if result is not None:
        nv = result.villages.reindex(villages.index)
        names = nv["nearest_site"].map(lambda sid: esc(site_names.get(sid, sid))
                                       if sid is not None and sid == sid else fmt.DASH)
        dist = nv["nearest_m"].map(lambda d: fmt.km(d, 2))
        tips = tips + f"<br>{esc(t('nearest', lang))}：" + names + "（" + dist + "）"
    label = esc(t("metric_" + metric, lang))
    return tips + f"<br>{label}：" + values.reindex(villages.index).map(
        lambda x: metric_text(metric, x))


def site_tips(sites, lang: str) -> pd.Series:
    """Marker tooltip HTML (escaped): name, type, status, address."""
    out = {}
    for idx, r in sites.iterrows():
        status = t(r["status"], lang) if r["status"] in STATUSES else r["status"]
        address = f"<br>{esc(r['address'])}" if isinstance(r.get("address"), str) else ""
        out[idx] = (f"<b>{esc(r['name'])}</b><br>{esc(type_name(r['type'], lang))} · "
                    f"{esc(status)}{address}")
    return pd.Series(out, dtype=object)


def search(query: str, villages, sites, lang: str) -> list[tuple[str, str, str]]:
    """Villages and sites whose name contains the query (normalised): (kind, id, label)."""
    q = normalize_name(query).lower()
    if not q:
        return []
    hits = []
    for code, row in villages.iterrows():
        names = (row["village"], row["village_en"], row["district"] + row["village"])
        if any(q in normalize_name(n).lower() for n in names):
            hits.append(("village", code, f"{district_name(row, lang)} {village_name(row, lang)}"))
    for _, row in sites.iterrows():
        if q in normalize_name(row["name"]).lower():
            label = f"{row['name']}（{type_name(row['type'], lang)}）"
            hits.append(("site", str(row["site_id"]), label))
    return hits[:50]


@st.cache_data(show_spinner=False, max_entries=64)
def _classify(values: pd.Series, metric: str):
    """mapview.classify cached on the values (Fisher-Jenks takes ~0.5 s without numba)."""
    return mapview.classify(values, kind="share" if metric in SHARE_METRICS else "value",
                            cmap=CMAPS[metric])


def metric_values(villages, result, metric: str) -> pd.Series:
    """Per-village values of the chosen map metric (index VILLCODE)."""
    if metric == "population":
        return pd.to_numeric(villages["population"], errors="coerce").astype(float)
    if metric == "density":
        return density(villages)
    if result is None:
        return pd.Series(float("nan"), index=villages.index)
    column = "uncovered_demand" if metric == "gap" else metric
    return result.villages[column].astype(float).reindex(villages.index)


def build_layers(settings: Settings, sites, sites_key: str, results: dict) -> list:
    """The swappable FeatureGroups: village choropleth first, then one per service type."""
    lang = settings.lang
    ds = state.dataset()
    villages = ds.villages
    result = results.get(settings.metric_type)
    values = metric_values(villages, result, settings.metric)
    colors, legend = _classify(values, settings.metric)
    names = pd.Series(sites["name"].to_numpy(), index=sites["site_id"].astype(str).to_numpy()) \
        if len(sites) else pd.Series(dtype=object)
    tips = village_tips(villages, result, values, settings.metric, names, lang)
    groups = [mapview.village_style_group(
        colors, tips, legend_html=_legend_html(settings.metric, legend, lang))]
    for tid, label in zip(settings.types, _site_layer_labels(settings, sites)):
        s = _shown_sites(sites, tid)
        areas = type_areas(settings, s, tid) if settings.circles else None
        groups.append(mapview.site_group(
            s, tid, name=label, radius_m=settings.radii[tid] if settings.circles else None,
            tips=site_tips(s, lang), areas=areas))
    return groups


def network_areas_shown(settings: Settings) -> bool:
    """Network mode with a road graph loaded: service areas replace the circles."""
    return settings.mode == "network" and state.roads_available()


def type_areas(settings: Settings, sites, type_id: str):
    """The road service areas of a type's shown sites in network mode (cached by the
    sites' fingerprint and the radius), else None (straight-line circles)."""
    if not network_areas_shown(settings) or not len(sites):
        return None
    return state.service_areas(state.sites_fingerprint(sites), float(settings.radii[type_id]),
                               sites)


def _areas_note(settings: Settings, sites) -> str:
    """Caption under the map in network mode: what the shaded roads are, and how many of
    each type's sites have an area (the graph covers 桃園區 only)."""
    lang = settings.lang
    counts = []
    for tid in settings.types:
        s = _shown_sites(sites, tid)
        areas = type_areas(settings, s, tid)
        n = 0 if areas is None else len(areas)
        counts.append(f"{type_name(tid, lang)} {fmt.num(n)}/{fmt.num(len(s))}")
    return t("network_areas_note", lang, counts="、".join(counts))


def _shown_sites(sites, type_id: str):
    """Sites drawn on the map for a type: open and planned (closed ones are not)."""
    if not len(sites):
        return sites
    return sites[(sites["type"] == type_id) & sites["status"].isin(["open", "planned"])]


def _site_layer_labels(settings: Settings, sites) -> list[str]:
    """Layer-control label per selected type: name and number of sites drawn."""
    return [f"{type_name(tid, settings.lang)} ({fmt.num(len(_shown_sites(sites, tid)))})"
            for tid in settings.types]


def detail_panel(code: str | None, settings: Settings, results: dict, sites) -> None:
    """Facts about one village from the data and the engine results (text only)."""
    lang = settings.lang
    ds = state.dataset()
    st.subheader(t("detail", lang))
    if code is None or code not in ds.villages.index:
        st.caption(t("detail_hint", lang))
        return
    row = ds.villages.loc[code]
    st.markdown(f"**{esc(district_name(row, lang))} {esc(village_name(row, lang))}**  \n`{code}`")
    facts = {t("population", lang): fmt.num(row["population"]),
             t("children", lang): fmt.num(row["age_0_14"]),
             t("elderly", lang): fmt.num(row["age_65_plus"])}
    names = dict(zip(sites["site_id"].astype(str), sites["name"])) if len(sites) else {}
    for tid in settings.types if results else []:
        r = results[tid].villages.loc[code]
        sid = r["nearest_site"]
        label = type_name(tid, lang)
        facts[f"{label} · {t('nearest', lang)}"] = names.get(sid, fmt.DASH) if sid else fmt.DASH
        facts[f"{label} · {t('distance', lang)}"] = fmt.km(r["nearest_m"], 2)
        facts[f"{label} · {t('within', lang)}"] = fmt.num(r["sites_within"])
        facts[f"{label} · {t('metric_access', lang)}"] = fmt.num(r["access"], 2)
    st.table(pd.DataFrame({t("value", lang): list(facts.values())}, index=list(facts.keys())))


def render(settings: Settings) -> None:
    lang = settings.lang
    ds = state.dataset()
    sites, key = state.current_sites()
    type_ids = list(dict.fromkeys([*settings.types, *([settings.metric_type]
                                                      if settings.metric_type else [])]))
    analysed = state.has_population()
    results = {tid: state.type_result(key, tid, settings.radii[tid], settings.mode,
                                      settings.demand, settings.include_planned, sites)
               for tid in type_ids} if analysed else {}
    st.subheader(t("map_numbers", lang))
    cols = st.columns(max(1, len(settings.types)))  # always one block: the map stays put
    if not analysed:
        with cols[0]:
            state.missing_notice(lang)
    elif not settings.types:
        cols[0].caption(t("no_types", lang))
    else:
        for col, tid in zip(cols, settings.types):
            city = results[tid].city_row
            col.metric(f"{type_name(tid, lang)} · {t(COVERED_LABEL[settings.demand], lang)}",
                       fmt.pct(city["demand_share"]),
                       help=t("metric_help", lang, n=fmt.num(len(results[tid].sites)),
                              r=fmt.num(settings.radii[tid] / 1000, 1)))

    # the search row always has the same two elements, so the map below keeps its place in
    # the page and is not re-mounted when results appear
    c1, c2 = st.columns(2)
    query = c1.text_input(t("search", lang), key="search")
    hits = search(query, ds.villages, sites, lang) if query else []
    pick = c2.selectbox(t("search_pick", lang) if hits or not query
                        else t("search_none", lang, q=query),
                        range(len(hits)), index=0 if hits else None,
                        key=f"search_pick:{query}", disabled=not hits,
                        format_func=lambda i: hits[i][2])
    focus = None
    if hits and pick is not None:
        kind, ident, _ = hits[pick]
        if kind == "village":
            st.session_state[SELECTED_KEY] = ident
        focus = (kind, ident)

    center, zoom = _view(settings, sites, focus)
    left, right = st.columns([3, 1])
    with left:
        groups = build_layers(settings, sites, key, results)
        overlays = [(t("village", lang), "window.__villages")] + [
            (label, i + 1) for i, label in enumerate(_site_layer_labels(settings, sites))]
        out = show_map(("base", settings.tiles, lang),
                       lambda: _base_map(settings.tiles, lang), groups, overlays=overlays,
                       key="map", height=620, center=center, zoom=zoom,
                       returned_objects=["last_active_drawing", "last_object_clicked"])
    _warm_once()
    clicked = _clicked_village(out)
    if clicked is not None:
        st.session_state[SELECTED_KEY] = clicked
    with right:
        detail_panel(st.session_state.get(SELECTED_KEY), settings, results, sites)
    if settings.circles and network_areas_shown(settings) and settings.types:
        st.caption(_areas_note(settings, sites))
    st.caption(t("boundary_note", lang, v=ds.vintages.get("boundaries", "")))


@st.cache_resource(show_spinner=False)
def _warm_once() -> bool:
    mapview.warm_imports()
    return True


def _clicked_village(out) -> str | None:
    """VILLCODE of the village feature the user clicked last (st_folium returns it as
    ``last_active_drawing``), or None."""
    if not out:
        return None
    feat = out.get("last_active_drawing") or {}
    code = (feat.get("properties") or {}).get("code") if isinstance(feat, dict) else None
    return code if code in state.dataset().villages.index else None


def _view(settings: Settings, sites, focus):
    """Centre/zoom for the search focus, else the district filter, else the city."""
    disp = state.display()
    if focus:
        kind, ident = focus
        if kind == "village" and ident in disp["village_points"].index:
            p = disp["village_points"].loc[ident]
            return [float(p["lat"]), float(p["lon"])], 15
        if kind == "site" and len(sites):
            hit = sites[sites["site_id"].astype(str) == ident]
            if len(hit):
                g = hit.geometry.iloc[0]
                return [g.y, g.x], 15
    if settings.district:
        return mapview.bounds_view(tuple(disp["district_geoms"].loc[settings.district].bounds))
    return mapview.bounds_view(tuple(disp["district_geoms"].total_bounds))
