"""geo.roads build on hand-made lines: joins only at shared vertices, freeway access,
dangling pieces, degree-2 chains, rings, long-edge cuts, one-way line files. Distances are
worked out on paper below; contraction is checked against osmnx.simplify_graph itself."""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest
import shapely

from geo import METRIC_CRS
from geo.roads import prepare_network, road_source, shortest_path_matrix, snap_points
from geo.roads.cache import load_graph, save_graph
from geo.roads.classes import load_road_classes, nlsc_class_key, road_classes
from geo.roads.graph import graph_from_lines

X0, Y0 = 280_000.0, 2_760_000.0  # somewhere in 桃園市, EPSG:3826 metres
R2 = math.hypot(200, 200)         # the ramp's length

# name: (vertices in local metres, us2, use_)
LINES = {
    "A": ([(0, 0), (500, 0), (1000, 0)], 4, 6),
    "B": ([(500, -500), (500, 0), (500, 100), (500, 500)], 4, 6),    # shares (500, 0) with A
    "F": ([(500, 100), (800, 100)], 5, 6),
    "C": ([(800, -300), (800, 100)], 4, 6),        # bridge over A at (800, 0): no shared vertex
    "FW": ([(0, -200), (1200, -200), (2000, -200)], 1, 1),  # freeway over B and C, no vertex
    "R": ([(1000, 0), (1200, -200)], 3, 1),        # the interchange ramp
    "E1": ([(1000, 0), (1000, 400)], 4, 6),        # E1 + E2: a degree-2 chain of two lines
    "E2": ([(1000, 400), (1200, 400), (1300, 400)], 4, 6),
    "E3": ([(1300, 400), (1600, 400)], 5, 6),      # class changes at (1300, 400): node kept
    "D": ([(3000, 0), (3100, 0)], 4, 6),           # a dangling piece, joined to nothing
}


def hand_lines(names=LINES) -> gpd.GeoDataFrame:
    rows = [{"name": n, "us2": LINES[n][1], "use_": LINES[n][2],
             "geometry": shapely.LineString([(X0 + x, Y0 + y) for x, y in LINES[n][0]])}
            for n in names]
    gdf = gpd.GeoDataFrame(rows, crs=METRIC_CRS)
    return gdf.assign(highway=[nlsc_class_key(a, b) for a, b in zip(gdf.us2, gdf.use_)])


def build(lines, *, max_edge_m=None, retain_all=False):
    classes = dataclasses.replace(road_classes(), max_edge_m=max_edge_m)
    return graph_from_lines(lines, class_fields=["us2", "use_"], highway=lines["highway"],
                            table="nlsc", retain_all=retain_all, classes=classes)


def node_at(G, x, y):
    found = [n for n, d in G.nodes(data=True)
             if abs(d["x"] - X0 - x) < 0.05 and abs(d["y"] - Y0 - y) < 0.05]
    assert len(found) <= 1
    return found[0] if found else None


def dist(G, a, b, weight="length"):
    net = prepare_network(G)
    pos = {n: i for i, n in enumerate(net.node_ids)}
    return shortest_path_matrix(net.csr[weight], [pos[node_at(G, *a)]], [pos[node_at(G, *b)]])[0, 0]


@pytest.fixture(scope="module")
def G():
    return build(hand_lines())


def test_nodes_edges_and_lengths_on_paper(G):
    assert G.graph["crs"] == METRIC_CRS
    # 13 nodes in the main piece; 12 roads, both directions each
    assert G.number_of_nodes() == 13 and G.number_of_edges() == 24
    expected = {((0, 0), (500, 0)): 500, ((500, 0), (1000, 0)): 500, ((500, -500), (500, 0)): 500,
                ((500, 0), (500, 100)): 100, ((500, 100), (500, 500)): 400,
                ((500, 100), (800, 100)): 300, ((800, 100), (800, -300)): 400,
                ((1000, 0), (1200, -200)): R2, ((0, -200), (1200, -200)): 1200,
                ((1200, -200), (2000, -200)): 800, ((1000, 0), (1300, 400)): 700,
                ((1300, 400), (1600, 400)): 300}
    for (a, b), length in expected.items():
        u, v = node_at(G, *a), node_at(G, *b)
        for s, t in ((u, v), (v, u)):
            (d,) = G[s][t].values()
            assert d["length"] == pytest.approx(length, abs=1e-9)
            assert shapely.length(d["geometry"]) == pytest.approx(length, abs=1e-9)
            assert d["geometry"].coords[0] == pytest.approx((G.nodes[s]["x"], G.nodes[s]["y"]))


