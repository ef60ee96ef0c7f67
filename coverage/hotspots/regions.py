"""Hot (or cold) villages of a Gi* / LISA result, merged into ranked regions.

A region is a connected component (networkx) of selected villages under queen contiguity
without island links (:func:`coverage.hotspots.weights.queen_neighbours`): villages that
touch, even at a single point, belong to the same region.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from coverage.hotspots.weights import queen_neighbours

__all__ = ["MISSING_RULES", "REGION_COLUMNS", "SIDES", "hot_villages", "hotspot_regions"]

SIDES = ("hot", "cold")
MISSING_RULES = ("exclude", "zero")
REGION_COLUMNS = ["region", "n_villages", "villages", "districts", "population", "demand",
                  "unmet_demand", "nearest_sites"]


def hot_villages(result: pd.DataFrame, *, min_bin: int = 1, side: str = "hot") -> pd.Series:
    """Which villages of a Gi* or LISA result are hot (or cold).

    Parameters
    ----------
    result : DataFrame
        Frame of :func:`gi_star` (column ``bin``) or :func:`local_moran` (``quadrant``).
    min_bin : {1, 2, 3}
        Gi*: hot means ``bin >= min_bin``, cold ``bin <= -min_bin`` (1, 2, 3 = 90, 95,
        99 % confidence). Ignored for LISA, whose hot villages are the significant ``HH``
        (cold: ``LL``).
    side : {"hot", "cold"}
        Cold spots suit indicators where low is bad (e.g. access scores).

    Returns
    -------
    Series of bool
        Keyed by VILLCODE, named ``side``.
    """
    if side not in SIDES:
        raise ValueError(f"side must be 'hot' or 'cold', got {side!r}")
    cold = side == "cold"
    if "bin" in result:
        if min_bin not in (1, 2, 3):
            raise ValueError(f"min_bin must be 1, 2 or 3, got {min_bin!r}")
        mask = result["bin"] <= -min_bin if cold else result["bin"] >= min_bin
        return mask.rename(side)
    if "quadrant" in result:
        return (result["quadrant"] == ("LL" if cold else "HH")).rename(side)
    raise KeyError("result has neither a 'bin' (Gi*) nor a 'quadrant' (LISA) column")


def _selection(hot: pd.Series | pd.DataFrame, min_bin, side, missing) -> tuple[pd.Series, str]:
    """The boolean selection and the missing-value rule, from a result or a mask."""
    if isinstance(hot, pd.DataFrame):
        needed = {"min_bin": min_bin, "side": side, "missing": missing}
        if "bin" not in hot:
            del needed["min_bin"]  # LISA: hot = significant HH
        unset = [k for k, v in needed.items() if v is None]
        if unset:
            raise TypeError(f"hotspot_regions of a {'Gi*' if 'bin' in hot else 'LISA'} result "
                            f"needs {', '.join(unset)} (no defaults: the caller's settings "
                            "decide)")
        mask = hot_villages(hot, min_bin=min_bin if min_bin is not None else 1, side=side)
    elif isinstance(hot, pd.Series):
        if min_bin is not None or side is not None:
            raise TypeError("min_bin and side select villages from a Gi*/LISA result; "
                            "a boolean Series is already a selection")
        if hot.isna().any():
            raise ValueError(f"hot villages: no True/False for {int(hot.isna().sum())} villages")
        mask = hot.astype(bool)
        if missing is None:
            warnings.warn("hotspot_regions without missing= is deprecated: pass "
                          "missing='zero' (today's totals) or 'exclude'",
                          DeprecationWarning, stacklevel=3)
            missing = "zero"
    else:
        raise TypeError("hot must be a Gi*/LISA result frame or a boolean Series by VILLCODE")
    if missing not in MISSING_RULES:
        raise ValueError(f"missing must be 'exclude' or 'zero', got {missing!r}")
    return mask, missing


def _check_columns(table: pd.DataFrame, codes: list[str], columns: Iterable[str | None]) -> None:
    unknown = [c for c in codes if c not in table.index]
    if unknown:
        raise KeyError(f"hot villages not in the village table: {unknown[:10]}")
    for col in columns:
        if col is not None and col not in table:
            raise KeyError(f"village table has no column {col!r}; columns: {list(table.columns)}")


def _components(codes: list[str], neighbours: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Connected groups (sorted VILLCODEs) of ``codes`` under ``neighbours``."""
    graph = nx.Graph()
    graph.add_nodes_from(codes)
    selected = set(codes)
    graph.add_edges_from((c, n) for c in codes for n in neighbours.get(c, ()) if n in selected)
    return [sorted(comp) for comp in nx.connected_components(graph)]


