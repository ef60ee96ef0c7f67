"""Coverage reports for meetings and GIS: Excel workbook, GeoPackage, HTML and PDF.

Everything is driven by one plain :class:`ReportData` (DataFrames / GeoDataFrames of the
coverage engine's results); :func:`build_report_data` fills it by calling the engine
(:func:`coverage.engine.build_state`, :mod:`coverage.metrics`, :mod:`coverage.hotspots`),
never re-computing what they compute. Writers:

* :func:`write_xlsx` — openpyxl workbook. Headers are TWO rows: zh-TW (row 1) above English
  (row 2); data start in row 3; both header rows are frozen (``freeze_panes = "A3"``). Cells
  hold the engine's unrounded values; number formats do the display (thousands separators,
  percentages with one decimal, metres without decimals). Infinite distances (no site
  reachable) and NaN are empty cells.
* :func:`write_gpkg` — GeoPackage (pyogrio, EPSG:4326) with English ASCII layer names:
  ``villages`` (504 polygons) and ``districts`` (13) carrying every result column as
  ``<type_id>_<column>``, ``sites``, and with a scenario ``baseline_sites`` and
  ``scenario_edits``; ``hotspot_regions`` when hotspots were computed; ``city_summary``
  (attribute table). Infinite distances are NULL.
* :func:`render_html` / :func:`write_pdf` — printable report (Jinja2 template in
  ``coverage/templates``, user text escaped), zh-TW or English; PDF by WeasyPrint with the
  Noto Sans CJK TC font embedded.

:func:`build_report` returns the bytes of any format (for download buttons);
:func:`export_report` writes a file atomically (temp file in the target directory, then
``os.replace``: a failure leaves any previous file untouched).
"""
from __future__ import annotations

import base64
import io
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import MAP_CRS
from geo.paths import BOUNDARIES_DIR
from geo.quality import findings_frame
from geo.services import SERVICE_TYPES, completeness

FORMATS = ("xlsx", "gpkg", "html", "pdf")
LANGS = ("zh-TW", "en")
DEMAND_COLUMNS = ["population", "age_0_14", "age_65_plus"]  # total, children, elderly
TEMPLATES_DIR = Path(__file__).with_name("templates")

INT, PCT, METRE, KM, DEC3, DEC6, TEXT = "#,##0", "0.0%", "#,##0", "0.0", "0.000", "0.000000", "@"

