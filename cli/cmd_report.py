"""``safetynet report [--scenario NAME] --format xlsx|gpkg|html|pdf --out PATH [--type T ...]
[--radius-km R] [--mode straight|network] [--hotspot-indicator NAME] [--fdr] ...``: the
coverage report for meetings (Excel, HTML, PDF) or QGIS (GeoPackage), in the --lang
language, written atomically (a failed run leaves any previous file intact) and never over
an input file. Every figure comes from the analysis layer (:func:`reports.build_report_data`),
the hotspot section from the same question ``safetynet hotspots`` asks with the same options
(defaults from the [hotspots] table of analysis/defaults.toml).

Exit code 0 on success, 1 on a scenario-store error, 2 on bad input."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli import add_common_options
from cli._common import (add_distance_options, add_vintage_option, check_output,
                         context_from_args, note_lines, print_json, radius_from_args)

SUFFIXES = {".xlsx": "xlsx", ".gpkg": "gpkg", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def _add_hotspot_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("hotspots (as safetynet hotspots; defaults: analysis/defaults.toml)")
    g.add_argument("--no-hotspots", action="store_true", help="skip the hotspot analysis")
    g.add_argument("--hotspot-indicator", default=None,
                   help="children_density | elderly_density | per_1000:COLUMN | "
                        "uncovered_share | residents_per_site | access_score")
    g.add_argument("--hotspot-method", choices=("gi", "lisa"), default=None)
    g.add_argument("--hotspot-weights", choices=("queen", "distance"), default=None)
    g.add_argument("--hotspot-threshold-m", type=float, default=None,
                   help="distance-band threshold in metres between village centroids")
    g.add_argument("--hotspot-type", default=None,
                   help="service type of the regions' unmet demand and of coverage "
                        "indicators (default: the first reported type)")
    g.add_argument("--permutations", type=int, default=None)
    g.add_argument("--seed", type=int, default=None)
    g.add_argument("--alpha", type=float, default=None)
    g.add_argument("--fdr", action="store_true", default=None,
                   help="Benjamini-Hochberg FDR correction (9999 permutations by default)")
    g.add_argument("--min-bin", type=int, choices=(1, 2, 3), default=None)
    g.add_argument("--side", choices=("hot", "cold"), default=None)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="涵蓋報告 / coverage report (xlsx, gpkg, html, pdf)",
                       description="涵蓋報告：會議用 Excel / HTML / PDF，QGIS 用 GeoPackage。 "
                                   "Coverage report for meetings (xlsx, html, pdf) or QGIS "
                                   "(gpkg), written atomically: a failed run leaves any "
                                   "previous file intact.")
    p.add_argument("--format", dest="fmt", choices=("xlsx", "gpkg", "html", "pdf"), default=None,
                   help="output format (default: from the --out suffix)")
    p.add_argument("--out", required=True, help="output file")
    p.add_argument("--scenario", default=None,
                   help="stored scenario name: report its sites and compare with its baseline")
    p.add_argument("--store", default=None, help="scenario store directory (see safetynet scenario)")
    p.add_argument("--type", dest="types", nargs="+", default=None,
                   help="service type ids or names (default: every type with located sites)")
    add_distance_options(p, what="one catchment for every type:")
    p.add_argument("--demand", default=None,
                   help="population | children | elderly | households | youth | working_age | "
                        "indigenous (default: each type's target population)")
    p.add_argument("--decay", choices=("none", "step", "gaussian"), default=None,
                   help="distance decay of the 2SFCA access columns (default: defaults.toml)")
    p.add_argument("--area-weighted", action="store_true",
                   help="covered = share of the village's settled area within the radius")
    p.add_argument("--include-planned", action="store_true",
                   help="count planned sites too (default: open sites only)")
    p.add_argument("--population-file", default=None,
                   help="population file under <data-dir>/population/ or a path")
    _add_hotspot_options(p)
    add_vintage_option(p)
    add_common_options(p)
    p.set_defaults(handler=run)


def _format(args: argparse.Namespace) -> str:
    by_suffix = SUFFIXES.get(Path(args.out).suffix.lower())
    if args.fmt is None:
        if by_suffix is None:
            raise ValueError(f"--out {args.out!r}: cannot tell the format from the suffix; "
                             "pass --format xlsx|gpkg|html|pdf")
        return by_suffix
    if by_suffix is not None and by_suffix != args.fmt:
        raise ValueError(f"--format {args.fmt} does not match the suffix of --out {args.out!r}")
    return args.fmt


def _types(names: list[str] | None) -> list[str] | None:
    from geo.services import resolve_service_type
    return None if names is None else [resolve_service_type(n, name="--type") for n in names]


def _hotspot_query(args: argparse.Namespace, types: list[str], radii: dict | None,
                   weight: str):
    """The question ``safetynet hotspots`` asks with the same options; its coverage is the
    report's question for --hotspot-type (default: the first reported type)."""
    if args.no_hotspots:
        return None
    from analysis.coverage import CoverageQuery
    from analysis.hotspots import HotspotQuery
    from geo.services import resolve_service_type
    tid = resolve_service_type(args.hotspot_type, name="--hotspot-type") \
        if args.hotspot_type else types[0]
    coverage = CoverageQuery(tid, radius=(radii or {}).get(tid), mode=args.mode, weight=weight,
                             demand=args.demand, include_planned=args.include_planned,
                             decay=args.decay or "default", area_weighted=args.area_weighted,
                             max_snap_m=args.max_snap_m)
    return HotspotQuery(indicator=args.hotspot_indicator, method=args.hotspot_method,
                        weights=args.hotspot_weights, threshold_m=args.hotspot_threshold_m,
                        permutations=args.permutations, seed=args.seed, alpha=args.alpha,
                        fdr=args.fdr, min_bin=args.min_bin, side=args.side, coverage=coverage)


