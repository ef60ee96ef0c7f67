"""Folium map building: display geometry, base map and layers (classes: ui.classes).

The base map (tiles, district outlines and labels) stays the same while the user changes
controls; the village choropleth and the site layers are separate FeatureGroups that
streamlit-folium swaps in place (``feature_group_to_add``), so Leaflet is not re-created.
Geometry for display is EPSG:4326; simplification is done in EPSG:3826.
"""
from __future__ import annotations

import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.map import CustomPane
from folium.template import Template

from geo import MAP_CRS, METRIC_CRS
from geo.services import SERVICE_TYPES
from ui.assets import esc, offline_map

DISPLAY_TOLERANCE_M = 25.0  # village outline simplification for the browser, metres
COORD_DIGITS = 5  # ~1 m in lon/lat; equal inputs round equally, so shared edges stay shared
TILES = {  # choice -> (folium tiles name, needs internet)
    "none": None,
    "osm": "OpenStreetMap",
    "carto": "CartoDB positron",
}
from ui.classes import NODATA_COLOR
VILLAGE_CLASS = "village-shape"  # CSS class on every village path (tests count them)
DISTRICT_PANE = "districts"


# --- geometry -------------------------------------------------------------------------

def display_geometry(gdf: gpd.GeoDataFrame, *, tolerance_m: float = DISPLAY_TOLERANCE_M
                     ) -> gpd.GeoSeries:
    """Village outlines simplified for display WITHOUT moving shared edges apart:
    ``shapely.coverage_simplify`` on the whole coverage in EPSG:3826 (edges shared by two
    villages are simplified once, identically for both), then EPSG:4326 rounded to
    ``COORD_DIGITS`` decimals. Returns a GeoSeries aligned with ``gdf``."""
    metric = gdf.geometry.to_crs(METRIC_CRS)
    simple = shapely.coverage_simplify(metric.to_numpy(), tolerance_m, simplify_boundary=True)
    lonlat = gpd.GeoSeries(simple, index=gdf.index, crs=METRIC_CRS).to_crs(MAP_CRS)
    rounded = shapely.transform(lonlat.to_numpy(), lambda xy: np.round(xy, COORD_DIGITS))
    return gpd.GeoSeries(shapely.make_valid(rounded), index=gdf.index, crs=MAP_CRS)


def geojson_features(geoms: gpd.GeoSeries) -> list[dict]:
    """GeoJSON features (geometry + VILLCODE/TOWNCODE id) for the display geometry."""
    mapping = shapely.geometry.mapping
    return [{"type": "Feature", "id": str(code), "properties": {"code": str(code)},
             "geometry": mapping(geom)} for code, geom in geoms.items()]


def bounds_view(bounds: tuple[float, float, float, float], *, width_px: int = 680,
                height_px: int = 600, pad_left_px: int = 0) -> tuple[list[float], float]:
    """Centre [lat, lon] and a Leaflet zoom that fits lon/lat ``bounds`` (minx, miny, maxx,
    maxy) in a map of the given size, right of a ``pad_left_px`` strip (where the legend
    sits)."""
    minx, miny, maxx, maxy = bounds
    centre = [(miny + maxy) / 2, (minx + maxx) / 2]
    span_x = max(maxx - minx, 1e-4)
    # Web-Mercator: vertical span scales with 1/cos(lat)
    span_y = max(maxy - miny, 1e-4) / math.cos(math.radians(centre[0]))
    zoom = min(math.log2(max(width_px - pad_left_px, 50) * 360 / (256 * span_x)),
               math.log2(height_px * 360 / (256 * span_y)))
    zoom = max(8.0, min(16.0, math.floor(zoom * 4) / 4))  # zoomSnap 0.25
    centre[1] -= pad_left_px / 2 * 360 / (256 * 2 ** zoom)  # degrees per pixel at zoom
    return centre, zoom


def warm_imports() -> None:
    """Import mapclassify in a background thread a few seconds after the first map, so
    switching to a data-driven metric later does not wait for it."""
    import threading

    def _load() -> None:
        import mapclassify  # noqa: F401

    threading.Timer(3.0, _load).start()