# column -> (zh-TW header, English header, Excel number format)
COLUMNS: dict[str, tuple[str, str, str]] = {
    "type": ("服務類型代碼", "service type id", TEXT),
    "type_name": ("服務類型", "service type", TEXT),
    "sites": ("納入據點數", "sites counted", INT),
    "official_count": ("官方據點數", "official count", INT),
    "radius_km": ("服務半徑（公里）", "radius (km)", KM),
    "villages": ("里數", "villages", INT),
    "villages_covered": ("涵蓋里數", "villages covered", "#,##0.0"),
    "population_total": ("人口數", "population", INT),
    "population_covered": ("涵蓋人口", "population covered", INT),
    "population_share": ("人口涵蓋率", "population coverage", PCT),
    "age_0_14_total": ("兒少人口（0–14 歲）", "children 0-14", INT),
    "age_0_14_covered": ("涵蓋兒少人口", "children covered", INT),
    "age_0_14_share": ("兒少涵蓋率", "children coverage", PCT),
    "age_65_plus_total": ("高齡人口（65 歲以上）", "elderly 65+", INT),
    "age_65_plus_covered": ("涵蓋高齡人口", "elderly covered", INT),
    "age_65_plus_share": ("高齡涵蓋率", "elderly coverage", PCT),
    "median_m": ("最近據點距離中位數（公尺，人口加權）", "median distance to nearest site (m, population-weighted)", METRE),
    "p90_m": ("最近據點距離第 90 百分位（公尺）", "90th percentile distance (m)", METRE),
    "districts_with_site": ("設有據點之行政區數", "districts with a site", INT),
    "districts_total": ("行政區數", "districts", INT),
    "TOWNCODE": ("行政區代碼", "district code", TEXT),
    "district": ("行政區", "district", TEXT),
    "district_en": ("行政區（英）", "district (English)", TEXT),
    "VILLCODE": ("村里代碼", "village code", TEXT),
    "village": ("村里", "village", TEXT),
    "village_en": ("村里（英）", "village (English)", TEXT),
    "population": ("人口數", "population", INT),
    "households": ("戶數", "households", INT),
    "age_0_14": ("兒少人口（0–14 歲）", "children 0-14", INT),
    "age_15_64": ("15–64 歲人口", "age 15-64", INT),
    "age_65_plus": ("高齡人口（65 歲以上）", "elderly 65+", INT),
    "nearest_site": ("最近據點", "nearest site", TEXT),
    "nearest_m": ("最近據點距離（公尺）", "distance to nearest site (m)", METRE),
    "sites_within": ("半徑內據點數", "sites within radius", INT),
    "covered": ("涵蓋（1 = 是；面積加權時為比例）", "covered (1 = yes; area share when area-weighted)", "0%"),
    "access_raw": ("2SFCA 可及性（每人服務量）", "2SFCA access (supply per resident)", "0.000E+00"),
    "access": ("2SFCA 可及性指數（全市平均 = 1）", "2SFCA access index (city mean = 1)", DEC3),
    "demand": ("需求人口", "demand", INT),
    "uncovered_demand": ("未涵蓋需求", "demand not covered", INT),
    "gap_rank": ("缺口排名", "gap rank", "0"),
    "demand_total": ("需求人口", "demand", INT), "demand_covered": ("涵蓋需求", "demand covered", INT),
    "demand_uncovered": ("未涵蓋需求", "demand not covered", INT),
    "demand_share": ("需求涵蓋率", "demand coverage", PCT),
    "villages_missing_demand": ("缺人口資料之里", "villages without demand", INT),
    "district_share": ("設有據點之行政區比例", "share of districts with a site", PCT),
    "residents_per_site": ("每據點需求人口", "demand per site", INT),
    "capacity": ("服務量能（量能未知之據點計 1）", "capacity (unknown = 1 per site)", "#,##0.0"),
    "residents_per_capacity": ("每單位量能需求人口", "demand per capacity unit", INT),
    "capacity_norm": ("量能標準（每單位人口）", "norm (residents per unit)", INT),
    "capacity_needed": ("依標準所需量能", "capacity needed at the norm", "#,##0.0"),
    "capacity_shortfall": ("量能缺口", "capacity shortfall", "#,##0.0"),
    "rank": ("排名", "rank", INT),
    "metric": ("指標", "indicator", TEXT),
    "baseline": ("現況", "baseline", "General"),
    "scenario": ("情境", "scenario", "General"),
    "change": ("變化", "change", "General"),
    "region": ("熱區編號", "region", INT),
    "n_villages": ("里數", "villages", INT),
    "districts": ("行政區", "districts", TEXT),
    "unmet_demand": ("未涵蓋需求", "unmet demand", INT),
    "nearest_sites": ("最近據點", "nearest sites", TEXT),
    "value": ("指標值", "indicator value", "#,##0.0"),
    "village_codes": ("村里代碼", "village codes", TEXT),
    "finding_value": ("內容", "value", TEXT),
    "share_before": ("現況人口涵蓋率", "coverage, baseline", PCT),
    "share_after": ("情境人口涵蓋率", "coverage, scenario", PCT),
    "share_change": ("涵蓋率變化", "coverage change", "+0.0%;-0.0%;0.0%"),
    "sites_before": ("現況據點數", "sites, baseline", INT),
    "sites_after": ("情境據點數", "sites, scenario", INT),
    "coverage_change": ("涵蓋變化", "coverage change", TEXT),
    "covered_baseline": ("現況涵蓋", "covered, baseline", "0%"),
    "need_share": ("需求占全市比例", "share of the city's demand", PCT),
    "capacity_share": ("服務量能占全市比例", "share of the city's capacity", PCT),
    "supply_gap": ("供需落差（需求比例 − 量能比例）", "need share - capacity share", "+0.0%;-0.0%;0.0%"),
    "capacity_per_10k": ("每萬人服務量能", "capacity per 10,000 demand", "0.00"),
    "z": ("Gi* z 值", "Gi* z-score", "0.00"),
    "p": ("p 值（雙尾）", "p (two-sided)", DEC3),
    "p_fdr": ("FDR 校正 p 值", "FDR-adjusted p", DEC3),
    "bin": ("熱區等級（±3/±2/±1）", "Gi bin (+-3/2/1)", "0"),
    "file": ("檔案", "file", TEXT), "row": ("列", "row", "0"), "field": ("欄位", "field", TEXT),
    "expected": ("預期", "expected", TEXT), "severity": ("嚴重度", "severity", TEXT),
    "code": ("代碼", "code", TEXT), "layer": ("圖層", "layer", TEXT),
    "item": ("項目", "item", TEXT), "source": ("來源與版本", "source and vintage", TEXT),
}


# --- the results structure --------------------------------------------------------------

@dataclass
class TypeResult:
    """One service type's results.

    ``villages``: index VILLCODE, the result columns of :func:`coverage.engine.coverage_table`
    (demand, nearest_site, nearest_m (m, inf = none reachable), sites_within, covered,
    access_raw, access) plus uncovered_demand and gap_rank from
    :func:`coverage.gaps.uncovered_villages` (0 / NA for fully covered villages);
    ``summary``: :func:`coverage.metrics.coverage_summary` (index TOWNCODE + "all");
    ``sites``: the sites counted; ``city``: :func:`coverage.metrics.city_summary`;
    ``gaps``: :func:`coverage.gaps.uncovered_villages` (ranked); ``district_gap``:
    :func:`coverage.gaps.demand_supply_gap` (index TOWNCODE; its ``gap`` renamed
    ``supply_gap``).
    """

    type_id: str
    radius_m: float
    villages: pd.DataFrame
    summary: pd.DataFrame
    sites: gpd.GeoDataFrame
    city: dict
    gaps: pd.DataFrame
    district_gap: pd.DataFrame


