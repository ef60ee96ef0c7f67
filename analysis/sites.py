"""Which sites count: one rule for every question (type, status, located)."""
from __future__ import annotations

import geopandas as gpd

from analysis.notes import Note

__all__ = ["counted_sites", "STATUSES_COUNTED"]

STATUSES_COUNTED = {False: ("open",), True: ("open", "planned")}


def counted_sites(sites: gpd.GeoDataFrame, type_id: str, *, include_planned: bool = False
                  ) -> tuple[gpd.GeoDataFrame, list[Note]]:
    """The sites of ``type_id`` that count: status open (and planned with
    ``include_planned``), with a point location. Rows listed but not located (no geometry,
    e.g. an address-only import) never count toward coverage; they are reported in a note.

    Returns the counted sites (table order kept) and the notes.
    """
    if len(sites) == 0:
        return sites, []
    ok = STATUSES_COUNTED[bool(include_planned)]
    chosen = sites[(sites["type"] == type_id) & sites["status"].isin(ok)]
    geom = chosen.geometry
    located = ~(geom.isna() | geom.is_empty)
    notes = []
    if not located.all():
        notes.append(Note("note.sites_unlocated", {"n": int((~located).sum()), "type": type_id},
                          "warning"))
        chosen = chosen[located]
    return chosen, notes
