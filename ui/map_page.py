"""The map of the landing page: village choropleth of the chosen metric (gaps by default),
district outlines and labels, the analysed type's sites and any further types, catchment
circles or road service areas (never clickable: a click always reaches the village under
it), the selected village outlined, and the village panel.

Numbers come from the analysis layer (:class:`analysis.coverage.CoverageResult`); this module
only formats them. All text that goes into the map's HTML is escaped.
"""
from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from coverage.metrics import density
from geo.quality import normalize_name
from geo.services import STATUSES
from i18n import district_name, has, t, type_name, village_name
from ui import fmt, mapview, state
from ui.assets import esc
from ui.classes import classify
from ui.controls import Settings, demand_label
from ui.folium_component import show_map

__all__ = ["build_layers", "detail_panel", "draw_map", "metric_values", "search",
           "site_tips", "village_tips", "metric_text", "MAP_HEIGHT", "MAP_KEY"]

MAP_KEY = "map"
MAP_HEIGHT = 560
KINDS = {"covered": "binary", "gap": "gap"}  # else natural breaks
CMAPS = {"covered": "YlGnBu", "access": "YlGnBu", "nearest_m": "YlOrRd", "gap": "YlOrRd",
         "nearest_min": "YlOrRd",
         "demand": "PuBu", "population": "PuBu", "density": "PuBu"}


def _base_map(tiles: str, lang: str, vintage: str | None = None) -> folium.Map:
    """A fresh base map of the vintage's villages (rendered once per tiles/language/vintage
    by ui.folium_component)."""
    vintage = vintage or state.current_vintage()
    ds = state.base_context(vintage)
    disp = state.display(vintage)
    heads = _village_heads(lang, vintage)
    features = [{**f, "properties": {**f["properties"], "head": heads.get(f["id"], "")}}
                for f in disp["village_features"]]
    districts = ds.districts.assign(label=ds.districts["district_en"].str.replace(
        " District", "", regex=False) if lang == "en" else ds.districts["district"])
    return mapview.base_map(districts, disp["district_geoms"], features, tiles=tiles,
                            villages_name=t("village", lang), label_column="label")


def base_render(tiles: str, lang: str, vintage: str) -> dict:
    """The rendered base map of ``tiles`` / ``lang`` / ``vintage`` (cached per process)."""
    from ui.folium_component import _rendered_base
    return _rendered_base(state.base_key(tiles, lang, vintage),
                          lambda: _base_map(tiles, lang, vintage))


def metric_text(metric: str, value: float, lang: str = "zh-TW") -> str:
    """A metric value formatted for tooltips and the legend."""
    if metric == "covered":
        return fmt.pct(value)
    if metric == "nearest_m":
        return fmt.km(value, 2)
    if metric == "nearest_min":
        return fmt.minutes(value, lang)
    if metric == "access":
        return fmt.num(value, 2)
    return fmt.num(value)


def metric_title(metric: str, settings: Settings) -> str:
    """The metric's name (the distance in minutes with road travel time)."""
    return t(f"metric_{shown_metric(metric, settings)}", settings.lang)


def shown_metric(metric: str, settings: Settings) -> str:
    """The metric drawn: the distance to the nearest site is in minutes with road travel
    time."""
    return "nearest_min" if metric == "nearest_m" and settings.timed else metric


def _legend_html(title: str, metric: str, legend: list[dict], lang: str) -> str:
    parts = [f"<b>{esc(title)}</b>"]
    for e in legend:
        label = (t(e["label_key"], lang) if "label_key" in e else
                 f"{metric_text(metric, e['lower'], lang)} – "
                 f"{metric_text(metric, e['upper'], lang)}")
        parts.append(f'<div><i style="background:{e["color"]}"></i>{esc(label)} '
                     f'({fmt.num(e["count"])})</div>')
    return "".join(parts)


@st.cache_data(show_spinner=False, max_entries=8)
def _village_heads(lang: str, vintage: str) -> pd.Series:
    """Static first lines of each village tooltip: district, village, population."""
    v = state.base_context(vintage).villages
    pop_label = esc(t("population", lang))
    sep = esc(t("sep", lang))
    return pd.Series([f"<b>{esc(district_name(r, lang))} {esc(village_name(r, lang))}</b>"
                      f"<br>{pop_label}{sep}{fmt.num(r['population'])}"
                      for _, r in v.iterrows()], index=v.index)


def village_tips(villages, result, values, title: str, metric: str, site_names: dict,
                 lang: str) -> pd.Series:
    """The changing part of each village tooltip (the static head -- district, village,
    population -- travels once with the base map): nearest site and distance, metric value.
    All text is escaped."""
    sep = esc(t("sep", lang))
    tips = pd.Series("", index=villages.index, dtype=object)
    if result is not None:
        nv = result.villages.reindex(villages.index)
        names = nv["nearest_site"].map(lambda sid: esc(site_names.get(sid, fmt.DASH))
                                       if isinstance(sid, str) else fmt.DASH)
        if result.query.unit == "s":
            dist = nv["nearest_min"].map(lambda m: fmt.minutes(m, lang))
        else:
            dist = nv["nearest_m"].map(lambda d: fmt.km(d, 2))
        tips = tips + f"<br>{esc(t('nearest', lang))}{sep}" + names + " (" + dist + ")"
    return tips + f"<br>{esc(title)}{sep}" + values.reindex(villages.index).map(
        lambda x: metric_text(metric, x, lang))


