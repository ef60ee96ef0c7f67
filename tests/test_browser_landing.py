"""Issue 14/15 on the landing page in a real browser (Playwright + Debian chromium, a new
empty profile, the app's own empty store), with real mouse clicks and waits on the app's
own done signals only:

* the districts tab: a click on its first row (the district with the most persons not
  covered, by the analysis layer) moves the map onto that district;
* road mode (the city-wide road graph) with the road service areas drawn: a click on a point
  that lies on a service-area line reaches the village under it (the lines take no
  clicks) and its panel gives the road distance and the driving time;
* a service type without located sites reads 「尚無資料」 on its card, not 0 %.
"""
from __future__ import annotations

import pytest
import shapely

from test_browser import app_server  # noqa: F401  (the module's server fixture)
from test_browser import (COLD, MAP_FRAME, WARM, map_frame, offsite, open_browser, pick_type,
                          playwright_api, token, wait_done, wait_grids, wait_map)

pytestmark = [pytest.mark.browser]

FSC = "family_service_centre"

# a vertex of a road service-area line, in the map's viewport, where the topmost element
# is a village shape (no marker, no other layer on top): [x, y, data-code] or null
_POINT_ON_A_LINE = """() => {
    const size = window.map.getSize();
    const found = [];
    window.map.eachLayer(l => {
        if (found.length || !(l instanceof L.Polyline) || l.options.className !== 'service-area')
            return;
        const rect = l.getElement() && l.getElement().getBoundingClientRect();
        for (const part of l.getLatLngs()) {
            for (const ll of (Array.isArray(part) ? part : [part])) {
                const p = window.map.latLngToContainerPoint(ll);
                if (p.x < 40 || p.y < 40 || p.x > size.x - 40 || p.y > size.y - 40) continue;
                const c = window.map.getContainer().getBoundingClientRect();
                const x = p.x + c.left, y = p.y + c.top;
                const e = document.elementFromPoint(x, y);
                const code = e && e.getAttribute('data-code');
                if (code && rect.width > 0) { found.push([x, y, code]); return; }
            }
        }
    });
    return found.length ? found[0] : null;
}"""


@pytest.fixture(scope="module")
def expected():
    """The default question and its road-km twin, from the analysis layer."""
    from analysis.context import load_context
    from analysis.coverage import CoverageQuery, analyse_coverage
    ctx = load_context()
    straight = analyse_coverage(ctx, CoverageQuery(FSC))
    road = analyse_coverage(ctx, CoverageQuery(FSC, mode="network"))
    d = straight.districts
    worst = (d["demand_total"] - d["demand_covered"]).astype(float).idxmax()
    return {"ctx": ctx, "worst_district": worst, "road": road}


def _map_centre(page) -> shapely.Point:
    c = map_frame(page).evaluate("() => { const c = window.map.getCenter();"
                                 " return [c.lng, c.lat]; }")
    return shapely.Point(c)


def test_districts_tab_road_areas_and_no_data(app_server, expected, tmp_path):
    ctx = expected["ctx"]
    with playwright_api.sync_playwright() as pw:
        browser, page, requests, dialogs = open_browser(pw, tmp_path / "profile")
        try:
            page.goto(app_server["url"])
            page_tok = wait_done(page, "page", timeout=COLD)
            map_tok = wait_done(page, "map", timeout=COLD)
            wait_map(page, map_tok, timeout=COLD)

            # the districts tab: its first row is the worst district; a click centres it
            block = page.locator(".st-key-rank_block")
            block.get_by_role("tab", name="行政區").click()
            wait_grids(page)
            grid = block.locator("[data-testid='stDataFrame']").locator("visible=true").first
            first = grid.locator("table tr").nth(1).inner_text()
            worst = expected["worst_district"]
            assert ctx.districts.at[worst, "district"] in first
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            page.mouse.click(box["x"] + 16, box["y"] + 38 + 17)  # first data row
            map_tok = wait_done(page, "map", map_tok)
            wait_map(page, map_tok)
            district = ctx.districts.to_crs(4326).geometry[worst]
            assert district.envelope.contains(_map_centre(page))

            # road km, service areas on: a click on a line reaches the village under it
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_text("道路距離（公里）", exact=True).click()
            page_tok = wait_done(page, "page", page_tok, timeout=COLD)
            map_tok = token(page, "map")
            wait_map(page, map_tok, timeout=COLD)
            page.locator(".st-key-map_options").get_by_text("服務範圍", exact=True).click()
            map_tok = wait_done(page, "map", map_tok)
            fl = wait_map(page, map_tok)
            assert fl.locator("path.service-area").count() >= 1
            page.locator(MAP_FRAME).first.scroll_into_view_if_needed()
            spot = map_frame(page).evaluate(_POINT_ON_A_LINE)
            assert spot is not None, "no service-area vertex with a village under it in view"
            x, y, code = spot
            frame_box = page.locator(MAP_FRAME).first.bounding_box()
            page.mouse.click(frame_box["x"] + x, frame_box["y"] + y)
            map_tok = wait_done(page, "map", map_tok)
            wait_map(page, map_tok)
            row = ctx.villages.loc[code]
            # the panel's table is drawn by the same run; on a busy machine a second run
            # may redraw it: wait for its content, not for a time
            page.locator(".st-key-village_panel", has_text="車程").wait_for(timeout=WARM)
            panel = page.locator(".st-key-village_panel").inner_text()
            assert f"{row['district']} {row['village']}" in panel
            assert "道路距離" in panel and "車程" in panel
            road_m = float(expected["road"].villages.at[code, "road_m"])
            assert road_m < 1e9  # on a service-area line: reachable by road
            assert f"{road_m / 1000:.2f}" in panel  # the analysis layer's road distance
            page.screenshot(path=str(tmp_path / "road_mode_click.png"), full_page=True)

            # a type without located sites: "no data yet", never 0 %
            pick_type(page, "小衛星", token(page, "page"))
            cards = page.locator('[data-testid="stMetric"]').all_inner_texts()
            assert any("尚無資料" in c for c in cards), cards
            assert not any("0.0%" in c or "0.0 %" in c for c in cards), cards
            page.screenshot(path=str(tmp_path / "no_data_yet.png"), full_page=True)
        finally:
            browser.close()
    assert not dialogs and not offsite(requests)
