"""Hotspot statistics on the 504 villages: coverage.hotspots vs a bare esda call.

Run: .venv/bin/python benchmarks/bench_hotspots.py [--repeat 3]

Baseline: ``esda.G_Local(y, w, star=True, permutations=R, seed=...)`` with esda's defaults
(n_jobs=-1) on the same queen weights, i.e. the call a user would write by hand. Ours adds
weight building (queen + island check), float64 two-sided p from the simulations, BH and
bins. Prints best-of-``repeat`` seconds and the ratio ours / baseline, for 999 and 9999
permutations, plus Local Moran.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import esda
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coverage import hotspots as hs  # noqa: E402
from geo.boundaries import load_villages  # noqa: E402


def _best(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    villages = load_villages()
    y = pd.Series(np.random.default_rng(0).gamma(2.0, 5.0, len(villages)), index=villages.index)
    w, _ = hs.build_weights(villages)
    t_w = _best(lambda: hs.build_weights(villages), args.repeat)
    print(f"villages {len(villages)}; queen weights build {t_w:.3f} s")
    for perms in (999, 9999):
        base = _best(lambda: esda.G_Local(y.to_numpy(), w, star=True, permutations=perms,
                                          seed=1), args.repeat)
        ours = _best(lambda: hs.gi_star(y, villages, permutations=perms, fdr=True), args.repeat)
        print(f"Gi*  R={perms:5d}: ours {ours:.3f} s, bare esda {base:.3f} s, ratio {ours / base:.2f}")
    base = _best(lambda: esda.Moran_Local(y.to_numpy(), w, permutations=999, seed=1), args.repeat)
    ours = _best(lambda: hs.local_moran(y, villages, fdr=True), args.repeat)
    print(f"LISA R=  999: ours {ours:.3f} s, bare esda {base:.3f} s, ratio {ours / base:.2f}")


if __name__ == "__main__":
    main()