# --- map pieces -----------------------------------------------------------------------

def base_map(districts: gpd.GeoDataFrame, district_geoms: gpd.GeoSeries,
             village_features: list[dict], *, tiles: str = "none",
             label_column: str = "district", villages_name: str = "villages") -> folium.Map:
    """The part of the map that does not change with the analysis settings: optional
    tiles, the village shapes (sent to the browser once; coloured later by
    :func:`village_style_group`), district outlines (own pane above the villages, not
    clickable) and district labels. Changes only with tiles/language."""
    minx, miny, maxx, maxy = district_geoms.total_bounds
    centre, zoom = bounds_view((minx, miny, maxx, maxy))
    m = offline_map(location=centre, zoom_start=zoom, tiles=None, control_scale=True,
                    zoom_snap=0.25, zoom_delta=0.5)
    if TILES.get(tiles):
        folium.TileLayer(TILES[tiles], name=tiles, control=False).add_to(m)
    villages = folium.GeoJson(
        {"type": "FeatureCollection", "features": village_features},
        name=villages_name, class_name=VILLAGE_CLASS, overlay=True, control=True,
        style_function=lambda f: {"fillColor": NODATA_COLOR, "color": "#555555",
                                  "weight": 0.6, "fillOpacity": 0.75},
    )
    _Register().add_to(villages)
    villages.add_to(m)
    CustomPane(DISTRICT_PANE, z_index=450, pointer_events=False).add_to(m)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": geojson_features(district_geoms)},
        name="districts", control=False, pane=DISTRICT_PANE, interactive=False,
        style_function=lambda f: {"color": "#222222", "weight": 2.0, "fill": False},
    ).add_to(m)
    for code, geom in district_geoms.items():
        pt = geom.representative_point()
        label = esc(districts.at[code, label_column])
        folium.Marker(
            [pt.y, pt.x], interactive=False,
            icon=folium.DivIcon(html=f'<div class="district-label">{label}</div>',
                                icon_size=(90, 18), icon_anchor=(45, 9),
                                class_name="district-label-icon"),
        ).add_to(m)
    m.get_root().header.add_child(folium.Element(
        "<style>.district-label{font:600 13px 'Noto Sans CJK TC','Noto Sans TC',sans-serif;"
        "color:#111;text-align:center;text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap}"
        ".leaflet-container{background:#f4f4f0}"
        ".map-legend{background:rgba(255,255,255,.92);padding:4px 6px;border-radius:4px;"
        "font:11px 'Noto Sans CJK TC',sans-serif;line-height:16px;box-shadow:0 0 4px #888}"
        ".map-legend i{display:inline-block;width:14px;height:12px;margin-right:6px;"
        "vertical-align:middle;border:1px solid #888}"
        ".precision-village,.precision-geocoder{opacity:.6}"
        ".precision-hand{filter:drop-shadow(0 0 2px #000)}</style>"))
    return m


class _Register(folium.MacroElement):
    """Expose the village GeoJson layer as ``window.__villages`` for restyling."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.__villages = {{ this._parent.get_name() }};
        {% endmacro %}
    """)


