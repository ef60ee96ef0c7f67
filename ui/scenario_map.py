"""Map pieces of the scenario page (folium): offline base map with district outlines,
villages that gain (green) or lose (red) coverage, the type's sites, the sites the scenario
adds (their own marker), suggested sites not added yet (a star) and the target point. All
user text in tooltips is escaped (ui.assets.esc)."""
from __future__ import annotations

import folium
import pandas as pd

from i18n import district_name, t, type_name, village_name
from ui import fmt, mapview, state
from ui.assets import esc, offline_map

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
        tip = (f"<b>{esc(district_name(row, lang))} {esc(village_name(row, lang))}</b><br>"
               f"{esc(t('gained' if up else 'lost', lang))} · "
               f"{esc(t('population', lang))} {fmt.num(row['population'])}")
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
                   control=False, interactive=False,
                   style_function=lambda f: {"color": "#222222", "weight": 1.5, "fill": False}
                   ).add_to(m)
    return m


def site_tips(sites, lang: str, *, new: bool = False) -> pd.Series:
    """Marker tooltips (escaped): name, type, status (and "added in the scenario")."""
    extra = f"<br>{esc(t('layer_new', lang))}" if new else ""
    return pd.Series({idx: f"<b>{esc(r['name'])}</b><br>{esc(type_name(r['type'], lang))} · "
                           f"{esc(t(r['status'], lang))}{extra}"
                      for idx, r in sites.iterrows()}, dtype=object)


def new_site_group(sites, type_id: str, lang: str, *, radius_m: float | None
                   ) -> folium.FeatureGroup:
    """Sites the scenario adds: a marker of their own (dark, a plus sign) and, with
    ``radius_m``, a dashed catchment circle that takes no clicks."""
    fg = folium.FeatureGroup(name=t("layer_new", lang), overlay=True, control=True, show=True)
    tips = site_tips(sites, lang, new=True)
    color = mapview.type_hex(type_id)
    for idx, row in sites.iterrows():
        g = row.geometry
        if g is None or g.is_empty:
            continue
        icon = folium.Icon(color="black", icon_color=color, icon="plus", prefix="glyphicon")
        icon.options["extra_classes"] = f"site-marker site-new site-{type_id}"
        folium.Marker([g.y, g.x], icon=icon,
                      tooltip=folium.Tooltip(tips.get(idx, ""), sticky=True)).add_to(fg)
        if radius_m:
            mapview.catchment_circle([g.y, g.x], radius_m, color=color, fill=False,
                                     dash_array="2 6").add_to(fg)
    return fg


def suggestion_group(sug, lang: str) -> folium.FeatureGroup:
    """Markers of the suggested new sites not added yet (a purple star; escaped tooltips
    with the village, district and gain)."""
    fg = folium.FeatureGroup(name=t("layer_suggest", lang), overlay=True, control=True)
    villages = state.dataset().villages
    for _, r in sug.chosen[sug.chosen["new"]].iterrows():
        row = villages.loc[r["villcode"]] if r["villcode"] in villages.index else None
        where = (f"{esc(district_name(row, lang))} {esc(village_name(row, lang))}"
                 if row is not None else "")
        icon = folium.Icon(color="purple", icon="star")
        icon.options["extra_classes"] = "site-suggested"
        folium.Marker([r["lat"], r["lon"]], icon=icon,
                      tooltip=folium.Tooltip(f"<b>{esc(t('layer_suggest', lang))}</b><br>"
                                             f"{where}<br>{esc(t('col_gain', lang))}"
                                             f"{esc(t('sep', lang))}{fmt.num(r['gain'])}")
                      ).add_to(fg)
    return fg


def map_layers(lang: str, cmp, base, after, type_id: str, *, circles: bool, suggestion=None,
               target: dict | None = None) -> list:
    """Feature groups: coverage change of ``cmp`` (coverage.compare.TypeComparison), the
    type's open/planned sites of ``after`` (those not in ``base`` with their own marker),
    the suggested sites not added yet, the target point."""
    ds = state.dataset()
    groups = [delta_group(ds.villages, cmp.gained, cmp.lost, state.display()["village_features"],
                          lang=lang, name=t("layer_delta", lang))]
    s = after[(after["type"] == type_id) & after["status"].isin(["open", "planned"])] \
        if len(after) else after
    added = s["site_id"].astype(str).isin(set(base["site_id"].astype(str))) if len(s) else None
    old, new = (s[added], s[~added]) if added is not None else (s, s)
    radius = cmp.radius_m if circles else None
    groups.append(mapview.site_group(old, type_id, name=type_name(type_id, lang),
                                     radius_m=radius, tips=site_tips(old, lang)))
    if len(new):
        groups.append(new_site_group(new, type_id, lang, radius_m=radius))
    if suggestion is not None:
        groups.append(suggestion_group(suggestion, lang))
    fg = folium.FeatureGroup(name=t("layer_target", lang), overlay=True, control=False)
    if target is not None:
        folium.CircleMarker([target["lat"], target["lon"]], radius=8, color="#000000",
                            weight=2, fill=True, fill_color="#ffff00", fill_opacity=0.9
                            ).add_to(fg)
    groups.append(fg)
    return groups
