"""coverage.service_area on the bundled 桃園區 road graph, checked against networkx
(Dijkstra with a cut-off on the same graph), a hand-built one-way toy graph and plain
geometry facts."""
from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from coverage.service_area import reachable_nodes, service_areas
from geo import METRIC_CRS


@pytest.fixture(scope="module")
def road(data_dir):
    from geo.network import graph_from_file, prepare_network
    files = sorted((data_dir / "roads").glob("*.graphml"))
    if not files:
        pytest.fail("roads/*.graphml is part of the shared data")
    return prepare_network(graph_from_file(files[0]), weights=("length",))


@pytest.fixture(scope="module")
def fsc(data_dir):
    from geo.services import load_default_sites
    sites, _ = load_default_sites(data_dir)
    return sites[sites["type"] == "family_service_centre"].reset_index(drop=True)


def _nearest_nodes(G: nx.MultiDiGraph, sites: gpd.GeoDataFrame):
    """Nearest node id and metres for each site, by brute force (not geo.network)."""
    ids = list(G.nodes)
    nodes = gpd.GeoSeries([Point(G.nodes[n]["x"], G.nodes[n]["y"]) for n in ids],
                          crs=4326).to_crs(METRIC_CRS)
    nx_, ny_ = nodes.x.to_numpy(), nodes.y.to_numpy()
    out = []
    for p in sites.geometry.to_crs(METRIC_CRS):
        d = np.hypot(nx_ - p.x, ny_ - p.y)
        out.append((ids[int(d.argmin())], float(d.min())))
    return out


@pytest.mark.parametrize("radius_m", [1500.0, 3000.0])
@pytest.mark.parametrize("direction", ["to_site", "from_site"])
def test_reachable_nodes_equal_networkx(road, fsc, radius_m, direction):
    G = road.graph
    walk = G.reverse(copy=False) if direction == "to_site" else G
    got = reachable_nodes(road, fsc, radius_m, direction=direction)
    expected = {}
    for sid, (node, snap) in zip(fsc["site_id"], _nearest_nodes(G, fsc)):
        if snap > 500.0 or snap > radius_m:
            continue
        expected[sid] = nx.single_source_dijkstra_path_length(
            walk, node, cutoff=radius_m - snap, weight="length")
    assert expected, "some family service centres lie in 桃園區"
    assert set(got) == set(expected)
    for sid, lengths in expected.items():
        assert set(got[sid].index) == set(lengths)
        ours = got[sid].sort_index()
        theirs = np.array([lengths[n] for n in ours.index])
        np.testing.assert_allclose(ours.to_numpy(), theirs, rtol=1e-9, atol=1e-6)


def test_direction_matters_on_one_way_streets(road, fsc):
    there = reachable_nodes(road, fsc, 2000.0, direction="to_site")
    back = reachable_nodes(road, fsc, 2000.0, direction="from_site")
    assert any(set(there[s].index) != set(back[s].index) for s in there)


def test_area_edges_and_geometry(road, fsc):
    G = road.graph
    reach = reachable_nodes(road, fsc, 2500.0)
    lines = service_areas(road, fsc, 2500.0, buffer_m=0)
    areas = service_areas(road, fsc, 2500.0)
    assert list(lines["site_id"]) == list(areas["site_id"]) == list(reach)
    assert areas.crs.to_epsg() == 4326
    for _, row in lines.iterrows():
        sub = G.subgraph(reach[row["site_id"]].index)
        # every directed edge with both ends inside, parallel edges included
        assert row["edges"] == sub.number_of_edges()
        assert row["nodes"] == sub.number_of_nodes()
        osm_m = sum(d["length"] for _, _, d in sub.edges(data=True))
        assert row["road_m"] == pytest.approx(osm_m, rel=0.01)  # projected vs OSMnx lengths
    metric = areas.to_crs(METRIC_CRS)
    for sid, geom in zip(metric["site_id"], metric.geometry):
        assert geom.geom_type in ("Polygon", "MultiPolygon")
        pts = gpd.GeoSeries([Point(G.nodes[n]["x"], G.nodes[n]["y"]) for n in reach[sid].index],
                            crs=4326).to_crs(METRIC_CRS)
        # every reachable node lies on a kept edge, inside the 60 m corridor
        assert shapely.distance(geom, pts.to_numpy()).max() < 1e-6
        site = fsc.loc[fsc["site_id"] == sid].geometry.to_crs(METRIC_CRS).iloc[0]
        far = site.buffer(2500.0 + 60.0 + 5.0)  # roads within the budget lie in the disc
        assert far.contains(geom)


