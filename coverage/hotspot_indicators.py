"""Village indicators for hotspot analysis built from the coverage engine's per-village
table (coverage.engine.coverage_table) or from the population table. Kept apart from
coverage.hotspots so listing them does not import esda/libpysal."""
from __future__ import annotations

import pandas as pd

POPULATION_INDICATORS = ("children_density", "elderly_density")
COVERAGE_INDICATORS = ("uncovered_share", "residents_per_site", "access_score")


def indicator_values(villages, cov: pd.DataFrame | None, name: str) -> pd.Series:
    """The indicator Series (VILLCODE) from the village table and, for coverage
    indicators, the coverage table of :func:`coverage.engine.coverage_table`."""
    if name in COVERAGE_INDICATORS:
        if cov is None:
            raise ValueError(f"--indicator {name} needs --type SERVICE_TYPE")
        if name == "uncovered_share":
            return (1.0 - cov["covered"].astype(float)).rename(name)
        if name == "access_score":
            return cov["access"].astype(float).rename(name)
        load = cov.groupby("nearest_site")["demand"].sum()
        return cov["nearest_site"].map(load).astype(float).rename(name)
    if name in POPULATION_INDICATORS or name.startswith("per_1000:"):
        from coverage.hotspots import indicator
        return indicator(villages, name)
    raise ValueError(f"unknown --indicator {name!r}; use {', '.join(POPULATION_INDICATORS)}, "
                     f"per_1000:COLUMN or {', '.join(COVERAGE_INDICATORS)}")
