"""safetynet info — the loaded layers: counts, vintages, how residents are placed, the village
crosswalk, need indicators and their coverage, completeness, data-quality findings."""
from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

from cli import add_common_options
from cli._common import print_json
from geo.dataset import Dataset, load_dataset
from geo.paths import missing_data_help
from geo.population import POPULATION_VINTAGES
from geo.quality import Finding
from geo.services import SERVICE_TYPES, completeness
from i18n import district_name, has, label, t, type_name, village_name


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="列出已載入圖層 / show loaded layers and data quality")
    add_common_options(p)
    p.add_argument("--vintage", default=None, choices=sorted(POPULATION_VINTAGES),
                   help="population vintage (statistic month) with its boundaries "
                        "(default: the newest)")
    p.add_argument("--population-file", default=None,
                   help="population file under <data-dir>/population/ or a path "
                        "(joined to the boundaries whose codes match it)")
    p.set_defaults(handler=run)


def _all_findings(ds: Dataset) -> list[Finding]:
    findings = list(ds.findings)
    try:  # site checks (geo/checks.py) when available
        from geo.checks import check_sites
    except ImportError:
        return findings
    if len(ds.sites):
        findings += check_sites(ds.sites, districts=ds.districts)
    return findings


def _population(ds: Dataset) -> dict | None:
    pop = ds.population
    if pop is None:
        return None
    unplaced = int(pop.unmatched["population"].fillna(0).sum()) if len(pop.unmatched) else 0
    placed = int(ds.villages["population"].notna().sum())
    return pop.summary() | {"villages_with_population": placed, "unplaced_residents": unplaced}


def info_dict(ds: Dataset) -> dict:
    """The report as plain data (also the --json output)."""
    comp = completeness(ds.sites).reset_index()
    return {
        "data_dir": str(ds.data_dir) if ds.data_dir else None,
        "villages": len(ds.villages), "districts": len(ds.districts),
        "vintage_pair": {"population": ds.population.vintage if ds.population else None,
                         "boundaries": ds.boundaries},
        "population": _population(ds),
        "vintages": ds.vintages,
        "demand_points": ds.demand_point_summary(),
        "crosswalk": ds.crosswalk_summary(),
        "indicators": {k: ind.summary() for k, ind in ds.indicators.items()},
        "layers": comp.to_dict("records"),
        "findings": [f.__dict__ | {"message": f.message()} for f in _all_findings(ds)],
        "missing": ds.missing,
    }


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 0)


def version_date(text: object) -> str:
    """The date of a data version ("2023-09" of "NLSC 村里界圖 release 1120928 (2023-09)"):
    the last YYYY-MM[-DD] in the text, else its last year, else the text."""
    tokens = re.findall(r"(?<![\d-])((?:19|20)\d{2}(?:-\d{2}){0,2})(?![\d-])", str(text))
    dated = [x for x in tokens if "-" in x]
    return (dated or tokens or [str(text)])[-1]


def _column(name: str, lang: str) -> str:
    """A population column's name in ``lang`` (the column id when the catalogue lacks it)."""
    if has(f"cli.info.column.{name}"):
        return t(f"cli.info.column.{name}", lang)
    return label(name, lang)


def _vintage(text: str, lang: str) -> str:
    """An indicator's vintage; "2018 (ROC 107)" with the ROC year in words."""
    m = re.fullmatch(r"(\d{4}) \(ROC (\d+)\)", str(text))
    return t("cli.info.roc_year", lang, year=m.group(1), roc=m.group(2)) if m else str(text)


def layer_name(key: str, lang: str) -> str:
    """A data layer's name in ``lang``: service types by their catalogue name, the site
    library's layers by theirs; a layer the catalogue lacks by its id."""
    if key in SERVICE_TYPES:
        return type_name(key, lang)
    if key.startswith("layer:"):
        return t("layer.library", lang, name=key.split(":", 1)[1])
    if key.startswith("replaced:") and key.split(":", 1)[1] in SERVICE_TYPES:
        return t("layer.replaced", lang, type=type_name(key.split(":", 1)[1], lang))
    return t(f"layer.{key}", lang) if has(f"layer.{key}") else key