def test_sites_off_the_graph_get_no_area(road, fsc):
    snaps = dict(zip(fsc["site_id"], (s for _, s in _nearest_nodes(road.graph, fsc))))
    areas = service_areas(road, fsc, 3000.0)
    assert set(areas["site_id"]) == {s for s, m in snaps.items() if m <= 500.0}
    assert len(areas) < len(fsc)  # the graph covers 桃園區 only
    empty = service_areas(road, fsc.iloc[:0], 3000.0)
    assert len(empty) == 0 and empty.crs.to_epsg() == 4326


def _toy() -> nx.MultiDiGraph:
    """a -> b -> c one way (100 m, 200 m), c <-> d two way (300 m), about 0.001° apart."""
    G = nx.MultiDiGraph(crs="EPSG:4326")
    for i, n in enumerate("abcd"):
        G.add_node(n, x=121.30 + 0.001 * i, y=25.0)
    G.add_edge("a", "b", length=100.0)
    G.add_edge("b", "c", length=200.0)
    G.add_edge("c", "d", length=300.0)
    G.add_edge("d", "c", length=300.0)
    return G


def test_toy_graph_by_hand():
    G = _toy()
    site = gpd.GeoDataFrame({"site_id": ["s"]}, geometry=[Point(121.302, 25.0)], crs=4326)  # at c
    to_c = reachable_nodes(G, site, 350.0, direction="to_site")["s"]
    assert to_c.to_dict() == pytest.approx({"c": 0.0, "b": 200.0, "a": 300.0, "d": 300.0})
    from_c = reachable_nodes(G, site, 350.0, direction="from_site")["s"]
    assert from_c.to_dict() == pytest.approx({"c": 0.0, "d": 300.0})  # a, b are upstream
    assert service_areas(G, site, 350.0, buffer_m=0).loc[0, "edges"] == 4
    short = reachable_nodes(G, site, 250.0)["s"]
    assert short.to_dict() == pytest.approx({"c": 0.0, "b": 200.0})
    lines = service_areas(G, site, 250.0, buffer_m=0)
    assert lines.loc[0, "edges"] == 1  # b->c only: a and d are beyond 250 m
    # the straight b-c line: 0.001° of longitude at 25° N = 111,320 m x cos 25° ≈ 100.9 m
    assert lines.loc[0, "road_m"] == pytest.approx(111_320 * 0.001 * np.cos(np.radians(25)),
                                                   rel=0.005)


def test_snap_metres_count_against_the_radius():
    G = _toy()
    # 200 m north of c: 300 m radius leaves 100 m of road, so d (300 m) is out
    p = gpd.GeoSeries([Point(121.302, 25.0)], crs=4326).to_crs(METRIC_CRS).translate(0, 200.0)
    site = gpd.GeoDataFrame({"site_id": ["s"]}, geometry=p.to_crs(4326), crs=4326)
    assert set(reachable_nodes(G, site, 300.0)["s"].index) == {"c"}
    assert reachable_nodes(G, site, 150.0) == {}  # the snap alone exceeds the radius


def test_bad_input():
    site = gpd.GeoDataFrame({"site_id": ["s"]}, geometry=[Point(121.302, 25.0)], crs=4326)
    with pytest.raises(ValueError, match="direction"):
        reachable_nodes(_toy(), site, 100.0, direction="both")
    with pytest.raises(ValueError, match="radius_m"):
        service_areas(_toy(), site, 0.0)
    with pytest.raises(ValueError, match="site_id"):
        reachable_nodes(_toy(), site.drop(columns="site_id"), 100.0)
