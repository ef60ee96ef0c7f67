"""Map pieces of the scenario page (folium): offline base map with district outlines,
villages that gain (green) or lose (red) coverage, the type's sites, suggested sites and
the target point. All user text in tooltips is escaped (ui.assets.esc)."""
from __future__ import annotations

import folium
import pandas as pd

from ui import fmt, mapview, state
from ui.assets import esc, offline_map
from ui.i18n import t as base_t
from ui.i18n import type_name
from ui.scenario_strings import t

GAINED_COLOR, LOST_COLOR = "#1a9850", "#d73027"


def delta_group(villages, gained: list[str], lost: list[str], features: list[dict], *,
                lang: str, name: str) -> folium.FeatureGroup:
    """Villages that gain (green) or lose (red) coverage as one GeoJSON layer; tooltips
    escaped. ``features``: village GeoJSON features with the VILLCODE as ``id``."""
    gained_set = set(gained)
    fg = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    chosen = []
    for f in features:
        if f["id"] not in gained_set and f["id"] not in set(lost):
            continue
        row = villages.loc[f["id"]]
        up = f["id"] in gained_set
        tip = (f"<b>{esc(row['district'])} {esc(row['village'])}</b><br>"
               f"{esc(t('gained' if up else 'lost', lang))} · "
               f"{esc(base_t('population', lang))} {fmt.num(row['population'])}")
        chosen.append({**f, "properties": {"code": f["id"], "tip": tip,
                                           "fill": GAINED_COLOR if up else LOST_COLOR}})
    if chosen:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": chosen}, name=name,
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#333333",
                                      "weight": 0.8, "fillOpacity": 0.7},
            tooltip=folium.GeoJsonTooltip(["tip"], labels=False, sticky=True),
        ).add_to(fg)
    return fg


def base_map(lang: str, tiles: str) -> folium.Map:
    """Offline base map: optional tiles and the district outlines with escaped names."""
    ds, disp = state.dataset(), state.display()
    centre, zoom = mapview.bounds_view(tuple(disp["district_geoms"].total_bounds))
    m = offline_map(location=centre, zoom_start=zoom, tiles=None, control_scale=True)
    if mapview.TILES.get(tiles):
        folium.TileLayer(mapview.TILES[tiles], name=tiles, control=False).add_to(m)
    col = "district_en" if lang == "en" else "district"
    feats = [{**f, "properties": {"name": esc(ds.districts.at[f["id"], col])}}
             for f in mapview.geojson_features(disp["district_geoms"])]
    folium.GeoJson({"type": "FeatureCollection", "features": feats}, name="districts",
                   control=False,
                   style_function=lambda f: {"color": "#222222", "weight": 1.5, "fill": False},
                   tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(m)
    return m


def site_tips(sites, lang: str) -> pd.Series:
    """Marker tooltips (escaped): name, type, status, id."""
    return pd.Series({idx: f"<b>{esc(r['name'])}</b><br>{esc(type_name(r['type'], lang))} · "
                           f"{esc(base_t(r['status'], lang))}<br>{esc(r['site_id'])}"
                      for idx, r in sites.iterrows()}, dtype=object)


def suggestion_group(sug, lang: str) -> folium.FeatureGroup:
    """Markers of the suggested new sites (escaped tooltips)."""
    fg = folium.FeatureGroup(name=t("layer_suggest", lang), overlay=True, control=True)
    for _, r in sug.chosen[sug.chosen["new"]].iterrows():
        folium.Marker([r["lat"], r["lon"]], icon=folium.Icon(color="purple", icon="star"),
                      tooltip=folium.Tooltip(f"{esc(t('layer_suggest', lang))}: "
                                             f"<b>{esc(r['name'])}</b>")).add_to(fg)
    return fg


def map_layers(lang: str, cmp, after, type_id: str, *, circles: bool, suggestion=None,
               target: dict | None = None) -> list:
    """Feature groups: coverage change of ``cmp`` (ui.scenario_calc.TypeView), the
    type's open/planned sites of ``after``, the suggested new sites, the target point."""
    ds = state.dataset()
    groups = [delta_group(ds.villages, cmp.gained, cmp.lost, state.display()["village_features"],
                          lang=lang, name=t("layer_delta", lang))]
    s = after[(after["type"] == type_id) & after["status"].isin(["open", "planned"])] \
        if len(after) else after
    groups.append(mapview.site_group(s, type_id, name=type_name(type_id, lang),
                                     radius_m=cmp.radius_m if circles else None,
                                     tips=site_tips(s, lang)))
    if suggestion is not None:
        groups.append(suggestion_group(suggestion, lang))
    fg = folium.FeatureGroup(name=t("layer_target", lang), overlay=True, control=False)
    if target is not None:
        folium.CircleMarker([target["lat"], target["lon"]], radius=8, color="#000000",
                            weight=2, fill=True, fill_color="#ffff00", fill_opacity=0.9
                            ).add_to(fg)
    groups.append(fg)
    return groups
