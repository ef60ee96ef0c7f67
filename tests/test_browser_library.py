"""Issue 13's proof in a real browser (Playwright + Debian chromium, a new empty profile,
the app's own store): import an address-only list on the data page; one row names its 里
and is placed there at import; place two rows by clicking the map and one by picking its
village from the list (real clicks, real typing); reload the page and find all four placed,
with their precision shown in the layer's table and as marker classes on the landing map.
The points are read back from the store here: the clicked rows lie where the mouse
clicked (the map's own pixel -> lon/lat), the village rows on the village's demand point
(projected here with pyproj). Waits are on the app's done signals only."""
from __future__ import annotations

import time

import numpy as np
import pytest
from pyproj import Transformer

from test_browser import app_server  # noqa: F401  (the module's server fixture)
from test_browser import (COLD, WARM, MAP_FRAME, grid_rows, import_list, map_frame, offsite,
                          open_browser, pick_type, playwright_api, token, wait_done,
                          wait_grids, wait_map)

pytestmark = [pytest.mark.browser]

CSS_ = "community_support_site"
LAYER = "小衛星待定位"
ROWS = {"甲據點": "桃園市中壢區中央里中央西路1號", "乙據點": "桃園市中壢區中山路100號",
        "丙據點": "桃園市八德區介壽路1段5號", "丁據點": "桃園市平鎮區環南路66號"}
CLICKS = {"乙據點": (121.2245, 24.9570), "丙據點": (121.2960, 24.9420)}  # lon, lat
PICK = ("平鎮區", "平鎮里")


def _click_map(page, lon: float, lat: float) -> tuple[float, float]:
    """A real mouse click on the placing map near lon/lat (Playwright scrolls the map into
    view and clicks at that point of the map's container); the lon/lat Leaflet reports for
    the click itself (what the app receives), recorded by a listener set before the click,
    so a map still settling (a pan, a resize) cannot make the test compare the wrong point."""
    wait_map(page, token(page, "place"))  # the placing map has drawn this run
    frame = map_frame(page)
    frame.wait_for_function("() => !!window.map", timeout=WARM)
    x, y = frame.evaluate("([lat, lon]) => { window.__clicked = null;"
                          " window.map.once('click', e => { window.__clicked ="
                          " [e.latlng.lng, e.latlng.lat]; });"
                          " const p = window.map.latLngToContainerPoint([lat, lon]);"
                          " return [Math.round(p.x), Math.round(p.y)]; }", [lat, lon])
    container = page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").first
    container.click(position={"x": x, "y": y})
    frame.wait_for_function("() => window.__clicked !== null", timeout=WARM)
    where = frame.evaluate("() => window.__clicked")
    return where[0], where[1]


def _placing_drawn(page) -> None:
    """Wait for the placing map to be drawn (when there is still a row to place)."""
    if page.locator('[data-done="place"]').count() and page.locator(MAP_FRAME).count():
        wait_map(page, token(page, "place"))


def _place_tok(page, old: str | None) -> str:
    """Wait for the page run after an action and for the placing map to be drawn (when
    there is still a row to place); the page token."""
    tok = wait_done(page, "page", old)
    _placing_drawn(page)
    return tok


