"""Hotspots of a village indicator (Getis-Ord Gi* or local Moran's I) and the hot (cold)
regions they form — the one answer behind the app's hotspot page, ``safetynet hotspots``
and the reports' hotspot section. Every setting left out comes from the ``[hotspots]``
table of analysis/defaults.toml; the result records the settings it used.

Indicators: ``children_density``, ``elderly_density`` (persons per km²),
``per_1000:<column>`` (a count per 1,000 residents, e.g. ``per_1000:indigenous``), any
numeric column of the village table, and with a coverage question: ``uncovered_share``
(1 − covered), ``residents_per_site`` (demand served by the village's nearest site) and
``access_score`` (2SFCA, city mean 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from analysis.config import bin_of_alpha
from analysis.context import AnalysisContext
from analysis.coverage import CoverageQuery, CoverageResult, analyse_coverage
from analysis.notes import Note
from common.checks import choice, int_in_range, positive_number

__all__ = ["HotspotQuery", "HotspotResult", "analyse_hotspots", "indicator_values",
           "resolve_hotspot_query",
           "POPULATION_INDICATORS", "COVERAGE_INDICATORS", "METHODS", "WEIGHTS"]

POPULATION_INDICATORS = ("children_density", "elderly_density")
COVERAGE_INDICATORS = ("uncovered_share", "residents_per_site", "access_score")
METHODS = ("gi", "lisa")
WEIGHTS = ("queen", "distance")
MAX_PERMUTATIONS = 99_999


@dataclass(frozen=True)
class HotspotQuery:
    """One hotspot question; None = the config's default. ``min_bin``: the hot-region
    threshold (villages with Gi* |bin| >= it merge; None = the bin of ``alpha``); ``side``:
    "hot" or "cold" regions (None = cold for access_score, else hot); ``coverage``: the
    coverage question behind coverage indicators and the regions' unmet demand."""

    indicator: str | None = None
    method: str | None = None
    weights: str | None = None
    threshold_m: float | None = None
    permutations: int | None = None
    seed: int | None = None
    alpha: float | None = None
    fdr: bool | None = None
    min_bin: int | None = None
    side: str | None = None
    p_source: str = "sim"
    coverage: CoverageQuery | None = None


@dataclass
class HotspotResult:
    """``villages``: per VILLCODE the statistic (value, z, p, p_fdr, bin or quadrant, ...);
    ``regions``: ranked hot/cold regions (region, n_villages, villages, districts,
    population, demand, unmet_demand, nearest_sites); ``meta``: every setting used;
    ``coverage``: the coverage result behind it, if any."""

    query: HotspotQuery
    values: pd.Series
    villages: pd.DataFrame
    regions: pd.DataFrame
    meta: dict
    coverage: CoverageResult | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        """Villages per Gi* bin or LISA quadrant."""
        col = "bin" if "bin" in self.villages else "quadrant"
        return self.villages[col].value_counts().sort_index().to_dict()


def indicator_values(villages: pd.DataFrame, coverage: CoverageResult | None,
                     name: str) -> pd.Series:
    """The indicator per VILLCODE from the village table and, for coverage indicators,
    the coverage result."""
    if name in COVERAGE_INDICATORS:
        if coverage is None:
            raise ValueError(f"indicator {name}: needs a service type (--type) for its "
                             "coverage")
        cov = coverage.villages
        if name == "uncovered_share":
            return (1.0 - cov["covered"].astype(float)).rename(name)
        if name == "access_score":
            return cov["access"].astype(float).rename(name)
        load = cov.groupby("nearest_site")["demand"].sum()
        return cov["nearest_site"].map(load).astype(float).rename(name)
    from coverage.hotspots import indicator
    if (name in POPULATION_INDICATORS or name.startswith("per_1000:")
            or name in villages.columns):
        return indicator(villages, name)
    raise ValueError(f"indicator: unknown {name!r}; expected {', '.join(POPULATION_INDICATORS)},"
                     f" per_1000:COLUMN, a column of the village table or "
                     f"{', '.join(COVERAGE_INDICATORS)}")


