"""Scenario vs baseline through the incremental engine, checked against full recomputation
and against a direct count of villages within the radius (scipy distances between the
villages' demand points and the sites projected with pyproj)."""
import numpy as np
import pytest
from pyproj import Transformer
from scipy.spatial.distance import cdist

from coverage.compare import changed_types, compare_sites
from coverage.engine import build_state
from coverage.places import dataset_places
from coverage.scenario import AddSite, CloseSite, MoveSite, apply_edits
from geo.dataset import load_dataset
from geo.services import load_default_sites


@pytest.fixture(scope="module")
def base(village_table, data_dir):
    villages, _ = village_table
    sites, _ = load_default_sites(data_dir)
    return villages, sites


@pytest.fixture(scope="module")
def places(data_dir):
    return dataset_places(load_dataset(data_dir))


def _covered_by_numpy(villages, sites, type_id, radius):
    """Villages whose demand point (EPSG:3826) lies within ``radius`` metres of an open site
    of the type, computed without coverage.distance."""
    s = sites[(sites["type"] == type_id) & (sites["status"] == "open")]
    xy = np.column_stack(Transformer.from_crs(4326, 3826, always_xy=True).transform(
        s.geometry.x.to_numpy(), s.geometry.y.to_numpy()))
    d = cdist(villages[["demand_x", "demand_y"]].to_numpy(float), xy)
    return (d <= radius).any(axis=1)


def test_close_one_centre_matches_direct_count(base, places):
    villages, sites = base
    after = apply_edits(sites, [CloseSite(site_id="fsc-010")], places=places)  # 復興
    assert changed_types(sites, after) == ["family_service_centre"]
    cmps = compare_sites(villages, sites, after, radii_m={"family_service_centre": 5000.0})
    assert list(cmps) == ["family_service_centre"]
    cmp = cmps["family_service_centre"]
    row = cmp.totals.loc["population"]
    pop = villages["population"].astype(float).to_numpy()
    before = _covered_by_numpy(villages, sites, "family_service_centre", 5000.0)
    after_cov = _covered_by_numpy(villages, after, "family_service_centre", 5000.0)
    assert row["before"] == pop[before].sum()
    assert row["after"] == pop[after_cov].sum()
    assert row["change"] == row["after"] - row["before"] < 0
    assert set(cmp.lost) == set(villages.index[before & ~after_cov]) and cmp.gained == []
    d = cmp.districts.loc["68000130"]  # 復興區
    assert (d["sites_before"], d["sites_after"]) == (1, 0)
    assert cmp.districts_with_site == (13, 12, 13)


def test_random_edits_equal_full_recomputation(base, places):
    villages, sites = base
    rng = np.random.default_rng(7)
    xmin, ymin, xmax, ymax = villages.total_bounds
    edits = []
    for k in range(6):
        edits.append(AddSite(type="mental_health_centre", name=f"新據點{k}",
                             lon=float(rng.uniform(121.1, 121.35)), lat=float(rng.uniform(24.85, 25.05)),
                             status="open"))
    edits.append(MoveSite(site_id="mhc-001", lon=121.30, lat=24.99))
    edits.append(CloseSite(site_id="mhc-002"))
    after = apply_edits(sites, edits, places=places)
    cmp = compare_sites(villages, sites, after, radii_m={"mental_health_centre": 4000.0})
    cmp = cmp["mental_health_centre"]
    full = build_state(villages, after[(after["type"] == "mental_health_centre") & (after["status"] == "open")],
                       radius_m=4000.0)
    pop = villages["population"].astype(float).to_numpy()
    assert cmp.totals.at["population", "after"] == float(pop @ full.covered())
    np.testing.assert_array_equal(cmp.covered_after.to_numpy(), full.covered())
    assert cmp.sites_after == 7
