"""``safetynet hotspots --indicator NAME [--method gi|lisa] [--fdr] [--type TYPE] ...``:
hot (or cold) spots of a village indicator with Getis-Ord Gi* or local Moran's I, merged into
ranked regions, with the method note printed. See coverage/hotspots.py for the statistics.

Indicators: children_density, elderly_density (per km²), per_1000:COLUMN (a population
column per 1,000 residents), and with --type: uncovered_share (1 - covered), residents_per_site
(demand served by the village's nearest site, all villages assigned to their nearest site),
access_score (2SFCA, mean 1). Exit code 0 on success, 2 on bad input (see cli.main)."""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from cli import add_common_options
from geo.paths import missing_data_help, resolve_data_dir

from coverage.hotspot_indicators import (COVERAGE_INDICATORS, POPULATION_INDICATORS,
                                         indicator_values)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hotspots", help="熱區分析 / hot and cold spots of a village indicator",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--indicator", required=True,
                   help="children_density | elderly_density | per_1000:COLUMN | "
                        "uncovered_share | residents_per_site | access_score (last three need --type)")
    p.add_argument("--method", choices=("gi", "lisa"), default="gi",
                   help="gi = Getis-Ord Gi* (default), lisa = local Moran's I")
    p.add_argument("--weights", choices=("queen", "distance"), default="queen")
    p.add_argument("--threshold-m", type=float, default=None,
                   help="distance-band threshold in metres between village centroids")
    p.add_argument("--permutations", type=int, default=None,
                   help="permutations (default 999, or 9999 with --fdr: with 999 the smallest "
                        "pseudo p is 0.002, too coarse for FDR over 504 villages)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 12345, recorded)")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--fdr", action="store_true", help="Benjamini-Hochberg FDR correction")
    p.add_argument("--p-source", choices=("sim", "norm"), default="sim",
                   help="Gi* only: permutation (default) or normal-approximation p-values")
    p.add_argument("--min-bin", type=int, choices=(1, 2, 3), default=2,
                   help="Gi*: a village is hot when its bin >= this (2 = 95 %%)")
    p.add_argument("--side", choices=("hot", "cold"), default=None,
                   help="regions of hot or cold spots (default: cold for access_score, else hot)")
    p.add_argument("--type", dest="service_type", default=None,
                   help="service type for coverage indicators and unmet demand of regions")
    p.add_argument("--radius-km", type=float, default=None,
                   help="catchment radius in km (default: coverage/defaults.toml)")
    p.add_argument("--demand", default="population",
                   help="population | children | elderly | households (demand of regions)")
    p.add_argument("--include-planned", action="store_true")
    p.add_argument("--population-file", default=None)
    p.add_argument("--top", type=int, default=10, help="regions to print")
    p.add_argument("--lang", choices=("zh-TW", "en"), default="zh-TW")
    p.add_argument("--out", default=None, help="per-village results, .csv or .json")
    add_common_options(p)
    p.set_defaults(handler=run)


def _coverage(villages, args: argparse.Namespace, data_dir: Path | None) -> tuple[pd.DataFrame, dict]:
    from coverage.config import type_defaults
    from coverage.engine import coverage_table
    from coverage.metrics import select_sites
    from geo.services import load_default_sites, match_service_type, service_type

    type_id = match_service_type(args.service_type)
    if type_id is None:
        service_type(str(args.service_type))  # raises KeyError with the valid ids
    radius_m = type_defaults(type_id).radius_m if args.radius_km is None else args.radius_km * 1000
    if not math.isfinite(radius_m) or radius_m <= 0:
        raise ValueError(f"--radius-km must be a number > 0, got {args.radius_km}")
    sites, _ = load_default_sites(data_dir)
    chosen = select_sites(sites, type_id, include_planned=args.include_planned)
    table, _ = coverage_table(villages, chosen, radius_m=radius_m, demand=args.demand,
                              **type_defaults(type_id).decay_options(radius_m))
    return table, {"type": type_id, "radius_m": radius_m, "sites": int(len(chosen))}


