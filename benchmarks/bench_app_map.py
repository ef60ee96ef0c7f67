"""How quickly the app answers, against a named baseline measured in the same run.

Browser side (Playwright + Debian chromium, headless, 1440x900, new empty profile):

* ours: ``streamlit run app.py`` — cold start (process launch -> landing map drawn, and
  "first page open": the first browser's page open on the fresh server -> map drawn, i.e.
  interactive), a new browser session on the warm server, and control changes timed from
  the real click / key press to the app's own done signal plus the map frame having applied
  the run: a map click on a village (fragment rerun), the map metric (fragment rerun) and
  the radius (whole page); then in road mode (the city-wide NLSC roads, road service areas
  drawn as lines): the first switch to road km (the network's first load), the radius in
  road km and the minutes in road travel time, each against the straight-line radius
  change of the same run;
* baseline "plain st_folium page": the straightforward page a first version would write
  (the same data and analysis call, the village map built with folium and handed to
  ``st_folium`` on every run, no cached base map, no fragments), written to a temp file
  here; cold start and the same radius change.

Python side (no browser; benchmarks/_app_map_python.py): the map redraw of
``ui.folium_component.show_map`` (base map rendered once and cached, only colours/tooltips
and site layers per run) against streamlit-folium's own ``st_folium`` (renders the whole
base map every run), component call mocked; and a radius change's Python work (coverage for
the new radius + the map's layers, with road service areas in road mode) in road km / road
minutes against straight lines.

Targets (issues 14, 15): cold start to an interactive map < 5 s, a control change < 1 s on
this machine, the redraw after a radius change in road mode < 1 s. Figures are printed, never asserted (tests do not time).

Usage: .venv/bin/python benchmarks/bench_app_map.py [--repeat N] [--skip-browser]
"""
from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
logging.getLogger("streamlit").setLevel(logging.ERROR)

from _app_map_python import python_side  # noqa: E402  (benchmarks/_app_map_python.py)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
FRAME = 'iframe[title="streamlit_folium.st_folium"]'

BASELINE_APP = '''
import streamlit as st, folium
from streamlit_folium import st_folium
from analysis.context import load_context
from analysis.coverage import CoverageQuery, analyse_coverage
from ui.assets import offline_map
ctx = st.cache_resource(load_context)()
km = st.number_input("radius", value=5.0, step=0.5, key="radius")
res = analyse_coverage(ctx, CoverageQuery("family_service_centre", radius=km * 1000.0))
gap = res.villages["uncovered_demand"]
top = float(gap.max()) or 1.0
m = offline_map(location=[24.93, 121.2], zoom_start=10, tiles=None)
data = ctx.villages[["geometry"]].assign(gap=gap.reindex(ctx.villages.index)).to_json()
folium.GeoJson(data, style_function=lambda f: {"fillColor": "#bd0026" if f["properties"]["gap"]
               > 0 else "#e5f5e0", "weight": 0.6, "color": "#555",
               "fillOpacity": 0.3 + 0.6 * f["properties"]["gap"] / top}).add_to(m)
st_folium(m, key="map", height=560, returned_objects=[])
n = st.session_state["_runs"] = st.session_state.get("_runs", 0) + 1
st.html(f'<div data-done="page" data-token="page-{n}" style="display:none"></div>')
'''


# --- servers and pages --------------------------------------------------------------------

def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(script: Path, workdir: Path) -> tuple[subprocess.Popen, str, float]:
    """Launch streamlit; returns (process, url, launch time)."""
    port = _port()
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=script.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SAFETYNET_HOME": str(workdir / "home")})
    url = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{script} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return proc, url, t0
        except OSError:
            time.sleep(0.05)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _token(page, name: str) -> str | None:
    return page.evaluate("n => { const e = document.querySelector(`[data-done='${n}']`);"
                         " return e ? e.dataset.token : null; }", name)


def _wait(page, name: str, old: str | None, timeout: float = 300_000) -> str:
    page.wait_for_function(
        "([n, old]) => { const e = document.querySelector(`[data-done='${n}']`);"
        " return !!e && e.dataset.token !== old; }", arg=[name, old], timeout=timeout)
    return _token(page, name)