class _VillageStyle(folium.MacroElement):
    """Colour and tooltip every village shape of the base map, outline the selected
    village, and replace the legend (top left: Taoyuan's north-west corner is sea, so the
    legend never covers the city and stays in view with the top of the map). Runs each
    time streamlit-folium swaps the feature groups; only colours, tooltips and the legend
    travel, never the geometry. ``styles``: {VILLCODE: [fill colour, tooltip HTML,
    appended to the feature's static ``head`` property]}; tooltip and legend HTML must be
    escaped by the caller. When done it sets ``data-styled`` on the frame's body to
    ``token`` (the app's "map drawn" signal, read by the browser tests)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var styles = {{ this.styles|tojson }};
            var selected = {{ this.selected|tojson }};
            var layer = window.__villages;
            if (!layer) { return; }
            var base = function (l) {
                return l.feature.id === selected ? {weight: 3.5, color: "#000000"}
                                                 : {weight: 0.6, color: "#555555"}; };
            layer.eachLayer(function (l) {
                var s = styles[l.feature.id] || ["#d9d9d9", ""];
                var el = l.getElement && l.getElement();
                if (el) { el.setAttribute("data-code", l.feature.id); }
                l.setStyle(Object.assign({fillColor: s[0], fillOpacity: 0.75}, base(l)));
                if (l.feature.id === selected && l.bringToFront) { l.bringToFront(); }
                l.unbindTooltip();
                var tip = (l.feature.properties.head || "") + s[1];
                if (tip) { l.bindTooltip(tip, {sticky: true}); }
                if (!l.__hover) {
                    l.__hover = true;
                    l.on("mouseover", function (e) {
                        e.target.setStyle({weight: 2.5, color: "#000000"}); });
                    l.on("mouseout", function (e) { e.target.setStyle(window.__baseStyle(
                        e.target)); });
                }
            });
            window.__baseStyle = base;
            if (window.__mapLegend) { window.__mapLegend.remove(); }
            window.__mapLegend = L.control({position: "topleft"});
            window.__mapLegend.onAdd = function () {
                var div = L.DomUtil.create("div", "map-legend");
                div.innerHTML = {{ this.legend|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            window.__mapLegend.addTo({{ this._parent._parent.get_name() }});
            document.body.setAttribute("data-styled", {{ this.token|tojson }});
        })();
        {% endmacro %}
    """)

    def __init__(self, styles: dict, legend: str, selected: str | None, token: str):
        super().__init__()
        self._name = "VillageStyle"
        self.styles = styles
        self.legend = legend
        self.selected = selected
        self.token = token


def village_style_group(colors: pd.Series, tips: pd.Series, *, legend_html: str,
                        selected: str | None = None, token: str = "") -> folium.FeatureGroup:
    """A (layer-control-less) FeatureGroup whose script colours the base map's villages.
    ``colors``/``tips`` indexed by VILLCODE; ``selected``: the VILLCODE outlined in black;
    ``token``: written to the map frame's ``body[data-styled]`` once applied."""
    styles = {str(code): [colors.get(code, NODATA_COLOR), tips.get(code, "")]
              for code in colors.index}
    fg = folium.FeatureGroup(name="village-style", overlay=True, control=False, show=True)
    _VillageStyle(styles, legend_html, selected, token).add_to(fg)
    return fg


class _Done(folium.MacroElement):
    """Sets ``data-styled`` on the map frame's body to a token once the layers are drawn."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        document.body.setAttribute("data-styled", {{ this.token|tojson }});
        {% endmacro %}
    """)

    def __init__(self, token: str):
        super().__init__()
        self._name = "Done"
        self.token = token


def done_group(token: str) -> folium.FeatureGroup:
    """A (layer-control-less) FeatureGroup whose script marks the map frame drawn
    (``body[data-styled=token]``): add it last among the swapped groups."""
    fg = folium.FeatureGroup(name="done", overlay=True, control=False, show=True)
    _Done(token).add_to(fg)
    return fg


SERVICE_AREA_CLASS = "service-area"  # CSS class of the network service-area layer


class _AreaLines(folium.MacroElement):
    """Road service areas (:class:`ui.road_areas.Areas` JSON: per site its status and its
    roads as encoded polylines) as non-interactive Leaflet polylines in the type's colour,
    dashed for planned sites."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var dec = function (s) {
                var pts = [], i = 0, lat = 0, lng = 0;
                while (i < s.length) {
                    var v = [0, 0];
                    for (var j = 0; j < 2; j++) {
                        var b, shift = 0, r = 0;
                        do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << shift; shift += 5; }
                        while (b >= 32);
                        v[j] = (r & 1) ? ~(r >> 1) : (r >> 1);
                    }
                    lat += v[0]; lng += v[1];
                    pts.push([lat / 1e5, lng / 1e5]);
                }
                return pts;
            };
            var group = {{ this._parent.get_name() }};
            {{ this.data }}.forEach(function (a) {
                if (!a.lines.length) { return; }
                L.polyline(a.lines.map(dec), {interactive: false, className: {{ this.cls|tojson }},
                    color: {{ this.color|tojson }}, weight: 2.0, opacity: 0.75, fill: false,
                    dashArray: a.status === "planned" ? "6 6" : null}).addTo(group);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, data: str, color: str):
        super().__init__()
        self._name = "AreaLines"
        self.data, self.color, self.cls = data, color, SERVICE_AREA_CLASS


def service_area_layer(areas, type_id: str) -> folium.MacroElement:
    """Road service areas as non-interactive lines (a click reaches the village under
    them): ``areas`` is :class:`ui.road_areas.Areas` (its JSON text, sent as it is) or a
    list of the entries of :func:`ui.road_areas.area_features`."""
    from ui.road_areas import as_json
    data = areas.data if hasattr(areas, "data") else as_json(list(areas))
    return _AreaLines(data, darker(type_hex(type_id)))


def darker(color: str, share: float = 0.45) -> str:
    """``#rrggbb`` mixed with ``share`` black: road lines stand out on the gap colours,
    which share the markers' reds."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * (1.0 - share)):02x}" for c in rgb)