def _version_lines(info: dict, indicators: dict, lang: str) -> list[str]:
    lines = [t("cli.info.versions", lang)]
    for key, text in info["vintages"].items():
        note = ""
        if key.startswith("layer:"):
            m = re.search(r"version (\d+)", text)
            version = t("lib.version_words", lang, v=m.group(1)) if m else text
        elif key.startswith("replaced:"):
            version = "—"
        elif key == "crosswalk":
            version, note = "2021 ↔ 2023-09", t("note.crosswalk", lang)
        elif key in indicators:
            level = indicators[key]["level"]
            version = _vintage(indicators[key]["vintage"], lang)
            note = t(f"level.{level}", lang) if has(f"level.{level}") else level
        else:
            version = version_date(text)
        lines.append(t("cli.info.version_line", lang, layer=layer_name(key, lang),
                       version=version,
                       note=t("cli.info.note", lang, note=note) if note else ""))
    return lines


def _names(ds: Dataset, lang: str):
    """(district name in ``lang`` of a zh-TW district name, "district village" of a VILLCODE
    of the data set's boundaries, or the given fallback)."""
    v = ds.villages
    districts = dict(zip(v["district"], v["district_en"])) if lang == "en" else {}

    def district(name: str) -> str:
        return districts.get(name, name)

    def village(code: str, fallback: str) -> str:
        if code in v.index:
            row = v.loc[code]
            if fallback in ("", f"{row['district']}{row['village']}"):
                return f"{district_name(row, lang)} {village_name(row, lang)}"
        return fallback
    return district, village


def _crosswalk_lines(cw: dict, ds: Dataset, lang: str) -> list[str]:
    _, village = _names(ds, lang)
    lines = [t("cli.info.crosswalk_head", lang, old=cw["old_villages"], new=cw["new_villages"],
               same=cw["unchanged"])]
    for code, split in cw["split_villages"].items():
        shares = []
        for p in split["parents"]:
            basis = str(p["basis"]).replace("-", "")
            by = str(p["parent_by"])
            shares.append(t("cli.info.crosswalk_share", lang, share=f"{p['share_of_parent']:.1%}",
                            parent=village(p["parent"], p["parent_name"]), code=p["parent"],
                            basis=t(f"crosswalk.basis.{basis}", lang)
                            if has(f"crosswalk.basis.{basis}") else p["basis"],
                            by=t(f"cli.info.by.{by}", lang) if has(f"cli.info.by.{by}") else by))
        lines.append(f"    {code} {village(code, split['name'])} ← "
                     + t("cli.info.list_sep", lang).join(shares))
    return lines


def _income_lines(ind: dict, ds: Dataset, lang: str) -> list[str]:
    """The income indicator's join report in words: the 「其他」 rows per district, the rows
    whose name matches no village, rows with no tax units and villages without a row."""
    district, _ = _names(ds, lang)
    sep = t("cli.info.list_sep", lang)
    lines = []
    other = ind.get("other_rows") or []
    if other:
        parts = [t("cli.info.income_other_row", lang, district=district(r["district"]),
                   unit=f"{r['unit']:,.0f}", median=f"{r['median']:,.0f}")
                 for r in other if r["unit"] > 0]
        zero = [district(r["district"]) for r in other if not r["unit"] > 0]
        if zero:
            parts.append(t("cli.info.income_other_zero", lang,
                           districts=t("cli.info.comma", lang).join(zero)))
        lines.append(t("cli.info.income_other", lang, rows=sep.join(parts)))
    unmatched = ind.get("unmatched_names") or []
    if unmatched:
        lines.append(t("cli.info.income_unmatched", lang, rows=sep.join(
            t("cli.info.income_unmatched_row", lang, district=district(r["district"]),
              village=r["village"], unit=f"{r['unit']:,.0f}") for r in unmatched)))
    else:
        lines.append(t("cli.info.income_all_matched", lang))
    zero_rows = ind.get("zero_unit_rows") or []
    if zero_rows:
        lines.append(t("cli.info.income_zero", lang, rows=sep.join(
            f"{district(r['district'])}{' ' if lang == 'en' else ''}{r['village']}"
            for r in zero_rows)))
    if ind.get("villages_without_row"):
        lines.append(t("cli.info.income_without", lang, n=len(ind["villages_without_row"])))
    return lines


