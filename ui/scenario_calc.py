"""Placement suggestions for the scenario page (no Streamlit here): MCLP on the village
points with the type's counted sites fixed (:mod:`coverage.placement`), and the add-site
edits that turn a suggestion into a scenario; and :func:`type_views`, the page's view of
:func:`coverage.compare.compare_sites` (the before/after comparison itself)."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from coverage import placement
from coverage.metrics import select_sites
from coverage.scenario import AddSite


@dataclass
class Suggestion:
    """An MCLP suggestion: ``chosen`` (coverage.placement.chosen_table), the solver result
    and its parameters."""

    type_id: str
    k: int
    radius_m: float
    demand: str
    chosen: pd.DataFrame
    result: object


def suggest(villages: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, type_id: str, *, k: int,
            radius_m: float, demand: str, include_planned: bool,
            time_limit: float = 30.0) -> Suggestion:
    """MCLP: ``k`` new sites of ``type_id`` among the village points, the type's counted
    sites in ``sites`` fixed; straight-line distances."""
    existing = select_sites(sites, type_id, include_planned=include_planned)
    inp = placement.placement_input(villages, existing, demand=demand)
    result = placement.solve(inp, model="mclp", radius_m=radius_m, k=k, time_limit=time_limit)
    return Suggestion(type_id, int(k), float(radius_m), demand,
                      placement.chosen_table(inp, result), result)


def suggestion_edits(s: Suggestion, *, name_prefix: str, status: str = "open") -> list[AddSite]:
    """Add-site edits (at the village points) for the new sites of a suggestion."""
    new = s.chosen[s.chosen["new"]]
    return [AddSite(type=s.type_id, name=f"{name_prefix}{r['name']}", village=r["villcode"],
                    status=status) for _, r in new.iterrows()]


# --- views of coverage.compare.compare_sites for the page ------------------------------

GROUP_COLUMNS = {"population": "population", "children": "age_0_14", "elderly": "age_65_plus"}


@dataclass
class TypeView:
    """One type's part of a :class:`coverage.compare.Comparison`, shaped for display.
    ``totals``: index population / children / elderly, columns total, before, after,
    change, share_before, share_after; ``districts``: index TOWNCODE plus "all", columns
    district, population_total, share_before, share_after, change, site_before,
    site_after (bool; the city row counts the sites); ``gained`` / ``lost``: VILLCODEs."""

    type_id: str
    radius_m: float
    sites_before: int
    sites_after: int
    totals: pd.DataFrame
    gained: list
    lost: list
    districts: pd.DataFrame
    districts_with_site: tuple[int, int, int]  # before, after, of


def type_views(cmp, villages: gpd.GeoDataFrame) -> dict[str, TypeView]:
    """A :class:`TypeView` per type of ``cmp`` (in its summary order)."""
    out = {}
    pop = pd.to_numeric(villages["population"], errors="coerce").fillna(0.0)
    town_pop = pop.groupby(villages["TOWNCODE"]).sum()
    names = villages.groupby("TOWNCODE")["district"].first()
    for _, row in cmp.summary.iterrows():
        tid = row["type"]
        totals = {}
        for g, col in GROUP_COLUMNS.items():
            total = float(pd.to_numeric(villages[col], errors="coerce").fillna(0.0).sum())
            b, a = float(row[f"{g}_before"]), float(row[f"{g}_after"])
            totals[g] = {"total": total, "before": b, "after": a, "change": a - b,
                         "share_before": b / total if total else float("nan"),
                         "share_after": a / total if total else float("nan")}
        ch = cmp.villages[cmp.villages["type"] == tid]
        d = cmp.districts[cmp.districts["type"] == tid].set_index("TOWNCODE")
        dist = pd.DataFrame({"district": names.reindex(d.index),
                             "population_total": town_pop.reindex(d.index),
                             "share_before": d["covered_share_before"].astype(float),
                             "share_after": d["covered_share_after"].astype(float),
                             "site_before": d["has_site_before"].astype(bool),
                             "site_after": d["has_site_after"].astype(bool)})
        city = totals["population"]
        dist.loc["all"] = {"district": "全市", "population_total": city["total"],
                           "share_before": city["share_before"],
                           "share_after": city["share_after"],
                           "site_before": bool(row["sites_before"]),
                           "site_after": bool(row["sites_after"])}
        dist["change"] = dist["share_after"] - dist["share_before"]
        n = len(d)
        out[tid] = TypeView(
            tid, float(row["radius_m"]), int(row["sites_before"]), int(row["sites_after"]),
            pd.DataFrame.from_dict(totals, orient="index"),
            ch.loc[ch["change"] == "gained", "VILLCODE"].astype(str).tolist(),
            ch.loc[ch["change"] == "lost", "VILLCODE"].astype(str).tolist(), dist,
            (int(d["has_site_before"].sum()), int(d["has_site_after"].sum()), n))
    return out
