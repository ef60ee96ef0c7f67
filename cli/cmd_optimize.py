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
import re
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from cli import add_common_options
from cli._common import (add_distance_options, add_vintage_option, check_suffix,
                         check_output, context_from_args, print_json, radius_from_args,
                         write_output)
from cli.cmd_coverage import DEMANDS
from common.jsonable import to_jsonable
from geo.services import resolve_service_type
from i18n import has, label, t, type_name

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
    add_distance_options(p)
    p.add_argument("--k", type=int, default=None, help="number of NEW sites (mclp, pmedian)")
    p.add_argument("--candidates", default=None,
                   help="candidate site list (CSV / .xlsx / GeoJSON) instead of village points")
    p.add_argument("--no-fix-existing", dest="fix_existing", action="store_false",
                   help="existing sites are ordinary candidates instead of always kept")
    p.add_argument("--include-planned", action="store_true",
                   help="planned sites of the type count as existing too")
    p.add_argument("--demand", choices=DEMANDS, default=None,
                   help="demand group (default: the type's target population)")
    p.add_argument("--time-limit", type=float, default=60.0, help="solver time limit, seconds")
    p.add_argument("--greedy", action="store_true",
                   help="greedy heuristic instead of the exact MIP (fast, not optimal)")
    p.add_argument("--out", required=True, help="output file (.json)")
    add_vintage_option(p)
    add_common_options(p)
    p.set_defaults(handler=run)


def _read_candidates(path: str, type_id: str, villages, lang: str):
    """(the candidate list's reading, its located candidates); every rejected row and the
    number of unlocated (address-only, not placeable) candidates are printed to stderr.
    Raises ValueError when no candidate can be used."""
    from geo.imports import read_sites
    from geo.services import is_located
    res = read_sites(path, service_type=type_id, villages=villages)
    for _, row in res.rejected.iterrows():
        print(t("cli.opt.rejected_row", lang, path=path, row=row["row"], reasons=row["reasons"]),
              file=sys.stderr)
    mask = is_located(res.sites)
    located, left_out = res.sites[mask], int((~mask).sum())
    if left_out:
        print(t("cli.opt.unlocated", lang, path=path, n=left_out), file=sys.stderr)
    if len(located) == 0:
        raise ValueError(t("cli.opt.no_candidate", lang, path=path, rows=res.rows_read,
                           rejected=len(res.rejected), unlocated=left_out))
    return res, located


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
    from analysis.placement import PlacementQuery, suggest_sites

    out_path = check_suffix(args.out, "--out", (".json",))
    check_output(out_path, args, inputs=[args.candidates])  # before the work
    radius, weight = radius_from_args(args)
    query = PlacementQuery(args.service_type, model=args.model, k=args.k, radius=radius,
                           mode=args.mode, weight=weight, max_snap_m=args.max_snap_m,
                           demand=args.demand,
                           include_planned=args.include_planned, fix_existing=args.fix_existing,
                           time_limit_s=args.time_limit,
                           method="greedy" if args.greedy else "exact")
    if args.model != "lscp" and args.k is None:
        raise ValueError(f"--model {args.model} needs --k, the number of new sites (>= 0)")
    ctx = context_from_args(args)
    type_id = resolve_service_type(args.service_type, name="--type")
    cand, cand_sites = (_read_candidates(args.candidates, type_id, ctx.villages, args.lang)
                        if args.candidates else (None, None))
    with _stdout_to_stderr():  # highspy prints a banner on stdout for every Highs()
        summary = suggest_sites(ctx, query, candidates=cand_sites)
    q, result = summary.query, summary.result
    out = {
        "model": q.model, "method": result.method,
        "parameters": {"type": q.type_id, **({"radius_min": q.radius / 60.0} if q.unit == "s"
                                             else {"radius_m": q.radius}), "k": q.k,
                       "demand": summary.demand_column, "fix_existing": q.fix_existing,
                       "include_planned": q.include_planned,
                       "candidates": args.candidates or "village points (VILLCODE)",
                       "distance": "straight line, EPSG:3826" if q.mode == "straight" else
                       f"road network ({q.weight}): {ctx.road_network()[1].label}",
                       "time_limit_s": q.time_limit_s},
        "notes": [n.text(args.lang) for n in summary.notes],
        "chosen": summary.chosen,
        "new_sites": list(result.new_sites),
        "existing_sites": summary.existing_sites,
        "covered_existing": summary.covered_existing,
        "covered_before": result.covered_demand_before,
        "covered_after": result.covered_demand_after,
        "total_demand": result.total_demand,
        "uncoverable_demand": result.uncoverable_demand,
        "uncoverable_villages": len(result.uncoverable_ids),
        "objective": result.objective,
        "solver_status": result.solver_status, "optimal": result.optimal,
        "mip_gap": result.mip_gap, "runtime_s": result.runtime_s,
        "candidates_total": summary.candidates_total,
        "candidates_rejected": None if cand is None else int(len(cand.rejected)),
        "vintages": ctx.vintages,
    }
    out = to_jsonable(out)
    write_output(out_path, json.dumps(out, ensure_ascii=False, indent=1, allow_nan=False),
                 args, inputs=[args.candidates])
    _print(out, out_path, as_json=args.json, lang=args.lang, villages=ctx.villages)
    return 0


