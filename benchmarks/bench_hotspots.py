"""Hotspot statistics on the village layer: coverage.hotspots vs bare library calls.

Run: .venv/bin/python benchmarks/bench_hotspots.py [--repeat 3]

Baselines, timed in the same run on the same villages:

* weights: ``libpysal.weights.Queen.from_dataframe`` (ours finds the same pairs with a
  shapely STRtree) and ``DistanceBand`` alone (ours adds id ordering, island linking with
  KNN k=1 + w_union, and the report);
* regions: libpysal Queen on the hot villages alone (their touch graph);
* statistics: ``esda.G_Local(y, w, star=True, permutations=R, seed=...)`` and
  ``esda.Moran_Local`` with esda's defaults on the same queen weights, i.e. the call a user
  would write by hand. Ours adds weight building, the float64 two-sided p from the
  simulations, BH (scipy) and bins, and runs esda with ``n_jobs=1`` (repeatable results).

Prints best-of-``repeat`` seconds and the ratio ours / baseline.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import esda
import libpysal
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coverage import hotspots as hs  # noqa: E402
from geo import METRIC_CRS  # noqa: E402
from geo.boundaries import load_villages  # noqa: E402
from _timing import best_of  # noqa: E402  (benchmarks/_timing.py)

BAND_M = 3000.0


def _line(label, ours, base, base_name):
    print(f"{label:<22} ours {ours:7.3f} s   {base_name:<24} {base:7.3f} s   "
          f"ratio {ours / base:5.2f}")


def _weights(villages, repeat):
    metric = villages.to_crs(METRIC_CRS)
    cent = metric.geometry.centroid
    xy = np.column_stack([cent.x, cent.y])
    base = _best_seconds(lambda: libpysal.weights.Queen.from_dataframe(
        metric, use_index=True, silence_warnings=True), repeat)
    ours = _best_seconds(lambda: hs.build_weights(villages), repeat)
    _line("queen weights", ours, base, "libpysal Queen")
    base = _best_seconds(lambda: libpysal.weights.DistanceBand(
        xy, threshold=BAND_M, binary=True, silence_warnings=True), repeat)
    ours = _best_seconds(lambda: hs.build_weights(villages, kind="distance", threshold_m=BAND_M), repeat)
    _, info = hs.build_weights(villages, kind="distance", threshold_m=BAND_M)
    _line(f"band {BAND_M:.0f} m ({len(info['islands'])} isl.)", ours, base,
          "libpysal DistanceBand")


def _best_seconds(fn, repeat):
    return best_of(fn, repeat)[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    villages = load_villages()
    y = pd.Series(np.random.default_rng(0).gamma(2.0, 5.0, len(villages)), index=villages.index)
    w, _ = hs.build_weights(villages)
    print(f"villages {len(villages)}; best of {args.repeat}")
    _weights(villages, args.repeat)
    for perms in (999, 9999):
        base = _best_seconds(lambda: esda.G_Local(y.to_numpy(), w, star=True, permutations=perms,
                                          seed=1), args.repeat)
        ours = _best_seconds(lambda: hs.gi_star(y, villages, permutations=perms, fdr=True), args.repeat)
        _line(f"Gi*  R={perms}", ours, base, "bare esda.G_Local")
    base = _best_seconds(lambda: esda.Moran_Local(y.to_numpy(), w, permutations=999, seed=1), args.repeat)
    ours = _best_seconds(lambda: hs.local_moran(y, villages, fdr=True), args.repeat)
    _line("LISA R=999", ours, base, "bare esda.Moran_Local")
    result, _ = hs.gi_star(y, villages)
    table = villages.assign(population=1.0)
    hot = villages.loc[hs.hot_villages(result, min_bin=1)].to_crs(METRIC_CRS)
    base = _best_seconds(lambda: libpysal.weights.Queen.from_dataframe(
        hot, use_index=True, silence_warnings=True), args.repeat)
    ours = _best_seconds(lambda: hs.hotspot_regions(table, result, min_bin=1, side="hot",
                                            missing="zero"), args.repeat)
    _line(f"regions ({len(hot)} hot)", ours, base, "Queen of the hot villages")


if __name__ == "__main__":
    main()
