"""``safetynet coverage --type TYPE [--radius-km R] [--mode straight|network] [--demand COL]
[--demand-file FILE] [--area-weighted] [--graph FILE] [--sites FILE] --out FILE.csv|.json``:
per-village coverage of one service type (:func:`analysis.coverage.analyse_coverage`),
written atomically, with the city summary printed.

Exit code 0 on success, 2 on bad input (message on stderr, see cli.main)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from cli import add_common_options
from cli._common import (add_distance_options, add_vintage_option, check_suffix,
                         context_from_args, fmt_km, note_lines, print_json,
                         radius_from_args, write_output)
from common.jsonable import to_jsonable
from i18n import t, type_name

DEMANDS = ("population", "children", "elderly", "households", "youth", "working_age",
           "indigenous")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("coverage", help="服務涵蓋分析 / per-village coverage of one service type",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--type", dest="service_type", required=True,
                   help="service type id or name (e.g. family_service_centre, 家庭服務中心)")
    p.add_argument("--demand", default=None,
                   help=f"{' | '.join(DEMANDS)}, or a column of --demand-file "
                        "(default: the type's target population, analysis/defaults.toml)")
    p.add_argument("--demand-file", default=None,
                   help="CSV with VILLCODE and the custom --demand column")
    p.add_argument("--skip-unknown-codes", action="store_true",
                   help="leave out (and list) --demand-file codes that have no village polygon "
                        "instead of stopping")
    p.add_argument("--decay", choices=("none", "step", "gaussian"), default=None,
                   help="distance decay of the 2SFCA access columns (default: defaults.toml)")
    p.add_argument("--area-weighted", action="store_true",
                   help="covered = share of the village's settled area within the radius "
                        "(straight only)")
    add_distance_options(p)
    p.add_argument("--sites", default=None,
                   help="site list (CSV / .xlsx / GeoJSON) to use instead of the default layer")
    p.add_argument("--include-planned", action="store_true",
                   help="count planned sites too (default: open sites only)")
    p.add_argument("--population-file", default=None,
                   help="population file under <data-dir>/population/ or a path")
    p.add_argument("--out", required=True, help="output file, .csv or .json")
    add_vintage_option(p)
    add_common_options(p)
    p.set_defaults(handler=run)


def _site_table(args: argparse.Namespace, type_id: str):
    """(sites or None for the context's default, a note on where they came from)."""
    if not args.sites:
        return None, t("cli.sites_default", args.lang)
    from geo.imports import read_sites
    res = read_sites(args.sites, service_type=type_id)
    return res.sites, t("cli.sites_file", args.lang, file=args.sites, loaded=len(res.sites),
                        rejected=len(res.rejected))


def _demand_values(args: argparse.Namespace, villages) -> pd.Series | None:
    if args.demand_file:
        from geo.custom_demand import read_custom_demand
        return read_custom_demand(args.demand_file, args.demand or "demand",
                                  known_codes=villages.index,
                                  on_unknown="report" if args.skip_unknown_codes else "error")
    if args.demand is not None and args.demand not in DEMANDS:
        raise ValueError(f"--demand {args.demand!r} is not one of {', '.join(DEMANDS)}; a "
                         "custom column needs --demand-file FILE")
    return None


def _library_layers(ctx, type_id: str) -> dict[str, int]:
    """{layer name: version} of the site library's layers that supplied ``type_id``'s sites
    (empty when the type's public layer is in use)."""
    if not ctx.layer_versions:
        return {}
    from store.layers import list_layers
    return {i.name: ctx.layer_versions[i.name] for i in list_layers()
            if i.name in ctx.layer_versions and type_id in i.types}


def _summary(result, args: argparse.Namespace, site_note: str, layers: dict[str, int]) -> dict:
    q = result.query
    lang = args.lang
    if layers:
        site_note = t("cli.sites_library", lang, layers=t("list_sep", lang).join(
            t("cli.layer_version", lang, name=n, v=v) for n, v in layers.items()))
    which = t("cli.open_planned" if q.include_planned else "cli.open_only", lang)
    notes = [t("cli.sites_note", lang, what=site_note, n=len(result.sites), type=q.type_id,
               which=which)]
    if result.road is not None:
        notes.append(t("cli.road_source", lang, label=result.road.label))
    notes += note_lines(result.notes, lang)
    radius = {"radius_min": q.radius / 60.0} if q.unit == "s" else {"radius_m": q.radius}
    return {"type": q.type_id, **radius, "mode": q.mode, "weight": q.weight,
            "demand": result.demand_column
            if args.demand is None else args.demand, "area_weighted": q.area_weighted,
            "access_decay": _decay_used(q), "layers": layers,
            **result.city, "notes": notes}


def _decay_used(query) -> str:
    if query.decay not in ("default", None):
        return query.decay
    from analysis.config import config
    return config().type(query.type_id).decay or "none"


def run(args: argparse.Namespace) -> int:
    from analysis.coverage import CoverageQuery, analyse_coverage
    from geo.services import resolve_service_type

    type_id = resolve_service_type(args.service_type, name="--type")
    out_path = check_suffix(args.out, "--out", (".csv", ".json"))
    radius, weight = radius_from_args(args)
    if args.area_weighted and args.mode != "straight":
        raise ValueError("--area-weighted works with straight-line distances only (--mode straight)")
    sites, site_note = _site_table(args, type_id)
    ctx = context_from_args(args, sites=sites)
    demand_values = _demand_values(args, ctx.villages)
    query = CoverageQuery(type_id, radius=radius, mode=args.mode, weight=weight,
                          demand=args.demand,
                          include_planned=args.include_planned, decay=args.decay or "default",
                          area_weighted=args.area_weighted, max_snap_m=args.max_snap_m)
    result = analyse_coverage(ctx, query, demand_values=demand_values)
    summary = _summary(result, args, site_note,
                       {} if args.sites else _library_layers(ctx, type_id))
    unknown = demand_values.attrs.get("unknown_codes", []) if demand_values is not None else []
    if unknown:
        codes = ", ".join(f"row {r}: {c}" for r, c in unknown[:10]) + (
            " ..." if len(unknown) > 10 else "")
        summary["notes"].append(t("cli.unknown_codes", args.lang, file=args.demand_file,
                                  n=len(unknown), codes=codes))
    report = ctx.population
    if report is not None and len(report.unmatched):
        lost = float(pd.to_numeric(report.unmatched["population"], errors="coerce").fillna(0).sum())
        summary["notes"].append(t("cli.unmatched_population", args.lang,
                                  n=len(report.unmatched), pop=f"{lost:,.0f}"))
    city = result.city_row.to_frame().T
    city["district"] = t("city", args.lang)  # the city row named in the output's language
    districts = pd.concat([result.districts, city]).rename_axis("TOWNCODE")
    table = result.villages.drop(columns=["uncovered_demand", "gap_rank"]).reset_index()
    if not args.area_weighted:  # the contract: covered is 0/1 in point mode, a share otherwise
        table["covered"] = table["covered"].astype(int)
    if out_path.suffix.lower() == ".csv":
        text = table.replace([np.inf, -np.inf], np.nan).to_csv(index=False, lineterminator="\n")
    else:
        text = json.dumps(to_jsonable({"summary": summary,
                                       "districts": districts.reset_index(),
                                       "villages": table,
                                       "district_need": _district_need(ctx, result)}),
                          ensure_ascii=False, indent=1, allow_nan=False)
    inputs = [args.sites, args.demand_file, args.population_file, args.graph, args.roads]
    write_output(out_path, text, args, inputs=inputs)
    if args.json:
        print_json(summary)
    else:
        _print_summary(summary, result, out_path, args.lang)
    return 0


def _district_need(ctx, result) -> pd.DataFrame | None:
    """The district-level need (low-income persons, measured per district) against the
    type's capacity, one row per district (TOWNCODE), largest gap first; None without it."""
    from analysis.need import DISTRICT_INDICATORS, district_need
    name = next((n for n in DISTRICT_INDICATORS if n in ctx.indicators), None)
    if name is None:
        return None
    return district_need(ctx, result, indicator=name).rename_axis("TOWNCODE").reset_index()


def _print_summary(s: dict, result, out_path: Path, lang: str) -> None:
    q = result.query
    mode = "cli.mode_straight" if q.mode == "straight" else f"cli.mode_network_{q.weight}"
    radius = f"{q.radius / 60:g} min" if q.unit == "s" else f"{q.radius / 1000:g} km"
    print(t("cli.coverage_head", lang, type=type_name(q.type_id, lang), radius=radius,
            mode=t(mode, lang), area=t("cli.area_weighted", lang) if q.area_weighted else "",
            decay=s["access_decay"]))
    print(t("cli.sites_line", lang, n=s["sites"], d=s["districts_with_site"], of=s["districts"],
            share=f"{s['district_share']:.0%}"))
    print(t("cli.demand_line", lang, demand=s["demand"], total=f"{s['demand_total']:,.0f}",
            covered=f"{s['demand_covered']:,.0f}", share=f"{s['demand_share']:.1%}",
            uncovered=f"{s['demand_uncovered']:,.0f}"))
    print(t("cli.distance_line", lang, median=fmt_km(s["median_m"]), p90=fmt_km(s["p90_m"])))
    print(t("cli.per_site_line", lang, n=f"{s['residents_per_site']:,.0f}"))
    if s.get("capacity_norm"):
        if np.isfinite(s["capacity"]):
            print(t("cli.capacity_line", lang, cap=f"{s['capacity']:,.0f}",
                    per=f"{s['residents_per_capacity']:,.0f}", norm=f"{s['capacity_norm']:,.0f}",
                    needed=f"{s['capacity_needed']:,.1f}"))
        else:
            print(t("cli.capacity_unknown", lang, norm=f"{s['capacity_norm']:,.0f}",
                    needed=f"{s['capacity_needed']:,.1f}"))
    print(t("cli.district_head", lang))
    for code, r in result.districts.iterrows():
        name = r["district"]
        print(f"  {name:6s} {code}  {r['demand_total']:12,.0f}   "
              f"{r['demand_share']:8.1%}      {fmt_km(r['median_m'])}")
    for note in s["notes"]:
        print(f"  - {note}")
    print(t("cli.wrote", lang, path=out_path))
