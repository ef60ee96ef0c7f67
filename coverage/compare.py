"""A scenario against its baseline, per service type: covered residents (total, children,
elderly) before and after, the villages that gain or lose coverage, district figures.

The "after" coverage is the baseline :class:`coverage.engine.CoverageState` updated
incrementally (remove / move / add per changed site), which the engine guarantees equals
a full recomputation. Distances in metres (EPSG:3826); site tables in EPSG:4326. Used by
the app's scenario page; :func:`comparison_dict` gives the same figures as plain JSON.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage import metrics
from coverage.distance import site_points
from coverage.engine import CoverageState, build_state

GROUPS = {"population": "population", "children": "age_0_14", "elderly": "age_65_plus"}


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


def counted(sites: gpd.GeoDataFrame, type_id: str, *, include_planned: bool
            ) -> gpd.GeoDataFrame:
    """The sites of ``type_id`` that count (open, and planned if asked)."""
    if len(sites) == 0:
        return sites
    return metrics.select_sites(sites, type_id, include_planned=include_planned)


def baseline_state(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, radius_m: float,
                   mode: str = "straight", network=None) -> CoverageState:
    """Full engine state of the counted baseline sites (demand: total population)."""
    return build_state(villages, sites, radius_m=radius_m, demand="population", mode=mode,
                       network=network)


def clone_state(state: CoverageState) -> CoverageState:
    """A copy that can be edited without touching ``state`` (the road network is shared)."""
    memo = {id(state.network): state.network} if state.network is not None else {}
    return copy.deepcopy(state, memo)


def scenario_state(base: CoverageState, before: gpd.GeoDataFrame, after: gpd.GeoDataFrame
                   ) -> CoverageState:
    """``base`` (the state of the counted sites ``before``) updated to the counted sites
    ``after``: sites gone are removed, sites whose point moved are moved, new sites are
    added; a changed capacity is a remove + add. Returns a new state."""
    state = clone_state(base)
    old = before.set_index(before["site_id"].astype(str)) if len(before) else None
    new = after.set_index(after["site_id"].astype(str)) if len(after) else None
    old_ids = list(old.index) if old is not None else []
    new_ids = list(new.index) if new is not None else []
    for sid in old_ids:
        if sid not in new_ids:
            state.remove_site(sid)
    readd = []
    for sid in old_ids:
        if sid not in new_ids:
            continue
        a, b = new.loc[sid], old.loc[sid]
        if not _same(a["capacity"], b["capacity"]):
            state.remove_site(sid)
            readd.append(sid)
        elif not a.geometry.equals(b.geometry):
            state.move_site(sid, site_points(new.loc[[sid]])[0])
    for sid in readd + [s for s in new_ids if s not in old_ids]:
        cap = new.at[sid, "capacity"]
        state.add_site(sid, site_points(new.loc[[sid]])[0],
                       None if pd.isna(cap) else float(cap))
    return state


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or a == b


def _totals(villages: gpd.GeoDataFrame, before: np.ndarray, after: np.ndarray) -> pd.DataFrame:
    rows = {}
    for group, col in GROUPS.items():
        d = np.nan_to_num(pd.to_numeric(villages[col], errors="coerce").to_numpy(float))
        total = float(d.sum())
        b, a = float((d * before).sum()), float((d * after).sum())
        rows[group] = {"total": total, "before": b, "after": a, "change": a - b,
                       "share_before": b / total if total else np.nan,
                       "share_after": a / total if total else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index")


def _district_table(villages, state_b: CoverageState, state_a: CoverageState,
                    sites_b, sites_a) -> pd.DataFrame:
    base = villages[["TOWNCODE", "district", *GROUPS.values()]]
    out = []
    for state in (state_b, state_a):
        t = state.village_table()
        out.append(metrics.coverage_summary(base.join(t[["covered", "nearest_m"]]),
                                            list(GROUPS.values())))
    b, a = out
    town_b = metrics.site_towncodes(sites_b, villages) if len(sites_b) else pd.Series(dtype=object)
    town_a = metrics.site_towncodes(sites_a, villages) if len(sites_a) else pd.Series(dtype=object)
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
                 base: CoverageState | None = None) -> TypeComparison:
    """Baseline site table ``before`` vs scenario table ``after`` for one type. ``base``:
    a ready :func:`baseline_state` of the counted ``before`` sites (built when None)."""
    sb = counted(before, type_id, include_planned=include_planned)
    sa = counted(after, type_id, include_planned=include_planned)
    if base is None:
        base = baseline_state(villages, sb, radius_m=radius_m, mode=mode, network=network)
    state = scenario_state(base, sb, sa)
    cb, ca = base.covered(), state.covered()
    idx = villages.index
    gained = [str(c) for c in idx[(cb == 0) & (ca > 0)]]
    lost = [str(c) for c in idx[(cb > 0) & (ca == 0)]]
    return TypeComparison(
        type_id, float(radius_m), len(sb), len(sa), pd.Series(cb, index=idx),
        pd.Series(ca, index=idx), _totals(villages, cb, ca), gained, lost,
        _district_table(villages, base, state, sb, sa),
        metrics.district_kpi(sb, villages), metrics.district_kpi(sa, villages))


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