@dataclass
class ReportData:
    """Everything a report shows. ``villages``/``districts``: the demand base (EPSG:4326);
    ``sites``: the site table analysed (after the scenario's edits); ``results``: per type;
    ``baseline``: the same types on the scenario's baseline sites (None without a scenario);
    ``scenario_meta``: its author, notes, created, modified, version;
    ``edits``: one row per scenario edit; ``comparisons``: per type
    :func:`coverage.compare.compare_type` (villages gained / lost, district shares); ``hotspots`` (Gi* per village), ``hotspot_meta``,
    ``hotspot_regions`` (:func:`coverage.hotspots.hotspot_regions`); ``gaps``: :func:`gap_table`
    (the engine's ranking per type); ``findings``:
    :func:`geo.quality.findings_frame`; ``vintages``: layer -> source and date;
    ``provenance``: boundary facts; ``options``: method settings shown in the notes;
    ``missing``: what could not be computed, in words."""

    villages: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    results: dict[str, TypeResult]
    baseline: dict[str, TypeResult] | None = None
    scenario: str = ""
    scenario_meta: dict = field(default_factory=dict)
    scenario_sites_baseline: gpd.GeoDataFrame | None = None
    edits: pd.DataFrame | None = None
    comparisons: dict = field(default_factory=dict)
    gaps: pd.DataFrame | None = None
    hotspots: pd.DataFrame | None = None
    hotspot_meta: dict | None = None
    hotspot_regions: pd.DataFrame | None = None
    findings: pd.DataFrame = field(default_factory=lambda: findings_frame([]))
    vintages: dict[str, str] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    created: str = field(default_factory=lambda: date.today().isoformat())
    missing: list[str] = field(default_factory=list)
    map_cache: dict = field(default_factory=dict, repr=False, compare=False)


def read_provenance(path: str | Path = BOUNDARIES_DIR / "PROVENANCE.md") -> dict[str, str]:
    """The two-column facts table of ``data/boundaries/PROVENANCE.md`` (source, vintage,
    licences, CRS, ...) as {key: text}, Markdown links reduced to their text."""
    out: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] and not set(cells[0]) <= set("-: "):
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", cells[1]).replace("**", "")
            out[cells[0]] = text.replace("`", "")
    return out


DISTRICT_GAP_COLUMNS = ["sites", "capacity", "need_share", "capacity_share", "gap",
                        "capacity_per_10k"]


def _type_result(villages, sites, type_id, *, radius_m, demand, include_planned, mode,
                 network, decay, area_weighted, residents_per_capacity) -> TypeResult:
    from coverage.config import type_defaults
    from coverage.engine import coverage_table
    from coverage.gaps import demand_supply_gap, uncovered_villages
    from coverage.metrics import city_summary, coverage_summary, select_sites
    chosen = select_sites(sites, type_id, include_planned=include_planned)
    table, _ = coverage_table(villages, chosen, radius_m=radius_m, demand=demand, mode=mode,
                              network=network, area_weighted=area_weighted,
                              **type_defaults(type_id).decay_options(radius_m, decay=decay))
    ranking = uncovered_villages(table)
    table["uncovered_demand"] = ranking["uncovered_demand"].reindex(table.index, fill_value=0.0)
    table["gap_rank"] = ranking["rank"].reindex(table.index).astype("Int64")
    result_cols = [c for c in table.columns if c not in ("TOWNCODE", "district", "village",
                                                         "population")]
    full = villages[["TOWNCODE", "district", *DEMAND_COLUMNS]].join(table[result_cols])
    summary = coverage_summary(full, DEMAND_COLUMNS)
    norm = residents_per_capacity if demand == "population" else None
    city = city_summary(table, chosen, villages, residents_per_capacity=norm)
    supply = demand_supply_gap(villages, table["demand"], chosen)[DISTRICT_GAP_COLUMNS]
    return TypeResult(type_id, float(radius_m), table[result_cols], summary, chosen, city,
                      ranking, supply.rename(columns={"gap": "supply_gap"}))


def _edits_frame(scenario) -> pd.DataFrame:
    """One row per edit: index, kind, site_id (new ids resolved) and the edit's fields."""
    from coverage.scenario import AddSite, edit_to_dict, new_site_id
    rows = []
    for i, e in enumerate(scenario.edits):
        d = edit_to_dict(e)
        d["site_id"] = new_site_id(scenario.edits, i) if isinstance(e, AddSite) else e.site_id
        rows.append({"edit": i + 1, **d})
    return pd.DataFrame(rows)


