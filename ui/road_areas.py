"""Road service areas drawn on the landing map in road mode: for each site, the road
sections from which the site is reached within the radius — by road length
(:func:`coverage.service_area.reachable_nodes`, the engine's rule: a road belongs to a
site's area when both its ends are within the radius less the site's snap distance) or by
travel time (the same rule on the graph's ``travel_time`` weights, seconds; no snap
allowance, as the engine's travel-time costs have none).

Drawn as lines, not buffered polygons (buffering takes seconds per site on the city
graph): the graph's edges are simplified for display once per network (25 m, EPSG:3826,
each two-way road once) and each is encoded once as an encoded polyline (the usual
5-decimal delta encoding, about 5 characters a point instead of 20 in JSON), so an area is
a selection of ready strings: a new radius costs one Dijkstra per type plus a mask, and
the map receives a quarter of the text. A road reached by several sites of a type is drawn
once (open sites first), which is what overlapping lines would show anyway; every reachable
site keeps its own entry (``site_id``, ``status``, ``lines``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import shapely
import streamlit as st
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra

from geo import MAP_CRS, METRIC_CRS

__all__ = ["Areas", "area_features", "road_areas", "display_edges", "encode_lines",
           "SIMPLIFY_M", "MAX_SNAP_M"]

SIMPLIFY_M = 25.0  # display simplification of each road section, metres (EPSG:3826)
SCALE = 1e5  # encoded polylines: 5 decimals (about 1 m)
MAX_SNAP_M = 500.0  # sites farther from the graph have no area (the engine's default)


def encode_lines(lonlat: np.ndarray, line: np.ndarray, n_lines: int) -> list[str]:
    """Encoded polylines (lat, lon at 5 decimals; each point a zigzag delta from the one
    before, in 5-bit groups + 63) of ``n_lines`` lines whose lon/lat points are the rows
    of ``lonlat``, ``line`` giving each row's line (rows grouped by line, in order)."""
    ints = np.round(lonlat[:, ::-1] * SCALE).astype(np.int64)  # lat, lon
    first = np.r_[True, line[1:] != line[:-1]]
    deltas = ints.copy()
    deltas[~first] -= ints[np.flatnonzero(~first) - 1]
    values = deltas.ravel()
    zig = np.where(values < 0, ~(values << 1), values << 1)
    groups = np.ones(len(zig), np.int64)
    rest = zig >> 5
    while (rest > 0).any():
        groups += rest > 0
        rest >>= 5
    start = np.r_[0, np.cumsum(groups)[:-1]]
    chars = np.zeros(int(groups.sum()), np.uint8)
    for k in range(int(groups.max(initial=1))):
        has = groups > k
        chunk = (zig[has] >> (5 * k)) & 31
        chunk |= np.where(groups[has] - 1 > k, 0x20, 0)
        chars[start[has] + k] = chunk + 63
    text = chars.tobytes().decode("ascii")
    per_line = np.bincount(line, weights=groups[0::2] + groups[1::2], minlength=n_lines)
    ends = np.cumsum(per_line.astype(np.int64))
    return [text[a:b] for a, b in zip(np.r_[0, ends[:-1]], ends)]


@st.cache_resource(show_spinner=False, max_entries=2)
def display_edges(_network, network_key: str) -> dict:
    """The graph's edges for display, each undirected road once: ``u`` / ``v`` (node
    positions), ``lines`` (the encoded polyline of each, see :func:`encode_lines`) and
    ``pos`` (node id -> position). ``network_key`` names the network (cache key)."""
    from coverage.service_area import edge_lines
    pos = {n: i for i, n in enumerate(_network.node_ids)}
    us, vs, lines = edge_lines(_network)  # EPSG:3826
    # a two-way road is two directed edges along one line: keep one
    length = np.round(shapely.length(lines)).astype(np.int64)
    key = np.stack([np.minimum(us, vs), np.maximum(us, vs), length], axis=1)
    _, first = np.unique(key, axis=0, return_index=True)
    first = np.sort(first)
    simple = shapely.simplify(lines[first], SIMPLIFY_M)
    xy, index = shapely.get_coordinates(simple, return_index=True)
    lon, lat = Transformer.from_crs(METRIC_CRS, MAP_CRS, always_xy=True).transform(
        xy[:, 0], xy[:, 1])
    codes = encode_lines(np.column_stack([lon, lat]), index, len(first))
    return {"u": us[first], "v": vs[first], "lines": codes, "pos": pos}


