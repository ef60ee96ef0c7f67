"""Every page in both languages in a real browser (Playwright + Debian chromium, 1280 px
wide): a screenshot of each (under the test's tmp dir, printed), no element's text cut
(scrollWidth <= clientWidth on metric cards, tags, select boxes, dropdown options and tabs),
one language at a time — no ASCII word on the zh-TW pages that is not a technical term of
the allow-list (catalogue keys, type ids and column names are named as such), no Chinese on
the English pages except proper names (site names and addresses of the data, the language
switch) — and no server path anywhere. Waits are on the app's own done signals only."""
from __future__ import annotations

import re
import time

import pytest

from test_browser import app_server  # noqa: F401  (the module's server fixture)
from test_browser import (COLD, WARM, open_browser, offsite, playwright_api, token,
                          wait_done, wait_grids, wait_map)

pytestmark = [pytest.mark.browser]

PAGES = ("overview", "tables", "scenario", "hotspots", "data")
WIDTH, HEIGHT = 1280, 800
# technical terms and proper names that stay in Latin letters on the zh-TW screens
ALLOWED_ASCII = {
    "Language", "English", "km", "SFCA", "Gi", "Gi_Bin", "z", "p", "FDR", "LISA", "Moran's",
    "I", "Getis-Ord", "Queen", "queen", "ArcGIS", "Benjamini-Hochberg", "MCLP", "CSV", "UTF-8",
    "Big5", "Excel", "xlsx", ".xlsx", "GeoJSON", "OpenStreetMap", "CartoDB", "Positron",
    "HH", "LL", "HL", "LH", "GeoPackage", "gpkg", ".gpkg", "HTML", "PDF", "QGIS", "FDR",
    "sub", "e.g", "WGS84", "Gi*", "Leaflet"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff08\uff09\uff0c\uff1a]+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'*.\-]*")
PATH = re.compile(r"(/work/|/home/|/tmp/|/root/|[A-Za-z]:\\\\)")

_CUT_JS = """(selectors) => {
  const out = [];
  for (const sel of selectors) {
    for (const root of document.querySelectorAll(sel)) {
      if (root.offsetParent === null) continue;
      for (const el of [root, ...root.querySelectorAll('*')]) {
        const st = getComputedStyle(el);
        const input = el.tagName === 'INPUT';
        if (input ? !['text', 'number', ''].includes(el.type || '') || !el.value
                  : !(el.innerText || '').trim()) continue;  // only elements showing text
        if (!input && !['hidden', 'clip', 'auto', 'scroll'].includes(st.overflowX)) continue;
        if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
          out.push([sel, (el.value || el.innerText || '').slice(0, 80), el.scrollWidth,
                    el.clientWidth]);
      }
    }
  }
  return out;
}"""
CUT_SELECTORS = ['[data-testid="stMetric"]', '[data-testid="stMultiSelect"] [data-tag]',
                 '[data-testid="stSelectbox"]', '[data-testid="stMultiSelect"]',
                 '[role="tab"]', '[role="option"]', '[data-testid="stCheckbox"]',
                 '[data-testid="stPopoverButton"]', 'button[data-testid^="stBaseButton"]',
                 '[data-testid="stRadio"]', '[data-testid="stWidgetLabel"]']


@pytest.fixture(scope="module")
def proper_names():
    """Chinese text allowed on English pages: the data's site names and addresses, the
    language switch, and finding values of the data-quality report."""
    from analysis.context import load_context
    from geo import checks
    ctx = load_context()
    names = set(ctx.sites["name"].astype(str)) | set(ctx.sites["address"].dropna().astype(str))
    report = checks.quality_report(ctx.data_dir)
    names |= {str(f.get("value")) for e in report["layers"].values() for f in e["findings"]}
    return names | {"語言", "中文", "小衛星"}


@pytest.fixture(scope="module")
def internal_keys():
    """Strings that must never show as they are: catalogue keys, service-type ids,
    statuses and column names of the village and site tables."""
    from analysis.context import load_context
    from geo.services import SERVICE_TYPES, STATUSES
    from i18n import CATALOGUE
    ctx = load_context()
    return ({k for k in CATALOGUE if k.isascii() and len(k) > 2} | set(SERVICE_TYPES)
            | set(STATUSES) | {c for c in ctx.villages.columns if len(c) > 2}
            | {c for c in ctx.sites.columns if len(c) > 2} | {"error", "expected", "boundaries"})


