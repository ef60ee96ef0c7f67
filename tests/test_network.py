"""geo.network on the real 桃園區 OSMnx drive graph, checked against networkx, brute force,
pyproj/geopandas and hand computation; plus a hand-written OSM XML fixture."""
from __future__ import annotations

import math
import tomllib
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree
from shapely import wkt

from geo import METRIC_CRS
from geo import network as gn
from geo.paths import resolve_data_dir

DATA = resolve_data_dir()
GRAPHML = DATA / "roads" / "taoyuan_district_drive.graphml" if DATA else None
TINY_OSM = Path(__file__).parent / "data" / "tiny_roads.osm"
R_OSMNX = 6_371_009  # osmnx.distance.EARTH_RADIUS_M: its great-circle lengths use this
# the shared data are required by the suite (tests/conftest.py): no skip hides a missing graph
needs_graph = pytest.mark.usefixtures("data_dir")


def haversine_m(lon1, lat1, lon2, lat2, r=R_OSMNX):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlam / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def G():
    return gn.graph_from_graphml(GRAPHML)


@pytest.fixture(scope="module")
def net(G):
    return gn.prepare_network(G)


def sample_nodes(G, net, n, seed):
    """n node positions: n-3 random ones plus 3 outside the largest strongly connected
    component (so unreachable pairs occur)."""
    rng = np.random.default_rng(seed)
    big = max(nx.strongly_connected_components(G), key=len)
    pos = np.arange(len(net.node_ids))
    outside = pos[[nid not in big for nid in net.node_ids]]
    inside = pos[[nid in big for nid in net.node_ids]]
    return np.concatenate([rng.choice(inside, n - 3, replace=False),
                           rng.choice(outside, 3, replace=False)])


def nx_matrix(G, sources, targets, weight, cutoff=None):
    """Reference: networkx single-source Dijkstra from every source (node ids)."""
    out = np.full((len(sources), len(targets)), np.inf)
    for i, s in enumerate(sources):
        dist = nx.single_source_dijkstra_path_length(G, s, cutoff=cutoff, weight=weight)
        out[i] = [dist.get(t, np.inf) for t in targets]
    return out


# ----------------------------------------------------------------------------- loading

@needs_graph
def test_graphml_counts_types_and_extent(G):
    assert G.is_directed() and G.is_multigraph()
    assert (G.number_of_nodes(), G.number_of_edges()) == (1378, 3740)
    xs = np.array([d["x"] for _, d in G.nodes(data=True)])
    ys = np.array([d["y"] for _, d in G.nodes(data=True)])
    assert xs.dtype == float and ys.dtype == float
    # 桃園區 lies around 121.25-121.35 E, 24.96-25.05 N
    assert 121.2 < xs.min() and xs.max() < 121.4 and 24.9 < ys.min() and ys.max() < 25.1
    assert all(isinstance(n, int) for n in G.nodes)


