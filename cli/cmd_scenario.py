"""safetynet scenario — list, show, apply and manage stored what-if scenarios.

Scenarios live in a store directory (``--store DIR``, else ``$SAFETYNET_HOME/scenarios``,
else the platform user data dir, ``~/.local/share/safetynet/scenarios`` on Linux); see
:mod:`store.scenarios`. Village edits are placed on the boundaries of ``--data-dir``'s
data set (:func:`coverage.places.dataset_places`). Exit codes: 0 ok, 1 store error
(missing, conflict, corrupted file), 2 bad input (via ``cli.main``).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import unicodedata
from pathlib import Path

import pandas as pd

from cli._common import check_output, print_json, store_actions
from cli.cmd_info import version_date
from coverage.places import Places, dataset_places
from coverage.scenario import Scenario, apply_edits, changed_site_ids, edits_from_list
from geo.paths import missing_data_help, resolve_data_dir
from geo.services import SERVICE_TYPES
from i18n import has, label, t, type_name
from store import (ScenarioError, delete_scenario, duplicate_scenario, export_scenario,
                   import_scenario, list_scenarios, load_scenario, quarantine_corrupt,
                   save_scenario, store_dir)

_FIELDS = ("type", "name", "district", "address", "status", "capacity")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenario", help="情境管理 / what-if scenarios (list, show, apply, ...)")
    action = store_actions(p, run, store_help="scenario store directory (default: "
                           "$SAFETYNET_HOME/scenarios, else ~/.local/share/safetynet/scenarios)")

    action("list", "列出情境 / list stored scenarios")
    action("show", "顯示情境 / show a scenario's metadata and edits", "name")
    a = action("apply", "套用情境 / apply a scenario's edits and print the site changes", "name")
    a.add_argument("--current-baseline", action="store_true",
                   help="apply the edits to the current default sites of --data-dir instead "
                        "of the baseline stored with the scenario")
    a = action("new", "新增情境 / create a scenario on the current default sites", "name")
    a.add_argument("--edits", default=None, help="JSON file with a list of edits")
    a.add_argument("--author", default="")
    a.add_argument("--notes", default="")
    action("duplicate", "複製情境 / copy a scenario under a new name", "name", "new_name")
    a = action("delete", "刪除情境 / delete a scenario", "name")
    a.add_argument("--expected-version", type=int, default=None,
                   help="delete only if the stored version is still this one")
    a = action("export", "匯出情境 / export a scenario to a standalone .gpkg", "name", "file")
    a.add_argument("--overwrite", action="store_true")
    a = action("import", "匯入情境 / import a scenario .gpkg into the store", "file")
    a.add_argument("--as", dest="new_name", default=None, help="store it under this name")
    action("repair", "隔離損毀檔案 / move unreadable scenario files aside (.corrupt-<time>)")


def run(args: argparse.Namespace) -> int:
    try:
        return _ACTIONS[args.action](args)
    except (ScenarioError, FileExistsError) as exc:
        print(t("cli.error", args.lang, command=f"scenario {args.action}", message=exc),
              file=sys.stderr)
        return 1


def _shown(value: object) -> str:
    """User text for the terminal: control characters escaped (names are stored verbatim)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return "".join(c if unicodedata.category(c)[0] != "C" else repr(c)[1:-1] for c in str(value))


def _field(name: str, lang: str) -> str:
    """A site or edit field's name in ``lang`` (the id when the catalogue lacks it)."""
    for key in (f"field.{name}", f"cli.scn.field.{name}"):
        if has(key):
            return t(key, lang)
    return name


def _value(name: str, value: object, lang: str) -> str:
    """A field's value for the terminal: service types and statuses in words."""
    if name == "type" and value in SERVICE_TYPES:
        return type_name(str(value), lang)
    if name == "status" and isinstance(value, str) and value in ("open", "planned", "closed"):
        return t(value, lang)
    if name == "district" and lang == "en" and isinstance(value, str):
        from geo.boundaries import load_districts
        districts = load_districts()
        value = dict(zip(districts["district"], districts["district_en"])).get(value, value)
    return _shown(value)


def _context(args: argparse.Namespace):
    """The analysis context of ``--data-dir`` (villages, districts, default sites), loaded
    once per command."""
    if getattr(args, "_context", None) is None:
        from analysis.context import load_context
        args._context = load_context(resolve_data_dir(args.data_dir))
    return args._context


def _places(args: argparse.Namespace) -> Places:
    """Village points and districts of the data set the edits are placed on."""
    return dataset_places(_context(args))


def _emit(args: argparse.Namespace, data: object) -> None:
    print_json(data)


