"""What the data page does to the site library (no Streamlit here, so it is tested
directly): read an uploaded site list into a layer, place one unlocated row, and say in
the page's language why a change was refused.

Every change is a new version of a layer (:mod:`store.layers`) based on the version the
page showed, so two sessions never overwrite each other: the later one is told
(:class:`store.LayerConflict`) and keeps its data.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import MAP_CRS
from geo.imports import ImportResult, read_sites
from geo.services import is_located
from i18n import t
from ui import fmt
from store import (LayerConflict, LayerError, LayerNotFound, layer_versions, load_layer,
                   save_layer)
from store.layers import LayerInfo
from store.site_ids import unique_site_ids

__all__ = ["read_upload", "store_import", "place_site", "conflict_text",
           "unlocated_rows", "PRECISIONS"]

PRECISIONS = ("exact", "village", "geocoder", "hand")  # how a site was located


def read_upload(file_name: str, data: bytes, *, service_type: str | None, villages,
                geocoder=None) -> ImportResult:
    """:func:`geo.imports.read_sites` on an uploaded file (written to a temporary file of
    the same name: the reader picks the format by its suffix). Address-only rows that name
    their 里 go to the village's demand point (``villages``: the context's table, built-up
    demand points). Raises :class:`geo.quality.InputError` for an unreadable file."""
    name = Path(file_name).name or "upload.csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return read_sites(path, service_type=service_type, source=name, villages=villages,
                          geocoder=geocoder)


def store_import(result: ImportResult, name: str, *, expected_version: int,
                 service_type: str | None, author: str, source_file: str,
                 default_sites: gpd.GeoDataFrame) -> LayerInfo:
    """Save the sites read as the next version of layer ``name`` (``expected_version``: the
    version it replaces, 0 = a new layer). Raises ``LayerConflict`` when the stored version
    differs, ``ValueError`` for a bad name or an empty list."""
    if not len(result.sites):
        raise ValueError("no site could be read from the file; nothing stored")
    public = default_sites["site_id"].astype(str) if len(default_sites) else ()
    sites = unique_site_ids(result.sites, name, public_ids=public)
    return save_layer(name, sites, expected_version=expected_version,
                      types=[service_type] if service_type else None, author=author,
                      source_file=source_file)


def unlocated_rows() -> pd.DataFrame:
    """Every listed-not-located site of the library (status open or planned, no point):
    layer, version, site_id, name, type, district, address; layers by name, rows in
    their order."""
    rows = []
    for name, version in layer_versions().items():
        sites = load_layer(name, version=version).sites
        todo = sites[~is_located(sites).to_numpy() & sites["status"].isin(["open", "planned"])]
        for _, r in todo.iterrows():
            rows.append({"layer": name, "version": version, "site_id": str(r["site_id"]),
                         "name": str(r["name"]), "type": str(r["type"]),
                         "district": r["district"] if isinstance(r["district"], str) else "",
                         "address": r["address"] if isinstance(r["address"], str) else ""})
    return pd.DataFrame(rows, columns=["layer", "version", "site_id", "name", "type",
                                       "district", "address"])


def place_site(layer: str, site_id: str, *, lon: float, lat: float, precision: str,
               expected_version: int, author: str = "",
               districts: gpd.GeoDataFrame | None = None) -> LayerInfo:
    """Put site ``site_id`` of ``layer`` at ``lon`` / ``lat`` (EPSG:4326) with
    ``located_by`` = ``precision`` ("village", "hand" or "geocoder") and save it as the
    next version, based on ``expected_version`` (``LayerConflict`` when the layer changed
    since). A blank district is filled from ``districts`` (the point's district)."""
    if precision not in PRECISIONS[1:]:
        raise ValueError(f"precision {precision!r}; expected one of {PRECISIONS[1:]}")
    if not (np.isfinite(lon) and np.isfinite(lat)):
        raise ValueError(f"lon/lat {lon!r}, {lat!r}; expected finite degrees")
    stored = load_layer(layer)
    if stored.info.version != expected_version:
        raise LayerConflict(f"layer {layer!r} was changed by another session: stored version "
                            f"{stored.info.version}, yours is based on version "
                            f"{expected_version}")
    sites = stored.sites.copy()
    hit = np.flatnonzero(sites["site_id"].astype(str).to_numpy() == str(site_id))
    if not len(hit):
        raise LayerNotFound(f"layer {layer!r} has no site {site_id!r}")
    k = int(hit[0])
    geoms = sites.geometry.to_numpy().copy()
    geoms[k] = shapely.Point(float(lon), float(lat))
    sites = sites.set_geometry(gpd.GeoSeries(geoms, index=sites.index, crs=MAP_CRS))
    sites["located_by"] = sites["located_by"].astype(object)
    sites["precision"] = sites["precision"].astype(object)
    sites.iat[k, sites.columns.get_loc("located_by")] = precision
    sites.iat[k, sites.columns.get_loc("precision")] = precision
    if districts is not None and not isinstance(sites["district"].iat[k], str):
        inside = districts[districts.contains(shapely.Point(float(lon), float(lat)))]
        if len(inside):
            sites["district"] = sites["district"].astype(object)
            sites.iat[k, sites.columns.get_loc("district")] = str(inside["district"].iloc[0])
    return save_layer(layer, sites, expected_version=expected_version,
                      types=stored.info.types, source_file=stored.info.source_file,
                      author=author or stored.info.author)


def conflict_text(exc: Exception, layer: str, based_on: int, lang: str) -> str:
    """Why a change of ``layer`` (based on version ``based_on``) was refused, in words; the
    user's data is kept either way."""
    if isinstance(exc, LayerConflict):
        try:
            stored = layer_versions([layer])[layer]
        except (LayerNotFound, LayerError, OSError):
            stored = 0
        if based_on == 0 and stored:
            return t("lib.conflict_exists", lang, name=layer, v=stored)
        if stored == 0:
            return t("lib.conflict_deleted", lang, name=layer, v=based_on)
        return t("lib.conflict_changed", lang, name=layer, v=stored, based=based_on)
    if isinstance(exc, LayerNotFound):
        return t("lib.not_found", lang, name=layer)
    return t("lib.store_error", lang, err=fmt.error_text(exc, lang))
