"""The report's sentences, built from its data with the i18n catalogue: the distance used,
the hotspot settings and method note, indicator names, the method notes and the provenance
rows of the data-sources sheet and the cover page. No number is computed here.
"""
from __future__ import annotations

import pandas as pd

from i18n import has, label, t, type_name
from i18n.hotspot_notes import INDICATOR_LABELS, hotspot_method_note
from reports.data import ReportData

__all__ = ["distance_text", "hotspot_note", "indicator_label", "hotspot_settings_text",
           "hotspot_unmet_text", "vintage_rows", "provenance_rows", "method_lines",
           "settings_lines"]


def distance_text(data: ReportData, lang: str) -> str:
    """Which distance the report uses, with the road source and what it covers."""
    mode = data.settings.get("mode", "straight")
    key = "report.mode.straight" if mode == "straight" else \
        f"report.mode.network.{data.settings.get('weight', 'length')}"
    text = t(key, lang)
    if mode == "network" and data.road is not None:
        text += "；" if lang != "en" else "; "
        text += road_text(data, lang)
    return text


def road_text(data: ReportData, lang: str) -> str:
    """The road source's label, vintage and (partial graphs) what it covers."""
    road = data.road
    vintage = f" ({road.vintage})" if road.vintage and road.vintage not in road.label else ""
    text = t("report.road_source", lang, label=road.label, vintage=vintage)
    if road.partial:
        text += t("report.road_partial", lang, covers=road.covers)
    return text


def hotspot_note(meta: dict, lang: str) -> str:
    """The hotspot method note of ``meta`` (:func:`i18n.hotspot_notes.hotspot_method_note`,
    the same text the app and ``safetynet hotspots`` print)."""
    return hotspot_method_note(meta, lang)


def indicator_label(name: str, lang: str) -> str:
    """Display name of a hotspot indicator (:data:`i18n.hotspot_notes.INDICATOR_LABELS`;
    ``per_1000:COLUMN`` names its column)."""
    base, _, column = name.partition(":")
    pair = INDICATOR_LABELS.get(base, (base, base))
    text = pair[1] if lang == "en" else pair[0]
    return f"{label(column, lang)} {text}" if column else text


def hotspot_settings_text(data: ReportData, lang: str) -> str:
    """One line naming the hotspot indicator and every setting used."""
    m = data.hotspots.meta
    weights = t("report.weights.queen", lang) if m["weights"] == "queen" else \
        t("report.weights.distance", lang, km=f"{(m.get('threshold_m') or 0) / 1000:g}")
    return t("report.hotspot_settings", lang, indicator=indicator_label(m["indicator"], lang),
             method=t(f"report.method.{m['method']}", lang), weights=weights,
             permutations=f"{m['permutations']:,}", seed=m["seed"], alpha=f"{m['alpha']:g}",
             fdr=t("report.yes" if m["fdr"] else "report.no", lang),
             side=t(f"report.side.{m['side']}", lang), min_bin=m["min_bin"])


def hotspot_unmet_text(data: ReportData, lang: str) -> str | None:
    """Which coverage question the regions' unmet demand belongs to, or None."""
    cov = data.hotspots.coverage if data.hotspots is not None else None
    if cov is None:
        return None
    from reports.tables import radius_text
    q = cov.query
    return t("report.hotspot_unmet", lang, type=type_name(q.type_id, lang),
             radius=radius_text(q.radius, q.unit, lang), n=len(cov.sites))


def _vintage_label(key: str, lang: str) -> str:
    if has(f"report.source.{key}"):
        return t(f"report.source.{key}", lang)
    from geo.services import SERVICE_TYPES
    return type_name(key, lang) if key in SERVICE_TYPES else key


