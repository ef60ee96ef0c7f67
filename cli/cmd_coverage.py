"""``safetynet coverage --type TYPE [--radius-km R] [--mode straight|network] [--demand COL]
[--demand-file FILE] [--area-weighted] [--graph FILE] [--sites FILE] --out FILE.csv|.json``:
per-village coverage of one service type, written atomically, with the city summary printed.

Exit code 0 on success, 2 on bad input (message on stderr, see cli.main)."""
from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from cli import add_common_options
from geo.paths import missing_data_help, resolve_data_dir
from geo.services import match_service_type, service_type

DEMANDS = ("population", "children", "elderly", "households")
BUNDLED_GRAPH_NOTE = ("注意：內建路網僅涵蓋桃園區；區外村里無法抵達，視為未涵蓋。 / NOTE: the bundled "
                      "road graph covers only 桃園區 (Taoyuan District); villages outside it are "
                      "unreachable and counted as not covered.")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("coverage", help="服務涵蓋分析 / per-village coverage of one service type",
                       description=__doc__.split("\n\n")[0])
    p.add_argument("--type", dest="service_type", required=True,
                   help="service type id or name (e.g. family_service_centre, 家庭服務中心)")
    p.add_argument("--radius-km", type=float, default=None,
                   help="catchment radius in km (default: coverage/defaults.toml for the type)")
    p.add_argument("--mode", choices=("straight", "network"), default="straight",
                   help="straight-line (EPSG:3826) or road-network distance")
    p.add_argument("--demand", default="population",
                   help="population | children | elderly | households, or a column of "
                        "--demand-file")
    p.add_argument("--demand-file", default=None,
                   help="CSV with VILLCODE and the custom --demand column")
    p.add_argument("--skip-unknown-codes", action="store_true",
                   help="leave out (and list) --demand-file codes that have no village polygon "
                        "instead of stopping")
    p.add_argument("--decay", choices=("none", "step", "gaussian"), default=None,
                   help="distance decay of the 2SFCA access columns (default: defaults.toml)")
    p.add_argument("--area-weighted", action="store_true",
                   help="covered = share of the village area within the radius (straight only)")
    p.add_argument("--graph", default=None,
                   help="road graph (GraphML / OSM XML) for --mode network "
                        "(default: <data-dir>/roads/*.graphml, 桃園區 only)")
    p.add_argument("--max-snap-m", type=float, default=500.0,
                   help="network mode: farthest a village or site may be from the road graph")
    p.add_argument("--sites", default=None,
                   help="site list (CSV / .xlsx / GeoJSON) to use instead of the default layer")
    p.add_argument("--include-planned", action="store_true",
                   help="count planned sites too (default: open sites only)")
    p.add_argument("--population-file", default=None,
                   help="population file under <data-dir>/population/ or a path")
    p.add_argument("--out", required=True, help="output file, .csv or .json")
    add_common_options(p)
    p.set_defaults(handler=run)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder + os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonable(value: object) -> object:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def _graph_path(args: argparse.Namespace, data_dir: Path | None) -> tuple[Path, bool]:
    if args.graph:
        path = Path(args.graph)
        if not path.is_file():
            raise FileNotFoundError(f"road graph not found: {path}")
        return path, False
    graphs = sorted((data_dir / "roads").glob("*.graphml")) if data_dir else []
    if not graphs:
        raise FileNotFoundError("network mode needs a road graph: pass --graph FILE or put a "
                                "GraphML file under <data-dir>/roads/")
    return graphs[0], True


def _sites(args: argparse.Namespace, data_dir: Path | None, type_id: str):
    from coverage.metrics import select_sites
    if args.sites:
        from geo.imports import read_sites
        res = read_sites(args.sites, service_type=type_id)
        sites = res.sites
        note = f"{args.sites}: {len(res.sites)} loaded, {len(res.rejected)} rejected"
    else:
        from geo.services import load_default_sites
        sites, _ = load_default_sites(data_dir)
        note = "default layer"
    chosen = select_sites(sites, type_id, include_planned=args.include_planned)
    located = ~(chosen.geometry.isna() | chosen.geometry.is_empty)
    if not located.all():
        note += f"; {int((~located).sum())} without coordinates left out"
        chosen = chosen[located]
    return chosen, f"{note}; {len(chosen)} of type {type_id} counted " + \
        ("(open + planned)" if args.include_planned else "(open only)")


