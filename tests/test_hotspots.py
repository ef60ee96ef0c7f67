"""Hotspots: Gi*/LISA against direct esda calls and the Getis-Ord formula, BH FDR against a
hand computation, planted and null indicators on the real village geometry, island handling,
and region merging on a hand-built grid."""
from __future__ import annotations

import json
import math

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import box

from coverage import hotspots as hs
from geo import METRIC_CRS
from geo.boundaries import load_villages
from geo.paths import resolve_data_dir

SEED = 2024


@pytest.fixture(scope="module")
def villages() -> gpd.GeoDataFrame:
    return load_villages()


@pytest.fixture(scope="module")
def table():
    from geo.population import load_village_table
    data_dir = resolve_data_dir()
    if data_dir is None:
        pytest.skip("no data directory (population)")
    out, _ = load_village_table(data_dir)
    return out


@pytest.fixture(scope="module")
def raw_population():
    data_dir = resolve_data_dir()
    path = None if data_dir is None else data_dir / "population" / "taoyuan_villages_2021-03.csv"
    if path is None or not path.is_file():
        pytest.skip("population CSV missing")
    return pd.read_csv(path, dtype={"VILLCODE": str}).set_index("VILLCODE")


def _noise(villages, seed, name="noise"):
    return pd.Series(np.random.default_rng(seed).normal(10, 1, len(villages)),
                     index=villages.index, name=name)


# ------------------------------------------------------------------ equality with esda
def test_gi_star_equals_direct_esda_call_and_getis_ord_formula(table):
    y = hs.elderly_density(table)
    res, meta = hs.gi_star(y, table, seed=SEED)
    w, _ = hs.build_weights(table)
    direct = esda.G_Local(y.to_numpy(), w, star=True, transform="B", permutations=999, seed=SEED)
    assert np.array_equal(res["z"].to_numpy(), direct.Zs)
    assert np.array_equal(res["p_sim"].to_numpy(), direct.p_sim)
    assert np.array_equal(res["p_norm"].to_numpy(), np.minimum(1, 2 * direct.p_norm))
    # two-sided p: twice the smaller tail count (ties, within 1e-9, in both), float64;
    # a permutation that redraws a low-cardinality village's own neighbours ties exactly
    sims, obs = direct.rGs, direct.Gs[:, None]
    tie = np.isclose(sims, obs, rtol=1e-9, atol=0)
    tail = np.minimum(((sims >= obs) | tie).sum(1), ((sims <= obs) | tie).sum(1))
    assert np.array_equal(res["p"].to_numpy(), np.minimum(1, 2 * (tail + 1) / 1000))
    close = np.isclose(res["p"], np.minimum(1, 2 * direct.p_sim), rtol=0, atol=1e-6)
    assert close.mean() > 0.95 and (~close <= tie.any(1)).all()
    # the permutation p does not depend on the transform (esda's default is "R")
    w2, _ = hs.build_weights(table)
    default = esda.G_Local(y.to_numpy(), w2, star=True, permutations=999, seed=SEED)
    assert np.array_equal(res["p_sim"].to_numpy(), default.p_sim)
    # z against the Getis-Ord (1992/1995) Gi* formula with binary weights, self included
    x = y.to_numpy()
    n = len(x)
    a = w.full()[0] + np.eye(n)
    s = np.sqrt((x ** 2).mean() - x.mean() ** 2)
    sw, sw2 = a.sum(1), (a ** 2).sum(1)
    z = (a @ x - x.mean() * sw) / (s * np.sqrt((n * sw2 - sw ** 2) / (n - 1)))
    np.testing.assert_allclose(res["z"].to_numpy(), z, rtol=1e-9)
    assert meta["seed"] == SEED and meta["permutations"] == 999 and meta["star"] is True
    # the seed is really used: same seed reproduces, another seed changes p_sim
    again, _ = hs.gi_star(y, table, seed=SEED)
    other, _ = hs.gi_star(y, table, seed=SEED + 1)
    assert np.array_equal(again["p_sim"], res["p_sim"])
    assert not np.array_equal(other["p_sim"], res["p_sim"])