def vintage_rows(data: ReportData, lang: str) -> list[tuple[str, str, str]]:
    """(item id, label, text): every vintage the context knows, the distance used, and
    the scenario's boundary vintage and site-layer versions."""
    rows = [(f"vintage.{k}", _vintage_label(k, lang), str(v)) for k, v in data.vintages.items()]
    rows.append(("distance", t("report.source.distance", lang), distance_text(data, lang)))
    if data.scenario is not None:
        meta = data.scenario.meta
        if meta.get("boundary_vintage"):
            rows.append(("scenario.boundary_vintage", t("report.scenario", lang),
                         t("report.boundary_vintage", lang, vintage=meta["boundary_vintage"])))
        for layer, version in (meta.get("layer_versions") or {}).items():
            rows.append((f"layer_version.{layer}",
                         t("report.source.layer_version", lang, layer=layer),
                         t("report.layer_version", lang, layer=layer, version=version)))
    return rows


def _precision_text(sites: pd.DataFrame, type_id: str, lang: str) -> str | None:
    from reports.tables import location_text
    mine = sites[sites["type"] == type_id]
    if not len(mine) or "located_by" not in mine or "precision" not in mine:
        return None
    pairs = mine[["located_by", "precision"]].fillna("").astype(str).value_counts(sort=False)
    return "; ".join(f"{location_text(lb, pr, lang)} {n}" for (lb, pr), n in pairs.items())


def provenance_rows(data: ReportData, lang: str, completeness: pd.DataFrame) -> list[dict]:
    """Rows (item, item_label, detail) of the data-sources sheet: :func:`vintage_rows`,
    the defaults file, the report date, and per reported type the completeness of its
    layer against the official count and how its sites were located."""
    rows = [{"item": i, "item_label": lab, "detail": text}
            for i, lab, text in vintage_rows(data, lang)]
    if data.config is not None:
        rows.append({"item": "config", "item_label": t("report.source.config", lang),
                     "detail": f"analysis/{data.config.path.name}"})
    rows.append({"item": "created", "item_label": t("report.source.created", lang),
                 "detail": data.created})
    for tid in data.results:
        name = type_name(tid, lang)
        if tid in completeness.index:
            c = completeness.loc[tid]
            rows.append({"item": f"completeness.{tid}",
                         "item_label": t("report.source.completeness", lang, type=name),
                         "detail": t("report.source.completeness_text", lang,
                                     located=c["located"], listed=c["listed"],
                                     official=c["official_count"], note=c["official_note"])})
        how = _precision_text(data.sites, tid, lang)
        if how:
            rows.append({"item": f"precision.{tid}",
                         "item_label": t("report.source.precision", lang, type=name),
                         "detail": how})
    return rows


def settings_lines(data: ReportData, lang: str) -> list[str]:
    """The question's options in words (distance, demand, planned sites, decay)."""
    s = data.settings
    lines = [distance_text(data, lang)]
    if s.get("area_weighted"):
        lines.append(t("report.area_weighted", lang))
    if s.get("demand"):
        lines.append(t("report.demand_of", lang, demand=label(s["demand"], lang)))
    lines.append(t("report.planned_counted" if s.get("include_planned") else "report.open_only",
                   lang))
    if s.get("decay") not in (None, "default"):
        lines.append(t("report.decay", lang, decay=s["decay"]))
    return lines


def method_lines(data: ReportData, lang: str) -> list[str]:
    """The method notes: population, distance, radii, target populations, 2SFCA,
    percentiles, completeness and the hotspot method."""
    s = data.settings
    lines = [t("report.method.population", lang)]
    if s.get("area_weighted"):
        lines.append(t("report.method.area_weighted", lang))
    if s.get("mode") == "network":
        road = road_text(data, lang) if data.road is not None else ""
        lines.append(t("report.method.network", lang, road=road, snap=s["max_snap_m"]))
    else:
        lines.append(t("report.method.straight", lang))
    lines.append(t("report.method.radii", lang))
    if data.config is not None:
        for tid, r in data.results.items():
            d = data.config.type(tid)
            lines.append(t("report.method.target", lang, type=type_name(tid, lang),
                           target=label(r.demand_column, lang), rationale=d.target_rationale))
    lines += [t("report.method.2sfca", lang), t("report.method.percentiles", lang),
              t("report.method.completeness", lang)]
    if data.hotspots is not None:
        lines.append(t("report.method.hotspots", lang,
                       note=hotspot_note(data.hotspots.meta, lang)))
    return lines
