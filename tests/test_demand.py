"""Demand points on built-up land (geo.demand) and their use in coverage (distance/metrics)."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from coverage.distance import village_points
from coverage.metrics import area_covered_share, settled_polygons
from geo import MAP_CRS, METRIC_CRS
from geo.demand import (DEMAND_COLUMNS, SNAP_INSET_M, attach_demand_points, builtup_files,
                        demand_points, load_builtup)
from geo.population import load_village_table

X0, Y0 = 270_000.0, 2_760_000.0  # a place in Taoyuan, EPSG:3826 metres


def _sq(x0, y0, x1, y1):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture()
def fixture():
    """Four 1 km villages: A two built-up blocks (centroid between them, off the land),
    B a block crossing its east edge, C no built-up land, D one block."""
    villages = gpd.GeoDataFrame(
        {"TOWNCODE": ["68000010"] * 4},
        geometry=[_sq(0, 0, 1000, 1000), _sq(1000, 0, 2000, 1000), _sq(0, 1000, 1000, 2000),
                  _sq(1000, 1000, 2000, 2000)],
        index=pd.Index(["A", "B", "C", "D"], name="VILLCODE"), crs=METRIC_CRS).to_crs(MAP_CRS)
    builtup = gpd.GeoDataFrame(geometry=[
        _sq(100, 100, 300, 300), _sq(700, 100, 900, 200),   # A: 40,000 + 20,000 m²
        _sq(1800, 400, 2200, 600),                          # B: half of it inside B
        _sq(1200, 1200, 1400, 1300)], crs=METRIC_CRS)       # D: 20,000 m²
    return villages, builtup


def test_fixture_checked_by_hand(fixture):
    villages, builtup = fixture
    out = demand_points(villages, builtup)
    x, y = out["demand_x"] - X0, out["demand_y"] - Y0
    # A: centroid of the two blocks = ((200*4 + 800*2)/6, (200*4 + 150*2)/6) = (400, 183.33),
    # on no block: it moves to the nearest point of the land shrunk by 0.5 m: (299.5, 183.33)
    assert (x["A"], y["A"]) == pytest.approx((300 - SNAP_INSET_M, 1100 / 6), abs=1e-3)
    assert out.at["A", "demand_snapped"] and out.at["A", "builtup_m2"] == pytest.approx(60_000)
    # B: only the part inside the village counts: [1800, 2000] x [400, 600], centroid kept
    assert (x["B"], y["B"]) == pytest.approx((1900, 500), abs=1e-3)
    assert not out.at["B", "demand_snapped"] and out.at["B", "builtup_m2"] == pytest.approx(40_000)
    # C: no built-up land: today's point_on_surface of the polygon, whole polygon settled
    assert out.at["C", "demand_point_source"] == "polygon" and out.at["C", "builtup_m2"] == 0
    pos = villages.to_crs(METRIC_CRS).geometry["C"].point_on_surface()
    assert (out.at["C", "demand_x"], out.at["C", "demand_y"]) == pytest.approx((pos.x, pos.y))
    # D: one block, its centre
    assert (x["D"], y["D"]) == pytest.approx((1300, 1250), abs=1e-3)
    assert list(out["demand_point_source"]) == ["built-up", "built-up", "polygon", "built-up"]
    settled = gpd.GeoSeries(out["settled_geometry"])
    assert settled.crs.to_epsg() == 4326
    areas = settled.to_crs(METRIC_CRS).area
    assert areas.round(0).tolist() == [60_000, 40_000, 1_000_000, 20_000]


def test_coverage_uses_demand_points_and_settled_land(fixture):
    villages, builtup = fixture
    table = villages.join(demand_points(villages, builtup))
    xy = village_points(table)
    assert xy == pytest.approx(table[["demand_x", "demand_y"]].to_numpy())
    # without the columns (or with NaN), the polygon's point_on_surface (shapely, EPSG:3826)
    surface = [villages.to_crs(METRIC_CRS).geometry[c].point_on_surface() for c in villages.index]
    np.testing.assert_allclose(village_points(villages), [(p.x, p.y) for p in surface],
                               rtol=0, atol=1e-6)
    gone = table.assign(demand_x=[np.nan, *table["demand_x"].iloc[1:]])
    assert tuple(village_points(gone)[0]) == pytest.approx((surface[0].x, surface[0].y))
    np.testing.assert_array_equal(village_points(gone)[1:], xy[1:])
    assert shapely.area(settled_polygons(table)).round(0).tolist() == [60_000, 40_000,
                                                                      1_000_000, 20_000]
    # a 150 m disc at block A1's centre covers all of A1 (40,000 m²) and none of A2:
    # with residents on built-up land 2/3 of A is covered; spread over the polygon 4 %
    site = np.array([[X0 + 200, Y0 + 200]])
    assert area_covered_share(settled_polygons(table), site, 150.0)[0] == pytest.approx(2 / 3)
    assert area_covered_share(settled_polygons(villages), site, 150.0)[0] == \
        pytest.approx(np.pi * 150**2 / 1e6, rel=1e-3)


@pytest.fixture(scope="module")
def real(data_dir, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("SAFETYNET_CACHE", str(cache))
    villages, _ = load_village_table(data_dir)
    plain = villages.drop(columns=[c for c in DEMAND_COLUMNS if c in villages])
    out = attach_demand_points(plain, data_dir)
    yield plain, out, cache
    mp.undo()


def test_every_demand_point_lies_inside_its_village_on_its_land(real):
    plain, out, _ = real
    assert len(out) == 516 and out.index.equals(plain.index)
    pts = shapely.points(out[["demand_x", "demand_y"]].to_numpy())
    polys = plain.geometry.to_crs(METRIC_CRS).to_numpy()
    assert shapely.contains(polys, pts).all()
    settled = gpd.GeoSeries(out["settled_geometry"]).to_crs(METRIC_CRS).to_numpy()
    assert shapely.contains(settled, pts).all()
    # settled land lies within the village (to 1 m² of reprojection noise)
    assert (shapely.area(shapely.difference(settled, polys)) < 1.0).all()
    assert (out["demand_point_source"] == "built-up").all()  # every village has some


def test_fuxing_points_move_onto_built_up_land(real, data_dir):
    """復興區: the polygon's point_on_surface lands on mountain slopes; the demand point lies
    on the BuiltupA layer itself (read independently of the village clip)."""
    plain, out, _ = real
    fx = plain.index[plain["district"] == "復興區"]
    blocks = load_builtup(data_dir).geometry.to_numpy()
    tree = shapely.STRtree(blocks)
    new = shapely.points(out.loc[fx, ["demand_x", "demand_y"]].to_numpy())
    old = plain.loc[fx].geometry.to_crs(METRIC_CRS).representative_point().to_numpy()
    on_land = [len(tree.query(p, predicate="within")) > 0 for p in (*new, *old)]
    assert len(fx) == 10
    assert all(on_land[:10])
    assert sum(on_land[10:]) <= 2
    assert np.median(shapely.distance(old, new)) > 500  # metres


def test_cache_round_trip_and_key(real, data_dir):
    plain, out, cache = real
    files = list(cache.glob("demand_points_*.parquet"))
    assert len(files) == 1
    again = attach_demand_points(plain, data_dir)  # read from the cache
    geoms = ["geometry", "settled_geometry"]
    pd.testing.assert_frame_equal(pd.DataFrame(again.drop(columns=geoms)),
                                  pd.DataFrame(out.drop(columns=geoms)))
    assert gpd.GeoSeries(again["settled_geometry"]).geom_equals_exact(
        gpd.GeoSeries(out["settled_geometry"]), tolerance=0).all()
    # other villages (the 2021 set) are another key
    old, _ = load_village_table(data_dir, vintage="2021-03")
    attach_demand_points(old.drop(columns=[c for c in DEMAND_COLUMNS if c in old]), data_dir)
    assert len(list(cache.glob("demand_points_*.parquet"))) == 2


def test_missing_built_up_layer_is_a_clear_error(tmp_path, fixture):
    villages, _ = fixture
    assert builtup_files(tmp_path) == []
    with pytest.raises(FileNotFoundError, match="BuiltupA"):
        attach_demand_points(villages, tmp_path)
