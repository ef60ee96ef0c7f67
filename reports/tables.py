"""The report's tables, shared by every format: one DataFrame per sheet, columns named as
the analysis layer names them (stable ids, documented in :mod:`reports.xlsx`), values
unrounded, rows keyed by VILLCODE / TOWNCODE / site_id. Only names are translated (type
names, district and village names in English, labels of ids); ids stay as they are.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.services import SERVICE_TYPES, completeness
from i18n import has, t, type_name
from reports.data import ReportData

__all__ = ["city_table", "district_table", "village_table", "gap_table", "access_table",
           "desert_table", "region_table", "hotspot_village_table", "hotspot_settings_table",
           "comparison_table", "scenario_district_table", "scenario_village_table",
           "edits_table", "site_table", "notes_table", "quality_table", "sources_table",
           "radius_text", "site_names", "location_text"]

SHORTS = ("district", "village")


def radius_text(radius: float, unit: str, lang: str) -> str:
    """A radius for people: "5 km" / "5 公里", or minutes for seconds."""
    if unit == "s":
        return f"{radius / 60:g} {t('report.minutes', lang)}"
    return f"{radius / 1000:g} {t('report.km', lang)}"


def site_names(data: ReportData) -> pd.Series:
    """site_id -> name over the analysed sites and a scenario's baseline sites."""
    frames = [data.sites] + ([data.scenario.baseline_sites] if data.scenario else [])
    parts = [pd.Series(f["name"].astype(str).to_numpy(), index=f["site_id"].astype(str))
             for f in frames if len(f)]
    out = pd.concat(parts) if parts else pd.Series(dtype=object)
    return out[~out.index.duplicated()]


def _english(df: pd.DataFrame, data: ReportData, lang: str) -> pd.DataFrame:
    """District / village names in English from the boundaries' romanised columns."""
    if lang != "en" or not len(df):
        return df
    df = df.copy()
    if "VILLCODE" in df and "village" in df:
        df["village"] = df["VILLCODE"].map(data.villages["village_en"]).fillna(df["village"])
    if "TOWNCODE" in df and "district" in df:
        df["district"] = df["TOWNCODE"].map(data.districts["district_en"]).fillna(df["district"])
    return df


def _typed(df: pd.DataFrame, type_id: str, lang: str) -> pd.DataFrame:
    df = df.copy()
    df.insert(0, "type_name", type_name(type_id, lang))
    df.insert(0, "type", type_id)
    return df


def _radius_columns(q) -> dict:
    return {"radius_min": q.radius / 60} if q.unit == "s" else {"radius_km": q.radius / 1000}


def city_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """One row per service type: radius, demand column, sites counted, the official count
    and every city KPI of the result (``CoverageResult.city``, as ``safetynet coverage
    --json`` prints it)."""
    rows = []
    for tid, r in data.results.items():
        city = dict(r.city)
        off = city.pop("districts_without_site", [])
        row = {"type": tid, "type_name": type_name(tid, lang), **_radius_columns(r.query),
               "demand_column": r.demand_column,
               "official_count": SERVICE_TYPES[tid].official_count, **city}
        row["districts_without_site"] = ", ".join(
            data.districts["district_en" if lang == "en" else "district"].reindex(off)
            .fillna(pd.Series(off, index=off)).astype(str))
        rows.append(row)
    return pd.DataFrame(rows)


def district_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Per type its 13 district rows (``CoverageResult.districts``) followed by the city row
    (TOWNCODE "all", pinned last)."""
    parts = []
    for tid, r in data.results.items():
        city = r.city_row.to_frame().T
        city.index = ["all"]
        d = pd.concat([r.districts, city]).rename_axis("TOWNCODE").reset_index()
        d = _english(d, data, lang)
        d.loc[d["TOWNCODE"] == "all", "district"] = t("report.city_total", lang)
        parts.append(_typed(d, tid, lang))
    return pd.concat(parts, ignore_index=True)


def district_need_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Per type the 13 districts' low-income persons (measured per district, never spread
    over villages), their share of the city, the type's sites, capacity and capacity
    share, and the gap (need share - capacity share), largest gap first."""
    if data.district_need is None:
        return pd.DataFrame()
    parts = []
    for tid, d in data.district_need.groupby("type", sort=False):
        d = d.drop(columns="type").rename(columns={"need": "low_income_persons",
                                                   "gap": "supply_gap",
                                                   "vintage": "indicator_vintage"})
        parts.append(_typed(_english(d, data, lang), tid, lang))
    return pd.concat(parts, ignore_index=True)


