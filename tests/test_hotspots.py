"""Hotspots: Gi*/LISA against direct esda calls on libpysal weights built here, the Getis-Ord
formula, BH FDR against hand computation and esda.fdr, planted and null indicators on the
real village geometry, the indicators and the method note. Regions on hand-built grids and
the CLI: test_hotspots_regions.py; the weights themselves: test_hotspot_weights.py."""
from __future__ import annotations

import math

import esda
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from coverage import hotspots as hs
from i18n.hotspot_notes import INDICATOR_LABELS, hotspot_method_note
from tests.test_hotspot_weights import libpysal_queen, villages  # noqa: F401

SEED = 2024


@pytest.fixture(scope="module")
def table(village_table):
    return village_table[0]


def _noise(villages, seed, name="noise"):
    return pd.Series(np.random.default_rng(seed).normal(10, 1, len(villages)),
                     index=villages.index, name=name)


def _two_sided_by_hand(sims, observed, permutations):
    obs = observed[:, None]
    tie = np.isclose(sims, obs, rtol=1e-9, atol=0)
    tail = np.minimum(((sims >= obs) | tie).sum(1), ((sims <= obs) | tie).sum(1))
    return np.minimum(1, 2 * (tail + 1) / (permutations + 1)), tie


def _bh_by_hand(p):
    """Benjamini-Hochberg by hand: p_(k) n / k, running minimum from the largest rank."""
    order = np.argsort(p, kind="stable")
    n = len(p)
    scaled = [p[order[k]] * n / (k + 1) for k in range(n)]
    out = np.empty(n)
    running = 1.0
    for k in range(n - 1, -1, -1):
        running = min(running, scaled[k])
        out[order[k]] = running
    return out


# ------------------------------------------------------------------ equality with esda
def test_gi_star_equals_direct_esda_call_and_getis_ord_formula(table):
    y = hs.elderly_density(table)
    res, meta = hs.gi_star(y, table, seed=SEED)
    w = libpysal_queen(table)
    direct = esda.G_Local(y.to_numpy(), w, star=True, transform="B", permutations=999, seed=SEED)
    assert np.array_equal(res["z"].to_numpy(), direct.Zs)
    assert np.array_equal(res["p_sim"].to_numpy(), direct.p_sim)
    assert np.array_equal(res["p_norm"].to_numpy(), np.minimum(1, 2 * direct.p_norm))
    # two-sided p: twice the smaller tail count (ties, within 1e-9, in both), float64;
    # a permutation that redraws a low-cardinality village's own neighbours ties exactly
    p, tie = _two_sided_by_hand(direct.rGs, direct.Gs, 999)
    assert np.array_equal(res["p"].to_numpy(), p)
    close = np.isclose(res["p"], np.minimum(1, 2 * direct.p_sim), rtol=0, atol=1e-6)
    assert close.mean() > 0.95 and (~close <= tie.any(1)).all()
    np.testing.assert_allclose(res["p_fdr"], _bh_by_hand(p), rtol=1e-12)
    # the permutation p does not depend on the transform (esda's default is "R")
    default = esda.G_Local(y.to_numpy(), libpysal_queen(table), star=True, permutations=999,
                           seed=SEED)
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
    w = libpysal_queen(table)
    direct = esda.Moran_Local(y.to_numpy(), w, permutations=999, seed=SEED)
    assert np.array_equal(res["Is"].to_numpy(), direct.Is)
    assert np.array_equal(res["z"].to_numpy(), direct.z_sim)
    assert np.array_equal(res["p_sim"].to_numpy(), direct.p_sim)
    p, _ = _two_sided_by_hand(direct.rlisas, direct.Is, 999)
    assert np.array_equal(res["p"].to_numpy(), p)
    dev = y.to_numpy() - y.mean()
    binary = libpysal_queen(table).full()[0]
    lag = (binary / binary.sum(1, keepdims=True)) @ dev
    expected = np.where(dev > 0, np.where(lag > 0, "HH", "HL"), np.where(lag > 0, "LH", "LL"))
    assert (res["quadrant_raw"].to_numpy() == expected).all()
    assert (res["quadrant"].to_numpy() == np.where(p <= 0.05, expected, "ns")).all()
    assert meta["method"] == "local_moran" and meta["transform"] == "R"


