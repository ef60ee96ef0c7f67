"""The Python side of benchmarks/bench_app_map.py (no browser), run before the browser side:

* the map redraw of ``ui.folium_component.show_map`` (base map rendered once and cached,
  only colours/tooltips and site layers per run) against streamlit-folium's own
  ``st_folium`` (renders the whole base map every run), the component call mocked;
* a radius change's Python work (coverage for the new radius + the map's layers, with road
  service areas in road mode) in road km / road minutes against straight lines.

Figures are printed, never asserted. The caller puts the project root on sys.path first."""
from __future__ import annotations

import statistics
import time
from unittest import mock

__all__ = ["python_radius", "python_side"]


def python_side(repeat: int) -> None:
    import folium
    import streamlit_folium as sf

    from ui import map_page, state
    from ui.controls import Settings, default_radii_m
    from ui.folium_component import show_map

    settings = Settings(radii=default_radii_m())
    sites, key = state.current_sites()
    results = {settings.type_id: state.coverage_of(settings, settings.type_id, sites, key)[0]}

    def layers():
        return map_page.build_layers(settings, sites, results)

    def baseline() -> dict:
        with mock.patch.object(sf, "_component_func") as comp:
            sf.st_folium(map_page._base_map("none", "zh-TW"), key="map", height=560,
                         feature_group_to_add=layers(),
                         layer_control=folium.LayerControl(collapsed=True),
                         returned_objects=["last_active_drawing"])
        return comp.call_args.kwargs

    def ours() -> dict:
        with mock.patch.object(sf, "_component_func") as comp:
            show_map(("bench", "none", "zh-TW"), lambda: map_page._base_map("none", "zh-TW"),
                     layers(), overlays=[("村里", "window.__villages"), ("家庭服務中心", 1)],
                     key="map", height=560, returned_objects=["last_active_drawing"])
        return comp.call_args.kwargs

    ours()  # fill the base-map cache, as the first run of the app does
    rows = {}
    for name, fn in (("st_folium (baseline)", baseline), ("show_map (ours)", ours)):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            kw = fn()
            times.append(time.perf_counter() - t)
        changed = len(kw["feature_group"] or "") + len(kw["layer_control"] or "")
        rows[name] = (statistics.median(times), len(kw["script"]), changed)
    n = len(state.dataset().villages)
    print(f"\nmap redraw, Python side, median of {repeat} (Taoyuan, {n} villages):")
    for name, (sec, script, changed) in rows.items():
        print(f"  {name:22s} {sec * 1000:8.1f} ms   base script {script / 1024:6.0f} kB   "
              f"swapped layers {changed / 1024:6.0f} kB")
    base, mine = rows["st_folium (baseline)"][0], rows["show_map (ours)"][0]
    print(f"  ratio baseline / ours: {base / mine:.1f}x")
    python_radius(repeat)


def python_radius(repeat: int) -> None:
    """A radius change's Python work: coverage for a radius not computed before, then the
    map's layers and their script (circles off in straight mode, as the app's default;
    road service areas on in road mode); median of ``repeat`` radii, each new."""
    from dataclasses import replace

    from ui import map_page, state
    from ui.controls import Settings, default_minutes, default_radii_m
    from ui.folium_component import _groups_script

    sites, key = state.current_sites()
    tid = "family_service_centre"
    t = time.perf_counter()
    state.road_network()
    first = time.perf_counter() - t
    cases = {"straight line": ("straight", "length"), "road km": ("network", "length"),
             "road minutes": ("network", "travel_time")}
    rows = {}
    for label, (mode, weight) in cases.items():
        times = []
        for i in range(repeat):
            base = Settings(radii=dict(default_radii_m()), minutes=dict(default_minutes()),
                            mode=mode, weight=weight, circles=mode == "network")
            settings = replace(base, radii={**base.radii, tid: 2500.0 + 250.0 * i + 7.0},
                               minutes={**base.minutes, tid: 5.0 + 0.5 * i + 0.01})
            t = time.perf_counter()
            result = state.coverage_of(settings, tid, sites, key)[0]
            _groups_script(map_page.build_layers(settings, sites, {tid: result}))
            times.append(time.perf_counter() - t)
        rows[label] = statistics.median(times)
    print(f"\nradius change, Python side (coverage + map layers; road areas drawn), median of "
          f"{repeat} new radii; the road network's first load: {first:.2f} s")
    for label, sec in rows.items():
        ratio = sec / rows["straight line"]
        print(f"  {label:22s} {sec * 1000:8.1f} ms   {ratio:5.1f}x straight line")
