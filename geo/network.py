"""Road networks: load a drivable graph, weight it, route many-to-many on compact arrays.

The graph model is a networkx ``MultiDiGraph`` in OSMnx conventions: node attributes
``x``/``y`` (lon/lat, EPSG:4326, float), edge attributes ``length`` (metres, float) and,
added by every loader here, ``speed_kph`` and ``travel_time`` (seconds).

Loading (osmnx-style names):
    graph_from_graphml(path)    GraphML, e.g. an OSMnx drive graph saved with save_graphml
    graph_from_osm_xml(path)    OSM XML (.osm, .osm.bz2, .osm.gz) via osmnx.graph_from_xml,
                                keeping drivable ways only
    graph_from_file(path)       dispatch on the suffix
    graph_from_place(query)     OSMnx download (needs internet; fails clearly offline)

Routing on arrays:
    to_csr(G, weight=...)       -> (csr_matrix n x n, node_ids); entry [i, j] is the edge
                                   weight i -> j (minimum over parallel edges)
    node_xy(G)                  -> (n, 2) node coordinates in EPSG:3826 metres, same order
    snap_points(xy, node_xy, max_snap_m=...) -> DataFrame(node, snap_m, flagged)
    shortest_path_matrix(csr, sources, targets, cutoff=...) -> (len(sources), len(targets))

Direction: the graph is directed (one-way streets). Every matrix here runs FROM the row
(source / origin) TO the column (target / destination): ``D[i, j]`` is the shortest
distance from ``sources[i]`` to ``targets[j]`` along permitted edge directions. For
service access pass villages as origins and sites as destinations.

For the coverage layer:
    net = prepare_network(G)    -> RoadNetwork(graph, csr={"length": ..., "travel_time": ...},
                                   node_ids, node_xy); build once, reuse for every query
    D, o_snap, d_snap = network_distance_matrix(net_or_G, origins_xy, dest_xy, *,
                            weight="length", cutoff=None, max_snap_m=500.0,
                            include_snap=False)
    origins_xy / dest_xy: (k, 2) arrays of EPSG:3826 metres, or point GeoSeries /
    GeoDataFrames in any CRS. D is (len(origins), len(dest)) in metres (weight="length")
    or seconds (weight="travel_time"); np.inf means unreachable, beyond ``cutoff``, or
    an origin/destination that is flagged (snapped farther than ``max_snap_m`` from any
    node, or with non-finite coordinates): flagged points are never silently routed.
    The snap tables say which. By default D is node-to-node network distance only; with
    ``include_snap=True`` (weight="length" only) the origin's and the destination's
    straight-line snap metres are added.
"""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo import MAP_CRS, METRIC_CRS

# Default free-flow speeds (km/h) per OSM highway class, used where an edge has no
# parseable maxspeed. Assumptions for urban Taiwan (general urban limit 50 km/h, lanes
# 30-40), not measurements; no congestion, signals or turn costs are modelled.
DEFAULT_SPEED_KPH: dict[str, float] = {
    "motorway": 90, "motorway_link": 50,
    "trunk": 70, "trunk_link": 40,
    "primary": 50, "primary_link": 40,
    "secondary": 40, "secondary_link": 30,
    "tertiary": 40, "tertiary_link": 30,
    "residential": 30, "unclassified": 30, "road": 30, "busway": 30,
    "living_street": 15, "service": 20,
}
FALLBACK_SPEED_KPH = 30.0  # highway class missing or not in the table
MPH_TO_KPH = 1.609344
WEIGHTS = ("length", "travel_time")

GRAPHML_SUFFIXES = (".graphml",)
OSM_XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz")

# Ways that cars cannot use (osmnx's "drive" filter, reduced to tags graph_from_xml keeps).
_NON_DRIVE_HIGHWAY = {
    "abandoned", "bridleway", "bus_guideway", "construction", "corridor", "cycleway",
    "elevator", "escalator", "footway", "no", "path", "pedestrian", "planned", "platform",
    "proposed", "raceway", "razed", "steps", "track",
}
_NO_ACCESS = {"private", "no"}
_SPEED_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)


class RoadNetwork(NamedTuple):
    """A graph prepared for repeated routing (build with ``prepare_network``).

    ``csr[weight]`` is the adjacency matrix for that weight; row/column ``i`` is node
    ``node_ids[i]``, located at ``node_xy[i]`` (EPSG:3826 metres).
    """

    graph: nx.MultiDiGraph
    csr: dict[str, csr_matrix]
    node_ids: np.ndarray
    node_xy: np.ndarray


# --------------------------------------------------------------------------- loading

