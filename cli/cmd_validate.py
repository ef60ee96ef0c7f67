"""``safetynet validate [FILE] [--type TYPE] [--crs CRS] [--encoding ENC] [--sheet SHEET]
[--geocode] [--population] [--json] [--data-dir DIR]``: check a user's site list (CSV /
.xlsx / GeoJSON) and print what was read (encoding, sheet and header row, coordinate
system and where it was declared), loaded, kept unlocated, placed and rejected, with every
finding. ``--population``: FILE is a population file (ODRP014 layout), checked for
plausibility. Without FILE: the data-quality report of the default layers.

Exit code: 0 when every row loaded (rows kept unlocated count as loaded), 1 when rows were
rejected or a population file holds errors (without FILE: when the report holds errors),
2 for a file that cannot be read at all or a bad argument (see cli.main)."""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from cli import add_common_options
from cli._common import print_json
from cli.cmd_info import finding_line, layer_name
from common.jsonable import to_jsonable
from geo.checks import finding_dict, quality_report
from geo.imports import ImportResult, read_sites
from geo.paths import missing_data_help, resolve_data_dir
from geo.quality import InputError
from geo.services import SERVICE_TYPES
from i18n import has, t, type_name

MAX_PRINTED = 500  # findings printed in text mode (all of them in --json)
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".geojson", ".json")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate", help="檢查據點清單 / validate a site list (CSV, .xlsx, GeoJSON)",
        description="檢查使用者的據點清單 (CSV / .xlsx / GeoJSON)：讀取、載入、未定位與剔除的列數及每個問題。"
                    " Check a site list: rows read, loaded, unlocated, rejected and every "
                    "finding; without FILE, the data-quality report of the default layers in "
                    "--data-dir. Exit 1 when rows were rejected, 2 when the file cannot be read.")
    p.add_argument("file", nargs="?", default=None,
                   help="site list to check; omit to report on the default data layers")
    p.add_argument("--type", dest="service_type", default=None,
                   help="service type for rows without a 類型 column value "
                        "(id or name, e.g. community_support_site or 小衛星)")
    p.add_argument("--crs", default=None,
                   help="coordinate system of the coordinates, e.g. EPSG:3826 (TWD97 TM2), "
                        "EPSG:3828 (TWD67 TM2), EPSG:4326 (lon/lat); must agree with one the "
                        "file declares (GeoJSON crs, .prj)")
    p.add_argument("--encoding", default=None,
                   help="text encoding of a CSV / GeoJSON when you know it (e.g. gb18030); "
                        "default: detected (UTF-8, UTF-16, Big5)")
    p.add_argument("--sheet", default=None,
                   help="worksheet of an .xlsx to read (name or number); default: the sheet "
                        "whose header names the site columns")
    p.add_argument("--geocode", action="store_true",
                   help="place addresses that name no 里 with the online OpenStreetMap "
                        "Nominatim geocoder (sends the addresses over the internet; cached)")
    p.add_argument("--population", action="store_true",
                   help="FILE is a population file (ODRP014 layout): check its plausibility")
    add_common_options(p)
    p.set_defaults(handler=run)


def _lonlat(geom) -> tuple[float | None, float | None]:
    if geom is None or geom.is_empty:
        return None, None
    return geom.x, geom.y


def result_dict(res: ImportResult) -> dict:
    """An import result as JSON-safe data (sites as records with lon/lat; None when
    unlocated)."""
    sites = [{**{k: to_jsonable(v) for k, v in row.items() if k != "geometry"},
              **dict(zip(("lon", "lat"), _lonlat(row["geometry"])))}
             for row in res.sites.to_dict("records")]
    return {
        "file": res.file, "encoding": res.encoding, "sheet": res.sheet,
        "header_row": res.header_row, "coordinate_system": res.coordinate_system,
        "crs_source": res.crs_source, "rows_read": res.rows_read, "loaded": len(res.sites),
        "unlocated": res.unlocated, "rejected": len(res.rejected),
        "located_by": dict(Counter(res.sites["located_by"])) if len(res.sites) else {},
        "geocoder": res.geocoder,
        "rejected_rows": [{k: to_jsonable(v) for k, v in r.items()}
                          for r in res.rejected.to_dict("records")],
        "findings": [finding_dict(f) for f in res.findings],
        "sites": sites,
    }


def _print_findings(findings: list, lang: str) -> None:
    """Every finding (up to MAX_PRINTED) in ``lang``, the reader's expectation kept."""
    print(t("cli.val.findings", lang, n=len(findings)))
    for f in findings[:MAX_PRINTED]:
        d = f if isinstance(f, dict) else finding_dict(f)
        print(finding_line(d, lang, with_expected=True))
    if len(findings) > MAX_PRINTED:
        print(t("cli.val.more", lang, n=len(findings) - MAX_PRINTED))


def _located_by(value: str, lang: str) -> str:
    key = f"cli.val.by.{value or 'unlocated'}"
    return t(key, lang) if has(key) else value


