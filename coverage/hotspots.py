"""Hotspots (熱區) of a village indicator: local Getis-Ord Gi* or local Moran's I (LISA) with
conditional-permutation inference, Benjamini-Hochberg FDR, and merging of touching hot
villages into ranked regions.

Indicators are pandas Series keyed by VILLCODE, aligned to ``geo.boundaries.load_villages()``.
Weights are built in EPSG:3826 (metres): queen contiguity by default, or a distance band
between village centroids. A village without any neighbour gets its nearest village (centroid
distance) as a mutual neighbour, and every such link is reported in the result metadata.

p-values. esda's ``p_sim`` is a *folded* pseudo p-value, (min(#sim >= obs, #sim < obs) + 1)
/ (R + 1): a one-tailed test in whichever direction the observed statistic lies. Compared
with 0.05 it flags about 10 % of villages under pure noise. We therefore drive every decision
with the two-sided ``p = min(1, 2 (min(#sim >= obs, #sim <= obs) + 1) / (R + 1))`` (or, with
``p_source="norm"``, the two-sided analytical normal p of Gi*), so that "95 % confidence"
means what it says. It equals 2 * p_sim for continuous data, but counts ties in both tails:
esda's folding gives p = 0.001 to a 0/1 indicator whose neighbourhood is all 0. It is
computed in float64 from the simulations (esda stores Gi* p_sim as float32). With R = 999 the
smallest attainable p is 0.002, and BH over 504 villages at q = 0.05 then needs at least 21
villages at that floor before anything is significant: use 9999 permutations with FDR.

Gi_Bin (ArcGIS convention): +-3 when p <= 0.01, +-2 when p <= 0.05, +-1 when p <= 0.10, sign
of z; 0 otherwise. With ``fdr=True`` the BH-adjusted p (``p_fdr``) replaces p; as BH-adjusted
p <= q exactly when BH rejects at level q, this is BH run separately at 0.10, 0.05 and 0.01,
keeping the strictest level passed. ArcGIS (Hot Spot Analysis, "Apply False Discovery Rate
Correction") documents the same per-level idea: for each confidence level the significant
p-values are ranked and the weakest dropped according to the estimated false positives
(Caldas de Castro & Singer 2006), and its z/p fields stay unadjusted. The differences: ArcGIS
Gi* ranks its analytical normal p-values, not permutation ones (use ``p_source="norm"`` to
match), and its code is not published, so boundary handling (<= vs <) is unverified. Like
ArcGIS we keep ``p`` unadjusted and add ``p_fdr``.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from contextlib import contextmanager

import esda
import geopandas as gpd
import libpysal
import networkx as nx
import numpy as np
import pandas as pd
from libpysal.weights import W
from scipy.spatial import cKDTree

from geo import METRIC_CRS

from coverage.metrics import village_area_km2  # noqa: F401  (re-exported)

DEFAULT_SEED = 12345
DEFAULT_PERMUTATIONS = 999
# with FDR: 999 permutations floor the two-sided pseudo p at 0.002, too coarse for BH over
# ~500 villages (see fdr_min_villages); the CLI and the app use this count instead
FDR_PERMUTATIONS = 9999
BIN_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # |Gi_Bin| -> two-sided p threshold
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}  # esda Moran_Local.q (geoda_quads=False)
INDICATORS = {  # name -> (zh-TW label, English label); the last three need coverage results
    "children_density": ("兒少人口密度（0–14 歲，人/km²）", "children aged 0-14 per km²"),
    "elderly_density": ("高齡人口密度（65 歲以上，人/km²）", "residents aged 65+ per km²"),
    "per_1000": ("每千人口數", "per 1,000 residents"),
    "uncovered_share": ("未涵蓋比例", "share of demand not covered"),
    "residents_per_site": ("最近據點服務人口（人/處）", "residents served by the nearest site"),
    "access_score": ("可及性分數（2SFCA，平均為 1）", "access score (2SFCA, mean 1)"),
}


# --------------------------------------------------------------------------- indicators
def _counts(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table:
        raise KeyError(f"village table has no column {column!r}; columns: {list(table.columns)}")
    return pd.to_numeric(table[column], errors="coerce").astype(float)


def children_density(table: gpd.GeoDataFrame) -> pd.Series:
    """Residents aged 0-14 (column ``age_0_14``) per km² of village area (EPSG:3826)."""
    return (_counts(table, "age_0_14") / village_area_km2(table)).rename("children_density")


def elderly_density(table: gpd.GeoDataFrame) -> pd.Series:
    """Residents aged 65+ (column ``age_65_plus``) per km² of village area (EPSG:3826)."""
    return (_counts(table, "age_65_plus") / village_area_km2(table)).rename("elderly_density")


def per_1000(table: pd.DataFrame, column: str, *, population_col: str = "population") -> pd.Series:
    """``column`` per 1,000 residents; NaN where the population is 0 or missing."""
    pop = _counts(table, population_col)
    return (1000.0 * _counts(table, column) / pop.where(pop > 0)).rename(f"{column}_per_1000")


def indicator(table: pd.DataFrame, name: str) -> pd.Series:
    """Build a named indicator: ``children_density``, ``elderly_density``,
    ``per_1000:<column>``, or any numeric column of ``table`` as it is."""
    if name == "children_density":
        return children_density(table)
    if name == "elderly_density":
        return elderly_density(table)
    if name.startswith("per_1000:"):
        return per_1000(table, name.split(":", 1)[1])
    return _counts(table, name).rename(name)


# ------------------------------------------------------------------------------ weights
def _centroids_m(villages: gpd.GeoDataFrame) -> np.ndarray:
    c = villages.to_crs(METRIC_CRS).geometry.centroid
    return np.column_stack([c.x.to_numpy(), c.y.to_numpy()])


def queen_neighbours(villages: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """Queen contiguity (a shared boundary point suffices), VILLCODE -> neighbour VILLCODEs.
    No island fixing: this is the "touch" graph used to merge hot villages into regions."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; we report them
        w = libpysal.weights.Queen.from_dataframe(villages.to_crs(METRIC_CRS), use_index=True,
                                                  silence_warnings=True)
    return {str(k): sorted(str(v) for v in w.neighbors.get(k, [])) for k in villages.index}


