"""Export a site-library layer version to CSV, GeoJSON or GeoPackage.

* CSV: UTF-8 with a byte-order mark (what spreadsheet programs call "CSV UTF-8", so 中文
  names open correctly), every column but the geometry, then ``lon`` and ``lat``
  (EPSG:4326 degrees, blank for unlocated rows);
* GeoJSON: a FeatureCollection in EPSG:4326 (lon, lat), ``null`` geometry for unlocated rows;
* GPKG: a copy of the stored version file (``sites`` layer plus its ``layer_info`` table).

Written atomically (:func:`common.files.atomic_write`); an existing file is replaced only
with ``overwrite``, and never when it is one of the library's own files.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import shapely

from common.files import atomic_write, refuse_overwriting_inputs, refuse_writing_inside
from store._paths import layers_dir
from store.layers import load_layer

__all__ = ["EXPORT_FORMATS", "export_layer", "export_format"]

EXPORT_FORMATS = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg"}


def export_format(dest: str | os.PathLike, fmt: str | None = None) -> str:
    """``fmt`` (csv / geojson / gpkg) or the one the file suffix names; ``ValueError``
    naming the path and the accepted suffixes otherwise."""
    if fmt is not None:
        if fmt not in set(EXPORT_FORMATS.values()):
            raise ValueError(f"export format {fmt!r}; expected one of csv, geojson, gpkg")
        return fmt
    suffix = Path(dest).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(f"{dest}: cannot tell the export format from the suffix "
                         f"{suffix or '(none)'!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    return EXPORT_FORMATS[suffix]


def _csv_table(sites) -> pd.DataFrame:
    geom = sites.geometry
    values = geom.to_numpy()
    located = ~(shapely.is_missing(values) | shapely.is_empty(values))
    table = pd.DataFrame(sites.drop(columns=[geom.name, "lon", "lat"], errors="ignore"))
    table["lon"] = pd.Series(float("nan"), index=table.index)
    table["lat"] = pd.Series(float("nan"), index=table.index)
    table.loc[located, "lon"] = geom[located].x
    table.loc[located, "lat"] = geom[located].y
    return table


def export_layer(name: str, dest: str | os.PathLike, *, version: int | None = None,
                 fmt: str | None = None, store: str | os.PathLike | None = None,
                 overwrite: bool = False) -> Path:
    """Write layer ``name`` (``version``, default current) to ``dest`` and return the path.

    ``fmt``: csv, geojson or gpkg (default: from the suffix). Raises ``LayerNotFound``,
    ``FileExistsError`` (``dest`` exists and not ``overwrite``), ``FileNotFoundError`` (no
    such output folder) and ``ValueError`` (unknown format, ``dest`` is a library file).
    """
    kind = export_format(dest, fmt)
    dest = Path(dest).expanduser()
    layer = load_layer(name, version=version, store=store)
    refuse_overwriting_inputs(dest, [layer.info.path])
    refuse_writing_inside(dest, {"the site library": layers_dir(store)})
    if dest.exists() and not overwrite:
        raise FileExistsError(f"{dest}: file exists (pass overwrite / --overwrite to "
                              "replace it)")

    def write(tmp: Path) -> None:
        if kind == "gpkg":
            shutil.copyfile(layer.info.path, tmp)
        elif kind == "geojson":
            pyogrio.write_dataframe(layer.sites, tmp, driver="GeoJSON", layer=Path(dest).stem)
        else:
            _csv_table(layer.sites).to_csv(tmp, index=False, encoding="utf-8-sig")
    return atomic_write(dest, write)