def graph_from_graphml(path: str | Path) -> nx.MultiDiGraph:
    """Read a GraphML road graph (e.g. OSMnx ``save_graphml`` output) as a MultiDiGraph.

    Node ``x``/``y`` become float lon/lat, edge ``length`` float metres; ``oneway`` and
    ``reversed`` become bool; numeric node ids become int (as in OSMnx); ``speed_kph``
    and ``travel_time`` (s) are added. Raises FileNotFoundError / ValueError naming the
    file for a missing file, unreadable content or missing coordinates/lengths.
    """
    path = _existing(path)
    try:
        G = nx.read_graphml(path)
    except Exception as exc:  # ParseError, NetworkXError, KeyError ... all mean "bad file"
        raise ValueError(f"{path}: not a readable GraphML road graph ({exc})") from exc
    if not G.is_directed() or not G.is_multigraph():
        G = nx.MultiDiGraph(G)
    if all(isinstance(n, str) and n.lstrip("-").isdigit() for n in G.nodes):
        G = nx.relabel_nodes(G, {n: int(n) for n in G.nodes})
    G.graph.setdefault("crs", MAP_CRS)
    return _normalise(G, source=str(path))


def graph_from_osm_xml(path: str | Path, *, simplify: bool = True,
                       retain_all: bool = False) -> nx.MultiDiGraph:
    """Build a drivable road graph from an OSM XML extract via ``osmnx.graph_from_xml``.

    Ways without a ``highway`` tag, non-drivable classes (footway, cycleway, path,
    steps, track, ...), ``area=yes`` and ``access=private|no`` are dropped; then, unless
    ``retain_all``, only the largest weakly connected component is kept, and the graph
    is simplified (OSMnx ``simplify_graph``) if ``simplify``. One-way tags follow OSMnx
    (``oneway=yes|true|1|-1``, roundabouts). Lengths are great-circle metres (OSMnx).
    """
    import osmnx as ox

    path = _existing(path)
    try:
        G = ox.graph_from_xml(path, simplify=False, retain_all=True)
    except Exception as exc:
        raise ValueError(f"{path}: not a readable OSM XML road extract ({exc})") from exc
    drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if not _drivable(d)]
    G.remove_edges_from(drop)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if G.number_of_edges() == 0:
        raise ValueError(f"{path}: no drivable OSM ways (highway=...) in this file")
    if not retain_all:
        G = ox.truncate.largest_component(G, strongly=False)
    if simplify:
        G = ox.simplify_graph(G)
    return _normalise(G, source=str(path))


def graph_from_file(path: str | Path) -> nx.MultiDiGraph:
    """Load a road graph, choosing the reader by suffix: ``.graphml`` or ``.osm``
    (also ``.osm.bz2`` / ``.osm.gz``). Any other suffix raises ValueError naming the file."""
    name = Path(path).name.lower()
    if name.endswith(GRAPHML_SUFFIXES):
        return graph_from_graphml(path)
    if name.endswith(OSM_XML_SUFFIXES):
        return graph_from_osm_xml(path)
    raise ValueError(f"{path}: unsupported road-graph file type; expected one of "
                     f"{', '.join(GRAPHML_SUFFIXES + OSM_XML_SUFFIXES)}")


def graph_from_place(query: str | dict, *, network_type: str = "drive") -> nx.MultiDiGraph:
    """Download a road graph with ``osmnx.graph_from_place`` (needs internet access).

    Offline, or if the service fails, raises ConnectionError saying so and suggesting a
    local GraphML/OSM file instead.
    """
    import osmnx as ox

    try:
        G = ox.graph_from_place(query, network_type=network_type)
    except Exception as exc:
        raise ConnectionError(
            f"could not download the road network for {query!r} from OpenStreetMap "
            f"({type(exc).__name__}: {exc}). 無法下載路網；請改用本機 GraphML 或 .osm 檔 "
            f"(graph_from_file).") from exc
    return _normalise(G, source=f"OSM download {query!r}")


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"road-graph file not found: {path}")
    return path


def _drivable(d: dict) -> bool:
    hw = _as_list(d.get("highway"))
    if not hw or all(h in _NON_DRIVE_HIGHWAY for h in hw):
        return False
    if str(d.get("area", "no")).lower() == "yes":
        return False
    return not any(a in _NO_ACCESS for a in _as_list(d.get("access")))