def _print_import(res: ImportResult, lang: str) -> None:
    print(t("cli.val.file", lang, file=res.file))
    if res.encoding:
        print(t("cli.val.encoding", lang, encoding=res.encoding))
    if res.sheet:
        print(t("cli.val.sheet", lang, sheet=res.sheet, header=res.header_row))
    elif res.header_row > 1:
        print(t("cli.val.header", lang, header=res.header_row))
    cs = res.coordinate_system or "—"
    if res.crs_source:
        cs += t("cli.val.crs_source", lang, source=res.crs_source)
    print(t("cli.val.coordinates", lang, crs=cs))
    print(t("cli.val.counts", lang, read=res.rows_read, loaded=len(res.sites),
            unlocated=res.unlocated, rejected=len(res.rejected)))
    if len(res.sites):
        how = Counter(v or "unlocated" for v in res.sites["located_by"])
        print(t("cli.val.located_by", lang, how=", ".join(
            f"{_located_by(k, lang)} {n}" for k, n in sorted(how.items()))))
    if res.geocoder:
        print(t("cli.val.geocoder", lang, geocoder=res.geocoder))
    for _, r in res.rejected.head(MAX_PRINTED).iterrows():
        print(t("cli.val.rejected_row", lang, row=r["row"], reasons=r["reasons"]))
    _print_findings(res.findings, lang)


def _print_report(rep: dict, lang: str) -> None:
    print(t("cli.val.data_dir", lang, path=rep["data_dir"]))
    for layer, entry in rep["layers"].items():
        c = entry["counts"]
        print()
        print(t("cli.val.layer", lang, layer=layer_name(layer, lang), file=entry["file"] or "",
                rows=entry["rows"], errors=c["error"], warnings=c["warning"], info=c["info"]))
        for f in entry["findings"]:
            print(finding_line(f, lang, with_expected=True))
    print()
    print(t("cli.val.completeness", lang))
    for c in rep["completeness"]:
        print(t("cli.val.completeness_row", lang, name=type_name(c["type"], lang)
                if c["type"] in SERVICE_TYPES else c["type"], type=c["type"],
                listed=c["listed"], located=c["located"], official=c["official_count"]))


def _check_arguments(args: argparse.Namespace) -> None:
    if args.file is None:
        given = [o for o, v in (("--type", args.service_type), ("--crs", args.crs),
                                ("--encoding", args.encoding), ("--sheet", args.sheet),
                                ("--geocode", args.geocode), ("--population", args.population))
                 if v]
        if given:
            raise InputError("safetynet validate", field=given[0], value=True,
                             problem="applies to a FILE to check", code="bad_argument",
                             expected="validate FILE " + given[0] + " ...")
        return
    suffix = Path(args.file).suffix.lower()
    if args.sheet is not None and suffix not in (".xlsx", ".xlsm"):
        raise InputError(args.file, field="--sheet", value=args.sheet, code="bad_argument",
                         problem="--sheet applies to .xlsx workbooks only",
                         expected="an .xlsx FILE, or no --sheet")
    if args.encoding is not None and suffix in (".xlsx", ".xlsm"):
        raise InputError(args.file, field="--encoding", value=args.encoding,
                         code="bad_argument", problem="an .xlsx workbook has no text encoding",
                         expected="a CSV / GeoJSON FILE, or no --encoding")
    if args.population and any(v for v in (args.service_type, args.crs, args.sheet,
                                           args.geocode)):
        raise InputError(args.file, field="--population", value=True, code="bad_argument",
                         problem="a population file takes no --type/--crs/--sheet/--geocode",
                         expected="validate FILE --population [--json]")


def _run_population(args: argparse.Namespace) -> int:
    from geo.population import read_population
    try:
        rows, report = read_population(args.file)
        findings, status = report.findings, 0
    except InputError as exc:
        findings, status = exc.findings or [exc.as_finding("population")], 1
        rows = None
    status = 1 if any(f.severity == "error" for f in findings) else status
    if args.json:
        print(json.dumps({"file": args.file, "rows": None if rows is None else len(rows),
                          "findings": [finding_dict(f) for f in findings]},
                         ensure_ascii=False, indent=2, default=str))
    else:
        print(t("cli.val.population_file", args.lang, file=args.file))
        print(t("cli.val.rows", args.lang, rows="—" if rows is None else len(rows)))
        _print_findings(findings, args.lang)
    return status


def run(args: argparse.Namespace) -> int:
    _check_arguments(args)
    if args.file is None:
        data_dir = resolve_data_dir(args.data_dir)
        if data_dir is None:
            print(missing_data_help())
            return 2
        rep = quality_report(data_dir)
        if args.json:
            print_json(rep)
        else:
            _print_report(rep, args.lang)
        return 1 if rep["counts"]["error"] else 0
    if args.population:
        return _run_population(args)
    geocoder = None
    if args.geocode:
        from geo.geocode import nominatim
        geocoder = nominatim()
    res = read_sites(args.file, service_type=args.service_type, crs=args.crs,
                     encoding=args.encoding, sheet=args.sheet, geocoder=geocoder)
    if args.json:
        print_json(result_dict(res))
    else:
        _print_import(res, args.lang)
    return 1 if len(res.rejected) else 0