def precision_text(precision: object, lang: str) -> str:
    """How a site was located, in words ("" = not located)."""
    p = precision if isinstance(precision, str) and precision else ""
    return t(f"precision.{p or 'none'}", lang) if has(f"precision.{p or 'none'}") else p


def site_tips(sites, lang: str) -> pd.Series:
    """Marker tooltip HTML (escaped): name, type, status, address, how it was located."""
    out = {}
    for idx, r in sites.iterrows():
        status = t(r["status"], lang) if r["status"] in STATUSES else r["status"]
        address = f"<br>{esc(r['address'])}" if isinstance(r.get("address"), str) else ""
        located = (f"<br>{esc(t('col_precision', lang))}{esc(t('sep', lang))}"
                   f"{esc(precision_text(r.get('precision'), lang))}")
        out[idx] = (f"<b>{esc(r['name'])}</b><br>{esc(type_name(r['type'], lang))} · "
                    f"{esc(status)}{address}{located}")
    return pd.Series(out, dtype=object)


def search(query: str, villages, sites, lang: str) -> list[tuple[str, str, str]]:
    """Villages and sites whose name contains the query (normalised): (kind, id, label)."""
    q = normalize_name(query).lower()
    if not q:
        return []
    hits = []
    for code, row in villages.iterrows():
        names = (row["village"], row["village_en"], row["district"] + row["village"],
                 row["district_en"] + " " + row["village_en"])
        if any(q in normalize_name(n).lower() for n in names):
            hits.append(("village", code, f"{district_name(row, lang)} {village_name(row, lang)}"))
    for _, row in sites.iterrows():
        if q in normalize_name(row["name"]).lower():
            label = f"{row['name']} ({type_name(row['type'], lang)})"
            hits.append(("site", str(row["site_id"]), label))
    return hits[:50]


@st.cache_data(show_spinner=False, max_entries=64)
def _classify(values: pd.Series, metric: str):
    """ui.classes.classify cached on the values (Fisher-Jenks takes ~0.5 s without numba)."""
    return classify(values, kind=KINDS.get(metric, "value"), cmap=CMAPS[metric])


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


def _shown_sites(sites, type_id: str):
    """Sites drawn on the map for a type: open and planned (closed ones are not)."""
    if not len(sites):
        return sites
    return sites[(sites["type"] == type_id) & sites["status"].isin(["open", "planned"])]


def site_layer_labels(settings: Settings, sites) -> list[str]:
    """Layer-control label per shown type: name and number of sites drawn."""
    return [f"{type_name(tid, settings.lang)} ({fmt.num(len(_shown_sites(sites, tid)))})"
            for tid in settings.types]


def network_areas_shown(settings: Settings) -> bool:
    """Network mode with a road graph loaded: service areas replace the circles."""
    return settings.mode == "network" and state.roads_available()


def type_areas(settings: Settings, sites, type_id: str):
    """The road service areas of a type's shown sites in road mode (line features, cached
    by the sites' fingerprint, the radius and the weight), else None (circles)."""
    if not network_areas_shown(settings) or not len(sites):
        return None
    from ui.road_areas import road_areas
    network = state.road_network()
    return road_areas(state.sites_fingerprint(sites), settings.radius(type_id),
                      settings.weight, network, str(id(network)), sites)


def areas_note(settings: Settings, sites) -> str:
    """Caption under the map in network mode: what the shaded roads are, and how many of
    each type's sites have an area (a partial graph leaves some without)."""
    lang = settings.lang
    counts = []
    for tid in settings.types:
        s = _shown_sites(sites, tid)
        areas = type_areas(settings, s, tid)
        n = 0 if areas is None else len(areas.site_ids)
        counts.append(f"{type_name(tid, lang)} {fmt.num(n)}/{fmt.num(len(s))}")
    return t("network_areas_note", lang, counts=t("list_sep", lang).join(counts))


def build_layers(settings: Settings, sites, results: dict, *, selected: str | None = None,
                 token: str = "") -> list:
    """The swappable FeatureGroups: village colours first, then one per shown type."""
    lang = settings.lang
    villages = state.dataset().villages
    result = results.get(settings.type_id)
    metric = shown_metric(settings.metric, settings)
    values = metric_values(villages, result, metric)
    colors, legend = _classify(values, metric)
    title = metric_title(metric, settings)
    tips = village_tips(villages, result, values, title, metric, state.site_names(), lang)
    groups = [mapview.village_style_group(
        colors, tips, legend_html=_legend_html(title, metric, legend, lang),
        selected=selected, token=token)]
    for tid, label in zip(settings.types, site_layer_labels(settings, sites)):
        s = _shown_sites(sites, tid)
        areas = type_areas(settings, s, tid) if settings.circles else None
        groups.append(mapview.site_group(
            s, tid, name=label, radius_m=settings.radius_m(tid) if settings.circles else None,
            tips=site_tips(s, lang), areas=areas))
    return groups