def _normalise(G: nx.MultiDiGraph, *, source: str) -> nx.MultiDiGraph:
    """Typed coordinates and lengths, bool flags, speed_kph and travel_time, in place."""
    for n, d in G.nodes(data=True):
        try:
            d["x"], d["y"] = float(d["x"]), float(d["y"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{source}: node {n!r} field x/y = {d.get('x')!r}/{d.get('y')!r}; "
                             f"expected numeric coordinates") from None
    for u, v, k, d in G.edges(keys=True, data=True):
        try:
            length = float(d["length"])
        except (KeyError, TypeError, ValueError):
            length = math.nan
        if not (math.isfinite(length) and length >= 0):
            raise ValueError(f"{source}: edge ({u!r}, {v!r}, {k!r}) field length = "
                             f"{d.get('length')!r}; expected metres >= 0")
        d["length"] = length
        for flag in ("oneway", "reversed"):
            if isinstance(d.get(flag), str) and d[flag] in ("True", "False"):
                d[flag] = d[flag] == "True"
        d["speed_kph"] = speed_kph(d.get("highway"), d.get("maxspeed"))
        d["travel_time"] = length / (d["speed_kph"] / 3.6)
    return G


# --------------------------------------------------------------------------- speeds

def _as_list(value: object) -> list[str]:
    """OSM tag value as a list of strings: handles lists, "['a', 'b']" strings, None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    s = str(value).strip()
    if s.startswith("[") and s.endswith("]"):
        try:
            parsed = ast.literal_eval(s)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, (list, tuple)):
            return [str(v) for v in parsed]
    return [s] if s else []


def parse_maxspeed_kph(value: object) -> float | None:
    """An OSM maxspeed in km/h: "50" -> 50, "50 mph" -> 80.47, a list (or list-like
    string) -> mean of its parseable entries, "TW:urban"/"none"/"signals" -> None."""
    speeds = []
    for item in _as_list(value):
        for part in item.split(";"):
            m = _SPEED_RE.match(part)
            if m:
                kph = float(m.group(1)) * (MPH_TO_KPH if (m.group(2) or "").lower() == "mph" else 1)
                if kph > 0:
                    speeds.append(kph)
    return float(np.mean(speeds)) if speeds else None


def speed_kph(highway: object, maxspeed: object = None) -> float:
    """Edge speed (km/h): parsed maxspeed, else DEFAULT_SPEED_KPH of the highway class
    (mean over a list of classes), else FALLBACK_SPEED_KPH."""
    kph = parse_maxspeed_kph(maxspeed)
    if kph is not None:
        return kph
    known = [DEFAULT_SPEED_KPH[h] for h in _as_list(highway) if h in DEFAULT_SPEED_KPH]
    return float(np.mean(known)) if known else FALLBACK_SPEED_KPH


# --------------------------------------------------------------------------- arrays

def to_csr(G: nx.MultiDiGraph, *, weight: str = "length") -> tuple[csr_matrix, np.ndarray]:
    """Adjacency matrix of ``G`` for ``weight``: entry [i, j] = weight of edge
    node_ids[i] -> node_ids[j], the minimum over parallel edges. Node order is
    ``list(G.nodes)``. Zero weights are kept as explicit entries (real edges).
    Self-loops are dropped (they never shorten a path)."""
    node_ids = np.array(list(G.nodes))
    pos = {n: i for i, n in enumerate(G.nodes)}
    triples = [(u, v, w) for u, v, w in G.edges(data=weight) if u != v]
    rows = [pos[u] for u, _, _ in triples]
    cols = [pos[v] for _, v, _ in triples]
    vals = np.array([_num(w) for _, _, w in triples], dtype=float)
    bad = ~(np.isfinite(vals) & (vals >= 0))
    if bad.any():
        u, v, w = triples[int(np.flatnonzero(bad)[0])]
        raise ValueError(f"edge ({u!r}, {v!r}) field {weight} = {w!r}; "
                         f"expected a finite number >= 0")
    n = len(node_ids)
    edges = pd.DataFrame({"r": np.asarray(rows, dtype=np.int64),
                          "c": np.asarray(cols, dtype=np.int64),
                          "w": vals})
    edges = edges.groupby(["r", "c"], sort=True, as_index=False)["w"].min()
    r, c, w = edges["r"].to_numpy(), edges["c"].to_numpy(), edges["w"].to_numpy()
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, r + 1, 1)
    # built from (data, indices, indptr) directly so explicit zeros are not dropped
    return csr_matrix((w, c, np.cumsum(indptr)), shape=(n, n)), node_ids


def _num(value: object) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def node_xy(G: nx.Graph) -> np.ndarray:
    """(n, 2) node coordinates in EPSG:3826 metres, in ``list(G.nodes)`` order.
    Input coordinates are in the graph's ``crs`` (default EPSG:4326 lon/lat)."""
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], dtype=float).reshape(-1, 2)
    crs = CRS.from_user_input(G.graph.get("crs", MAP_CRS))
    if crs != CRS.from_user_input(METRIC_CRS):
        tr = Transformer.from_crs(crs, METRIC_CRS, always_xy=True)
        xy = np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    return xy