def site_group(sites: gpd.GeoDataFrame, type_id: str, *, name: str, radius_m: float | None,
               tips: pd.Series, areas=None) -> folium.FeatureGroup:
    """One service type's layer: a marker per site (type icon/colour; planned sites grey
    with the type colour as icon colour) and, when ``radius_m`` is given, a catchment
    circle per site (dashed for planned). ``tips`` (index like ``sites``) is escaped HTML.
    ``areas`` (road mode: :func:`ui.road_areas.road_areas`, or line features) replaces
    the circles by the road service areas; sites without an area (off the road graph) get
    none. A marker's classes name its precision (``precision-village`` ...); approximate
    locations (village point, geocoder) are drawn translucent."""
    t = SERVICE_TYPES[type_id]
    fg = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    if areas is not None:
        service_area_layer(areas, type_id).add_to(fg)
        radius_m = None
    for idx, row in sites.iterrows():
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        planned = row.get("status") == "planned"
        icon = folium.Icon(color="lightgray" if planned else t.color,
                           icon_color=_ICON_HEX.get(t.color, "#333") if planned else "white",
                           icon=t.icon, prefix="glyphicon")
        precision = str(row.get("precision") or "exact")
        icon.options["extra_classes"] = (f"site-marker site-{type_id} status-{row.get('status')}"
                                         f" precision-{precision}")
        folium.Marker([geom.y, geom.x], icon=icon,
                      tooltip=folium.Tooltip(tips.get(idx, ""), sticky=True)).add_to(fg)
        if radius_m:
            catchment_circle([geom.y, geom.x], radius_m, color=_ICON_HEX.get(t.color),
                             fill=True, dash_array="6 6" if planned else None).add_to(fg)
    return fg


def catchment_circle(location, radius_m: float, *, color: str, fill: bool = True,
                     dash_array: str | None = None) -> folium.Circle:
    """A catchment circle that takes no clicks (``interactive: false``; folium's path
    options drop that option, so it is set here): a click inside it reaches the village
    under it."""
    circle = folium.Circle(location, radius=float(radius_m), color=color, weight=1.5,
                           fill=fill, fill_opacity=0.06 if fill else 0.0,
                           dash_array=dash_array)
    circle.options["interactive"] = False
    return circle


# awesome-markers colour names -> the marker body colours (for circles / planned icons)
_ICON_HEX = {"red": "#d63e2a", "darkred": "#a23336", "lightred": "#ff8e7f",
             "orange": "#f69730", "beige": "#ffcb92", "green": "#72b026",
             "darkgreen": "#728224", "lightgreen": "#bbf970", "blue": "#38aadd",
             "darkblue": "#0067a3", "cadetblue": "#436978", "lightblue": "#8adaff",
             "purple": "#d252b9", "darkpurple": "#5b396b", "pink": "#ff91ea",
             "white": "#fbfbfb", "gray": "#575757", "lightgray": "#a3a3a3", "black": "#303030"}


def type_hex(type_id: str) -> str:
    """The CSS colour of a service type's markers."""
    return _ICON_HEX.get(SERVICE_TYPES[type_id].color, "#333333")