def build_report_data(ds, *, types: list[str] | None = None, radius_km: float | None = None,
                      radii_m: dict[str, float] | None = None,
                      scenario=None, include_planned: bool = False, demand: str = "population",
                      mode: str = "straight", network=None, decay: str | None = "default",
                      area_weighted: bool = False,
                      hotspot_indicator: str | None = "children_density",
                      permutations: int | None = None, seed: int | None = None) -> ReportData:
    """Run the engine for a report. ``ds``: :class:`geo.dataset.Dataset`; ``types``:
    service type ids (default: every type with at least one counted site); ``radius_km``
    overrides every type's default radius (coverage/defaults.toml), ``radii_m`` a type's
    own (metres, wins over ``radius_km``); ``decay``: 2SFCA decay, "default" = each type's
    from defaults.toml (as the CLI and the app), "none", "step" or "gaussian"; ``scenario``: a
    :class:`coverage.scenario.Scenario` (its edited sites are analysed and compared with
    its baseline); ``hotspot_indicator``: :func:`coverage.hotspots.indicator` name for Gi*
    (None skips hotspots)."""
    from coverage.config import load_defaults
    from coverage import hotspots as hs
    defaults = load_defaults()
    missing: list[str] = []
    from coverage.places import dataset_places
    sites = scenario.sites(dataset_places(ds)) if scenario is not None else ds.sites
    if types is None:
        ok = ("open", "planned") if include_planned else ("open",)
        counted = sites[sites["status"].isin(ok)]["type"]
        types = [t for t in SERVICE_TYPES if (counted == t).any()]
    for t in types:
        if t not in SERVICE_TYPES:
            raise KeyError(f"unknown service type {t!r}; valid ids: " + ", ".join(SERVICE_TYPES))
    villages = ds.villages
    kw = dict(demand=demand, include_planned=include_planned, mode=mode, network=network,
              decay=decay, area_weighted=area_weighted)
    if radius_km is not None and not (math.isfinite(radius_km) and radius_km > 0):
        raise ValueError(f"radius_km must be a number > 0, got {radius_km!r}")
    radius = {t: (radii_m or {}).get(t, radius_km * 1000.0 if radius_km else defaults[t].radius_m)
              for t in types}
    norms = {t: defaults[t].residents_per_capacity for t in types}
    results = {t: _type_result(villages, sites, t, radius_m=radius[t],
                               residents_per_capacity=norms[t], **kw) for t in types}
    for t, r in results.items():
        if len(r.sites) == 0:
            missing.append(f"{t}: no located sites; its coverage is 0 by construction "
                           "(import a site list)")
    baseline = edits = None
    comparisons: dict = {}
    if scenario is not None:
        baseline = {t: _type_result(villages, scenario.baseline, t, radius_m=radius[t],
                                    residents_per_capacity=norms[t], **kw) for t in types}
        edits = _edits_frame(scenario)
        if area_weighted:
            missing.append("scenario village gains/losses: coverage.compare works in point "
                           "mode only; not shown for an area-weighted report")
        else:
            from coverage.compare import compare_type
            comparisons = {t: compare_type(villages, scenario.baseline, sites, t,
                                           radius_m=radius[t], include_planned=include_planned,
                                           mode=mode, network=network) for t in types}
    gaps = gap_table(results)
    hot = meta = regions = None
    if hotspot_indicator and len(types):
        values = hs.indicator(villages, hotspot_indicator)
        hot, meta = hs.gi_star(values, villages,
                               permutations=permutations or hs.DEFAULT_PERMUTATIONS,
                               seed=hs.DEFAULT_SEED if seed is None else seed, fdr=True)
        first = results[types[0]]
        table = villages.join(first.villages[["nearest_site"]])
        table = table.join(first.villages[["uncovered_demand"]])
        regions = hs.hotspot_regions(table, hs.hot_villages(hot), unmet_col="uncovered_demand",
                                     site_col="nearest_site")
    pop = getattr(ds, "population", None)
    if pop is not None and len(pop.unmatched):
        lost = float(pd.to_numeric(pop.unmatched["population"], errors="coerce").fillna(0).sum())
        missing.append(f"{len(pop.unmatched)} village codes of {Path(pop.file).name} have no "
                       f"boundary polygon (population {lost:,.0f}); they are not in the coverage "
                       "figures / 人口檔中有村里代碼無對應界線，未納入涵蓋計算")
    findings = list(ds.findings)
    try:
        from geo.checks import check_sites
        findings += check_sites(sites, districts=ds.districts)
    except ImportError:
        missing.append("site checks: geo.checks not available")
    options = {"mode": mode, "demand": demand, "decay": decay, "include_planned": include_planned,
               "area_weighted": area_weighted,
               "radius_km": {t: radius[t] / 1000 for t in types},
               "hotspot_indicator": hotspot_indicator,
               "hotspot_unmet_type": types[0] if hot is not None else None}
    return ReportData(villages=villages, districts=ds.districts, sites=sites, results=results,
                      baseline=baseline, scenario=scenario.name if scenario is not None else "",
                      scenario_meta={k: v for k, v in scenario.metadata().items() if k != "edits"}
                      if scenario is not None else {},
                      scenario_sites_baseline=scenario.baseline if scenario is not None else None,
                      edits=edits, comparisons=comparisons, gaps=gaps, hotspots=hot,
                      hotspot_meta=meta,
                      hotspot_regions=regions, findings=findings_frame(findings),
                      vintages=dict(ds.vintages), provenance=read_provenance(),
                      options=options, missing=missing)


# --- tables shared by every format -------------------------------------------------------

def type_name(type_id: str, lang: str = "zh-TW") -> str:
    t = SERVICE_TYPES[type_id]
    return t.name_zh if lang == "zh-TW" else t.name_en


def city_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """One row per service type: the city row ("all") of its coverage summary with sites
    counted, official count, radius and districts with a site."""
    rows = []
    for t, r in data.results.items():
        city = r.summary.loc["all"]
        row = {"type": t, "type_name": type_name(t, lang), "sites": len(r.sites),
               "official_count": SERVICE_TYPES[t].official_count, "radius_km": r.radius_m / 1000,
               "districts_with_site": r.city["districts_with_site"],
               "districts_total": r.city["districts"]}
        row.update({c: city[c] for c in r.summary.columns if c not in ("district",)})
        row.update({k: r.city[k] for k in ("residents_per_site", "capacity_norm",
                                            "capacity_needed") if k in r.city})
        rows.append(row)
    return pd.DataFrame(rows)


def _names(df: pd.DataFrame, data: ReportData, lang: str) -> pd.DataFrame:
    """In English, district / village names from the boundaries' romanised columns."""
    if lang == "zh-TW" or not len(df):
        return df
    df = df.copy()
    if "VILLCODE" in df and "village" in df:
        df["village"] = df["VILLCODE"].map(data.villages["village_en"])
    if "TOWNCODE" in df and "district" in df:
        df["district"] = df["TOWNCODE"].map(data.districts["district_en"])
    return df


