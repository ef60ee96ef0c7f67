"""Residents where they live: each village's demand point on its built-up land.

Built-up land is the BuiltupA layer (f_code AL020) of the NLSC 1:25,000 topographic map,
2024 (``[files.builtup]`` in the city profile). For each village, in EPSG:3826:

- ``settled`` = the union of the built-up polygons clipped to the village polygon;
- the demand point is the centroid of ``settled``; when that centroid is not on the
  settled land (scattered hamlets in 復興區, whose centroid falls on an empty slope, or a
  crescent whose centroid falls outside the village), it moves to the nearest point of
  ``settled`` (shrunk by ``SNAP_INSET_M`` so the point is strictly inside the land, hence
  inside the village);
- a village without any built-up polygon keeps today's point (the village polygon's
  point_on_surface, computed in EPSG:3826) and its whole polygon as ``settled``, and is
  listed (``demand_point_source == "polygon"``).

One point per village, not one per built-up patch: every result (coverage, 2SFCA, hotspots,
reports, the optimiser's demand) stays keyed by VILLCODE with one row per village, so the
population figures, the joins and the 2021↔2023 crosswalk stay exact; the spread of a
village's residents over several patches is what the area-weighted mode models (the share of
``settled_geometry`` within reach), and that mode now uses the built-up land too.

The built-up overlay (11k polygons) is cached on disk (``$SAFETYNET_CACHE``, else
``~/.cache/safetynet``), keyed by a SHA-256 of the built-up files, the village polygons and
the method version, so a warm load reads one small GeoParquet file.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import nearest_points

from common.files import atomic_write
from geo import MAP_CRS, METRIC_CRS
from geo.boundaries import repair_polygons
from geo.city import city

__all__ = ["DEMAND_COLUMNS", "ENV_CACHE", "SNAP_INSET_M", "builtup_files", "builtup_label",
           "cache_dir", "inputs_digest", "load_builtup", "demand_points",
           "attach_demand_points"]

ENV_CACHE = "SAFETYNET_CACHE"
SNAP_INSET_M = 0.5  # a snapped point lies this far inside the built-up land (metres)
DEMAND_COLUMNS = ["demand_x", "demand_y", "demand_point_source", "settled_geometry",
                  "builtup_m2", "demand_snapped"]
_METHOD_VERSION = "demand-points-2"  # bump when the method changes (invalidates caches)


def builtup_label() -> str:
    """Source and vintage of the built-up layer (city profile)."""
    return city().files.get("builtup", {}).get("label", "built-up land")


def builtup_files(data_dir: str | os.PathLike) -> list[Path]:
    """The built-up shapefiles (one per map sheet) under ``data_dir``; [] when absent."""
    folder = Path(data_dir) / city().files["builtup"]["dir"]
    return sorted(folder.glob("*.shp")) if folder.is_dir() else []


def cache_dir() -> Path:
    """``$SAFETYNET_CACHE``, else ``~/.cache/safetynet`` (created when missing)."""
    path = Path(os.environ.get(ENV_CACHE) or Path.home() / ".cache" / "safetynet").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_builtup(data_dir: str | os.PathLike) -> gpd.GeoDataFrame:
    """Built-up polygons (f_code of the profile, AL020) of every sheet, repaired, in
    EPSG:3826, with columns sheet and geometry. Raises ``FileNotFoundError`` when absent."""
    files = builtup_files(data_dir)
    if not files:
        raise FileNotFoundError(
            f"built-up land not found: {Path(data_dir) / city().files['builtup']['dir']}/*.shp")
    return _read_builtup(tuple(files))


@lru_cache(maxsize=2)
def _read_builtup(files: tuple[Path, ...]) -> gpd.GeoDataFrame:
    code = city().files["builtup"].get("f_code")
    parts = []
    for path in files:
        gdf = gpd.read_file(path, engine="pyogrio", columns=["f_code"])
        if code:
            gdf = gdf[gdf["f_code"] == code]
        parts.append(gdf.assign(sheet=path.stem)[["sheet", "geometry"]])
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    out["geometry"] = repair_polygons(out.geometry)
    return out.to_crs(METRIC_CRS)


def _settled(polys: np.ndarray, builtup: np.ndarray) -> np.ndarray:
    """Per village polygon: the union of the built-up land inside it (None where none)."""
    tree = shapely.STRtree(builtup)
    vi, bi = tree.query(polys, predicate="intersects")
    pieces = shapely.intersection(polys[vi], builtup[bi])
    keep = shapely.area(pieces) > 0
    out = np.full(len(polys), None, dtype=object)
    frame = pd.DataFrame({"v": vi[keep], "g": pieces[keep]})
    for v, group in frame.groupby("v"):
        geom = shapely.union_all(group["g"].to_numpy())
        polygonal = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
        out[v] = shapely.multipolygons(polygonal) if polygonal else None
    return out


def _point(village, settled) -> tuple[shapely.Point, bool]:
    """Centroid of the settled land, or (snapped) the settled point nearest to it."""
    centroid = settled.centroid
    if settled.contains(centroid) and village.contains(centroid):
        return centroid, False
    inner = settled.buffer(-SNAP_INSET_M)
    target = inner if not inner.is_empty else settled
    point = nearest_points(target, centroid)[0]
    if not village.contains(point):
        point = target.point_on_surface()
    return point, True


def demand_points(villages: gpd.GeoDataFrame, builtup: gpd.GeoDataFrame) -> pd.DataFrame:
    """Demand point of every village (index as ``villages``).

    Columns: demand_x, demand_y (EPSG:3826 metres), demand_point_source ("built-up" or
    "polygon"), settled_geometry (GeoSeries, EPSG:4326: the built-up land within the
    village, or the village polygon where it has none), builtup_m2 (m²), demand_snapped
    (the centroid was off the built-up land and was moved onto it).
    """
    polys = villages.geometry.to_crs(METRIC_CRS).to_numpy()
    settled = _settled(polys, builtup.geometry.to_crs(METRIC_CRS).to_numpy())
    xs, ys, source, snapped, geoms = [], [], [], [], []
    for village, land in zip(polys, settled):
        if land is None:
            point, moved, kind, land = village.point_on_surface(), False, "polygon", village
        else:
            (point, moved), kind = _point(village, land), "built-up"
        xs.append(point.x), ys.append(point.y), source.append(kind)
        snapped.append(moved), geoms.append(land)
    geoms = gpd.GeoSeries(geoms, index=villages.index, crs=METRIC_CRS)
    return pd.DataFrame({
        "demand_x": np.asarray(xs, float), "demand_y": np.asarray(ys, float),
        "demand_point_source": source,
        "settled_geometry": geoms.to_crs(MAP_CRS),
        "builtup_m2": np.where(np.asarray(source) == "built-up", geoms.area.to_numpy(), 0.0),
        "demand_snapped": snapped}, index=villages.index)


def inputs_digest(files: list[Path], *extra: bytes) -> str:
    """SHA-256 (32 hex digits) of files (a shapefile with its .dbf and .shx) and extra bytes:
    the cache key of a result derived from them."""
    h = hashlib.sha256()
    for path in files:
        for part in dict.fromkeys((path, path.with_suffix(".dbf"), path.with_suffix(".shx"))):
            h.update(part.name.encode())
            h.update(part.read_bytes() if part.is_file() else b"")
    for chunk in extra:
        h.update(chunk)
    return h.hexdigest()[:32]


def _cache_key(villages: gpd.GeoDataFrame, files: list[Path]) -> str:
    wkb = shapely.to_wkb(villages.geometry.to_crs(MAP_CRS).to_numpy())
    return inputs_digest(files, _METHOD_VERSION.encode(),
                         "\n".join(villages.index.astype(str)).encode(), *wkb)


def attach_demand_points(villages: gpd.GeoDataFrame, data_dir: str | os.PathLike, *,
                         cache: bool = True) -> gpd.GeoDataFrame:
    """``villages`` with the :data:`DEMAND_COLUMNS` added (see :func:`demand_points`),
    computed from the built-up land of ``data_dir`` and cached (see module docstring).
    Raises ``FileNotFoundError`` when the built-up layer is absent."""
    files = builtup_files(data_dir)
    if not files:
        load_builtup(data_dir)  # raises the error naming the folder
    path = cache_dir() / f"demand_points_{_cache_key(villages, files)}.parquet" if cache else None
    if path is not None and path.is_file():
        table = gpd.read_parquet(path)
        table = pd.DataFrame(table.drop(columns="geometry")).assign(
            settled_geometry=table.geometry)
    else:
        table = demand_points(villages, load_builtup(data_dir))
        if path is not None:
            store = gpd.GeoDataFrame(table.drop(columns="settled_geometry"),
                                     geometry=table["settled_geometry"], crs=MAP_CRS)
            atomic_write(path, lambda tmp: store.to_parquet(tmp))
    out = villages.drop(columns=[c for c in DEMAND_COLUMNS if c in villages]).join(
        table[DEMAND_COLUMNS])
    out["settled_geometry"] = gpd.GeoSeries(out["settled_geometry"], crs=MAP_CRS)
    return out
