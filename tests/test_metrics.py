"""Per-village coverage, weighted percentiles, district / city aggregates, custom demand
and the defaults file: hand computation on the toy city, real totals on Taoyuan."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.config import load_defaults, type_defaults
from geo.custom_demand import read_custom_demand
from coverage.distance import distance_matrix
from coverage.engine import coverage_table
from coverage.metrics import (area_covered_share, capacity_summary, city_summary,
                              coverage_summary, demand_column, district_kpi,
                              select_sites, village_coverage, settled_polygons,
                              weighted_percentile)
from tests import coverage_toy as toy

# --- weighted percentile ---------------------------------------------------------------


def test_weighted_percentile_by_hand():
    # equal weights: half the weight is at <= 2, so the median is 2 (lower median)
    assert weighted_percentile([4, 1, 3, 2], [1, 1, 1, 1], 0.5) == 2
    assert weighted_percentile([4, 1, 3, 2], [1, 1, 1, 1], 0.51) == 3
    assert weighted_percentile([4, 1, 3, 2], [1, 1, 1, 1], 0.9) == 4
    assert weighted_percentile([4, 1, 3, 2], [1, 1, 1, 1], 1.0) == 4
    # weight 7 on 10: 70 % of the weight sits at 10
    assert weighted_percentile([10, 20, 30], [7, 2, 1], 0.5) == 10
    assert weighted_percentile([10, 20, 30], [7, 2, 1], 0.7) == 10
    assert weighted_percentile([10, 20, 30], [7, 2, 1], 0.71) == 20
    assert weighted_percentile([10, 20, 30], [7, 2, 1], 0.95) == 30
    # zero-weight values never become the answer
    assert weighted_percentile([1, 2, 3], [0, 1, 0], 0.01) == 2
    # NaN weight counts as 0; unreachable (inf) values can be the answer
    assert weighted_percentile([1, math.inf], [1, np.nan], 1.0) == 1
    assert weighted_percentile([1, math.inf], [1, 3], 0.5) == math.inf
    assert math.isnan(weighted_percentile([1, 2], [0, 0], 0.5))
    with pytest.raises(ValueError):
        weighted_percentile([1, 2], [1, 1], 0)
    with pytest.raises(ValueError):
        weighted_percentile([1, np.nan], [1, 1], 0.5)


def test_weighted_percentile_matches_repeated_values():
    # integer weights = repeating each value; the definition is then the order statistic
    rng = np.random.default_rng(0)
    v = rng.uniform(0, 100, 50)
    w = rng.integers(0, 5, 50)
    rep = np.sort(np.repeat(v, w))
    for q in (0.1, 0.25, 0.5, 0.9, 1.0):
        k = math.ceil(q * len(rep)) - 1
        assert weighted_percentile(v, w, q) == rep[k]


# --- per village -------------------------------------------------------------------------


def test_village_coverage_by_hand():
    dm = distance_matrix(toy.villages(), toy.sites())
    t = village_coverage(dm, 1500.0)
    assert t["nearest_site"].tolist() == ["S1", "S1", "S2", "S1", "S2", "S2"]
    np.testing.assert_allclose(t["nearest_m"], [0, 1000, 1000, 1000, math.sqrt(1e7), 0],
                               atol=1e-9)
    # within 1500 m: V2 has S1 (1000) and S2 (1414)
    assert t["sites_within"].tolist() == [1, 2, 1, 1, 0, 1]
    assert t["covered"].tolist() == [1, 1, 1, 1, 0, 1]
    # the radius is inclusive: at exactly 1000 m V2, V3, V4 are covered
    assert village_coverage(dm, 1000.0)["covered"].tolist() == [1, 1, 1, 1, 0, 1]
    assert village_coverage(dm, 999.0)["covered"].tolist() == [1, 0, 0, 0, 0, 1]


def test_no_sites_means_nothing_covered():
    dm = distance_matrix(toy.villages(), toy.sites().iloc[:0])
    t = village_coverage(dm, 5000.0)
    assert t["covered"].sum() == 0 and t["nearest_site"].isna().all()
    assert np.isinf(t["nearest_m"]).all()


def test_select_sites_open_only_by_default():
    s = toy.sites(status=("open", "planned"))
    assert select_sites(s, "family_service_centre")["site_id"].tolist() == ["S1"]
    assert select_sites(s, "family_service_centre",
                        include_planned=True)["site_id"].tolist() == ["S1", "S2"]
    assert len(select_sites(s, "employment_desk")) == 0


def test_area_share_by_hand():
    polys = settled_polygons(toy.villages())
    # disc of 500 m at V1's centre: inscribed circle, share pi/4 (256-gon: within 2e-4)
    share = area_covered_share(polys, np.array([toy.S1]), 500.0)
    assert share[0] == pytest.approx(math.pi / 4, rel=2e-4)
    assert share[1:].tolist() == [0, 0, 0, 0, 0]
    # disc at the V1/V2 corner (1000, 0): a quarter disc in each
    corner = np.array([[toy.X0 + 1000, toy.Y0]])
    share = area_covered_share(polys, corner, 500.0)
    assert share[0] == pytest.approx(math.pi * 500**2 / 4 / 1e6, rel=2e-4)
    assert share[1] == pytest.approx(share[0], rel=1e-9)
    # a disc holding the whole square (corners at 707 m) gives exactly 1
    assert area_covered_share(polys, np.array([toy.S1]), 710.0)[0] == 1.0
    # two overlapping discs are not double counted: union of both halves of V2
    both = np.array([[toy.X0 + 1000, toy.Y0 + 500], [toy.X0 + 2000, toy.Y0 + 500]])
    assert area_covered_share(polys, both, 500.0)[1] == pytest.approx(
        math.pi * 500**2 / 1e6, rel=2e-4)


# --- aggregates --------------------------------------------------------------------------


def _toy_table(radius=1500.0, **kw):
    return coverage_table(toy.villages(), toy.sites(), radius_m=radius, **kw)[0]


def test_coverage_summary_by_hand():
    s = coverage_summary(_toy_table(), ["demand"])
    city = s.loc["all"]
    assert city["demand_total"] == 2100 and city["demand_covered"] == 1600
    assert city["demand_share"] == pytest.approx(1600 / 2100)
    # nearest distances 0 (V1 100, V6 600), 1000 (V2-V4 900), 3162 (V5 500)
    assert city["median_m"] == 1000 and city["p90_m"] == pytest.approx(math.sqrt(1e7))
    a, b = s.loc["A"], s.loc["B"]
    assert (a["demand_total"], a["demand_covered"]) == (300, 300)
    assert (b["demand_total"], b["demand_covered"]) == (1800, 1300)
    assert b["median_m"] == 1000 and a["median_m"] == 1000  # A: 0 (100), 1000 (200)


def test_summary_per_population_group_by_hand():
    t = _toy_table()  # covered at 1500 m: V1-V4 and V6, not V5
    s = coverage_summary(t, ["population", "children", "elderly", "households"])
    city = s.loc["all"]
    # children = pop // 10: 10 + 20 + 30 + 40 + 60 covered of 210
    assert (city["children_covered"], city["children_total"]) == (160, 210)
    assert (city["elderly_covered"], city["elderly_total"]) == (320, 420)
    assert (city["households_covered"], city["households_total"]) == (800, 1050)
    assert s.loc["B", "elderly_share"] == pytest.approx((60 + 80 + 120) / 360)


def test_children_elderly_households_demand():
    t = _toy_table(demand="elderly")
    assert t["demand"].tolist() == [20, 40, 60, 80, 100, 120]
    with pytest.raises(KeyError, match="unknown demand"):
        demand_column(toy.villages(), "teenagers")
    v = toy.villages()
    v["households"] = pd.array([pd.NA] * 6, dtype="Int64")
    with pytest.raises(ValueError, match="no values"):
        demand_column(v, "households")


def test_district_kpi_and_capacity_by_hand():
    v = toy.villages()
    assert district_kpi(toy.sites(), v)["district_share"] == 1.0
    one = toy.sites().iloc[:1]
    kpi = district_kpi(one, v)
    assert (kpi["districts_with_site"], kpi["districts_without_site"]) == (1, ["B"])
    cap = capacity_summary(v, toy.sites(capacity=(3, 5)), demand_column(v),
                           residents_per_capacity=200)
    assert cap.loc["A", "residents_per_capacity"] == 100  # 300 residents / 3
    assert cap.loc["all", "residents_per_capacity"] == 2100 / 8
    assert cap.loc["all", "residents_per_site"] == 1050
    assert cap.loc["all", "capacity_needed"] == 2100 / 200
    assert cap.loc["B", "capacity_shortfall"] == 1800 / 200 - 5
    unknown = capacity_summary(v, toy.sites(), demand_column(v))
    assert math.isnan(unknown.loc["all", "residents_per_capacity"])
    assert unknown.loc["all", "capacity_unknown_sites"] == 2


def test_area_weighted_table_uses_shares():
    t = _toy_table(radius=500.0, area_weighted=True)
    assert t.loc["V1", "covered"] == pytest.approx(math.pi / 4, rel=2e-4)
    assert t.loc["V6", "covered"] == pytest.approx(math.pi / 4, rel=2e-4)
    s = coverage_summary(t, ["demand"]).loc["all"]
    assert s["demand_covered"] == pytest.approx(700 * math.pi / 4, rel=2e-4)


# --- custom demand -----------------------------------------------------------------------


def test_read_custom_demand(tmp_path):
    f = tmp_path / "need.csv"
    f.write_text("VILLCODE,cases\n68000010-001,5\n68000010002,\"1,200\"\n", encoding="utf-8")
    s = read_custom_demand(f, "cases")
    assert s.to_dict() == {"68000010001": 5.0, "68000010002": 1200.0}


@pytest.mark.parametrize("body, match", [
    ("VILLCODE,cases\n68000010001,5\n68000010002,many\n", r"row 2: cases='many'"),
    ("VILLCODE,cases\n68000010001,-1\n", r"row 1: cases='-1'"),
    ("VILLCODE,cases\n6800001000X,1\n", r"row 1: VILLCODE='6800001000X'"),
    ("VILLCODE,cases\n68000010001,1\n68000010-001,2\n", r"row 2: .*repeats row 1"),
    ("code,cases\n68000010001,1\n", r"no VILLCODE column"),
    ("VILLCODE,other\n68000010001,1\n", r"no column 'cases'"),
])
def test_read_custom_demand_errors(tmp_path, body, match):
    f = tmp_path / "need.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=match) as err:
        read_custom_demand(f, "cases")
    assert str(f) in str(err.value)


def test_custom_demand_unknown_codes_reported(tmp_path):
    f = tmp_path / "need.csv"
    f.write_text("VILLCODE,cases\n68000010001,5\n68000010099,7\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2: 68000010099"):
        read_custom_demand(f, "cases", known_codes=["68000010001"])
    s = read_custom_demand(f, "cases", known_codes=["68000010001"], on_unknown="report")
    assert s.to_dict() == {"68000010001": 5.0}
    assert s.attrs["unknown_codes"] == [(2, "68000010099")]


# --- defaults file -----------------------------------------------------------------------


def test_defaults_cover_every_type_with_rationale():
    from geo.services import SERVICE_TYPES
    d = load_defaults()
    assert set(d) == set(SERVICE_TYPES)
    fsc = type_defaults("family_service_centre")
    assert fsc.radius_m == 5000 and fsc.residents_per_capacity == 20000
    assert "20,000" in fsc.rationale
    for t in d.values():
        assert t.rationale and "planning assumption" in t.rationale.lower()
        assert list(t.steps()) == pytest.approx([t.radius_m / 3, 2 * t.radius_m / 3, t.radius_m])
        assert list(t.steps().values()) == [1.0, 0.68, 0.22]
        assert t.sigma_m == t.radius_m / 2
        assert t.decay is None  # classic 2SFCA unless the file says otherwise
    with pytest.raises(ValueError, match="valid ids"):
        type_defaults("nope")


@pytest.mark.parametrize("text, match", [
    ("[types.nope]\nradius_km = 1\n", r"unknown service type"),
    ("[types.family_service_centre]\nradius_km = -1\n", r"radius_km: expected a number > 0"),
    ("[types.family_service_centre]\nrationale = 'x'\n", r"radius_km missing"),
    ("[decay]\nstep_breaks = [1.0, 0.5]\nstep_weights = [1, 1]\n", r"ascending"),
    ("not = [toml", r"not valid TOML"),
    ("[decay]\ndefault = 'linear'\n", r"decay.default: expected"),
])
def test_defaults_file_errors(tmp_path, text, match):
    f = tmp_path / "d.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match) as err:
        load_defaults(f)
    assert str(f) in str(err.value)


# --- real Taoyuan numbers ------------------------------------------------------------------


def test_taoyuan_family_service_centres(village_table, data_dir, raw_population_2025):
    from geo.services import load_default_sites
    villages = village_table[0]
    sites = select_sites(load_default_sites(data_dir)[0], "family_service_centre")
    table, _ = coverage_table(villages, sites, radius_m=5000.0)
    total = raw_population_2025["人口"].sum()
    assert len(table) == len(raw_population_2025) and table["demand"].sum() == total
    summary = city_summary(table, sites, villages, residents_per_capacity=20000)
    assert summary["demand_total"] == total
    # every one of the 13 districts has a centre (the seeds: 13 行政區設置15處)
    assert (summary["districts_with_site"], summary["districts"]) == (13, 13)
    assert summary["capacity_needed"] == pytest.approx(total / 20000)
    # per-district rows add up to the city row
    s = coverage_summary(table, ["demand"])
    assert s.drop(index="all")["demand_covered"].sum() == pytest.approx(
        s.loc["all", "demand_covered"])
    # independent check of covered population with geopandas buffers around the points
    import geopandas as gpd
    from scipy.spatial.distance import cdist
    # the demand point of each village is its built-up land's point (demand_x / demand_y)
    xy = villages[["demand_x", "demand_y"]].to_numpy(float)
    metric = sites.to_crs(3826)
    near = cdist(xy, np.column_stack([metric.geometry.x, metric.geometry.y])).min(axis=1)
    np.testing.assert_allclose(table["nearest_m"], near, rtol=1e-9)
    pts = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=3826)
    disc = metric.buffer(5000, quad_segs=256).union_all()
    inside = pts.within(disc).to_numpy()
    near_edge = np.abs(near - 5000) < 5  # a 1,024-gon lies within 0.03 m of the circle
    assert (inside[~near_edge] == (table["covered"].to_numpy()[~near_edge] == 1)).all()
    pop = raw_population_2025["人口"].reindex(table.index).to_numpy()
    assert summary["demand_covered"] == pop[near <= 5000].sum()
    assert pop[inside & ~near_edge].sum() <= summary["demand_covered"] \
        <= pop[inside | near_edge].sum()
