"""Spatial weights of coverage.hotspots against libpysal built here (Queen, Graph,
DistanceBand, KNN, attach_islands), geopandas' intersects join and centroid distances:
queen and distance-band neighbours, islands linked to their nearest village, the report."""
from __future__ import annotations

import warnings

import geopandas as gpd
import libpysal
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from coverage import hotspots as hs
from geo import METRIC_CRS
from geo.boundaries import load_villages
from i18n.hotspot_notes import hotspot_method_note


@pytest.fixture(scope="module")
def villages() -> gpd.GeoDataFrame:
    return load_villages()


def libpysal_queen(gdf) -> libpysal.weights.W:
    """libpysal's Queen on the layer in EPSG:3826, independently of coverage.hotspots."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return libpysal.weights.Queen.from_dataframe(gdf.to_crs(METRIC_CRS), use_index=True,
                                                     silence_warnings=True)


def neighbour_pairs(neighbours) -> set[tuple[str, str]]:
    return {(str(a), str(b)) for a, ns in neighbours.items() for b in ns}


def grid_layer(n=3, size=1000.0, x0=250000.0, y0=2750000.0, **extra):
    cells = {f"{r}{c}": box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
             for r in range(n) for c in range(n)}
    cells.update(extra)
    return gpd.GeoDataFrame({"district": "測試區"}, geometry=list(cells.values()),
                            index=pd.Index(list(cells), name="VILLCODE"), crs=METRIC_CRS)


def test_queen_weights_equal_libpysal_and_shapely_on_taoyuan(villages):
    w, info = hs.build_weights(villages)
    assert w.id_order == list(villages.index)
    assert neighbour_pairs(w.neighbors) == neighbour_pairs(libpysal_queen(villages).neighbors)
    metric = villages.to_crs(METRIC_CRS)[["geometry"]].reset_index()
    j = gpd.sjoin(metric, metric, predicate="intersects")
    touching = {(a, b) for a, b in zip(j["VILLCODE_left"], j["VILLCODE_right"]) if a != b}
    assert neighbour_pairs(w.neighbors) == touching
    card = [len(w.neighbors[i]) for i in w.id_order]
    assert info["islands"] == [] and info["links_added"] == []
    assert (info["min_neighbours"], info["max_neighbours"]) == (min(card), max(card))
    assert info["n_components"] == nx.number_connected_components(nx.Graph(w.neighbors)) == 1


def test_queen_counts_a_shared_edge_without_a_common_vertex():
    # B is offset by half a cell: it shares 500 m of edge with A and with C but no vertex.
    # libpysal's Queen matches vertices and misses both; its Graph (strict, shapely) does not
    gdf = gpd.GeoDataFrame(geometry=[box(250000, 2750000, 251000, 2751000),
                                     box(251000, 2750500, 252000, 2751500),
                                     box(250000, 2751000, 251000, 2752000)],
                           index=pd.Index(["A", "B", "C"], name="VILLCODE"), crs=METRIC_CRS)
    assert hs.queen_neighbours(gdf) == {"A": ["B", "C"], "B": ["A", "C"], "C": ["A", "B"]}
    strict = libpysal.graph.Graph.build_contiguity(gdf, rook=False, strict=True).to_W()
    assert neighbour_pairs(hs.queen_neighbours(gdf)) == neighbour_pairs(strict.neighbors)
    assert libpysal_queen(gdf).neighbors["B"] == []


def test_one_island_is_linked_as_libpysal_attach_islands_does():
    gdf = grid_layer(XX=box(260000.0, 2750000.0, 261000.0, 2751000.0))  # 8 km east of column 2
    w, info = hs.build_weights(gdf)
    # nearest centroid: cell 02 at (252500, 2750500) vs XX at (260500, 2750500) -> 8000 m
    assert info["islands"] == ["XX"]
    assert info["links_added"] == [{"village": "XX", "neighbour": "02", "distance_m": 8000.0}]
    knn = libpysal.weights.KNN.from_dataframe(
        gpd.GeoDataFrame(geometry=gdf.centroid, index=gdf.index), k=1, use_index=True)
    attached = libpysal.weights.util.attach_islands(libpysal_queen(gdf), knn)
    assert neighbour_pairs(w.neighbors) == neighbour_pairs(attached.neighbors)
    assert w.neighbors["XX"] == ["02"] and "XX" in w.neighbors["02"]
    assert info["n_components"] == 1
    # distance band 1500 m: edge (1000 m) and corner (1414 m) neighbours, as libpysal's
    wd, infod = hs.build_weights(gdf, kind="distance", threshold_m=1500)
    band = libpysal.weights.DistanceBand.from_dataframe(
        gpd.GeoDataFrame(geometry=gdf.centroid, index=gdf.index), threshold=1500,
        binary=True, silence_warnings=True, use_index=True)
    assert band.islands == ["XX"] and infod["islands"] == ["XX"]
    link = {("XX", "02"), ("02", "XX")}
    assert neighbour_pairs(wd.neighbors) == neighbour_pairs(band.neighbors) | link
    assert len(wd.neighbors["11"]) == 8
    res, meta = hs.gi_star(pd.Series(np.arange(1.0, 11.0), index=gdf.index), gdf,
                           permutations=99)
    assert meta["islands"] == ["XX"] and res.loc["XX", "n_neighbours"] == 1
    assert "XX→02 (8000 m)" in hotspot_method_note(meta)


def test_two_islands_nearest_to_each_other_get_one_mutual_link():
    # YY is 3 km east of XX, XX 8 km east of the grid: each island's nearest is the other
    gdf = grid_layer(XX=box(260000.0, 2750000.0, 261000.0, 2751000.0),
                     YY=box(263000.0, 2750000.0, 264000.0, 2751000.0))
    w, info = hs.build_weights(gdf)
    assert info["islands"] == ["XX", "YY"]
    assert info["links_added"] == [{"village": "XX", "neighbour": "YY", "distance_m": 3000.0},
                                   {"village": "YY", "neighbour": "XX", "distance_m": 3000.0}]
    assert w.neighbors["XX"] == ["YY"] and w.neighbors["YY"] == ["XX"]  # no duplicates
    queen = neighbour_pairs(libpysal_queen(gdf).neighbors)
    assert neighbour_pairs(w.neighbors) == queen | {("XX", "YY"), ("YY", "XX")}
    assert info["n_components"] == 2  # the pair is still apart from the grid


@pytest.mark.parametrize("threshold_m", [1500, 3000])
def test_distance_band_on_real_villages_equals_libpysal_plus_nearest_links(villages, threshold_m):
    w, info = hs.build_weights(villages, kind="distance", threshold_m=threshold_m)
    cent = villages.to_crs(METRIC_CRS).geometry.centroid
    band = libpysal.weights.DistanceBand.from_dataframe(
        gpd.GeoDataFrame(geometry=cent, index=villages.index), threshold=threshold_m,
        binary=True, silence_warnings=True, use_index=True)
    assert info["islands"] == sorted(band.islands) and info["islands"]  # 復興區's far villages
    added = set()
    for island, link in zip(info["islands"], info["links_added"]):
        d = cent.distance(cent[island]).drop(island)  # metres, EPSG:3826
        assert link["village"] == island and link["neighbour"] == d.idxmin()
        assert d.min() > threshold_m and link["distance_m"] == pytest.approx(d.min(), abs=0.05)
        added |= {(island, d.idxmin()), (d.idxmin(), island)}
    assert neighbour_pairs(w.neighbors) == neighbour_pairs(band.neighbors) | added
    assert all(len(set(ns)) == len(ns) for ns in w.neighbors.values())
    assert info["n_components"] == nx.number_connected_components(nx.Graph(w.neighbors))


def test_weights_reject_bad_settings(villages):
    with pytest.raises(ValueError, match="threshold_m > 0"):
        hs.build_weights(villages, kind="distance")
    with pytest.raises(ValueError, match="'queen' or 'distance', got 'rook'"):
        hs.build_weights(villages, kind="rook")
    with pytest.raises(ValueError, match="at least 3 villages"):
        hs.build_weights(villages.iloc[:2])
    with pytest.raises(ValueError, match="duplicates"):
        hs.build_weights(pd.concat([villages.iloc[:3], villages.iloc[:1]]))
