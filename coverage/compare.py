"""Scenario vs baseline: coverage of two site tables, computed with the engine's
incremental update (one distance column per changed site).

Used by ``safetynet scenario apply``, the scenario page and the reports, so all show the
same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.config import type_defaults
from coverage.distance import site_points
from coverage.engine import CoverageState, build_state
from coverage.metrics import DEMAND_GROUPS, select_sites, site_towncodes

GROUPS = ("population", "children", "elderly")


@dataclass
class Comparison:
    """``summary``: one row per service type with covered population / children / elderly
    before and after (persons) and the change; ``villages``: villages whose coverage changed
    (VILLCODE, type, district, village, covered_before, covered_after, change gained|lost);
    ``districts``: per type and TOWNCODE the covered population share and whether the
    district has a site, before and after."""

    summary: pd.DataFrame
    villages: pd.DataFrame
    districts: pd.DataFrame

    def to_dict(self) -> dict:
        return {name: getattr(self, name).replace({np.nan: None}).to_dict("records")
                for name in ("summary", "villages", "districts")}


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
                  after: gpd.GeoDataFrame, *, type_ids: list[str] | None = None,
                  radii_m: dict[str, float] | None = None,
                  include_planned: bool = False) -> Comparison:
    """Coverage before and after for each type in ``type_ids`` (default: the types whose
    sites changed). Radii default to coverage/defaults.toml. Point mode, straight-line.
    Only open sites count unless ``include_planned`` (scenario AddSite defaults to planned)."""
    type_ids = changed_types(before, after) if type_ids is None else type_ids
    radii_m = radii_m or {}
    groups = {g: pd.to_numeric(villages[DEMAND_GROUPS[g]], errors="coerce").fillna(0)
              .to_numpy(float) for g in GROUPS if DEMAND_GROUPS[g] in villages}
    rows, changes, districts = [], [], []
    for t in type_ids:
        radius = radii_m.get(t, type_defaults(t).radius_m)
        b = select_sites(before, t, include_planned=include_planned)
        a = select_sites(after, t, include_planned=include_planned)
        state = build_state(villages, b, radius_m=radius)
        cov_b, has_b = state.covered(), set(site_towncodes(b, villages).dropna())
        apply_site_changes(state, b, a)
        cov_a, has_a = state.covered(), set(site_towncodes(a, villages).dropna())
        row = {"type": t, "radius_m": radius, "sites_before": len(b), "sites_after": len(a)}
        for g, dem in groups.items():
            row[f"{g}_before"] = float(dem @ cov_b)
            row[f"{g}_after"] = float(dem @ cov_a)
            row[f"{g}_change"] = row[f"{g}_after"] - row[f"{g}_before"]
        rows.append(row)
        diff = np.flatnonzero(cov_a != cov_b)
        for i in diff:
            changes.append({"VILLCODE": villages.index[i], "type": t,
                            "district": villages["district"].iat[i],
                            "village": villages["village"].iat[i],
                            "population": groups.get("population", np.zeros(len(villages)))[i],
                            "covered_before": cov_b[i], "covered_after": cov_a[i],
                            "change": "gained" if cov_a[i] > cov_b[i] else "lost"})
        pop = pd.Series(groups.get("population", np.zeros(len(villages))), index=villages.index)
        town = villages["TOWNCODE"]
        total = pop.groupby(town).sum()
        for label, cov, has in (("before", cov_b, has_b), ("after", cov_a, has_a)):
            share = (pop * cov).groupby(town).sum() / total.replace(0, np.nan)
            for code in total.index:
                districts.append({"type": t, "TOWNCODE": code, "when": label,
                                  "covered_share": float(share[code]),
                                  "has_site": bool(code in has)})
    dist = pd.DataFrame(districts, columns=["type", "TOWNCODE", "when", "covered_share", "has_site"])
    if len(dist):
        dist = dist.pivot_table(index=["type", "TOWNCODE"], columns="when",
                                values=["covered_share", "has_site"], aggfunc="first")
        dist.columns = [f"{a}_{b}" for a, b in dist.columns]
        dist = dist.reset_index()
    return Comparison(pd.DataFrame(rows), pd.DataFrame(changes, columns=[
        "VILLCODE", "type", "district", "village", "population", "covered_before",
        "covered_after", "change"]), dist)

