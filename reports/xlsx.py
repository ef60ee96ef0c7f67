"""The Excel workbook (openpyxl): one sheet per table of :mod:`reports.tables`.

Layout of every sheet: row 1 holds the column ids (stable, language-independent: the
names of the analysis layer's result columns, as ``safetynet coverage --json`` prints
them), row 2 the column labels in the report's language (``col.<id>`` of the i18n
catalogue), data from row 3; rows 1-2 are frozen (``freeze_panes = "A3"``). Cells hold
the unrounded values; number formats do the display. NaN and infinite distances (no site
reachable) are empty cells. Each sheet's title is in the report's language and its VBA
code name (``ws.sheet_properties.codeName``) is its stable key:

=================== ==========================================================================
key                 rows (keyed by)
=================== ==========================================================================
city                one per type: type, radius_km | radius_min, demand_column, sites,
                    official_count, every ``CoverageResult.city`` KPI (demand_total,
                    demand_covered, demand_share, median_m, p90_m, districts_with_site, ...)
districts           per type the 13 districts (TOWNCODE) then the city row (TOWNCODE "all")
villages            per type every village (VILLCODE): demand, nearest_site, nearest_m,
                    covered, access, uncovered_demand, gap_rank, ...
gaps                per type the gap ranking (rank, VILLCODE, uncovered_demand, ...)
deserts             villages beyond every type's radius (two or more types)
access              per type threshold_km | threshold_min, share (, share_baseline)
hotspot_regions     region, n_villages, village_codes, village_names, district_names,
                    population, demand, unmet_demand, nearest_sites, nearest_site_names
hotspot_villages    VILLCODE, TOWNCODE, value, z, p, p_fdr, bin | quadrant, ...
hotspot_settings    setting, setting_label, setting_value (every setting used)
scenario            type, metric, metric_label, baseline, scenario, change
scenario_districts  type, TOWNCODE, share_before, share_after, share_change, sites_before, ...
scenario_villages   type, coverage_change (gained | lost), VILLCODE, population
scenario_edits      edit, kind, site_id, details
sites               site_id, type, ..., located_by, precision, location_note, counted, lon, lat
notes               type, note, level
quality             file, row, field, finding_value, expected, severity, code, layer
sources             item, item_label, detail
=================== ==========================================================================

Distances (``*_m``) are metres, travel times (``*_min``) minutes; shares are 0..1 with a
percent format.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from i18n import label, t
from reports import tables as T
from reports.data import ReportData
from reports.text import hotspot_note

__all__ = ["write_xlsx", "workbook_sheets", "sheet_by_key", "NUMBER_FORMATS"]

INT, ONE, PCT, CHANGE = "#,##0", "#,##0.0", "0.0%", "+0.0%;-0.0%;0.0%"
_COUNTS = ("sites", "official_count", "villages", "villages_missing_demand", "demand_total",
           "demand_covered", "demand_uncovered", "districts_with_site", "districts",
           "residents_per_site", "residents_per_capacity", "capacity_norm", "villages_off_graph",
           "demand_off_graph", "villages_unreachable", "population", "households", "children",
           "elderly", "demand", "sites_within", "uncovered_demand", "unmet_demand",
           "n_villages", "sites_before", "sites_after", "nearest_m", "median_m", "p90_m",
           "low_income_persons")
NUMBER_FORMATS: dict[str, str] = {
    **{c: INT for c in _COUNTS},
    **{f"{g}_{k}": INT for g in ("population", "children", "elderly") for k in ("total", "covered")},
    **{f"{g}_share": PCT for g in ("demand", "population", "children", "elderly", "district")},
    "villages_covered": ONE, "capacity": ONE, "capacity_needed": ONE, "capacity_shortfall": ONE,
    "share": PCT, "share_baseline": PCT, "need_share": PCT, "capacity_share": PCT,
    "share_before": PCT, "share_after": PCT, "supply_gap": CHANGE, "share_change": CHANGE,
    "covered": "0%", "access_raw": "0.000E+00", "access": "0.000", "capacity_per_10k": "0.00",
    "radius_km": "0.0#", "radius_min": "0.#", "threshold_km": "0.0#", "threshold_min": "0.#",
    "nearest_min": "0.0", "median_min": "0.0", "p90_min": "0.0", "road_min": "0.0",
    "road_m": INT, "snap_m": INT, "value": "#,##0.00", "G": "0.00", "Is": "0.00", "z": "0.00", "p": "0.0000",
    "p_sim": "0.0000", "p_norm": "0.0000", "p_fdr": "0.0000", "bin": "0", "rank": "0",
    "gap_rank": "0", "region": "0", "edit": "0", "row": "0", "lon": "0.000000",
    "lat": "0.000000",
}
METRIC_FORMATS = {"share": (PCT, CHANGE), "count": (INT, "+#,##0;-#,##0;0")}


def sheet_by_key(workbook, key: str):
    """The worksheet whose code name is ``key`` (see the module docstring), else KeyError."""
    for ws in workbook.worksheets:
        if ws.sheet_properties.codeName == key:
            return ws
    raise KeyError(f"no sheet with key {key!r}")


def _cell_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (list, tuple, set)):
        return ", ".join(map(str, v))
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(float(v)) else float(v)
    return v if isinstance(v, (int, str)) else str(v)


def _width(text) -> int:
    s = "" if text is None else str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _header(column: str, lang: str, labels: dict) -> str:
    return labels[column] if column in labels else label(column, lang)


def _write_sheet(wb, key: str, df: pd.DataFrame, lang: str, *, labels: dict | None = None, row_formats: list[str] | None = None,
                 note: str | None = None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    ws = wb.create_sheet(t(f"report.sheet.{key}", lang))
    ws.sheet_properties.codeName = key
    cols = [str(c) for c in df.columns]
    heads = [_header(c, lang, labels or {}) for c in cols]
    grey, bold, fill = Font(size=8, color="808080"), Font(bold=True), \
        PatternFill("solid", fgColor="DDE5F0")
    for j, (c, h) in enumerate(zip(cols, heads), 1):
        ws.cell(row=1, column=j, value=c).font = grey
        cell = ws.cell(row=2, column=j, value=h)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [max(_width(h), 8) for h in heads]
    formats = [NUMBER_FORMATS.get(c, "General") for c in cols]
    for i, rec in enumerate(df.itertuples(index=False, name=None), 3):
        for j, v in enumerate(rec):
            cell = ws.cell(row=i, column=j + 1, value=_cell_value(v))
            fmt = row_formats[i - 3] if row_formats and cols[j] in ("baseline", "scenario") \
                else formats[j]
            if row_formats and cols[j] == "change":
                fmt = CHANGE if row_formats[i - 3] == PCT else "+#,##0;-#,##0;0"
            cell.number_format = fmt
            if isinstance(v, str):
                widths[j] = max(widths[j], min(_width(v), 60))
    if note:
        ws.cell(row=len(df) + 4, column=1, value=note).font = Font(italic=True)
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = min(w + 2, 50)
    ws.freeze_panes = "A3"


def workbook_sheets(data: ReportData, lang: str) -> list[tuple[str, pd.DataFrame, dict]]:
    """(key, table, options) of every sheet in order; sheets without rows to show (no
    scenario, no hotspots, one type) are left out."""
    sheets = [("city", T.city_table(data, lang), {}),
              ("districts", T.district_table(data, lang), {}),
              ("villages", T.village_table(data, lang), {}),
              ("gaps", T.gap_table(data, lang), {})]
    if data.district_need is not None:
        sheets.append(("district_need", T.district_need_table(data, lang), {}))
    deserts, desert_labels = T.desert_table(data, lang)
    if data.deserts is not None:
        sheets.append(("deserts", deserts, {"labels": desert_labels}))
    sheets.append(("access", T.access_table(data, lang), {}))
    if data.hotspots is not None:
        sheets += [("hotspot_regions", T.region_table(data, lang),
                    {"note": hotspot_note(data.hotspots.meta, lang)}),
                   ("hotspot_villages", T.hotspot_village_table(data, lang), {}),
                   ("hotspot_settings", T.hotspot_settings_table(data, lang), {})]
    if data.scenario is not None:
        comp = T.comparison_table(data, lang)
        shares = comp["metric"].str.endswith("_share")
        sheets.append(("scenario", comp, {"row_formats": [PCT if s else INT for s in shares]}))
        if data.scenario.comparison is not None:
            sheets += [("scenario_districts", T.scenario_district_table(data, lang), {}),
                       ("scenario_villages", T.scenario_village_table(data, lang), {})]
        sheets.append(("scenario_edits", T.edits_table(data), {}))
    sheets += [("sites", T.site_table(data, lang), {}), ("notes", T.notes_table(data, lang), {}),
               ("quality", T.quality_table(data), {}),
               ("sources", T.sources_table(data, lang), {})]
    return sheets


def write_xlsx(data: ReportData, target, *, lang: str = "zh-TW") -> None:
    """Write the workbook to ``target`` (a path or a binary file object), in ``lang``."""
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    for key, df, options in workbook_sheets(data, lang):
        _write_sheet(wb, key, df, lang, **options)
    wb.save(target)