def test_crossings_without_a_shared_vertex_stay_apart(G):
    assert node_at(G, 800, 0) is None          # the bridge does not touch A
    assert node_at(G, 500, -200) is None and node_at(G, 800, -200) is None  # freeway overpasses
    # to the bridge's south end: A to B, up to F, along F, down the bridge
    assert dist(G, (0, 0), (800, -300)) == pytest.approx(500 + 100 + 300 + 400)
    # to the freeway's west end only through the interchange at (1200, -200)
    assert dist(G, (0, 0), (0, -200)) == pytest.approx(1000 + R2 + 1200)
    assert dist(G, (500, -500), (2000, -200)) == pytest.approx(500 + 500 + R2 + 800)


def test_chain_contracted_and_class_change_kept(G):
    assert node_at(G, 1000, 400) is None and node_at(G, 1200, 400) is None
    u, v = node_at(G, 1000, 0), node_at(G, 1300, 400)
    (d,) = G[u][v].values()
    assert [(x - X0, y - Y0) for x, y in d["geometry"].coords] == [
        (1000, 0), (1000, 400), (1200, 400), (1300, 400)]
    assert node_at(G, 1300, 400) is not None and node_at(G, 800, 100) is not None
    assert dist(G, (0, 0), (1600, 400)) == pytest.approx(2000)


def test_travel_time_from_class_speeds_on_paper(G):
    # us2 4 (35 km/h) for A and the chain, us2 5 (20 km/h) for E3; the ramp us2 3 capped by
    # use_ 1 (min(40, 100)); the freeway us2 1 use_ 1: min(90, 100)
    t = dist(G, (0, 0), (1600, 400), "travel_time")
    assert t == pytest.approx(1700 / (35 / 3.6) + 300 / (20 / 3.6))
    fw = next(d for *_, d in G.edges(data=True) if d["us2"] == 1)
    assert fw["speed_kph"] == 90 and fw["travel_time"] == pytest.approx(fw["length"] / 25)
    ramp = next(d for *_, d in G.edges(data=True) if d["us2"] == 3)
    assert ramp["speed_kph"] == 40


def test_dangling_piece_reported_and_left_out(G):
    comps = G.graph["components"]
    assert comps["components"] == 2 and comps["nodes"] == 15 and comps["main_nodes"] == 13
    assert comps["km"] == pytest.approx(6.1, abs=0.05)
    assert comps["main_km"] == pytest.approx(6.0, abs=0.05)
    assert comps["pieces"][0]["nodes"] == 2 and comps["pieces"][0]["km"] == pytest.approx(0.1)
    assert node_at(G, 3000, 0) is None
    full = build(hand_lines(), retain_all=True)
    assert full.number_of_nodes() == 15
    assert dist(full, (0, 0), (3100, 0)) == np.inf


def test_networkx_gives_the_same_distances(G):
    net = prepare_network(G)
    for weight in ("length", "travel_time"):
        D = shortest_path_matrix(net.csr[weight], np.arange(13), np.arange(13))
        for i, s in enumerate(net.node_ids):
            ref = nx.single_source_dijkstra_path_length(G, s, weight=weight)
            np.testing.assert_allclose(D[i], [ref[t] for t in net.node_ids], rtol=0, atol=1e-9)


def vertex_graph(lines: gpd.GeoDataFrame) -> nx.MultiDiGraph:
    """Every vertex a node (keyed by its 0.1 m grid cell), every step a two-way edge: the
    input osmnx.simplify_graph expects."""
    H = nx.MultiDiGraph(crs=METRIC_CRS)
    for geom, hw in zip(lines.geometry, lines["highway"]):
        pts = [tuple(np.round(np.array(p) * 10).astype(int)) for p in geom.coords]
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        for p in pts:
            H.add_node(p, x=p[0] / 10, y=p[1] / 10)
        for a, b in zip(pts, pts[1:]):
            length = math.dist(a, b) / 10
            H.add_edge(a, b, highway=hw, length=length)
            H.add_edge(b, a, highway=hw, length=length)
    return H