# ----------------------------------------------------------------- planted and null
def _planted(villages):
    nb = libpysal_queen(villages).neighbors
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
    regions = hs.hotspot_regions(pop, res, min_bin=2, side="hot", missing="zero")
    holding = [r for r in regions.itertuples() if set(cluster) & set(r.villages)]
    assert len(holding) == 1 and set(cluster) <= set(holding[0].villages)
    assert holding[0].region == 1 and holding[0].districts == ["中壢區"]
    # with FDR, 999 permutations cannot resolve it: p >= 2/1000 and BH at 0.05 needs
    # ceil(0.002 * n / 0.05) villages at that floor; 9999 permutations can
    _, meta = hs.gi_star(y, villages, fdr=True)
    assert meta["fdr_min_villages"] == math.ceil(0.002 * len(villages) / 0.05)
    res_fdr, _ = hs.gi_star(y, villages, fdr=True, permutations=9999)
    assert (res_fdr.loc[cluster, "bin"] >= 2).all()
    regions = hs.hotspot_regions(pop, res_fdr, min_bin=2, side="hot", missing="zero")
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


def test_tied_binary_indicator_counts_ties_in_both_tails(villages):
    # a 0/1 indicator (like uncovered in point mode): ~10 % ones scattered at random
    rng = np.random.default_rng(11)
    y = pd.Series((rng.random(len(villages)) < 0.1).astype(float), index=villages.index, name="u")
    res, _ = hs.gi_star(y, villages, seed=SEED)
    direct = esda.G_Local(y.to_numpy(), libpysal_queen(villages), star=True, transform="B",
                          permutations=999, seed=SEED)
    p, _ = _two_sided_by_hand(direct.rGs, direct.Gs, 999)
    assert np.array_equal(res["p"].to_numpy(), p)
    # an all-zero neighbourhood sits at the bottom of a tied null: esda's folded p_sim says
    # 0.001, but about (0.9 ** k) of the permutations tie with it, so it is not significant
    zero = res.index[(res["G"] == 0)]
    assert len(zero) > 50
    assert (res.loc[zero, "p_sim"] < 0.002).all()
    assert (res.loc[zero, "p"] > 0.2).all() and (res.loc[zero, "bin"] == 0).all()
    assert (res["bin"] != 0).mean() <= 0.12


def test_normal_p_source_bins_follow_arcgis_z_thresholds(villages):
    y = _noise(villages, 5)
    y[_planted(villages)[1]] = 14.0
    res, meta = hs.gi_star(y, villages, p_source="norm")
    az = res["z"].abs()
    level = np.select([az >= 2.5758293, az >= 1.9599640, az >= 1.6448536], [3, 2, 1], 0)
    near = np.isclose(az, 2.5758293, atol=1e-6) | np.isclose(az, 1.959964, atol=1e-6) | \
        np.isclose(az, 1.6448536, atol=1e-6)
    assert (res["bin"].to_numpy() == level * np.sign(res["z"].to_numpy()))[~near].all()
    assert (level != 0).any() and (level == 0).any()
    assert meta["p_source"] == "norm" and meta["fdr_min_villages"] is None


# ----------------------------------------------------------------------------- FDR
def test_bh_adjust_against_hand_computation_and_esda_fdr():
    p = np.array([0.041, 0.001, 0.074, 0.039, 0.205, 0.008, 0.06, 0.042])
    # sorted: .001 .008 .039 .041 .042 .06 .074 .205; p_(k)*8/k, then running min from the top
    hand = {0.001: 0.008, 0.008: 0.032, 0.039: 0.0672, 0.041: 0.0672, 0.042: 0.0672,
            0.06: 0.08, 0.074: 0.074 * 8 / 7, 0.205: 0.205}
    np.testing.assert_allclose(hs.bh_adjust(p), [hand[x] for x in p], rtol=1e-12)
    for q in (0.05, 0.10):
        assert ((hs.bh_adjust(p) <= q) == (p <= esda.fdr(p, q))).all()
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        hs.bh_adjust([0.5, np.nan])


