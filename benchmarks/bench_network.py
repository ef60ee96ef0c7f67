"""Many-to-many network distances: scipy csgraph (geo.network) vs networkx Dijkstra.

Run: .venv/bin/python benchmarks/bench_network.py [--grid-side 316] [--targets 50]

1. The real 桃園區 drive graph: every node -> 50 target nodes (metres).
   Baseline: networkx single_source_dijkstra_path_length from each target on the reversed
   graph (the fair networkx way to get all-to-few distances: 50 runs, not 1,378).
2. A synthetic directed grid (~100k nodes, random lengths, one-way rows): same query
   with fewer targets.
Both results are asserted identical (to 1e-9 m) and the speed ratio is printed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import network as gn  # noqa: E402
from geo.paths import resolve_data_dir  # noqa: E402
from _timing import best_of  # noqa: E402  (benchmarks/_timing.py)


def nx_all_to_targets(G, node_ids, targets, weight="length"):
    """(n, len(targets)) distances node -> target with networkx, from each target on G reversed."""
    R = G.reverse(copy=False)
    pos = {n: i for i, n in enumerate(node_ids)}
    out = np.full((len(node_ids), len(targets)), np.inf)
    for j, t in enumerate(node_ids[targets]):
        for n, d in nx.single_source_dijkstra_path_length(R, t, weight=weight).items():
            out[pos[n], j] = d
    return out


def compare(label, G, n_targets, seed, repeat):
    (csr, ids), t_csr = best_of(lambda: gn.to_csr(G, weight="length"))
    rng = np.random.default_rng(seed)
    targets = rng.choice(len(ids), n_targets, replace=False)
    sources = np.arange(len(ids))
    fast, t_fast = best_of(lambda: gn.shortest_path_matrix(csr, sources, targets), repeat)
    slow, t_slow = best_of(lambda: nx_all_to_targets(G, ids, targets), 1)
    assert np.array_equal(np.isinf(fast), np.isinf(slow)), "reachability differs"
    finite = np.isfinite(fast)
    err = np.abs(fast[finite] - slow[finite]).max() if finite.any() else 0.0
    assert err <= 1e-9, f"max difference {err} m"
    print(f"{label}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, "
          f"{len(sources):,} x {n_targets} OD pairs, {finite.mean():.1%} reachable")
    print(f"  to_csr (one-off)            {t_csr * 1000:9.1f} ms")
    print(f"  csgraph shortest_path_matrix{t_fast * 1000:9.1f} ms   (best of {repeat})")
    print(f"  networkx baseline           {t_slow * 1000:9.1f} ms")
    print(f"  speed-up vs networkx        {t_slow / t_fast:9.1f} x   "
          f"(incl. to_csr {t_slow / (t_fast + t_csr):.1f} x); max |diff| {err:.2e} m")


def grid_graph(side: int, seed: int) -> nx.MultiDiGraph:
    """side x side grid: columns two-way, rows alternately one-way east/west; lengths 50-150 m."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph()
    node = lambda r, c: r * side + c  # noqa: E731
    for r in range(side):
        for c in range(side):
            if c + 1 < side:  # one-way rows
                a, b = (node(r, c), node(r, c + 1)) if r % 2 == 0 else (node(r, c + 1), node(r, c))
                G.add_edge(a, b, length=float(rng.uniform(50, 150)))
            if r + 1 < side:  # two-way columns
                w = float(rng.uniform(50, 150))
                G.add_edge(node(r, c), node(r + 1, c), length=w)
                G.add_edge(node(r + 1, c), node(r, c), length=w)
    return G


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=50)
    ap.add_argument("--grid-side", type=int, default=316, help="0 to skip the synthetic grid")
    ap.add_argument("--grid-targets", type=int, default=10)
    args = ap.parse_args()

    data = resolve_data_dir()
    path = data / "roads" / "taoyuan_district_drive.graphml" if data else None
    if path and path.is_file():
        G, t_load = best_of(lambda: gn.graph_from_graphml(path))
        print(f"loaded {path.name} in {t_load:.2f} s")
        compare("桃園區 drive graph", G, args.targets, seed=0, repeat=5)
    else:
        print("shared road graph not found; skipping the 桃園區 benchmark")
    if args.grid_side:
        G, t_build = best_of(lambda: grid_graph(args.grid_side, seed=1))
        print(f"built synthetic grid in {t_build:.1f} s")
        compare("synthetic grid", G, args.grid_targets, seed=2, repeat=3)


if __name__ == "__main__":
    main()