def _print_details(info: dict, ds: Dataset, lang: str) -> None:
    dp = info["demand_points"]
    if "by_source" in dp:
        fallback = dp.get("fallback_villages") or []
        print(t("cli.info.placed_builtup", lang, builtup=dp["by_source"].get("built-up", 0),
                polygon=dp["by_source"].get("polygon", 0),
                fallback=t("cli.info.codes", lang, codes=", ".join(fallback)) if fallback
                else ""))
    else:
        print(t("cli.info.placed_polygon", lang))
    if info["crosswalk"]:
        for line in _crosswalk_lines(info["crosswalk"], ds, lang):
            print(line)
    for key, ind in info["indicators"].items():
        cover = (t("cli.info.cover_villages", lang, n=ind["villages_with_value"],
                   of=ind["villages"]) if "villages" in ind
                 else t("cli.info.cover_districts", lang, n=ind.get("districts")))
        print(t("cli.info.indicator_line", lang, name=layer_name(key, lang), id=key,
                vintage=_vintage(ind["vintage"], lang), cover=cover))
        if key == "income":
            for line in _income_lines(ind, ds, lang):
                print(line)


def finding_line(f: dict, lang: str, *, with_expected: bool = False) -> str:
    """One finding (a :func:`geo.checks.finding_dict`) in ``lang``: severity, where (file
    name, row, field, value) and the problem its code names (the reader's own words when the
    catalogue has none; ``with_expected``: the reader's words follow the code's)."""
    code, expected = str(f.get("code") or ""), str(f.get("expected") or "")
    if has(f"finding.{code}"):
        problem = t(f"finding.{code}", lang)
    elif lang == "en":
        problem = expected
    else:
        problem = t("finding.other", lang) + (f"（{expected}）" if expected else "")
    where = [Path(str(f.get("file") or "")).name]
    if f.get("row") is not None:
        where.append(t("lib.where_row", lang, row=f["row"]))
    if f.get("field"):
        field = str(f["field"])
        where.append(t("lib.where_field", lang, field=t(f"field.{field}", lang)
                       if has(f"field.{field}") else field))
    if f.get("value") is not None:
        where.append(t("lib.where_value", lang, value=f["value"]))
    if with_expected and has(f"finding.{code}") and expected:
        problem += t("cli.val.expected", lang, expected=expected)
    severity = str(f.get("severity") or "info")
    return t("cli.info.finding_line", lang, where=t("cli.info.where_sep", lang).join(where),
             problem=problem, severity=t(f"cli.info.sev.{severity}", lang)
             if has(f"cli.info.sev.{severity}") else severity)


def run(args: argparse.Namespace) -> int:
    ds = load_dataset(args.data_dir, vintage=args.vintage, population_file=args.population_file)
    # the site table the analyses use: default layers plus the planner's site library
    from analysis.context import library_site_table
    ds.sites, library = library_site_table(ds.sites, None)
    ds.vintages.update(library)
    info = info_dict(ds)
    if args.json:
        print_json(info)
        return 0
    lang = args.lang
    print(t("cli.info.data_dir", lang, path=info["data_dir"] or t("cli.none", lang)))
    print(t("cli.info.counts", lang, villages=info["villages"], districts=info["districts"],
            population=info["vintage_pair"]["population"] or "—",
            boundaries=info["vintage_pair"]["boundaries"]))
    for line in _version_lines(info, info["indicators"], lang):
        print(line)
    if ds.population:
        p = ds.population
        print(t("cli.info.population", lang, month=p.month, total=f"{p.total_population:,}",
                rows=p.rows, unplaced=f"{info['population']['unplaced_residents']:,}",
                missing=t("cli.info.comma", lang).join(_column(c, lang) for c in p.missing_columns)
                or t("cli.none", lang)))
        if len(p.unmatched):
            print(t("cli.info.unmatched_head", lang, n=len(p.unmatched)))
            for _, u in p.unmatched.iterrows():
                print(f"    {u['VILLCODE']} {u['district']} {u['village']} {u['population']:,}")
    if ds.data_dir is not None:
        _print_details(info, ds, lang)
    print(t("cli.info.services_head", lang))
    for row in info["layers"]:
        flag = "" if row["complete"] else t("cli.info.incomplete", lang)
        print(f"  {row['type']:26s} {_pad(type_name(row['type'], lang), 46)} "
              f"{row['located']:3d} / {row['official_count']:3d}{flag}")
    findings = info["findings"]
    print(t("cli.info.findings_head", lang, n=len(findings)))
    for f in findings:
        print(finding_line(f, lang))
    if ds.missing:
        print(t("cli.info.missing_head", lang))
        for m in ds.missing:
            print("  " + m)
        if ds.data_dir is None:
            print(missing_data_help())
    return 0
