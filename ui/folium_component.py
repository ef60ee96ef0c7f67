"""Show a folium map through streamlit-folium's component with the static base map rendered
ONCE per (tiles, language) instead of on every rerun.

``streamlit_folium.st_folium`` renders the whole base map to JavaScript on each call; ours
holds every village shape (~450 kB), which would cost a noticeable part of every
control change. Here the base map's script/header/html/links are cached, and only the
swappable feature groups (village colours, site layers) and the layer control are rendered
per run. The arguments passed to the component are the ones ``st_folium`` passes
(streamlit-folium 0.27.4, pinned; tests/test_app.py compares the two).
"""
from __future__ import annotations

import json
from typing import Callable, Iterable

import folium
import streamlit as st
import streamlit_folium as sf

from ui.assets import esc, offline_map


_RENDERED: set = set()  # cache keys of base maps rendered in this process


def rendered_base_cached(cache_key: tuple) -> bool:
    """Whether the base map ``cache_key`` has been rendered in this process."""
    return cache_key in _RENDERED


@st.cache_resource(show_spinner=False, max_entries=8)
def _rendered_base(cache_key: tuple, _build: Callable[[], folium.Map]) -> dict:
    """The component arguments that depend only on the base map (built by ``_build``)."""
    _RENDERED.add(cache_key)
    m = _build()
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    css = [href for _, href in getattr(m, "default_css", [])]
    js = [src for _, src in getattr(m, "default_js", [])]
    try:
        bounds = m.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]
    return {"html": html, "header": header, "script": script, "css_links": css,
            "js_links": js, "id": sf.get_full_id(m), "bounds": bounds,
            "zoom": m.options.get("zoom")}


def _groups_script(groups: list[folium.FeatureGroup]) -> str:
    """JavaScript that creates the feature groups on the component's ``map_div``."""
    host = offline_map(tiles=None)  # stand-in parent: its name is rewritten to map_div
    host.render()
    sf._get_map_string(host)
    return "".join(sf._get_feature_group_string(g, host, i) for i, g in enumerate(groups))


def layer_control_script(entries: Iterable[tuple[str, str]], *, collapsed: bool = False) -> str:
    """A Leaflet layers control over (label, JS expression) overlays. Leaflet inserts the
    labels as HTML, so they are escaped here."""
    items = ",".join(f"{json.dumps(esc(label))}: {expr}" for label, expr in entries)
    return (f"var layer_control_layer_control = L.control.layers(null, {{{items}}}, "
            f"{{collapsed: {str(collapsed).lower()}, position: 'topright'}}).addTo(map_div);\n"
            "window.layer_control = layer_control_layer_control;\n")


def show_map(base_key: tuple, build_base: Callable[[], folium.Map],
             groups: list[folium.FeatureGroup], *, overlays: list[tuple[str, int | str]],
             key: str, height: int = 620, center=None, zoom=None,
             returned_objects: list[str] | None = None, collapsed: bool = True) -> dict | None:
    """Render the cached base map plus ``groups`` with streamlit-folium's component.

    ``overlays``: layer-control entries (label, index into ``groups`` or a JS expression
    such as ``"window.__villages"``); ``collapsed``: the layer control is a button that
    opens on hover (it does not cover the map). Returns the component value (as st_folium
    does).
    """
    base = _rendered_base(base_key, build_base)
    feature_group = _groups_script(groups)
    control = layer_control_script(
        [(label, f"feature_group_feature_group_{ref}" if isinstance(ref, int) else ref)
         for label, ref in overlays], collapsed=collapsed)
    bounds = base["bounds"]
    defaults = {
        "last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
        "last_object_clicked_tooltip": None, "last_object_clicked_popup": None,
        "all_drawings": None, "last_active_drawing": None,
        "bounds": {"_southWest": {"lat": bounds[0][0], "lng": bounds[0][1]},
                   "_northEast": {"lat": bounds[1][0], "lng": bounds[1][1]}},
        "zoom": base["zoom"], "last_circle_radius": None, "last_circle_polygon": None,
        "selected_layers": None, "selected_tags": None, "last_geocoder_result": None,
    }
    if returned_objects is not None:
        defaults = {k: v for k, v in defaults.items() if k in returned_objects}
    hash_key = sf.generate_js_hash(base["script"], key, False)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    return sf._component_func(
        script=base["script"], header=base["header"], html=base["html"], id=base["id"],
        key=hash_key, height=height, width=None, returned_objects=returned_objects,
        default=defaults, zoom=zoom, center=center, feature_group=feature_group,
        return_on_hover=False, layer_control=control, pixelated=False,
        css_links=base["css_links"], js_links=base["js_links"], on_change=_on_change,
        wrap_longitude=False)