def _clean(value: object) -> object:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def run(args: argparse.Namespace) -> int:
    from coverage import hotspots as hs
    from cli.cmd_coverage import atomic_write
    from geo.population import load_village_table

    data_dir = resolve_data_dir(args.data_dir)
    if data_dir is None and args.population_file is None:
        raise FileNotFoundError(missing_data_help())
    if args.out and Path(args.out).suffix.lower() not in (".csv", ".json"):
        raise ValueError(f"--out must end in .csv or .json, got {args.out!r}")
    villages, _ = load_village_table(data_dir, population_file=args.population_file)
    cov, cov_meta = (None, {}) if args.service_type is None else _coverage(villages, args, data_dir)
    values = indicator_values(villages, cov, args.indicator)
    common = dict(weights=args.weights, threshold_m=args.threshold_m,
                  permutations=(args.permutations if args.permutations is not None
                                else hs.FDR_PERMUTATIONS if args.fdr else hs.DEFAULT_PERMUTATIONS),
                  seed=hs.DEFAULT_SEED if args.seed is None else args.seed, alpha=args.alpha, fdr=args.fdr)
    if args.method == "gi":
        result, meta = hs.gi_star(values, villages, p_source=args.p_source, **common)
    else:
        result, meta = hs.local_moran(values, villages, **common)
    side = args.side or ("cold" if args.indicator == "access_score" else "hot")
    table = villages.copy()
    table["population"] = pd.to_numeric(table["population"], errors="coerce").astype(float)
    region_opts: dict = {}
    if cov is not None:
        table["demand"] = cov["demand"]
        table["unmet"] = cov["demand"] * (1.0 - cov["covered"].astype(float))
        table["nearest_site"] = cov["nearest_site"]
        region_opts = dict(demand_col="demand", unmet_col="unmet", site_col="nearest_site")
    regions = hs.hotspot_regions(table, hs.hot_villages(result, min_bin=args.min_bin, side=side),
                                 **region_opts)
    meta = {**meta, **cov_meta, "side": side, "min_bin": args.min_bin}
    note = hs.method_note(meta, lang=args.lang)
    if args.out:
        out = result.reset_index()
        path = Path(args.out)
        if path.suffix.lower() == ".csv":
            text = out.to_csv(index=False, lineterminator="\n")
        else:
            text = json.dumps({"meta": _clean_dict(meta), "note": note,
                               "regions": [_clean_dict(r) for r in regions.to_dict("records")],
                               "villages": [_clean_dict(r) for r in out.to_dict("records")]},
                              ensure_ascii=False, indent=1)
        atomic_write(path, text)
    summary = {"meta": meta, "note": note,
               "bins" if "bin" in result else "quadrants":
                   (result["bin"] if "bin" in result else result["quadrant"]).value_counts()
                   .sort_index().to_dict(),
               "regions": regions.to_dict("records")}
    if args.json:
        print(json.dumps(_clean_dict(summary), ensure_ascii=False, indent=2, default=str))
        return 0
    _print(summary, regions, args)
    return 0


def _clean_dict(d: dict) -> dict:
    return {str(k): (_clean_dict(v) if isinstance(v, dict) else
                     [_clean_dict(x) if isinstance(x, dict) else _clean(x) for x in v]
                     if isinstance(v, list) else _clean(v)) for k, v in d.items()}


def _print(summary: dict, regions: pd.DataFrame, args: argparse.Namespace) -> None:
    meta = summary["meta"]
    print(summary["note"])
    counts = summary.get("bins") or summary.get("quadrants")
    print("分布 distribution: " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    label = "熱區 hot" if meta["side"] == "hot" else "冷區 cold"
    print(f"{label} regions: {len(regions)}"
          + (f" (showing {args.top})" if len(regions) > args.top else ""))
    for r in regions.head(args.top).itertuples():
        unmet = "" if not math.isfinite(r.unmet_demand) else f", 未涵蓋需求 unmet {r.unmet_demand:,.0f}"
        sites = f", 最近據點 nearest sites {', '.join(r.nearest_sites)}" if r.nearest_sites else ""
        print(f"  #{r.region}: {r.n_villages} 里 villages in {'、'.join(r.districts)}; "
              f"人口 population {r.population:,.0f}, 需求 demand {r.demand:,.0f}{unmet}{sites}")
        print(f"      {', '.join(r.villages[:12])}{' ...' if len(r.villages) > 12 else ''}")