def test_local_moran_equals_direct_esda_call_and_hand_quadrants(table):
    y = hs.children_density(table)
    res, meta = hs.local_moran(y, table, seed=SEED, alpha=0.05)
    w, _ = hs.build_weights(table)
    direct = esda.Moran_Local(y.to_numpy(), w, permutations=999, seed=SEED)
    assert np.array_equal(res["Is"].to_numpy(), direct.Is)
    assert np.array_equal(res["z"].to_numpy(), direct.z_sim)
    assert np.array_equal(res["p_sim"].to_numpy(), direct.p_sim)
    dev = y.to_numpy() - y.mean()
    binary = w.full()[0]
    lag = (binary / binary.sum(1, keepdims=True)) @ dev
    expected = np.where(dev > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
    assert (res["quadrant_raw"].to_numpy() == expected).all()
    sig = np.minimum(1, 2 * direct.p_sim) <= 0.05
    assert (res["quadrant"].to_numpy() == np.where(sig, expected, "ns")).all()
    assert meta["method"] == "local_moran"


# ----------------------------------------------------------------- planted and null
def _planted(villages):
    nb = hs.queen_neighbours(villages)
    zhongli = set(villages.index[villages["district"] == "中壢區"])
    centre = max(sorted(zhongli), key=lambda c: sum(n in zhongli for n in nb[c]))
    cluster = [centre] + [n for n in nb[centre] if n in zhongli]
    y = _noise(villages, 7, "planted")
    y[cluster] = 30.0
    return y, cluster


def test_planted_cluster_in_zhongli_is_found_as_one_region(villages):
    y, cluster = _planted(villages)
    assert len(cluster) >= 6
    res, _ = hs.gi_star(y, villages)
    assert (res.loc[cluster, "bin"] >= 2).all()
    pop = villages.assign(population=1.0)
    regions = hs.hotspot_regions(pop, hs.hot_villages(res, min_bin=2))
    holding = [r for r in regions.itertuples() if set(cluster) & set(r.villages)]
    assert len(holding) == 1 and set(cluster) <= set(holding[0].villages)
    assert holding[0].region == 1 and holding[0].districts == ["中壢區"]
    # with FDR, 999 permutations cannot resolve it: p >= 0.002 and BH at 0.05 needs
    # ceil(0.002 * 504 / 0.05) = 21 villages at that floor; 9999 permutations can
    _, meta = hs.gi_star(y, villages, fdr=True)
    assert meta["fdr_min_villages"] == math.ceil(0.002 * len(villages) / 0.05)
    res_fdr, _ = hs.gi_star(y, villages, fdr=True, permutations=9999)
    assert (res_fdr.loc[cluster, "bin"] >= 2).all()
    regions = hs.hotspot_regions(pop, hs.hot_villages(res_fdr, min_bin=2))
    assert len(regions) == 1 and set(cluster) <= set(regions.loc[0, "villages"])


def test_iid_noise_gives_no_hotspots_after_fdr_and_nominal_rate_without(villages):
    rates = []
    for seed in range(100, 104):
        y = _noise(villages, seed)
        # 9999 permutations, so FDR could flag villages (at 999 it hardly can, see above)
        res_fdr, _ = hs.gi_star(y, villages, fdr=True, permutations=9999)
        assert (res_fdr["bin"] != 0).mean() <= 0.02
        res, _ = hs.gi_star(y, villages)
        rates.append((res["bin"].abs() >= 2).mean())
        # the folded one-tailed p_sim would flag about twice the nominal rate
        assert (res["p_sim"] <= 0.05).mean() > 1.4 * (res["p"] <= 0.05).mean()
    assert 0.02 <= np.mean(rates) <= 0.08  # two-sided p <= 0.05 flags about 5 % under H0


# ------------------------------------------------------------------------- islands
def test_taoyuan_has_no_queen_islands_and_queen_matches_shapely(villages):
    w, info = hs.build_weights(villages)
    assert info["islands"] == [] and info["links_added"] == [] and info["n_components"] == 1
    metric = villages.to_crs(METRIC_CRS)[["geometry"]].reset_index()
    j = gpd.sjoin(metric, metric, predicate="intersects")
    pairs = {(a, b) for a, b in zip(j["VILLCODE_left"], j["VILLCODE_right"]) if a != b}
    assert pairs == {(a, b) for a, ns in w.neighbors.items() for b in ns}


def _grid(n=3, size=1000.0, x0=250000.0, y0=2750000.0):
    cells = {f"{r}{c}": box(x0 + c * size, y0 + r * size, x0 + (c + 1) * size, y0 + (r + 1) * size)
             for r in range(n) for c in range(n)}
    return cells


def test_isolated_polygon_gets_nearest_neighbour_and_is_reported():
    cells = _grid()
    cells["XX"] = box(260000.0, 2750000.0, 261000.0, 2751000.0)  # 8 km east of column 2
    gdf = gpd.GeoDataFrame({"district": "測試區"}, geometry=list(cells.values()),
                           index=pd.Index(list(cells), name="VILLCODE"), crs=METRIC_CRS)
    w, info = hs.build_weights(gdf)
    assert info["islands"] == ["XX"]
    # nearest centroid: cell 02 at (252500, 2750500) vs XX at (260500, 2750500) -> 8000 m
    assert info["links_added"] == [{"village": "XX", "neighbour": "02", "distance_m": 8000.0}]
    assert w.neighbors["XX"] == ["02"] and "XX" in w.neighbors["02"]
    # distance band 1500 m: edge (1000 m) and corner (1414 m) neighbours, same as libpysal
    wd, infod = hs.build_weights(gdf, kind="distance", threshold_m=1500)
    grid = gdf.drop(index="XX")
    ref = libpysal.weights.DistanceBand.from_dataframe(
        gpd.GeoDataFrame(geometry=grid.centroid, index=grid.index), threshold=1500,
        binary=True, silence_warnings=True, use_index=True)
    for k in grid.index:
        assert set(wd.neighbors[k]) - {"XX"} == set(ref.neighbors[k])
    assert wd.neighbors["XX"] == ["02"] and "XX" in wd.neighbors["02"]
    assert infod["islands"] == ["XX"] and len(wd.neighbors["11"]) == 8
    res, meta = hs.gi_star(pd.Series(np.arange(1.0, 11.0), index=gdf.index), gdf,
                           permutations=99)
    assert meta["islands"] == ["XX"] and res.loc["XX", "n_neighbours"] == 1
    assert "XX→02" in hs.method_note(meta)


# ----------------------------------------------------------------------------- FDR
def test_bh_adjust_against_hand_computation_and_esda_fdr():
    p = np.array([0.041, 0.001, 0.074, 0.039, 0.205, 0.008, 0.06, 0.042])
    # sorted: .001 .008 .039 .041 .042 .06 .074 .205; p_(k)*8/k, then running min from the top
    hand = {0.001: 0.008, 0.008: 0.032, 0.039: 0.0672, 0.041: 0.0672, 0.042: 0.0672,
            0.06: 0.08, 0.074: 0.074 * 8 / 7, 0.205: 0.205}
    np.testing.assert_allclose(hs.bh_adjust(p), [hand[x] for x in p], rtol=1e-12)
    for q in (0.05, 0.10):
        assert ((hs.bh_adjust(p) <= q) == (p <= esda.fdr(p, q))).all()
    assert (hs.bh_adjust(p) <= 0.05).sum() == 2 and (hs.bh_adjust(p) <= 0.10).sum() == 7
    with pytest.raises(ValueError):
        hs.bh_adjust([0.5, np.nan])


def test_gi_bins_follow_arcgis_levels():
    z = np.array([2.0, -3.0, 1.0, 0.5, -1.0, 4.0])
    p = np.array([0.005, 0.03, 0.09, 0.5, 0.01, 0.05])
    assert hs.gi_bins(z, p).tolist() == [3, -2, 1, 0, -3, 2]


# --------------------------------------------------------------------------- regions
def test_regions_on_a_grid_merge_touching_hot_cells_and_rank_by_unmet_demand():
    cells = _grid(n=4)
    gdf = gpd.GeoDataFrame(index=pd.Index(list(cells), name="VILLCODE"),
                           geometry=list(cells.values()), crs=METRIC_CRS)
    gdf["district"] = ["甲區" if k[1] in "01" else "乙區" for k in gdf.index]
    gdf["population"] = [100 * (int(k[0]) + 1) + int(k[1]) for k in gdf.index]
    gdf["demand"] = gdf["population"] / 10
    gdf["unmet"] = 0.0
    gdf.loc[["00", "11"], "unmet"] = [5.0, 5.0]
    gdf.loc[["03", "13"], "unmet"] = [6.0, 4.0]  # same unmet total: tie broken by demand
    gdf.loc["30", "unmet"] = 1.0
    gdf["site"] = ["S1" if k in ("00", "11", "03") else "S2" for k in gdf.index]
    hot = pd.Series(gdf.index.isin(["00", "11", "03", "13", "30"]), index=gdf.index)
    out = hs.hotspot_regions(gdf, hot, demand_col="demand", unmet_col="unmet", site_col="site")
    # components: {00, 11} touch at a corner (queen), {03, 13} share an edge, {30} alone
    assert out["villages"].tolist() == [["03", "13"], ["00", "11"], ["30"]]
    assert out["region"].tolist() == [1, 2, 3]
    assert out["population"].tolist() == [103 + 203, 100 + 201, 400]
    assert out["demand"].tolist() == pytest.approx([30.6, 30.1, 40.0])
    assert out["unmet_demand"].tolist() == [10.0, 10.0, 1.0]
    assert out["nearest_sites"].tolist() == [["S1", "S2"], ["S1"], ["S2"]]
    assert out["districts"].tolist() == [["乙區"], ["甲區"], ["甲區"]]
    # with a rook (edge-only) neighbour map the corner contact no longer merges 00 and 11
    rook = {k: [f"{int(k[0]) + dr}{int(k[1]) + dc}" for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))]
            for k in cells}
    out = hs.hotspot_regions(gdf, hot, neighbours=rook, unmet_col="unmet")
    assert sorted(map(tuple, out["villages"])) == [("00",), ("03", "13"), ("11",), ("30",)]
    assert hs.hotspot_regions(gdf, hot & False).empty


