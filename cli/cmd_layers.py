"""safetynet layers — the site library: imported site layers kept between sessions.

Layers live in the library directory (``--store DIR``, else ``$SAFETYNET_HOME/layers``,
else the platform user data dir, ``~/.local/share/safetynet/layers`` on Linux); see
:mod:`store.layers`. Every import, rollback and delete is a new version or a checked change:
a layer changed by someone else since the version you name is refused, naming both.

Commands (a contract)::

    safetynet layers list
    safetynet layers show NAME [--version V]
    safetynet layers import FILE --name NAME [--type T] [--replace] [--expected-version V]
                                             [--author A]
    safetynet layers export NAME --out PATH [--version V] [--format csv|geojson|gpkg]
                                            [--overwrite]
    safetynet layers delete NAME [--expected-version V]
    safetynet layers rollback NAME --to VERSION [--expected-version V]

each with ``--json`` (machine-readable output) and ``--store DIR``. ``import`` reads the file
with :func:`geo.imports.read_sites` (CSV / xlsx / GeoJSON); rows it rejects are listed and
not stored, the others are (address-only rows as unlocated). Without ``--replace`` an import
creates a new layer; with it, it replaces the current version (or the one given by
``--expected-version``).

Exit codes: 0 ok; 1 the layer (or version) does not exist, was changed or deleted by another
session (conflict), its file is damaged, or the output file exists (pass ``--overwrite``);
2 bad input: an unreadable or empty site file, a bad argument (via ``cli.main``); 3 an
unexpected internal error, reported in one line by ``cli.main``.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from cli._common import add_vintage_option, check_output, context_from_args, store_actions
from common.jsonable import to_jsonable
from geo.services import SERVICE_TYPES, resolve_service_type
from i18n import t, type_name
from store import (LayerError, LayerNotFound, delete_layer, export_layer, layer_history,
                   layer_versions, layers_dir, list_layers, load_layer, rollback_layer,
                   save_layer)

__all__ = ["register", "run"]

_REJECTED_SHOWN = 10


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("layers", help="站點圖層庫 / site library (list, show, import, export, "
                                      "delete, rollback)")
    action = store_actions(p, run, store_help="library directory (default: "
                           "$SAFETYNET_HOME/layers, else the user data directory, "
                           "~/.local/share/safetynet/layers)")

    action("list", "列出圖層 / list the stored layers")
    a = action("show", "顯示圖層 / a layer's versions and columns", "name")
    a.add_argument("--version", type=int, default=None, help="this version (default: current)")
    a = action("import", "匯入圖層 / store a site file as a layer (new version)", "file")
    a.add_argument("--name", required=True, help="layer name")
    a.add_argument("--type", default=None,
                   help="service type for rows without one (id or name, e.g. 家庭服務中心)")
    a.add_argument("--replace", action="store_true",
                   help="replace the layer's current version (default: the name must be new)")
    a.add_argument("--expected-version", type=int, default=None,
                   help="replace only if the stored version is still this one")
    a.add_argument("--author", default="")
    a.add_argument("--crs", default=None,
                   help="coordinate system of the file's coordinates (e.g. EPSG:3826); must "
                        "agree with one the file declares")
    a.add_argument("--encoding", default=None,
                   help="text encoding when you know it (default: detected)")
    a.add_argument("--sheet", default=None, help="worksheet of an .xlsx (name or number)")
    add_vintage_option(a)
    a = action("export", "匯出圖層 / write a layer to CSV, GeoJSON or GeoPackage", "name")
    a.add_argument("--out", required=True, help="output file (.csv, .geojson or .gpkg)")
    a.add_argument("--version", type=int, default=None, help="this version (default: current)")
    a.add_argument("--format", choices=("csv", "geojson", "gpkg"), default=None,
                   help="default: from the --out suffix")
    a.add_argument("--overwrite", action="store_true")
    a = action("delete", "刪除圖層 / delete a layer and its history", "name")
    a.add_argument("--expected-version", type=int, default=None,
                   help="delete only if the stored version is still this one")
    a = action("rollback", "還原版本 / make an earlier version current (as a new version)",
               "name")
    a.add_argument("--to", dest="to_version", type=int, required=True, help="the version")
    a.add_argument("--expected-version", type=int, default=None,
                   help="only if the stored version is still this one")
    a.add_argument("--author", default="")


def run(args: argparse.Namespace) -> int:
    try:
        return _ACTIONS[args.action](args)
    except (LayerError, FileExistsError) as exc:
        print(t("cli.error", args.lang, command=f"layers {args.action}", message=exc),
              file=sys.stderr)
        return 1


def _shown(value: object) -> str:
    """User text for the terminal: control characters escaped (names are stored verbatim)."""
    return "".join(c if unicodedata.category(c)[0] != "C" else repr(c)[1:-1]
                   for c in str(value))


def _emit(data: object) -> None:
    print(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2, allow_nan=False))


def _types(types, lang: str) -> str:
    """Service types by their catalogue names (an unknown id as it is)."""
    return ", ".join(type_name(x, lang) if x in SERVICE_TYPES else _shown(x) for x in types)


def _line(info, lang: str) -> str:
    return t("cli.layers.line", lang, version=info.version, sites=info.n_sites,
             unlocated=t("cli.layers.unlocated", lang, n=info.n_unlocated)
             if info.n_unlocated else "",
             modified=info.modified, source=_shown(info.source_file) or "-",
             author=_shown(info.author),
             based=t("cli.layers.based", lang, v=info.based_on) if info.based_on else "")


# --- actions --------------------------------------------------------------------------

def _list(args: argparse.Namespace) -> int:
    infos = list_layers(store=args.store)
    bad = [i for i in infos if i.error]
    if args.json:
        _emit({"store": str(layers_dir(args.store)), "layers": [i.to_dict() for i in infos]})
    else:
        print(t("cli.layers.list_head", args.lang, path=layers_dir(args.store),
                n=len(infos) - len(bad)))
        for i in infos:
            if i.error is None:
                print(f"  {_shown(i.name):24s} {_line(i, args.lang)}  "
                      f"[{_types(i.types, args.lang)}]")
        for i in bad:
            print(t("cli.layers.unreadable", args.lang, error=i.error), file=sys.stderr)
    return 1 if bad else 0


def _show(args: argparse.Namespace) -> int:
    layer = load_layer(args.name, version=args.version, store=args.store)
    history = layer_history(args.name, store=args.store)
    columns = [[c, str(layer.sites[c].dtype)] for c in layer.sites.columns]
    if args.json:
        _emit({"layer": layer.info.to_dict(), "columns": columns,
               "history": [h.to_dict() for h in history]})
        return 0
    info, lang = layer.info, args.lang
    print(t("cli.layers.show_head", lang, name=_shown(info.name), version=info.version,
            types=_types(info.types, lang)))
    print(t("cli.layers.show_dates", lang, created=info.created, modified=info.modified,
            author=_shown(info.author) or "-"))
    print(t("cli.layers.show_source", lang, source=_shown(info.source_file) or "-",
            sites=info.n_sites, unlocated=info.n_unlocated))
    print(t("cli.layers.show_columns", lang,
            columns=", ".join(f"{_shown(c)} ({d})" for c, d in columns)))
    print(t("cli.layers.show_versions", lang))
    for h in history:
        print(f"  {_line(h, lang)}" if h.error is None
              else t("cli.layers.unreadable", lang, error=h.error))
    return 0


def _expected(args: argparse.Namespace) -> int:
    """The version an import replaces: --expected-version, the current one with --replace
    (0 when the layer does not exist yet), else 0 (a new layer)."""
    if args.expected_version is not None:
        return args.expected_version
    if not args.replace:
        return 0
    try:
        return layer_versions([args.name], store=args.store)[args.name]
    except LayerNotFound:
        return 0


def _villages(args: argparse.Namespace):
    """The village table with its built-up demand points, or None without a data directory
    (then the committed boundaries' points on surface are used)."""
    from geo.paths import resolve_data_dir
    if resolve_data_dir(args.data_dir) is None:
        return None
    return context_from_args(args).villages


def _public_ids(args: argparse.Namespace) -> list[str]:
    """Ids of the public (default) site layers of the data in use, if any."""
    from geo.paths import resolve_data_dir
    from geo.services import load_default_sites
    data_dir = resolve_data_dir(args.data_dir)
    if data_dir is None:
        return []
    return list(load_default_sites(data_dir)[0]["site_id"].astype(str))


def _import(args: argparse.Namespace) -> int:
    from geo.imports import read_sites
    from store.site_ids import unique_site_ids
    types = [resolve_service_type(args.type, name="--type")] if args.type else None
    path = Path(args.file)
    # address-only rows naming their 里 go to that village's demand point (built-up land)
    villages = _villages(args)
    result = read_sites(path, service_type=args.type, villages=villages, crs=args.crs,
                        encoding=args.encoding, sheet=args.sheet)
    rejected = result.rejected
    lang = args.lang
    reasons = [f"row {r['row']}: {_shown(r['reasons'])}"
               for r in rejected.head(_REJECTED_SHOWN).to_dict("records")]
    if len(result.sites) == 0:
        print(t("cli.error", lang, command="layers import", message=t(
            "cli.layers.nothing_read", lang, path=path, n=len(rejected))), file=sys.stderr)
        for line in _reasons(rejected, lang):
            print(f"  {line}", file=sys.stderr)
        return 2
    # ids generated for lists without an id column (<type>-imp-<row>) repeat across lists:
    # a clash with a public site or another layer is written <layer>:<id>
    sites = unique_site_ids(result.sites, args.name, public_ids=_public_ids(args),
                            store=args.store)
    info = save_layer(args.name, sites, expected_version=_expected(args), types=types,
                      source_file=path.name, author=args.author, store=args.store)
    # cautions and notes on the rows kept (e.g. undeclared metres that could be TWD67,
    # rows placed at their village); the rejected rows are listed below
    notes = [f for f in result.findings if f.row is None or f.severity != "error"]
    located_by = sites["located_by"].value_counts().to_dict()
    if args.json:
        from geo.checks import finding_dict
        _emit({"layer": info.to_dict(), "rows_read": result.rows_read,
               "rejected": len(rejected), "rejected_rows": reasons,
               "located_by": located_by, "findings": [finding_dict(f) for f in notes]})
        return 0
    print(t("cli.layers.stored", lang, name=_shown(info.name), version=info.version,
            sites=info.n_sites, unlocated=info.n_unlocated, source=_shown(path.name)))
    _print_notes(notes, located_by, lang)
    if len(rejected):
        print(t("cli.layers.rejected", lang, n=len(rejected)), file=sys.stderr)
        for line in _reasons(rejected, lang):
            print(f"  {line}", file=sys.stderr)
    return 0


def _print_notes(notes: list, located_by: dict, lang: str) -> None:
    """How the stored sites were located, and the reader's cautions, in ``lang``."""
    from cli.cmd_info import finding_line
    from geo.checks import finding_dict
    counts = [t("cli.layers.located_by_item", lang, how=t(f"cli.located_by.{k or 'none'}", lang),
                n=n) for k, n in located_by.items()]
    print(t("cli.layers.located_by", lang, counts=t("list_sep", lang).join(counts)))
    for f in notes[:_REJECTED_SHOWN]:  # a long list: the first ones (all in --json)
        print("  " + finding_line(finding_dict(f), lang, with_expected=True).strip())
    if len(notes) > _REJECTED_SHOWN:
        print(t("cli.val.more", lang, n=len(notes) - _REJECTED_SHOWN))


def _reasons(rejected, lang: str) -> list[str]:
    """The first rejected rows, each with its row number and the reader's reasons."""
    return [t("cli.layers.rejected_row", lang, row=r["row"], reasons=_shown(r["reasons"]))
            for r in rejected.head(_REJECTED_SHOWN).to_dict("records")]


def _export(args: argparse.Namespace) -> int:
    check_output(args.out, args)  # never into the data, the library or the scenario store
    path = export_layer(args.name, args.out, version=args.version, fmt=args.format,
                        store=args.store, overwrite=args.overwrite)
    print(t("cli.layers.exported", args.lang, name=_shown(args.name), path=path))
    return 0


def _delete(args: argparse.Namespace) -> int:
    delete_layer(args.name, expected_version=args.expected_version, store=args.store)
    print(t("cli.layers.deleted", args.lang, name=_shown(args.name)))
    return 0


def _rollback(args: argparse.Namespace) -> int:
    info = rollback_layer(args.name, args.to_version, expected_version=args.expected_version,
                          author=args.author, store=args.store)
    if args.json:
        _emit({"layer": info.to_dict()})
        return 0
    print(t("cli.layers.rolled_back", args.lang, name=_shown(info.name), version=info.version,
            old=args.to_version))
    return 0


_ACTIONS = {"list": _list, "show": _show, "import": _import, "export": _export,
            "delete": _delete, "rollback": _rollback}
