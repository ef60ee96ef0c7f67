"""Server-side cost of redrawing the app's map after a control change, printed as figures
and a ratio against a named baseline run in the same process:

* baseline ``st_folium``: streamlit-folium's own call, which renders the whole base map
  (504 village shapes, district outlines) to JavaScript on every rerun;
* ours ``ui.folium_component.show_map``: the base map rendered once and cached, only the
  village colours/tooltips and the site layers rendered per rerun.

Both get the same map and layers (family service centres, 5 km) and the component call is
mocked, so only the Python work is timed. Also prints the payload per redraw (what the
browser must evaluate). Browser-side figures (cold start, redraw) are printed by
tests/test_browser.py.

Usage: .venv/bin/python benchmarks/bench_app_map.py [--repeat N]
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
logging.getLogger("streamlit").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)

    import folium
    import streamlit_folium as sf

    from ui import map_page, state
    from ui.controls import Settings, default_radii_m
    from ui.folium_component import show_map

    settings = Settings(types=["family_service_centre"], radii=default_radii_m())
    sites, key = state.current_sites()
    results = {"family_service_centre": state.type_result(
        key, "family_service_centre", settings.radii["family_service_centre"], "straight",
        "population", False, sites)}

    def layers():
        return map_page.build_layers(settings, sites, key, results)

    def baseline() -> dict:
        with mock.patch.object(sf, "_component_func") as comp:
            sf.st_folium(map_page._base_map("none", "zh-TW"), key="map", height=620,
                         feature_group_to_add=layers(),
                         layer_control=folium.LayerControl(collapsed=False),
                         returned_objects=["last_active_drawing"])
        return comp.call_args.kwargs

    def ours() -> dict:
        with mock.patch.object(sf, "_component_func") as comp:
            show_map(("bench", "none", "zh-TW"), lambda: map_page._base_map("none", "zh-TW"),
                     layers(), overlays=[("村里", "window.__villages"), ("家庭服務中心", 1)],
                     key="map", height=620, returned_objects=["last_active_drawing"])
        return comp.call_args.kwargs

    ours()  # fill the base-map cache, as the first run of the app does
    rows = {}
    for name, fn in (("st_folium (baseline)", baseline), ("show_map (ours)", ours)):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            kw = fn()
            times.append(time.perf_counter() - t)
        changed = len(kw["feature_group"] or "") + len(kw["layer_control"] or "")
        rows[name] = (statistics.median(times), len(kw["script"]), changed)
    print(f"map redraw, Python side, median of {args.repeat} (Taoyuan, 504 villages):")
    for name, (sec, script, changed) in rows.items():
        print(f"  {name:22s} {sec * 1000:8.1f} ms   base script {script / 1024:6.0f} kB   "
              f"swapped layers {changed / 1024:6.0f} kB")
    base, mine = rows["st_folium (baseline)"][0], rows["show_map (ours)"][0]
    print(f"  ratio baseline / ours: {base / mine:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
