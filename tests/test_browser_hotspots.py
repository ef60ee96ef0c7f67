"""Real-browser check of the hotspot page: Playwright driving Debian's chromium against
`streamlit run` of the page harness (tests/apps/hotspot_app.py). Every village on the Leaflet
map carries the colour of its Gi* bin as coverage.hotspots computes it here, the legend
shows the confidence levels, region outlines are drawn, switching to LISA recolours the map
with local_moran's quadrants, and nothing is requested from outside 127.0.0.1."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from test_browser import CHROMIUM, N_VILLAGES, _free_port, _map, _wait_count, _wait_health, open_page

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "apps" / "hotspot_app.py"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")]
playwright_api = pytest.importorskip("playwright.sync_api")

_COLOURS = ("() => { const out = {}; window.__villages.eachLayer("
            "l => { out[l.feature.id] = l.options.fillColor; }); return out; }")


@pytest.fixture
def server(tmp_path):
    """streamlit run of a one-line script next to a link to ./static (Streamlit serves the
    static folder beside the main script; the vendored Leaflet lives there)."""
    (tmp_path / "static").symlink_to(ROOT / "static")
    script = tmp_path / "hotspot_main.py"
    script.write_text(f"import runpy\nrunpy.run_path({str(HARNESS)!r}, run_name='__main__')\n")
    port = _free_port()
    log = open(tmp_path / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_health(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _expected(method: str) -> dict[str, str]:
    """Village colours of the page's default inputs, computed without ui/."""
    from coverage import hotspots as hs
    from analysis.config import type_defaults
    from coverage.engine import coverage_table
    from coverage.metrics import select_sites
    from geo.dataset import load_dataset
    from ui.hotspot_page import BIN_COLORS, LISA_COLORS

    ds = load_dataset()
    tid = "family_service_centre"
    table, _ = coverage_table(ds.villages, select_sites(ds.sites, tid),
                              radius_m=type_defaults(tid).radius_m)
    values = (1.0 - table["covered"].astype(float)).rename("uncovered_share")
    if method == "gi":
        res, _ = hs.gi_star(values, ds.villages, permutations=999, seed=12345)
        return {c: BIN_COLORS[int(b)] for c, b in res["bin"].items()}
    res, _ = hs.local_moran(values, ds.villages, permutations=999, seed=12345)
    return {c: LISA_COLORS[q] for c, q in res["quadrant"].items()}


def _wait_colours(frame, want: dict[str, str], timeout: float = 30.0) -> dict[str, str]:
    end = time.monotonic() + timeout
    got: dict[str, str] = {}
    while time.monotonic() < end:
        got = frame.evaluate(_COLOURS)
        if got == want:
            return got
        time.sleep(0.1)
    diff = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    raise AssertionError(f"{len(diff)} villages differ, e.g. {list(diff.items())[:5]}")


def test_hotspot_page_in_browser(server, tmp_path):
    requests: list[str] = []
    dialogs: list[str] = []
    gi, lisa = _expected("gi"), _expected("lisa")
    with playwright_api.sync_playwright() as pw:
        browser, page = open_page(pw, requests, dialogs)
        try:
            page.goto(server)
            m = _map(page)
            _wait_count(m, "path.village-shape", N_VILLAGES, timeout=90)
            frame = next(f for f in page.frames if "streamlit_folium" in f.url)
            _wait_colours(frame, gi)
            legend = frame.locator(".map-legend").inner_text()
            for text in ("熱點 99% 信心", "熱點 95% 信心", "熱點 90% 信心", "冷點 99% 信心",
                         "不顯著"):
                assert text in legend
            # region outlines: one dashed path per region in the table
            rows = page.locator('[data-testid="stDataFrame"]').first
            rows.wait_for(timeout=30000)
            assert m.locator('path[stroke="#000000"][stroke-dasharray="5 3"]').count() >= 1
            # hover a hot village: its tooltip names the class
            hot = next(c for c, col in gi.items() if col == "#b2182b")
            frame.evaluate("code => window.__villages.eachLayer(l => { if (l.feature.id === code)"
                           " { l.fire('mouseover', {latlng: l.getBounds().getCenter()}); } })",
                           hot)
            m.locator(".leaflet-tooltip", has_text="熱點 99% 信心").first.wait_for(timeout=10000)

            page.get_by_text("局部 Moran's I（LISA）", exact=True).click()
            frame = next(f for f in page.frames if "streamlit_folium" in f.url)
            _wait_colours(frame, lisa)
            frame.wait_for_function(
                "() => document.querySelector('.map-legend').innerText.includes('高-高')",
                timeout=30000)
            page.wait_for_timeout(500)
            shot = tmp_path / "hotspots.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot: {shot}")
        finally:
            browser.close()
    assert not dialogs, f"a script ran: dialog {dialogs}"
    hosts = {urlparse(u).hostname for u in requests
             if not u.startswith(("data:", "blob:", "about:"))}
    assert hosts == {"127.0.0.1"}, sorted(hosts)