def edge_signature(G) -> list:
    """Sorted (u cell, v cell, length) of every edge, node positions on the 0.1 m grid."""
    out = []
    for u, v, d in G.edges(data=True):
        a = tuple(int(round(G.nodes[u][c] * 10)) for c in "xy")
        b = tuple(int(round(G.nodes[v][c] * 10)) for c in "xy")
        out.append((a, b, float(d["length"])))
    return sorted(out)


def assert_same_edges(ours, ref, tol_m):
    """Same node pairs; lengths within tol_m (osmnx measures between grid-rounded vertices)."""
    a, b = edge_signature(ours), edge_signature(ref)
    assert [e[:2] for e in a] == [e[:2] for e in b]
    np.testing.assert_allclose([e[2] for e in a], [e[2] for e in b], rtol=0, atol=tol_m)


def ring_lines() -> gpd.GeoDataFrame:
    """An isolated square ring of two lines, and a loop hanging off D's east end."""
    sq = [(5000, 0), (5100, 0), (5100, 100)], [(5100, 100), (5000, 100), (5000, 0)]
    loop = [(3100, 0), (3200, 0), (3200, 100), (3100, 0)]
    geoms = [shapely.LineString([(X0 + x, Y0 + y) for x, y in c]) for c in (*sq, loop)]
    return gpd.GeoDataFrame({"us2": [4, 4, 4], "use_": [6, 6, 6], "highway": "us2=4 use_=6"},
                            geometry=geoms, crs=METRIC_CRS)


@pytest.mark.parametrize("with_rings", [False, True])
def test_contraction_equals_osmnx_simplify_graph(with_rings):
    lines = hand_lines()
    if with_rings:
        lines = pd.concat([lines, ring_lines()], ignore_index=True)
    ours = build(lines, retain_all=True)
    ref = ox.simplify_graph(vertex_graph(lines), edge_attrs_differ=["highway"])
    assert ours.number_of_nodes() == ref.number_of_nodes()
    assert_same_edges(ours, ref, 1e-9)
    if with_rings:  # the square ring is gone; the loop is a self-loop at D's east end
        assert node_at(ours, 5000, 0) is None
        end = node_at(ours, 3100, 0)
        assert ours.has_edge(end, end)


def test_long_edges_cut_without_changing_distances(G):
    cut = build(hand_lines(), max_edge_m=300.0)
    # new nodes: ceil(L / 300) - 1 on each edge longer than 300 m (A1, A2, B1, B3, C: 1 each;
    # FW1: 3; FW2: 2; the 700 m chain: 2)
    assert cut.number_of_nodes() == 13 + 12
    assert max(d for *_, d in cut.edges(data="length")) <= 300 + 1e-9
    for a, b in (((0, 0), (800, -300)), ((0, 0), (0, -200)), ((0, 0), (1600, 400))):
        assert dist(cut, a, b) == pytest.approx(dist(G, a, b), abs=1e-6)
        assert dist(cut, a, b, "travel_time") == pytest.approx(dist(G, a, b, "travel_time"))
    assert node_at(cut, 750, 0) is not None and node_at(cut, 300, -200) is not None
    # a point beside A2 snaps to the new mid node (100.5 m) instead of a junction (150.3 m)
    for graph, expected in ((cut, math.hypot(100, 10)), (G, math.hypot(150, 10))):
        net = prepare_network(graph)
        snap = snap_points([[X0 + 650, Y0 + 10]], net.node_xy, max_snap_m=500)
        assert snap["snap_m"].iloc[0] == pytest.approx(expected)