def draw_map(settings: Settings, sites, results: dict, *, view, selected: str | None,
             token: str) -> dict | None:
    """The map component; returns its value (the last clicked village, see
    :func:`clicked_village`)."""
    lang = settings.lang
    groups = build_layers(settings, sites, results, selected=selected, token=token)
    overlays = [(t("village", lang), "window.__villages")] + [
        (label, i + 1) for i, label in enumerate(site_layer_labels(settings, sites))]
    center, zoom = view
    return show_map(state.base_key(settings.tiles, lang),
                    lambda: _base_map(settings.tiles, lang), groups, overlays=overlays,
                    key=MAP_KEY, height=MAP_HEIGHT, center=center, zoom=zoom,
                    returned_objects=["last_active_drawing", "last_object_clicked"])


def clicked_village(value) -> str | None:
    """VILLCODE of the village the user clicked last (the component's
    ``last_active_drawing``), or None."""
    if not isinstance(value, dict):
        return None
    feat = value.get("last_active_drawing") or {}
    code = (feat.get("properties") or {}).get("code") if isinstance(feat, dict) else None
    return code if code in state.dataset().villages.index else None


def detail_panel(code: str | None, settings: Settings, results: dict) -> None:
    """Facts about one village from the data and the analysis results (text only)."""
    lang = settings.lang
    ds = state.dataset()
    if code is None or code not in ds.villages.index:
        st.caption(t("detail_hint", lang))
        return
    row = ds.villages.loc[code]
    st.markdown(f"**{esc(district_name(row, lang))} {esc(village_name(row, lang))}**")
    facts = {t("population", lang): fmt.num(row["population"])}
    names = state.site_names()
    for tid in settings.types:
        result = results.get(tid)
        if result is None:
            continue
        r = result.villages.loc[code]
        label = type_name(tid, lang)
        if tid == settings.type_id:
            facts[demand_label(settings.demand, lang, tid)] = fmt.num(r["demand"])
            facts[t("uncovered", lang)] = fmt.num(r["uncovered_demand"])
            rank = r["gap_rank"]
            facts[t("gap_rank", lang)] = (t("rank_of", lang, r=int(rank), n=len(result.gaps))
                                          if pd.notna(rank) else t("no_gap", lang))
        if len(result.sites) == 0:
            facts[label] = t("no_data_yet", lang)
            continue
        sid = r["nearest_site"]
        facts[f"{label} · {t('nearest', lang)}"] = names.get(sid, fmt.DASH) \
            if isinstance(sid, str) else fmt.DASH
        if "road_m" in r.index:  # road mode: road distance and travel time, each shortest
            facts[f"{label} · {t('road_distance', lang)}"] = fmt.km(r["road_m"], 2)
            facts[f"{label} · {t('road_minutes', lang)}"] = fmt.minutes(r["road_min"], lang)
        else:
            facts[f"{label} · {t('distance', lang)}"] = fmt.km(r["nearest_m"], 2)
        facts[f"{label} · {t('within', lang)}"] = fmt.num(r["sites_within"])
        facts[f"{label} · {t('metric_access', lang)}"] = fmt.num(r["access"], 2)
    st.table(pd.DataFrame({t("value", lang): list(facts.values())}, index=list(facts.keys())))


MAP_WIDTH_PX = 440  # the map column at 1280 px; wider screens show a margin around
LEGEND_PX = 140  # the legend's strip on the map's left (the city is fitted right of it)


def city_view(width_px: int = MAP_WIDTH_PX) -> tuple[list[float], float]:
    """Centre and zoom that fit the whole city in a map ``width_px`` wide."""
    return mapview.bounds_view(tuple(state.display()["district_geoms"].total_bounds),
                               width_px=width_px, height_px=MAP_HEIGHT,
                               pad_left_px=LEGEND_PX)


def district_view(code: str) -> tuple[list[float], float]:
    """Centre and zoom that fit one district (TOWNCODE)."""
    return mapview.bounds_view(tuple(state.display()["district_geoms"].loc[code].bounds),
                               width_px=MAP_WIDTH_PX, height_px=MAP_HEIGHT,
                               pad_left_px=LEGEND_PX)


def village_view(code: str) -> tuple[list[float], float]:
    """Centre on a village with its neighbours in view (zoom 14, never closer than its
    own outline needs)."""
    disp = state.display()
    bounds = tuple(disp["village_geoms"].loc[code].bounds)
    _, zoom = mapview.bounds_view(bounds, width_px=MAP_WIDTH_PX, height_px=MAP_HEIGHT)
    p = disp["village_points"].loc[code]
    return [float(p["lat"]), float(p["lon"])], min(zoom - 1.0, 14.0)


def site_view(sites, site_id: str) -> tuple[list[float], float] | None:
    """Centre on a site at zoom 14, or None when it has no location."""
    hit = sites[sites["site_id"].astype(str) == site_id] if len(sites) else sites
    if not len(hit) or hit.geometry.iloc[0] is None:
        return None
    g = hit.geometry.iloc[0]
    return [g.y, g.x], 14.0