def resolve_hotspot_query(ctx: AnalysisContext, query: HotspotQuery) -> HotspotQuery:
    """The query with every default filled from the config and every argument checked."""
    h = ctx.config.hotspots
    fdr = h.fdr if query.fdr is None else bool(query.fdr)
    alpha = h.alpha if query.alpha is None else query.alpha
    alpha = positive_number(alpha, "alpha", maximum=0.5)
    indicator = query.indicator or h.indicator
    q = replace(
        query, indicator=indicator,
        method=choice(query.method or h.method, "method", METHODS),
        weights=choice(query.weights or h.weights, "weights", WEIGHTS),
        threshold_m=positive_number(query.threshold_m if query.threshold_m is not None
                                    else h.distance_threshold_m, "threshold_m",
                                    unit="metres", maximum=100_000.0),
        permutations=int_in_range(query.permutations if query.permutations is not None
                                  else h.permutations_for(fdr), "permutations",
                                  minimum=99, maximum=MAX_PERMUTATIONS),
        seed=int_in_range(h.seed if query.seed is None else query.seed, "seed", minimum=0,
                          maximum=2**32 - 1),
        alpha=alpha, fdr=fdr,
        min_bin=int_in_range(query.min_bin if query.min_bin is not None
                             else bin_of_alpha(alpha), "min_bin", minimum=1, maximum=3),
        side=choice(query.side or ("cold" if indicator == "access_score" else "hot"),
                    "side", ("hot", "cold")),
        p_source=choice(query.p_source, "p_source", ("sim", "norm")))
    return q


def _regions_table(ctx: AnalysisContext, coverage: CoverageResult | None) -> tuple[pd.DataFrame, dict]:
    table = ctx.villages.copy()
    table["population"] = pd.to_numeric(table["population"], errors="coerce").astype(float)
    if coverage is None:
        return table, {}
    cov = coverage.villages
    table["demand"] = cov["demand"]
    table["unmet"] = cov["uncovered_demand"]
    table["nearest_site"] = cov["nearest_site"]
    return table, {"demand_col": "demand", "unmet_col": "unmet", "site_col": "nearest_site"}


def analyse_hotspots(ctx: AnalysisContext, query: HotspotQuery = HotspotQuery(), *,
                     coverage: CoverageResult | None = None) -> HotspotResult:
    """Hot and cold spots of the query's indicator and the regions they form.

    ``coverage``: an already computed coverage result for ``query.coverage`` (the app
    passes its cached one); computed here when None and the query names a coverage question.
    """
    from coverage import hotspots as hs
    q = resolve_hotspot_query(ctx, query)
    if coverage is None and q.coverage is not None:
        coverage = analyse_coverage(ctx, q.coverage)
    values = indicator_values(ctx.villages, coverage, q.indicator)
    common = dict(weights=q.weights, threshold_m=q.threshold_m if q.weights == "distance"
                  else None, permutations=q.permutations, seed=q.seed, alpha=q.alpha,
                  fdr=q.fdr)
    if q.method == "gi":
        stats, meta = hs.gi_star(values, ctx.villages, p_source=q.p_source, **common)
    else:
        stats, meta = hs.local_moran(values, ctx.villages, **common)
    table, region_cols = _regions_table(ctx, coverage)
    regions = hs.hotspot_regions(table, stats, min_bin=q.min_bin, side=q.side,
                                 missing=ctx.config.missing_demand, **region_cols)
    meta = {**meta, "indicator": q.indicator, "side": q.side, "min_bin": q.min_bin,
            "missing_demand": ctx.config.missing_demand}
    if coverage is not None:
        q_cov = coverage.query
        radius_key = "radius_min" if q_cov.unit == "s" else "radius_m"
        meta.update({"type": q_cov.type_id, radius_key: q_cov.radius / 60.0
                     if q_cov.unit == "s" else q_cov.radius, "n_sites": int(len(coverage.sites))})
    return HotspotResult(q, values, stats, regions, meta, coverage,
                         list(coverage.notes) if coverage is not None else [])
