"""Assemble a networkx road graph (osmnx conventions) from lines with a class per line.

:func:`graph_from_lines` joins lines at shared vertices and contracts degree-2 chains
(:mod:`geo.roads.topology`), keeps the main connected piece (the others are counted in
``G.graph["components"]``), adds both directions of every two-way edge, and sets
``speed_kph`` / ``travel_time`` through osmnx (:func:`geo.roads.classes.add_speeds`).
Nodes have ``x``/``y`` in EPSG:3826 metres (``G.graph["crs"]``); edges have ``length``
(metres, EPSG:3826), ``highway`` (class key), ``oneway``, ``reversed`` and ``geometry``
(shapely LineString, EPSG:3826, from u to v).
"""
from __future__ import annotations

from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo import MAP_CRS, METRIC_CRS
from geo.roads.classes import RoadClasses, add_speeds, road_classes
from geo.roads.topology import (component_labels, contract_chains, split_at_shared_vertices,
                                split_long_edges)

__all__ = ["graph_from_lines", "components_summary"]

TOP_PIECES = 10  # pieces other than the main one listed by components_summary


def components_summary(u: np.ndarray, v: np.ndarray, length: np.ndarray,
                       node_xy: np.ndarray, crs: str = METRIC_CRS
                       ) -> tuple[dict[str, Any], np.ndarray]:
    """Weakly connected pieces of a graph given as edge arrays (u, v node positions,
    length in metres, node_xy in ``crs``).

    Returns (summary, in_main): summary with components (count), nodes, km, main_nodes,
    main_km, main_share_nodes, main_share_km, and ``pieces``: the largest other pieces by
    length (nodes, km, lon/lat of a node in each); in_main: bool per node position."""
    n = len(node_xy)
    used = np.zeros(n, dtype=bool)
    used[u] = used[v] = True
    label = component_labels(u, v, n)
    label = np.where(used, label, -1)
    ids, label_used = np.unique(label[used], return_inverse=True)
    nodes = np.bincount(label_used, minlength=len(ids))
    lab_pos = np.full(n, -1)
    lab_pos[used] = label_used
    km = np.bincount(lab_pos[u], weights=length, minlength=len(ids)) / 1000.0
    main = int(np.argmax(nodes)) if len(ids) else -1
    out = {"components": int(len(ids)), "nodes": int(used.sum()),
           "km": round(float(km.sum()), 1), "main_nodes": int(nodes[main]) if main >= 0 else 0,
           "main_km": round(float(km[main]), 1) if main >= 0 else 0.0}
    out["main_share_nodes"] = round(out["main_nodes"] / max(out["nodes"], 1), 4)
    out["main_share_km"] = round(out["main_km"] / max(out["km"], 1e-9), 4)
    to_ll = Transformer.from_crs(crs, MAP_CRS, always_xy=True)
    pieces = []
    for c in [c for c in np.argsort(-km) if c != main][:TOP_PIECES]:
        x, y = node_xy[np.flatnonzero(lab_pos == c)[0]]
        lon, lat = to_ll.transform(x, y)
        pieces.append({"nodes": int(nodes[c]), "km": round(float(km[c]), 2),
                       "lon": round(float(lon), 5), "lat": round(float(lat), 5)})
    out["pieces"] = pieces
    return out, (label == ids[main]) if main >= 0 else used


def _osmnx_speeds(edges: pd.DataFrame, node_xy: np.ndarray, table: str,
                  classes: RoadClasses) -> pd.DataFrame:
    """speed_kph and travel_time (s) of each edge row, computed by osmnx
    (:func:`geo.roads.classes.add_speeds`) on a light copy of the graph: one edge per row,
    no geometry (osmnx builds GeoDataFrames of every edge, so this keeps it quick)."""
    light = nx.MultiDiGraph(crs=METRIC_CRS)
    ends = np.unique(np.r_[edges["u"].to_numpy(), edges["v"].to_numpy()])
    light.add_nodes_from((int(i), {"x": float(node_xy[i, 0]), "y": float(node_xy[i, 1])})
                         for i in ends)
    light.add_edges_from((int(u), int(v), int(i), {"highway": h, "length": float(m)})
                         for i, (u, v, h, m) in enumerate(zip(edges["u"], edges["v"],
                                                              edges["highway"], edges["length"])))
    add_speeds(light, table, classes=classes)
    got = {k: (d["speed_kph"], d["travel_time"])
           for _, _, k, d in light.edges(keys=True, data=True)}
    vals = np.array([got[i] for i in range(len(edges))], dtype=float).reshape(-1, 2)
    return edges.assign(speed_kph=vals[:, 0], travel_time=vals[:, 1])