def test_bh_adjust_on_the_benjamini_hochberg_1995_example():
    # the paper's 15 p-values; at q = 0.05 BH rejects the four with p <= 0.0095
    p = np.array([0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
                  0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000])
    # p_(k) * 15 / k, then the running minimum from k = 15 down (rank 6 takes rank 7's)
    hand = [0.0001 * 15, 0.0004 * 15 / 2, 0.0019 * 15 / 3, 0.0095 * 15 / 4, 0.0201 * 15 / 5,
            0.0298 * 15 / 7, 0.0298 * 15 / 7, 0.0344 * 15 / 8, 0.0459 * 15 / 9,
            0.3240 * 15 / 10, 0.4262 * 15 / 11, 0.5719 * 15 / 12, 0.6528 * 15 / 13,
            0.7590 * 15 / 14, 1.0]
    np.testing.assert_allclose(hs.bh_adjust(p), hand, rtol=1e-12)
    assert (hs.bh_adjust(p) <= 0.05).sum() == 4


def test_gi_bins_follow_arcgis_levels():
    z = np.array([2.0, -3.0, 1.0, 0.5, -1.0, 4.0, 2.0])
    p = np.array([0.005, 0.03, 0.09, 0.5, 0.01, 0.05, 0.11])
    assert hs.gi_bins(z, p).tolist() == [3, -2, 1, 0, -3, 2, 0]


# ------------------------------------------------------------------------ indicators
def test_indicators_against_geodesic_area_and_the_count_columns(table):
    geod = Geod(ellps="GRS80")
    area_km2 = table.geometry.map(lambda g: abs(geod.geometry_area_perimeter(g)[0]) / 1e6)
    children = pd.to_numeric(table["age_0_14"]).astype(float) / area_km2
    np.testing.assert_allclose(hs.children_density(table), children, rtol=2e-3)
    elderly = pd.to_numeric(table["age_65_plus"]).astype(float) / area_km2
    np.testing.assert_allclose(hs.indicator(table, "elderly_density"), elderly, rtol=2e-3)
    code = table.index[0]
    rate = hs.indicator(table, "per_1000:age_65_plus")
    assert rate[code] == pytest.approx(1000 * table.loc[code, "age_65_plus"]
                                       / table.loc[code, "population"], rel=1e-12)
    zero = pd.DataFrame({"population": [0, 10], "x": [1, 2]}, index=["a", "b"])
    assert np.isnan(hs.per_1000(zero, "x")["a"]) and hs.per_1000(zero, "x")["b"] == 200


def test_bad_input_gets_specific_errors(villages):
    y = _noise(villages, 1)
    with pytest.raises(ValueError, match=villages.index[3]):
        hs.gi_star(y.drop(villages.index[3]), villages)
    neg = y.copy()
    neg.iloc[0] = -1
    with pytest.raises(ValueError, match=f">= 0; negative at VILLCODE {villages.index[0]}"):
        hs.gi_star(neg, villages)
    with pytest.raises(ValueError, match="repeated"):
        hs.gi_star(pd.concat([y, y.iloc[:1]]), villages)
    with pytest.raises(ValueError, match="constant"):
        hs.local_moran(y * 0 + 1, villages)
    with pytest.raises(KeyError, match="age_0_14"):
        hs.children_density(villages)


# --------------------------------------------------------------------- method note
def test_method_note_states_the_settings(villages):
    y = _noise(villages, 3, "noise")
    _, meta = hs.gi_star(y, villages, weights="distance", threshold_m=2500, fdr=True, seed=77)
    zh, en = hotspot_method_note(meta), hotspot_method_note(meta, lang="en")
    assert "排列 999 次" in zh and "種子 77" in zh and "Benjamini-Hochberg" in zh
    assert "距離帶 2500 公尺" in zh and f"至少須有 {math.ceil(0.002 * len(y) / 0.05)} 個里" in zh
    assert "seed 77" in en and "distance band 2500 m" in en and "false-discovery-rate" in en
    regions = hotspot_method_note({**meta, "side": "cold", "min_bin": 3}, "en")
    assert "cold regions: villages with Gi* bin <= -3 that touch" in regions
    _, meta = hs.local_moran(y, villages)
    assert "未做多重檢定校正" in hotspot_method_note(meta)
    assert "LISA" in hotspot_method_note(meta, "en")
    # display text has no place in coverage/: the note and labels live in i18n only
    assert not hasattr(hs, "method_note") and not hasattr(hs, "INDICATORS")
    assert set(INDICATOR_LABELS) >= {"children_density", "elderly_density"}
    with pytest.raises(ValueError, match="lang"):
        hotspot_method_note(meta, "fr")
