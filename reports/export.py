"""A report as bytes (for download buttons) or as a file, written atomically
(:func:`common.files.atomic_write`: a failure leaves any previous file untouched) and never
over one of the report's input files."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

from common.files import atomic_write, refuse_overwriting_inputs
from reports.data import ReportData

__all__ = ["FORMATS", "build_report", "export_report"]

FORMATS = ("xlsx", "gpkg", "html", "pdf")


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")


def _writer(data: ReportData, fmt: str, lang: str):
    """A ``write(path)`` callable that creates the report file at ``path``."""
    from reports import gpkg, html, xlsx
    if fmt == "xlsx":
        return lambda p: xlsx.write_xlsx(data, p, lang=lang)
    if fmt == "gpkg":
        return lambda p: gpkg.write_gpkg(data, p)
    if fmt == "html":
        return lambda p: Path(p).write_text(html.render_html(data, lang=lang), encoding="utf-8")
    return lambda p: Path(p).write_bytes(html.pdf_bytes(html.render_html(data, lang=lang)))


def build_report(data: ReportData, fmt: str, *, lang: str = "zh-TW") -> bytes:
    """The report in ``fmt`` (xlsx | gpkg | html | pdf) and ``lang`` as bytes."""
    _check(fmt)
    if fmt == "xlsx":
        buf = io.BytesIO()
        from reports.xlsx import write_xlsx
        write_xlsx(data, buf, lang=lang)
        return buf.getvalue()
    with tempfile.TemporaryDirectory(prefix="safetynet-report-") as tmp:
        path = Path(tmp) / f"report.{fmt}"
        _writer(data, fmt, lang)(path)
        return path.read_bytes()


def export_report(data: ReportData, fmt: str, path: str | Path, *, lang: str = "zh-TW",
                  inputs: list = ()) -> Path:
    """Write the report in ``fmt`` to ``path`` atomically and return the resolved path.
    ``inputs``: the files the report was made from (ValueError when ``path`` is one)."""
    _check(fmt)
    refuse_overwriting_inputs(path, list(inputs))
    return atomic_write(path, _writer(data, fmt, lang))