def district_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Long table: one row per (service type, district), the summary's district rows
    joined with :func:`coverage.gaps.demand_supply_gap` (names in English for ``en``)."""
    parts = []
    for t, r in data.results.items():
        d = r.summary.drop(index="all").join(r.district_gap).reset_index()
        d.insert(0, "type_name", type_name(t, lang))
        d.insert(0, "type", t)
        parts.append(d)
    return _names(pd.concat(parts, ignore_index=True), data, lang) if parts else pd.DataFrame()


def village_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Long table: one row per (service type, village): names, demand columns and the
    engine's per-village results."""
    base = data.villages[["TOWNCODE", "district", "village", *DEMAND_COLUMNS]]
    parts = []
    for t, r in data.results.items():
        d = base.join(r.villages).reset_index()
        d.insert(0, "type_name", type_name(t, lang))
        d.insert(0, "type", t)
        parts.append(d)
    return _names(pd.concat(parts, ignore_index=True), data, lang) if parts else pd.DataFrame()


COMPARE_METRICS = [  # (key, zh label, en label, kind: count | share | metres)
    ("sites", "納入據點數", "sites counted", "count"),
    ("population_covered", "涵蓋人口", "population covered", "count"),
    ("population_share", "人口涵蓋率", "population coverage", "share"),
    ("age_0_14_share", "兒少涵蓋率", "children coverage", "share"),
    ("age_65_plus_share", "高齡涵蓋率", "elderly coverage", "share"),
    ("median_m", "最近據點距離中位數（公尺）", "median distance (m)", "metres"),
    ("p90_m", "最近據點距離第 90 百分位（公尺）", "90th percentile distance (m)", "metres"),
    ("districts_with_site", "設有據點之行政區數", "districts with a site", "count"),
]
KIND_FORMATS = {"count": INT, "share": PCT, "metres": METRE}


def comparison_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Scenario vs baseline, one row per (type, metric): baseline, scenario, change
    (scenario - baseline), ``kind`` (count | share | metres) and ``format`` (the row's Excel
    number format). Empty without a scenario."""
    if not data.baseline:
        return pd.DataFrame(columns=["type", "type_name", "metric", "baseline", "scenario",
                                     "change", "kind", "format"])
    rows = []
    for t, r in data.results.items():
        b = data.baseline[t]
        for key, zh, en, kind in COMPARE_METRICS:
            if key == "sites":
                vb, vs = len(b.sites), len(r.sites)
            elif key == "districts_with_site":
                vb, vs = b.city["districts_with_site"], r.city["districts_with_site"]
            else:
                vb, vs = float(b.summary.at["all", key]), float(r.summary.at["all", key])
            rows.append({"type": t, "type_name": type_name(t, lang),
                         "metric": zh if lang == "zh-TW" else en, "baseline": vb,
                         "scenario": vs, "change": vs - vb, "kind": kind,
                         "format": KIND_FORMATS[kind]})
    return pd.DataFrame(rows)


def scenario_district_table(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Per (type, district) population coverage before / after the scenario and the sites
    in the district, from :func:`coverage.compare.compare_type`."""
    parts = []
    for t, c in data.comparisons.items():
        d = c.districts.drop(index="all").rename(columns={"change": "share_change"})
        d = d.reset_index()
        d.insert(0, "type_name", type_name(t, lang))
        d.insert(0, "type", t)
        parts.append(d)
    return _names(pd.concat(parts, ignore_index=True), data, lang) if parts else pd.DataFrame()


def scenario_village_changes(data: ReportData, lang: str = "zh-TW") -> pd.DataFrame:
    """Villages whose point enters (``gained``) or leaves (``lost``) every counted site's
    radius in the scenario (:func:`coverage.compare.compare_type`), with their population."""
    labels = {"gained": ("新增涵蓋", "gained"), "lost": ("失去涵蓋", "lost")}
    rows = []
    for t, c in data.comparisons.items():
        for kind, codes in (("gained", c.gained), ("lost", c.lost)):
            for code in codes:
                v = data.villages.loc[code]
                rows.append({"type": t, "type_name": type_name(t, lang),
                             "coverage_change": labels[kind][0 if lang == "zh-TW" else 1],
                             "VILLCODE": code, "TOWNCODE": v["TOWNCODE"],
                             "district": v["district"], "village": v["village"],
                             "population": v["population"]})
    cols = ["type", "type_name", "coverage_change", "VILLCODE", "TOWNCODE", "district",
            "village", "population"]
    return _names(pd.DataFrame(rows, columns=cols), data, lang)


def sources_table(data: ReportData) -> pd.DataFrame:
    """Data sources: each layer's vintage, the boundary provenance facts and the site
    layers' completeness against the official counts."""
    rows = [{"item": k, "source": v} for k, v in data.vintages.items()]
    rows += [{"item": f"boundaries: {k}", "source": v} for k, v in data.provenance.items()]
    comp = completeness(data.sites)
    for t, c in comp.iterrows():
        rows.append({"item": f"{t} completeness",
                     "source": f"{c['located']} located of {c['official_count']} official "
                               f"({c['official_note']})"})
    return pd.DataFrame(rows)


GAP_COLUMNS = ["type", "type_name", "rank", "VILLCODE", "TOWNCODE", "district", "village",
               "demand", "covered", "nearest_site", "nearest_m", "uncovered_demand"]


