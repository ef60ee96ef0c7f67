"""A site belongs to the district its point lies in — the whole village polygon, not only
its built-up land — whatever its district text says; the text is the fallback only for a
point outside every village."""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import Point

from analysis.context import load_context
from coverage.metrics import site_towncodes


def test_site_off_built_up_land_counts_in_its_district(data_dir):
    ctx = load_context(data_dir, library=False)
    v = ctx.villages
    fuxing = v[v["district"] == "復興區"]
    code = fuxing.index[0]
    village = fuxing.geometry.loc[code]
    settled = gpd.GeoSeries([fuxing.loc[code, "settled_geometry"]], crs=4326).iloc[0]
    # a point of the village polygon that is not on its built-up land (mountain)
    point = village.difference(settled.buffer(0.005)).representative_point()
    assert village.contains(point) and not settled.contains(point)
    sites = gpd.GeoDataFrame({"site_id": ["a", "b"], "district": ["桃園區", "大溪區"]},
                             geometry=[point, Point(120.5, 24.0)], crs=4326)  # b: at sea
    towns = site_towncodes(sites, v)
    assert towns.tolist() == [fuxing.loc[code, "TOWNCODE"], "68000030"]  # 大溪區 by its text
