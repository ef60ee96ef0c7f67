"""Site ids that stay unique across the site library: the analysis needs each ``site_id``
once, and two lists imported without an id column both get ``<type>-imp-<row>``."""
from __future__ import annotations

import os
from collections.abc import Iterable

import geopandas as gpd

from store.layers import layer_versions, library_sites

__all__ = ["unique_site_ids"]


def unique_site_ids(sites: gpd.GeoDataFrame, name: str, *, public_ids: Iterable[str] = (),
                    store: str | os.PathLike | None = None) -> gpd.GeoDataFrame:
    """``sites`` (to be stored as layer ``name``) with every ``site_id`` that the public
    layers (``public_ids``) or another layer of the library already use written as
    ``<name>:<id>`` (``<name>:<id>~2`` ... when that is taken too, by another layer or
    by this list); unchanged (the same object) when nothing clashes.

    Examples
    --------
    Two lists without ids both read as ``css-imp-1``: the second layer's becomes
    ``B:css-imp-1``.
    """
    taken = {str(i) for i in public_ids}
    others = [n for n in layer_versions(store=store) if n != name]
    if others:
        table, _ = library_sites(others, store=store)
        taken |= set(table["site_id"].astype(str))
    ids = sites["site_id"].astype(str).tolist()
    if not taken.intersection(ids):
        return sites
    used = taken | set(ids)
    new = []
    for sid in ids:
        if sid in taken:  # <layer>:<id>, then <layer>:<id>~2 ... until no one has it
            candidate, k = f"{name}:{sid}", 1
            while candidate in used:
                k += 1
                candidate = f"{name}:{sid}~{k}"
            used.add(candidate)
            sid = candidate
        new.append(sid)
    out = sites.copy()
    out["site_id"] = new
    return out