def gap_table(results: dict[str, TypeResult], lang: str = "zh-TW") -> pd.DataFrame:
    """Long gap ranking: per service type the villages of
    :func:`coverage.gaps.uncovered_villages` in its order (rank 1 = most uncovered demand)."""
    parts = []
    for t, r in results.items():
        g = r.gaps.reset_index()
        g["type"], g["type_name"] = t, type_name(t, lang)
        parts.append(g[[c for c in GAP_COLUMNS if c in g.columns]])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=GAP_COLUMNS)


def gap_top(data: ReportData, n: int = 20, lang: str = "zh-TW") -> dict[str, pd.DataFrame]:
    """Per service type the first ``n`` villages of the engine's gap ranking."""
    if data.gaps is None or not len(data.gaps):
        return {}
    return {t: _names(g.head(n), data, lang) for t, g in data.gaps.groupby("type", sort=False)}


# --- Excel --------------------------------------------------------------------------------

def _cell_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (list, tuple, set)):
        return ", ".join(map(str, v))
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(float(v)) else float(v)
    return v if isinstance(v, (int, str)) else str(v)


def _width(text) -> int:
    s = "" if text is None else str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _write_sheet(wb, title: str, df: pd.DataFrame, *, row_formats: list[str] | None = None,
                 note: str | None = None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    ws = wb.create_sheet(title)
    cols = list(df.columns)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE5F0")
    for j, c in enumerate(cols, 1):
        zh, en, _ = COLUMNS.get(c, (c, c, "General"))
        for i, text in ((1, zh), (2, en)):
            cell = ws.cell(row=i, column=j, value=text)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [max(_width(COLUMNS.get(c, (c, c))[0]), _width(COLUMNS.get(c, (c, c))[1])) // 1
              for c in cols]
    for i, rec in enumerate(df.itertuples(index=False), 3):
        for j, v in enumerate(rec, 1):
            cell = ws.cell(row=i, column=j, value=_cell_value(v))
            fmt = COLUMNS.get(cols[j - 1], (None, None, "General"))[2]
            if row_formats is not None and cols[j - 1] in ("baseline", "scenario", "change"):
                fmt = row_formats[i - 3]
            cell.number_format = fmt
            widths[j - 1] = max(widths[j - 1], _width(v) if not isinstance(v, float) else 10)
    if note:
        ws.cell(row=len(df) + 4, column=1, value=note).font = Font(italic=True)
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 48)
    ws.freeze_panes = "A3"


SHEETS = {  # key -> (zh-TW sheet title, English sheet title)
    "city": ("全市摘要", "City summary"), "districts": ("行政區", "Districts"),
    "villages": ("村里", "Villages"), "gaps": ("缺口排名", "Gap ranking"),
    "hotspots": ("熱區", "Hotspot regions"), "scenario": ("情境比較", "Scenario vs baseline"),
    "scenario_districts": ("情境行政區", "Scenario districts"),
    "scenario_villages": ("情境村里變化", "Scenario villages"),
    "quality": ("資料品質", "Data quality"), "sources": ("資料來源", "Data sources"),
}


def write_xlsx(data: ReportData, target, *, lang: str = "zh-TW") -> None:
    """Write the workbook to ``target`` (path or binary file object). Sheet titles in
    ``lang``; every sheet has the bilingual two-row header frozen."""
    from openpyxl import Workbook
    wb = Workbook()
    wb.remove(wb.active)
    title = {k: v[0] if lang == "zh-TW" else v[1] for k, v in SHEETS.items()}
    _write_sheet(wb, title["city"], city_table(data, lang))
    _write_sheet(wb, title["districts"], district_table(data, lang))
    _write_sheet(wb, title["villages"], village_table(data, lang))
    _write_sheet(wb, title["gaps"], _names(gap_table(data.results, lang), data, lang))
    regions = data.hotspot_regions if data.hotspot_regions is not None else pd.DataFrame()
    regions = regions.rename(columns={"villages": "village_codes"})
    _write_sheet(wb, title["hotspots"], regions,
                 note=_hotspot_note(data, lang) if data.hotspot_meta else None)
    comp = comparison_table(data, lang)
    _write_sheet(wb, title["scenario"], comp.drop(columns=["kind", "format"]),
                 row_formats=comp["format"].tolist(),
                 note=None if data.baseline else "無情境（現況） / no scenario: baseline only")
    if data.comparisons:
        _write_sheet(wb, title["scenario_districts"], scenario_district_table(data, lang))
        _write_sheet(wb, title["scenario_villages"], scenario_village_changes(data, lang))
    q = data.findings.copy()
    q["value"] = q["value"].map(lambda v: None if v is None else str(v))
    q = q.rename(columns={"value": "finding_value"})
    _write_sheet(wb, title["quality"], q)
    _write_sheet(wb, title["sources"], sources_table(data))
    wb.save(target)


def _hotspot_note(data: ReportData, lang: str) -> str:
    from coverage.hotspots import method_note
    return method_note(data.hotspot_meta, lang)


# --- GeoPackage ---------------------------------------------------------------------------

def _finite(df: pd.DataFrame) -> pd.DataFrame:
    """inf -> NaN in float columns; lists -> comma-joined text; bool kept."""
    out = df.copy()
    for c in out.columns:
        if c == "geometry":
            continue
        s = out[c]
        if pd.api.types.is_float_dtype(s):
            out[c] = s.replace([np.inf, -np.inf], np.nan)
        elif s.dtype == object:
            out[c] = s.map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple))
                           else (None if v is None or (isinstance(v, float) and math.isnan(v))
                                 else str(v)))
    return out


