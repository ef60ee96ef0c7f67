"""Routing on compact arrays: CSR matrices, snapping, many-to-many shortest paths.

The graph model is a networkx ``MultiDiGraph`` in OSMnx conventions: node ``x``/``y`` in the
graph's ``crs`` (EPSG:4326 for OSM graphs, EPSG:3826 for the NLSC graph), edge ``length``
(metres), ``speed_kph`` and ``travel_time`` (seconds, from osmnx).

Direction: every matrix runs FROM the row (source / origin) TO the column (target /
destination) along permitted edge directions. For service access pass villages as
origins and sites as destinations.

Snapping: each point goes to the nearest graph NODE (cKDTree, EPSG:3826; the NLSC graph cuts
edges longer than ``max_edge_m`` = 300 m, so a node lies within about 150 m along the road
from any road point); its straight-line ``snap_m`` is reported, and a point farther than
``max_snap_m`` (or without finite coordinates) is flagged and gets no distances (inf),
never silently routed from a far node.
``max_snap_m`` must be a finite number in (0, MAX_SNAP_M]: nan, inf, negative or absurd
values are refused, so no argument can switch the check off.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from common.checks import choice, non_negative_number, positive_number
from geo import MAP_CRS, METRIC_CRS

__all__ = ["WEIGHTS", "TIME_UNITS", "MAX_SNAP_M", "RoadInfo", "RoadNetwork", "road_info",
           "to_csr", "node_xy", "prepare_network", "check_max_snap", "snap_points",
           "shortest_path_matrix", "network_distance_matrix"]

WEIGHTS = ("length", "travel_time")
TIME_UNITS = {"s": 1.0, "min": 60.0}   # travel_time results: seconds (default) or minutes
MAX_SNAP_M = 5000.0  # the largest snap threshold accepted (metres): beyond it, not a snap


@dataclass(frozen=True)
class RoadInfo:
    """What a road network is: for captions, reports and ``safetynet roads info``."""

    source: str
    kind: str                     # nlsc / osm_graphml / graphml / osm_xml / lines / osm_fetch
    vintage: str | None
    licence: str | None
    nodes: int
    edges: int
    km: float                     # road length, each two-way road once
    components: dict[str, Any] = field(default_factory=dict)
    cache_path: str | None = None  # the cache file it was read from or written to
    build_s: float | None = None   # seconds the build of this graph took (cached ones too)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RoadNetwork(NamedTuple):
    """A graph prepared for repeated routing (build with :func:`prepare_network`).

    ``csr[weight]`` is the adjacency matrix for that weight; row/column ``i`` is node
    ``node_ids[i]``, located at ``node_xy[i]`` (EPSG:3826 metres). ``info``: source,
    vintage, licence, size and connected pieces.
    """

    graph: nx.MultiDiGraph
    csr: dict[str, csr_matrix]
    node_ids: np.ndarray
    node_xy: np.ndarray
    info: RoadInfo | None = None


def _num(value: object) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def to_csr(G: nx.MultiDiGraph, *, weight: str = "length") -> tuple[csr_matrix, np.ndarray]:
    """Adjacency matrix of ``G`` for ``weight``: entry [i, j] = weight of edge
    node_ids[i] -> node_ids[j], the minimum over parallel edges; node order
    ``list(G.nodes)``. Zero weights stay explicit entries; self-loops are dropped."""
    node_ids = np.array(list(G.nodes))
    pos = {n: i for i, n in enumerate(G.nodes)}
    triples = [(u, v, w) for u, v, w in G.edges(data=weight) if u != v]
    vals = np.array([_num(w) for _, _, w in triples], dtype=float)
    bad = ~(np.isfinite(vals) & (vals >= 0))
    if bad.any():
        u, v, w = triples[int(np.flatnonzero(bad)[0])]
        raise ValueError(f"edge ({u!r}, {v!r}) field {weight} = {w!r}; "
                         f"expected a finite number >= 0")
    edges = pd.DataFrame({"r": np.array([pos[u] for u, _, _ in triples], dtype=np.int64),
                          "c": np.array([pos[v] for _, v, _ in triples], dtype=np.int64),
                          "w": vals})
    edges = edges.groupby(["r", "c"], sort=True, as_index=False)["w"].min()
    r, c, w = edges["r"].to_numpy(), edges["c"].to_numpy(), edges["w"].to_numpy()
    n = len(node_ids)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, r + 1, 1)
    # built from (data, indices, indptr) directly so explicit zeros are not dropped
    return csr_matrix((w, c, np.cumsum(indptr)), shape=(n, n)), node_ids


def node_xy(G: nx.Graph) -> np.ndarray:
    """(n, 2) node coordinates in EPSG:3826 metres, in ``list(G.nodes)`` order, from the
    graph's ``crs`` (default EPSG:4326)."""
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], dtype=float).reshape(-1, 2)
    crs = CRS.from_user_input(G.graph.get("crs", MAP_CRS))
    if crs != CRS.from_user_input(METRIC_CRS):
        tr = Transformer.from_crs(crs, METRIC_CRS, always_xy=True)
        xy = np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    return xy


