"""Village indicators for the hotspot statistics, built from the village table.

Every indicator is a float Series keyed by VILLCODE (the table's index) and named after the
indicator. Areas are measured in EPSG:3826 (:func:`coverage.metrics.village_area_km2`).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd

from coverage.metrics import village_area_km2

__all__ = ["children_density", "elderly_density", "indicator", "per_1000"]


def _counts(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table:
        raise KeyError(f"village table has no column {column!r}; columns: {list(table.columns)}")
    return pd.to_numeric(table[column], errors="coerce").astype(float)


def children_density(table: gpd.GeoDataFrame) -> pd.Series:
    """Residents aged 0-14 per km² of village area.

    Parameters
    ----------
    table : GeoDataFrame
        Villages indexed by VILLCODE with the count column ``age_0_14`` (persons).

    Returns
    -------
    Series
        ``children_density`` in persons per km² (area in EPSG:3826).
    """
    return (_counts(table, "age_0_14") / village_area_km2(table)).rename("children_density")


def elderly_density(table: gpd.GeoDataFrame) -> pd.Series:
    """Residents aged 65+ per km² of village area.

    Parameters
    ----------
    table : GeoDataFrame
        Villages indexed by VILLCODE with the count column ``age_65_plus`` (persons).

    Returns
    -------
    Series
        ``elderly_density`` in persons per km² (area in EPSG:3826).
    """
    return (_counts(table, "age_65_plus") / village_area_km2(table)).rename("elderly_density")


def per_1000(table: pd.DataFrame, column: str, *, population_col: str = "population") -> pd.Series:
    """``column`` per 1,000 residents.

    Parameters
    ----------
    table : DataFrame
        Villages indexed by VILLCODE.
    column, population_col : str
        Count column and the residents column (persons).

    Returns
    -------
    Series
        ``<column>_per_1000``: count per 1,000 residents; NaN where the population is 0 or
        missing.
    """
    pop = _counts(table, population_col)
    return (1000.0 * _counts(table, column) / pop.where(pop > 0)).rename(f"{column}_per_1000")


def indicator(table: pd.DataFrame, name: str) -> pd.Series:
    """A named indicator of the village table.

    Parameters
    ----------
    table : DataFrame
        Villages indexed by VILLCODE (a GeoDataFrame for the densities).
    name : str
        ``children_density`` or ``elderly_density`` (persons per km²), ``per_1000:<column>``
        (per 1,000 residents), or any numeric column of ``table`` taken as it is.

    Returns
    -------
    Series
        Float values keyed by VILLCODE, named ``name`` (``<column>_per_1000`` for rates).
    """
    if name == "children_density":
        return children_density(table)
    if name == "elderly_density":
        return elderly_density(table)
    if name.startswith("per_1000:"):
        return per_1000(table, name.split(":", 1)[1])
    return _counts(table, name).rename(name)
