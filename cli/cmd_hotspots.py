"""``safetynet hotspots --indicator NAME [--method gi|lisa] [--fdr] [--type TYPE] ...``:
hot (or cold) spots of a village indicator with Getis-Ord Gi* or local Moran's I, merged into
ranked regions, with the method note printed (:func:`analysis.hotspots.analyse_hotspots`;
every option left out takes the [hotspots] default of analysis/defaults.toml, as the app and
the reports do).

Indicators: children_density, elderly_density (per km²), per_1000:COLUMN (a population
column per 1,000 residents, e.g. per_1000:indigenous), and with --type: uncovered_share
(1 - covered), residents_per_site (demand served by the village's nearest site, all villages
assigned to their nearest site), access_score (2SFCA, mean 1). Exit code 0 on success, 2 on
bad input (see cli.main)."""
from __future__ import annotations

import argparse
import json
import math

from cli import add_common_options
from cli._common import (add_distance_options, add_vintage_option, check_suffix,
                         check_output, context_from_args, print_json, radius_from_args,
                         write_output)
from common.checks import int_in_range
from common.jsonable import to_jsonable
from i18n import t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hotspots", help="熱區分析 / hot and cold spots of a village indicator",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--indicator", required=True,
                   help="children_density | elderly_density | per_1000:COLUMN | "
                        "uncovered_share | residents_per_site | access_score (last three need --type)")
    p.add_argument("--method", choices=("gi", "lisa"), default=None,
                   help="gi = Getis-Ord Gi* (default), lisa = local Moran's I")
    p.add_argument("--weights", choices=("queen", "distance"), default=None)
    p.add_argument("--threshold-m", type=float, default=None,
                   help="distance-band threshold in metres between village centroids")
    p.add_argument("--permutations", type=int, default=None,
                   help="permutations (default 999, or 9999 with --fdr: with 999 the smallest "
                        "pseudo p is 0.002, too coarse for FDR over 500 villages)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default 12345, recorded)")
    p.add_argument("--alpha", type=float, default=None, help="significance level (default 0.05)")
    p.add_argument("--fdr", action="store_true", default=None,
                   help="Benjamini-Hochberg FDR correction")
    p.add_argument("--p-source", choices=("sim", "norm"), default="sim",
                   help="Gi* only: permutation (default) or normal-approximation p-values")
    p.add_argument("--min-bin", type=int, choices=(1, 2, 3), default=None,
                   help="Gi*: a village is hot when its bin >= this (default: the bin of "
                        "--alpha, 2 = 95 %%)")
    p.add_argument("--side", choices=("hot", "cold"), default=None,
                   help="regions of hot or cold spots (default: cold for access_score, else hot)")
    p.add_argument("--type", dest="service_type", default=None,
                   help="service type for coverage indicators and unmet demand of regions")
    p.add_argument("--demand", default=None,
                   help="population | children | elderly | households | youth | working_age | "
                        "indigenous (demand of regions; default: the type's target population)")
    p.add_argument("--include-planned", action="store_true")
    p.add_argument("--population-file", default=None)
    p.add_argument("--top", type=int, default=10, help="regions to print")
    add_distance_options(p, what="coverage (--type) catchment:")
    p.add_argument("--out", default=None, help="per-village results, .csv or .json")
    add_vintage_option(p)
    add_common_options(p)
    p.set_defaults(handler=run)


def _query(args: argparse.Namespace):
    from analysis.coverage import CoverageQuery
    from analysis.hotspots import HotspotQuery
    from geo.services import resolve_service_type
    coverage = None
    radius, weight = radius_from_args(args)
    if args.service_type is not None:
        coverage = CoverageQuery(resolve_service_type(args.service_type, name="--type"),
                                 radius=radius, mode=args.mode, weight=weight,
                                 max_snap_m=args.max_snap_m, demand=args.demand,
                                 include_planned=args.include_planned)
    elif args.mode != "straight" or radius is not None:
        raise ValueError("--radius-km / --radius-min / --mode apply to the coverage of --type; "
                         "give --type")
    return HotspotQuery(indicator=args.indicator, method=args.method, weights=args.weights,
                        threshold_m=args.threshold_m, permutations=args.permutations,
                        seed=args.seed, alpha=args.alpha, fdr=args.fdr, min_bin=args.min_bin,
                        side=args.side, p_source=args.p_source, coverage=coverage)


def run(args: argparse.Namespace) -> int:
    from analysis.hotspots import analyse_hotspots
    from i18n.hotspot_notes import hotspot_method_note

    if args.out:
        check_suffix(args.out, "--out", (".csv", ".json"))
        check_output(args.out, args, inputs=[args.population_file])  # before the work
    int_in_range(args.top, "--top", minimum=0, maximum=10_000)
    ctx = context_from_args(args)
    result = analyse_hotspots(ctx, _query(args))
    note = hotspot_method_note(result.meta, args.lang)
    if args.out:
        out = result.villages.reset_index()
        if args.out.lower().endswith(".csv"):
            text = out.to_csv(index=False, lineterminator="\n")
        else:
            text = json.dumps(to_jsonable({"meta": result.meta, "note": note,
                                           "regions": result.regions, "villages": out}),
                              ensure_ascii=False, indent=1, allow_nan=False)
        write_output(args.out, text, args, inputs=[args.population_file])
    key = "bins" if "bin" in result.villages else "quadrants"
    summary = {"meta": result.meta, "note": note, key: result.counts,
               "regions": result.regions}
    if args.json:
        print_json(summary)
        return 0
    _print(summary, result.regions, args, ctx.districts)
    return 0


def _print(summary: dict, regions, args: argparse.Namespace, districts) -> None:
    """The method note, the distribution and the first --top regions in --lang; district
    names from ``districts`` (the context's table: district, district_en)."""
    lang = args.lang
    names = dict(zip(districts["district"], districts["district_en"])) if lang == "en" else {}
    comma = t("cli.info.comma", lang)
    print(summary["note"])
    counts = summary.get("bins") or summary.get("quadrants")
    print(t("cli.hs.distribution", lang,
            counts=", ".join(f"{k}: {v}" for k, v in counts.items())))
    key = "cli.hs.regions_hot" if summary["meta"]["side"] == "hot" else "cli.hs.regions_cold"
    print(t(key, lang, n=len(regions), shown=t("cli.hs.shown", lang, top=args.top)
            if len(regions) > args.top else ""))
    for r in regions.head(args.top).itertuples():
        unmet = ("" if not math.isfinite(r.unmet_demand)
                 else t("cli.hs.unmet", lang, n=f"{r.unmet_demand:,.0f}"))
        sites = ("" if not r.nearest_sites
                 else t("cli.hs.sites", lang, sites=", ".join(r.nearest_sites)))
        print(t("cli.hs.region", lang, region=r.region, n=r.n_villages,
                where=comma.join(names.get(d, d) for d in r.districts),
                population=f"{r.population:,.0f}", demand=f"{r.demand:,.0f}", unmet=unmet,
                sites=sites))
        print(f"      {', '.join(r.villages[:12])}{' ...' if len(r.villages) > 12 else ''}")
