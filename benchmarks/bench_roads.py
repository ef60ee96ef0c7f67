"""The city-wide road graph: build time and OD matrices against networkx and pandana.

Run: .venv/bin/python benchmarks/bench_roads.py [--repeat 3] [--cutoff-km 10] [--skip-build]

Every figure is measured in this run, on identical inputs:

1. Build: geo.roads (NLSC sheets -> drive graph; cold, no cache) against the "osmnx way"
   on the same drivable lines (a networkx graph of every vertex + osmnx.simplify_graph),
   and pandana.Network's contraction-hierarchy set-up on the finished graph. Loading the
   cached graph and prepare_network (CSR arrays) are timed too.
2. villages x all sites OD (metres): network_distance_matrix (snapping included) against
   networkx (one single_source_dijkstra per site on the reversed graph) and pandana
   shortest_path_lengths over every pair.
3. village x village OD with a cut-off (the placement models' cost matrix): csgraph
   Dijkstra with limit against networkx with cutoff and pandana (all pairs, then cut).
4. One-site distances: from every village to one new site (one Dijkstra, no engine).
5. One-site update through the engine's incremental state in road mode
   (coverage.engine.build_state(mode="network"), the scenario page's path): add, move and
   remove one family service centre (15 sites, 5 km by road, villages at their demand
   points), median of ``--repeat-update`` edits each, against a full build_state rebuild
   and against networkx (one single-source Dijkstra from the site + recomputing nearest
   site and sites within the radius over the whole matrix; for add and move, a removal
   needs no Dijkstra); target < 20 ms per edit.
All results are checked equal (5: the engine's table equals a fresh build exactly and the
networkx recomputation to 1e-6 m): networkx to 1e-6 m; pandana to 1e-3 relative (its
contraction hierarchies return distances a few decimetres off over tens of km; the max
difference is printed). Ratios = baseline time / our time.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import METRIC_CRS  # noqa: E402
from geo.boundaries import load_villages  # noqa: E402
from geo.city import city  # noqa: E402
from geo.paths import resolve_data_dir  # noqa: E402
from geo.roads import network_distance_matrix, prepare_network, snap_points  # noqa: E402
from geo.roads.cache import load_graph  # noqa: E402
from geo.roads.load import city_road_graph, nlsc_cache_stem  # noqa: E402
from geo.roads.routing import shortest_path_matrix  # noqa: E402
from _timing import best_of  # noqa: E402  (benchmarks/_timing.py)

ROWS: list[tuple[str, float, str, float]] = []
UPDATES: dict[str, float] = {}  # engine edit -> median seconds (section 5)


def row(task: str, ours: float, baseline: str, base: float) -> None:
    ROWS.append((task, ours, baseline, base))
    print(f"  {task:34s} ours {ours * 1000:9.1f} ms   {baseline:22s} {base * 1000:10.1f} ms"
          f"   ratio {base / ours:7.1f} x")


def bench_build(data) -> None:
    import osmnx  # noqa: F401  (import cost is not build cost)
    from geo.roads.classes import road_classes
    from geo.roads.nlsc import city_outline, nlsc_graph, nlsc_sheet_paths, read_nlsc_lines
    from tests.test_roads_build import vertex_graph

    G, t_build = best_of(lambda: nlsc_graph(data))
    lines, _ = read_nlsc_lines(nlsc_sheet_paths(data),
                               clip=city_outline(road_classes().clip_margin_m))
    lines = lines.explode(index_parts=False)

    def osmnx_way():
        import osmnx as ox
        return ox.simplify_graph(vertex_graph(lines), edge_attrs_differ=["highway"])

    ref, t_ref = best_of(osmnx_way)
    print(f"build: ours {G.number_of_nodes():,} nodes / {G.number_of_edges():,} edges "
          f"(edges cut at 300 m); osmnx way {ref.number_of_nodes():,} nodes (no cut, "
          f"no speeds, all pieces)")
    row("graph build (cold, no cache)", t_build, "networkx+osmnx.simplify", t_ref)
    clip_effect(data, G)


def clip_effect(data, G) -> None:
    """How much the clip margin changes villages x sites distances (vs all 15 sheets)."""
    from geo.roads.nlsc import nlsc_graph

    whole = prepare_network(nlsc_graph(data, clip=False), weights=("length",))
    clipped = prepare_network(G, weights=("length",))
    vill = load_villages().representative_point()
    sxy = sites_xy(data)
    a = network_distance_matrix(clipped, vill, sxy, max_snap_m=500)[0]
    b = network_distance_matrix(whole, vill, sxy, max_snap_m=500)[0]
    ok = np.isfinite(a) & np.isfinite(b)
    print(f"clip margin: unclipped graph {len(whole.node_ids):,} nodes vs "
          f"{len(clipped.node_ids):,}; villages x sites: {(np.abs(a[ok] - b[ok]) > 1e-6).mean():.2%} of pairs differ, "
          f"max {np.abs(a[ok] - b[ok]).max():.1f} m; reachability differs for "
          f"{int((np.isfinite(a) != np.isfinite(b)).sum())} pairs")


def pandana_net(net, weight="length"):
    import pandana

    coo = net.csr[weight].tocoo()
    edges = pd.DataFrame({weight: coo.data})
    return pandana.Network(pd.Series(net.node_xy[:, 0]), pd.Series(net.node_xy[:, 1]),
                           pd.Series(coo.row), pd.Series(coo.col), edges, twoway=False)


def pandana_matrix(pnet, src, tgt, weight="length"):
    a = np.repeat(src, len(tgt))
    b = np.tile(tgt, len(src))
    out = np.asarray(pnet.shortest_path_lengths(a, b, imp_name=weight), dtype=float)
    return out.reshape(len(src), len(tgt))


def nx_to_targets(R, node_ids, src_pos, tgt_pos, cutoff=None):
    """networkx: one Dijkstra per target on the reversed graph (few targets)."""
    out = np.full((len(src_pos), len(tgt_pos)), np.inf)
    want = node_ids[src_pos]
    for j, t in enumerate(node_ids[tgt_pos]):
        d = nx.single_source_dijkstra_path_length(R, t, cutoff=cutoff, weight="length")
        out[:, j] = [d.get(s, np.inf) for s in want]
    return out


def nx_from_sources(G, node_ids, src_pos, tgt_pos, cutoff=None):
    out = np.full((len(src_pos), len(tgt_pos)), np.inf)
    want = node_ids[tgt_pos]
    for i, s in enumerate(node_ids[src_pos]):
        d = nx.single_source_dijkstra_path_length(G, s, cutoff=cutoff, weight="length")
        out[i] = [d.get(t, np.inf) for t in want]
    return out


def check(label, ours, ref, rel=0.0):
    assert np.array_equal(np.isinf(ours), np.isinf(ref)), f"{label}: reachability differs"
    ok = np.isfinite(ours)
    diff = np.abs(ours[ok] - ref[ok])
    bound = 1e-6 + rel * np.abs(ref[ok])
    assert (diff <= bound).all(), f"{label}: max difference {diff.max()}"
    return float(diff.max()) if diff.size else 0.0


def sites_xy(data) -> np.ndarray:
    frames = [gpd.read_file(Path(data) / f) for f, _ in city().files["services"].values()]
    pts = pd.concat([f.to_crs(METRIC_CRS).geometry for f in frames], ignore_index=True)
    return np.column_stack([pts.x, pts.y])


def _nx_update(R, net, state, xy, radius):
    """networkx baseline of one added site: a Dijkstra from its node on the reversed graph
    (cut at the radius), then nearest site and sites within recomputed over the matrix."""
    s = snap_points(np.reshape(xy, (1, 2)), net.node_xy, max_snap_m=500).iloc[0]
    osnap = state.origin_snap
    d = nx.single_source_dijkstra_path_length(R, net.node_ids[int(s["node"])], cutoff=radius,
                                              weight="length")
    ids = net.node_ids[osnap["node"].to_numpy()]
    col = np.array([d.get(v, np.inf) for v in ids]) + osnap["snap_m"].to_numpy() + s["snap_m"]
    col[osnap["flagged"].to_numpy()] = np.inf
    mat = np.column_stack([state.distances(), col])
    return mat.min(axis=1), (mat <= radius).sum(axis=1)


def bench_update(repeat: int, radius: float = 5000.0) -> None:
    """Section 5: add / move / remove through coverage.engine's incremental state."""
    from analysis.context import load_context
    from coverage.distance import village_points
    from coverage.engine import build_state
    from coverage.metrics import select_sites
    from _timing import median_of

    ctx = load_context(library=False)
    net = ctx.road_network()[0]
    villages = ctx.villages
    sites = select_sites(ctx.sites, "family_service_centre")
    opts = dict(radius_m=radius, mode="network", network=net)
    state = build_state(villages, sites, **opts)
    pts = village_points(villages)
    picks = pts[np.random.default_rng(20261130).choice(len(pts), 2 * repeat, replace=False)]
    times: dict[str, list[float]] = {"add": [], "move": [], "remove": []}
    sid, home = state.site_ids[0], state.site_xy[0].copy()
    for p, q in zip(picks[:repeat], picks[repeat:]):
        times["add"].append(median_of(lambda: state.add_site("bench-new", p))[1])
        times["remove"].append(median_of(lambda: state.remove_site("bench-new"))[1])
        times["move"].append(median_of(lambda: state.move_site(sid, q))[1])
        times["move"].append(median_of(lambda: state.move_site(sid, home))[1])
    # after one more add: the engine against a fresh build and against networkx
    state.add_site("bench-new", picks[0])
    after = pd.concat([sites.to_crs(METRIC_CRS), gpd.GeoDataFrame(
        {"site_id": ["bench-new"]}, geometry=gpd.points_from_xy([picks[0][0]], [picks[0][1]]),
        crs=METRIC_CRS)], ignore_index=True)
    fresh, t_full = median_of(lambda: build_state(villages, after, **opts), 5)
    pd.testing.assert_frame_equal(state.village_table(), fresh.village_table(),
                                  check_exact=True)
    state.remove_site("bench-new")
    R = net.graph.reverse(copy=False)
    t_nx = float(np.median([median_of(lambda: _nx_update(R, net, state, p, radius))[1]
                            for p in picks[:repeat]]))  # the positions the adds used
    near, within = _nx_update(R, net, state, picks[0], radius)
    state.add_site("bench-new", picks[0])
    t = state.village_table()
    np.testing.assert_allclose(t["nearest_m"].to_numpy(), near, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(t["sites_within"].to_numpy(), within)
    print(f"\nengine update, road mode: {len(sites)} family service centres, {radius:.0f} m "
          f"by road, {len(villages)} villages; median of {repeat} edits ({2 * repeat} moves); "
          f"full build_state {t_full * 1000:.1f} ms (median of 5), networkx Dijkstra + "
          f"recompute {t_nx * 1000:.1f} ms (median over the add positions); results checked "
          f"equal")
    for op, ts in times.items():
        med = float(np.median(ts))
        UPDATES[op] = med
        vs_nx = "      -" if op == "remove" else f"{t_nx / med:6.1f} x"  # no Dijkstra
        print(f"  {op:6s} median {med * 1000:6.2f} ms  max {max(ts) * 1000:6.2f} ms   "
              f"full rebuild / update {t_full / med:6.1f} x   networkx / update {vs_nx}   "
              f"target < 20 ms: {'met' if med < 0.020 else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cutoff-km", type=float, default=10.0)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--repeat-update", type=int, default=15)
    ap.add_argument("--update-only", action="store_true", help="section 5 only")
    args = ap.parse_args()
    data = resolve_data_dir()
    if args.update_only:
        bench_update(args.repeat_update)
        return
    if not args.skip_build:
        bench_build(data)
    G = city_road_graph(data)
    stem = nlsc_cache_stem(data)
    _, t_load = best_of(lambda: load_graph(stem))
    net, t_prep = best_of(lambda: prepare_network(G))
    pnet, t_ch = best_of(lambda: pandana_net(net))
    print(f"cache load {t_load:.2f} s; prepare_network (2 CSR) {t_prep:.2f} s; "
          f"pandana CH set-up {t_ch:.2f} s")
    row("make queryable (cached graph)", t_prep, "pandana CH set-up", t_ch)
    vill = load_villages().representative_point().to_crs(METRIC_CRS)
    vxy = np.column_stack([vill.x, vill.y])
    sxy = sites_xy(data)
    vs = snap_points(vxy, net.node_xy, max_snap_m=500)
    ss = snap_points(sxy, net.node_xy, max_snap_m=500)
    vpos = vs["node"].to_numpy()[~vs["flagged"].to_numpy()]
    spos = ss["node"].to_numpy()[~ss["flagged"].to_numpy()]
    print(f"{len(vxy)} villages ({len(vpos)} within 500 m of the graph), {len(sxy)} sites; "
          f"graph {len(net.node_ids):,} nodes")
    R = G.reverse(copy=False)
    csr = net.csr["length"]

    # 2. villages x all sites
    full, t_ours = best_of(lambda: network_distance_matrix(net, vxy, sxy, max_snap_m=500)[0],
                         args.repeat)
    raw, t_raw = best_of(lambda: shortest_path_matrix(csr, vpos, spos), args.repeat)
    ref, t_nx = best_of(lambda: nx_to_targets(R, net.node_ids, vpos, spos))
    pd_, t_pd = best_of(lambda: pandana_matrix(pnet, vpos, spos), args.repeat)
    check("villages x sites (networkx)", raw, ref)
    err = check("villages x sites (pandana)", raw, pd_, rel=1e-3)
    print(f"villages x sites: max |ours - pandana| {err:.3f} m")
    row("villages x sites OD (API, snap)", t_ours, "networkx", t_nx)
    row("villages x sites OD (raw)", t_raw, "networkx", t_nx)
    row("villages x sites OD (raw)", t_raw, "pandana CH", t_pd)

    # 3. village x village with a cut-off
    cut = args.cutoff_km * 1000
    vv, t_vv = best_of(lambda: shortest_path_matrix(csr, vpos, vpos, cutoff=cut), args.repeat)
    ref, t_nx = best_of(lambda: nx_from_sources(G, net.node_ids, vpos, vpos, cutoff=cut))
    pd_, t_pd = best_of(lambda: pandana_matrix(pnet, vpos, vpos))
    pd_[pd_ > cut] = np.inf
    check("village x village (networkx)", vv, ref)
    err = check("village x village (pandana)", vv, pd_, rel=1e-3)
    print(f"village x village <= {args.cutoff_km:g} km: {np.isfinite(vv).mean():.1%} of pairs "
          f"within; max |ours - pandana| {err:.3f} m")
    row(f"village x village OD, cut {args.cutoff_km:g} km", t_vv, "networkx", t_nx)
    row(f"village x village OD, cut {args.cutoff_km:g} km", t_vv, "pandana CH", t_pd)

    # 4. one new site
    new = vpos[len(vpos) // 2: len(vpos) // 2 + 1]
    one, t_one = best_of(lambda: shortest_path_matrix(csr, vpos, new), args.repeat * 3)
    api, t_api = best_of(lambda: network_distance_matrix(net, vxy, vxy[len(vxy) // 2:
                                                                       len(vxy) // 2 + 1],
                                                       max_snap_m=500)[0], args.repeat * 3)
    ref, t_nx = best_of(lambda: nx_to_targets(R, net.node_ids, vpos, new))
    pd_, t_pd = best_of(lambda: pandana_matrix(pnet, vpos, new), args.repeat * 3)
    check("one site (networkx)", one, ref)
    check("one site (pandana)", one, pd_, rel=1e-3)
    row("one-site update (raw)", t_one, "networkx", t_nx)
    row("one-site update (API, snap)", t_api, "networkx", t_nx)
    row("one-site update (raw)", t_one, "pandana CH", t_pd)

    # 5. the engine's incremental state
    bench_update(args.repeat_update)

    print("\nsummary (targets: >= 10x networkx, >= 1x pandana on the OD matrices; "
          "engine update < 20 ms)")
    for task, ours, baseline, base in ROWS:
        target = 10.0 if baseline == "networkx" else 1.0
        verdict = ("ok" if base / ours >= target else "MISSED") if "OD" in task else "-"
        print(f"  {task:34s} vs {baseline:22s} {base / ours:7.1f} x  {verdict}")
    for op, med in UPDATES.items():
        print(f"  engine {op:6s} (road mode)            median {med * 1000:6.2f} ms  "
              f"{'met' if med < 0.020 else 'MISSED'} (< 20 ms)")


if __name__ == "__main__":
    main()
