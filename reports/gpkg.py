"""The GeoPackage for QGIS (pyogrio, EPSG:4326, English ASCII layer and column names).

Layers: ``villages`` (polygons; every result column of each type as ``<type>_<column>``,
the hotspot statistic as ``hotspot_<column>``, with a scenario ``<type>_covered_baseline``
and ``<type>_coverage_change``), ``districts`` (polygons; ``<type>_<column>`` of the
district table), ``sites`` (points, with ``counted``, ``located_by`` / ``precision`` when
the site table has them), and where present ``baseline_sites``, ``scenario_edits``
(points), ``hotspot_regions`` (polygons), ``service_areas`` (road mode: ``type``,
``site_id``, nodes, edges, road_m and the reachable roads as lines), and the attribute tables ``city_summary``, ``access_profile`` and
``sources``. Infinite distances are NULL. Distances are metres (seconds with travel time).
"""
from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import MAP_CRS
from reports import tables as T
from reports.data import ReportData

__all__ = ["gpkg_layers", "write_gpkg"]


def _finite(df: pd.DataFrame) -> pd.DataFrame:
    """inf -> NaN in float columns; lists -> comma-joined text; other objects -> text;
    geometry columns other than the active one (e.g. settled land) left out."""
    out = df.copy()
    active = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    out = out.drop(columns=[c for c in out.columns if c != active
                            and isinstance(out[c].dtype, gpd.array.GeometryDtype)])
    for c in out.columns:
        if c == active:
            continue
        s = out[c]
        if pd.api.types.is_float_dtype(s):
            out[c] = s.replace([np.inf, -np.inf], np.nan)
        elif s.dtype == object:
            out[c] = s.map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple))
                           else (None if v is None or (isinstance(v, float) and math.isnan(v))
                                 else str(v)))
    return out


def _village_layer(data: ReportData) -> gpd.GeoDataFrame:
    v = data.villages.to_crs(MAP_CRS).copy()
    for tid, r in data.results.items():
        cols = r.villages.drop(columns=["TOWNCODE", "district", "village", "population"])
        v = v.join(cols.add_prefix(f"{tid}_"))
    comp = data.scenario.comparison if data.scenario is not None else None
    for tid, c in (comp.types.items() if comp is not None else ()):
        v[f"{tid}_covered_baseline"] = c.covered_before.reindex(v.index)
        v[f"{tid}_coverage_change"] = (c.covered_after - c.covered_before).reindex(v.index)
    if data.hotspots is not None:
        h = data.hotspots.villages.drop(columns=["district", "village"], errors="ignore")
        v = v.join(h.add_prefix("hotspot_"))
    return v.reset_index()


def _district_layer(data: ReportData) -> gpd.GeoDataFrame:
    d = data.districts.to_crs(MAP_CRS).copy()
    for tid, r in data.results.items():
        d = d.join(r.districts.drop(columns="district").add_prefix(f"{tid}_"))
    return d.reset_index()


def _site_layer(sites: gpd.GeoDataFrame, counted: set) -> gpd.GeoDataFrame:
    s = sites.to_crs(MAP_CRS).copy()
    s["counted"] = s["site_id"].astype(str).isin(counted)
    return s


def _edit_layer(data: ReportData) -> gpd.GeoDataFrame | None:
    part = data.scenario
    if part is None or not len(part.edits):
        return None
    e = T.edits_table(data)
    loc = pd.concat([data.sites.set_index(data.sites["site_id"].astype(str)).geometry,
                     part.baseline_sites.set_index(
                         part.baseline_sites["site_id"].astype(str)).geometry])
    loc = loc[~loc.index.duplicated()]
    geom = gpd.GeoSeries(e["site_id"].astype(str).map(loc).to_numpy(), crs=data.sites.crs)
    return gpd.GeoDataFrame(e, geometry=geom.to_crs(MAP_CRS).to_numpy(), crs=MAP_CRS)


def _region_layer(data: ReportData) -> gpd.GeoDataFrame | None:
    if data.hotspots is None or not len(data.hotspots.regions):
        return None
    table = T.region_table(data, "en")
    villages = data.villages.to_crs(MAP_CRS)
    geoms = [villages.loc[list(m)].union_all() for m in data.hotspots.regions["villages"]]
    return gpd.GeoDataFrame(table, geometry=geoms, crs=MAP_CRS)


def _area_layer(data: ReportData) -> gpd.GeoDataFrame | None:
    parts = [a.assign(type=tid) for tid, a in data.service_areas.items() if len(a)]
    if not parts:
        return None
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=MAP_CRS)
    return out[["type", *[c for c in out.columns if c != "type"]]]


def gpkg_layers(data: ReportData) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """The GeoPackage's layers by name (see the module docstring), in writing order."""
    counted = set().union(*(set(r.sites["site_id"].astype(str)) for r in data.results.values()))
    layers: dict[str, gpd.GeoDataFrame | pd.DataFrame | None] = {
        "villages": _village_layer(data), "districts": _district_layer(data),
        "sites": _site_layer(data.sites, counted)}
    if data.scenario is not None:
        layers["baseline_sites"] = data.scenario.baseline_sites.to_crs(MAP_CRS)
        layers["scenario_edits"] = _edit_layer(data)
    layers["hotspot_regions"] = _region_layer(data)
    layers["service_areas"] = _area_layer(data)
    layers["city_summary"] = T.city_table(data, "en")
    layers["access_profile"] = T.access_table(data, "en")
    layers["sources"] = T.sources_table(data, "en")
    return {k: v for k, v in layers.items() if v is not None}


def write_gpkg(data: ReportData, path: str | Path) -> None:
    """Write every layer of :func:`gpkg_layers` to a new GeoPackage at ``path``."""
    import pyogrio
    for name, layer in gpkg_layers(data).items():
        pyogrio.write_dataframe(_finite(layer), path, layer=name, driver="GPKG",
                                append=Path(path).exists())