def _word(key: str, lang: str) -> str:
    """The catalogue's words for ``key``, else the last part of the key (an id)."""
    return t(key, lang) if has(key) else key.rsplit(".", 1)[-1]


def _distance(text: str, lang: str) -> str:
    """The summary's distance ("straight line, EPSG:3826" or "road network (WEIGHT):
    LABEL") in words."""
    if text.startswith("straight line"):
        return t("cli.mode_straight", lang) + text.removeprefix("straight line")
    m = re.fullmatch(r"road network \((\w+)\): (.*)", text)
    if m is None:
        return text
    return t("cli.opt.road", lang, mode=_word(f"cli.mode_network_{m.group(1)}", lang),
             label=m.group(2))


def _demand(column: str, lang: str) -> str:
    return t(f"group_{column}", lang) if has(f"group_{column}") else label(column, lang)


def _place_names(villages, lang: str):
    """district + village of a chosen site in ``lang`` (English names from the village
    table; names it lacks as they are)."""
    names: dict = {}
    if lang == "en" and villages is not None:
        names = {(d, v): (de, ve) for d, v, de, ve in zip(
            villages["district"], villages["village"], villages["district_en"],
            villages["village_en"])}
        names |= {(d, None): (de, None) for (d, _), (de, _) in list(names.items())}

    def place(district, village) -> str:
        if lang != "en":
            return f"{_shown(district)}{_shown(village or '')}"
        d, v = names.get((district, village or None), (district, village))
        return " ".join(_shown(x) for x in (d, v) if x)
    return place


def _print(s: dict, path: Path, *, as_json: bool, lang: str, villages=None) -> None:
    if as_json:
        print_json({k: v for k, v in s.items() if k != "chosen"})
        return
    p = s["parameters"]
    total = s["total_demand"] or math.nan
    radius = (t("cli.opt.minutes", lang, n=p["radius_min"]) if "radius_min" in p
              else f"{p['radius_m'] / 1000:g} km")
    print(t("cli.opt.head", lang, type=type_name(p["type"], lang),
            model=_word(f"cli.opt.model.{s['model']}", lang),
            method=_word(f"cli.opt.method.{s['method']}", lang), radius=radius,
            demand=_demand(p["demand"], lang), distance=_distance(p["distance"], lang)))
    print(t("cli.opt.solver", lang, status=_word(f"cli.opt.status.{s['solver_status']}", lang),
            optimal=t("cli.opt.proven" if s["optimal"] else "cli.opt.not_proven", lang),
            gap=t("cli.opt.unknown", lang) if s["mip_gap"] is None
            else format(s["mip_gap"], ".4%"), objective=f"{s['objective']:,.2f}"))
    for key in ("covered_existing", "covered_after"):
        v = s[key]
        print(t(f"cli.opt.{key}", lang,
                value="—" if v is None else f"{v:,.0f} ({v / total:.1%})"))
    if s["uncoverable_demand"]:
        print(t("cli.opt.uncoverable", lang, demand=f"{s['uncoverable_demand']:,.0f}",
                n=s["uncoverable_villages"]))
    place = _place_names(villages, lang)
    for r in s["chosen"]:
        tag = t("cli.opt.fixed" if r["fixed"] else "cli.opt.new" if r["new"]
                else "cli.opt.chosen", lang)
        gain = "" if r.get("gain") is None else t("cli.opt.gain", lang, gain=f"{r['gain']:,.0f}")
        name = _shown(r["name"])
        if lang == "en" and villages is not None and r["id"] in villages.index:
            name = place(r["district"], r["village"])  # a village point: its English name
        print(f"  - {tag:10s} {_shown(r['id']):14s} {name}  ({r['lon']:.5f}, "
              f"{r['lat']:.5f}) {place(r['district'], r['village'])}{gain}")
    for note in s.get("notes", []):
        print(f"  - {note}")
    print(t("cli.wrote", lang, path=path))