def road_info(G: nx.MultiDiGraph, xy: np.ndarray | None = None) -> RoadInfo:
    """A :class:`RoadInfo` from ``G.graph`` (source, source_kind, vintage, licence,
    components, cache_path). Length and pieces count each road once: edges flagged
    ``reversed=True`` (the osmnx twin of a two-way edge) are left out. Components are
    computed here when the graph does not carry them (the NLSC builder records them before
    keeping the main piece only)."""
    from geo.roads.graph import components_summary

    pos = {n: i for i, n in enumerate(G.nodes)}
    rows = [(pos[u], pos[v], _num(d.get("length"))) for u, v, d in G.edges(data=True)
            if d.get("reversed") is not True]
    u, v, length = (np.array(c) for c in zip(*rows)) if rows else (np.zeros(0, int),) * 3
    comps = G.graph.get("components")
    if not comps:
        xy = xy if xy is not None else node_xy(G)
        comps, _ = components_summary(u.astype(np.int64), v.astype(np.int64),
                                      length.astype(float), xy)
    return RoadInfo(source=str(G.graph.get("source", "road graph")),
                    kind=str(G.graph.get("source_kind", "graphml")),
                    vintage=G.graph.get("vintage") or G.graph.get("created_date"),
                    licence=G.graph.get("licence"), nodes=G.number_of_nodes(),
                    edges=G.number_of_edges(),
                    km=round(float(np.nansum(length)) / 1000.0, 1), components=comps,
                    cache_path=G.graph.get("cache_path"), build_s=G.graph.get("build_s"))


def prepare_network(G: nx.MultiDiGraph, *, weights: tuple[str, ...] | None = None
                    ) -> RoadNetwork:
    """Arrays for repeated routing: one CSR matrix per weight, node ids, node_xy, info.

    ``weights``: the edge attributes to route on; by default "length" and, when the graph
    has it (every loader here adds it), "travel_time". Every edge must carry each weight
    asked for (else ValueError naming the edge)."""
    if weights is None:
        has_time = any(t is not None for *_, t in G.edges(data="travel_time"))
        weights = WEIGHTS if has_time else ("length",)
    csrs, ids = {}, np.array(list(G.nodes))
    for w in weights:
        csrs[w], ids = to_csr(G, weight=w)
    xy = node_xy(G)
    xy.flags.writeable = False  # shared by every query (its KD-tree is built once)
    return RoadNetwork(G, csrs, ids, xy, road_info(G, xy))


_TREES: dict[int, tuple[weakref.ref, cKDTree]] = {}


def _node_tree(node_xy: np.ndarray) -> cKDTree:
    """The KD-tree of a node array, built once per read-only array (a prepared network's
    ``node_xy``; :func:`prepare_network` makes it read-only) while the array lives."""
    if node_xy.flags.writeable:
        return cKDTree(node_xy)
    key = id(node_xy)
    hit = _TREES.get(key)
    if hit is not None and hit[0]() is node_xy:
        return hit[1]
    tree = cKDTree(node_xy)
    _TREES[key] = (weakref.ref(node_xy, lambda _ref, k=key, trees=_TREES: trees.pop(k, None)),
                   tree)
    return tree


def check_max_snap(max_snap_m: Any) -> float:
    """The snap threshold in metres, refused unless finite and in (0, MAX_SNAP_M]."""
    return positive_number(max_snap_m, "max_snap_m", unit="metres", maximum=MAX_SNAP_M)


def snap_points(xy_metric: np.ndarray, node_xy: np.ndarray, *, max_snap_m: float) -> pd.DataFrame:
    """Nearest network node of each point (both EPSG:3826 metres), via cKDTree.

    Columns: ``node`` (position into node_ids / node_xy; -1 if the point has no finite
    coordinates), ``snap_m`` (straight-line metres to that node; inf for non-finite
    points), ``flagged`` (snap_m > max_snap_m). ``max_snap_m`` is checked by
    :func:`check_max_snap`.
    """
    limit = check_max_snap(max_snap_m)
    pts = np.asarray(xy_metric, dtype=float).reshape(-1, 2)
    if not (isinstance(node_xy, np.ndarray) and node_xy.dtype == float and node_xy.ndim == 2):
        node_xy = np.asarray(node_xy, dtype=float).reshape(-1, 2)
    if len(node_xy) == 0:
        raise ValueError("cannot snap to a network without nodes")
    ok = np.isfinite(pts).all(axis=1)
    node = np.full(len(pts), -1, dtype=np.int64)
    snap = np.full(len(pts), np.inf)
    if ok.any():
        dist, idx = _node_tree(node_xy).query(pts[ok], k=1)
        node[ok], snap[ok] = idx, dist
    return pd.DataFrame({"node": node, "snap_m": snap, "flagged": ~(snap <= limit)})