def _scenario(args: argparse.Namespace):
    """(scenario or None, exit code 1 on a store error else None)."""
    if args.scenario is None:
        return None, None
    from store import ScenarioError, load_scenario
    try:
        return load_scenario(args.scenario, store=args.store), None
    except ScenarioError as exc:
        from i18n import t
        print(t("cli.error", args.lang, command="report", message=exc), file=sys.stderr)
        return None, 1


def _summary(data, path: Path, fmt: str, lang: str) -> dict:
    notes = note_lines([n for _, n in data.notes], lang)
    h = data.hotspots
    return {"out": str(path), "format": fmt, "lang": lang,
            "scenario": data.scenario.name if data.scenario is not None else None,
            "types": list(data.results),
            "radius": {t: r.query.radius for t, r in data.results.items()},
            "unit": data.unit,
            "demand_share": {t: r.city["demand_share"] for t, r in data.results.items()},
            "population_share": {t: r.city.get("population_share")
                                 for t, r in data.results.items()},
            "hotspot_regions": None if h is None else int(len(h.regions)),
            "notes": notes, "missing": notes}


def run(args: argparse.Namespace) -> int:
    from geo.paths import missing_data_help
    from reports import build_report_data, default_types, export_report

    fmt = _format(args)
    inputs = [args.population_file, args.graph, args.roads]
    check_output(args.out, args, inputs=inputs)  # before the work
    types = _types(args.types)
    radius, weight = radius_from_args(args)
    scenario, failed = _scenario(args)
    if failed:
        return failed
    ctx = context_from_args(args)
    if ctx.population is None:
        raise FileNotFoundError("the report needs population data.\n" + missing_data_help())
    if types is None:
        from coverage.places import dataset_places
        sites = scenario.sites(dataset_places(ctx)) if scenario is not None else ctx.sites
        types = default_types(sites, include_planned=args.include_planned) or None
    radii = {t: radius for t in types} if radius is not None and types else None
    hotspot_query = _hotspot_query(args, types, radii, weight) if types else None
    if hotspot_query is not None:  # bad hotspot options stop here, not as a note in the report
        from analysis.hotspots import resolve_hotspot_query
        resolve_hotspot_query(ctx, hotspot_query)
    data = build_report_data(
        ctx, types=types, mode=args.mode, weight=weight, demand=args.demand,
        **{"radii_s" if weight == "travel_time" else "radii_m": radii},
        include_planned=args.include_planned, decay=args.decay or "default",
        area_weighted=args.area_weighted, max_snap_m=args.max_snap_m, scenario=scenario,
        hotspot_query=hotspot_query)
    path = export_report(data, fmt, args.out, lang=args.lang, inputs=inputs)
    info = _summary(data, path, fmt, args.lang)
    if args.json:
        print_json(info)
        return 0
    _print(info, args.lang)
    return 0


def _print(info: dict, lang: str) -> None:
    from i18n import t, type_name
    print(t("cli.wrote", lang, path=f"{info['out']} ({info['format']})").strip())
    for tid, share in info["demand_share"].items():
        print(f"  {type_name(tid, lang)}: {share:.1%}")
    for note in info["notes"]:
        print(f"  - {note}")
