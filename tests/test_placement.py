"""Placement on road costs (coverage.placement + coverage.optimize): a hand-made road graph
whose optima are worked out on paper, and the bundled OSM graph of 桃園區 checked against
networkx (costs), spopt and brute force (optima) on the identical cost matrix."""
from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from coverage import placement
from coverage.optimize import PMedian
from geo.network import graph_from_file, prepare_network
from tests.optimize_reference import brute_force, spopt_objective

# spopt builds its models with PuLP calls that PuLP itself marks deprecated
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

X0, Y0 = 270_000.0, 2_760_000.0  # a place in Taoyuan, EPSG:3826 metres

# --- a river town drawn on paper ------------------------------------------------------------
# Four road nodes at the corners of a 1 km square; a river runs between P1 and P4, so the
# road goes round it:  P1 -(1000 m, 120 s)- P2 -(1000 m, 60 s, the bridge)- P3 -(1000 m,
# 60 s)- P4, both directions. Straight line P1-P4 is 1 km, by road 3 km.
#
#     P2 (0,1000) ===bridge=== P3 (1000,1000)
#     |                        |
#     P1 (0,0)     river       P4 (1000,0)   Q (1050,0)
#
# Villages V1..V4 are 100 m squares centred on P1..P4 (residents 500, 100, 150, 400); V5
# is at (5000, 5000), 5.7 km from the nearest node (70 residents). Candidates: the five
# village points, Q 50 m east of P4, and R at (0, 3000), 2 km from any node.
NODES = {"P1": (0, 0), "P2": (0, 1000), "P3": (1000, 1000), "P4": (1000, 0)}
ROADS = [("P1", "P2", 1000.0, 120.0), ("P2", "P3", 1000.0, 60.0), ("P3", "P4", 1000.0, 60.0)]
POP = [500, 100, 150, 400, 70]


def _river_network():
    G = nx.MultiDiGraph(crs="EPSG:3826")
    for name, (x, y) in NODES.items():
        G.add_node(name, x=X0 + x, y=Y0 + y)
    for u, v, length, seconds in ROADS:
        for a, b in ((u, v), (v, u)):
            G.add_edge(a, b, length=length, travel_time=seconds)
    return prepare_network(G, weights=("length", "travel_time"))


def _points(xy):
    return gpd.GeoDataFrame(geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs="EPSG:3826")


def _river_villages() -> gpd.GeoDataFrame:
    centres = list(NODES.values()) + [(5000, 5000)]
    return gpd.GeoDataFrame(
        {"district": ["河濱區"] * 5, "village": [f"V{i}里" for i in range(1, 6)],
         "population": POP},
        geometry=[box(X0 + x - 50, Y0 + y - 50, X0 + x + 50, Y0 + y + 50) for x, y in centres],
        index=pd.Index([f"V{i}" for i in range(1, 6)], name="VILLCODE"),
        crs="EPSG:3826").to_crs("EPSG:4326")


def _river_sites(rows) -> gpd.GeoDataFrame:
    gdf = _points([xy for _, xy in rows]).to_crs("EPSG:4326")
    gdf["site_id"] = [sid for sid, _ in rows]
    gdf["name"] = gdf["site_id"]
    return gdf


NO_SITES = gpd.GeoDataFrame({"site_id": [], "name": []}, geometry=[], crs="EPSG:4326")
EXTRA = [("Q", (1050, 0)), ("R", (0, 3000))]


@pytest.fixture(scope="module")
def river():
    """The river town's network and its placement inputs in the three modes."""
    net = _river_network()
    villages = _river_villages()
    extra = _river_sites(EXTRA)
    inputs = {mode: placement.placement_input(villages, NO_SITES, candidates=extra, **kw)
              for mode, kw in (("straight", {}),
                               ("length", dict(mode="network", network=net)),
                               ("time", dict(mode="network", network=net,
                                             weight="travel_time")))}
    return net, villages, inputs