def test_hot_villages_selects_bins_or_lisa_quadrants():
    res = pd.DataFrame({"quadrant": ["HH", "ns", "LL", "HH"]}, index=list("abcd"))
    assert hs.hot_villages(res).tolist() == [True, False, False, True]
    assert hs.hot_villages(res, side="cold").tolist() == [False, False, True, False]
    gi = pd.DataFrame({"bin": [3, 1, 0, -1, -2]}, index=list("abcde"))
    assert hs.hot_villages(gi, min_bin=2).tolist() == [True, False, False, False, False]
    assert hs.hot_villages(gi, side="cold").tolist() == [False, False, False, True, True]


# ------------------------------------------------------------------------ indicators
def test_indicators_against_raw_csv_and_geodesic_area(table, raw_population):
    code = "68000010001"
    geod = Geod(ellps="GRS80")
    area_km2 = abs(geod.geometry_area_perimeter(table.loc[code, "geometry"])[0]) / 1e6
    children = raw_population.loc[code, "未滿15歲"] / area_km2
    assert hs.children_density(table)[code] == pytest.approx(children, rel=1e-3)
    elderly = raw_population.loc[code, "超過64歲"] / area_km2
    assert hs.indicator(table, "elderly_density")[code] == pytest.approx(elderly, rel=1e-3)
    rate = hs.indicator(table, "per_1000:age_65_plus")
    expected = 1000 * raw_population["超過64歲"] / raw_population["人口"]
    common = rate.index.intersection(expected.index)
    assert len(common) >= 500
    np.testing.assert_allclose(rate[common], expected[common], rtol=1e-12)
    zero = pd.DataFrame({"population": [0, 10], "x": [1, 2]}, index=["a", "b"])
    assert np.isnan(hs.per_1000(zero, "x")["a"]) and hs.per_1000(zero, "x")["b"] == 200