_TEXT_JS = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest('[data-testid="stIconMaterial"], [data-testid="stStatusWidget"], script,'
                   + ' style, template, [hidden]'))
      continue;  // icon ligatures are drawn as icons; the run indicator comes and goes
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || r.right < 0 || r.bottom < 0
        || getComputedStyle(el).visibility === 'hidden') continue;  // e.g. skip links
    out.push(node.textContent);
  }
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!grid.checkVisibility()) continue;  // the cells drawn on the grid's canvas
    for (const cell of grid.querySelectorAll('table th, table td')) out.push(cell.textContent);
  }
  for (const input of document.querySelectorAll('input[type="text"], input:not([type])')) {
    if (input.checkVisibility() && input.value) out.push(input.value);  // select boxes
  }
  return out.join('\\n');
}"""


def _page_text(page) -> str:
    """Text a person sees: visible text nodes of the app and of every map frame (legend,
    layer control), icon ligatures left out."""
    text = page.evaluate(_TEXT_JS)
    for frame in page.frames[1:]:
        try:
            text += "\n" + frame.evaluate(_TEXT_JS)
        except Exception:  # noqa: BLE001 - a frame without a document body (about:blank)
            pass
    return text


def _open(page, url: str, name: str, lang: str) -> None:
    page.goto(f"{url}/?page={name}")
    tok = wait_done(page, "page", timeout=COLD)
    if lang == "en":
        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
        wait_done(page, "page", tok)
    if name == "overview":
        wait_map(page, token(page, "map"), timeout=COLD)
    elif name == "hotspots":
        wait_map(page, wait_done(page, "hotspots", timeout=COLD), timeout=COLD)
    elif name == "scenario":
        wait_map(page, wait_done(page, "scenario_map", timeout=COLD), timeout=COLD)
    wait_grids(page, lang)


def _screenshot(page, path) -> None:
    """The whole page: the viewport is grown to the main section's height for the shot."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')"
                           ".scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(HEIGHT, int(height) + 20)})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


