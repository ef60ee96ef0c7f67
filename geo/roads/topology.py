"""Road lines -> a routable graph: join lines at shared vertices, contract degree-2 chains.

Lines are joined ONLY where they share a vertex (coordinates equal after rounding to
``precision_m``); a crossing without a shared vertex (a bridge, a freeway over a street)
stays apart. Every shared vertex and every line end becomes a junction, lines are cut there
into segments, then chains of segments through nodes of degree 2 are contracted into one
edge that keeps the full geometry, by the rules of ``osmnx.simplify_graph`` (a node stays
when it is a dead end or junction, a self-loop, the end of parallel segments, where the
class or one-way flag changes, or where one-way segments do not continue each other;
isolated rings are dropped, as osmnx's ``remove_rings``). The work is vectorised (numpy)
so the whole city builds in about a second; tests check the result against osmnx's own
``simplify_graph`` on the same lines.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["split_at_shared_vertices", "contract_chains", "component_labels"]


def split_at_shared_vertices(geoms: np.ndarray, cls: np.ndarray, direction: np.ndarray, *,
                             precision_m: float) -> tuple[pd.DataFrame, np.ndarray]:
    """Cut lines (metric CRS) at every vertex they share with another line (or themselves)
    and at their ends.

    ``cls``: an int class code per line; ``direction``: 0 two-way, 1 one-way along the
    digitised order, -1 against it. Returns (segments, node_xy): segments with u, v (node
    ids = row of node_xy; a one-way segment runs u -> v), length (metres), cls, oneway,
    start/end (rows of the vertex array ``segments.attrs["xy"]``), back (the vertices run
    v -> u), after_u/before_v (the vertex next to each end); node_xy: (n, 2) coordinates of
    each vertex id (its first occurrence).
    """
    xy, line = shapely.get_coordinates(geoms, return_index=True)
    key = np.round(xy / precision_m).astype(np.int64)
    _, first_idx, vid = np.unique(key, axis=0, return_index=True, return_inverse=True)
    vid = vid.ravel()
    # drop repeated vertices (zero-length steps after rounding) inside a line
    keep = np.ones(len(vid), dtype=bool)
    keep[1:] = ~((vid[1:] == vid[:-1]) & (line[1:] == line[:-1]))
    xy, line, vid = xy[keep], line[keep], vid[keep]
    n_per_line = np.bincount(line, minlength=len(geoms))
    ok = n_per_line[line] >= 2
    xy, line, vid = xy[ok], line[ok], vid[ok]
    first = np.r_[True, line[1:] != line[:-1]]
    last = np.r_[line[1:] != line[:-1], True]
    is_node = np.bincount(vid, minlength=len(first_idx)) > 1
    is_node[vid[first | last]] = True
    cut = np.flatnonzero(is_node[vid])
    same = line[cut[1:]] == line[cut[:-1]]
    start, end = cut[:-1][same], cut[1:][same]
    if len(start) == 0:
        raise ValueError("no road line has two distinct vertices")
    step = np.zeros(len(xy))
    step[1:] = np.hypot(*(xy[1:] - xy[:-1]).T)
    step[first] = 0.0
    seg_line = line[start]
    d = np.asarray(direction, dtype=np.int64)[seg_line]
    u, v = vid[start], vid[end]
    back = d < 0  # one-way against the digitised order: turn the segment round
    u[back], v[back] = v[back], u[back]
    segs = pd.DataFrame({"u": u, "v": v, "length": np.add.reduceat(step, start + 1),
                         "cls": np.asarray(cls, dtype=np.int64)[seg_line], "oneway": d != 0,
                         "start": start, "end": end, "back": back})
    # the vertex next to each end along the line (osmnx counts these as the node's neighbours)
    after_u = np.where(back, vid[end - 1], vid[start + 1])
    before_v = np.where(back, vid[start + 1], vid[end - 1])
    segs = segs.assign(after_u=after_u, before_v=before_v)
    node_xy = _xy_of_first(xy, vid, len(first_idx))
    segs.attrs["xy"] = xy
    return segs, node_xy


def _xy_of_first(xy: np.ndarray, vid: np.ndarray, n: int) -> np.ndarray:
    """Coordinates of each vertex id at its first occurrence."""
    out = np.full((n, 2), np.nan)
    order = np.arange(len(vid))[::-1]
    out[vid[order]] = xy[order]  # later writes (earlier occurrences) win
    return out


def _interstitial(segs: pd.DataFrame, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes where two segments continue each other (osmnx's non-endpoints) and, for each
    such node, the pair of segments (k, 2). As in osmnx's ``_is_endpoint``: two incident
    segments (degree 2), two distinct neighbouring vertices, no self-loop, the same class
    and one-way flag, and one-way segments that enter and leave."""
    s = np.arange(len(segs))
    u, v = segs["u"].to_numpy(), segs["v"].to_numpy()
    ends = np.concatenate([u, v])
    seg = np.concatenate([s, s])
    near = np.concatenate([segs["after_u"].to_numpy(), segs["before_v"].to_numpy()])
    side = np.concatenate([np.zeros(len(s), bool), np.ones(len(s), bool)])  # True = arrives
    deg = np.bincount(ends, minlength=n_nodes)
    sel = deg[ends] == 2
    order = np.lexsort((seg[sel], ends[sel]))
    node = ends[sel][order].reshape(-1, 2)[:, 0]
    pair = seg[sel][order].reshape(-1, 2)
    arrive = side[sel][order].reshape(-1, 2)
    nb = near[sel][order].reshape(-1, 2)
    a, b = pair[:, 0], pair[:, 1]
    cls, oneway = segs["cls"].to_numpy(), segs["oneway"].to_numpy()
    ok = ((a != b) & (nb[:, 0] != nb[:, 1])
          & (cls[a] == cls[b]) & (oneway[a] == oneway[b])
          & (~oneway[a] | (arrive[:, 0] != arrive[:, 1])))
    return node[ok], pair[ok]