@needs_graph
def test_lengths_parsed_and_match_edge_geometry(G):
    raw = nx.read_graphml(GRAPHML)
    assert raw.number_of_edges() == G.number_of_edges()
    for (u, v, k, d) in G.edges(keys=True, data=True):
        r = raw.edges[str(u), str(v), k]
        assert isinstance(d["length"], float) and d["length"] == float(r["length"])
        # independent check: great-circle length along the stored geometry
        if "geometry" in r:
            coords = list(wkt.loads(r["geometry"]).coords)
        else:
            coords = [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
        hand = sum(haversine_m(*a, *b) for a, b in zip(coords, coords[1:]))
        assert d["length"] == pytest.approx(hand, rel=1e-6, abs=1e-6)


def _config_speed(highway: str) -> float:
    """Hand lookup in geo/roads/road_classes.toml (read here with tomllib, not the code)."""
    conf = tomllib.loads(Path("geo/roads/road_classes.toml").read_text(encoding="utf-8"))
    return float(conf["osm"]["highway"].get(highway, {}).get("kph", conf["osm"]["fallback_kph"]))


def test_osm_speed_table_is_the_config():
    assert _config_speed("motorway") == 90 and _config_speed("residential") == 30
    assert _config_speed("no_such_class") == 30


@needs_graph
def test_travel_time_on_real_edges(G):
    seen = set()
    for _, _, d in G.edges(data=True):
        ms, hw = d.get("maxspeed"), d["highway"]
        if ms == "50":
            kph = 50.0
        elif ms == ["40", "50"]:  # osmnx.load_graphml makes lists; osmnx takes the mean
            kph = 45.0
        elif ms is None and hw == ["residential", "unclassified"]:
            kph = _config_speed("residential")  # osmnx keeps the first class of a list
        elif ms is None and hw == "tertiary":
            kph = _config_speed("tertiary")
        else:
            continue
        seen.add((str(ms), str(hw) if ms is None else None))
        assert d["travel_time"] == pytest.approx(d["length"] / (kph * 1000 / 3600), rel=1e-12)
    assert len(seen) == 4  # every case above occurs in the data


# ----------------------------------------------------------------------------- arrays

@needs_graph
def test_csr_keeps_minimum_of_parallel_edges(G):
    csr, ids = gn.to_csr(G, weight="length")
    pos = {n: i for i, n in enumerate(ids)}
    pairs = {(u, v) for u, v in G.edges() if u != v}
    assert csr.shape == (1378, 1378) and csr.nnz == len(pairs)
    n_parallel = 0
    for u, v in pairs:
        lengths = [d["length"] for d in G[u][v].values()]
        n_parallel += len(lengths) > 1
        assert csr[pos[u], pos[v]] == min(lengths)
    assert n_parallel > 0  # the data does contain parallel edges


def test_csr_rejects_missing_or_negative_weights():
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", length=5.0)
    G.add_edge("b", "c", length=0.0)  # zero-length edge: kept as a real edge
    csr, ids = gn.to_csr(G)
    assert csr.nnz == 2
    D = gn.shortest_path_matrix(csr, [0], [0, 1, 2])
    np.testing.assert_array_equal(D, [[0.0, 5.0, 5.0]])
    G.add_edge("c", "a")
    with pytest.raises(ValueError, match=r"\('c', 'a'\) field length = None"):
        gn.to_csr(G)
    G.edges["c", "a", 0]["length"] = -1.0
    with pytest.raises(ValueError, match="field length = -1.0"):
        gn.to_csr(G)


@needs_graph
def test_node_xy_matches_geopandas(G, net):
    pts = gpd.GeoSeries(gpd.points_from_xy([d["x"] for _, d in G.nodes(data=True)],
                                           [d["y"] for _, d in G.nodes(data=True)]),
                        crs="EPSG:4326").to_crs(METRIC_CRS)
    np.testing.assert_allclose(net.node_xy, np.column_stack([pts.x, pts.y]), rtol=0, atol=1e-6)
    assert list(net.node_ids) == list(G.nodes)


# ----------------------------------------------------------------------------- routing

@needs_graph
@pytest.mark.parametrize("weight", ["length", "travel_time"])
@pytest.mark.parametrize("n_src, n_tgt", [(30, 20), (20, 30)])  # reverse-graph and forward paths
def test_matrix_equals_networkx(G, net, weight, n_src, n_tgt):
    src, tgt = sample_nodes(G, net, n_src, 3), sample_nodes(G, net, n_tgt, 4)
    got = gn.shortest_path_matrix(net.csr[weight], src, tgt)
    ref = nx_matrix(G, net.node_ids[src], net.node_ids[tgt], weight)
    assert got.shape == (n_src, n_tgt)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(ref))
    assert np.isinf(ref).any()  # some pairs lie in different strongly connected components
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)


@needs_graph
def test_nearest_source_equals_networkx_multi_source(G, net):
    rng = np.random.default_rng(7)
    src = rng.choice(len(net.node_ids), 10, replace=False)
    allpos = np.arange(len(net.node_ids))
    got = gn.shortest_path_matrix(net.csr["length"], src, allpos).min(axis=0)
    ref = nx.multi_source_dijkstra_path_length(G, set(net.node_ids[src]), weight="length")
    expected = np.array([ref.get(n, np.inf) for n in net.node_ids])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


@needs_graph
def test_one_way_street_gives_asymmetric_distances(G, net):
    pos = {n: i for i, n in enumerate(net.node_ids)}
    one_way = [(u, v, d["length"]) for u, v, d in G.edges(data=True)
               if d["oneway"] is True and not G.has_edge(v, u)]
    assert one_way
    u, v, length = one_way[0]
    D = gn.shortest_path_matrix(net.csr["length"], [pos[u], pos[v]], [pos[u], pos[v]])
    assert D[0, 1] == pytest.approx(nx.shortest_path_length(G, u, v, weight="length"), abs=1e-9)
    assert D[1, 0] == pytest.approx(nx.shortest_path_length(G, v, u, weight="length"), abs=1e-9)
    assert D[0, 1] <= length and D[1, 0] > D[0, 1]  # back against the one-way needs a detour
    # many sources, few targets takes the transposed-graph branch: same answer
    many = np.array([pos[v]] * 3)
    back = gn.shortest_path_matrix(net.csr["length"], many, [pos[u]])[0, 0]
    assert back == pytest.approx(D[1, 0])


