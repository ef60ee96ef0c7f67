"""Scenarios and suggestions at a glance, in a real browser (Playwright + Debian chromium,
real clicks, waits on the app's done signals only): a placement suggestion lists the
suggested sites first by village, district and gain and draws them with their own star
marker (the map and its panel rerun as a fragment, the rest of the page stays); added to
the scenario they get the "added in the scenario" marker instead (the whole page: the
comparison changes); a saved scenario is listed with its name, author, version and date in
words."""
from __future__ import annotations

import re

import pytest

from test_browser import app_server  # noqa: F401  (the module's server fixture)
from test_browser import (COLD, WARM, grid_rows, open_browser, offsite, playwright_api, token,
                          wait_done, wait_grids, wait_map)

pytestmark = [pytest.mark.browser]
SCN_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _click_and_wait(page, locator) -> None:
    """A real click on ``locator``, then the page's and the scenario map's done signals."""
    tok, map_tok = token(page, "page"), token(page, "scenario_map")
    locator.click()
    wait_done(page, "page", tok)
    wait_map(page, wait_done(page, "scenario_map", map_tok), SCN_FRAME)


def _in_fragment(page, act) -> None:
    """``act()`` on a control of the map's panel, then the scenario map's done signal; only
    that fragment ran (the page's token is unchanged)."""
    tok, map_tok = token(page, "page"), token(page, "scenario_map")
    act()
    wait_map(page, wait_done(page, "scenario_map", map_tok), SCN_FRAME)
    assert token(page, "page") == tok


def test_suggestions_read_at_a_glance(app_server, tmp_path):
    from analysis.context import load_context
    villages = load_context().villages
    with playwright_api.sync_playwright() as pw:
        browser, page, requests, dialogs = open_browser(pw, tmp_path / "profile")
        try:
            page.goto(app_server["url"] + "/?page=scenario")
            wait_done(page, "page", timeout=COLD)
            fl = wait_map(page, wait_done(page, "scenario_map", timeout=COLD), SCN_FRAME,
                          timeout=COLD)
            page.get_by_role("tab", name="區位建議").click()
            k = page.get_by_label("新增據點數", exact=True).and_(page.locator("input"))
            k.fill("2")
            _in_fragment(page, lambda: k.press("Enter"))  # the panel reruns its fragment
            _in_fragment(page, page.get_by_role("button", name="計算建議").click)

            wait_grids(page)
            rows = grid_rows(page, ".stTabs")  # the suggestion table: village, district, gain
            assert len(rows) == 2
            names = set(villages["village"])
            for village, district, gain in rows:
                assert village in names and district.endswith("區")
                assert float(gain.replace(",", "")) > 0
            gains = [float(r[2].replace(",", "")) for r in rows]
            assert gains == sorted(gains, reverse=True)  # largest gain first
            assert fl.locator(".site-suggested").count() == 2
            assert fl.locator(".site-new").count() == 0

            _click_and_wait(page, page.get_by_role("button", name="將建議據點加入情境"))
            assert fl.locator(".site-suggested").count() == 0
            assert fl.locator(".site-new").count() == 2

            page.get_by_label("情境名稱", exact=True).fill("北區試算")
            page.get_by_label("作者", exact=True).fill("王小明")
            _click_and_wait(page, page.get_by_role("button", name="儲存", exact=True))
            page.get_by_text("已儲存「北區試算」第 1 版").wait_for(timeout=WARM)
            wait_grids(page)
            stored = grid_rows(page, "[data-testid='stMain']")
            row = next(r for r in stored if r and r[0] == "北區試算")
            assert row[1] == "王小明" and row[2] == "第 1 版"
            assert re.fullmatch(r"\d{4} 年 \d{1,2} 月 \d{1,2} 日 \d{2}:\d{2}", row[3]), row
            assert row[5] == "2 項"
            page.screenshot(path=str(tmp_path / "scenario_saved.png"), full_page=True)
        finally:
            browser.close()
    assert not dialogs
    assert not offsite(requests), offsite(requests)[:5]