def test_river_town_costs_on_paper(river):
    _, _, inputs = river
    road, time = inputs["length"], inputs["time"]
    # R is 2 km from the graph: left out and reported, never snapped; Q kept (50 m)
    assert road.candidates["id"].tolist() == ["Q"]
    assert road.excluded_candidates["id"].tolist() == ["R"]
    assert road.excluded_candidates["snap_m"].iloc[0] == pytest.approx(2000.0)
    assert road.candidate_snap.loc["Q", "snap_m"] == pytest.approx(50.0)
    assert road.off_network_villages.tolist() == ["V5"]
    assert road.demand_snap.loc["V5", "snap_m"] == pytest.approx(math.hypot(4000, 4000))
    # road metres (+ 50 m of Q's snap), road seconds (snap legs not timed)
    assert road.unit == "m" and time.unit == "s"
    np.testing.assert_allclose(road.costs[:4, 0], [3050, 2050, 1050, 50])
    np.testing.assert_allclose(time.costs[:4, 0], [240, 120, 60, 0])
    assert np.isinf(road.costs[4]).all() and np.isinf(time.costs[4]).all()
    # straight line: nothing is snapped, nothing left out
    straight = inputs["straight"]
    assert straight.candidates["id"].tolist() == ["Q", "R"] and straight.demand_snap is None
    assert straight.costs[0, 0] == pytest.approx(1050.0)


def _village_inputs(river, **kw):
    net, villages, _ = river
    return placement.placement_input(villages, NO_SITES, network=net, **kw)


def test_mclp_on_road_costs_picks_the_paper_optimum(river):
    # k = 1, radius 1 km (+ 1 m: the village points pass through lon/lat, and their snap
    # metres, about 1e-7 m, are added to road lengths). Straight line: P4 reaches V4, V3, V1 = 400+150+500 = 1050 (P1
    # reaches 1000). By road: V1's site reaches V1, V2 = 600; V2's reaches V1, V2, V3 = 750;
    # V3's V2, V3, V4 = 650; V4's V3, V4 = 550. By time within 90 s: V1 alone 500; V2 and
    # V3 (60 s) 250; V3 with V2 and V4 = 650; V4 with V3 = 550.
    straight = placement.solve(_village_inputs(river), model="mclp", radius_m=1001, k=1)
    assert straight.new_sites == ("V4",) and straight.objective == 1050
    road = placement.solve(_village_inputs(river, mode="network"), model="mclp",
                           radius=1001, k=1)
    assert road.new_sites == ("V2",) and road.objective == 750 and road.optimal
    assert road.uncoverable_ids == ("V5",) and road.uncoverable_demand == 70
    timed = placement.solve(_village_inputs(river, mode="network", weight="travel_time"),
                            model="mclp", radius=90, k=1)
    assert timed.new_sites == ("V3",) and timed.objective == 650


def test_pmedian_on_road_costs_picks_the_paper_optimum(river):
    # p = 1 by road (person-metres): V1 0+100k+300k+1.2M = 1.6M; V2 500k+0+150k+800k =
    # 1.45M; V3 1M+100k+0+400k = 1.5M; V4 1.5M+200k+150k = 1.85M. p = 2: {V1, V4} serve V2
    # and V3 at 1 km each = 100k + 150k = 250k (next best {V1, V3}: 100k + 400k). By time
    # (person-seconds), p = 1: V2 = 500*120 + 150*60 + 400*120 = 117,000 (V3: 120,000).
    # V5 reaches no site: left out of the objective and reported.
    road = _village_inputs(river, mode="network")
    one = placement.solve(road, model="pmedian", k=1)
    assert one.new_sites == ("V2",) and one.objective == pytest.approx(1_450_000)
    two = placement.solve(road, model="pmedian", k=2)
    assert two.new_sites == ("V1", "V4") and two.objective == pytest.approx(250_000)
    assert two.uncoverable_ids == ("V5",) and "V5" not in two.assignment
    timed = placement.solve(_village_inputs(river, mode="network", weight="travel_time"),
                            model="pmedian", k=1)
    assert timed.new_sites == ("V2",) and timed.objective == pytest.approx(117_000)
    # straight line, V5 included: V1 = 100k + 150 * 1414.2 + 400k + 70 * 7071.1 = 1207.1k;
    # V4 = 500k + 100 * 1414.2 + 150k + 70 * 6403.1 = 1239.6k; V2, V3 and V5 cost more
    straight = placement.solve(_village_inputs(river), model="pmedian", k=1)
    assert straight.new_sites == ("V1",) and straight.objective == pytest.approx(
        100_000 + 150 * math.hypot(1000, 1000) + 400_000 + 70 * math.hypot(5000, 5000))


