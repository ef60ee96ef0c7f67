"""Real-browser check of the hotspot page: Playwright driving Debian's chromium against
`streamlit run` of the page harness (tests/apps/hotspot_app.py). Every village on the Leaflet
map carries the colour of its Gi* bin as coverage.hotspots computes it here, the legend
shows the confidence levels, region outlines are drawn, switching to LISA (a real click)
recolours the map with local_moran's quadrants and reruns only the page's fragment, and
nothing is requested from outside 127.0.0.1. Waits are on the app's done signals only."""
from __future__ import annotations

from pathlib import Path

import pytest

from test_browser import (COLD, WARM, open_browser, offsite, start_server, stop_server,
                          wait_done, wait_map)

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "apps" / "hotspot_app.py"

pytestmark = [pytest.mark.browser]
import playwright.sync_api as playwright_api  # noqa: E402

_COLOURS = ("() => { const out = {}; window.__villages.eachLayer("
            "l => { out[l.feature.id] = l.options.fillColor; }); return out; }")


@pytest.fixture
def server(tmp_path):
    """streamlit run of a one-line script next to a link to ./static (Streamlit serves the
    static folder beside the main script; the vendored Leaflet lives there)."""
    (tmp_path / "static").symlink_to(ROOT / "static")
    script = tmp_path / "hotspot_main.py"
    script.write_text(f"import runpy\nrunpy.run_path({str(HARNESS)!r}, run_name='__main__')\n")
    proc, url, log = start_server(tmp_path, script)
    try:
        yield url
    finally:
        stop_server(proc, log)


def _expected(method: str) -> dict[str, str]:
    """Village colours of the page's default inputs (the config's indicator, children
    density), computed without ui/."""
    from coverage import hotspots as hs
    from geo.dataset import load_dataset
    from ui.hotspot_page import BIN_COLORS, LISA_COLORS

    villages = load_dataset().villages
    values = hs.children_density(villages)
    if method == "gi":
        res, _ = hs.gi_star(values, villages, permutations=999, seed=12345)
        return {c: BIN_COLORS[int(b)] for c, b in res["bin"].items()}
    res, _ = hs.local_moran(values, villages, permutations=999, seed=12345)
    return {c: LISA_COLORS[q] for c, q in res["quadrant"].items()}


def test_hotspot_page_in_browser(server, tmp_path):
    gi, lisa = _expected("gi"), _expected("lisa")
    with playwright_api.sync_playwright() as pw:
        browser, page, requests, dialogs = open_browser(pw, tmp_path / "profile")
        try:
            page.goto(server)
            tok = wait_done(page, "hotspots", timeout=COLD)
            fl = wait_map(page, tok, timeout=COLD)
            frame = next(f for f in page.frames if "streamlit_folium" in f.url)
            assert frame.evaluate(_COLOURS) == gi
            legend = fl.locator(".map-legend").inner_text()
            for text in ("熱點 99% 信心", "熱點 95% 信心", "熱點 90% 信心", "冷點 99% 信心",
                         "不顯著"):
                assert text in legend
            # region outlines: one dashed path per region in the table
            assert fl.locator('path[stroke="#000000"][stroke-dasharray="5 3"]').count() >= 1
            # hover a hot village: its tooltip names the class
            hot = next(c for c, col in gi.items() if col == "#b2182b")
            frame.evaluate("code => window.__villages.eachLayer(l => { if (l.feature.id === code)"
                           " { l.fire('mouseover', {latlng: l.getBounds().getCenter()}); } })",
                           hot)
            fl.locator(".leaflet-tooltip", has_text="熱點 99% 信心").first.wait_for(timeout=WARM)

            page.get_by_text("局部 Moran's I（LISA）", exact=True).click()
            tok = wait_done(page, "hotspots", tok)
            wait_map(page, tok)
            frame = next(f for f in page.frames if "streamlit_folium" in f.url)
            assert frame.evaluate(_COLOURS) == lisa
            assert "高-高" in fl.locator(".map-legend").inner_text()
            shot = tmp_path / "hotspots.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot: {shot}")
        finally:
            browser.close()
    assert not dialogs, f"a script ran: dialog {dialogs}"
    assert not offsite(requests), offsite(requests)[:5]
