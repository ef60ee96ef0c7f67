"""Which sites count: one rule for every question (type, status, located)."""
from __future__ import annotations

import geopandas as gpd

from analysis.notes import Note

__all__ = ["counted_sites", "with_library"]


def counted_sites(sites: gpd.GeoDataFrame, type_id: str, *, include_planned: bool = False
                  ) -> tuple[gpd.GeoDataFrame, list[Note]]:
    """The sites of ``type_id`` that count: status open (and planned with
    ``include_planned``), with a point location. Rows listed but not located (no geometry,
    e.g. an address-only import) never count toward coverage; they are reported in a note.

    Returns the counted sites (table order kept) and the notes.
    """
    from geo.services import select_located
    if len(sites) == 0:
        return sites, []
    chosen, left_out = select_located(sites, type_id, include_planned=include_planned)
    notes = []
    if left_out:
        notes.append(Note("note.sites_unlocated", {"n": left_out, "type": type_id}, "warning"))
    return chosen, notes


def with_library(default: gpd.GeoDataFrame, library: gpd.GeoDataFrame
                 ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The site table the analysis uses: the planner's library layers, and the default
    (public) layers only for the service types no library layer covers — a planner's own
    list of a type is taken as the city's list of that type, never added on top of the
    public one. Returns the table and the type ids whose default layer was replaced."""
    import pandas as pd
    if len(library) == 0:
        return default, []
    covered = set(library["type"].dropna())
    replaced = sorted(covered & set(default["type"].dropna())) if len(default) else []
    keep = default[~default["type"].isin(covered)] if len(default) else default
    parts = [p for p in (keep, library.to_crs(default.crs) if default.crs else library)
             if len(p)]
    table = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                             crs=parts[0].crs)
    clash = table["site_id"].astype(str).duplicated(keep=False)
    if clash.any():
        raise ValueError("site_id used twice in the site table: "
                         + ", ".join(sorted(set(table.loc[clash, "site_id"].astype(str)))[:10]))
    return table, replaced