# --- actions --------------------------------------------------------------------------

def _list(args: argparse.Namespace) -> int:
    infos = list_scenarios(store=args.store)
    bad = [i for i in infos if i.error]
    if args.json:
        _emit(args, {"store": str(store_dir(args.store)),
                     "scenarios": [{**i.__dict__, "path": str(i.path)} for i in infos]})
    else:
        print(t("cli.scn.list_head", args.lang, path=store_dir(args.store),
                n=len(infos) - len(bad)))
        for i in infos:
            if i.error is None:
                print(f"  {_shown(i.name):30s} " + t("cli.scn.line", args.lang, version=i.version,
                                                     edits=i.n_edits, modified=i.modified,
                                                     author=_shown(i.author)))
        for i in bad:
            print(t("cli.layers.unreadable", args.lang, error=i.error), file=sys.stderr)
    return 1 if bad else 0


def _show(args: argparse.Namespace) -> int:
    scn = load_scenario(args.name, store=args.store)
    meta = scn.metadata() | {"baseline_sites": len(scn.baseline),
                             "changed_site_ids": list(changed_site_ids(scn.edits))}
    if args.json:
        _emit(args, meta)
        return 0
    lang = args.lang
    print(t("cli.scn.show_head", lang, name=_shown(scn.name), version=scn.version))
    print(t("cli.scn.author", lang, author=_shown(scn.author) if scn.author else "-"))
    print(t("cli.scn.dates", lang, created=scn.created, modified=scn.modified))
    if scn.notes:
        print(t("cli.scn.notes", lang, notes=_shown(scn.notes)))
    print(t("cli.scn.baseline", lang, sites=len(scn.baseline), edits=len(scn.edits)))
    if scn.boundary_vintage:
        print(t("cli.scn.boundaries", lang, vintage=version_date(_shown(scn.boundary_vintage))))
    if scn.layer_versions:
        print(t("cli.scn.layers", lang, layers=", ".join(
            f"{_shown(n)} v{v}" for n, v in sorted(scn.layer_versions.items()))))
    for i, e in enumerate(meta["edits"]):
        rest = ", ".join(f"{_field(k, lang)}={_value(k, v, lang)}" for k, v in e.items()
                         if k != "kind" and v is not None)
        kind = t(f"cli.scn.kind.{e['kind']}", lang) if has(f"cli.scn.kind.{e['kind']}") \
            else e["kind"]
        print(f"  {i:3d}  {kind}  {rest}")
    return 0


def _apply(args: argparse.Namespace) -> int:
    scn = load_scenario(args.name, store=args.store)
    baseline = scn.baseline
    if args.current_baseline:
        data_dir = resolve_data_dir(args.data_dir)
        if data_dir is None:
            print(missing_data_help(), file=sys.stderr)
            return 2
        baseline = _context(args).sites
    after = apply_edits(baseline, scn.edits, places=_places(args),
                        made_on=scn.boundary_vintage or None)
    changes = site_changes(baseline, after, changed_site_ids(scn.edits))
    coverage = (coverage_comparison(baseline, after, ctx=_context(args))
                if resolve_data_dir(args.data_dir) is not None else None)
    note = ("no population data (see `safetynet info`): no before/after figures"
            if coverage is None else None)  # JSON (a contract); the text is in --lang
    if args.json:
        _emit(args, {"scenario": scn.name, "version": scn.version,
                     "baseline": "current" if args.current_baseline else "stored",
                     "sites_before": len(baseline), "sites_after": len(after),
                     "changes": changes, "coverage": coverage, "coverage_note": note})
        return 0
    _print_apply(args, scn, baseline, after, changes, coverage)
    return 0


def _print_apply(args, scn, baseline, after, changes, coverage) -> None:
    lang = args.lang
    print(t("cli.scn.apply_head", lang, name=_shown(scn.name), version=scn.version,
            baseline=t("cli.scn.baseline_current" if args.current_baseline
                       else "cli.scn.baseline_stored", lang)))
    print(t("cli.scn.sites", lang, before=len(baseline), after=len(after), n=len(changes)))
    for c in changes:
        change = t("cli.scn.added" if c["change"] == "added" else "cli.scn.modified", lang)
        print(f"  {c['site_id']:10s} {change}")
        for fld, v in c["fields"].items():
            before = "" if c["change"] == "added" else f"{_value(fld, v['before'], lang)} → "
            print(f"      {_field(fld, lang)}  {before}{_value(fld, v['after'], lang)}")
    if coverage is None:
        print(t("cli.scn.no_population", lang))
        return
    print(t("cli.scn.coverage_head", lang))
    for type_id, c in coverage.items():
        parts = [t("cli.scn.coverage_part", lang, group=_group(g, lang),
                   before=f"{v['before']:,.0f}", after=f"{v['after']:,.0f}",
                   change=f"{v['change']:+,.0f}") for g, v in c["covered"].items()]
        print(t("cli.scn.coverage_type", lang, type=type_name(type_id, lang)
                if type_id in SERVICE_TYPES else type_id, radius=f"{c['radius_m'] / 1000:g}",
                parts=t("cli.info.list_sep", lang).join(parts)))
        d = c["districts_with_site"]
        print(t("cli.scn.villages", lang, gained=len(c["villages_gained"]),
                lost=len(c["villages_lost"]), before=d["before"], after=d["after"], of=d["of"]))


