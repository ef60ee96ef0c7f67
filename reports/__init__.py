"""Reports: what the analysis layer computed, laid out for meetings (Excel, HTML, PDF) and
for QGIS (GeoPackage), in one language (zh-TW or English) per report.

A report is built only from analysis results (:func:`reports.data.build_report_data`), so
its numbers are the ones ``safetynet coverage --json``, ``safetynet hotspots --json`` and
the app show for the same question. Writers: :mod:`reports.xlsx` (sheets and their stable
column ids), :mod:`reports.gpkg` (layers), :mod:`reports.html` (HTML and PDF), with the
static maps of :mod:`reports.maps` and the access chart of :mod:`reports.charts`; every
text comes from the i18n catalogue (:mod:`i18n.strings_report`). Files are written with
:func:`reports.export.export_report` (atomic, never over an input).
"""
from reports.data import ReportData, ScenarioPart, build_report_data, default_types
from reports.export import FORMATS, build_report, export_report

__all__ = ["FORMATS", "ReportData", "ScenarioPart", "build_report", "build_report_data",
           "default_types", "export_report"]