def village_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Per type every village (VILLCODE order) with the result's per-village columns and
    the nearest site's name."""
    names = site_names(data)
    parts = []
    for tid, r in data.results.items():
        v = r.villages.sort_index().reset_index()
        v.insert(v.columns.get_loc("nearest_site") + 1, "nearest_site_name",
                 v["nearest_site"].map(names))
        parts.append(_typed(_english(v, data, lang), tid, lang))
    return pd.concat(parts, ignore_index=True)


GAP_COLUMNS = ["rank", "VILLCODE", "TOWNCODE", "district", "village", "demand", "covered",
               "nearest_site", "nearest_site_name", "nearest_m", "nearest_min",
               "uncovered_demand"]


def gap_table(data: ReportData, lang: str = "zh-TW", n: int | None = None) -> pd.DataFrame:
    """Per type the gap ranking (``CoverageResult.gaps``, rank 1 = most demand not
    covered), all of it or its first ``n`` rows; ``nearest_min`` with road travel time."""
    names = site_names(data)
    parts = []
    for tid, r in data.results.items():
        g = (r.gaps if n is None else r.top_gaps(n)).reset_index()
        g["nearest_site_name"] = g["nearest_site"].map(names)
        cols = [c for c in GAP_COLUMNS if c in g]  # nearest_min with road travel time
        parts.append(_typed(_english(g[cols], data, lang), tid, lang))
    return pd.concat(parts, ignore_index=True)