@needs_graph
def test_cutoff_gives_inf_exactly_beyond_it(G, net):
    rng = np.random.default_rng(11)
    src = rng.choice(len(net.node_ids), 25, replace=False)
    tgt = rng.choice(len(net.node_ids), 40, replace=False)
    full = nx_matrix(G, net.node_ids[src], net.node_ids[tgt], "length")
    cutoff = 1500.0
    assert not np.any(np.abs(full - cutoff) < 1e-6)  # no pair sits on the boundary
    for s, t in ((src, tgt), (tgt, src)):  # both branches (forward / transposed)
        got = gn.shortest_path_matrix(net.csr["length"], s, t, cutoff=cutoff)
        ref = full if s is src else nx_matrix(G, net.node_ids[s], net.node_ids[t], "length")
        beyond = ref > cutoff
        assert beyond.any() and (~beyond).any()
        np.testing.assert_array_equal(np.isinf(got), beyond)
        np.testing.assert_allclose(got[~beyond], ref[~beyond], rtol=0, atol=1e-9)


# ----------------------------------------------------------------------------- snapping

@needs_graph
def test_snap_equals_brute_force(net):
    rng = np.random.default_rng(5)
    lo, hi = net.node_xy.min(axis=0) - 300, net.node_xy.max(axis=0) + 300
    pts = rng.uniform(lo, hi, size=(400, 2))
    snap = gn.snap_points(pts, net.node_xy, max_snap_m=150.0)
    brute = np.sqrt(((pts[:, None, :] - net.node_xy[None, :, :]) ** 2).sum(axis=2))
    np.testing.assert_allclose(snap["snap_m"], brute.min(axis=1), rtol=0, atol=1e-6)
    np.testing.assert_allclose(brute[np.arange(400), snap["node"]], brute.min(axis=1), atol=1e-6)
    np.testing.assert_array_equal(snap["flagged"], brute.min(axis=1) > 150.0)
    assert snap["flagged"].any() and not snap["flagged"].all()


def _metric(lonlat):
    tr = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    lon, lat = np.asarray(lonlat, dtype=float).T
    return np.column_stack(tr.transform(lon, lat))


@needs_graph
def test_far_points_are_flagged_and_unreachable(G, net):
    origins_ll = [(121.3130, 25.0110),   # 桃園區 street near a junction
                  (121.35, 24.70),       # 復興區 mountains, ~35 km south
                  (121.00, 25.20),       # Taiwan Strait
                  (np.nan, np.nan)]      # missing coordinates
    dest_ll = [(121.3000, 24.9950), (121.2000, 24.6000)]  # 桃園區; 復興區 far south
    D, o_snap, d_snap = gn.network_distance_matrix(net, _metric(origins_ll), _metric(dest_ll),
                                                   max_snap_m=500.0)
    assert o_snap["flagged"].tolist() == [False, True, True, True]
    assert d_snap["flagged"].tolist() == [False, True]
    assert o_snap["snap_m"].iloc[1] > 10_000 and o_snap["node"].iloc[3] == -1
    assert np.isinf(D[1:, :]).all() and np.isinf(D[:, 1]).all()
    u, v = net.node_ids[o_snap["node"].iloc[0]], net.node_ids[d_snap["node"].iloc[0]]
    assert D[0, 0] == pytest.approx(nx.shortest_path_length(G, u, v, weight="length"), abs=1e-9)


@needs_graph
def test_distance_matrix_from_village_points(G, net):
    from geo.boundaries import load_villages

    vill = load_villages()
    vill = vill[vill["district"] == "桃園區"]
    origins = vill.representative_point()  # GeoSeries in EPSG:4326
    # destinations: 5 m off nodes that have no other node within 50 m, so they snap back
    gap = cKDTree(net.node_xy).query(net.node_xy, k=2)[0][:, 1]
    rng = np.random.default_rng(1)
    dest_nodes = rng.choice(np.flatnonzero(gap > 50), 6, replace=False)
    dest_xy = net.node_xy[dest_nodes] + [3.0, 4.0]
    D, o_snap, d_snap = gn.network_distance_matrix(net, origins, dest_xy, max_snap_m=500.0)
    assert D.shape == (len(vill), 6)
    np.testing.assert_array_equal(d_snap["node"], dest_nodes)
    np.testing.assert_allclose(d_snap["snap_m"], 5.0, atol=1e-6)
    ok = ~o_snap["flagged"].to_numpy()
    assert ok.sum() > 0.9 * len(vill)
    ref = nx_matrix(G, net.node_ids[o_snap["node"][ok]], net.node_ids[dest_nodes], "length")
    np.testing.assert_allclose(D[ok], ref, rtol=0, atol=1e-9)
    # include_snap adds both straight-line snap distances; a graph works as well as a net
    D2, _, _ = gn.network_distance_matrix(G, origins, dest_xy, include_snap=True)
    expect = D + o_snap["snap_m"].to_numpy()[:, None] + d_snap["snap_m"].to_numpy()[None, :]
    np.testing.assert_allclose(D2, expect, rtol=0, atol=1e-9)
    # travel time from the same call, in seconds
    T, _, _ = gn.network_distance_matrix(net, origins, dest_xy, weight="travel_time")
    ref_t = nx_matrix(G, net.node_ids[o_snap["node"][ok]], net.node_ids[dest_nodes], "travel_time")
    np.testing.assert_allclose(T[ok], ref_t, rtol=0, atol=1e-9)
    with pytest.raises(ValueError, match="include_snap"):
        gn.network_distance_matrix(net, origins, dest_xy, weight="travel_time", include_snap=True)


