"""Incremental scenario updates equal a full recomputation EXACTLY (no tolerance): 200
random add / move / remove edits on Taoyuan with a fixed seed, in point mode (with 2SFCA
decay), area-weighted mode and network mode."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from coverage.access import two_sfca
from coverage.distance import distance_matrix, village_points
from coverage.engine import build_state, lonlat_to_xy
from coverage.metrics import area_covered_share, select_sites, village_coverage, settled_polygons
from tests import coverage_toy as toy


@pytest.fixture(scope="module")
def taoyuan(village_table, data_dir):
    from geo.services import load_default_sites
    villages = village_table[0]
    sites = select_sites(load_default_sites(data_dir)[0], "family_service_centre")
    return villages, sites


def _frame(ids, xy, cap):
    return gpd.GeoDataFrame({"site_id": ids, "capacity": cap},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:3826")


def _random_edits(state, villages, rng, n_edits, *, pool=None, check_every=0, fresh=None):
    """Apply random edits; keep our own record of the sites; every ``check_every`` edits
    compare with ``fresh(site frame)``."""
    pts = village_points(villages if pool is None else pool)
    ids = list(state.site_ids)
    xy = {s: state.site_xy[i].copy() for i, s in enumerate(ids)}
    cap = {s: state.supply[i] for i, s in enumerate(ids)}
    counter = 0
    for step in range(1, n_edits + 1):
        op = rng.choice(["add", "move", "remove"], p=[0.4, 0.35, 0.25]) if ids else "add"
        if op == "add":
            sid = f"new-{counter}"
            counter += 1
            p = pts[rng.integers(len(pts))] + rng.normal(0, 400, 2)
            c = float(rng.integers(1, 9)) if rng.random() < 0.5 else None
            state.add_site(sid, p, c)
            ids.append(sid)
            xy[sid], cap[sid] = p, (1.0 if c is None else c)
        elif op == "move":
            sid = ids[rng.integers(len(ids))]
            # sometimes onto another site (exact distance ties), sometimes to a village point
            p = (xy[ids[rng.integers(len(ids))]].copy() if rng.random() < 0.2
                 else pts[rng.integers(len(pts))] + rng.normal(0, 200, 2))
            state.move_site(sid, p)
            xy[sid] = p
        else:
            sid = ids.pop(rng.integers(len(ids)))
            state.remove_site(sid)
            del xy[sid], cap[sid]
        if check_every and (step % check_every == 0 or step == n_edits):
            full = fresh(_frame(ids, np.array([xy[s] for s in ids]).reshape(-1, 2),
                                [cap[s] for s in ids]))
            assert state.site_ids == full.site_ids
            np.testing.assert_array_equal(state.distances(), full.distances())
            pd.testing.assert_frame_equal(state.village_table(), full.village_table(),
                                          check_exact=True)
            assert state.summary() == full.summary()
    return ids, xy, cap


def test_point_mode_200_random_edits_equal_full(taoyuan):
    villages, sites = taoyuan
    opts = dict(radius_m=5000.0, decay="gaussian", sigma_m=2500.0)
    state = build_state(villages, sites, **opts)
    rng = np.random.default_rng(20260311)
    ids, xy, cap = _random_edits(state, villages, rng, 200, check_every=10,
                                 fresh=lambda s: build_state(villages, s, **opts))
    # and the engine agrees with the stand-alone functions on the final sites
    final = _frame(ids, np.array([xy[s] for s in ids]), [cap[s] for s in ids])
    dm = distance_matrix(villages, final)
    t = state.village_table()
    ref = village_coverage(dm, 5000.0)
    pd.testing.assert_frame_equal(t[ref.columns], ref, check_exact=True, check_dtype=False)
    acc = two_sfca(dm, villages["population"].to_numpy(float), final["capacity"],
                   radius_m=5000.0, decay="gaussian", sigma_m=2500.0)
    np.testing.assert_array_equal(t["access_raw"], acc["access_raw"])
    np.testing.assert_array_equal(t["access"], acc["access"])


def test_step_decay_and_elderly_demand_edits(taoyuan):
    villages, sites = taoyuan
    opts = dict(radius_m=3000.0, decay="step", demand="elderly",
                steps={1000.0: 1.0, 2000.0: 0.68, 3000.0: 0.22})
    state = build_state(villages, sites, **opts)
    _random_edits(state, villages, np.random.default_rng(7), 200, check_every=50,
                  fresh=lambda s: build_state(villages, s, **opts))


def test_area_weighted_edits_equal_full(taoyuan):
    villages, sites = taoyuan
    state = build_state(villages, sites, radius_m=3000.0, area_weighted=True)
    rng = np.random.default_rng(11)
    ids, xy, _ = _random_edits(
        state, villages, rng, 40, check_every=20,
        fresh=lambda s: build_state(villages, s, radius_m=3000.0, area_weighted=True))
    shares = area_covered_share(settled_polygons(villages), np.array([xy[s] for s in ids]),
                                3000.0)
    np.testing.assert_array_equal(state.village_table()["covered"].to_numpy(), shares)


def test_network_mode_edits_equal_full(village_table, data_dir, taoyuan):
    from geo.network import graph_from_file, prepare_network
    villages, sites = taoyuan
    net = prepare_network(graph_from_file(data_dir / "roads" / "taoyuan_district_drive.graphml"),
                          weights=("length",))
    pool = villages[villages["TOWNCODE"] == "68000010"]  # edits inside the graph's extent
    state = build_state(villages, sites, radius_m=4000.0, mode="network", network=net)
    _random_edits(state, villages, np.random.default_rng(5), 60, pool=pool, check_every=20,
                  fresh=lambda s: build_state(villages, s, radius_m=4000.0, mode="network",
                                              network=net))


def test_remove_all_then_add_back_on_toy():
    v = toy.villages()
    state = build_state(v, toy.sites(), radius_m=1500.0)
    state.remove_site("S1")
    state.remove_site("S2")
    t = state.village_table()
    assert t["covered"].sum() == 0 and t["nearest_site"].isna().all()
    assert (t["access_raw"] == 0).all()
    state.add_site("S2", toy.S2)
    state.add_site("S1", toy.S1)
    assert state.village_table()["nearest_site"].tolist() == ["S1", "S1", "S2", "S1", "S2", "S2"]
    # moving S1 next to V5 covers it; V1 falls back to S2 (2236 m > 1500: uncovered)
    state.move_site("S1", (toy.X0 + 5500, toy.Y0 + 500))
    t = state.village_table()
    assert t.loc["V5", "nearest_site"] == "S1" and t.loc["V5", "covered"] == 1
    assert t.loc["V1", "nearest_site"] == "S2" and t.loc["V1", "covered"] == 0


def test_edit_errors_and_lonlat():
    state = build_state(toy.villages(), toy.sites(), radius_m=1500.0)
    with pytest.raises(KeyError, match="S9"):
        state.remove_site("S9")
    with pytest.raises(KeyError):
        state.move_site("S9", toy.S1)
    with pytest.raises(ValueError, match="already"):
        state.add_site("S1", toy.S1)
    from pyproj import Transformer
    x, y = lonlat_to_xy(121.3, 24.99)  # near 桃園 city hall
    want = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True).transform(121.3, 24.99)
    assert (x, y) == pytest.approx(want, abs=1e-6)
    assert 270_000 < x < 285_000 and 2_760_000 < y < 2_770_000