def test_existing_site_off_the_network_stays_fixed_and_reaches_no_one(river):
    net, villages, _ = river
    existing = _river_sites([("far", (3000, -3000))])
    inp = placement.placement_input(villages, existing, mode="network", network=net)
    assert inp.candidates["id"].iloc[0] == "far" and inp.candidates["fixed"].iloc[0]
    assert inp.candidate_snap.loc["far", "flagged"]
    assert inp.excluded_candidates["id"].tolist() == ["V5"]  # not fixed: left out
    assert np.isinf(inp.costs[:, 0]).all()
    res = placement.solve(inp, model="mclp", radius=1001, k=1)
    assert res.chosen == ("far", "V2") and res.covered_demand_before == 0
    assert res.objective == 750


@pytest.mark.parametrize("kw, message", [
    (dict(mode="network", max_snap_m=math.nan), "max_snap_m"),
    (dict(mode="network", max_snap_m=math.inf), "max_snap_m"),
    (dict(mode="network", max_snap_m=-1), "max_snap_m"),
    (dict(mode="network", max_snap_m=0), "max_snap_m"),
    (dict(mode="straight", max_snap_m=math.nan), "max_snap_m"),
    (dict(mode="network", cutoff=math.nan), "cutoff"),
    (dict(mode="straight", weight="travel_time"), "needs mode 'network'"),
    (dict(mode="bus"), "mode"),
    (dict(mode="network", weight="speed"), "weight"),
])
def test_no_argument_switches_the_snap_check_off(river, kw, message):
    with pytest.raises(ValueError, match=message):
        _village_inputs(river, **kw)


def test_radius_in_metres_refused_for_travel_time(river):
    timed = _village_inputs(river, mode="network", weight="travel_time")
    with pytest.raises(ValueError, match="travel time"):
        placement.solve(timed, model="mclp", radius_m=1000, k=1)
    with pytest.raises(ValueError, match="once"):
        placement.solve(_village_inputs(river), model="mclp", radius=1, radius_m=1, k=1)


# --- the bundled OSM graph of 桃園區 ----------------------------------------------------------
@pytest.fixture(scope="module")
def taoyuan_district(data_dir, village_table):
    """桃園區's villages, the OSM drive graph and the road inputs (metres and seconds)."""
    from geo.city import city
    graph = graph_from_file(city().data_file("roads_graphml", data_dir))
    net = prepare_network(graph)
    villages = village_table[0]
    villages = villages[villages["district"] == "桃園區"]
    inputs = {w: placement.placement_input(villages, NO_SITES, mode="network", network=net,
                                           weight=w) for w in ("length", "travel_time")}
    return graph, villages, inputs


def test_taoyuan_district_snapping_is_reported(taoyuan_district):
    # every village is either within the 500 m snap threshold or listed with its distance;
    # a listed one is neither a candidate nor reachable
    _, villages, inputs = taoyuan_district
    inp = inputs["length"]
    snap = inp.demand_snap
    assert snap.index.equals(villages.index)
    far = snap.index[snap["snap_m"] > 500]
    assert inp.off_network_villages.equals(far)
    assert set(inp.excluded_candidates["id"]) == set(far)
    assert not set(inp.candidates["id"]) & set(far)
    assert np.isinf(inp.costs[snap.index.get_indexer(far)]).all()
    assert len(far) < 0.1 * len(villages)  # the graph covers the district