def _drawn(page, token: str, timeout: float = 300_000) -> None:
    """Ours: the map frame has applied run ``token``."""
    page.frame_locator(FRAME).first.locator(f'body[data-styled="{token}"]').wait_for(
        state="attached", timeout=timeout)


def _shapes(page, n: int, timeout: float = 300_000) -> None:
    """Baseline: all ``n`` village shapes are in the map frame (it has no token)."""
    page.frame_locator(FRAME).first.locator("path.leaflet-interactive").nth(n - 1).wait_for(
        state="attached", timeout=timeout)


def _click_targets(page, k: int) -> list[tuple[float, float]]:
    """Page points of ``k`` different villages where the village itself is on top (not a
    marker), spread over the list of shapes."""
    page.locator(FRAME).first.scroll_into_view_if_needed()
    frame = page.locator(FRAME).first.element_handle().content_frame()
    pts = frame.evaluate("""k => {
      const out = [], paths = Array.from(document.querySelectorAll('path.village-shape'));
      for (let i = 0; i < paths.length && out.length < k; i += 7) {
        const r = paths[i].getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
        if (document.elementFromPoint(x, y) === paths[i]) out.push([x, y]);
      }
      return out; }""", k)
    box = page.locator(FRAME).first.bounding_box()
    return [(box["x"] + x, box["y"] + y) for x, y in pts]


def _browser(pw, profile: Path):
    ctx = pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=ARGS,
        viewport={"width": 1440, "height": 900}, locale="zh-TW")
    return ctx, (ctx.pages[0] if ctx.pages else ctx.new_page())


# --- measurements ------------------------------------------------------------------------

def _ours(pw, tmp: Path, repeat: int) -> dict:
    proc, url, t0 = _start(ROOT / "app.py", tmp)
    out: dict[str, list[float] | float] = {}
    try:
        ctx, page = _browser(pw, tmp / "ours-1")
        t_open = time.monotonic()
        page.goto(url)
        _wait(page, "page", None)
        _drawn(page, _wait(page, "map", None))
        out["cold start"] = time.monotonic() - t0
        out["first page open"] = time.monotonic() - t_open
        ctx.close()
        ctx, page = _browser(pw, tmp / "ours-2")
        t = time.monotonic()
        page.goto(url)
        _wait(page, "page", None)
        _drawn(page, _wait(page, "map", None))
        out["new session"] = time.monotonic() - t
        out["map click"], out["map metric"], out["radius"] = [], [], []
        targets = _click_targets(page, repeat)
        metrics = ["covered", "gap"]
        for i in range(repeat):
            tok = _token(page, "map")
            t = time.monotonic()
            page.mouse.click(*targets[i])
            tok = _wait(page, "map", tok)
            _drawn(page, tok)
            out["map click"].append(time.monotonic() - t)

            select = page.locator('.st-key-map_options input[role="combobox"]').first
            select.click()
            t = time.monotonic()
            page.locator('[role="option"]').nth(["gap", "covered"].index(metrics[i % 2])).click()
            tok = _wait(page, "map", tok)
            _drawn(page, tok)
            out["map metric"].append(time.monotonic() - t)

            box = page.get_by_label("服務半徑（公里）", exact=True).and_(page.locator("input"))
            box.fill(str(3.0 + 0.5 * i))
            ptok = _token(page, "page")
            t = time.monotonic()
            box.press("Enter")
            _wait(page, "page", ptok)
            _drawn(page, _token(page, "map"))
            out["radius"].append(time.monotonic() - t)
        _road(page, out, repeat)
        ctx.close()
    finally:
        _stop(proc)
    return out


def _set_number(page, label: str, value: float) -> float:
    """Type ``value`` into the sidebar number box ``label``, press Enter, wait for the
    page run and the map drawn; seconds from the key press."""
    box = page.get_by_label(label, exact=True).and_(page.locator("input"))
    box.fill(str(value))
    ptok = _token(page, "page")
    t = time.monotonic()
    box.press("Enter")
    _wait(page, "page", ptok)
    _drawn(page, _token(page, "map"))
    return time.monotonic() - t