def test_address_only_list_placed_by_map_and_village_survives_a_reload(app_server, tmp_path):
    from analysis.context import load_context
    from store import load_layer
    csv = tmp_path / "address_only.csv"
    csv.write_text("名稱,地址,類型,狀態\n" + "".join(
        f"{n},{a},{CSS_},open\n" for n, a in ROWS.items()), encoding="utf-8")
    clicked = {}
    with playwright_api.sync_playwright() as pw:
        browser, page, requests, dialogs = open_browser(pw, tmp_path / "profile")
        try:
            t0 = time.monotonic()
            page.goto(app_server["url"] + "/?page=data")
            tok = wait_done(page, "page", timeout=COLD)
            tok = import_list(page, csv, LAYER, tok)
            _placing_drawn(page)
            page.get_by_text("4 個據點（1 個已定位、3 個未定位）", exact=False).wait_for(timeout=WARM)
            page.get_by_text("待定位據點（3 筆）", exact=True).wait_for(timeout=WARM)

            for name in ("乙據點", "丙據點"):  # two rows by a click on the map
                row = page.locator(".st-key-place_row")
                assert name in row.inner_text()
                clicked[name] = _click_map(page, *CLICKS[name])
                tok = _place_tok(page, tok)
                page.get_by_text("點選的位置：", exact=False).wait_for(timeout=WARM)
                page.get_by_role("button", name="放在點選的位置").click()
                tok = _place_tok(page, tok)
                page.get_by_text(f"「{name}」已定位（手動放置）", exact=False).wait_for(timeout=WARM)

            # one row by its village, picked from the list with the keyboard
            assert "丁據點" in page.locator(".st-key-place_row").inner_text()
            picker = page.locator(".st-key-place_row [data-testid='stSelectbox'] input").first
            picker.click()
            picker.fill(" ".join(PICK))
            page.locator('[role="option"]', has_text=" ".join(PICK)).first.click()
            tok = _place_tok(page, tok)
            page.get_by_role("button", name="放在所選村里").click()
            tok = _place_tok(page, tok)
            page.get_by_text("「丁據點」已定位（村里需求點", exact=False).wait_for(timeout=WARM)

            page.reload()  # a new session: everything comes back from the store
            tok = wait_done(page, "page", timeout=COLD)
            page.get_by_text("待定位據點（0 筆）", exact=True).wait_for(timeout=WARM)
            grid = page.locator(".st-key-lib_layer_box [data-testid='stDataFrame']").first
            grid.scroll_into_view_if_needed()
            page.wait_for_function(
                "() => document.querySelectorAll(\".st-key-lib_layer_box "
                "[data-testid='stDataFrame'] table tr\").length >= 5", timeout=WARM)
            wait_grids(page)
            rows = {r[0]: r[-1] for r in grid_rows(page, ".st-key-lib_layer_box")}
            assert rows == {"甲據點": "村里需求點（非門牌位置）", "乙據點": "手動放置",
                            "丙據點": "手動放置", "丁據點": "村里需求點（非門牌位置）"}
            page.screenshot(path=str(tmp_path / "data_after_placing.png"), full_page=True)

            # the landing map: the four markers carry their precision
            page.goto(app_server["url"] + "/?page=overview")
            tok = wait_done(page, "page", timeout=COLD)
            tok = pick_type(page, "小衛星", tok)
            fl = wait_map(page, token(page, "map"))
            pane = fl.locator(".leaflet-marker-pane .site-community_support_site")
            assert pane.count() == 4
            assert fl.locator(".site-community_support_site.precision-hand").count() == 2
            assert fl.locator(".site-community_support_site.precision-village").count() == 2
            print(f"\nimport, three placements and a reload: {time.monotonic() - t0:.1f} s")
        finally:
            browser.close()
    assert not dialogs and not offsite(requests)

    layer = load_layer(LAYER, store=app_server["dir"] / "home" / "layers")
    assert layer.info.version == 4 and layer.info.n_unlocated == 0
    sites = layer.sites.set_index("name")
    for name, (lon, lat) in clicked.items():  # where the mouse clicked, to the metre
        g = sites.at[name, "geometry"]
        assert (g.x, g.y) == pytest.approx((lon, lat), abs=2e-5)
        # and near where the test aimed (a map still settling moves the pixel a little)
        assert np.hypot(g.x - CLICKS[name][0], g.y - CLICKS[name][1]) < 5e-3
    villages = load_context(library=False).villages
    tr = Transformer.from_crs(3826, 4326, always_xy=True)
    for name, (district, village) in (("甲據點", ("中壢區", "中央里")), ("丁據點", PICK)):
        code = villages.index[(villages["district"] == district)
                              & (villages["village"] == village)][0]
        want = tr.transform(villages.at[code, "demand_x"], villages.at[code, "demand_y"])
        g = sites.at[name, "geometry"]
        assert (g.x, g.y) == pytest.approx(want, abs=1e-7)
        assert sites.at[name, "precision"] == "village"
    assert list(sites.loc[list(clicked), "precision"]) == ["hand", "hand"]