def run(args: argparse.Namespace) -> int:
    from coverage.config import type_defaults
    from coverage.engine import coverage_table
    from coverage.metrics import city_summary, coverage_summary, read_custom_demand
    from geo.population import load_village_table

    type_id = match_service_type(args.service_type)
    if type_id is None:
        service_type(str(args.service_type))  # raises KeyError listing the valid ids
    out_path = Path(args.out)
    if out_path.suffix.lower() not in (".csv", ".json"):
        raise ValueError(f"--out must end in .csv or .json, got {args.out!r}")
    defaults = type_defaults(type_id)
    radius_m = defaults.radius_m if args.radius_km is None else args.radius_km * 1000.0
    if not math.isfinite(radius_m) or radius_m <= 0:
        raise ValueError(f"--radius-km must be a number > 0, got {args.radius_km}")
    if args.area_weighted and args.mode != "straight":
        raise ValueError("--area-weighted works with straight-line distances only (--mode straight)")
    data_dir = resolve_data_dir(args.data_dir)
    if data_dir is None and args.population_file is None:
        raise FileNotFoundError(missing_data_help())
    villages, report = load_village_table(data_dir, population_file=args.population_file)
    demand: str | pd.Series = args.demand
    if args.demand_file:
        demand = read_custom_demand(args.demand_file, args.demand, known_codes=villages.index,
                                    on_unknown="report" if args.skip_unknown_codes else "error")
    elif args.demand not in DEMANDS:
        raise ValueError(f"--demand {args.demand!r} is not one of {', '.join(DEMANDS)}; a "
                         "custom column needs --demand-file FILE")
    sites, site_note = _sites(args, data_dir, type_id)
    notes = [f"sites: {site_note}"]
    network = None
    if args.mode == "network":
        from geo.network import graph_from_file, prepare_network
        path, bundled = _graph_path(args, data_dir)
        network = prepare_network(graph_from_file(path), weights=("length",))
        notes.append(f"road graph: {path}")
        if bundled:
            notes.append(BUNDLED_GRAPH_NOTE)
    decay_opts = defaults.decay_options(radius_m, decay=args.decay or "default")
    decay = decay_opts["decay"]
    table, _ = coverage_table(villages, sites, radius_m=radius_m, demand=demand, mode=args.mode,
                              network=network, area_weighted=args.area_weighted,
                              max_snap_m=args.max_snap_m, **decay_opts)
    # the capacity norm (e.g. 1 social worker per 20,000) is per resident: total population only
    norm = defaults.residents_per_capacity if args.demand == "population" else None
    summary = city_summary(table, sites, villages, residents_per_capacity=norm)
    summary = {"type": type_id, "radius_m": radius_m, "mode": args.mode,
               "demand": args.demand, "area_weighted": args.area_weighted,
               "access_decay": decay or "none", **summary}
    if args.mode == "network":
        unreachable = table[~np.isfinite(table["nearest_m"])]
        off_graph = table[~table["snapped"]]
        summary["villages_off_graph"] = int(len(off_graph))
        summary["population_off_graph"] = float(off_graph["demand"].fillna(0).sum())
        summary["villages_unreachable"] = int(len(unreachable))
        notes.append(f"{len(off_graph)} villages are farther than {args.max_snap_m:g} m from "
                     f"the road graph (demand {summary['population_off_graph']:,.0f}) and "
                     f"{len(unreachable)} have no site within {radius_m:g} m by road: "
                     "all are counted as not covered")
    unknown = demand.attrs.get("unknown_codes", []) if isinstance(demand, pd.Series) else []
    if unknown:
        notes.append(f"{len(unknown)} code(s) of {args.demand_file} have no village polygon and "
                     "were left out: " + ", ".join(f"row {r}: {c}" for r, c in unknown[:10])
                     + (" ..." if len(unknown) > 10 else ""))
    if report is not None and len(report.unmatched):
        lost = float(report.unmatched["population"].fillna(0).sum())
        notes.append(f"{len(report.unmatched)} village codes of the population file have no "
                     f"boundary (population {lost:,.0f}); they are not in the table")
    if summary["villages_missing_demand"]:
        notes.append(f"{summary['villages_missing_demand']} villages have no demand value "
                     "(counted as 0)")
    summary["notes"] = notes
    groups = ["demand"] + [g for g in DEMANDS if g in table and table[g].notna().any()]
    districts = coverage_summary(table, groups, weight_col="demand")
    out = table.reset_index()
    if not args.area_weighted:  # the contract: covered is 0/1 in point mode, a share otherwise
        out["covered"] = out["covered"].astype(int)
    if out_path.suffix.lower() == ".csv":
        text = out.replace([np.inf, -np.inf], np.nan).to_csv(index=False, lineterminator="\n")
    else:
        records = [{k: _jsonable(v) for k, v in r.items()} for r in out.to_dict("records")]
        by_district = [{k: _jsonable(v) for k, v in r.items()}
                       for r in districts.reset_index().to_dict("records")]
        text = json.dumps({"summary": {k: _jsonable(v) for k, v in summary.items()},
                           "districts": by_district, "villages": records},
                          ensure_ascii=False, indent=1)
    atomic_write(out_path, text)
    _print_summary(summary, districts, out_path, as_json=args.json)
    return 0