# ---------------------------------------------------------------------------- errors
def test_bad_input_gets_specific_errors(villages):
    y = _noise(villages, 1)
    with pytest.raises(ValueError, match=villages.index[3]):
        hs.gi_star(y.drop(villages.index[3]), villages)
    neg = y.copy()
    neg.iloc[0] = -1
    with pytest.raises(ValueError, match=">= 0"):
        hs.gi_star(neg, villages)
    with pytest.raises(ValueError, match="repeated"):
        hs.gi_star(pd.concat([y, y.iloc[:1]]), villages)
    with pytest.raises(ValueError, match="constant"):
        hs.local_moran(y * 0 + 1, villages)
    with pytest.raises(ValueError, match="threshold_m"):
        hs.build_weights(villages, kind="distance")
    with pytest.raises(KeyError, match="age_0_14"):
        hs.children_density(villages)


def test_method_note_states_the_settings(villages):
    y = _noise(villages, 3, "noise")
    _, meta = hs.gi_star(y, villages, weights="distance", threshold_m=2500, fdr=True, seed=77)
    zh, en = hs.method_note(meta), hs.method_note(meta, lang="en")
    assert "999" in zh and "77" in zh and "Benjamini-Hochberg" in zh and "2500 公尺" in zh
    assert "seed 77" in en and "distance band 2500 m" in en and "false-discovery-rate" in en
    _, meta = hs.local_moran(y, villages)
    assert "未做多重檢定校正" in hs.method_note(meta) and "LISA" in hs.method_note(meta, "en")


