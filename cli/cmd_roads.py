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
from i18n import DEFAULT_LANG, t

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


def info_lines(info: RoadInfo, lang: str = DEFAULT_LANG) -> list[str]:
    """The text report of ``safetynet roads info`` / ``build`` in ``lang`` (the source's
    name and licence are the data's own words)."""
    comps = info.components or {}
    lines = [t("cli.roads.source", lang, source=info.source, kind=info.kind),
             t("cli.roads.vintage", lang, vintage=info.vintage or "-"),
             t("cli.roads.licence", lang, licence=info.licence or "-"),
             t("cli.roads.size", lang, nodes=f"{info.nodes:,}", edges=f"{info.edges:,}",
               km=f"{info.km:,.1f}")]
    if comps:
        n, nodes = f"{comps.get('components', 0):,}", f"{comps.get('main_share_nodes', 0):.1%}"
        lines.append(t("cli.roads.pieces_main", lang, n=n, nodes=nodes,
                       km=f"{comps.get('main_share_km', 0):.1%}") if info.kind == "nlsc"
                     else t("cli.roads.pieces", lang, n=n, nodes=nodes))
        for piece in comps.get("pieces", [])[:5]:
            lines.append(t("cli.roads.piece", lang, nodes=f"{piece['nodes']:,}",
                           km=f"{piece['km']:.2f}", lon=f"{piece['lon']:.4f}",
                           lat=f"{piece['lat']:.4f}"))
    if info.build_s is not None:
        lines.append(t("cli.roads.build", lang, s=f"{info.build_s:.1f}"))
    lines.append(t("cli.roads.cache", lang, path=info.cache_path or "-"))
    return lines


def _print(info: RoadInfo, as_json: bool, lang: str) -> None:
    if as_json:
        print(json.dumps(to_jsonable(info.as_dict()), ensure_ascii=False, indent=2))
    else:
        print("\n".join(info_lines(info, lang)))


def run(args: argparse.Namespace) -> int:
    if args.roads_action == "build":
        G = city_road_graph(args.data_dir, rebuild=True)
        from geo.roads import prepare_network
        _print(prepare_network(G, weights=("length",)).info, args.json, args.lang)
        return 0
    if args.roads_action == "info":
        net = load_road_network(args.source, data_dir=args.data_dir, weights=("length",))
        _print(net.info, args.json, args.lang)
        return 0
    path = fetch_city_graph(args.out, place=args.place)
    print(json.dumps({"graphml": str(path)}) if args.json else
          t("cli.roads.saved", args.lang, path=path, cache=cache_dir(create=False)))
    return 0