def gpkg_layers(data: ReportData) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """The GeoPackage's layers by name (EPSG:4326): villages, districts, sites, and where
    present baseline_sites, scenario_edits, hotspot_regions, city_summary."""
    v = data.villages.to_crs(MAP_CRS).copy()
    d = data.districts.to_crs(MAP_CRS).copy()
    for t, r in data.results.items():
        v = v.join(r.villages.add_prefix(f"{t}_"))
        d = d.join(r.summary.drop(index="all").drop(columns="district").join(r.district_gap)
                   .add_prefix(f"{t}_"))
    for t, c in data.comparisons.items():
        v[f"{t}_covered_baseline"] = c.covered_before.reindex(v.index)
        v[f"{t}_coverage_change"] = (c.covered_after - c.covered_before).reindex(v.index)
    if data.hotspots is not None:
        cols = [c for c in ("value", "z", "p", "p_fdr", "bin") if c in data.hotspots]
        v = v.join(data.hotspots[cols].add_prefix("hotspot_"))
    layers: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {
        "villages": v.reset_index(), "districts": d.reset_index()}
    sites = data.sites.to_crs(MAP_CRS).copy()
    counted = set().union(*(set(r.sites["site_id"]) for r in data.results.values())) \
        if data.results else set()
    sites["counted"] = sites["site_id"].isin(counted)
    layers["sites"] = sites
    if data.scenario_sites_baseline is not None:
        layers["baseline_sites"] = data.scenario_sites_baseline.to_crs(MAP_CRS)
    if data.edits is not None and len(data.edits):
        e = data.edits.copy()
        loc = data.sites.set_index("site_id").geometry
        geom = e["site_id"].map(loc)
        e = gpd.GeoDataFrame(e, geometry=gpd.GeoSeries(geom.values, crs=data.sites.crs)
                             ).to_crs(MAP_CRS)
        layers["scenario_edits"] = e
    if data.hotspot_regions is not None and len(data.hotspot_regions):
        reg = data.hotspot_regions.copy()
        geoms = [data.villages.loc[list(m)].to_crs(MAP_CRS).union_all()
                 for m in reg["villages"]]
        layers["hotspot_regions"] = gpd.GeoDataFrame(reg, geometry=geoms, crs=MAP_CRS)
    layers["city_summary"] = city_table(data, "en")
    return layers


def write_gpkg(data: ReportData, path: str | Path) -> None:
    """Write every layer of :func:`gpkg_layers` to a new GeoPackage at ``path``."""
    import pyogrio
    for name, layer in gpkg_layers(data).items():
        pyogrio.write_dataframe(_finite(layer), path, layer=name, driver="GPKG",
                                append=Path(path).exists())


# --- HTML and PDF -------------------------------------------------------------------------

TEXT_ZH = {
    "title": "桃園市社會安全網資源涵蓋分析報告", "baseline": "現況（未編輯）",
    "scenario": "情境", "date": "製表日期", "vintages": "資料版本",
}


def _fmt_int(v) -> str:
    return "—" if v is None or not np.isfinite(float(v)) else f"{float(v):,.0f}"


def _fmt_pct(v) -> str:
    return "—" if v is None or not np.isfinite(float(v)) else f"{100 * float(v):.1f}%"


def _fmt_m(v) -> str:
    return "—" if v is None or not np.isfinite(float(v)) else f"{float(v):,.0f} m"


def _fmt_by(kind: str, v) -> str:
    return {"share": _fmt_pct, "metres": _fmt_m}.get(kind, _fmt_int)(v)


def _fmt_change(kind: str, v) -> str:
    if v is None or not np.isfinite(float(v)):
        return "—"
    if kind == "share":
        return f"{100 * float(v):+.1f} pp"
    return f"{float(v):+,.0f}" + (" m" if kind == "metres" else "")


def _edit_details(edit: dict) -> str:
    """The fields of one edit row that are set, as ``key=value; ...`` (NaN/None skipped)."""
    skip = ("edit", "kind", "site_id")
    return "; ".join(f"{k}={v}" for k, v in edit.items()
                     if k not in skip and v is not None and not (isinstance(v, float) and math.isnan(v)))


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def report_maps(data: ReportData, lang: str = "zh-TW") -> list[dict]:
    """The report's static maps: per service type its coverage, and the hotspot bins.
    Each item: title, png (bytes). Rendered once per language (cached on ``data``)."""
    if lang in data.map_cache:
        return data.map_cache[lang]
    from coverage.report_maps import choropleth
    zh = lang == "zh-TW"
    north = "北 N" if zh else "N"
    out = []
    for t, r in data.results.items():
        name = type_name(t, lang)
        km = f"{r.radius_m / 1000:g}"
        cov = data.villages.join(r.villages[["covered", "nearest_m"]])
        cov["covered_cat"] = np.where(cov["covered"] >= 0.5, 1, 0)
        title = (f"{name}：{km} 公里內涵蓋之里" if zh else f"{name}: villages within {km} km")
        out.append({"title": title, "png": choropleth(
            cov, "covered_cat", title=title, districts=data.districts, sites=r.sites,
            categories={1: ("涵蓋" if zh else "covered", "#7fbf7b"),
                        0: ("未涵蓋" if zh else "not covered", "#e9a3c9")},
            legend_title="涵蓋" if zh else "coverage", north=north,
            site_label="據點" if zh else "sites")})
        gap = data.villages.join(r.villages[["uncovered_demand"]])
        gap["uncovered_demand"] = gap["uncovered_demand"].where(gap["uncovered_demand"] > 0)
        title = f"{name}：未涵蓋人口（缺口）" if zh else f"{name}: residents not covered (gaps)"
        out.append({"title": title, "png": choropleth(
            gap, "uncovered_demand", title=title, districts=data.districts, sites=r.sites,
            legend_title="人\n（灰＝已涵蓋）" if zh else "residents\n(grey = covered)",
            north=north, site_label="據點" if zh else "sites")})
    if data.hotspots is not None:
        hot = data.villages.join(data.hotspots[["bin"]])
        labels = {3: ("熱區 99%", "hot 99%", "#b2182b"), 2: ("熱區 95%", "hot 95%", "#ef8a62"),
                  1: ("熱區 90%", "hot 90%", "#fddbc7"), 0: ("不顯著", "not significant", "#f7f7f7"),
                  -1: ("冷區 90%", "cold 90%", "#d1e5f0"), -2: ("冷區 95%", "cold 95%", "#67a9cf"),
                  -3: ("冷區 99%", "cold 99%", "#2166ac")}
        ind = data.hotspot_meta.get("indicator", "") if data.hotspot_meta else ""
        from coverage.hotspots import INDICATORS
        ind_label = INDICATORS.get(ind, (ind, ind))[0 if zh else 1]
        title = f"熱區分析（Gi*）：{ind_label}" if zh else f"Hotspots (Gi*): {ind_label}"
        out.append({"title": title, "png": choropleth(
            hot, "bin", title=title, districts=data.districts,
            categories={k: (zh_l if zh else en_l, c) for k, (zh_l, en_l, c) in labels.items()},
            legend_title="Gi* 等級" if zh else "Gi* bin", north=north)})
    data.map_cache[lang] = out
    return out