# ----------------------------------------------------------------------------- OSM XML

def test_osm_xml_fixture_by_hand():
    G = gn.graph_from_osm_xml(TINY_OSM)
    assert sorted(G.nodes) == [1, 3, 4]  # 2 simplified away; footway node 5 dropped
    # 1-3 along the meridian: 0.002 deg of latitude on osmnx's sphere
    l13 = R_OSMNX * math.radians(0.002)
    assert G.edges[1, 3, 0]["length"] == pytest.approx(l13, rel=1e-9)
    assert G.edges[3, 1, 0]["length"] == pytest.approx(l13, rel=1e-9)
    l34 = haversine_m(121.300, 25.002, 121.301, 25.002)
    assert G.edges[3, 4, 0]["length"] == pytest.approx(l34, rel=1e-9)
    # and within 0.5 % of the WGS84 ellipsoid distance (pyproj Geod)
    geod = Geod(ellps="WGS84")
    assert l13 == pytest.approx(geod.inv(121.3, 25.0, 121.3, 25.002)[2], rel=5e-3)
    assert l34 == pytest.approx(geod.inv(121.3, 25.002, 121.301, 25.002)[2], rel=5e-3)
    assert not G.has_edge(4, 3)  # oneway=yes
    # travel times: residential from the config (30 km/h); maxspeed "30 mph" (osmnx converts
    # with 1.60934 km per mile)
    residential = _config_speed("residential")
    assert G.edges[1, 3, 0]["travel_time"] == pytest.approx(l13 / (residential / 3.6))
    assert G.edges[3, 4, 0]["travel_time"] == pytest.approx(l34 / (30 * 1.60934 / 3.6))

    net = gn.prepare_network(G)
    pos = {n: i for i, n in enumerate(net.node_ids)}
    D = gn.shortest_path_matrix(net.csr["length"], [pos[1], pos[4]], [pos[1], pos[4]])
    assert D[0, 1] == pytest.approx(l13 + l34, rel=1e-9)
    assert D[1, 0] == np.inf and D[0, 0] == 0 and D[1, 1] == 0


def test_graph_from_file_dispatch_and_errors(tmp_path):
    assert sorted(gn.graph_from_file(TINY_OSM).nodes) == [1, 3, 4]
    bad_suffix = tmp_path / "roads.csv"
    bad_suffix.write_text("a,b\n")
    with pytest.raises(ValueError, match=r"roads\.csv.*\.graphml"):
        gn.graph_from_file(bad_suffix)
    for name, text in (("broken.graphml", "<graphml><node"), ("broken.osm", "not xml at all")):
        p = tmp_path / name
        p.write_text(text)
        with pytest.raises(ValueError, match=name.replace(".", r"\.")):
            gn.graph_from_file(p)
    with pytest.raises(FileNotFoundError, match="missing.graphml"):
        gn.graph_from_file(tmp_path / "missing.graphml")
    no_ways = tmp_path / "empty.osm"
    no_ways.write_text('<osm version="0.6"><node id="1" lat="25" lon="121.3"/></osm>')
    with pytest.raises(ValueError, match="empty.osm"):
        gn.graph_from_file(no_ways)


def test_graphml_without_lengths_names_file_and_edge(tmp_path):
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(1, x=121.3, y=25.0)
    G.add_node(2, x=121.3, y=25.001)
    G.add_edge(1, 2, highway="residential")
    p = tmp_path / "nolength.graphml"
    nx.write_graphml(G, p)
    with pytest.raises(ValueError, match=r"nolength\.graphml.*edge.*length"):
        gn.graph_from_graphml(p)


def test_graph_from_place_fails_clearly_offline(monkeypatch):
    import osmnx as ox

    def offline(*args, **kwargs):
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr(ox, "graph_from_place", offline)
    with pytest.raises(ConnectionError, match="桃園區.*graph_from_file"):
        gn.graph_from_place("桃園區, 桃園市, Taiwan")