def test_taoyuan_district_costs_equal_networkx(taoyuan_district):
    # road costs of a sample of pairs against networkx Dijkstra on the same graph, from
    # the nearest node found here by brute force (+ the snap metres for length)
    from pyproj import Transformer

    graph, villages, inputs = taoyuan_district
    nodes = list(graph.nodes)
    lonlat = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in nodes])
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)
    node_xy = np.column_stack(to_metric.transform(lonlat[:, 0], lonlat[:, 1]))
    xy = villages[["demand_x", "demand_y"]].to_numpy(float)  # the table's demand points
    assert np.isfinite(xy).all()
    cand_pos = villages.index.get_indexer(inputs["length"].candidates["id"])
    rng = np.random.default_rng(0)
    finite = 0
    for i, j in zip(rng.integers(0, len(villages), 12), rng.integers(0, len(cand_pos), 12)):
        gaps = [np.hypot(*(node_xy - xy[p]).T) for p in (i, cand_pos[j])]
        (o, snap_o), (d, snap_d) = [(nodes[int(g.argmin())], g.min()) for g in gaps]
        for weight, snaps in (("length", snap_o + snap_d), ("travel_time", 0.0)):
            got = inputs[weight].costs[i, j]
            if snap_o > 500:
                assert np.isinf(got)
                continue
            try:
                want = nx.shortest_path_length(graph, o, d, weight=weight) + snaps
            except nx.NetworkXNoPath:
                want = math.inf
            assert got == pytest.approx(want, rel=1e-9)
            finite += math.isfinite(want)
    assert finite >= 16  # most sampled pairs are real routes, not both-inf agreements


@pytest.mark.parametrize("weight, radius, k", [("length", 2000.0, 3), ("length", 1500.0, 5),
                                               ("travel_time", 180.0, 3)])
def test_taoyuan_district_mclp_equals_spopt_on_road_costs(taoyuan_district, weight, radius, k):
    from spopt.locate import MCLP as SpMCLP
    inp = taoyuan_district[2][weight]
    w = inp.demand.to_numpy(float)
    ours = placement.solve(inp, model="mclp", radius=radius, k=k)
    assert ours.optimal
    theirs = spopt_objective(SpMCLP.from_cost_matrix(inp.costs, w, radius, k))
    assert ours.objective == pytest.approx(theirs, abs=0.5)
    sel = inp.candidates["id"].isin(ours.chosen).to_numpy()
    assert w[(inp.costs[:, sel] <= radius).any(axis=1)].sum() == pytest.approx(ours.objective)
    if k == 3 and weight == "length":  # 79 candidates: 82,160 triples, enumerated
        assert ours.objective == brute_force("mclp", inp.costs, w, radius, 3)


def test_taoyuan_district_pmedian_equals_spopt_on_road_costs(taoyuan_district):
    # spopt needs finite costs: the villages off the graph and the candidates some village
    # cannot reach by road (one-way or a detached piece) are left out of both solves
    from spopt.locate import PMedian as SpPMedian
    inp = taoyuan_district[2]["length"]
    rows = np.isfinite(inp.costs).any(axis=1)
    cols = np.isfinite(inp.costs[rows]).all(axis=0)
    costs = inp.costs[np.ix_(rows, cols)]
    w = inp.demand.to_numpy(float)[rows]
    assert np.isfinite(costs).all() and costs.shape[1] >= 0.9 * inp.costs.shape[1]
    ours = PMedian.from_cost_matrix(costs, w, k=3).solve()
    assert ours.optimal
    theirs = spopt_objective(SpPMedian.from_cost_matrix(costs, w, 3))
    assert ours.objective == pytest.approx(theirs, rel=1e-7)
    assert w @ costs[:, list(ours.chosen)].min(axis=1) == pytest.approx(ours.objective)
    greedy = PMedian.from_costs(costs, w, k=3).solve(method="greedy")
    assert greedy.objective >= ours.objective * (1 - 1e-12)
