"""Real-browser test of the Streamlit app: Playwright driving Debian's chromium against
`streamlit run app.py` started here. Checks the map draws offline (every request goes to
127.0.0.1), the village shapes and markers are there, layer toggle and radius change work,
and an imported site name cannot run script. Prints cold-start and redraw times (printed,
not asserted: timing belongs to benchmarks)."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
XSS_NAME = "<img src=x onerror=alert(1)>"
N_VILLAGES = 504
N_FAMILY_CENTRES = 15

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium")]
playwright_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_health(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    log = open(tmp_path / "streamlit.log", "w")
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_health(url, proc)
        yield {"url": url, "t0": t0, "log": tmp_path / "streamlit.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


_FILLS = ("() => Array.from(document.querySelectorAll('path.village-shape'))"
          ".map(p => p.getAttribute('fill'))")


def _map(page):
    return page.frame_locator('iframe[title="streamlit_folium.st_folium"]')


def _count(frame, selector: str) -> int:
    return frame.locator(selector).count()


def _wait_count(frame, selector: str, n: int, timeout: float = 30.0) -> float:
    """Wait until exactly n elements match; return the time it took (s)."""
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if _count(frame, selector) == n:
            return time.monotonic() - t
        time.sleep(0.02)
    raise AssertionError(f"{selector}: expected {n}, have {_count(frame, selector)}")


def open_page(pw, requests: list[str], dialogs: list[str]):
    """Headless Debian chromium and a zh-TW page that records every request URL and
    every dialog (dismissed). Returns (browser, page); the caller closes the browser."""
    browser = pw.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update"])
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, locale="zh-TW")
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return browser, page


def test_app_in_browser(server, tmp_path):
    requests: list[str] = []
    dialogs: list[str] = []
    with playwright_api.sync_playwright() as pw:
        browser, page = open_page(pw, requests, dialogs)
        try:
            t_nav = time.monotonic()
            page.goto(server["url"] + "/?page=map")
            m = _map(page)
            villages = "path.village-shape"
            _wait_count(m, villages, N_VILLAGES, timeout=90)
            t_map = time.monotonic()
            cold_start = t_map - server["t0"]
            page_to_map = t_map - t_nav
            print(f"\ncold start (process launch -> {N_VILLAGES} village shapes drawn): "
                  f"{cold_start:.2f} s; page open -> map: {page_to_map:.2f} s")

            fsc = ".leaflet-marker-pane i.site-family_service_centre"
            _wait_count(m, fsc, N_FAMILY_CENTRES)
            assert _count(m, ".leaflet-overlay-pane path.village-shape") == N_VILLAGES
            # district labels are text (Chinese)
            assert m.locator(".district-label", has_text="桃園區").count() == 1

            # toggle the family-service-centre layer in Leaflet's layer control
            label = m.locator(".leaflet-control-layers-overlays label",
                              has_text="家庭服務中心 (15)")
            label.locator("input").uncheck()
            _wait_count(m, fsc, 0)
            label.locator("input").check()
            _wait_count(m, fsc, N_FAMILY_CENTRES)

            # change the family-service-centre radius: numbers and map change
            metric = page.locator('[data-testid="stMetric"]',
                                  has_text="家庭服務中心 · 人口涵蓋率").first
            frame = next(f for f in page.frames if "streamlit_folium" in f.url)
            box = page.get_by_label("家庭服務中心 半徑（公里）")
            timings = []
            for km in ("2", "3", "4"):
                before = metric.locator('[data-testid="stMetricValue"]').inner_text()
                legend_before = frame.locator(".map-legend").inner_text()
                fills_before = frame.evaluate(_FILLS)
                t_change = time.monotonic()
                box.fill(km)
                box.press("Enter")
                page.wait_for_function(
                    """([sel, old]) => { const e = document.querySelector(sel);
                         return e && e.innerText !== old; }""",
                    arg=['[data-testid="stMetric"] [data-testid="stMetricValue"]', before],
                    timeout=30000)
                t_numbers = time.monotonic()
                frame.wait_for_function(
                    "old => { const e = document.querySelector('.map-legend');"
                    " return e && e.innerText !== old; }", arg=legend_before, timeout=30000)
                t_redraw = time.monotonic()
                after = metric.locator('[data-testid="stMetricValue"]').inner_text()
                fills_after = frame.evaluate(_FILLS)
                assert after != before and len(fills_after) == N_VILLAGES
                assert sum(a != b for a, b in zip(fills_before, fills_after)) > 0
                timings.append(t_redraw - t_change)
                print(f"radius -> {km} km: numbers {t_numbers - t_change:.2f} s, map redrawn "
                      f"{t_redraw - t_change:.2f} s ({before} -> {after})")
            print(f"control change -> map redrawn, median of {len(timings)}: "
                  f"{sorted(timings)[len(timings) // 2]:.2f} s")
            _wait_count(m, fsc, N_FAMILY_CENTRES)

            # click a village (復興區 三光里): its detail panel appears
            code = "68000130006"
            m.locator(f'path.village-shape[data-code="{code}"]').dispatch_event("click")
            detail = page.locator('[data-testid="stTable"]', has_text="家庭服務中心 · 最近據點")
            detail.wait_for(timeout=30000)
            page.get_by_text(code).wait_for(timeout=10000)

            # import a site whose name is an HTML payload
            csv = tmp_path / "sites.csv"
            csv.write_text("名稱,地址,經度,緯度,類型,狀態\n"
                           f'"{XSS_NAME}",桃園市桃園區縣府路1號,121.3010,24.9936,'
                           "family_service_centre,open\n", encoding="utf-8")
            page.get_by_text("資料", exact=True).click()
            page.locator('input[type="file"]').set_input_files(str(csv))
            page.get_by_role("button", name="匯入").click()
            page.get_by_text(re.compile(r"已匯入 1 個據點")).wait_for(timeout=30000)
            page.get_by_text(XSS_NAME, exact=True).first.wait_for(timeout=10000)
            assert page.locator("img[onerror]").count() == 0

            # back on the map the imported site is a 16th marker; hovering shows its name
            page.get_by_text("地圖", exact=True).click()
            m = _map(page)
            _wait_count(m, fsc, N_FAMILY_CENTRES + 1)
            # (dispatched: the payload site may sit under another centre's marker)
            m.locator(fsc).last.locator("xpath=..").dispatch_event("mouseover")
            tip = m.locator(".leaflet-tooltip", has_text=XSS_NAME)
            tip.wait_for(timeout=10000)
            assert m.locator("img[onerror]").count() == 0
            assert page.locator("img[onerror]").count() == 0
            page.wait_for_timeout(500)
            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
        finally:
            browser.close()

    assert not dialogs, f"a script ran: dialog {dialogs}"
    hosts = {urlparse(u).hostname for u in requests if not u.startswith(("data:", "blob:",
                                                                           "about:"))}
    assert hosts == {"127.0.0.1"}, f"requests left the machine: {sorted(hosts)}: " + \
        "; ".join(u for u in requests if urlparse(u).hostname != "127.0.0.1")[:2000]