def _band_neighbours(ids: list[str], xy: np.ndarray, threshold_m: float) -> dict[str, list[str]]:
    tree = cKDTree(xy)
    hits = tree.query_ball_point(xy, r=threshold_m)
    return {ids[i]: sorted(ids[j] for j in h if j != i) for i, h in enumerate(hits)}


def build_weights(villages: gpd.GeoDataFrame, *, kind: str = "queen",
                  threshold_m: float | None = None) -> tuple[W, dict]:
    """Binary spatial weights over ``villages`` (ids = VILLCODE in index order) and a report.

    ``kind="queen"``: queen contiguity. ``kind="distance"``: centroids within ``threshold_m``
    metres (EPSG:3826, inclusive). Either way a village left without neighbours is linked,
    both ways, to the village with the nearest centroid; the report lists these links as
    ``{"village", "neighbour", "distance_m"}`` under ``links_added`` (``islands`` = the
    villages that had none).
    """
    ids = [str(i) for i in villages.index]
    if len(ids) < 3:
        raise ValueError(f"need at least 3 villages for local statistics, got {len(ids)}")
    if len(set(ids)) != len(ids):
        raise ValueError("villages index (VILLCODE) has duplicates")
    xy = _centroids_m(villages)
    if kind == "queen":
        nb = queen_neighbours(villages)
    elif kind == "distance":
        if threshold_m is None or not threshold_m > 0:
            raise ValueError(f"distance weights need threshold_m > 0 (metres), got {threshold_m!r}")
        nb = _band_neighbours(ids, xy, float(threshold_m))
    else:
        raise ValueError(f"weights kind must be 'queen' or 'distance', got {kind!r}")
    nb = {k: set(v) for k, v in nb.items()}
    islands = [i for i in ids if not nb[i]]
    links = []
    if islands:
        dist, idx = cKDTree(xy).query(xy, k=2)
        pos = {i: n for n, i in enumerate(ids)}
        for i in islands:
            j = ids[int(idx[pos[i], 1])]
            nb[i].add(j)
            nb[j].add(i)
            links.append({"village": i, "neighbour": j, "distance_m": round(float(dist[pos[i], 1]), 1)})
    w = W({i: sorted(nb[i]) for i in ids}, id_order=ids, silence_warnings=True)
    card = np.array([len(nb[i]) for i in ids])
    graph = nx.Graph({i: nb[i] for i in ids})
    info = {"weights": kind, "threshold_m": None if kind == "queen" else float(threshold_m),
            "islands": islands, "links_added": links,
            "min_neighbours": int(card.min()), "max_neighbours": int(card.max()),
            "mean_neighbours": round(float(card.mean()), 2),
            "n_components": nx.number_connected_components(graph)}
    return w, info


