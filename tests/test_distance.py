"""Distances: straight line against hand computation, network against networkx on the
bundled 桃園區 road graph (independent Dijkstra + brute-force snapping)."""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from coverage.distance import (distance_matrix, distances_xy, straight_distances,
                               village_points)
from coverage.metrics import select_sites
from tests import coverage_toy as toy


def test_village_points_are_square_centres():
    xy = village_points(toy.villages())
    expected = np.array([[toy.X0 + 1000 * i + 500, toy.Y0 + 1000 * j + 500]
                         for i, j in toy.SQ.values()])
    np.testing.assert_allclose(xy, expected, rtol=0, atol=1e-6)


def test_village_points_lie_inside_crescent():
    # a U shape whose centroid is outside: point_on_surface must be inside
    from shapely.geometry import Polygon
    import geopandas as gpd
    u = Polygon([(0, 0), (3000, 0), (3000, 3000), (2000, 3000), (2000, 1000), (1000, 1000),
                 (1000, 3000), (0, 3000)])
    g = gpd.GeoDataFrame(geometry=[u], crs="EPSG:3826")
    assert not u.contains(u.centroid)
    x, y = village_points(g)[0]
    from shapely.geometry import Point
    assert u.contains(Point(x, y))


def test_straight_matrix_matches_hand_computation():
    dm = distance_matrix(toy.villages(), toy.sites())
    assert list(dm.villages) == list(toy.SQ) and list(dm.sites) == ["S1", "S2"]
    assert dm.matrix.dtype == np.float64 and dm.matrix.shape == (6, 2)
    np.testing.assert_allclose(dm.matrix, toy.DIST, rtol=1e-12, atol=1e-9)


def test_sites_in_lonlat_are_projected():
    s = toy.sites().to_crs("EPSG:4326")
    dm = distance_matrix(toy.villages(), s)
    np.testing.assert_allclose(dm.matrix, toy.DIST, atol=1e-3)


def test_single_column_is_bitwise_equal_to_full_matrix():
    rng = np.random.default_rng(3)
    o = rng.uniform(0, 50_000, (300, 2))
    d = rng.uniform(0, 50_000, (40, 2))
    full = straight_distances(o, d)
    for j in range(len(d)):
        np.testing.assert_array_equal(straight_distances(o, d[j:j + 1])[:, 0], full[:, j])


def test_cutoff_gives_inf_in_straight_mode():
    mat, _, _ = distances_xy(village_points(toy.villages()),
                             np.array([toy.S1]), cutoff_m=1000.0)
    assert mat[:, 0].tolist() == [0, 1000, math.inf, 1000, math.inf, math.inf]


def test_bad_mode_and_missing_network():
    with pytest.raises(ValueError, match="mode"):
        distance_matrix(toy.villages(), toy.sites(), mode="bike")
    with pytest.raises(ValueError, match="network"):
        distance_matrix(toy.villages(), toy.sites(), mode="network")


def test_site_without_point_raises_with_id():
    s = toy.sites()
    s.loc[1, "geometry"] = None
    with pytest.raises(ValueError, match="S2"):
        distance_matrix(toy.villages(), s)


# --- network mode on the real 桃園區 graph -------------------------------------------

@pytest.fixture(scope="module")
def taoyuan_net(data_dir):
    from geo.network import graph_from_file, prepare_network
    G = graph_from_file(data_dir / "roads" / "taoyuan_district_drive.graphml")
    return G, prepare_network(G, weights=("length",))


def test_network_distances_equal_networkx(village_table, data_dir, taoyuan_net):
    from pyproj import Transformer

    from geo.services import load_default_sites
    G, net = taoyuan_net
    villages = village_table[0]
    villages = villages[villages["TOWNCODE"] == "68000010"]  # 桃園區, the graph's extent
    sites = select_sites(load_default_sites(data_dir)[0], "family_service_centre")
    sites = sites[sites["district"] == "桃園區"]
    assert len(villages) > 50 and len(sites) == 2
    dm = distance_matrix(villages, sites, mode="network", network=net, cutoff_m=None)
    # independent: nodes and sites projected with pyproj, the villages' demand points,
    # brute-force nearest node, networkx Dijkstra on the reversed graph
    nodes = list(G.nodes)
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)
    nxy = np.column_stack(to_metric.transform([G.nodes[n]["x"] for n in nodes],
                                              [G.nodes[n]["y"] for n in nodes]))
    oxy = villages[["demand_x", "demand_y"]].to_numpy(float)
    dxy = np.column_stack(to_metric.transform(sites.geometry.x.to_numpy(),
                                              sites.geometry.y.to_numpy()))

    def snap(p):
        dd = np.hypot(nxy[:, 0] - p[0], nxy[:, 1] - p[1])
        k = int(np.argmin(dd))
        return nodes[k], float(dd[k])

    rev = G.reverse(copy=False)
    checked = 0
    for j, p in enumerate(dxy):
        dnode, dsnap = snap(p)
        to_site = nx.single_source_dijkstra_path_length(rev, dnode, weight="length")
        for i, q in enumerate(oxy):
            onode, osnap = snap(q)
            if osnap > 500 or dsnap > 500 or onode not in to_site:
                assert dm.matrix[i, j] == math.inf
                continue
            expected = to_site[onode] + osnap + dsnap
            assert dm.matrix[i, j] == pytest.approx(expected, rel=1e-12, abs=1e-6)
            checked += 1
    assert checked > 100  # most 桃園區 villages are on the graph


def test_network_cutoff_and_off_graph_villages(village_table, data_dir, taoyuan_net):
    from geo.services import load_default_sites
    _, net = taoyuan_net
    villages = village_table[0]
    sites = select_sites(load_default_sites(data_dir)[0], "family_service_centre")
    dm = distance_matrix(villages, sites, mode="network", network=net, cutoff_m=3000)
    off = dm.origin_snap["flagged"].to_numpy()
    assert np.isinf(dm.matrix[off]).all()  # villages off the 桃園區 graph are unreachable
    outside = (villages["TOWNCODE"] != "68000010").to_numpy()
    assert off[outside].mean() > 0.95
    finite = dm.matrix[np.isfinite(dm.matrix)]
    snaps = dm.origin_snap["snap_m"].to_numpy()[:, None] + dm.dest_snap["snap_m"].to_numpy()[None]
    # the cut-off applies to the road part; the snap metres at both ends come on top
    assert ((dm.matrix - snaps)[np.isfinite(dm.matrix)] <= 3000 + 1e-9).all()
    assert len(finite) > 0
    # straight-line distance is a lower bound of the road distance
    straight = distance_matrix(villages, sites).matrix
    ok = np.isfinite(dm.matrix)
    assert (dm.matrix[ok] >= straight[ok] - 1e-6).all()