def contract_chains(segs: pd.DataFrame, n_nodes: int) -> pd.DataFrame:
    """Merge segments through degree-2 nodes into edges (u, v, length, cls, oneway,
    geometry); isolated rings (chains without an end node) are dropped."""
    mid, pair = _interstitial(segs, n_nodes)
    n = len(segs)
    adj = coo_matrix((np.ones(len(pair)), (pair[:, 0], pair[:, 1])), shape=(n, n))
    n_chain, chain = connected_components(adj, directed=False)
    is_mid = np.zeros(n_nodes, dtype=bool)
    is_mid[mid] = True
    u, v = segs["u"].to_numpy(), segs["v"].to_numpy()
    order, flip, edge_of = _walk_chains(chain, n_chain, u, v, is_mid, pair, mid,
                                         segs["oneway"].to_numpy())
    xy = segs.attrs["xy"]
    start, end = segs["start"].to_numpy(), segs["end"].to_numpy()
    back = segs["back"].to_numpy()[order] ^ flip[order]  # read the vertices backwards
    s, e = start[order], end[order]
    first_in_edge = np.r_[True, edge_of[1:] != edge_of[:-1]]
    # vertex index ranges per segment (drop the junction vertex repeated by the next one)
    lo = np.where(back, e, s)
    step = np.where(back, -1, 1)
    count = np.abs(e - s) + 1
    skip = (~first_in_edge).astype(np.int64)
    lo, count = lo + skip * step, count - skip
    rep = np.repeat(np.arange(len(order)), count)
    offs = np.arange(len(rep)) - np.repeat(np.cumsum(count) - count, count)
    idx = lo[rep] + offs * step[rep]
    geometry = shapely.linestrings(xy[idx], indices=edge_of[rep])
    # metres along the assembled geometry (where two lines meet within the 0.1 m grid but
    # not exactly, the geometry keeps the first line's vertex)
    length = shapely.length(geometry)
    heads = np.flatnonzero(first_in_edge)
    tails = np.r_[heads[1:] - 1, len(order) - 1]
    eu = np.where(flip[order[heads]], v[order[heads]], u[order[heads]])
    ev = np.where(flip[order[tails]], u[order[tails]], v[order[tails]])
    return pd.DataFrame({"u": eu, "v": ev, "length": length,
                         "cls": segs["cls"].to_numpy()[order[heads]],
                         "oneway": segs["oneway"].to_numpy()[order[heads]],
                         "geometry": geometry})


def _walk_chains(chain, n_chain, u, v, is_mid, pair, mid, oneway):
    """Segments in walking order per chain: (order, flip per segment, edge id per position).

    A chain is walked from a segment end that is not interstitial to the other such end;
    ``flip`` marks segments walked v -> u. One-way chains (consistently oriented, see
    :func:`_interstitial`) walked against their direction are turned round."""
    n = len(u)
    flip = np.zeros(n, dtype=bool)
    size = np.bincount(chain, minlength=n_chain)
    single = size[chain] == 1
    nxt = {}
    for node, (a, b) in zip(mid.tolist(), pair.tolist()):
        nxt[(node, a)], nxt[(node, b)] = b, a
    seen = size == 1
    walks = []
    for s in np.flatnonzero(~single & (~is_mid[u] | ~is_mid[v])).tolist():
        if seen[chain[s]]:
            continue
        seen[chain[s]] = True
        at, cur, walk = (v[s] if is_mid[u[s]] else u[s]), s, []
        while True:
            rev = bool(at == v[cur])  # entering the segment at its v end
            flip[cur] = rev
            walk.append(cur)
            at = u[cur] if rev else v[cur]
            if not is_mid[at]:
                break
            cur = nxt[(at, cur)]
        if oneway[s] and flip[walk[0]]:
            walk.reverse()
            flip[walk] = ~flip[walk]
        walks.append(walk)
    lengths = [len(w) for w in walks]
    order = np.concatenate([np.flatnonzero(single),
                            np.asarray([s for w in walks for s in w], dtype=np.int64)])
    edge_of = np.concatenate([np.arange(int(single.sum())),
                              np.repeat(np.arange(len(walks)) + int(single.sum()), lengths)])
    return order.astype(np.int64), flip, edge_of.astype(np.int64)


