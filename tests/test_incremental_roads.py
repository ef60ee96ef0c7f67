"""Incremental road-mode updates on the city-wide NLSC graph (the default road network):
one add, one move and one remove of a family service centre (5 km by road) through
coverage.engine's incremental state equal a fresh build_state exactly, and the nearest
road distance of the villages around each edit equals networkx Dijkstra run FROM the
village (the engine runs from the sites on the reversed graph), with snapping redone by
brute force over every graph node."""
from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from coverage.distance import site_points, village_points
from coverage.engine import build_state
from coverage.metrics import select_sites

RADIUS = 5000.0
SNAP = 500.0  # build_state's default max_snap_m


@pytest.fixture(scope="module")
def city(data_dir):
    from analysis.context import load_context
    ctx = load_context(data_dir, library=False)
    network, source = ctx.road_network()
    assert not source.partial and len(network.node_ids) > 20_000  # the city-wide graph
    sites = select_sites(ctx.sites, "family_service_centre")
    assert len(sites) == 15  # the published file's family service centres
    return ctx.villages, sites, network


def _frame(xy: dict) -> gpd.GeoDataFrame:
    ids = list(xy)
    pts = np.array([xy[s] for s in ids]).reshape(-1, 2)
    return gpd.GeoDataFrame({"site_id": ids, "capacity": np.nan},
                            geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]), crs="EPSG:3826")


def _snap(net, p):
    """(node id, metres) of the nearest graph node, brute force."""
    d = np.hypot(net.node_xy[:, 0] - p[0], net.node_xy[:, 1] - p[1])
    i = int(np.argmin(d))
    return net.node_ids[i], float(d[i])


def _nx_nearest(net, vxy, xy: dict) -> tuple[float, str | None]:
    """Nearest site by road from one village point: networkx Dijkstra from the village's
    node (cut at the radius), the snap metres of both ends added."""
    vnode, vsnap = _snap(net, vxy)
    if vsnap > SNAP:
        return np.inf, None
    reach = nx.single_source_dijkstra_path_length(net.graph, vnode, cutoff=RADIUS,
                                                  weight="length")
    best, who = np.inf, None
    for sid, p in xy.items():
        snode, ssnap = _snap(net, p)
        if ssnap <= SNAP and snode in reach and reach[snode] + vsnap + ssnap < best:
            best, who = reach[snode] + vsnap + ssnap, sid
    return best, who


def _check(state, villages, net, xy: dict, near_point) -> list[str | None]:
    """The state equals a fresh build; the 4 villages nearest ``near_point`` (straight
    line) have networkx's nearest distance and coverage. Returns their nearest sites."""
    fresh = build_state(villages, _frame(xy), radius_m=RADIUS, mode="network", network=net)
    assert state.site_ids == fresh.site_ids == list(xy)
    np.testing.assert_array_equal(state.distances(), fresh.distances())
    table = state.village_table()
    pd.testing.assert_frame_equal(table, fresh.village_table(), check_exact=True)
    vxy = village_points(villages)
    rows = np.argsort(np.hypot(*(vxy - near_point).T))[:4]
    who = []
    for i in rows:
        want, sid = _nx_nearest(net, vxy[i], xy)
        got = table.iloc[i]
        assert got["nearest_m"] == pytest.approx(want, abs=1e-6), villages.index[i]
        assert got["covered"] == float(want <= RADIUS)
        if np.isfinite(want):  # the engine names the site networkx found nearest
            assert got["nearest_site"] == sid, villages.index[i]
        who.append(sid)
    return who


def test_add_move_remove_on_the_city_graph(city):
    villages, sites, net = city
    state = build_state(villages, sites, radius_m=RADIUS, mode="network", network=net)
    xy = dict(zip(sites["site_id"].astype(str), site_points(sites)))
    vxy = village_points(villages)
    # add at the demand point of the most populous village farther than the radius by road
    # from every site: the villages around it must now reach the new site
    t = state.village_table()
    far = t[~(t["nearest_m"] <= RADIUS)]
    far = far[far.index.isin(villages.index[[_snap(net, p)[1] <= SNAP for p in vxy]])]
    assert len(far)
    target = vxy[villages.index.get_loc(far["demand"].idxmax())]
    state.add_site("new", target)
    xy["new"] = target
    assert "new" in _check(state, villages, net, xy, target)

    # move the first site to another uncovered village's point (the second most populous)
    sid = state.site_ids[0]
    old = xy[sid]
    later = state.village_table()
    far = later[~(later["nearest_m"] <= RADIUS)].sort_values("demand", ascending=False)
    far = far[[(_snap(net, vxy[villages.index.get_loc(v)])[1] <= SNAP) for v in far.index]]
    to = vxy[villages.index.get_loc(far.index[0])]
    state.move_site(sid, to)
    xy[sid] = to
    assert sid in _check(state, villages, net, xy, to)
    assert sid not in _check(state, villages, net, xy, old)  # its old neighbours moved on

    # remove the added site: its villages fall back to the others (or to none)
    before = state.village_table()["nearest_site"]
    state.remove_site("new")
    del xy["new"]
    who = _check(state, villages, net, xy, target)
    assert "new" not in who
    assert (before == "new").any() and not (state.village_table()["nearest_site"] == "new").any()
