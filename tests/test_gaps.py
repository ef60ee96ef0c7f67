"""Gaps: uncovered villages, service deserts and the demand-supply gap, by hand on the toy
city and checked for consistency on Taoyuan."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coverage.engine import coverage_table
from coverage.gaps import demand_supply_gap, service_deserts, uncovered_villages
from coverage.metrics import demand_column, select_sites
from tests import coverage_toy as toy


def test_uncovered_ranked_by_uncovered_demand():
    t, _ = coverage_table(toy.villages(), toy.sites(), radius_m=999.0)
    # covered at 999 m: V1 (S1 at 0 m) and V6 (S2 at 0 m) only
    u = uncovered_villages(t)
    assert u.index.tolist() == ["V5", "V4", "V3", "V2"]
    assert u["uncovered_demand"].tolist() == [500, 400, 300, 200]
    assert u["rank"].tolist() == [1, 2, 3, 4]


def test_uncovered_area_weighted_counts_the_uncovered_part():
    t, _ = coverage_table(toy.villages(), toy.sites(), radius_m=500.0, area_weighted=True)
    u = uncovered_villages(t)
    share = np.pi / 4  # inscribed disc in V1 and in V6
    assert u.loc["V6", "uncovered_demand"] == pytest.approx(600 * (1 - share), rel=1e-3)
    assert u.index[0] == "V5" and u.index[1] == "V4"  # 500 / 400 fully uncovered


def test_service_deserts_need_every_type_missing():
    v = toy.villages()
    a, _ = coverage_table(v, toy.sites(points=(toy.S1,)), radius_m=1500.0)  # V1, V2, V4
    b, _ = coverage_table(v, toy.sites(points=(toy.S2,)), radius_m=1100.0)  # V3, V6
    d = service_deserts({"family_service_centre": a, "employment_desk": b})
    assert d.index.tolist() == ["V5"]
    assert d.loc["V5", "demand"] == 500
    assert d.loc["V5", "family_service_centre_nearest_m"] == 5000
    # with one type only, deserts are that type's uncovered villages, ranked by demand
    assert service_deserts({"x": b}).index.tolist() == ["V5", "V4", "V2", "V1"]
    with pytest.raises(ValueError):
        service_deserts({})


def test_demand_supply_gap_by_hand():
    v = toy.villages()
    g = demand_supply_gap(v, demand_column(v), toy.sites())
    # need: A 300/2100 = 1/7, B 6/7; supply: one site each -> 1/2 and 1/2
    assert g.loc["A", "need_share"] == pytest.approx(1 / 7)
    assert g.loc["B", "gap"] == pytest.approx(6 / 7 - 1 / 2)
    assert g.loc["A", "gap"] == pytest.approx(1 / 7 - 1 / 2)
    assert g.index.tolist() == ["B", "A"]  # largest gap first
    # capacities shift the supply share: A 3, B 1 -> 3/4, 1/4
    g = demand_supply_gap(v, demand_column(v), toy.sites(capacity=(3, 1)))
    assert g.loc["B", "capacity_share"] == pytest.approx(0.25)
    assert g.loc["B", "capacity_per_10k"] == pytest.approx(1 / 1800 * 1e4)
    assert g["gap"].sum() == pytest.approx(0.0, abs=1e-12)


def test_taoyuan_gaps_consistent(village_table, data_dir, raw_population_2025):
    from geo.services import load_default_sites
    villages = village_table[0]
    sites = select_sites(load_default_sites(data_dir)[0], "family_service_centre")
    t, _ = coverage_table(villages, sites, radius_m=5000.0)
    u = uncovered_villages(t)
    assert u["uncovered_demand"].sum() == pytest.approx(
        t["demand"].sum() - (t["demand"] * t["covered"]).sum())
    assert (np.diff(u["uncovered_demand"].to_numpy()) <= 0).all()
    assert (u["nearest_m"] > 5000).all()
    g = demand_supply_gap(villages, demand_column(villages), sites)
    assert len(g) == 13 and g["sites"].sum() == 15
    # need share per district from the published population file (pandas); one centre per
    # district, two in 桃園區 and 中壢區 (seeds: 13 行政區設置15處, 中路 and 內壢)
    by_town = raw_population_2025.groupby("TOWNCODE")["人口"].sum()
    need = (by_town / by_town.sum()).reindex(g.index)
    supply = pd.Series(1, index=g.index).where(~g.index.isin(["68000010", "68000020"]), 2)
    np.testing.assert_allclose(g["need_share"], need, rtol=1e-12)
    np.testing.assert_array_equal(g["sites"], supply)
    np.testing.assert_allclose(g["gap"], need - supply / 15, rtol=1e-9)
