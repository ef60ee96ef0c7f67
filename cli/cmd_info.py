"""safetynet info — the loaded layers: counts, vintages, how residents are placed, the village
crosswalk, need indicators and their coverage, completeness, data-quality findings."""
from __future__ import annotations

import argparse

from cli import add_common_options
from cli._common import print_json
from geo.dataset import Dataset, load_dataset
from geo.paths import missing_data_help
from geo.population import POPULATION_VINTAGES
from geo.quality import Finding
from geo.services import completeness


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


def _print_details(info: dict) -> None:
    dp = info["demand_points"]
    print(f"居民位置 residents placed on: {dp['method']} {dp.get('by_source', '')}"
          + (f"; fallback: {', '.join(dp['fallback_villages'])}" if dp.get("fallback_villages")
             else ""))
    cw = info["crosswalk"]
    if cw:
        print(f"村里對照 crosswalk 2021↔2023-09: {cw['old_villages']} ↔ {cw['new_villages']} "
              f"villages, {cw['unchanged']} unchanged; split villages:")
        for code, split in cw["split_villages"].items():
            shares = "; ".join(f"{p['share_of_parent']:.1%} of {p['parent']} {p['parent_name']} "
                               f"({p['basis']}, {p['parent_by']})" for p in split["parents"])
            print(f"    {code} {split['name']} ← {shares}")
    for key, ind in info["indicators"].items():
        cover = (f"{ind['villages_with_value']}/{ind['villages']} villages"
                 if "villages" in ind else f"{ind.get('districts')} districts (district level)")
        print(f"  需求指標 {key:12s} {ind['vintage']:16s} {cover}")


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
    print(f"資料目錄 data directory: {info['data_dir'] or '(none)'}")
    print(f"村里 villages: {info['villages']}   行政區 districts: {info['districts']}   "
          f"版本 vintage: population {info['vintage_pair']['population'] or '-'} on "
          f"boundaries {info['vintage_pair']['boundaries']}")
    for layer, vintage in info["vintages"].items():
        print(f"  {layer:24s} {vintage}")
    if ds.population:
        p = ds.population
        print(f"人口 population {p.month}: {p.total_population:,} "
              f"({p.rows} rows; missing columns: {', '.join(p.missing_columns) or 'none'}; "
              f"residents without a polygon: {info['population']['unplaced_residents']:,})")
        if len(p.unmatched):
            print(f"  {len(p.unmatched)} codes without a boundary (kept in district totals):")
            for _, u in p.unmatched.iterrows():
                print(f"    {u['VILLCODE']} {u['district']} {u['village']} {u['population']:,}")
    if ds.data_dir is not None:
        _print_details(info)
    print("服務據點 service layers (located / official):")
    for row in info["layers"]:
        flag = "" if row["complete"] else "  ← 不完整 incomplete"
        print(f"  {row['type']:26s} {row['name_zh']:20s} {row['located']:3d} / "
              f"{row['official_count']:3d}{flag}")
    findings = info["findings"]
    print(f"資料品質 data-quality findings: {len(findings)}")
    for f in findings:
        print("  " + f["message"])
    if ds.missing:
        print("缺少 missing:")
        for m in ds.missing:
            print("  " + m)
        if ds.data_dir is None:
            print(missing_data_help())
    return 0
