"""One stored version of a site-library layer: a standalone GeoPackage with two layers.

* ``layer_info`` — attribute table, one row: format, name, version, types (JSON list),
  source_file, author, created (the layer's first version), modified (this version), n_sites,
  n_unlocated (rows without geometry), based_on (the version a rollback copied, else null),
  columns (JSON list of [column, dtype]: restores every column's dtype on reading);
* ``sites`` — the site table as given (every column), points EPSG:4326, empty geometry
  (``POINT EMPTY``) or missing geometry allowed ("unlocated" rows) and kept as given.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo import MAP_CRS
from geo.services import SERVICE_TYPES
from store._gpkg import (column_dtypes, read_layer, read_meta_row, restore_dtypes,
                         text_or_empty)

__all__ = ["FORMAT", "INFO_LAYER", "SITES_LAYER", "prepare_sites", "read_info",
           "read_version_sites", "write_version"]

FORMAT = "safetynet-layer/1"
INFO_LAYER, SITES_LAYER = "layer_info", "sites"
_INFO_TEXT = ("name", "source_file", "author", "created", "modified")


def prepare_sites(sites: object, *, name: str) -> gpd.GeoDataFrame:
    """The site table to store (EPSG:4326, RangeIndex, geometry column ``geometry``), or
    ``ValueError`` naming the layer, row and value: not a GeoDataFrame, no CRS, a geometry
    that is not a point, a missing / blank / repeated ``site_id``, an unknown ``type``."""
    where = f"layer {name!r}"
    if not isinstance(sites, gpd.GeoDataFrame):
        raise ValueError(f"{where}: expected a site table (GeoDataFrame), "
                         f"got {type(sites).__name__}")
    if sites.crs is None:
        raise ValueError(f"{where}: site table without a coordinate reference system")
    out = sites.to_crs(MAP_CRS).reset_index(drop=True)
    if out.geometry.name != "geometry":
        out = out.rename_geometry("geometry")
    for col in ("site_id", "type"):
        if col not in out.columns:
            raise ValueError(f"{where}: site table without a {col!r} column; "
                             f"columns: {list(out.columns)}")
    kinds = out.geometry.geom_type
    bad = kinds.notna() & (kinds != "Point")
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise ValueError(f"{where}: row {i} (site_id {out.at[i, 'site_id']!r}): geometry "
                         f"{kinds.iloc[i]}; expected a point or none (unlocated)")
    ids = out["site_id"]
    blank = ids.isna() | (ids.astype(str).str.strip() == "")
    if blank.any():
        raise ValueError(f"{where}: row {int(blank.to_numpy().argmax())}: blank site_id; "
                         "expected a unique id per site")
    dup = ids[ids.duplicated()]
    if len(dup):
        raise ValueError(f"{where}: site_id {dup.iloc[0]!r} appears more than once "
                         f"(rows {list(ids.index[ids == dup.iloc[0]])}); expected unique ids")
    unknown = ~out["type"].isin(list(SERVICE_TYPES))
    if unknown.any():
        i = int(unknown.to_numpy().argmax())
        raise ValueError(f"{where}: row {i}: type {out.at[i, 'type']!r}; expected one of "
                         + ", ".join(SERVICE_TYPES))
    return out


def _storable(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns holding non-text values are written as text (nulls kept)."""
    out = sites.copy()
    for col in out.columns:
        if col == "geometry" or out[col].dtype != object:
            continue
        if pd.api.types.infer_dtype(out[col], skipna=True) not in ("string", "empty"):
            out[col] = out[col].map(lambda v: v if v is None or isinstance(v, str) else
                                    (None if pd.isna(v) else str(v)))
    return out


def write_version(path: Path, sites: gpd.GeoDataFrame, info: dict) -> None:
    """Write one version file at ``path`` (a fresh file): ``sites`` as prepared by
    :func:`prepare_sites`, ``info`` with the ``layer_info`` fields but columns / counts."""
    row = {**info, "format": FORMAT, "types": json.dumps(list(info["types"]), ensure_ascii=False),
           "n_sites": len(sites),
           "n_unlocated": int((shapely.is_missing(sites.geometry.to_numpy())
                               | shapely.is_empty(sites.geometry.to_numpy())).sum()),
           "based_on": info.get("based_on"),
           "columns": json.dumps(column_dtypes(sites), ensure_ascii=False)}
    pyogrio.write_dataframe(_storable(sites), path, layer=SITES_LAYER, driver="GPKG",
                            geometry_type="Point", SPATIAL_INDEX="NO")  # 2x faster writes
    meta = pd.DataFrame([row])
    meta["based_on"] = pd.array([row["based_on"]], dtype="Int64")
    pyogrio.write_dataframe(meta, path, layer=INFO_LAYER, driver="GPKG")


def read_info(path: Path, *, bad: Callable[[Path, str], Exception]) -> dict:
    """The ``layer_info`` row of a version file as a dict (types a tuple, based_on int or
    None, columns a list of [column, dtype])."""
    row = read_meta_row(path, INFO_LAYER, FORMAT, bad=bad)
    try:
        out = {key: text_or_empty(row.get(key)) for key in _INFO_TEXT}
        based = row.get("based_on")
        out.update(version=int(row["version"]), types=tuple(json.loads(row["types"])),
                   n_sites=int(row["n_sites"]), n_unlocated=int(row["n_unlocated"]),
                   based_on=None if based is None or pd.isna(based) else int(based),
                   columns=[list(c) for c in json.loads(row["columns"])])
    except (ValueError, TypeError, KeyError) as exc:
        raise bad(path, f"bad layer metadata ({exc})") from None
    return out


def read_version_sites(path: Path, info: dict, *,
                       bad: Callable[[Path, str], Exception]) -> gpd.GeoDataFrame:
    """The ``sites`` layer with the stored column order and dtypes restored."""
    sites = read_layer(path, SITES_LAYER, bad=bad)
    if len(sites) != info["n_sites"]:
        raise bad(path, f"'{SITES_LAYER}' has {len(sites)} rows; metadata says "
                  f"{info['n_sites']}")
    if sites.crs is None:
        sites = sites.set_crs(MAP_CRS)
    names = [c for c, _ in info["columns"]]
    if set(names) != set(sites.columns):
        raise bad(path, f"columns {sorted(sites.columns)}; metadata says {sorted(names)}")
    sites = restore_dtypes(sites, info["columns"])
    return gpd.GeoDataFrame(sites, geometry="geometry", crs=MAP_CRS)