def _fmt_m(v: float) -> str:
    return "無 / none" if not math.isfinite(v) else f"{v / 1000:.2f} km"


def _print_summary(s: dict, districts: pd.DataFrame, out_path: Path, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({k: _jsonable(v) for k, v in s.items()}, ensure_ascii=False, indent=2,
                         default=str))
        return
    t = service_type(s["type"])
    print(f"{t.name_zh} / {t.name_en}: radius {s['radius_m'] / 1000:g} km, {s['mode']} distance"
          + (", area-weighted" if s["area_weighted"] else "")
          + f"; 2SFCA decay: {s['access_decay']}")
    print(f"  sites 據點數: {s['sites']}   districts with a site 有據點行政區: "
          f"{s['districts_with_site']}/{s['districts']} ({s['district_share']:.0%})")
    print(f"  demand 需求 ({s['demand']}): {s['demand_total']:,.0f}; covered 涵蓋 "
          f"{s['demand_covered']:,.0f} ({s['demand_share']:.1%}); uncovered 未涵蓋 "
          f"{s['demand_uncovered']:,.0f}")
    print(f"  nearest site, demand-weighted 最近據點距離: median 中位數 {_fmt_m(s['median_m'])}, "
          f"90th percentile {_fmt_m(s['p90_m'])}")
    print(f"  demand per site 每據點需求數: {s['residents_per_site']:,.0f}")
    if s.get("capacity_norm"):
        if math.isfinite(s["capacity"]):
            print(f"  capacity 服務量能: {s['capacity']:,.0f}; residents per unit "
                  f"{s['residents_per_capacity']:,.0f}; norm 1 per {s['capacity_norm']:,.0f} → "
                  f"needed {s['capacity_needed']:,.1f}")
        else:
            print(f"  capacity unknown for some sites; at the norm of 1 per "
                  f"{s['capacity_norm']:,.0f} the demand needs {s['capacity_needed']:,.1f} units")
    print("  district 行政區        demand 需求   covered 涵蓋率   median 中位距離")
    for code, r in districts.drop(index="all").iterrows():
        print(f"  {r['district']:6s} {code}  {r['demand_total']:12,.0f}   "
              f"{r['demand_share']:8.1%}      {_fmt_m(r['median_m'])}")
    for note in s["notes"]:
        print(f"  - {note}")
    print(f"  wrote 輸出: {out_path}")