def component_labels(u: np.ndarray, v: np.ndarray, n_nodes: int) -> np.ndarray:
    """Connected-component label of every node (edges taken as undirected, i.e. weakly
    connected pieces)."""
    adj = coo_matrix((np.ones(len(u)), (u, v)), shape=(n_nodes, n_nodes))
    return connected_components(adj, directed=False)[1]


def split_long_edges(edges: pd.DataFrame, node_xy: np.ndarray, max_edge_m: float
                     ) -> tuple[pd.DataFrame, np.ndarray]:
    """Cut every edge longer than ``max_edge_m`` into equal parts (k = ceil(length /
    max_edge_m)) at points interpolated along its geometry, so that a graph node lies
    within about max_edge_m / 2 along the road from any point of it (snapping goes to
    nodes). The new nodes (ids from ``len(node_xy)`` on) join nothing else. Returns
    (edges, node_xy with the new nodes appended); geometry and total length are unchanged.
    """
    geoms = edges["geometry"].to_numpy()
    glen = shapely.length(geoms)
    k = np.maximum(np.ceil(glen / max_edge_m).astype(np.int64), 1)
    long = np.flatnonzero(k > 1)
    if len(long) == 0:
        return edges, node_xy
    xy, which = shapely.get_coordinates(geoms[long], return_index=True)
    step = np.zeros(len(xy))
    step[1:] = np.hypot(*(xy[1:] - xy[:-1]).T)
    step[np.r_[True, which[1:] != which[:-1]]] = 0.0
    arc = np.cumsum(step)                       # arc length over all long edges in a row
    start = arc[np.r_[0, np.flatnonzero(which[1:] != which[:-1]) + 1]]
    kk, L = k[long], glen[long]
    cut_edge = np.repeat(np.arange(len(long)), kk - 1)
    j = np.arange(len(cut_edge)) - np.repeat(np.cumsum(kk - 1) - (kk - 1), kk - 1) + 1
    target = start[cut_edge] + j * L[cut_edge] / kk[cut_edge]
    at = np.clip(np.searchsorted(arc, target, side="right") - 1, 0, len(xy) - 2)
    frac = (target - arc[at]) / np.where(step[at + 1] > 0, step[at + 1], 1.0)
    cut_xy = xy[at] + frac[:, None] * (xy[at + 1] - xy[at])
    new_ids = len(node_xy) + np.arange(len(cut_edge))
    # all points of the long edges in order: vertices, then cut points (each one twice:
    # end of one piece and start of the next)
    pos = np.r_[arc, target, target]
    tie = np.r_[np.zeros(len(arc)), np.ones(len(target)), np.full(len(target), 2.0)]
    pts = np.vstack([xy, cut_xy, cut_xy])
    order = np.lexsort((tie, pos))
    is_cut_start = np.r_[np.zeros(len(arc) + len(target), bool), np.ones(len(target), bool)]
    piece = np.cumsum(is_cut_start[order])      # piece number, running over all long edges
    edge_of_point = np.r_[which, cut_edge, cut_edge][order]
    piece = piece + np.cumsum(np.r_[0, edge_of_point[1:] != edge_of_point[:-1]])
    _, piece = np.unique(piece, return_inverse=True)
    pieces = shapely.linestrings(pts[order], indices=piece)
    first_piece = np.r_[0, np.cumsum(kk)[:-1]]
    pu = np.empty(len(pieces), dtype=np.int64)
    pv = np.empty(len(pieces), dtype=np.int64)
    src = edges.iloc[long]
    pu[first_piece] = src["u"].to_numpy()
    pv[first_piece + kk - 1] = src["v"].to_numpy()
    inner = np.setdiff1d(np.arange(len(pieces)), first_piece + kk - 1)
    pv[inner] = new_ids
    pu[np.setdiff1d(np.arange(len(pieces)), first_piece)] = new_ids
    rows = src.iloc[np.repeat(np.arange(len(long)), kk)].reset_index(drop=True)
    rows = rows.assign(u=pu, v=pv, length=shapely.length(pieces), geometry=pieces)
    keep = edges.drop(index=edges.index[long])
    return pd.concat([keep, rows], ignore_index=True), np.vstack([node_xy, cut_xy])