def test_one_way_line_file_by_hand(tmp_path):
    """A Geofabrik-style GeoPackage: fclass + oneway F/T/B; footways dropped."""
    pts = {"a": (0, 0), "b": (400, 0), "c": (400, 300), "d": (0, 300)}
    rows = [("ab", "residential", "B", ["a", "b"]), ("bc", "primary", "F", ["b", "c"]),
            ("dc", "primary", "T", ["d", "c"]),    # one-way c -> d (against digitising)
            ("ad", "footway", "B", ["a", "d"])]
    gdf = gpd.GeoDataFrame(
        {"osm_id": [r[0] for r in rows], "fclass": [r[1] for r in rows],
         "oneway": [r[2] for r in rows]},
        geometry=[shapely.LineString([(121.3 + x / 1e5, 25.0 + y / 1e5) for x, y in
                                      (pts[p] for p in r[3])]) for r in rows], crs="EPSG:4326")
    path = tmp_path / "roads.gpkg"
    gdf.to_file(path, driver="GPKG")
    H = road_source(path)
    assert H.graph["lines"] == {"read": 4, "walk_only": 1, "kept": 3}
    m = gdf.to_crs(METRIC_CRS).geometry.length.to_numpy()
    net = prepare_network(H)
    xy = gdf.to_crs(METRIC_CRS).geometry.apply(lambda g: g.coords[0]).tolist()
    a, b, d = (snap_points([p], net.node_xy, max_snap_m=1)["node"].iloc[0]
               for p in (xy[0], xy[1], xy[2]))
    D = shortest_path_matrix(net.csr["length"], [a, b, d], [a, b, d])
    assert D[0, 2] == pytest.approx(m[0] + m[1] + m[2])   # a -> b -> c -> d
    assert D[2, 0] == np.inf                                # d cannot go back to c or a
    assert D[1, 0] == pytest.approx(m[0])
    prim = [e for *_, e in H.edges(data=True) if e["fclass"] == "primary"]
    assert all(e["speed_kph"] == 50 and e["oneway"] for e in prim)  # config: primary 50
    assert sum(e["length"] for e in prim) == pytest.approx(m[1] + m[2])  # (cut > 300 m)


def test_cache_round_trip(G, tmp_path):
    save_graph(G, tmp_path / "hand")
    back = load_graph(tmp_path / "hand")
    assert back.graph["cache_path"].endswith("hand.json")
    assert {k: v for k, v in back.graph.items() if k != "cache_path"} == G.graph
    assert dict(back.nodes(data=True)) == dict(G.nodes(data=True))
    for u, v, k, d in G.edges(keys=True, data=True):
        e = back.edges[u, v, k]
        assert e.keys() == d.keys()
        assert all(e[c] == d[c] for c in d if c != "geometry")
        assert e["geometry"].equals(d["geometry"])
    assert load_graph(tmp_path / "missing") is None


def test_bad_sheets_name_file_row_column(tmp_path):
    lines = hand_lines(["A", "B"]).to_crs("EPSG:4326").assign(FCsubtype=0, exs=1)
    lines.loc[1, "us2"] = 9
    path = tmp_path / "sheet.shp"
    lines[["FCsubtype", "exs", "us2", "use_", "geometry"]].to_file(path)
    with pytest.raises(ValueError, match=r"sheet\.shp: row 1 column us2 = 9; expected one of"):
        road_source(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(ValueError, match=r"sheet\.shp: no CRS declared"):
        road_source(tmp_path)  # a folder of sheets
    other = tmp_path / "other.gpkg"
    lines[["geometry"]].assign(kind="x").to_file(other)
    with pytest.raises(ValueError, match=r"other\.gpkg: no road class field found .*fclass"):
        road_source(other)


def test_config_errors_name_the_key(tmp_path):
    text = Path(road_classes().path).read_text(encoding="utf-8")
    bad = tmp_path / "classes.toml"
    bad.write_text(text.replace('5 = { kph = 20, why', '5 = { kph = 0, why'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"nlsc\.us2\.5\.kph: expected a speed"):
        load_road_classes(bad)
    bad.write_text(text.replace('why = "farm road', 'note = "farm road'), encoding="utf-8")
    with pytest.raises(ValueError, match=r"nlsc\.use_\.5: every class needs a one-line 'why'"):
        load_road_classes(bad)


def test_folder_of_sheets_builds_like_the_lines(G, tmp_path):
    lines = hand_lines().to_crs("EPSG:4326").assign(FCsubtype=0, exs=1)
    cols = ["FCsubtype", "exs", "us2", "use_", "geometry"]
    lines.iloc[:5][cols].to_file(tmp_path / "sheet1.shp", encoding="UTF-8")
    lines.iloc[5:][cols].to_file(tmp_path / "sheet2.shp", encoding="UTF-8")
    H = road_source(tmp_path, classes=dataclasses.replace(road_classes(), max_edge_m=None))
    assert H.graph["sheets"] == 2 and H.graph["lines"]["kept"] == len(LINES)
    # the same roads after a round trip through EPSG:4326 (lengths to a millimetre)
    assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == 24
    assert sum(d for *_, d in H.edges(data="length")) == pytest.approx(
        sum(d for *_, d in G.edges(data="length")), abs=0.01)
