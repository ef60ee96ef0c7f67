"""``safetynet optimize --model mclp|lscp|pmedian --type T --radius-km R [--k K]
[--candidates FILE] [--no-fix-existing] [--demand GROUP] [--time-limit S] [--greedy]
--out FILE.json``: where to add sites of one service type.

By default the type's open sites are kept (fixed) and K new sites are chosen among the
village points (candidate id = VILLCODE); ``--candidates FILE`` (CSV / .xlsx / GeoJSON,
read like any site list) replaces the village points, e.g. social-housing sites. Straight-
line distances in EPSG:3826. The JSON is written atomically. Exit code 0 on success, 2 on
bad input (every row of --candidates rejected, unknown type, ...)."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from cli import add_common_options
from cli.cmd_coverage import DEMANDS, _jsonable, atomic_write
from geo.paths import missing_data_help, resolve_data_dir
from geo.services import match_service_type, service_type

MODELS = ("mclp", "lscp", "pmedian")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("optimize", help="據點區位建議 / suggest where to add sites (MCLP, LSCP, "
                       "p-median)", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=MODELS, default="mclp",
                   help="mclp: k new sites maximising covered demand; lscp: fewest new sites "
                        "covering every reachable village; pmedian: k new sites minimising "
                        "demand-weighted distance")
    p.add_argument("--type", dest="service_type", required=True,
                   help="service type id or name (e.g. mental_health_centre)")
    p.add_argument("--radius-km", type=float, default=None,
                   help="catchment radius in km (default: coverage/defaults.toml)")
    p.add_argument("--k", type=int, default=None, help="number of NEW sites (mclp, pmedian)")
    p.add_argument("--candidates", default=None,
                   help="candidate site list (CSV / .xlsx / GeoJSON) instead of village points")
    p.add_argument("--no-fix-existing", dest="fix_existing", action="store_false",
                   help="existing sites are ordinary candidates instead of always kept")
    p.add_argument("--include-planned", action="store_true",
                   help="planned sites of the type count as existing too")
    p.add_argument("--demand", choices=DEMANDS, default="population", help="demand group")
    p.add_argument("--time-limit", type=float, default=60.0, help="solver time limit, seconds")
    p.add_argument("--greedy", action="store_true",
                   help="greedy heuristic instead of the exact MIP (fast, not optimal)")
    p.add_argument("--out", required=True, help="output file (.json)")
    add_common_options(p)
    p.set_defaults(handler=run)


def _check(args: argparse.Namespace) -> tuple[str, float]:
    type_id = match_service_type(args.service_type)
    if type_id is None:
        service_type(str(args.service_type))  # raises KeyError listing the valid ids
    if Path(args.out).suffix.lower() != ".json":
        raise ValueError(f"--out must end in .json, got {args.out!r}")
    from coverage.config import type_defaults
    radius_m = (type_defaults(type_id).radius_m if args.radius_km is None
                else args.radius_km * 1000.0)
    if not math.isfinite(radius_m) or radius_m <= 0:
        raise ValueError(f"--radius-km must be a number > 0, got {args.radius_km}")
    if args.model == "lscp" and args.k is not None:
        raise ValueError("--k does not apply to lscp (it chooses the number of sites)")
    if args.model != "lscp" and (args.k is None or args.k < 0):
        raise ValueError(f"--model {args.model} needs --k, the number of new sites (>= 0)")
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise ValueError(f"--time-limit must be > 0 seconds, got {args.time_limit}")
    return type_id, radius_m


def _read_candidates(path: str, type_id: str):
    """The candidate site list; every rejected row is printed to stderr. Raises ValueError
    when no row could be used."""
    from geo.imports import read_sites
    res = read_sites(path, service_type=type_id)
    for _, row in res.rejected.iterrows():
        print(f"{path}: row {row['row']} rejected: {row['reasons']}", file=sys.stderr)
    if len(res.sites) == 0:
        raise ValueError(f"{path}: no usable candidate site ({res.rows_read} rows read, "
                         f"{len(res.rejected)} rejected)")
    return res


@contextmanager
def _stdout_to_stderr():
    """Send file descriptor 1 to stderr for the duration (C-level prints included), so
    stdout carries only this command's own output (e.g. --json)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _shown(value: object) -> str:
    """User text for the terminal: control characters escaped."""
    if value is None:
        return "-"
    return "".join(c if unicodedata.category(c)[0] != "C" else repr(c)[1:-1] for c in str(value))