def _env():
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             undefined=jinja2.StrictUndefined)
    env.filters.update(int=_fmt_int, pct=_fmt_pct, m=_fmt_m, data_uri=_data_uri)
    return env


def render_html(data: ReportData, *, lang: str = "zh-TW",
                maps: list[dict] | None = None) -> str:
    """The printable report as one self-contained HTML page (maps as data URIs)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    maps = report_maps(data, lang) if maps is None else maps
    comp = comparison_table(data, lang)
    comp_rows = [{"type_name": r.type_name, "metric": r.metric,
                  "baseline": _fmt_by(r.kind, r.baseline),
                  "scenario": _fmt_by(r.kind, r.scenario),
                  "change": _fmt_change(r.kind, r.change)} for r in comp.itertuples()]
    from coverage.hotspots import method_note
    zh = lang == "zh-TW"
    ctx = {
        "lang": lang, "zh": zh, "colon": "：" if zh else ": ", "lp": "（" if zh else " (",
        "rp": "）" if zh else ")", "data": data, "city": city_table(data, lang),
        "districts": district_table(data, lang), "gaps": gap_top(data, 20, lang),
        "comparison": comp_rows, "maps": maps, "types": data.results,
        "hotspot_note": method_note(data.hotspot_meta, lang) if data.hotspot_meta else None,
        "regions": data.hotspot_regions, "type_name": type_name, "edit_details": _edit_details,
        "village_changes": scenario_village_changes(data, lang),
        "severity_counts": data.findings["severity"].value_counts().to_dict(),
        "sources": sources_table(data), "service_types": SERVICE_TYPES,
    }
    return _env().get_template("report.html.j2").render(**ctx)


def pdf_bytes(html: str) -> bytes:
    """Render HTML to PDF with WeasyPrint (fonts via fontconfig: Noto Sans CJK TC)."""
    from coverage.report_maps import cjk_font
    cjk_font()  # fail early with install advice rather than print empty boxes
    import weasyprint
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()


# --- bytes and atomic files ----------------------------------------------------------------

def build_report(data: ReportData, fmt: str, *, lang: str = "zh-TW") -> bytes:
    """The report in ``fmt`` (xlsx | gpkg | html | pdf) as bytes, e.g. for a download button."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(data, buf, lang=lang)
        return buf.getvalue()
    if fmt == "html":
        return render_html(data, lang=lang).encode("utf-8")
    if fmt == "pdf":
        return pdf_bytes(render_html(data, lang=lang))
    with tempfile.TemporaryDirectory(prefix="safetynet-gpkg-") as tmp:
        path = Path(tmp) / "report.gpkg"
        write_gpkg(data, path)
        return path.read_bytes()


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` for a fresh path in a private temp directory beside
    ``path``, fsync it, then ``os.replace`` it onto ``path``. If ``write`` raises, the temp
    directory is removed and any existing ``path`` is left exactly as it was."""
    target = Path(path).expanduser().resolve()
    if not target.parent.is_dir():
        raise FileNotFoundError(f"output directory not found: {target.parent}")
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        tmp = tmpdir / target.name
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return target


def export_report(data: ReportData, fmt: str, path: str | Path, *,
                  lang: str = "zh-TW") -> Path:
    """Write the report in ``fmt`` to ``path`` atomically (see :func:`write_atomic`)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    if fmt == "xlsx":
        return write_atomic(path, lambda p: write_xlsx(data, p, lang=lang))
    if fmt == "gpkg":
        return write_atomic(path, lambda p: write_gpkg(data, p))
    if fmt == "html":
        return write_atomic(path, lambda p: p.write_text(render_html(data, lang=lang),
                                                         encoding="utf-8"))
    return write_atomic(path, lambda p: p.write_bytes(pdf_bytes(render_html(data, lang=lang))))
