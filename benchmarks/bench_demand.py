"""Demand points on built-up land (geo.demand): cold build vs warm (cached) load.

Run: .venv/bin/python benchmarks/bench_demand.py [--repeat 3]

Baseline: today's point_on_surface of the 516 village polygons in EPSG:3826 (what
coverage.distance.village_points did before), timed in the same run. Cold = overlay of the
BuiltupA polygons with the villages in an empty cache directory; warm = the same call with
the cache filled (hash of inputs + one GeoParquet read). Target: warm under 2 s.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo import METRIC_CRS  # noqa: E402
from geo.demand import DEMAND_COLUMNS, attach_demand_points, load_builtup  # noqa: E402
from geo.paths import resolve_data_dir  # noqa: E402
from geo.population import load_village_table  # noqa: E402
from _timing import best_of  # noqa: E402  (benchmarks/_timing.py)


def _seconds(fn) -> float:
    return best_of(fn)[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data_dir = resolve_data_dir()
    villages, _ = load_village_table(data_dir)
    villages = villages.drop(columns=[c for c in DEMAND_COLUMNS if c in villages])
    base = min(_seconds(lambda: villages.geometry.to_crs(METRIC_CRS).representative_point())
               for _ in range(args.repeat))
    colds, warms = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["SAFETYNET_CACHE"] = tmp
            from geo import demand
            demand._read_builtup.cache_clear()  # cold: read the shapefiles again
            colds.append(_seconds(lambda: attach_demand_points(villages, data_dir)))
            warms.append(min(_seconds(lambda: attach_demand_points(villages, data_dir))
                             for _ in range(args.repeat)))
    cold, warm = min(colds), min(warms)
    print(f"villages: {len(villages)}; built-up polygons: {len(load_builtup(data_dir))}")
    print(f"baseline point_on_surface: {base:.3f} s")
    print(f"cold build:                 {cold:.3f} s  ({cold / base:.0f} x baseline)")
    print(f"warm (cached):              {warm:.3f} s  ({warm / base:.0f} x baseline; "
          f"target < 2 s: {'yes' if warm < 2 else 'NO'})")


if __name__ == "__main__":
    main()