def _switch(page, label: str) -> float:
    """Click the sidebar's distance choice ``label``; seconds to the map drawn."""
    ptok = _token(page, "page")
    t = time.monotonic()
    page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click()
    _wait(page, "page", ptok)
    _drawn(page, _token(page, "map"))
    return time.monotonic() - t


def _road(page, out: dict, repeat: int) -> None:
    """Road mode with the service areas shown: the first switch (the road network's first
    load), radius changes in road km, minute changes in road travel time."""
    mtok = _token(page, "map")
    page.locator(".st-key-map_options").get_by_text("服務範圍", exact=True).click()
    _drawn(page, _wait(page, "map", mtok))
    out["road km, first switch"] = _switch(page, "道路距離（公里）")
    out["radius, road km"] = [_set_number(page, "服務半徑（公里）", 3.0 + 0.5 * i)
                              for i in range(repeat)]
    _switch(page, "道路車程（分鐘）")
    out["minutes, road time"] = [_set_number(page, "服務範圍（車程分鐘）", 6.0 + i)
                                 for i in range(repeat)]


def _baseline(pw, tmp: Path, repeat: int, n: int) -> dict:
    script = tmp / "baseline_app.py"
    script.write_text(BASELINE_APP, encoding="utf-8")
    (tmp / "static").symlink_to(ROOT / "static")
    (tmp / ".streamlit").symlink_to(ROOT / ".streamlit")
    proc, url, t0 = _start(script, tmp)
    out: dict[str, list[float] | float] = {}
    try:
        ctx, page = _browser(pw, tmp / "base-1")
        t_open = time.monotonic()
        page.goto(url)
        _wait(page, "page", None)
        _shapes(page, n)
        out["cold start"] = time.monotonic() - t0
        out["first page open"] = time.monotonic() - t_open
        out["radius"] = []
        for i in range(repeat):
            box = page.get_by_label("radius", exact=True).and_(page.locator("input"))
            box.fill(str(3.0 + 0.5 * i))
            tok = _token(page, "page")
            frame = page.locator(FRAME).first.element_handle().content_frame()
            frame.evaluate("() => { window.map.__old = true; }")
            t = time.monotonic()
            box.press("Enter")
            _wait(page, "page", tok)
            # st_folium re-creates the whole map: wait for the new one with every shape
            frame = page.locator(FRAME).first.element_handle().content_frame()
            frame.wait_for_function(
                "n => window.map && !window.map.__old && document.querySelectorAll("
                "'path.leaflet-interactive').length >= n", arg=n, timeout=300_000)
            out["radius"].append(time.monotonic() - t)
        ctx.close()
    finally:
        _stop(proc)
    return out


def _med(x) -> float:
    return statistics.median(x) if isinstance(x, list) else x


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args(argv)
    python_side(max(args.repeat, 3))
    if args.skip_browser:
        return 0
    from playwright.sync_api import sync_playwright

    from analysis.context import load_context
    n = len(load_context().villages)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        (tmp / "ours").mkdir()
        (tmp / "base").mkdir()
        ours = _ours(pw, tmp / "ours", args.repeat)
        base = _baseline(pw, tmp / "base", args.repeat, n)
    load = os.getloadavg()[0]
    print(f"\nbrowser side, median of {args.repeat} where repeated (1-min load average "
          f"{load:.1f} on {os.cpu_count()} cores; targets: cold start < 5 s, a control change "
          f"< 1 s):")
    print(f"  {'':28s} {'ours':>8s} {'baseline':>9s} {'ratio':>6s}")
    for name in ("cold start", "first page open", "new session", "map click", "map metric", "radius",
                 "road km, first switch", "radius, road km", "minutes, road time"):
        mine = _med(ours[name])
        other = _med(base[name]) if name in base else None
        ratio = f"{other / mine:5.1f}x" if other else "     -"
        print(f"  {name + ' (s)':28s} {mine:8.2f} {other if other else float('nan'):9.2f} "
              f"{ratio}")
    straight = _med(ours["radius"])
    for name in ("radius, road km", "minutes, road time"):
        print(f"  {name} / straight-line radius (same run): "
              f"{_med(ours[name]) / straight:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
