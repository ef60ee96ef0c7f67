"""2SFCA / E2SFCA: hand computation on the toy city and equality (1e-9) with PySAL
``access`` on full Taoyuan (the 516 villages of the default data, the 15 family service centres)."""
from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from coverage.access import decay_weights, enhanced_two_sfca, two_sfca
from coverage.distance import distance_matrix
from coverage.metrics import select_sites
from tests import coverage_toy as toy

POP = np.array([100, 200, 300, 400, 500, 600], dtype=float)


def _toy_dm():
    return distance_matrix(toy.villages(), toy.sites())


def test_two_sfca_by_hand():
    # R = 1500: S1 reaches V1, V2, V4 (demand 700); S2 reaches V2, V3, V6 (demand 1100)
    r = two_sfca(_toy_dm(), POP, radius_m=1500.0)
    r1, r2 = 1 / 700, 1 / 1100
    expected = np.array([r1, r1 + r2, r2, r1, 0.0, r2])
    np.testing.assert_allclose(r["access_raw"], expected, rtol=1e-15)
    # every unit of supply is shared out: the demand-weighted mean is 2 sites / 2100 residents
    assert (POP * r["access_raw"]).sum() / POP.sum() == pytest.approx(2 / 2100, rel=1e-14)
    np.testing.assert_allclose(r["access"], expected * 2100 / 2, rtol=1e-14)
    assert (POP * r["access"]).sum() / POP.sum() == pytest.approx(1.0, rel=1e-14)


def test_capacity_is_supply():
    r = two_sfca(_toy_dm(), POP, [3.0, np.nan], radius_m=1500.0)  # unknown capacity = 1
    np.testing.assert_allclose(r["access_raw"], [3 / 700, 3 / 700 + 1 / 1100, 1 / 1100,
                                                 3 / 700, 0, 1 / 1100], rtol=1e-15)


def test_step_decay_by_hand():
    steps = {500.0: 1.0, 1000.0: 0.68, 1500.0: 0.22}
    r = two_sfca(_toy_dm(), POP, radius_m=1500.0, decay="step", steps=steps)
    # weights: V1-S1 0 m -> 1; V2-S1, V4-S1, V3-S2 1000 m -> 0.68; V2-S2 1414 m -> 0.22;
    # V6-S2 0 m -> 1
    r1 = 1 / (100 * 1 + 200 * 0.68 + 400 * 0.68)
    r2 = 1 / (200 * 0.22 + 300 * 0.68 + 600 * 1)
    expected = [r1, 0.68 * r1 + 0.22 * r2, 0.68 * r2, 0.68 * r1, 0, r2]
    np.testing.assert_allclose(r["access_raw"], expected, rtol=1e-14)


def test_gaussian_decay_by_hand():
    s = 800.0
    g = lambda d: math.exp(-d * d / (2 * s * s))  # noqa: E731
    r = two_sfca(_toy_dm(), POP, radius_m=1500.0, decay="gaussian", sigma_m=s)
    d22 = math.sqrt(2e6)
    r1 = 1 / (100 + 200 * g(1000) + 400 * g(1000))
    r2 = 1 / (200 * g(d22) + 300 * g(1000) + 600)
    expected = [r1, g(1000) * r1 + g(d22) * r2, g(1000) * r2, g(1000) * r1, 0, r2]
    np.testing.assert_allclose(r["access_raw"], expected, rtol=1e-14)


def test_decay_weights_match_access_weight_functions():
    from access import weights
    d = np.array([0, 5, 10, 10.0000001, 15, 20, 29.9, 30, 31, np.inf])
    step = weights.step_fn({10: 1, 20: 0.68, 30: 0.22})
    ours = decay_weights(d, radius_m=1e9, decay="step", steps={10: 1, 20: 0.68, 30: 0.22})
    assert ours.tolist() == [step(x) for x in d]
    gauss = weights.gaussian(7.0)
    ours = decay_weights(d[:-1], radius_m=1e9, decay="gaussian", sigma_m=7.0)
    np.testing.assert_array_equal(ours, [gauss(x) for x in d[:-1]])
    # beyond the radius the weight is 0 whatever the decay
    assert decay_weights(np.array([31.0]), radius_m=30, decay=None).tolist() == [0.0]


def test_bad_decay_options():
    with pytest.raises(ValueError, match="decay"):
        two_sfca(_toy_dm(), POP, radius_m=1000, decay="linear")
    with pytest.raises(ValueError, match="sigma"):
        two_sfca(_toy_dm(), POP, radius_m=1000, decay="gaussian")


