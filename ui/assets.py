"""Self-hosted map assets: point folium at the vendored copies under ``static/vendor``
(served by Streamlit at ``/app/static/...``) instead of CDNs, and escape user text for the
HTML/JS that folium writes."""
from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

import folium
from folium.template import Template

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
MANIFEST_FILE = STATIC_DIR / "vendor" / "manifest.json"
STATIC_URL = "/app/static/"  # Streamlit's server.enableStaticServing mount point


@lru_cache(maxsize=1)
def manifest() -> dict:
    """The vendored-asset manifest written by scripts/vendor_leaflet.py."""
    if not MANIFEST_FILE.is_file():
        raise FileNotFoundError(f"{MANIFEST_FILE} missing; run scripts/vendor_leaflet.py")
    return json.loads(MANIFEST_FILE.read_text(encoding="utf-8"))


def local_links(kind: str, names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Replace each (name, CDN url) of folium's default_js/default_css ('js'/'css') with
    the vendored URL; names without a vendored copy are dropped (see VERSIONS.md)."""
    local = manifest()[kind]
    return [(name, STATIC_URL + local[name]) for name, _ in names if name in local]


class _MetricScale(folium.MacroElement):
    """Leaflet's scale bar in metres and kilometres only (no miles)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


# folium links jQuery, Bootstrap and Font Awesome for popups and fa- icons; our maps use
# neither (icons are glyphicons), and the map frame loads its scripts one after the other
UNUSED = {"jquery", "bootstrap", "bootstrap_css", "awesome_markers_font_css"}


def offline_map(*, control_scale: bool = False, lean: bool = True, **kwargs) -> folium.Map:
    """A folium.Map that loads Leaflet & co. from the app's own static files;
    ``control_scale`` adds a metric-only scale bar; ``lean`` leaves out the libraries the
    app's maps do not use (:data:`UNUSED`), so the map frame is ready sooner."""
    m = folium.Map(control_scale=False, **kwargs)
    m.default_js = [x for x in local_links("js", folium.Map.default_js)
                    if not (lean and x[0] in UNUSED)]
    m.default_css = [x for x in local_links("css", folium.Map.default_css)
                     if not (lean and x[0] in UNUSED)]
    if control_scale:
        _MetricScale().add_to(m)
    return m


def external_urls(element) -> list[str]:
    """Every JS/CSS URL that folium elements under ``element`` would load from outside the
    app (should be empty)."""
    urls = []
    stack = [element]
    while stack:
        el = stack.pop()
        for _, url in list(getattr(el, "default_js", [])) + list(getattr(el, "default_css", [])):
            if not url.startswith(STATIC_URL):
                urls.append(url)
        stack.extend(getattr(el, "_children", {}).values())
    return urls


def esc(text: object) -> str:
    """User text made safe inside folium's HTML *and* its JavaScript template literals
    (Tooltip/Popup put the HTML between backticks) *and* the Jinja template folium compiles
    every rendered script into: HTML-escaped, with ` $ \\ { } as entities (a site named
    ``{{x`` or ``{%y`` would otherwise break the whole map)."""
    s = html.escape("" if text is None else str(text), quote=True)
    return (s.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")
            .replace("{", "&#123;").replace("}", "&#125;"))
