"""Local Getis-Ord Gi* and local Moran's I (LISA) of a village indicator, with esda.

Both run esda's conditional permutations with a fixed seed on one process (``n_jobs=1``, so
results repeat exactly), then decide with the two-sided pseudo p, optionally BH-adjusted
(:mod:`coverage.hotspots.inference`). Weights come from :func:`build_weights` (binary, in
EPSG:3826); Gi* uses them binary (``transform="B"``), LISA row-standardised.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd

from coverage.hotspots.inference import (BIN_LEVELS, bh_adjust, fdr_min_villages, gi_bins,
                                         two_sided_p)
from coverage.hotspots.weights import build_weights

__all__ = ["DEFAULT_PERMUTATIONS", "DEFAULT_SEED", "FDR_PERMUTATIONS", "P_SOURCES",
           "QUADRANTS", "gi_star", "local_moran"]

DEFAULT_SEED = 12345
DEFAULT_PERMUTATIONS = 999
# with FDR: 999 permutations floor the two-sided pseudo p at 0.002, too coarse for BH over
# ~500 villages (see inference.fdr_min_villages); the CLI and the app use this count instead
FDR_PERMUTATIONS = 9999
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}  # esda Moran_Local.q (geoda_quads=False)
P_SOURCES = ("sim", "norm")


def _values(values: pd.Series, villages: gpd.GeoDataFrame, *, non_negative: bool) -> np.ndarray:
    """The indicator as a float array in the villages' order, or a specific ValueError."""
    if not isinstance(values, pd.Series):
        raise TypeError("indicator must be a pandas Series keyed by VILLCODE")
    name = values.name or "indicator"
    dup = values.index[values.index.duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"indicator {name!r}: VILLCODE repeated: {', '.join(map(str, dup[:10]))}")
    y = pd.to_numeric(values.reindex(villages.index), errors="coerce").astype(float)
    bad = y.index[~np.isfinite(y.to_numpy())].tolist()
    if bad:
        more = " ..." if len(bad) > 10 else ""
        raise ValueError(f"indicator {name!r}: no finite value for {len(bad)} village(s) "
                         f"(VILLCODE {', '.join(map(str, bad[:10]))}{more}); "
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
    if p_source not in P_SOURCES:
        raise ValueError(f"p_source must be 'sim' or 'norm', got {p_source!r}")


@contextmanager
def _quiet():
    """esda 2.9 warns that its default alternative will change; we rely on the current
    folded p_sim and check it ourselves (:func:`two_sided_p`)."""
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
    return {"method": method, "indicator": str(values.name or "indicator"), "n_villages": n,
            **info, "permutations": int(permutations), "seed": int(seed), "alpha": float(alpha),
            "fdr": bool(fdr), "p_source": p_source, "p_min": p_min,
            "bin_levels": {str(k): v for k, v in BIN_LEVELS},
            "esda": esda.__version__, "libpysal": libpysal.__version__,
            "fdr_min_villages": fdr_min_villages(p_min, n, alpha)}


def gi_star(values: pd.Series, villages: gpd.GeoDataFrame, *, weights: str = "queen",
            threshold_m: float | None = None, permutations: int = DEFAULT_PERMUTATIONS,
            seed: int = DEFAULT_SEED, alpha: float = 0.05, fdr: bool = False,
            p_source: str = "sim") -> tuple[pd.DataFrame, dict]:
    """Local Getis-Ord Gi* (self included) of ``values`` over ``villages``.

    Calls ``esda.G_Local(y, w, star=True, transform="B", permutations, seed, n_jobs=1)``.
    Binary weights: with esda's default row standardisation the analytical variance uses
    the row sum instead of the sum of squared weights and the z-scores shrink (the
    permutation p is unaffected).

    Parameters
    ----------
    values : Series
        Indicator keyed by VILLCODE, finite and >= 0 for every village (any unit).
    villages : GeoDataFrame
        Village polygons indexed by VILLCODE (any CRS; weights in EPSG:3826).
    weights, threshold_m
        See :func:`build_weights` (``threshold_m`` in metres).
    permutations : int
        Conditional permutations R (>= 99).
    seed : int
        Seed of the permutations.
    alpha : float
        Significance level of ``significant``.
    fdr : bool
        Decide with the BH-adjusted p (``p_fdr``) instead of ``p``.
    p_source : {"sim", "norm"}
        ``p`` from the permutations or from the normal approximation of z.

    Returns
    -------
    frame : DataFrame
        Index VILLCODE; district, village (if present), value, G, z (analytical z-score),
        p_sim (esda folded one-tailed pseudo p), p_norm (two-sided normal p of z), p
        (two-sided, by ``p_source``), p_fdr (BH-adjusted p), significant (bool), bin (-3..3),
        n_neighbours (excluding self).
    meta : dict
        Settings, the weights report of :func:`build_weights`, p_min, fdr_min_villages and
        the esda / libpysal versions.
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
    out["p"] = two_sided_p(g.rGs, g.Gs, g.p_sim) if p_source == "sim" else out["p_norm"]
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
    Parameters as :func:`gi_star` (values may be negative; p is always the permutation p).

    Returns
    -------
    frame : DataFrame
        Index VILLCODE; district, village (if present), value, Is, z (z of Is against its
        permutation distribution), p_sim (esda folded pseudo p), p (two-sided pseudo p),
        p_fdr, significant, quadrant_raw (HH/LH/LL/HL: value vs spatial lag), quadrant
        (quadrant_raw where significant, else "ns"), n_neighbours.
    meta : dict
        As :func:`gi_star`, with ``transform="R"`` and no bin levels.
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
    out["p"] = two_sided_p(m.rlisas, m.Is, m.p_sim)
    out["p_fdr"] = bh_adjust(out["p"].to_numpy())
    out["significant"] = out["p_fdr" if fdr else "p"] <= alpha
    out["quadrant_raw"] = [QUADRANTS[int(q)] for q in m.q]
    out["quadrant"] = out["quadrant_raw"].where(out["significant"], "ns")
    out["n_neighbours"] = [len(w.neighbors[i]) for i in w.id_order]
    meta = _meta("local_moran", values, info, permutations=permutations, seed=seed, alpha=alpha,
                 fdr=fdr, p_source="sim", n=len(y))
    meta.update(transform="R", bin_levels=None)
    return out, meta