def _group(group: str, lang: str) -> str:
    """A population group (population, children, elderly) in words."""
    return t(f"group_{group}", lang) if has(f"group_{group}") else label(group, lang)


def _new(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    if data_dir is None:
        print(missing_data_help(), file=sys.stderr)
        return 2
    ctx = _context(args)
    baseline = ctx.sites
    edits = ()
    if args.edits:
        edits = edits_from_list(json.loads(Path(args.edits).read_text(encoding="utf-8")))
    scn = Scenario(args.name, baseline, edits, author=args.author, notes=args.notes)
    saved = save_scenario(scn, places=_places(args), store=args.store, expected_version=0,
                          layer_versions=ctx.layer_versions)
    print(t("cli.scn.saved", args.lang, name=_shown(saved.name), version=saved.version))
    return 0


def _duplicate(args: argparse.Namespace) -> int:
    saved = duplicate_scenario(args.name, args.new_name, places=_places(args), store=args.store)
    print(t("cli.scn.saved", args.lang, name=_shown(saved.name), version=saved.version))
    return 0


def _delete(args: argparse.Namespace) -> int:
    delete_scenario(args.name, store=args.store, expected_version=args.expected_version)
    print(t("cli.scn.deleted", args.lang, name=_shown(args.name)))
    return 0


def _export(args: argparse.Namespace) -> int:
    check_output(args.file, args)  # never into the data, the library or the scenario store
    path = export_scenario(args.name, args.file, store=args.store, overwrite=args.overwrite)
    print(t("cli.scn.exported", args.lang, name=_shown(args.name), path=path))
    return 0


def _import(args: argparse.Namespace) -> int:
    saved = import_scenario(args.file, places=_places(args), store=args.store,
                            name=args.new_name)
    print(t("cli.scn.imported", args.lang, name=_shown(saved.name), version=saved.version))
    return 0


def _repair(args: argparse.Namespace) -> int:
    moved = quarantine_corrupt(store=args.store)
    for path in moved:
        print(t("cli.scn.moved", args.lang, path=path))
    print(t("cli.scn.moved_count", args.lang, n=len(moved)))
    return 0


_ACTIONS = {"list": _list, "show": _show, "apply": _apply, "new": _new,
            "duplicate": _duplicate, "delete": _delete, "export": _export,
            "import": _import, "repair": _repair}


# --- site changes and the coverage hook -----------------------------------------------

def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def site_changes(before, after, site_ids) -> list[dict]:
    """Per changed site: ``change`` (added / modified) and the fields that differ, each
    ``{"before": ..., "after": ...}``; lon/lat in EPSG:4326. Unchanged fields are omitted."""
    old = before.set_index("site_id")
    new = after.set_index("site_id")
    out = []
    for sid in site_ids:
        a = new.loc[sid]
        b = old.loc[sid] if sid in old.index else None
        diffs = {}
        for fld in _FIELDS:
            va, vb = _plain(a[fld]), None if b is None else _plain(b[fld])
            if b is None or va != vb:
                diffs[fld] = {"before": vb, "after": va}
        pa = (round(a.geometry.x, 6), round(a.geometry.y, 6))
        pb = None if b is None else (round(b.geometry.x, 6), round(b.geometry.y, 6))
        if pa != pb:
            diffs["lon/lat"] = {"before": pb, "after": pa}
        out.append({"site_id": sid, "change": "added" if b is None else "modified",
                    "fields": diffs})
    return out


def coverage_comparison(before, after, *, ctx) -> dict | None:
    """Coverage before/after for the service types the scenario changes, at the config's
    radii (:func:`analysis.scenario.compare_scenario`); None without population data."""
    from analysis.scenario import compare_scenario
    from coverage.compare import comparison_dict
    if ctx.population is None:
        return None
    result = compare_scenario(ctx, before, after)
    return {t: comparison_dict(c) for t, c in result.types.items()}
