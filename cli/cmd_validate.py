"""``safetynet validate [FILE] [--type TYPE] [--json] [--data-dir DIR]``: check a user's site
list (CSV / .xlsx / GeoJSON) and print what was read, loaded and rejected with every finding.
Without FILE: the data-quality report of the default layers in the data directory.

Exit code: 0 when every row loaded, 1 when rows were rejected (or, without FILE, when the
report holds errors), 2 for a file that cannot be read at all (see cli.main)."""
from __future__ import annotations

import argparse
import json
import math

from cli import add_common_options
from geo.checks import finding_dict, quality_report
from geo.imports import ImportResult, read_sites
from geo.paths import missing_data_help, resolve_data_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate", help="檢查據點清單 / validate a site list (CSV, .xlsx, GeoJSON)",
        description="檢查使用者的據點清單 (CSV / .xlsx / GeoJSON)：讀取、載入與剔除的列數及每個問題。"
                    " Check a site list: rows read, loaded, rejected and every finding; without "
                    "FILE, the data-quality report of the default layers in --data-dir. "
                    "Exit 1 when rows were rejected.")
    p.add_argument("file", nargs="?", default=None,
                   help="site list to check; omit to report on the default data layers")
    p.add_argument("--type", dest="service_type", default=None,
                   help="service type for rows without a 類型 column value "
                        "(id or name, e.g. community_support_site or 小衛星)")
    add_common_options(p)
    p.set_defaults(handler=run)


def _jsonable(v: object) -> object:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def result_dict(res: ImportResult) -> dict:
    """An import result as JSON-safe data (sites as records with lon/lat)."""
    sites = [{**{k: _jsonable(v) for k, v in row.items() if k != "geometry"},
              "lon": row["geometry"].x, "lat": row["geometry"].y}
             for row in res.sites.to_dict("records")]
    return {
        "file": res.file, "encoding": res.encoding,
        "coordinate_system": res.coordinate_system,
        "rows_read": res.rows_read, "loaded": len(res.sites), "rejected": len(res.rejected),
        "rejected_rows": [{k: _jsonable(v) for k, v in r.items()}
                          for r in res.rejected.to_dict("records")],
        "findings": [finding_dict(f) for f in res.findings],
        "sites": sites,
    }


def _print_import(res: ImportResult) -> None:
    print(f"檔案 file: {res.file}")
    if res.encoding:
        print(f"編碼 encoding: {res.encoding}")
    cs = res.coordinate_system or "—"
    if res.coordinate_system == "EPSG:3826":
        cs += " (TWD97 TM2 metres → converted to EPSG:4326 lon/lat)"
    print(f"座標系統 coordinates: {cs}")
    print(f"讀取 rows read: {res.rows_read}   載入 loaded: {len(res.sites)}   "
          f"剔除 rejected: {len(res.rejected)}")
    for _, r in res.rejected.iterrows():
        print(f"  剔除 rejected row {r['row']}: {r['reasons']}")
    print(f"問題 findings: {len(res.findings)}")
    for f in res.findings:
        print("  " + f.message())


def _print_report(rep: dict) -> None:
    print(f"資料目錄 data directory: {rep['data_dir']}")
    for layer, entry in rep["layers"].items():
        c = entry["counts"]
        print(f"\n[{layer}] {entry['file'] or ''} rows={entry['rows']} "
              f"errors={c['error']} warnings={c['warning']} info={c['info']}")
        for f in entry["findings"]:
            print("  " + f["message"])
    print("\n完整度 completeness (located / official):")
    for c in rep["completeness"]:
        print(f"  {c['name_zh']} {c['type']}: {c['located']} / {c['official_count']}")


def run(args: argparse.Namespace) -> int:
    if args.file is None:
        data_dir = resolve_data_dir(args.data_dir)
        if data_dir is None:
            print(missing_data_help())
            return 2
        rep = quality_report(data_dir)
        if args.json:
            print(json.dumps(rep, ensure_ascii=False, indent=2, default=str))
        else:
            _print_report(rep)
        return 1 if rep["counts"]["error"] else 0
    res = read_sites(args.file, service_type=args.service_type)
    if args.json:
        print(json.dumps(result_dict(res), ensure_ascii=False, indent=2, default=str))
    else:
        _print_import(res)
    return 1 if len(res.rejected) else 0
