"""What a report holds, built only from the analysis layer's results.

:func:`build_report_data` asks the questions of :mod:`analysis` — coverage per service type
(:func:`analysis.coverage.analyse_coverage`), the access profile, service deserts, hotspots
with the caller's :class:`analysis.hotspots.HotspotQuery` (the CLI's defaults or the app's
choices), and for a scenario :func:`analysis.scenario.compare_scenario` — and keeps the
answers as they are. Nothing here computes coverage; the writers (:mod:`reports.xlsx`,
:mod:`reports.gpkg`, :mod:`reports.html`) only lay the answers out.

Distances are metres (straight line in EPSG:3826 or road length); with road travel time the
costs and radii are seconds (``CoverageQuery.unit == "s"``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd

from analysis.context import AnalysisContext, RoadSource
from analysis.coverage import (CoverageQuery, CoverageResult, access_profile,
                               analyse_coverage, resolve_query, service_deserts_of)
from analysis.hotspots import HotspotQuery, HotspotResult, analyse_hotspots
from analysis.notes import Note
from analysis.scenario import ScenarioComparison, compare_scenario
from analysis.sites import counted_sites
from geo.quality import findings_frame
from geo.services import SERVICE_TYPES, resolve_service_type

__all__ = ["ReportData", "ScenarioPart", "build_report_data", "default_types"]

ACCESS_STEPS = 40  # points of the access profile between 0 and three times the radius


@dataclass
class ScenarioPart:
    """A scenario in a report: its metadata, its baseline site table and edits (one row
    per edit: edit, kind, site_id and the edit's fields), the coverage of the same
    questions on the baseline sites, and :func:`analysis.scenario.compare_scenario`
    (None where it does not apply: area-weighted or travel-time reports)."""

    name: str
    meta: dict
    baseline_sites: gpd.GeoDataFrame
    edits: pd.DataFrame
    baseline: dict[str, CoverageResult]
    comparison: ScenarioComparison | None = None


@dataclass
class ReportData:
    """Everything a report shows.

    ``villages`` / ``districts``: the context's tables (EPSG:4326); ``sites``: the site table
    analysed (after a scenario's edits); ``results``: per type id the
    :class:`analysis.coverage.CoverageResult`; ``access``: per type the access profile
    (threshold in the query's unit, ``share``, and ``share_baseline`` with a scenario);
    ``deserts``: villages beyond every type's radius (two or more types, else None);
    ``hotspots``: the :class:`analysis.hotspots.HotspotResult` (None when not asked or
    failed: see ``notes``); ``service_areas``: per type the road service areas, the roads
    reachable within the radius as lines (road mode with road length only); ``district_need``:
    per type and district the need measured per district (low-income persons) against the
    type's capacity (:func:`analysis.need.district_need`; None without that indicator);
    ``vintages``: every vintage the context knows; ``notes``:
    (type id or None, :class:`analysis.notes.Note`) in order; ``settings``: the question's
    options (mode, weight, unit, demand, include_planned, decay, area_weighted, max_snap_m).
    """

    villages: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    results: dict[str, CoverageResult]
    access: dict[str, pd.DataFrame]
    settings: dict
    deserts: pd.DataFrame | None = None
    hotspots: HotspotResult | None = None
    district_need: pd.DataFrame | None = None
    scenario: ScenarioPart | None = None
    service_areas: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    road: RoadSource | None = None
    vintages: dict[str, str] = field(default_factory=dict)
    findings: pd.DataFrame = field(default_factory=lambda: findings_frame([]))
    notes: list[tuple[str | None, Note]] = field(default_factory=list)
    config: Any = None
    created: str = field(default_factory=lambda: date.today().isoformat())
    map_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def unit(self) -> str:
        """"s" for road travel time, else "m" (metres)."""
        return self.settings.get("unit", "m")


def default_types(sites: gpd.GeoDataFrame, *, include_planned: bool = False) -> list[str]:
    """Every service type (registry order) with at least one counted, located site."""
    return [t for t in SERVICE_TYPES
            if len(counted_sites(sites, t, include_planned=include_planned)[0])]


def _types(types: list[str] | None, sites: gpd.GeoDataFrame, include_planned: bool) -> list[str]:
    if types is None:
        out = default_types(sites, include_planned=include_planned)
        if not out:
            raise ValueError("types: no service type has a located site to report on; name "
                             "the types (--type) or import a site list")
        return out
    out = [resolve_service_type(t, name="type") for t in types]
    if not out:
        raise ValueError("types: expected at least one service type, got none")
    return list(dict.fromkeys(out))


def _radius(type_id: str, radii_m: dict | None, radii_s: dict | None, timed: bool):
    given = (radii_s if timed else radii_m) or {}
    return None if given.get(type_id) is None else float(given[type_id])


def _edits_frame(scenario) -> pd.DataFrame:
    """One row per edit: edit (1-based), kind, site_id (new ids resolved), the fields."""
    from coverage.scenario import AddSite, edit_to_dict, new_site_id
    rows = []
    for i, e in enumerate(scenario.edits):
        d = edit_to_dict(e)
        d["site_id"] = new_site_id(scenario.edits, i) if isinstance(e, AddSite) else e.site_id
        rows.append({"edit": i + 1, **d})
    return pd.DataFrame(rows, columns=None if rows else ["edit", "kind", "site_id"])


def _scenario_part(ctx: AnalysisContext, scenario, sites: gpd.GeoDataFrame,
                   queries: dict[str, CoverageQuery], notes: list) -> ScenarioPart:
    base_ctx = ctx.with_sites(scenario.baseline)
    baseline = {t: analyse_coverage(base_ctx, q) for t, q in queries.items()}
    any_q = next(iter(queries.values()))
    comparison = None
    if any_q.area_weighted or any_q.unit == "s":
        notes.append((None, Note("report.note.no_scenario_villages")))
    else:
        comparison = compare_scenario(ctx, scenario.baseline, sites, type_ids=list(queries),
                                      radii_m={t: q.radius for t, q in queries.items()},
                                      include_planned=any_q.include_planned, mode=any_q.mode)
    meta = {k: v for k, v in scenario.metadata().items() if k != "edits"}
    return ScenarioPart(scenario.name, meta, scenario.baseline, _edits_frame(scenario),
                        baseline, comparison)


def _access(results: dict[str, CoverageResult], baseline: dict[str, CoverageResult] | None
            ) -> dict[str, pd.DataFrame]:
    out = {}
    for t, r in results.items():
        prof = access_profile(r, steps=ACCESS_STEPS)
        if baseline is not None:
            upper = float(prof["threshold"].iloc[-1])
            prof["share_baseline"] = access_profile(baseline[t], upper=upper,
                                                    steps=ACCESS_STEPS)["share"].to_numpy()
        out[t] = prof
    return out


def _hotspots(ctx: AnalysisContext, query: HotspotQuery, results: dict[str, CoverageResult],
              notes: list) -> HotspotResult | None:
    """The hotspots of ``query``; the coverage behind it is the report's own result when
    the question is the same (so its unmet demand is the report's)."""
    coverage = None
    if query.coverage is not None:
        wanted = resolve_query(ctx, query.coverage)
        coverage = next((r for r in results.values() if r.query == wanted), None)
    try:
        return analyse_hotspots(ctx, query, coverage=coverage)
    except ValueError as exc:  # e.g. a constant indicator admits no local statistic
        notes.append((None, Note("report.note.hotspots_failed", {"error": str(exc)},
                                 "warning")))
        return None


def _service_areas(ctx: AnalysisContext, results: dict[str, CoverageResult],
                   notes: list) -> dict[str, gpd.GeoDataFrame]:
    first = next(iter(results.values()))
    if first.query.mode != "network" or ctx.road_network() is None:
        return {}
    if first.query.unit == "s":
        notes.append((None, Note("report.note.no_service_areas")))
        return {}
    from coverage.service_area import service_areas
    network = ctx.road_network()[0]
    # the reachable roads as lines: buffering them into polygons takes minutes on the
    # city-wide graph and a printed map shows the lines as well
    return {t: service_areas(network, r.sites, r.query.radius, max_snap_m=r.query.max_snap_m,
                             buffer_m=0) for t, r in results.items() if len(r.sites)}


def _district_need(ctx: AnalysisContext, results: dict[str, CoverageResult]
                   ) -> pd.DataFrame | None:
    """Per type the district need table (type, TOWNCODE first), None when the context has
    no district-level need indicator."""
    from analysis.need import DISTRICT_INDICATORS, district_need
    name = next((n for n in DISTRICT_INDICATORS if n in ctx.indicators), None)
    if name is None:
        return None
    parts = [district_need(ctx, r, indicator=name).rename_axis("TOWNCODE").reset_index()
             .assign(type=tid) for tid, r in results.items()]
    out = pd.concat(parts, ignore_index=True)
    return out[["type", *[c for c in out.columns if c != "type"]]]


def _findings(ctx: AnalysisContext, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    from geo.checks import check_sites
    return findings_frame(list(ctx.findings) + check_sites(sites, districts=ctx.districts))


def _population_notes(ctx: AnalysisContext) -> list[tuple[None, Note]]:
    report = ctx.population
    if report is None or not len(report.unmatched):
        return []
    lost = float(pd.to_numeric(report.unmatched["population"], errors="coerce").fillna(0).sum())
    return [(None, Note("report.note.population_unmatched",
                        {"n": int(len(report.unmatched)), "pop": lost}, "warning"))]


def build_report_data(ctx: AnalysisContext, *, types: list[str] | None = None,
                      radii_m: dict[str, float] | None = None,
                      radii_s: dict[str, float] | None = None, mode: str = "straight",
                      weight: str = "length", demand: str | None = None,
                      include_planned: bool = False, decay: str | None = "default",
                      area_weighted: bool = False, max_snap_m: float = 500.0,
                      hotspot_query: HotspotQuery | None = None, scenario=None,
                      places=None, created: str | None = None) -> ReportData:
    """Ask the analysis layer every question of a report and keep its answers.

    Parameters
    ----------
    ctx : analysis.context.AnalysisContext
        The loaded inputs; its sites are reported unless ``scenario`` is given.
    types : list of str, optional
        Service type ids or names; default every type with a counted, located site.
    radii_m, radii_s : dict, optional
        Radius per type in metres (straight line, road length) or seconds (road travel
        time, ``weight="travel_time"``); a type left out takes its config default.
    mode, weight, demand, include_planned, decay, area_weighted, max_snap_m
        As :class:`analysis.coverage.CoverageQuery` (``demand`` None = each type's target
        population).
    hotspot_query : analysis.hotspots.HotspotQuery, optional
        The hotspot question (None: no hotspot section). Its ``coverage`` question, when it
        equals one of the report's, reuses that result.
    scenario : coverage.scenario.Scenario, optional
        Report its edited sites and compare them with its baseline.
    places : coverage.places.Places, optional
        Where the scenario's village edits go; default the context's villages.
    created : str, optional
        Report date (ISO), default today.
    """
    notes: list[tuple[str | None, Note]] = []
    sites = ctx.sites
    if scenario is not None:
        from coverage.places import dataset_places
        sites = scenario.sites(places if places is not None else dataset_places(ctx))
    rctx = ctx.with_sites(sites)
    type_ids = _types(types, sites, include_planned)
    timed = mode == "network" and weight == "travel_time"
    queries = {t: CoverageQuery(t, radius=_radius(t, radii_m, radii_s, timed), mode=mode,
                                weight=weight, demand=demand, include_planned=include_planned,
                                decay=decay, area_weighted=area_weighted, max_snap_m=max_snap_m)
               for t in type_ids}
    results = {t: analyse_coverage(rctx, q) for t, q in queries.items()}
    queries = {t: r.query for t, r in results.items()}  # resolved: radii filled in
    for t, r in results.items():
        notes += [(t, n) for n in r.notes]
    part = _scenario_part(ctx, scenario, sites, queries, notes) if scenario is not None else None
    hot = _hotspots(rctx, hotspot_query, results, notes) if hotspot_query is not None else None
    first = next(iter(results.values()))
    settings = {"mode": mode, "weight": first.query.weight, "unit": first.query.unit,
                "demand": demand, "include_planned": include_planned, "decay": decay,
                "area_weighted": area_weighted, "max_snap_m": first.query.max_snap_m}
    return ReportData(
        villages=ctx.villages, districts=ctx.districts, sites=sites, results=results,
        access=_access(results, part.baseline if part is not None else None),
        settings=settings, deserts=service_deserts_of(results) if len(results) > 1 else None,
        hotspots=hot, district_need=_district_need(rctx, results), scenario=part,
        service_areas=_service_areas(rctx, results, notes),
        road=first.road, vintages=dict(ctx.vintages), findings=_findings(ctx, sites),
        notes=_population_notes(ctx) + notes, config=ctx.config,
        created=created or date.today().isoformat())
