"""``safetynet roads build|info|fetch``: the road network behind network distances.

    roads build [--data-dir DIR] [--json]     rebuild the city-wide graph from the NLSC
                                              RoadL sheets into the cache (outside the repo)
    roads info [--source nlsc|osm|PATH]       source, vintage, licence, nodes, edges, km,
                                              connected pieces, cache path
    roads fetch [--out FILE] [--place QUERY]  download the city's OSM drive graph with osmnx
                                              (needs internet; not tested offline)
"""
from __future__ import annotations

import argparse
import json

from cli import add_common_options
from common.jsonable import to_jsonable
from geo.roads import RoadInfo, fetch_city_graph, load_road_network
from geo.roads.cache import ENV_CACHE, cache_dir
from geo.roads.load import city_road_graph

_FETCH_HELP = ("下載本市 OpenStreetMap 行車路網 (需連網；未於離線環境測試) / download the city's "
               "OpenStreetMap drive graph with osmnx (needs internet; NOT tested offline)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("roads", help="道路路網 / road network: build, info, fetch",
                       description="道路路網：建置 (NLSC 1:25,000 RoadL)、資訊、下載 OSM。"
                                   " Road network: build the city-wide graph from the NLSC "
                                   f"sheets into the cache (${ENV_CACHE}, else "
                                   "~/.cache/safetynet), show a source's facts, or fetch "
                                   "an OSM drive graph (online only, not tested offline).")
    actions = p.add_subparsers(dest="roads_action", required=True)
    build = actions.add_parser("build", help="重建全市路網 / rebuild the city-wide NLSC graph")
    add_common_options(build)
    info = actions.add_parser("info", help="路網資訊 / source, vintage, size, pieces, cache")
    add_common_options(info)
    info.add_argument("--source", default=None,
                      help="nlsc (default), osm (the bundled 桃園區 graph) or a file/folder "
                           "(GraphML, .osm, line shapefile/GeoPackage, folder of RoadL sheets)")
    fetch = actions.add_parser("fetch", help=_FETCH_HELP, description=_FETCH_HELP)
    add_common_options(fetch)
    fetch.add_argument("--out", default=None, help="GraphML file to write (default: the cache)")
    fetch.add_argument("--place", default=None,
                       help="osmnx place query (default: [files.roads].fetch_place)")
    p.set_defaults(handler=run)


def info_lines(info: RoadInfo) -> list[str]:
    """The text report of ``safetynet roads info`` / ``build`` (zh-TW with English)."""
    comps = info.components or {}
    lines = [f"路網來源 source:   {info.source} ({info.kind})",
             f"版本 vintage:      {info.vintage or '-'}",
             f"授權 licence:      {info.licence or '-'}",
             f"節點 nodes: {info.nodes:,}   路段 edges (directed): {info.edges:,}   "
             f"道路長度 km: {info.km:,.1f}"]
    if comps:
        lines.append(f"連通塊 pieces: {comps.get('components', 0):,}; the main one holds "
                     f"{comps.get('main_share_nodes', 0):.1%} of nodes and "
                     f"{comps.get('main_share_km', 0):.1%} of km (only it is routed)"
                     if info.kind == "nlsc" else
                     f"連通塊 pieces: {comps.get('components', 0):,}; the largest holds "
                     f"{comps.get('main_share_nodes', 0):.1%} of nodes")
        for piece in comps.get("pieces", [])[:5]:
            lines.append(f"  piece: {piece['nodes']:>5,} nodes {piece['km']:>7.2f} km "
                         f"near {piece['lon']:.4f}, {piece['lat']:.4f}")
    if info.build_s is not None:
        lines.append(f"建置時間 build: {info.build_s:.1f} s")
    lines.append(f"快取 cache:        {info.cache_path or '-'}")
    return lines


def _print(info: RoadInfo, as_json: bool) -> None:
    if as_json:
        print(json.dumps(to_jsonable(info.as_dict()), ensure_ascii=False, indent=2))
    else:
        print("\n".join(info_lines(info)))


def run(args: argparse.Namespace) -> int:
    if args.roads_action == "build":
        G = city_road_graph(args.data_dir, rebuild=True)
        from geo.roads import prepare_network
        _print(prepare_network(G, weights=("length",)).info, args.json)
        return 0
    if args.roads_action == "info":
        net = load_road_network(args.source, data_dir=args.data_dir, weights=("length",))
        _print(net.info, args.json)
        return 0
    path = fetch_city_graph(args.out, place=args.place)
    print(json.dumps({"graphml": str(path)}) if args.json else
          f"已下載 saved: {path}\n(load it with --roads {path} or roads info --source {path}; "
          f"cache folder {cache_dir(create=False)})")
    return 0