def prepare_network(G: nx.MultiDiGraph, *, weights: tuple[str, ...] = WEIGHTS) -> RoadNetwork:
    """Arrays for repeated routing: one CSR matrix per weight, node ids, node_xy."""
    csrs, ids = {}, None
    for w in weights:
        csrs[w], ids = to_csr(G, weight=w)
    if ids is None:
        ids = np.array(list(G.nodes))
    return RoadNetwork(G, csrs, ids, node_xy(G))


# --------------------------------------------------------------------------- snapping

def snap_points(xy_metric: np.ndarray, node_xy: np.ndarray, *, max_snap_m: float) -> pd.DataFrame:
    """Nearest network node of each point (both EPSG:3826 metres), via cKDTree.

    Columns: ``node`` (position into node_ids / node_xy; -1 if the point has no finite
    coordinates), ``snap_m`` (straight-line metres to that node; inf for non-finite
    points), ``flagged`` (snap_m > max_snap_m). Distance functions give flagged points
    inf (unreachable) distances instead of routing them from a far-away node.
    """
    pts = np.asarray(xy_metric, dtype=float).reshape(-1, 2)
    node_xy = np.asarray(node_xy, dtype=float).reshape(-1, 2)
    if len(node_xy) == 0:
        raise ValueError("cannot snap to a network without nodes")
    ok = np.isfinite(pts).all(axis=1)
    node = np.full(len(pts), -1, dtype=np.int64)
    snap = np.full(len(pts), np.inf)
    if ok.any():
        dist, idx = cKDTree(node_xy).query(pts[ok], k=1)
        node[ok], snap[ok] = idx, dist
    return pd.DataFrame({"node": node, "snap_m": snap, "flagged": snap > max_snap_m})


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
        raise ValueError(f"expected an (k, 2) array of {METRIC_CRS} x/y metres, got shape {arr.shape}")
    return arr


# --------------------------------------------------------------------------- routing

def shortest_path_matrix(csr: csr_matrix, sources: np.ndarray, targets: np.ndarray, *,
                         cutoff: float | None = None) -> np.ndarray:
    """Directed shortest distances ``D[i, j]`` FROM node position ``sources[i]`` TO
    ``targets[j]`` (scipy csgraph Dijkstra), inf if unreachable or longer than ``cutoff``
    (distances equal to the cutoff are kept).

    Runs Dijkstra from the smaller side: forward from the sources, or from the targets
    on the transposed graph (reverse edges) and then transposes the result.
    """
    sources = np.asarray(sources, dtype=np.int64).ravel()
    targets = np.asarray(targets, dtype=np.int64).ravel()
    out = np.full((len(sources), len(targets)), np.inf)
    if len(sources) == 0 or len(targets) == 0:
        return out
    limit = np.inf if cutoff is None else float(cutoff)
    if len(sources) <= len(targets):
        full = dijkstra(csr, directed=True, indices=sources, limit=limit)
        return full[:, targets]
    full = dijkstra(csr.T.tocsr(), directed=True, indices=targets, limit=limit)
    return np.ascontiguousarray(full[:, sources].T)


def network_distance_matrix(G: nx.MultiDiGraph | RoadNetwork, origins_xy, dest_xy, *,
                            weight: str = "length", cutoff: float | None = None,
                            max_snap_m: float = 500.0, include_snap: bool = False,
                            ) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Network distances FROM each origin TO each destination.

    ``G``: a graph from the loaders here or a ``RoadNetwork`` from ``prepare_network``
    (reuse it to avoid rebuilding arrays). ``origins_xy``/``dest_xy``: (k, 2) EPSG:3826
    metres, or point GeoSeries/GeoDataFrames (any CRS). Returns (D, origin_snap,
    dest_snap): D in metres (``length``) or seconds (``travel_time``), inf where
    unreachable, beyond ``cutoff`` (compared with the network part, before any snap
    metres are added), or for flagged points (snap_m > max_snap_m); the snap tables are
    ``snap_points`` output. ``include_snap=True`` adds origin + destination snap metres
    to D (weight="length" only).
    """
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
        sub = shortest_path_matrix(net.csr[weight], o_nodes, d_nodes, cutoff=cutoff)
        D[np.ix_(o_ok, d_ok)] = sub[np.ix_(o_inv, d_inv)]
    if include_snap:
        D = D + o_snap["snap_m"].to_numpy()[:, None] + d_snap["snap_m"].to_numpy()[None, :]
    return D, o_snap, d_snap