def _open_dropdown(page) -> list:
    """Open the sidebar's service-type select with a real click; the cut options."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first.click()
    page.locator('[role="option"]').first.wait_for(timeout=WARM)
    cut = page.evaluate(_CUT_JS, ['[role="option"]'])
    page.keyboard.press("Escape")
    page.locator('[role="option"]').first.wait_for(state="detached", timeout=WARM)
    return cut


def _longest_type(page) -> list:
    """Choose the service type with the longest name in the sidebar (real clicks) and
    return the cut elements of the select showing it."""
    tok = token(page, "page")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first.click()
    options = page.locator('[role="option"]')
    options.first.wait_for(timeout=WARM)
    texts = options.all_inner_texts()
    options.nth(max(range(len(texts)), key=lambda i: len(texts[i]))).click()
    wait_done(page, "page", tok)
    return page.evaluate(_CUT_JS, ['[data-testid="stSidebar"] [data-testid="stSelectbox"]'])


def _layers_with_tags(page) -> list:
    """On the landing page: open the map's layer popover (a real click), add the two
    types with the longest names to the map, and return the cut tags."""
    tok = token(page, "map")
    page.locator('.st-key-map_options [data-testid="stPopoverButton"]:visible').click()
    for _ in range(2):
        page.locator('[data-testid="stMultiSelect"] input').first.click()
        options = page.locator('[role="option"]')
        options.first.wait_for(timeout=WARM)
        texts = options.all_inner_texts()
        longest = max(range(len(texts)), key=lambda i: len(texts[i]))
        options.nth(longest).click()
        tok = wait_done(page, "map", tok)
    cut = page.evaluate(_CUT_JS, ['[data-testid="stMultiSelect"] [data-tag]',
                                  '[data-testid="stMultiSelect"]'])
    page.keyboard.press("Escape")  # closes the option list
    page.locator('.st-key-map_options [data-testid="stPopoverButton"]:visible').click()
    page.locator('[data-testid="stMultiSelect"]').wait_for(state="hidden", timeout=WARM)
    wait_map(page, tok)
    return cut


ROAD = {"zh-TW": ("道路距離（公里）", "服務範圍", "直線距離"),
        "en": ("Road distance (km)", "Service areas", "Straight line")}


def _road_mode(page, lang: str, shot) -> tuple[str, list]:
    """On the landing page: road km with the service areas on (real clicks), the page text
    and the cut elements, a screenshot; then back to straight lines without circles."""
    road, circles, straight = ROAD[lang]
    sidebar = page.locator('[data-testid="stSidebar"]')
    tok = token(page, "page")
    sidebar.get_by_text(road, exact=True).click()
    tok = wait_done(page, "page", tok, timeout=COLD)
    wait_map(page, token(page, "map"), timeout=COLD)
    mtok = token(page, "map")
    page.locator(".st-key-map_options").get_by_text(circles, exact=True).click()
    fl = wait_map(page, wait_done(page, "map", mtok))
    assert fl.locator("path.leaflet-interactive.village-shape").count() > 500
    assert fl.locator(".service-area").count() >= 1  # the road service areas, as lines
    wait_grids(page, lang)
    text, cut = _page_text(page), page.evaluate(_CUT_JS, CUT_SELECTORS)
    _screenshot(page, shot)
    mtok = token(page, "map")
    page.locator(".st-key-map_options").get_by_text(circles, exact=True).click()
    wait_map(page, wait_done(page, "map", mtok))
    sidebar.get_by_text(straight, exact=True).click()
    wait_map(page, token(page, "map") if wait_done(page, "page", tok) else None)
    return text, cut


FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|geojson|json|txt|xlsx|gpkg|graphml)\b")


def _zh_problems(text: str, keys: set[str]) -> list[str]:
    """ASCII words that are internal keys, or English beyond the technical terms (file
    names of the data are names, not words)."""
    words = {w.strip(".-'") for w in WORD.findall(FILE_NAME.sub(" ", text))}
    return sorted(w for w in words if w and (w in keys or (w not in ALLOWED_ASCII
                                                           and len(w) > 1)))


def _en_problems(text: str, names: set[str]) -> list[str]:
    """Chinese left once the proper names (longest first) are taken out of the text."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return sorted({run for run in CJK.findall(text)
                   if not set(run) <= set("（），：　、")})


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
def test_every_page_one_language_nothing_cut(app_server, tmp_path, lang, proper_names,
                                             internal_keys):
    problems: dict[str, list] = {}
    with playwright_api.sync_playwright() as pw:
        browser, page, requests, dialogs = open_browser(
            pw, tmp_path / "profile", width=WIDTH, height=HEIGHT, locale=lang)
        try:
            for name in PAGES:
                t0 = time.monotonic()
                _open(page, app_server["url"], name, lang)
                text = _page_text(page)
                cut = page.evaluate(_CUT_JS, CUT_SELECTORS) + _open_dropdown(page)
                if name == "overview":
                    cut += _layers_with_tags(page)
                    road_text, road_cut = _road_mode(page, lang,
                                                     tmp_path / f"overview_road_{lang}.png")
                    text += "\n" + road_text
                    cut += road_cut
                if name == PAGES[-1]:
                    cut += _longest_type(page)
                if cut:
                    problems[f"{name}: cut"] = cut
                if lang == "zh-TW":
                    bad = _zh_problems(text, internal_keys)
                else:
                    bad = _en_problems(text, proper_names)
                if bad:
                    problems[f"{name}: language"] = bad
                if PATH.search(text):
                    problems[f"{name}: path"] = PATH.findall(text)
                shot = tmp_path / f"{name}_{lang}.png"
                _screenshot(page, shot)
                print(f"\n{name} ({lang}) ready in {time.monotonic() - t0:.1f} s: {shot}")
        finally:
            browser.close()
    assert not dialogs
    assert not offsite(requests), offsite(requests)[:5]
    for key, value in problems.items():
        print(f"{key}: {value}")
    assert not problems, problems
