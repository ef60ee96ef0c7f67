"""Reports on the real Taoyuan data, rendered: the maps (legend colours in the PNG), the HTML
(user text escaped) and the PDF reopened with poppler (pdftotext figures against the numpy
reference, embedded CJK font, pages not blank), the English report, and the map furniture
(scale bar, north arrow, a clear error without a CJK font). Shared references and fixtures:
tests/_report_fixtures.py."""
from __future__ import annotations

import io
import subprocess

import numpy as np
import openpyxl
import pytest
from PIL import Image

from _report_fixtures import FSC, MHC, PERMUTATIONS, RADIUS, SCENARIO_NAME, nearest_m, read_sheet
from _report_fixtures import after, ctx, data, population, scenario  # noqa: F401  (fixtures)
from reports import build_report, export_report


# --- maps -----------------------------------------------------------------------------------

def _colours(png: bytes) -> set[tuple]:
    return {c for _, c in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20)}


def _rgb(hex_colour: str) -> tuple:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_coverage_map_has_two_classes(data):
    from i18n.strings_report import LEGEND_COLOURS
    from reports.maps import report_maps
    maps = report_maps(data, "zh-TW")
    assert len(maps) == 2 * 2 + 1  # coverage and gaps per type, hotspots
    colours = _colours(maps[0]["png"])
    assert {_rgb(LEGEND_COLOURS["covered"]), _rgb(LEGEND_COLOURS["not_covered"])} <= colours
    assert not {_rgb(LEGEND_COLOURS[f"bin.{b}"]) for b in (3, -3)} & colours


# --- HTML / PDF ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    export_report(data, "html", out / "report.html")
    export_report(data, "pdf", out / "report.pdf")
    return out / "report.pdf"


def _run(*cmd) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def test_html_escapes_user_text(pdf):
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert "<b>心衛</b>" not in html and "&lt;b&gt;心衛&lt;/b&gt; &amp; 關新屋" in html
    assert "<script>" not in html
    assert html.count("data:image/png;base64,") == 5 + 2  # five maps, two access charts


def test_pdf_text_figures_and_cjk_font(pdf, ctx, after, population):
    text = _run("pdftotext", "-layout", str(pdf), "-")
    flat = " ".join(text.split())
    assert "桃園市社會安全網資源涵蓋分析報告" in flat
    assert f"{int(population.sum()):,}" in flat  # 2,355,106
    total = population.sum()
    for tid in (FSC, MHC):
        now = population[nearest_m(ctx.villages, after, tid) <= RADIUS[tid]].sum() / total
        base = population[nearest_m(ctx.villages, ctx.sites, tid) <= RADIUS[tid]].sum() / total
        assert f"{100 * now:.1f}%" in flat
        assert f"{100 * (now - base):+.1f} pp" in flat
    assert " ".join(SCENARIO_NAME.split()) in flat
    assert "NLSC" in flat and "直線距離" in flat  # vintages and the distance used
    assert f"排列 {PERMUTATIONS} 次" in flat  # the hotspot settings used
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    cjk = [f for f in fonts if "Noto" in f and "CJK" in f.replace("-", "")]
    assert cjk and all(f.split()[-5] == "yes" for f in cjk)  # the "emb" column


def test_pdf_pages_render_not_blank(pdf, tmp_path):
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines()
                     if line.startswith("Pages:")))
    _run("pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p"))
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == pages >= 6
    ink = [float((np.asarray(Image.open(p).convert("L")) < 200).mean()) for p in pngs]
    assert min(ink) > 0.002 and max(ink) > 0.10  # map pages are filled with colour


def test_english_report(data):
    from reports.html import render_html
    html = render_html(data, lang="en", maps=[], charts=[])
    assert "Taoyuan Social Safety Net: Service Coverage Report" in html
    assert "straight line in EPSG:3826" in html and "服務" not in html.replace("服務中心", "")
    wb = openpyxl.load_workbook(io.BytesIO(build_report(data, "xlsx", lang="en")))
    assert wb.sheetnames[0] == "City summary"
    villages = read_sheet(wb, "villages")
    code = villages.at[0, "VILLCODE"]
    assert villages.at[0, "village"] == data.villages.at[code, "village_en"]
    assert wb["City summary"]["A2"].value == "Service type id"


# --- map furniture ---------------------------------------------------------------------------

def test_no_cjk_font_fails_clearly(monkeypatch):
    from reports import cartography
    monkeypatch.setattr(cartography, "CJK_FAMILIES", ("No Such Font TC",))
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        cartography.cjk_font()


def test_scale_bar_is_round_and_drawn_in_map_metres():
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle
    from reports.cartography import add_north_arrow, add_scale_bar, nice_length
    assert [nice_length(s) for s in (55_000, 9_000, 420, 100_000)] == [10_000, 1_000, 50, 20_000]
    ax = Figure().add_subplot()
    ax.set_xlim(250_000, 310_000)  # 60 km of EPSG:3826 easting
    ax.set_ylim(2_730_000, 2_790_000)
    assert add_scale_bar(ax) == 10_000
    add_north_arrow(ax)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sum(p.get_width() for p in bars) == pytest.approx(10_000)
    assert [x.get_text() for x in ax.texts] == ["0", "10 km", "N"]
