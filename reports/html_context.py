"""What the printable report's template shows, as display-ready rows: every number
formatted once here (thousands separators, one-decimal percentages, km or minutes), every
word from the i18n catalogue. The template (reports/templates/report.html.j2) only lays
the rows out; Jinja2 escapes all of it.
"""
from __future__ import annotations

import math

import pandas as pd

from geo.services import SERVICE_TYPES
from i18n import label, t, type_name
from reports import tables as T
from reports.data import ReportData
from reports import text as X

__all__ = ["template_context", "fmt_int", "fmt_pct", "fmt_km", "fmt_min", "fmt_change",
           "TOP_N"]

TOP_N = 20  # villages listed per type in the gap and desert tables
LISTED_CHANGES = 40  # villages gained / lost listed in the printed report


def _bad(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and not math.isfinite(v))


def fmt_int(v) -> str:
    """1234567.4 -> "1,234,567"; NaN / inf -> "—"."""
    return "—" if _bad(v) else f"{float(v):,.0f}"


def fmt_pct(v) -> str:
    """0.8926 -> "89.3%"; NaN -> "—"."""
    return "—" if _bad(v) else f"{100 * float(v):.1f}%"


def fmt_km(metres) -> str:
    """A distance in metres as "2.34 km"; inf (unreachable) / NaN -> "—"."""
    return "—" if _bad(metres) else f"{float(metres) / 1000:,.2f} km"


def fmt_min(minutes) -> str:
    """A travel time in minutes as "12.5 min"; inf / NaN -> "—"."""
    return "—" if _bad(minutes) else f"{float(minutes):,.1f} min"


def _cost(row, unit: str, prefix: str) -> str:
    """``<prefix>_min`` in minutes with road travel time, else ``<prefix>_m`` in km."""
    return fmt_min(row.get(f"{prefix}_min")) if unit == "s" else fmt_km(row.get(f"{prefix}_m"))


def fmt_change(v, kind: str) -> str:
    """A scenario change: "+1.2 pp" for shares, "+3" for counts, "+0.25 km" for metres."""
    if _bad(v):
        return "—"
    if kind == "share":
        return f"{100 * float(v):+.1f} pp"
    if kind == "m":
        return f"{float(v) / 1000:+,.2f} km"
    return f"{float(v):+,.0f}"


def _kpi_rows(data: ReportData, lang: str) -> list[dict]:
    rows = []
    for tid, r in data.results.items():
        c, u = r.city, r.query.unit
        rows.append({"type": type_name(tid, lang),
                     "radius": T.radius_text(r.query.radius, u, lang),
                     "sites": f"{len(r.sites)} / {SERVICE_TYPES[tid].official_count}",
                     "demand": label(r.demand_column, lang),
                     "demand_total": fmt_int(c["demand_total"]),
                     "demand_covered": fmt_int(c["demand_covered"]),
                     "demand_share": fmt_pct(c["demand_share"]),
                     "population_share": fmt_pct(c.get("population_share")),
                     "median": _cost(c, u, "median"), "p90": _cost(c, u, "p90"),
                     "districts": f"{c['districts_with_site']} / {c['districts']}"})
    return rows


def _district_blocks(data: ReportData, lang: str) -> list[dict]:
    table = T.district_table(data, lang)
    blocks = []
    for tid, r in data.results.items():
        u = r.query.unit
        rows = [{"district": d["district"], "demand": fmt_int(d["demand_total"]),
                 "covered": fmt_int(d["demand_covered"]), "share": fmt_pct(d["demand_share"]),
                 "median": fmt_km(d["median_m"]), "p90": fmt_km(d["p90_m"]),
                 "sites": fmt_int(d["sites"]), "supply_gap": fmt_change(d["supply_gap"], "share"),
                 "city": d["TOWNCODE"] == "all"}
                for d in table[table["type"] == tid].to_dict("records")]
        blocks.append({"type": type_name(tid, lang), "rows": rows,
                       "radius": T.radius_text(r.query.radius, u, lang)})
    return blocks


def _gap_blocks(data: ReportData, lang: str) -> list[dict]:
    table = T.gap_table(data, lang, n=TOP_N)
    blocks = []
    for tid, r in data.results.items():
        u = r.query.unit
        rows = [{"rank": g["rank"], "district": g["district"], "village": g["village"],
                 "demand": fmt_int(g["demand"]), "covered": fmt_pct(g["covered"]),
                 "nearest": g["nearest_site_name"] if isinstance(g["nearest_site_name"], str)
                 else "—", "cost": _cost(g, u, "nearest"),
                 "uncovered": fmt_int(g["uncovered_demand"])}
                for g in table[table["type"] == tid].to_dict("records")]
        blocks.append({"type": type_name(tid, lang), "rows": rows})
    return blocks