def access_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Per type the access profile: threshold (km or minutes) and the share of demand
    whose nearest site is within it (``share``; ``share_baseline`` with a scenario)."""
    parts = []
    for tid, prof in data.access.items():
        p = prof.copy()
        unit = data.results[tid].query.unit
        col = "threshold_min" if unit == "s" else "threshold_km"
        p.insert(0, col, p.pop("threshold") / (60.0 if unit == "s" else 1000.0))
        parts.append(_typed(p, tid, lang))
    return pd.concat(parts, ignore_index=True)


def desert_table(data: ReportData, lang: str = "zh-TW") -> tuple[pd.DataFrame, dict]:
    """Service deserts (villages beyond every type's radius, most demand first) and the
    labels of their per-type distance columns (``nearest_m_<type>``)."""
    if data.deserts is None:
        return pd.DataFrame(), {}
    d = data.deserts.reset_index()
    renames, labels = {}, {}
    for tid in data.results:
        renames[f"{tid}_nearest_m"] = f"nearest_m_{tid}"
        key = "col.nearest_m"
        labels[f"nearest_m_{tid}"] = f"{type_name(tid, lang)}：{t(key, lang)}" if lang != "en" \
            else f"{type_name(tid, lang)}: {t(key, lang)}"
    return _english(d.rename(columns=renames), data, lang), labels


def _joined(values, mapping: pd.Series | None = None) -> str:
    items = [str(v) for v in values]
    if mapping is not None:
        items = [str(mapping.get(v, v)) for v in items]
    return ", ".join(items)


def region_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Hot (cold) regions as :func:`analysis.hotspots.analyse_hotspots` ranks them, lists
    joined with ", ": village_codes, village_names, district_names, nearest_sites,
    nearest_site_names."""
    cols = ["region", "n_villages", "village_codes", "village_names", "district_names",
            "population", "demand", "unmet_demand", "nearest_sites", "nearest_site_names"]
    if data.hotspots is None or not len(data.hotspots.regions):
        return pd.DataFrame(columns=cols)
    reg = data.hotspots.regions
    vnames = data.villages["village_en" if lang == "en" else "village"]
    dnames = pd.Series(data.districts["district_en"].to_numpy(),
                       index=data.districts["district"].to_numpy()) if lang == "en" else None
    names = site_names(data)
    out = pd.DataFrame({
        "region": reg["region"], "n_villages": reg["n_villages"],
        "village_codes": reg["villages"].map(_joined),
        "village_names": reg["villages"].map(lambda v: _joined(v, vnames)),
        "district_names": reg["districts"].map(lambda v: _joined(v, dnames)),
        "population": reg["population"], "demand": reg["demand"],
        "unmet_demand": reg["unmet_demand"],
        "nearest_sites": reg["nearest_sites"].map(_joined),
        "nearest_site_names": reg["nearest_sites"].map(lambda v: _joined(v, names))})
    return out[cols]


def hotspot_village_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Per village the hotspot statistic (value, z, p, p_fdr, bin or quadrant, ...)."""
    if data.hotspots is None:
        return pd.DataFrame()
    v = data.hotspots.villages.reset_index()
    v.insert(1, "TOWNCODE", v["VILLCODE"].map(data.villages["TOWNCODE"]))
    return _english(v, data, lang)


def hotspot_settings_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Every setting the hotspot analysis used (its ``meta``), one row each."""
    if data.hotspots is None:
        return pd.DataFrame(columns=["setting", "setting_label", "setting_value"])
    rows = []
    for key, value in data.hotspots.meta.items():
        if isinstance(value, (list, tuple, dict)):
            value = "; ".join(map(str, value.items() if isinstance(value, dict) else value))
        label = t(f"report.setting.{key}", lang) if has(f"report.setting.{key}") else key
        rows.append({"setting": key, "setting_label": label,
                     "setting_value": value if value is not None else ""})
    return pd.DataFrame(rows)


COMPARE_METRICS = ("sites", "population_covered", "population_share", "children_share",
                   "elderly_share", "districts_with_site", "demand_share", "median_m")


def _compare_values(data: ReportData, tid: str) -> dict:
    """metric -> (baseline, scenario) for one type."""
    part = data.scenario
    out = {"sites": (len(part.baseline[tid].sites), len(data.results[tid].sites))}
    cmp = part.comparison.types.get(tid) if part.comparison is not None else None
    if cmp is not None:
        tot = cmp.totals
        out["population_covered"] = (tot.at["population", "before"], tot.at["population", "after"])
        for g in ("population", "children", "elderly"):
            out[f"{g}_share"] = (tot.at[g, "share_before"], tot.at[g, "share_after"])
        out["districts_with_site"] = cmp.districts_with_site[:2]
    for key in ("demand_share", "median_m"):
        out[key] = (part.baseline[tid].city[key], data.results[tid].city[key])
    return out


def comparison_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Scenario vs baseline per (type, metric): baseline, scenario, change. Population
    shares and districts come from :func:`analysis.scenario.compare_scenario` (as the
    scenario page shows them), demand coverage and median distance from the two coverage
    results. Empty without a scenario."""
    cols = ["type", "type_name", "metric", "metric_label", "baseline", "scenario", "change"]
    if data.scenario is None:
        return pd.DataFrame(columns=cols)
    rows = []
    for tid in data.results:
        values = _compare_values(data, tid)
        for metric in COMPARE_METRICS:
            if metric not in values:
                continue
            b, s = (float(x) for x in values[metric])
            rows.append({"type": tid, "type_name": type_name(tid, lang), "metric": metric,
                         "metric_label": t(f"report.metric.{metric}", lang), "baseline": b,
                         "scenario": s, "change": s - b})
    return pd.DataFrame(rows, columns=cols)


def scenario_district_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Per (type, district) population coverage before / after and sites before / after
    (:class:`coverage.compare.TypeComparison`), the city row last."""
    if data.scenario is None or data.scenario.comparison is None:
        return pd.DataFrame()
    parts = []
    for tid, c in data.scenario.comparison.types.items():
        d = c.districts.rename(columns={"change": "share_change"})
        d = d.rename_axis("TOWNCODE").reset_index()
        d = _english(d, data, lang)
        d.loc[d["TOWNCODE"] == "all", "district"] = t("report.city_total", lang)
        parts.append(_typed(d, tid, lang))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def scenario_village_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Villages whose demand point enters (gained) or leaves (lost) every counted site's
    radius in the scenario, with their population."""
    cols = ["type", "type_name", "coverage_change", "coverage_change_label", "VILLCODE",
            "TOWNCODE", "district", "village", "population"]
    rows = []
    comp = data.scenario.comparison if data.scenario is not None else None
    for tid, c in (comp.types.items() if comp is not None else ()):
        for kind, codes in (("gained", c.gained), ("lost", c.lost)):
            for code in codes:
                v = data.villages.loc[code]
                rows.append({"type": tid, "type_name": type_name(tid, lang),
                             "coverage_change": kind,
                             "coverage_change_label": t(f"report.change.{kind}", lang),
                             "VILLCODE": code, "TOWNCODE": v["TOWNCODE"],
                             "district": v["district"], "village": v["village"],
                             "population": v["population"]})
    return _english(pd.DataFrame(rows, columns=cols), data, lang)


def edits_table(data: ReportData) -> pd.DataFrame:
    """The scenario's edits: edit, kind, site_id and the fields that are set, as text."""
    if data.scenario is None or not len(data.scenario.edits):
        return pd.DataFrame(columns=["edit", "kind", "site_id", "details"])
    e = data.scenario.edits
    skip = {"edit", "kind", "site_id"}

    def details(row) -> str:
        return "; ".join(f"{k}={v}" for k, v in row.items() if k not in skip and v is not None
                         and not (isinstance(v, float) and np.isnan(v)))
    return pd.DataFrame({"edit": e["edit"], "kind": e["kind"], "site_id": e["site_id"],
                         "details": [details(r) for r in e.to_dict("records")]})


def location_text(located_by: object, precision: object, lang: str) -> str:
    """How a site was located and its precision, in words."""
    lb = "" if pd.isna(located_by) else str(located_by)
    pr = "" if pd.isna(precision) else str(precision)
    how = t(f"report.located_by.{lb}", lang) if has(f"report.located_by.{lb}") else lb
    prec = t(f"report.precision.{pr}", lang) if has(f"report.precision.{pr}") else pr
    return f"{how}；{prec}" if lang != "en" else f"{how}; {prec}"


def site_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """The analysed site table: every column it has (located_by / precision when present,
    with ``location_note`` in words: empty for a located site that does not say how, e.g.
    a scenario's new site), ``counted`` (counted for a reported type), lon/lat (EPSG:4326,
    NaN when not located)."""
    s = data.sites
    counted = set().union(*(set(r.sites["site_id"].astype(str)) for r in data.results.values()))
    out = pd.DataFrame(s.drop(columns="geometry")).reset_index(drop=True)
    out.insert(2, "type_name", [type_name(x, lang) if x in SERVICE_TYPES else x
                                for x in out["type"]])
    located = ~(s.geometry.isna() | s.geometry.is_empty).to_numpy()
    if "located_by" in out and "precision" in out:
        blank = out["located_by"].fillna("").astype(str).eq("").to_numpy()
        out["location_note"] = ["" if b and ok else location_text(a, p, lang) for a, p, b, ok
                                in zip(out["located_by"], out["precision"], blank, located)]
    out["counted"] = out["site_id"].astype(str).isin(counted)
    out["lon"] = s.geometry.x.where(located).to_numpy() if len(s) else []
    out["lat"] = s.geometry.y.where(located).to_numpy() if len(s) else []
    return out


def notes_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """The notes of every analysis (type, note text in ``lang``, level)."""
    rows = [{"type": tid or "", "type_name": type_name(tid, lang) if tid else "",
             "note": n.text(lang), "level": n.level} for tid, n in data.notes]
    return pd.DataFrame(rows, columns=["type", "type_name", "note", "level"])


def quality_table(data: ReportData) -> pd.DataFrame:
    """Data-quality findings (geo.quality.Finding rows; value as text)."""
    q = data.findings.copy()
    q["value"] = q["value"].map(lambda v: None if v is None else str(v))
    return q.rename(columns={"value": "finding_value"})


def sources_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Data sources: every vintage of the context, the distance used and the road source,
    the scenario's layer versions, and per reported type the completeness and how its
    sites were located."""
    from reports.text import provenance_rows
    return pd.DataFrame(provenance_rows(data, lang, completeness(data.sites)),
                        columns=["item", "item_label", "detail"])
