"""Rebuild the city-wide road graph from the NLSC 1:25,000 RoadL sheets into the cache.

Usage:  python scripts/build_roads.py [--data-dir DIR] [--json] [--gpkg FILE]

Reads the sheets listed in the city profile ([files.roads.nlsc] of geo/cities/<city>.toml)
from the data directory (../shared/data by default), builds the drive graph (geo.roads.nlsc:
roads in use, walking-only classes out, clipped to the city plus [build].clip_margin_m of
geo/roads/road_classes.toml, joined at shared vertices, chains contracted, main piece kept)
and stores it in the cache ($SAFETYNET_CACHE/roads, else ~/.cache/safetynet/roads). The
graph is never written into the repository: the source's licence is not verified.
--gpkg also writes the edges and nodes (EPSG:3826) to a GeoPackage for inspection in GIS.
Same as `safetynet roads build`; the app and the CLI build on demand when the cache is empty.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cli.cmd_roads import info_lines  # noqa: E402
from common.jsonable import to_jsonable  # noqa: E402
from geo.roads import prepare_network  # noqa: E402
from geo.roads.load import city_road_graph  # noqa: E402


def write_gpkg(G, out: Path) -> None:
    """Edges (one row per directed edge) and nodes as two layers of a GeoPackage."""
    import geopandas as gpd

    edges = gpd.GeoDataFrame([{"u": u, "v": v, **d} for u, v, d in G.edges(data=True)],
                             geometry="geometry", crs=G.graph["crs"])
    nodes = gpd.GeoDataFrame([{"id": n, **d} for n, d in G.nodes(data=True)],
                             geometry=gpd.points_from_xy(*zip(*((d["x"], d["y"]) for _, d in
                                                                 G.nodes(data=True)))),
                             crs=G.graph["crs"])
    edges.to_file(out, layer="edges", driver="GPKG")
    nodes.to_file(out, layer="nodes", driver="GPKG")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--gpkg", type=Path, default=None, help="also write edges/nodes here")
    args = ap.parse_args()
    started = time.perf_counter()
    G = city_road_graph(args.data_dir, rebuild=True)
    info = prepare_network(G, weights=("length",)).info
    total = time.perf_counter() - started
    if args.json:
        print(json.dumps(to_jsonable(info.as_dict() | {"total_s": total}), ensure_ascii=False,
                         indent=2))
    else:
        print("\n".join(info_lines(info)))
        print(f"total (build + save + prepare): {total:.1f} s")
    if args.gpkg:
        write_gpkg(G, args.gpkg)
        print(f"wrote {args.gpkg}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
