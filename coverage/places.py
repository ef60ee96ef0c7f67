"""Where villages and districts are, for scenario edits (pure: no file is read here).

:func:`build_places` turns a village table and a district table into :class:`Places`: each
village's demand point as lon/lat (EPSG:4326) with its district and village names, the
district polygons, their bounding box and the boundary vintage the village codes belong to
(codes differ between vintages: 504 villages in 2021, 516 from 2023).
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import MAP_CRS, METRIC_CRS

__all__ = ["Places", "build_places", "dataset_places", "district_at", "village_point"]


@dataclass(frozen=True, eq=False)
class Places:
    """The geography edits need, built by :func:`build_places` (no file is read here).

    ``villages``: index VILLCODE, columns lon, lat (EPSG:4326: the village's demand point),
    district, village. ``districts``: column district and polygons (EPSG:4326).
    ``bbox``: (min lon, min lat, max lon, max lat) of the districts. ``vintage``: the
    boundary vintage the codes belong to (codes differ between vintages).
    """

    villages: pd.DataFrame
    districts: gpd.GeoDataFrame
    bbox: tuple[float, float, float, float]
    vintage: str


def build_places(villages: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *,
                 vintage: str) -> Places:
    """:class:`Places` from a village table (index VILLCODE, columns district, village,
    polygons; optional ``demand_x`` / ``demand_y``, EPSG:3826 metres) and a district table
    (column district, polygons). A village's point is its demand point where both demand
    columns are given, else its ``point_on_surface`` computed in EPSG:3826."""
    surface = villages.geometry.to_crs(METRIC_CRS).representative_point()
    x = surface.x.to_numpy(dtype="float64", copy=True)
    y = surface.y.to_numpy(dtype="float64", copy=True)
    if "demand_x" in villages.columns and "demand_y" in villages.columns:
        dx = pd.to_numeric(villages["demand_x"], errors="coerce").to_numpy(dtype="float64")
        dy = pd.to_numeric(villages["demand_y"], errors="coerce").to_numpy(dtype="float64")
        given = np.isfinite(dx) & np.isfinite(dy)
        x[given], y[given] = dx[given], dy[given]
    pts = gpd.GeoSeries.from_xy(x, y, crs=METRIC_CRS).to_crs(MAP_CRS)
    table = pd.DataFrame({"lon": pts.x.to_numpy(), "lat": pts.y.to_numpy(),
                          "district": villages["district"].to_numpy(),
                          "village": villages["village"].to_numpy()},
                         index=villages.index.astype(str).rename("VILLCODE"))
    if table.index.has_duplicates:
        dup = sorted(set(table.index[table.index.duplicated()]))[:5]
        raise ValueError(f"village table: duplicate VILLCODE(s) {dup}")
    polygons = districts[["district", "geometry"]].to_crs(MAP_CRS).reset_index(drop=True)
    return Places(table, polygons, tuple(float(v) for v in polygons.total_bounds), str(vintage))


def dataset_places(ds) -> Places:
    """:func:`build_places` of a :class:`geo.dataset.Dataset` (its villages, districts and
    boundary vintage)."""
    return build_places(ds.villages, ds.districts, vintage=ds.vintages.get("boundaries", ""))


def village_point(places: Places, villcode: str) -> tuple[float, float]:
    """(lon, lat) EPSG:4326 of a village's point; unknown codes raise ValueError."""
    if not isinstance(villcode, str) or villcode not in places.villages.index:
        raise ValueError(f"unknown village code {villcode!r}; expected a VILLCODE of the "
                         f"boundaries {places.vintage!r}")
    row = places.villages.loc[villcode]
    return float(row["lon"]), float(row["lat"])


def district_at(places: Places, lon: float, lat: float) -> str | None:
    """The district containing lon/lat (EPSG:4326), or None (outside the districts)."""
    districts = places.districts
    hit = shapely.contains_xy(districts.geometry.values, lon, lat)
    return str(districts["district"].values[np.argmax(hit)]) if hit.any() else None