def run(args: argparse.Namespace) -> int:
    from coverage.metrics import select_sites
    from coverage.placement import chosen_table, placement_input, solve
    from geo.dataset import load_dataset

    type_id, radius_m = _check(args)
    data_dir = resolve_data_dir(args.data_dir)
    if data_dir is None:
        raise FileNotFoundError(missing_data_help())
    ds = load_dataset(data_dir)
    existing = select_sites(ds.sites, type_id, include_planned=args.include_planned)
    cand = _read_candidates(args.candidates, type_id) if args.candidates else None
    inp = placement_input(ds.villages, existing, demand=args.demand,
                          candidates=None if cand is None else cand.sites,
                          fix_existing=args.fix_existing)
    with _stdout_to_stderr():  # highspy prints a banner on stdout for every Highs()
        result = solve(inp, model=args.model, radius_m=radius_m, k=args.k,
                       time_limit=args.time_limit, method="greedy" if args.greedy else "exact")
    chosen = chosen_table(inp, result)
    within = inp.costs[:, inp.candidates["existing"].to_numpy()] <= radius_m
    baseline = float(inp.demand.to_numpy(float)[within.any(axis=1)].sum())
    out = {
        "model": args.model, "method": result.method,
        "parameters": {"type": type_id, "radius_m": radius_m, "k": args.k,
                       "demand": args.demand, "fix_existing": args.fix_existing,
                       "include_planned": args.include_planned,
                       "candidates": args.candidates or "village points (VILLCODE)",
                       "distance": "straight line, EPSG:3826", "time_limit_s": args.time_limit},
        "chosen": [{k: _jsonable(v) for k, v in r.items()}
                   for r in chosen.to_dict("records")],
        "new_sites": list(result.new_sites),
        "existing_sites": int(len(existing)),
        "covered_existing": baseline,
        "covered_before": result.covered_demand_before,
        "covered_after": result.covered_demand_after,
        "total_demand": result.total_demand,
        "uncoverable_demand": result.uncoverable_demand,
        "uncoverable_villages": len(result.uncoverable_ids),
        "objective": result.objective,
        "solver_status": result.solver_status, "optimal": result.optimal,
        "mip_gap": result.mip_gap, "runtime_s": result.runtime_s,
        "candidates_total": int(len(inp.candidates)),
        "candidates_rejected": None if cand is None else int(len(cand.rejected)),
        "vintages": ds.vintages,
    }
    out = {k: _jsonable(v) for k, v in out.items()}
    atomic_write(Path(args.out), json.dumps(out, ensure_ascii=False, indent=1, allow_nan=False))
    _print(out, Path(args.out), as_json=args.json)
    return 0


def _print(s: dict, path: Path, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({k: v for k, v in s.items() if k != "chosen"}, ensure_ascii=False,
                         indent=2))
        return
    p = s["parameters"]
    t = service_type(p["type"])
    total = s["total_demand"] or math.nan
    print(f"{t.name_zh} / {t.name_en}: {s['model']} ({s['method']}), radius "
          f"{p['radius_m'] / 1000:g} km, demand {p['demand']}")
    print(f"  solver 求解: {s['solver_status']}, optimal {s['optimal']}, gap "
          f"{'unknown' if s['mip_gap'] is None else format(s['mip_gap'], '.4%')}, "
          f"objective {s['objective']:,.2f}")
    for label, key in (("covered by existing 現有涵蓋", "covered_existing"),
                       ("covered after 建議後涵蓋", "covered_after")):
        v = s[key]
        print(f"  {label}: " + ("—" if v is None else f"{v:,.0f} ({v / total:.1%})"))
    if s["uncoverable_demand"]:
        print(f"  uncoverable 無候選點可涵蓋: {s['uncoverable_demand']:,.0f} "
              f"({s['uncoverable_villages']} villages)")
    for r in s["chosen"]:
        tag = "fixed 既有" if r["fixed"] else ("new 新增" if r["new"] else "chosen 既有")
        print(f"  - {tag:10s} {_shown(r['id']):14s} {_shown(r['name'])}  ({r['lon']:.5f}, "
              f"{r['lat']:.5f}) {_shown(r['district'])}{_shown(r['village'] or '')}")
    print(f"  wrote 輸出: {path}")
