"""Network service areas: the roads from which a site is reachable within its radius.

The counterpart of a catchment circle in network mode. Distances follow the coverage
engine (:func:`coverage.distance.distances_xy`): directed shortest paths along the road
graph (:mod:`geo.network`, scipy csgraph Dijkstra), the site snapped to its nearest graph
node (straight-line snap metres count against the radius), sites farther than
``max_snap_m`` from the graph have no area. By default the direction is the engine's,
FROM a place TO the site (one-way streets respected), so a road is in a site's area when
a trip from it reaches the site within ``radius_m - snap_m``.

An edge belongs to the area when both of its end nodes are within that budget (edges
cut by the limit are left out, not split). Metric work in EPSG:3826; areas are returned
in EPSG:4326 as the buffered, dissolved edges (``buffer_m``) or, with ``buffer_m=0``,
the edges themselves as a MultiLineString.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from geo import MAP_CRS, METRIC_CRS

DIRECTIONS = ("to_site", "from_site")
BUFFER_M = 60.0  # half-width of the drawn road corridor, metres
SIMPLIFY_M = 5.0  # outline simplification of the buffered area, metres


def reachable_nodes(network, sites: gpd.GeoDataFrame, radius_m: float, *,
                    direction: str = "to_site", max_snap_m: float = 500.0
                    ) -> dict[str, pd.Series]:
    """Per site_id (sites within ``max_snap_m`` of the graph whose snap leaves a budget
    ``radius_m - snap_m >= 0``): a Series node id -> network metres (to the site for
    ``direction="to_site"``, from it for ``"from_site"``), only nodes within the budget.
    ``network``: a graph or a prepared :class:`geo.network.RoadNetwork`; ``sites``: points
    with ``site_id``, any CRS."""
    from coverage.distance import as_network
    from geo.network import snap_points

    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if not (np.isfinite(radius_m) and radius_m > 0):
        raise ValueError(f"radius_m must be a number > 0 (metres), got {radius_m!r}")
    net = as_network(network)
    if len(sites) == 0:
        return {}
    if "site_id" not in sites:
        raise ValueError("sites: column site_id missing")
    pts = sites.geometry.to_crs(METRIC_CRS)
    xy = np.column_stack([pts.x.to_numpy(float), pts.y.to_numpy(float)])
    snap = snap_points(xy, net.node_xy, max_snap_m=max_snap_m)
    budget = float(radius_m) - snap["snap_m"].to_numpy()
    ok = ~snap["flagged"].to_numpy() & (budget >= 0)
    if not ok.any():
        return {}
    csr = net.csr["length"]
    graph = csr.T.tocsr() if direction == "to_site" else csr
    nodes = snap["node"].to_numpy()[ok]
    dist = np.atleast_2d(dijkstra(graph, directed=True, indices=nodes, limit=float(radius_m)))
    out = {}
    for row, sid, b in zip(dist, sites["site_id"].astype(str).to_numpy()[ok], budget[ok]):
        keep = np.flatnonzero(row <= b)
        out[sid] = pd.Series(row[keep], index=net.node_ids[keep], name="network_m")
    return out


def edge_lines(net) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(u ids, v ids, EPSG:3826 line per edge) of every graph edge; the edge's ``geometry``
    (WKT or shapely, in the graph's CRS) when present, else the straight node-to-node line."""
    G = net.graph
    pos = {n: i for i, n in enumerate(net.node_ids)}
    crs = G.graph.get("crs", MAP_CRS)
    us, vs, lines = [], [], []
    for u, v, d in G.edges(data=True):
        geom = d.get("geometry")
        if isinstance(geom, str):
            geom = shapely.from_wkt(geom)
        if geom is None:
            xy = [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
            geom = shapely.LineString(xy)
        us.append(pos[u])
        vs.append(pos[v])
        lines.append(geom)
    metric = gpd.GeoSeries(lines, crs=crs).to_crs(METRIC_CRS).to_numpy()
    return np.asarray(us, dtype=np.int64), np.asarray(vs, dtype=np.int64), metric


def service_areas(network, sites: gpd.GeoDataFrame, radius_m: float, *,
                  direction: str = "to_site", max_snap_m: float = 500.0,
                  buffer_m: float = BUFFER_M) -> gpd.GeoDataFrame:
    """One row per site that has an area (see :func:`reachable_nodes`): site_id, nodes
    (count of reachable nodes), edges (count), road_m (summed length of those edges,
    metres) and geometry (EPSG:4326): the edges buffered by ``buffer_m`` metres in
    EPSG:3826 and dissolved, or the edges as a MultiLineString when ``buffer_m == 0``.
    Sites outside the graph are absent. Radius in metres."""
    from coverage.distance import as_network

    net = as_network(network)
    reach = reachable_nodes(net, sites, radius_m, direction=direction, max_snap_m=max_snap_m)
    cols = ["site_id", "nodes", "edges", "road_m"]
    if not reach:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=MAP_CRS)
    us, vs, lines = edge_lines(net)
    length = shapely.length(lines)
    pos = {n: i for i, n in enumerate(net.node_ids)}
    rows, geoms = [], []
    for sid, dist in reach.items():
        inside = np.zeros(len(net.node_ids), dtype=bool)
        inside[[pos[n] for n in dist.index]] = True
        sel = inside[us] & inside[vs]
        edges = shapely.multilinestrings(lines[sel]) if sel.any() else None
        if buffer_m > 0:
            if edges is None:  # a lone node: its snap point's neighbourhood
                node = net.node_xy[pos[dist.index[0]]]
                geom = shapely.buffer(shapely.Point(node), buffer_m)
            else:
                geom = shapely.simplify(shapely.buffer(edges, buffer_m), SIMPLIFY_M)
        else:
            geom = edges if edges is not None else shapely.MultiLineString([])
        rows.append({"site_id": sid, "nodes": len(dist), "edges": int(sel.sum()),
                     "road_m": float(length[sel].sum())})
        geoms.append(geom)
    out = gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry=geoms, crs=METRIC_CRS)
    return out.to_crs(MAP_CRS)