def _region_rows(table: pd.DataFrame, groups: list[list[str]], missing: str, *,
                 population_col: str, demand_col: str, unmet_col: str | None,
                 site_col: str | None, district_col: str) -> pd.DataFrame:
    """One row per group of villages: members, districts, totals (see ``missing``), sites."""
    codes = [c for g in groups for c in g]
    label = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    min_count = 1 if missing == "exclude" else 0

    def total(col: str | None) -> np.ndarray:
        if col is None:
            return np.full(len(groups), np.nan)
        values = pd.to_numeric(table.loc[codes, col], errors="coerce").astype(float)
        return values.groupby(label).sum(min_count=min_count).to_numpy()

    def distinct(col: str | None, *, skip_missing: bool) -> list[list[str]]:
        if col is None:
            return [[] for _ in groups]
        values = table.loc[codes, col]
        return [sorted({str(v) for v in values.iloc[label == k]
                        if not (skip_missing and pd.isna(v))}) for k in range(len(groups))]

    return pd.DataFrame({"n_villages": [len(g) for g in groups], "villages": groups,
                         "districts": distinct(district_col, skip_missing=False), "population": total(population_col),
                         "demand": total(demand_col), "unmet_demand": total(unmet_col),
                         "nearest_sites": distinct(site_col, skip_missing=True)})


def hotspot_regions(table: pd.DataFrame, hot: pd.Series | pd.DataFrame, *,
                    min_bin: int | None = None, side: str | None = None,
                    missing: str | None = None,
                    neighbours: Mapping[str, Iterable[str]] | None = None,
                    population_col: str = "population", demand_col: str | None = None,
                    unmet_col: str | None = None, site_col: str | None = None,
                    district_col: str = "district") -> pd.DataFrame:
    """Merge touching hot (or cold) villages into regions ranked by unmet demand.

    Parameters
    ----------
    table : DataFrame
        Villages indexed by VILLCODE; a GeoDataFrame unless ``neighbours`` is given.
    hot : DataFrame or Series
        The frame of :func:`gi_star` / :func:`local_moran`, selected here with ``min_bin``
        and ``side`` (see :func:`hot_villages`; both required, ``min_bin`` only for Gi*);
        or a boolean Series by VILLCODE already selected (then ``min_bin`` and ``side`` must
        be left out).
    min_bin, side
        See :func:`hot_villages`.
    missing : {"zero", "exclude"}
        How a NaN in the population, demand or unmet-demand column counts in a region's
        total. ``"zero"``: as 0, so a region whose villages all lack a value totals 0.
        ``"exclude"``: left out of the total, so such a region's total is NaN (unknown) and
        ranks last. Both sum the known values of the others. Required with a result frame;
        with a boolean Series it defaults to ``"zero"`` with a DeprecationWarning.
    neighbours : mapping, optional
        VILLCODE -> neighbour VILLCODEs; default queen contiguity of ``table`` (EPSG:3826),
        without island links.
    population_col, demand_col, unmet_col : str
        Persons; demand defaults to the population column, unmet demand to none (NaN).
    site_col : str, optional
        Nearest site of each village, listed per region.
    district_col : str
        District name of each village.

    Returns
    -------
    DataFrame
        One row per region, ranked by unmet demand, then demand, then population
        (descending, NaN last), then first VILLCODE: region (1 = first), n_villages,
        villages (sorted VILLCODEs), districts, population, demand, unmet_demand,
        nearest_sites (distinct values of ``site_col``; empty without it).
    """
    mask, missing = _selection(hot, min_bin, side, missing)
    codes = [str(c) for c in mask.index[mask.to_numpy()]]
    _check_columns(table, codes, (population_col, demand_col, unmet_col, site_col, district_col))
    if neighbours is None:
        if not isinstance(table, gpd.GeoDataFrame):
            raise TypeError("hotspot_regions needs a GeoDataFrame or an explicit neighbours map")
        neighbours = queen_neighbours(table.loc[codes]) if codes else {}
    groups = _components(codes, neighbours)
    if not groups:
        return pd.DataFrame(columns=REGION_COLUMNS)
    out = _region_rows(table, groups, missing, population_col=population_col,
                       demand_col=demand_col or population_col, unmet_col=unmet_col,
                       site_col=site_col, district_col=district_col)
    out["_first"] = out["villages"].str[0]
    out = out.sort_values(["unmet_demand", "demand", "population", "_first"],
                          ascending=[False, False, False, True], na_position="last")
    out.insert(0, "region", np.arange(1, len(out) + 1))
    return out.drop(columns="_first").reset_index(drop=True)[REGION_COLUMNS]