def test_tied_binary_indicator_counts_ties_in_both_tails(villages):
    # a 0/1 indicator (like uncovered in point mode): ~10 % ones scattered at random
    rng = np.random.default_rng(11)
    y = pd.Series((rng.random(len(villages)) < 0.1).astype(float), index=villages.index, name="u")
    res, _ = hs.gi_star(y, villages, seed=SEED)
    w, _ = hs.build_weights(villages)
    direct = esda.G_Local(y.to_numpy(), w, star=True, transform="B", permutations=999, seed=SEED)
    sims, obs = direct.rGs, direct.Gs[:, None]
    tie = np.isclose(sims, obs, rtol=1e-9, atol=0)
    tail = np.minimum(((sims >= obs) | tie).sum(1), ((sims <= obs) | tie).sum(1))
    assert np.array_equal(res["p"].to_numpy(), np.minimum(1, 2 * (tail + 1) / 1000))
    # an all-zero neighbourhood sits at the bottom of a tied null: esda's folded p_sim says
    # 0.001, but about (0.9 ** k) of the permutations tie with it, so it is not significant
    zero = res.index[(res["G"] == 0)]
    assert len(zero) > 50
    assert (res.loc[zero, "p_sim"] < 0.002).all()
    assert (res.loc[zero, "p"] > 0.2).all() and (res.loc[zero, "bin"] == 0).all()
    assert (res["bin"] != 0).mean() <= 0.12


# -------------------------------------------------------------------------------- CLI
def test_cli_hotspots_regions_carry_unmet_demand_from_the_coverage_engine(tmp_path, capsys):
    from cli import main
    from coverage.engine import coverage_table
    from coverage.metrics import select_sites
    from geo.population import load_village_table
    from geo.services import load_default_sites

    data_dir = resolve_data_dir()
    if data_dir is None:
        pytest.skip("no data directory")
    out = tmp_path / "hot.json"
    rc = main(["hotspots", "--indicator", "uncovered_share", "--type", "family_service_centre",
               "--radius-km", "3", "--seed", "99", "--json", "--out", str(out)])
    assert rc == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["meta"]["seed"] == 99 and printed["meta"]["radius_m"] == 3000
    saved = json.loads(out.read_text(encoding="utf-8"))
    villages = pd.DataFrame(saved["villages"]).set_index("VILLCODE")
    # the engine's own table, independently: indicator = 1 - covered, unmet = demand * (1 - covered)
    table, _ = load_village_table(data_dir)
    sites, _ = load_default_sites(data_dir)
    cov, _ = coverage_table(table, select_sites(sites, "family_service_centre"), radius_m=3000)
    np.testing.assert_allclose(villages["value"], 1 - cov["covered"].reindex(villages.index))
    regions = saved["regions"]
    assert regions and regions == sorted(regions, key=lambda r: -r["unmet_demand"])
    for r in regions:
        assert (villages.loc[r["villages"], "bin"] >= 2).all()
        part = cov.loc[r["villages"]]
        assert r["unmet_demand"] == pytest.approx((part["demand"] * (1 - part["covered"])).sum())
        assert set(r["nearest_sites"]) == set(part["nearest_site"])
    hot = villages.index[villages["bin"] >= 2]
    assert sorted(v for r in regions for v in r["villages"]) == sorted(hot)


def test_cli_hotspots_rejects_a_coverage_indicator_without_type(capsys):
    from cli import main
    if resolve_data_dir() is None:
        pytest.skip("no data directory")
    assert main(["hotspots", "--indicator", "uncovered_share"]) == 2
    assert "needs --type" in capsys.readouterr().err


def test_normal_p_source_bins_follow_arcgis_z_thresholds(villages):
    y = _noise(villages, 5)
    y[_planted(villages)[1]] = 14.0
    res, meta = hs.gi_star(y, villages, p_source="norm")
    az = res["z"].abs()
    level = np.select([az >= 2.5758293, az >= 1.9599640, az >= 1.6448536], [3, 2, 1], 0)
    near = np.isclose(az, 2.5758293, atol=1e-6) | np.isclose(az, 1.959964, atol=1e-6) | \
        np.isclose(az, 1.6448536, atol=1e-6)
    assert (res["bin"].to_numpy() == level * np.sign(res["z"].to_numpy()))[~near].all()
    assert meta["p_source"] == "norm" and meta["fdr_min_villages"] is None


def test_distance_band_on_real_villages_reports_far_villages(villages):
    _, info = hs.build_weights(villages, kind="distance", threshold_m=3000)
    assert info["islands"]  # the mountain villages of 復興區 are farther apart than 3 km
    metric = villages.to_crs(METRIC_CRS)
    cent = metric.geometry.centroid
    for link in info["links_added"]:
        d = cent.distance(cent[link["village"]]).drop(link["village"])
        assert d.min() > 3000
        assert link["distance_m"] == pytest.approx(d.min(), abs=0.05)
        assert d.idxmin() == link["neighbour"]