# --- equality with PySAL access on full Taoyuan ----------------------------------------


@pytest.fixture(scope="module")
def taoyuan(village_table, data_dir, raw_population_2025):
    from geo.services import load_default_sites
    villages = village_table[0]
    sites = select_sites(load_default_sites(data_dir)[0], "family_service_centre")
    assert len(villages) == len(raw_population_2025) and len(sites) == 15
    return villages, sites, distance_matrix(villages, sites)


def _pysal(villages, dm, demand, supply, *, method, max_cost, weight_fn=None, scale=1.0):
    import access
    logging.getLogger("access").setLevel(logging.WARNING)
    demand_df = pd.DataFrame({"pop": demand}, index=pd.Index(villages.index, name="geoid"))
    supply_df = pd.DataFrame({"cap": supply}, index=pd.Index(dm.sites, name="geoid"))
    cost = dm.frame().stack().rename("cost").reset_index()
    cost.columns = ["origin", "dest", "cost"]
    cost["cost"] = cost["cost"] / scale
    a = access.Access(demand_df=demand_df, demand_index=True, demand_value="pop",
                      supply_df=supply_df, supply_index=True, supply_value="cap",
                      cost_df=cost, cost_origin="origin", cost_dest="dest", cost_name="cost")
    kw = {"max_cost": max_cost}
    if weight_fn is not None:
        kw["weight_fn"] = weight_fn
    raw = getattr(a, method)(name="raw", **kw)["raw_cap"]
    norm = getattr(a, method)(name="norm", normalize=True, **kw)["norm_cap"]
    # access leaves villages with no site in reach NaN; ours reports 0 for them
    return raw.reindex(villages.index).fillna(0.0), norm.reindex(villages.index).fillna(0.0)


@pytest.mark.parametrize("demand_col", ["population", "age_65_plus"])
@pytest.mark.parametrize("radius", [3000.0, 5000.0, 10000.0])
def test_two_sfca_equals_pysal_access(taoyuan, demand_col, radius):
    villages, sites, dm = taoyuan
    demand = villages[demand_col].to_numpy(float)
    supply = np.random.default_rng(int(radius)).integers(3, 15, len(sites)).astype(float)
    ours = two_sfca(dm, demand, supply, radius_m=radius)
    raw, norm = _pysal(villages, dm, demand, supply, method="two_stage_fca", max_cost=radius)
    assert (ours["access_raw"] > 0).sum() > 100
    np.testing.assert_allclose(ours["access_raw"], raw, rtol=1e-9, atol=0)
    np.testing.assert_allclose(ours["access"], norm, rtol=1e-9, atol=0)


@pytest.mark.parametrize("decay", ["step", "gaussian"])
def test_enhanced_two_sfca_equals_pysal_access(taoyuan, decay):
    from access import weights
    villages, sites, dm = taoyuan
    demand = villages["population"].to_numpy(float)
    radius = 8000.0
    if decay == "step":
        steps = {2000.0: 1.0, 5000.0: 0.68, 8000.0: 0.22}
        ours = enhanced_two_sfca(dm, demand, radius_m=radius, decay="step", steps=steps)
        fn = weights.step_fn(steps)
    else:
        ours = enhanced_two_sfca(dm, demand, radius_m=radius, decay="gaussian", sigma_m=3000.0)
        fn = weights.gaussian(3000.0)
    raw, norm = _pysal(villages, dm, demand, np.ones(len(sites)),
                       method="enhanced_two_stage_fca", max_cost=radius, weight_fn=fn)
    np.testing.assert_allclose(ours["access_raw"], raw, rtol=1e-9, atol=0)
    np.testing.assert_allclose(ours["access"], norm, rtol=1e-9, atol=0)


def test_default_steps_equal_access_default(taoyuan):
    """Our default E2SFCA steps (1/3, 2/3, 3/3 of the radius; 1, 0.68, 0.22) are access's
    default step_fn {10: 1, 20: 0.68, 30: 0.22} for a 30 km radius (costs in km there)."""
    villages, _, dm = taoyuan
    demand = villages["population"].to_numpy(float)
    ours = enhanced_two_sfca(dm, demand, radius_m=30000.0)
    raw, norm = _pysal(villages, dm, demand, np.ones(15), method="enhanced_two_stage_fca",
                       max_cost=30, scale=1000.0)
    np.testing.assert_allclose(ours["access"], norm, rtol=1e-9, atol=0)