def _desert_rows(data: ReportData, lang: str) -> list[dict] | None:
    if data.deserts is None:
        return None
    table, _ = T.desert_table(data, lang)
    return [{"district": d["district"], "village": d["village"], "demand": fmt_int(d["demand"]),
             "costs": " / ".join(fmt_km(d[f"nearest_m_{tid}"]) for tid in data.results)}
            for d in table.head(TOP_N).to_dict("records")]


def _hotspot_part(data: ReportData, lang: str) -> dict | None:
    if data.hotspots is None:
        return None
    regions = T.region_table(data, lang)
    rows = [{"region": g["region"], "n": g["n_villages"], "districts": g["district_names"],
             "villages": g["village_names"], "population": fmt_int(g["population"]),
             "demand": fmt_int(g["demand"]), "unmet": fmt_int(g["unmet_demand"]),
             "sites": g["nearest_site_names"]} for g in regions.to_dict("records")]
    return {"settings": X.hotspot_settings_text(data, lang), "rows": rows,
            "unmet": X.hotspot_unmet_text(data, lang),
            "note": X.hotspot_note(data.hotspots.meta, lang)}


def _scenario_part(data: ReportData, lang: str) -> dict | None:
    part = data.scenario
    if part is None:
        return None
    comp = T.comparison_table(data, lang)
    kinds = {m: ("share" if m.endswith("_share") else "m" if m == "median_m" else "count")
             for m in comp["metric"].unique()}

    def show(v, kind):
        return fmt_pct(v) if kind == "share" else fmt_km(v) if kind == "m" else fmt_int(v)
    rows = [{"type": r["type_name"], "metric": r["metric_label"],
             "baseline": show(r["baseline"], kinds[r["metric"]]),
             "scenario": show(r["scenario"], kinds[r["metric"]]),
             "change": fmt_change(r["change"], kinds[r["metric"]])}
            for r in comp.to_dict("records")]
    changes = T.scenario_village_table(data, lang)
    changes["population"] = changes["population"].map(fmt_int)
    return {"name": part.name, "n_edits": len(part.edits), "rows": rows,
            "changes": changes.head(LISTED_CHANGES).to_dict("records"),
            "more_changes": len(changes) > LISTED_CHANGES, "compared": part.comparison is not None,
            "edits": T.edits_table(data).to_dict("records")}


def _site_part(data: ReportData, lang: str) -> dict:
    sites = T.site_table(data, lang)
    lines = [t("report.sites_summary", lang, type=type_name(tid, lang),
               n=int((sites["type"] == tid).sum()), counted=len(r.sites))
             for tid, r in data.results.items()]
    inexact = []
    if "precision" in sites:
        mine = sites[sites["type"].isin(list(data.results))]
        shown = mine["location_note"].astype(bool) & (mine["precision"].fillna("") != "exact")
        inexact = mine[shown].to_dict("records")
    return {"lines": lines, "inexact": inexact, "has_precision": "precision" in sites}


def _cover(data: ReportData, lang: str) -> dict:
    meta = data.scenario.meta if data.scenario is not None else {}
    return {"scenario": data.scenario.name if data.scenario is not None else
            t("report.baseline_only", lang), "meta": meta,
            "vintages": [(lab, text) for _, lab, text in X.vintage_rows(data, lang)],
            "types": [(type_name(tid, lang), T.radius_text(r.query.radius, r.query.unit, lang))
                      for tid, r in data.results.items()],
            "settings": X.settings_lines(data, lang)}


def template_context(data: ReportData, lang: str, maps: list[dict], charts: list[dict]) -> dict:
    """Everything the template renders, for ``lang``."""
    counts = data.findings["severity"].value_counts()
    return {
        "lang": lang, "tr": lambda key, **kw: t(key, lang, **kw), "created": data.created,
        "unit": data.unit, "colon": t("report.colon", lang),
        "cover": _cover(data, lang), "kpi": _kpi_rows(data, lang),
        "kpi_note": t("report.kpi_note", lang, distance=X.distance_text(data, lang)),
        "notes": list(dict.fromkeys(n.text(lang) for _, n in data.notes)),
        "maps": maps, "charts": charts, "districts": _district_blocks(data, lang),
        "gaps": _gap_blocks(data, lang), "top_n": TOP_N, "deserts": _desert_rows(data, lang),
        "desert_types": " / ".join(type_name(tid, lang) for tid in data.results),
        "hotspots": _hotspot_part(data, lang), "scenario": _scenario_part(data, lang),
        "sites": _site_part(data, lang), "method": X.method_lines(data, lang),
        "findings": t("report.findings", lang, error=int(counts.get("error", 0)),
                      warning=int(counts.get("warning", 0)), info=int(counts.get("info", 0)),
                      sheet=t("report.sheet.quality", lang)),
        "sources": [(r["item_label"], r["detail"]) for r in
                    T.sources_table(data, lang).to_dict("records")],
    }