def _as_xy(points) -> np.ndarray:
    """(k, 2) EPSG:3826 metres from an array or a point GeoSeries / GeoDataFrame."""
    geom = getattr(points, "geometry", None)
    if geom is not None:
        if geom.crs is None:
            raise ValueError("points have no CRS; expected a GeoSeries/GeoDataFrame with a CRS "
                             f"or an (k, 2) array in {METRIC_CRS} metres")
        geom = geom.to_crs(METRIC_CRS)
        bad = ~(geom.geom_type.isin(["Point"]) | geom.isna())
        if bad.any():
            raise ValueError(f"expected point geometries, got {geom[bad].geom_type.iloc[0]} "
                             f"at index {geom.index[bad][0]!r}")
        return np.column_stack([geom.x.to_numpy(dtype=float), geom.y.to_numpy(dtype=float)])
    arr = np.asarray(points, dtype=float)
    if arr.size == 0:
        return arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"expected an (k, 2) array of {METRIC_CRS} x/y metres, "
                         f"got shape {arr.shape}")
    return arr


def _limit(cutoff: Any) -> float:
    """Dijkstra limit: None or inf = none; else a finite number >= 0 (nan refused)."""
    if cutoff is None or (isinstance(cutoff, (int, float)) and cutoff == math.inf):
        return math.inf
    return non_negative_number(cutoff, "cutoff")


def shortest_path_matrix(csr: csr_matrix, sources: np.ndarray, targets: np.ndarray, *,
                         cutoff: float | None = None) -> np.ndarray:
    """Directed shortest distances ``D[i, j]`` FROM node position ``sources[i]`` TO
    ``targets[j]`` (scipy csgraph Dijkstra, in the csr's unit), inf if unreachable or
    longer than ``cutoff`` (distances equal to it are kept).

    Runs Dijkstra from the smaller side: forward from the sources, or from the targets
    on the transposed graph (reverse edges), then transposes the result.
    """
    limit = _limit(cutoff)
    sources = np.asarray(sources, dtype=np.int64).ravel()
    targets = np.asarray(targets, dtype=np.int64).ravel()
    if len(sources) == 0 or len(targets) == 0:
        return np.full((len(sources), len(targets)), np.inf)
    if len(sources) <= len(targets):
        full = dijkstra(csr, directed=True, indices=sources, limit=limit)
        return full[:, targets]
    full = dijkstra(csr.T.tocsr(), directed=True, indices=targets, limit=limit)
    return np.ascontiguousarray(full[:, sources].T)


def network_distance_matrix(G: nx.MultiDiGraph | RoadNetwork, origins_xy, dest_xy, *,
                            weight: str = "length", cutoff: float | None = None,
                            max_snap_m: float = 500.0, include_snap: bool = False,
                            time_unit: str = "s",
                            ) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Network distances FROM each origin TO each destination: (D, origin_snap, dest_snap).

    ``G``: a graph or a :class:`RoadNetwork` (reuse it: preparing arrays is the costly
    part). ``origins_xy``/``dest_xy``: (k, 2) EPSG:3826 metres, or point GeoSeries /
    GeoDataFrames (any CRS). ``weight="length"``: D in metres; ``"travel_time"``: in
    seconds, or minutes with ``time_unit="min"`` (``cutoff`` in the same unit). D is inf
    where unreachable, beyond ``cutoff`` (compared with the network part), or for a
    flagged point (see :func:`snap_points`). ``include_snap=True`` (length only) adds the
    origin's and destination's straight snap metres to D.
    """
    choice(weight, "weight", WEIGHTS)
    scale = TIME_UNITS[choice(time_unit, "time_unit", tuple(TIME_UNITS))] \
        if weight == "travel_time" else 1.0
    limit = _limit(cutoff) * scale
    check_max_snap(max_snap_m)
    net = G if isinstance(G, RoadNetwork) else prepare_network(G, weights=(weight,))
    if weight not in net.csr:
        net = net._replace(csr={**net.csr, weight: to_csr(net.graph, weight=weight)[0]})
    if include_snap and weight != "length":
        raise ValueError(f"include_snap=True adds straight-line metres; it needs weight='length', "
                         f"got {weight!r}")
    o_snap = snap_points(_as_xy(origins_xy), net.node_xy, max_snap_m=max_snap_m)
    d_snap = snap_points(_as_xy(dest_xy), net.node_xy, max_snap_m=max_snap_m)
    D = np.full((len(o_snap), len(d_snap)), np.inf)
    o_ok, d_ok = ~o_snap["flagged"].to_numpy(), ~d_snap["flagged"].to_numpy()
    if o_ok.any() and d_ok.any():
        o_nodes, o_inv = np.unique(o_snap["node"].to_numpy()[o_ok], return_inverse=True)
        d_nodes, d_inv = np.unique(d_snap["node"].to_numpy()[d_ok], return_inverse=True)
        sub = shortest_path_matrix(net.csr[weight], o_nodes, d_nodes, cutoff=limit)
        D[np.ix_(o_ok, d_ok)] = sub[np.ix_(o_inv, d_inv)]
    if scale != 1.0:
        D = D / scale
    if include_snap:
        D = D + o_snap["snap_m"].to_numpy()[:, None] + d_snap["snap_m"].to_numpy()[None, :]
    return D, o_snap, d_snap
