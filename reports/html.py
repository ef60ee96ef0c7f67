"""The printable report: one self-contained HTML page (Jinja2, every user text escaped,
maps and charts as PNG data URIs) in one language, and its PDF (WeasyPrint, Noto Sans CJK
TC embedded)."""
from __future__ import annotations

import base64
from pathlib import Path

from i18n import LANGS
from reports.data import ReportData

__all__ = ["render_html", "pdf_bytes", "TEMPLATES_DIR"]

TEMPLATES_DIR = Path(__file__).with_name("templates")


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _env():
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined)
    env.filters["data_uri"] = _data_uri
    return env


def render_html(data: ReportData, *, lang: str = "zh-TW", maps: list[dict] | None = None,
                charts: list[dict] | None = None) -> str:
    """The report as HTML in ``lang`` ("zh-TW" or "en"). ``maps`` / ``charts``: the
    images to embed ([{"title", "png"}]); default :func:`reports.maps.report_maps` and
    :func:`reports.charts.access_charts`."""
    if lang not in LANGS:
        raise ValueError(f"lang: expected one of {', '.join(LANGS)}, got {lang!r}")
    from reports.html_context import template_context
    if maps is None:
        from reports.maps import report_maps
        maps = report_maps(data, lang)
    if charts is None:
        from reports.charts import access_charts
        charts = access_charts(data, lang)
    context = template_context(data, lang, maps, charts)
    return _env().get_template("report.html.j2").render(**context)


def pdf_bytes(html: str) -> bytes:
    """Render the report's HTML to PDF with WeasyPrint (fonts via fontconfig)."""
    from reports.cartography import cjk_font
    cjk_font()  # fail early with install advice rather than print empty boxes
    import weasyprint
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
