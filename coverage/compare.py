"""Scenario vs baseline: coverage of two site tables, computed with the engine's
incremental update (one distance column per changed site). :func:`compare_type` is the
core (one type); :func:`compare_sites` runs it for every changed type.

Used by ``safetynet scenario apply``, the scenario page and the reports, so all show the
same numbers.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.distance import site_points
from coverage.engine import CoverageState, build_state
from coverage.metrics import (DEMAND_GROUPS, coverage_summary, district_kpi, select_sites,
                              site_towncodes)


def changed_types(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> list[str]:
    """Service types whose counted sites (id, status, position, capacity) differ."""
    def key(df: gpd.GeoDataFrame) -> pd.DataFrame:
        return pd.DataFrame({"site_id": df["site_id"].astype(str), "type": df["type"],
                             "status": df["status"], "capacity": df["capacity"],
                             "wkb": df.geometry.to_wkb()})
    merged = key(before).merge(key(after), how="outer", indicator=True)
    return sorted(merged.loc[merged["_merge"] != "both", "type"].dropna().unique())


def apply_site_changes(state: CoverageState, before: gpd.GeoDataFrame,
                       after: gpd.GeoDataFrame) -> list[str]:
    """Update ``state`` (built on ``before``) to ``after`` one site at a time; both tables
    already hold only the counted sites of one type. Returns the site ids touched."""
    b = before.set_index(before["site_id"].astype(str))
    a = after.set_index(after["site_id"].astype(str))
    touched = []
    for sid in b.index.difference(a.index, sort=False):
        state.remove_site(sid)
        touched.append(sid)
    xy_after = dict(zip(a.index, site_points(a))) if len(a) else {}
    xy_before = dict(zip(b.index, site_points(b))) if len(b) else {}
    for sid in a.index:
        cap = a.at[sid, "capacity"]
        if sid not in b.index:
            state.add_site(sid, xy_after[sid], None if pd.isna(cap) else float(cap))
        elif not np.array_equal(xy_after[sid], xy_before[sid]):
            state.move_site(sid, xy_after[sid])
        elif not (pd.isna(cap) and pd.isna(b.at[sid, "capacity"])) and cap != b.at[sid, "capacity"]:
            state.remove_site(sid)  # capacity changes the 2SFCA supply: re-add the column
            state.add_site(sid, xy_after[sid], None if pd.isna(cap) else float(cap))
        else:
            continue
        touched.append(sid)
    return touched


def compare_sites(villages: gpd.GeoDataFrame, before: gpd.GeoDataFrame,
                  after: gpd.GeoDataFrame, *, radii_m: dict[str, float],
                  type_ids: list[str] | None = None, include_planned: bool = False,
                  mode: str = "straight", network=None,
                  weight: str = "length") -> dict[str, "TypeComparison"]:
    """:func:`compare_type` for each type in ``type_ids`` (default: the types whose sites
    changed), keyed by type id, at ``radii_m[type]`` metres (every type compared needs
    one). Only open sites count unless ``include_planned`` (AddSite defaults to planned)."""
    type_ids = changed_types(before, after) if type_ids is None else type_ids
    missing = [t for t in type_ids if t not in radii_m]
    if missing:
        raise ValueError(f"radii_m: no radius for {missing}")
    return {t: compare_type(villages, before, after, t, radius_m=radii_m[t],
                            include_planned=include_planned, mode=mode, network=network,
                            weight=weight)
            for t in type_ids}


# --- one type with a reusable baseline state (app scenario page, reports) -------------------
# compare_type: before/after for one type, with the district table
# (shares and site counts before/after, city row "all") and distance modes (network too);
# the baseline state can be built once and reused (it is cloned, never changed).

GROUP_COLUMNS = {g: DEMAND_GROUPS[g] for g in ("population", "children", "elderly")}


@dataclass
class TypeComparison:
    """One service type, baseline vs scenario. ``totals``: index population / children /
    elderly, columns total, before, after, change, share_before, share_after (covered
    residents; shares 0..1). ``gained`` / ``lost``: VILLCODEs whose village point enters /
    leaves the radius of every counted site. ``districts``: per TOWNCODE + "all":
    district, population_total, share_before, share_after, change, sites_before,
    sites_after. ``kpi_before`` / ``kpi_after``: :func:`coverage.metrics.district_kpi`."""

    type_id: str
    radius_m: float
    sites_before: int
    sites_after: int
    covered_before: pd.Series
    covered_after: pd.Series
    totals: pd.DataFrame
    gained: list[str]
    lost: list[str]
    districts: pd.DataFrame
    kpi_before: dict
    kpi_after: dict
    notes: list[str] = field(default_factory=list)

    @property
    def districts_with_site(self) -> tuple[int, int, int]:
        """Districts with at least one counted site: (before, after, of all districts)."""
        return (self.kpi_before["districts_with_site"], self.kpi_after["districts_with_site"],
                self.kpi_after["districts"])


def counted(sites: gpd.GeoDataFrame, type_id: str, *, include_planned: bool
            ) -> gpd.GeoDataFrame:
    """The sites of ``type_id`` that count (open, and planned if asked)."""
    if len(sites) == 0:
        return sites
    return select_sites(sites, type_id, include_planned=include_planned)


def baseline_state(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, radius_m: float,
                   mode: str = "straight", network=None, weight: str = "length"
                   ) -> CoverageState:
    """Full engine state of the counted baseline sites (demand: total population)."""
    return build_state(villages, sites, radius_m=radius_m, demand="population", mode=mode,
                       network=network, weight=weight)


def clone_state(state: CoverageState) -> CoverageState:
    """A copy that can be edited without touching ``state`` (the road network is shared)."""
    memo = {id(state.network): state.network} if state.network is not None else {}
    return copy.deepcopy(state, memo)


def _totals(villages: gpd.GeoDataFrame, before: np.ndarray, after: np.ndarray) -> pd.DataFrame:
    rows = {}
    for group, col in GROUP_COLUMNS.items():
        d = np.nan_to_num(pd.to_numeric(villages[col], errors="coerce").to_numpy(float))
        total = float(d.sum())
        b, a = float((d * before).sum()), float((d * after).sum())
        rows[group] = {"total": total, "before": b, "after": a, "change": a - b,
                       "share_before": b / total if total else np.nan,
                       "share_after": a / total if total else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index")


def _district_table(villages, state_b: CoverageState, state_a: CoverageState,
                    sites_b, sites_a) -> pd.DataFrame:
    base = villages[["TOWNCODE", "district", *GROUP_COLUMNS.values()]]
    out = []
    for state in (state_b, state_a):
        t = state.village_table()
        out.append(coverage_summary(base.join(t[["covered", "nearest_m"]]),
                                    list(GROUP_COLUMNS.values())))
    b, a = out
    town_b = site_towncodes(sites_b, villages) if len(sites_b) else pd.Series(dtype=object)
    town_a = site_towncodes(sites_a, villages) if len(sites_a) else pd.Series(dtype=object)
    table = pd.DataFrame({
        "district": b["district"], "population_total": b["population_total"],
        "share_before": b["population_share"], "share_after": a["population_share"]})
    table["change"] = table["share_after"] - table["share_before"]
    for name, towns, n in (("sites_before", town_b, len(sites_b)),
                           ("sites_after", town_a, len(sites_a))):
        counts = towns.value_counts() if len(towns) else pd.Series(dtype=int)
        table[name] = [int(n) if code == "all" else int(counts.get(code, 0))
                       for code in table.index]
    return table


def compare_type(villages: gpd.GeoDataFrame, before: gpd.GeoDataFrame,
                 after: gpd.GeoDataFrame, type_id: str, *, radius_m: float,
                 include_planned: bool, mode: str = "straight", network=None,
                 weight: str = "length",
                 base: CoverageState | None = None) -> TypeComparison:
    """Baseline site table ``before`` vs scenario table ``after`` for one type. ``base``:
    a ready :func:`baseline_state` of the counted ``before`` sites (built when None)."""
    sb = counted(before, type_id, include_planned=include_planned)
    sa = counted(after, type_id, include_planned=include_planned)
    if base is None:
        base = baseline_state(villages, sb, radius_m=radius_m, mode=mode, network=network,
                              weight=weight)
    state = clone_state(base)
    apply_site_changes(state, sb, sa)
    cb, ca = base.covered(), state.covered()
    idx = villages.index
    gained = [str(c) for c in idx[(cb == 0) & (ca > 0)]]
    lost = [str(c) for c in idx[(cb > 0) & (ca == 0)]]
    return TypeComparison(
        type_id, float(radius_m), len(sb), len(sa), pd.Series(cb, index=idx),
        pd.Series(ca, index=idx), _totals(villages, cb, ca), gained, lost,
        _district_table(villages, base, state, sb, sa),
        district_kpi(sb, villages), district_kpi(sa, villages))


def comparison_dict(cmp: TypeComparison) -> dict:
    """JSON-safe summary of a comparison (NaN -> None): totals per group, districts with a
    site before/after, gained / lost VILLCODEs, per-district population shares."""
    def clean(v):
        v = v.item() if hasattr(v, "item") else v
        return None if isinstance(v, float) and not np.isfinite(v) else v

    return {"type": cmp.type_id, "radius_m": cmp.radius_m,
            "sites_before": cmp.sites_before, "sites_after": cmp.sites_after,
            "covered": {g: {k: clean(v) for k, v in row.items()}
                        for g, row in cmp.totals.to_dict("index").items()},
            "districts_with_site": {"before": cmp.kpi_before["districts_with_site"],
                                    "after": cmp.kpi_after["districts_with_site"],
                                    "of": cmp.kpi_after["districts"]},
            "villages_gained": list(cmp.gained), "villages_lost": list(cmp.lost),
            "districts": {str(code): {k: clean(v) for k, v in row.items()}
                          for code, row in cmp.districts.to_dict("index").items()}}
