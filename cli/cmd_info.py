"""safetynet info — the loaded layers: counts, completeness, vintages, data-quality findings."""
from __future__ import annotations

import argparse
import json

from cli import add_common_options
from geo.dataset import Dataset, load_dataset
from geo.paths import missing_data_help
from geo.quality import Finding
from geo.services import completeness


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="列出已載入圖層 / show loaded layers and data quality")
    add_common_options(p)
    p.add_argument("--population-file", default=None,
                   help="population file under <data-dir>/population/ or a path "
                        "(default: the newest Taoyuan file)")
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


def info_dict(ds: Dataset) -> dict:
    """The report as plain data (also the --json output)."""
    comp = completeness(ds.sites).reset_index()
    pop = ds.population
    return {
        "data_dir": str(ds.data_dir) if ds.data_dir else None,
        "villages": len(ds.villages), "districts": len(ds.districts),
        "population": pop.summary() if pop else None,
        "vintages": ds.vintages,
        "layers": comp.to_dict("records"),
        "findings": [f.__dict__ | {"message": f.message()} for f in _all_findings(ds)],
        "missing": ds.missing,
    }


def run(args: argparse.Namespace) -> int:
    ds = load_dataset(args.data_dir, population_file=args.population_file)
    info = info_dict(ds)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2, default=str))
        return 0
    print(f"資料目錄 data directory: {info['data_dir'] or '(none)'}")
    print(f"村里 villages: {info['villages']}   行政區 districts: {info['districts']}")
    for layer, vintage in info["vintages"].items():
        print(f"  {layer:24s} {vintage}")
    if ds.population:
        p = ds.population
        print(f"人口 population {p.month}: {p.total_population:,} "
              f"({p.rows} rows; missing columns: {', '.join(p.missing_columns) or 'none'})")
        if len(p.unmatched):
            print(f"  {len(p.unmatched)} codes without a boundary (kept in district totals):")
            for _, u in p.unmatched.iterrows():
                print(f"    {u['VILLCODE']} {u['district']} {u['village']} {u['population']:,}")
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