def _site_xy(sites) -> np.ndarray:
    pts = sites.geometry.to_crs(METRIC_CRS)
    return np.column_stack([pts.x.to_numpy(float), pts.y.to_numpy(float)])


def _reach_time(net, sites, radius_s: float) -> dict[str, np.ndarray]:
    """Per site id: a mask of the nodes from which the site is reached within
    ``radius_s`` seconds of travel time (sites farther than MAX_SNAP_M from the graph:
    none)."""
    from geo.network import snap_points
    snap = snap_points(_site_xy(sites), net.node_xy, max_snap_m=MAX_SNAP_M)
    ok = ~snap["flagged"].to_numpy()
    if not ok.any():
        return {}
    graph = net.csr["travel_time"].T.tocsr()
    dist = np.atleast_2d(dijkstra(graph, directed=True, indices=snap["node"].to_numpy()[ok],
                                  limit=float(radius_s)))
    ids = sites["site_id"].astype(str).to_numpy()[ok]
    return {sid: row <= radius_s for sid, row in zip(ids, dist)}


def _reach_length(net, sites, radius_m: float, pos: dict) -> dict[str, np.ndarray]:
    from coverage.service_area import reachable_nodes
    out = {}
    for sid, dist in reachable_nodes(net, sites, radius_m, max_snap_m=MAX_SNAP_M).items():
        mask = np.zeros(len(net.node_ids), dtype=bool)
        mask[[pos[n] for n in dist.index]] = True
        out[sid] = mask
    return out


@st.cache_resource(show_spinner=False, max_entries=32)
def area_features(sites_key: str, radius: float, weight: str, _network, network_key: str,
                  _sites) -> list[dict]:
    """One entry per site that reaches any road within ``radius`` (metres for
    ``weight="length"``, seconds for ``"travel_time"``): kind "service_area", site_id,
    status and ``lines`` (encoded polylines of the roads first drawn for it); cached by
    (``sites_key``, radius, weight, network). Treat the result as read-only."""
    if _network is None or not len(_sites):
        return []
    edges = display_edges(_network, network_key)
    order = _sites.assign(_planned=_sites["status"] == "planned").sort_values(
        "_planned", kind="stable")
    if weight == "travel_time":
        reach = _reach_time(_network, order, radius)
    else:
        reach = _reach_length(_network, order, radius, edges["pos"])
    status = dict(zip(order["site_id"].astype(str), order["status"].astype(str)))
    drawn = np.zeros(len(edges["u"]), dtype=bool)
    out = []
    for sid, inside in reach.items():
        sel = inside[edges["u"]] & inside[edges["v"]] & ~drawn
        drawn |= sel
        out.append({"kind": "service_area", "site_id": sid, "status": status.get(sid, ""),
                    "lines": [edges["lines"][i] for i in np.flatnonzero(sel)]})
    return out


@dataclass(frozen=True)
class Areas:
    """A type's road service areas ready for the map: the ids of the sites that have one
    and the JSON text of :func:`area_features` (``<`` escaped, safe inside a script)."""

    site_ids: tuple[str, ...]
    data: str


def as_json(areas: list[dict]) -> str:
    """Area entries as compact JSON text that is safe inside a script and inside the
    Jinja template folium makes of every rendered script: ``<`` escaped, and a ``{``
    that would open a template tag (``{{``, ``{%``, ``{#``: only inside strings, since a
    structural brace is followed by a quote) written as ``\\u007b``."""
    text = json.dumps(areas, ensure_ascii=False, separators=(",", ":"))
    return re.sub(r"\{(?=[{%#])", r"\\u007b", text.replace("<", "\\u003c"))


@st.cache_resource(show_spinner=False, max_entries=32)
def road_areas(sites_key: str, radius: float, weight: str, _network, network_key: str,
               _sites) -> Areas:
    """:func:`area_features` as :class:`Areas` (dumped once per key, so a rerun that
    redraws the map sends the text as it is)."""
    areas = area_features(sites_key, radius, weight, _network, network_key, _sites)
    return Areas(tuple(a["site_id"] for a in areas), as_json(areas))