# ---------------------------------------------------------------------------------- FDR
def bh_adjust(p: Iterable[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (step-up): p_(k) * n / k, made monotone from the
    largest rank down, capped at 1. A test is rejected at FDR level q iff adjusted p <= q."""
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p-values must be a 1-d array of numbers in [0, 1]")
    n = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def gi_bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS Gi_Bin: +-3 for p <= 0.01, +-2 for p <= 0.05, +-1 for p <= 0.10, sign of z."""
    level = np.zeros(len(p), dtype=int)
    for lv, thr in reversed(BIN_LEVELS):
        level[np.asarray(p) <= thr] = lv
    return (level * np.sign(np.asarray(z))).astype(int)


# -------------------------------------------------------------------------- statistics
def _values(values: pd.Series, villages: gpd.GeoDataFrame, *, non_negative: bool) -> np.ndarray:
    if not isinstance(values, pd.Series):
        raise TypeError("indicator must be a pandas Series keyed by VILLCODE")
    name = values.name or "indicator"
    dup = values.index[values.index.duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"indicator {name!r}: VILLCODE repeated: {', '.join(map(str, dup[:10]))}")
    y = pd.to_numeric(values.reindex(villages.index), errors="coerce").astype(float)
    bad = y.index[~np.isfinite(y.to_numpy())].tolist()
    if bad:
        raise ValueError(f"indicator {name!r}: no finite value for {len(bad)} village(s) "
                         f"(VILLCODE {', '.join(map(str, bad[:10]))}{' ...' if len(bad) > 10 else ''}); "
                         "expected a number for every village of the layer")
    if non_negative and (y < 0).any():
        neg = y.index[y < 0].tolist()[:10]
        raise ValueError(f"indicator {name!r}: Getis-Ord G* needs values >= 0; negative at "
                         f"VILLCODE {', '.join(map(str, neg))}")
    if np.ptp(y.to_numpy()) == 0:
        raise ValueError(f"indicator {name!r} is constant; no local statistic is defined")
    return y.to_numpy()


def _check(permutations: int, alpha: float, p_source: str) -> None:
    if int(permutations) != permutations or permutations < 99:
        raise ValueError(f"permutations must be an integer >= 99, got {permutations!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if p_source not in ("sim", "norm"):
        raise ValueError(f"p_source must be 'sim' or 'norm', got {p_source!r}")


def _two_sided(sims: np.ndarray, observed: np.ndarray, esda_p: np.ndarray) -> np.ndarray:
    """Two-sided pseudo p from the kept simulations (n, R), in float64:
    min(1, 2 (min(#sim >= obs, #sim <= obs) + 1) / (R + 1)); values within 1e-9 (relative)
    of the observed statistic count as ties in both tails.

    esda's folded p_sim counts ties only in the upper tail, so a statistic at the bottom of a
    tied null (e.g. a 0/1 indicator whose neighbourhood is all 0) gets p = 1/(R+1) there;
    for continuous data both agree. Also checks that esda's p_sim is still the folded
    one-tailed value (esda has announced a change of default)."""
    n_perm = sims.shape[1]
    obs = observed[:, None]
    tie = np.isclose(sims, obs, rtol=1e-9, atol=0.0)
    upper = ((sims >= obs) | tie).sum(axis=1)
    lower = ((sims <= obs) | tie).sum(axis=1)
    raw_upper = (sims >= obs).sum(axis=1)
    folded = (np.minimum(raw_upper, n_perm - raw_upper) + 1) / (n_perm + 1)
    if not np.allclose(folded, esda_p, rtol=0, atol=1e-6):
        raise RuntimeError("esda's p_sim is no longer the folded one-tailed pseudo p; "
                           "update coverage/hotspots.py for this esda version "
                           f"({esda.__version__})")
    return np.minimum(1.0, 2.0 * (np.minimum(upper, lower) + 1) / (n_perm + 1))


@contextmanager
def _quiet():
    """esda 2.9 warns that its default alternative will change; we rely on the current
    folded p_sim and check it ourselves (:func:`_two_sided`)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"esda\.")
        warnings.filterwarnings("ignore", message="The weights matrix is not fully connected")
        yield


def _frame(villages: gpd.GeoDataFrame, y: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame(index=villages.index.copy())
    for col in ("district", "village"):
        if col in villages:
            out[col] = villages[col].to_numpy()
    out["value"] = y
    return out


def _meta(method: str, values: pd.Series, info: dict, *, permutations: int, seed: int,
          alpha: float, fdr: bool, p_source: str, n: int) -> dict:
    p_min = (2.0 / (permutations + 1)) if p_source == "sim" else None
    meta = {"method": method, "indicator": str(values.name or "indicator"), "n_villages": n,
            **info, "permutations": int(permutations), "seed": int(seed), "alpha": float(alpha),
            "fdr": bool(fdr), "p_source": p_source, "p_min": p_min,
            "bin_levels": {str(k): v for k, v in BIN_LEVELS},
            "esda": esda.__version__, "libpysal": libpysal.__version__}
    # BH can reject anything at level alpha only if p_(k) <= alpha * k / n for some k,
    # i.e. at least ceil(p_min * n / alpha) villages must all reach the smallest p.
    meta["fdr_min_villages"] = math.ceil(p_min * n / alpha - 1e-9) if p_min else None
    return meta


def gi_star(values: pd.Series, villages: gpd.GeoDataFrame, *, weights: str = "queen",
            threshold_m: float | None = None, permutations: int = DEFAULT_PERMUTATIONS,
            seed: int = DEFAULT_SEED, alpha: float = 0.05, fdr: bool = False,
            p_source: str = "sim") -> tuple[pd.DataFrame, dict]:
    """Local Getis-Ord Gi* (self included) of ``values`` over ``villages``.

    Calls ``esda.G_Local(y, w, star=True, transform="B", permutations, seed, n_jobs=1)``.
    Binary weights: with esda's default row standardisation the analytical variance uses
    the row sum instead of the sum of squared weights and the z-scores shrink (Gi* z is
    scale-invariant only when computed right; the permutation p is unaffected).

    Returns (frame, meta). Frame index VILLCODE; columns district, village (if present),
    value, G, z (analytical Gi* z-score), p_sim (esda folded one-tailed pseudo p),
    p_norm (two-sided normal p of z), p (two-sided pseudo p, see module doc, or p_norm by
    ``p_source``), p_fdr (BH-adjusted p), significant (p or p_fdr <= alpha), bin (-3..3),
    n_neighbours (excluding self).
    """
    _check(permutations, alpha, p_source)
    y = _values(values, villages, non_negative=True)
    w, info = build_weights(villages, kind=weights, threshold_m=threshold_m)
    with _quiet():
        g = esda.G_Local(y, w, star=True, transform="B", permutations=int(permutations),
                         seed=seed, n_jobs=1)
    out = _frame(villages, y)
    out["G"] = g.Gs
    out["z"] = g.Zs
    out["p_sim"] = g.p_sim
    out["p_norm"] = np.minimum(1.0, 2.0 * g.p_norm)
    p_sim_2s = _two_sided(g.rGs, g.Gs, g.p_sim)
    out["p"] = p_sim_2s if p_source == "sim" else out["p_norm"]
    out["p_fdr"] = bh_adjust(out["p"].to_numpy())
    used = out["p_fdr" if fdr else "p"].to_numpy()
    out["significant"] = used <= alpha
    out["bin"] = gi_bins(out["z"].to_numpy(), used)
    out["n_neighbours"] = [len(w.neighbors[i]) for i in w.id_order]
    meta = _meta("gi_star", values, info, permutations=permutations, seed=seed, alpha=alpha,
                 fdr=fdr, p_source=p_source, n=len(y))
    meta.update(transform="B", star=True)
    return out, meta


def local_moran(values: pd.Series, villages: gpd.GeoDataFrame, *, weights: str = "queen",
                threshold_m: float | None = None, permutations: int = DEFAULT_PERMUTATIONS,
                seed: int = DEFAULT_SEED, alpha: float = 0.05,
                fdr: bool = False) -> tuple[pd.DataFrame, dict]:
    """Local Moran's I (LISA) of ``values``, row-standardised weights.

    Calls ``esda.Moran_Local(y, w, transformation="r", permutations, seed, n_jobs=1)``.
    Frame index VILLCODE; columns district, village (if present), value, Is, z (z of Is
    against its permutation distribution), p_sim (esda folded pseudo p), p (two-sided
    pseudo p, see module doc), p_fdr, significant, quadrant_raw (HH/LH/LL/HL, value vs
    spatial lag), quadrant (quadrant_raw where significant, else "ns"), n_neighbours.
    """
    _check(permutations, alpha, "sim")
    y = _values(values, villages, non_negative=False)
    w, info = build_weights(villages, kind=weights, threshold_m=threshold_m)
    with _quiet():
        m = esda.Moran_Local(y, w, transformation="r", permutations=int(permutations),
                             seed=seed, n_jobs=1)
    out = _frame(villages, y)
    out["Is"] = m.Is
    out["z"] = m.z_sim
    out["p_sim"] = m.p_sim
    out["p"] = _two_sided(m.rlisas, m.Is, m.p_sim)
    out["p_fdr"] = bh_adjust(out["p"].to_numpy())
    out["significant"] = out["p_fdr" if fdr else "p"] <= alpha
    out["quadrant_raw"] = [QUADRANTS[int(q)] for q in m.q]
    out["quadrant"] = out["quadrant_raw"].where(out["significant"], "ns")
    out["n_neighbours"] = [len(w.neighbors[i]) for i in w.id_order]
    meta = _meta("local_moran", values, info, permutations=permutations, seed=seed, alpha=alpha,
                 fdr=fdr, p_source="sim", n=len(y))
    meta.update(transform="R", bin_levels=None)
    return out, meta


# ------------------------------------------------------------------------------ regions
def hot_villages(result: pd.DataFrame, *, min_bin: int = 1, side: str = "hot") -> pd.Series:
    """Boolean Series (VILLCODE) of hot villages: Gi* ``bin >= min_bin``, or LISA ``HH``.
    ``side="cold"`` selects cold spots instead (``bin <= -min_bin``, LISA ``LL``), e.g. for
    low access scores."""
    if side not in ("hot", "cold"):
        raise ValueError(f"side must be 'hot' or 'cold', got {side!r}")
    cold = side == "cold"
    if "bin" in result:
        if min_bin not in (1, 2, 3):
            raise ValueError(f"min_bin must be 1, 2 or 3, got {min_bin!r}")
        mask = result["bin"] <= -min_bin if cold else result["bin"] >= min_bin
        return mask.rename(side)
    if "quadrant" in result:
        return (result["quadrant"] == ("LL" if cold else "HH")).rename(side)
    raise KeyError("result has neither a 'bin' (Gi*) nor a 'quadrant' (LISA) column")


def _sum(frame: pd.DataFrame, col: str | None) -> float:
    if col is None:
        return float("nan")
    return float(pd.to_numeric(frame[col], errors="coerce").sum())


def hotspot_regions(table: pd.DataFrame, hot: pd.Series, *,
                    neighbours: Mapping[str, Iterable[str]] | None = None,
                    population_col: str = "population", demand_col: str | None = None,
                    unmet_col: str | None = None, site_col: str | None = None,
                    district_col: str = "district") -> pd.DataFrame:
    """Merge touching hot (or cold) villages into regions (connected components, networkx).

    ``table``: villages indexed by VILLCODE (a GeoDataFrame unless ``neighbours`` is given;
    then queen contiguity without island links is used). ``hot``: boolean Series by VILLCODE.
    Demand defaults to the population column. Returns one row per region ranked by unmet
    demand, then demand, then population (descending): region (1 = first), n_villages,
    villages (sorted VILLCODEs), districts, population, demand, unmet_demand (NaN without
    ``unmet_col``), nearest_sites (distinct values of ``site_col``; empty without it).
    """
    columns = ["region", "n_villages", "villages", "districts", "population", "demand",
               "unmet_demand", "nearest_sites"]
    hot = hot.astype(bool)
    codes = [str(c) for c in hot.index[hot.to_numpy()]]
    unknown = [c for c in codes if c not in table.index]
    if unknown:
        raise KeyError(f"hot villages not in the village table: {unknown[:10]}")
    for col in (population_col, demand_col, unmet_col, site_col, district_col):
        if col is not None and col not in table:
            raise KeyError(f"village table has no column {col!r}; columns: {list(table.columns)}")
    if neighbours is None:
        if not isinstance(table, gpd.GeoDataFrame):
            raise TypeError("hotspot_regions needs a GeoDataFrame or an explicit neighbours map")
        neighbours = queen_neighbours(table.loc[codes]) if codes else {}
    hotset = set(codes)
    graph = nx.Graph()
    graph.add_nodes_from(codes)
    graph.add_edges_from((c, n) for c in codes for n in neighbours.get(c, ()) if n in hotset)
    rows = []
    for comp in nx.connected_components(graph):
        members = sorted(comp)
        part = table.loc[members]
        sites = [] if site_col is None else sorted({str(s) for s in part[site_col].dropna()})
        rows.append({"n_villages": len(members), "villages": members,
                     "districts": sorted(set(part[district_col].astype(str))),
                     "population": _sum(part, population_col),
                     "demand": _sum(part, demand_col or population_col),
                     "unmet_demand": _sum(part, unmet_col), "nearest_sites": sites})
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows)
    out["_first"] = out["villages"].str[0]
    out = out.sort_values(["unmet_demand", "demand", "population", "_first"],
                          ascending=[False, False, False, True], na_position="last")
    out.insert(0, "region", np.arange(1, len(out) + 1))
    return out.drop(columns="_first").reset_index(drop=True)[columns]


# --------------------------------------------------------------------------- method note
def method_note(meta: dict, lang: str = "zh-TW") -> str:
    """One paragraph stating method, weights, inference, seed, alpha and FDR, for reports."""
    if lang not in ("zh-TW", "en"):
        raise ValueError(f"lang must be 'zh-TW' or 'en', got {lang!r}")
    zh = lang == "zh-TW"
    gi = meta["method"] == "gi_star"
    links = meta.get("links_added") or []
    link_txt = "; ".join(f"{x['village']}→{x['neighbour']} ({x['distance_m']:.0f} m)" for x in links)
    if meta["weights"] == "queen":
        wt = "Queen 相鄰（共邊或共點）" if zh else "queen contiguity (shared edge or corner)"
    else:
        wt = (f"距離帶 {meta['threshold_m']:.0f} 公尺（里質心，EPSG:3826）" if zh else
              f"distance band {meta['threshold_m']:.0f} m between village centroids (EPSG:3826)")
    parts = []
    if zh:
        parts.append("方法：Getis-Ord Gi*（含自身）" if gi else "方法：局部 Moran's I（LISA）")
        parts.append(f"指標：{meta['indicator']}，{meta['n_villages']} 個里")
        parts.append(f"空間權重：{wt}，" + ("二元權重" if gi else "列標準化"))
        parts.append(f"無鄰里者以最近里補為鄰居：{link_txt}" if links else "所有里皆有鄰居")
        src = ("排列虛擬 p 值（雙尾：較小尾端計數加倍，同值計入兩尾）" if meta["p_source"] == "sim"
               else "常態近似雙尾 p 值")
        parts.append(f"推論：條件隨機排列 {meta['permutations']} 次，亂數種子 {meta['seed']}；"
                     f"判定依據為{src}")
        if gi:
            parts.append("分級：±3／±2／±1 對應 p ≤ 0.01／0.05／0.10（ArcGIS Gi_Bin 慣例），正負號取自 z")
        parts.append(f"顯著水準 α = {meta['alpha']:g}")
        if meta["fdr"]:
            parts.append("已套用 Benjamini-Hochberg 偽發現率（FDR）校正")
            if meta.get("fdr_min_villages"):
                parts.append(f"注意：{meta['permutations']} 次排列的最小 p 值為 {meta['p_min']:.4g}，"
                             f"至少須有 {meta['fdr_min_villages']} 個里同時達此值才可能出現顯著結果"
                             + ("；建議增加排列次數（如 9999）" if meta["fdr_min_villages"] >= 10 else ""))
        else:
            parts.append("未做多重檢定校正（FDR），約有 α 比例的里可能為偽陽性")
        if "side" in meta:
            rule = (f"Gi* 分級 {'≥ ' if meta['side'] == 'hot' else '≤ -'}{meta.get('min_bin', 1)}"
                    if gi else ("HH" if meta["side"] == "hot" else "LL"))
            parts.append(f"{'熱' if meta['side'] == 'hot' else '冷'}區：{rule} 且相鄰（queen）"
                         "的里合併為同一區，依未涵蓋需求、需求排序")
        return "。".join(parts) + "。"
    parts.append("Method: local Getis-Ord Gi* (self included)" if gi else
                 "Method: local Moran's I (LISA)")
    parts.append(f"indicator {meta['indicator']} over {meta['n_villages']} villages")
    parts.append(f"weights: {wt}, " + ("binary" if gi else "row-standardised"))
    parts.append(f"villages without neighbours linked to their nearest village: {link_txt}"
                 if links else "every village has at least one neighbour")
    src = ("two-sided permutation pseudo p (twice the smaller tail, ties in both)"
           if meta["p_source"] == "sim" else "two-sided normal-approximation p")
    parts.append(f"inference: {meta['permutations']} conditional permutations, seed "
                 f"{meta['seed']}; decisions use the {src}")
    if gi:
        parts.append("bins +-3/+-2/+-1 at p <= 0.01/0.05/0.10 (ArcGIS Gi_Bin), sign of z")
    parts.append(f"alpha = {meta['alpha']:g}")
    if meta["fdr"]:
        parts.append("Benjamini-Hochberg false-discovery-rate correction applied")
        if meta.get("fdr_min_villages"):
            parts.append(f"note: with {meta['permutations']} permutations the smallest p is "
                         f"{meta['p_min']:.4g}, so at least {meta['fdr_min_villages']} villages "
                         "must reach it before anything can be significant"
                         + ("; use more permutations (e.g. 9999)"
                            if meta["fdr_min_villages"] >= 10 else ""))
    else:
        parts.append("no multiple-testing (FDR) correction: about alpha of the villages may be "
                     "false positives")
    if "side" in meta:
        rule = (f"Gi* bin {'>= ' if meta['side'] == 'hot' else '<= -'}{meta.get('min_bin', 1)}"
                if gi else ("HH" if meta["side"] == "hot" else "LL"))
        parts.append(f"{meta['side']} regions: villages with {rule} that touch (queen) are "
                     "merged, ranked by unmet demand, then demand")
    return "; ".join(parts) + "."
