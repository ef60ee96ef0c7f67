"""``safetynet report [--scenario NAME] --format xlsx|gpkg|html|pdf --out PATH [--type T ...]
[--radius-km R] [--lang zh-TW|en]``: the coverage report for meetings (Excel, HTML, PDF) or
QGIS (GeoPackage), written atomically (a failed run leaves any previous file intact).

Exit code 0 on success, 1 on a scenario-store error, 2 on bad input."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli import add_common_options
from geo.services import match_service_type, service_type

SUFFIXES = {".xlsx": "xlsx", ".gpkg": "gpkg", ".html": "html", ".htm": "html", ".pdf": "pdf"}


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
    p.add_argument("--radius-km", type=float, default=None,
                   help="one radius for every type (default: analysis/defaults.toml per type)")
    p.add_argument("--include-planned", action="store_true",
                   help="count planned sites too (default: open sites only)")
    p.add_argument("--no-hotspots", action="store_true", help="skip the Gi* hotspot analysis")
    p.add_argument("--population-file", default=None,
                   help="population file under <data-dir>/population/ or a path")
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
    if names is None:
        return None
    out = []
    for name in names:
        type_id = match_service_type(name)
        if type_id is None:
            service_type(str(name))  # raises KeyError listing the valid ids
        out.append(type_id)
    return out


def run(args: argparse.Namespace) -> int:
    from coverage.report import build_report_data, export_report
    from geo.dataset import load_dataset
    from geo.paths import missing_data_help

    fmt = _format(args)
    types = _types(args.types)
    scenario = None
    if args.scenario is not None:
        from store import ScenarioError, load_scenario
        try:
            scenario = load_scenario(args.scenario, store=args.store)
        except ScenarioError as exc:
            print(f"safetynet report: error: {exc}", file=sys.stderr)
            return 1
    ds = load_dataset(args.data_dir, population_file=args.population_file)
    if ds.population is None:
        raise FileNotFoundError("the report needs population data.\n" + missing_data_help())
    data = build_report_data(ds, types=types, radius_km=args.radius_km, scenario=scenario,
                             include_planned=args.include_planned,
                             hotspot_indicator=None if args.no_hotspots else "children_density")
    path = export_report(data, fmt, args.out, lang=args.lang)
    info = {"out": str(path), "format": fmt, "scenario": data.scenario or None,
            "types": list(data.results), "missing": data.missing,
            "population_share": {t: float(r.summary.at["all", "population_share"])
                                 for t, r in data.results.items()}}
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"wrote 輸出: {path} ({fmt})")
    for t, share in info["population_share"].items():
        print(f"  {service_type(t).name_zh} / {t}: 人口涵蓋率 population coverage {share:.1%}")
    for m in data.missing:
        print(f"  缺少 missing: {m}")
    return 0