def _edge_table(edges: pd.DataFrame) -> pd.DataFrame:
    """Both directions of two-way edges, one of one-way edges; ``key`` numbers parallel
    edges."""
    fwd = edges.assign(reversed=False)
    two = edges[~edges["oneway"]]
    rev = two.assign(u=two["v"].to_numpy(), v=two["u"].to_numpy(), reversed=True,
                     geometry=shapely.reverse(two["geometry"].to_numpy()))
    out = pd.concat([fwd, rev], ignore_index=True)
    out["key"] = out.groupby(["u", "v"]).cumcount()
    return out


def graph_from_lines(lines: gpd.GeoDataFrame, *, class_fields: list[str] | tuple[str, ...],
                     highway: pd.Series, table: str, direction: pd.Series | None = None,
                     retain_all: bool = False, classes: RoadClasses | None = None,
                     graph_attrs: dict[str, Any] | None = None) -> nx.MultiDiGraph:
    """Road graph from line geometries (any CRS; LineStrings, MultiLineStrings exploded).

    ``highway``: class key per line (its speed is looked up in the config's ``table``,
    "nlsc" or "osm"); ``class_fields``: line columns copied onto each edge (constant within
    a class); ``direction``: per line 0 two-way, 1 one-way along the digitised order, -1
    against it (default: all two-way). Only the largest connected piece is kept unless
    ``retain_all``; ``G.graph["components"]`` describes all of them (before that cut).
    """
    classes = classes or road_classes()
    if lines.crs is None:
        raise ValueError("road lines have no CRS; expected a GeoDataFrame with a CRS")
    work = gpd.GeoDataFrame({"highway": highway.astype(str).to_numpy(),
                             "direction": (np.zeros(len(lines), dtype=np.int64)
                                           if direction is None
                                           else direction.to_numpy(dtype=np.int64))}
                            | {f: lines[f].to_numpy() for f in class_fields},
                            geometry=lines.geometry.to_numpy(), crs=lines.crs)
    work = work[work.geometry.notna() & ~work.geometry.is_empty]
    work = work.explode(index_parts=False, ignore_index=True).to_crs(METRIC_CRS)
    if len(work) == 0:
        raise ValueError("no road lines to build a graph from")
    cls, _ = pd.factorize(work["highway"])
    class_table = (work.assign(cls=cls).drop_duplicates("cls").set_index("cls")
                   [["highway", *class_fields]])
    segs, node_xy = split_at_shared_vertices(work.geometry.to_numpy(), cls,
                                             work["direction"].to_numpy(),
                                             precision_m=classes.precision_m)
    edges = contract_chains(segs, len(node_xy))
    summary, main = components_summary(edges["u"].to_numpy(), edges["v"].to_numpy(),
                                       edges["length"].to_numpy(), node_xy)
    if not retain_all:
        edges = edges[main[edges["u"].to_numpy()]]
    if classes.max_edge_m:
        edges, node_xy = split_long_edges(edges, node_xy, classes.max_edge_m)
    edges = edges.join(class_table, on="cls").drop(columns="cls").reset_index(drop=True)
    table_df = _edge_table(_osmnx_speeds(edges, node_xy, table, classes))
    G = nx.MultiDiGraph(crs=METRIC_CRS, simplified=True, **(graph_attrs or {}))
    G.graph["components"] = summary
    street_count = (np.bincount(edges["u"], minlength=len(node_xy))
                    + np.bincount(edges["v"], minlength=len(node_xy)))
    G.add_nodes_from((int(i), {"x": float(node_xy[i, 0]), "y": float(node_xy[i, 1]),
                               "street_count": int(street_count[i])})
                     for i in np.unique(np.r_[table_df["u"], table_df["v"]]))
    cols = [c for c in table_df.columns if c not in ("u", "v", "key")]
    G.add_edges_from((int(u), int(v), int(k), dict(zip(cols, vals)))
                     for u, v, k, vals in zip(table_df["u"], table_df["v"], table_df["key"],
                                              table_df[cols].itertuples(index=False)))
    return G
