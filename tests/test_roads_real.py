"""The city-wide NLSC road graph on the real sheets (../shared/data/topo25k_2024/RoadL),
checked against geopandas/shapely on the source lines, osmnx.simplify_graph, networkx
Dijkstra, the OSM 桃園區 graph and the village boundaries. Built once (into a temporary
cache) for the whole module."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest
import shapely

from geo import METRIC_CRS
from geo.boundaries import load_villages
from geo.roads import (MAX_SNAP_M, load_road_network, network_distance_matrix,
                       prepare_network, shortest_path_matrix, snap_points)
from geo.roads.cache import ENV_CACHE
from geo.roads.classes import road_classes
from geo.roads.load import city_road_graph
from geo.roads.nlsc import city_outline, nlsc_sheet_paths

SNAP_M = 500.0


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    old = os.environ.get(ENV_CACHE)
    os.environ[ENV_CACHE] = str(tmp_path_factory.mktemp("cache"))
    yield Path(os.environ[ENV_CACHE])
    if old is None:
        del os.environ[ENV_CACHE]
    else:
        os.environ[ENV_CACHE] = old


@pytest.fixture(scope="module")
def G(cache, data_dir):
    return city_road_graph(data_dir)


@pytest.fixture(scope="module")
def net(G):
    return prepare_network(G)


@pytest.fixture(scope="module")
def source_lines(data_dir):
    """The sheets read independently with geopandas: in use, drivable, in the clip area."""
    df = pd.concat([gpd.read_file(p) for p in nlsc_sheet_paths(data_dir)], ignore_index=True)
    df = gpd.GeoDataFrame(df, crs="EPSG:4326")
    keep = (df.FCsubtype == 0) & (df.exs == 1) & ~df.us2.isin([7, 8])
    df = df[keep].to_crs(METRIC_CRS)
    return df[df.intersects(city_outline(road_classes().clip_margin_m))]


def test_lines_read_filtered_and_counted(G, source_lines):
    lines = G.graph["lines"]
    assert lines["read"] == 12509                        # the data README's count
    assert lines["not_in_use"] == 3 and lines["walk_only"] == 37
    assert lines["kept"] == len(source_lines)
    assert G.graph["source"].startswith("NLSC") and "NOT verified" in G.graph["licence"]


def test_no_road_lost_or_doubled(G, source_lines):
    # all pieces together hold exactly the kept lines' length (EPSG:3826)
    assert G.graph["components"]["km"] == pytest.approx(source_lines.length.sum() / 1000, abs=0.1)
    for _, _, d in G.edges(data=True):
        assert d["length"] == pytest.approx(shapely.length(d["geometry"]), rel=1e-9, abs=1e-6)


def test_main_piece_and_components(G):
    comps = G.graph["components"]
    assert comps["main_share_nodes"] > 0.93 and comps["main_share_km"] > 0.95
    assert comps["components"] > 1 and len(comps["pieces"]) == 10
    assert nx.is_weakly_connected(G)                     # only the main piece is routed
    assert comps["main_nodes"] <= G.number_of_nodes()    # (+ nodes cutting long edges)


def test_travel_times_follow_the_config(G):
    conf = tomllib.loads(road_classes().path.read_text(encoding="utf-8"))["nlsc"]
    seen = set()
    for _, _, d in G.edges(data=True):
        kph = min(conf["us2"][str(d["us2"])]["kph"],
                  conf["use_"][str(d["use_"])].get("max_kph", 1e9))
        assert d["speed_kph"] == kph
        assert d["travel_time"] == pytest.approx(d["length"] / (kph / 3.6), rel=1e-12)
        seen.add((d["us2"], d["use_"]))
    assert (1, 1) in seen and not any(us2 in (7, 8) for us2, _ in seen)


def test_freeways_join_only_at_shared_vertices(G, source_lines):
    fw = source_lines[(source_lines.us2 == 1) & (source_lines.use_ == 1)]
    other = source_lines[source_lines.us2 != 1]
    pairs = gpd.sjoin(fw[["geometry"]], other[["geometry"]], predicate="crosses")
    vertex = set()
    for g in source_lines.geometry:
        vertex.update(map(tuple, np.round(shapely.get_coordinates(g) * 10).astype(int)))
    crossings = []
    for i, j in zip(pairs.index, pairs["index_right"]):
        for p in shapely.get_parts(fw.geometry[i].intersection(other.geometry[j])):
            if p.geom_type == "Point" and tuple(np.round(np.array(p.coords[0]) * 10)
                                                .astype(int)) not in vertex:
                crossings.append(p.coords[0])
    assert len(crossings) > 20                       # over- and underpasses do occur
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)])
    ids = np.array(list(G.nodes))
    for x, y in crossings:                           # no junction where nothing is shared
        near = ids[np.hypot(xy[:, 0] - x, xy[:, 1] - y) < 1.0]
        for n in near:
            kinds = {d["us2"] == 1 for *_, d in G.edges(n, data=True)}
            assert kinds != {True, False}


def test_contraction_equals_osmnx_on_real_lines(source_lines):
    from geo.roads.graph import graph_from_lines
    from tests.test_roads_build import assert_same_edges, vertex_graph
    import dataclasses

    x, y = source_lines.geometry.centroid.x, source_lines.geometry.centroid.y
    part = source_lines[(x.between(276_000, 281_000)) & (y.between(2_764_000, 2_769_000))]
    part = part.explode(index_parts=False).assign(
        highway=lambda d: "us2=" + d.us2.astype(str) + " use_=" + d.use_.astype(str))
    classes = dataclasses.replace(road_classes(), max_edge_m=None)
    ours = graph_from_lines(part, class_fields=["us2", "use_"], highway=part["highway"],
                            table="nlsc", retain_all=True, classes=classes)
    ref = ox.simplify_graph(vertex_graph(part), edge_attrs_differ=["highway"])
    assert len(part) > 300 and ours.number_of_nodes() == ref.number_of_nodes()
    assert_same_edges(ours, ref, 0.5)


def test_networkx_gives_identical_distances(G, net):
    rng = np.random.default_rng(3)
    src = rng.choice(len(net.node_ids), 3, replace=False)
    tgt = rng.choice(len(net.node_ids), 300, replace=False)
    for weight in ("length", "travel_time"):
        D = shortest_path_matrix(net.csr[weight], src, tgt)
        for i, s in enumerate(net.node_ids[src]):
            ref = nx.single_source_dijkstra_path_length(G, s, weight=weight)
            np.testing.assert_allclose(D[i], [ref[t] for t in net.node_ids[tgt]],
                                       rtol=1e-12, atol=1e-9)
    assert np.isfinite(D).all()


def test_agrees_with_osm_in_taoyuan_district(net, data_dir):
    osm = load_road_network("osm", data_dir=data_dir)
    vill = load_villages(vintage="2021")
    pts = vill[vill["district"] == "桃園區"].representative_point()
    A, _, _ = network_distance_matrix(net, pts, pts, include_snap=True, max_snap_m=SNAP_M)
    B, _, _ = network_distance_matrix(osm, pts, pts, include_snap=True, max_snap_m=SNAP_M)
    xy = np.column_stack([pts.to_crs(METRIC_CRS).x, pts.to_crs(METRIC_CRS).y])
    straight = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    far = (straight > 500) & np.isfinite(B)
    assert far.sum() > 5000 and np.isfinite(A[far]).all()
    assert 0.9 <= np.median(A[far] / B[far]) <= 1.15
    assert (A[far] >= straight[far] - 1e-6).all()          # never shorter than a straight line


@pytest.mark.parametrize("vintage, count", [("2021", 504), (None, 516)])
def test_every_village_reaches_the_main_piece_or_is_listed(net, vintage, count):
    vill = load_villages(vintage=vintage)
    pts = vill.representative_point().to_crs(METRIC_CRS)
    xy = np.column_stack([pts.x, pts.y])
    snap = snap_points(xy, net.node_xy, max_snap_m=SNAP_M)
    brute = np.sqrt(((xy[:, None, :] - net.node_xy[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    np.testing.assert_allclose(snap["snap_m"], brute, rtol=0, atol=1e-6)
    listed = vill.assign(snap_m=snap["snap_m"].to_numpy())[snap["flagged"].to_numpy()]
    assert len(vill) == count  # shared/data/README.md
    # the mountain villages of 復興區 the data README names (義盛里 1.6 km) and no others
    assert set(listed["village"]) <= {"義盛里", "華陵里", "高義里", "三民里"}
    assert "義盛里" in set(listed["village"]) and len(listed) <= 4
    assert (listed["snap_m"] > SNAP_M).all() and (listed["snap_m"] < 2000).all()
    assert np.median(snap["snap_m"]) < 120


@pytest.mark.parametrize("vintage, count", [("2021-03", 504), (None, 516)])
def test_every_demand_point_snaps_within_the_threshold(net, vintage, count, data_dir):
    """The points the analysis routes from (each village's built-up land centroid, else its
    polygon's point on surface) all reach the road graph within the threshold; distances
    checked by brute force."""
    from analysis.context import load_context
    vill = load_context(data_dir, vintage=vintage, library=False).villages
    xy = vill[["demand_x", "demand_y"]].to_numpy(float)
    assert len(xy) == count and np.isfinite(xy).all()
    snap = snap_points(xy, net.node_xy, max_snap_m=SNAP_M)
    brute = np.sqrt(((xy[:, None, :] - net.node_xy[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    np.testing.assert_allclose(snap["snap_m"], brute, rtol=0, atol=1e-6)
    assert not snap["flagged"].any() and brute.max() < 300.0 and np.median(brute) < 100.0


def test_villages_beyond_the_threshold_are_named_with_their_distance(net, data_dir, tmp_path,
                                                                     capsys):
    """With a 250 m threshold the CLI names each village it leaves off the graph, farthest
    first, with its snap distance (checked by brute force from the demand points), and
    flags them in the output file."""
    from analysis.context import load_context
    from cli import main
    vill = load_context(data_dir, library=False).villages
    xy = vill[["demand_x", "demand_y"]].to_numpy(float)
    brute = np.sqrt(((xy[:, None, :] - net.node_xy[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    far = pd.Series(brute, index=vill.index)[brute > 250].sort_values(ascending=False)
    assert 1 <= len(far) <= 10
    out = tmp_path / "c.csv"
    assert main(["coverage", "--type", "family_service_centre", "--mode", "network",
                 "--max-snap-m", "250", "--out", str(out), "--data-dir", str(data_dir)]) == 0
    text = capsys.readouterr().out
    names = "、".join(f"{vill.at[c, 'district']} {vill.at[c, 'village']} {m:,.0f} m"
                     for c, m in far.items())
    assert f"{len(far)} 個村里距路網超過 250 公尺" in text and names in text
    table = pd.read_csv(out, dtype={"VILLCODE": str}).set_index("VILLCODE")
    assert set(table.index[~table["snapped"].astype(bool)]) == set(far.index)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, -1.0, 0.0, MAX_SNAP_M * 10, True,
                                 "abc", None])
def test_snap_threshold_cannot_be_switched_off(net, bad):
    with pytest.raises(ValueError, match="max_snap_m"):
        snap_points(net.node_xy[:3], net.node_xy, max_snap_m=bad)
    with pytest.raises(ValueError, match="max_snap_m"):
        network_distance_matrix(net, net.node_xy[:3], net.node_xy[:3], max_snap_m=bad)


def test_minutes_and_metres_through_one_interface(net):
    vill = load_villages(vintage="2021")
    pts = vill.representative_point()[:40]
    M, _, _ = network_distance_matrix(net, pts, pts, weight="length", max_snap_m=SNAP_M)
    S, _, _ = network_distance_matrix(net, pts, pts, weight="travel_time", max_snap_m=SNAP_M)
    T, _, _ = network_distance_matrix(net, pts, pts, weight="travel_time", time_unit="min",
                                      max_snap_m=SNAP_M)
    np.testing.assert_allclose(T, S / 60.0)
    ok = np.isfinite(M) & (M > 0)
    speed = M[ok] / (S[ok] / 3600) / 1000            # km/h along the fastest route
    assert (speed > 15).all() and (speed < 95).all()
    C, _, _ = network_distance_matrix(net, pts, pts, weight="travel_time", time_unit="min",
                                      cutoff=10.0, max_snap_m=SNAP_M)
    np.testing.assert_array_equal(np.isinf(C), ~(T <= 10.0))
    with pytest.raises(ValueError, match="cutoff"):
        network_distance_matrix(net, pts, pts, cutoff=np.nan)


def test_cli_roads_info_reads_the_cache(G, cache, capsys, monkeypatch):
    import json

    import geo.roads.nlsc
    from cli import build_parser, main

    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt although the cache holds the graph")

    monkeypatch.setattr(geo.roads.nlsc, "nlsc_graph", no_build)
    assert main(["roads", "info", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "nlsc" and out["nodes"] == G.number_of_nodes()
    assert out["edges"] == G.number_of_edges() and out["components"]["components"] > 1
    assert out["cache_path"] == G.graph["cache_path"]
    assert Path(out["cache_path"]).parent == cache / "roads"    # outside the repository
    assert out["km"] == pytest.approx(G.graph["components"]["main_km"], abs=0.1)
    assert main(["roads", "info", "--source", "osm"]) == 0
    text = capsys.readouterr().out
    assert "1,378" in text and "ODbL" in text and "桃園區" in text
    fetch = build_parser()._subparsers._group_actions[0].choices["roads"]
    assert "not tested offline" in fetch.format_help().lower()
    assert main(["roads", "info", "--source", str(cache / "missing.graphml")]) == 2
