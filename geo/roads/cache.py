"""The derived road graph's cache, outside the repository (never committed: the NLSC
source's licence is not verified).

Location: ``$SAFETYNET_CACHE/roads/`` when the variable is set, else
``~/.cache/safetynet/roads/``. A build is stored as ``<name>-<key>.nodes.parquet``,
``.edges.parquet`` (GeoParquet, EPSG:3826) and ``.json`` (graph attributes; written last,
so a half-written build is never read). The key hashes the source files' bytes, the
road-class config, the clip outline and :data:`BUILD_VERSION`, so any change rebuilds.
Reading back needs only pandas, geopandas and networkx (not osmnx, whose import alone
takes seconds).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Iterable

import geopandas as gpd
import networkx as nx
import pandas as pd

from common.files import atomic_write
from common.jsonable import to_jsonable
from geo import METRIC_CRS

__all__ = ["ENV_CACHE", "BUILD_VERSION", "cache_dir", "cache_key", "save_graph", "load_graph",
           "cached_files"]

ENV_CACHE = "SAFETYNET_CACHE"
BUILD_VERSION = "roads-1"   # bump when the builder's output changes for the same inputs
_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_NODE_COLUMNS = ("x", "y", "street_count")


def cache_dir(create: bool = True) -> Path:
    """``$SAFETYNET_CACHE/roads`` or ``~/.cache/safetynet/roads`` (created when asked)."""
    base = os.environ.get(ENV_CACHE)
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "safetynet"
    path = root / "roads"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(sources: Iterable[Path], *, extra: Iterable[bytes | str] = ()) -> str:
    """A 20-hex-digit hash of the sources' bytes (a shapefile with its sidecar files), the
    extra items (config bytes, clip outline, options) and :data:`BUILD_VERSION`."""
    h = hashlib.sha256(BUILD_VERSION.encode())
    for src in sorted(Path(s) for s in sources):
        files = [src.with_suffix(x) for x in _SIDECARS] if src.suffix == ".shp" else [src]
        for f in files:
            if f.is_file():
                h.update(f.name.encode())
                h.update(f.read_bytes())
    for item in extra:
        h.update(item if isinstance(item, bytes) else str(item).encode())
    return h.hexdigest()[:20]


def cached_files(stem: Path) -> dict[str, Path]:
    return {kind: stem.with_name(f"{stem.name}.{kind}")
            for kind in ("nodes.parquet", "edges.parquet", "json")}


def save_graph(G: nx.MultiDiGraph, stem: Path) -> Path:
    """Write ``G`` (nodes x/y in EPSG:3826, edges with shapely geometry) next to ``stem``;
    returns the JSON path. Atomic per file, JSON last."""
    files = cached_files(stem)
    nodes = pd.DataFrame([{"id": n, **{c: d.get(c) for c in _NODE_COLUMNS}}
                          for n, d in G.nodes(data=True)])
    rows = [{"u": u, "v": v, "key": k, **d} for u, v, k, d in G.edges(keys=True, data=True)]
    edges = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry",
                             crs=G.graph.get("crs", METRIC_CRS))
    atomic_write(files["nodes.parquet"], lambda tmp: nodes.to_parquet(tmp, index=False))
    atomic_write(files["edges.parquet"], lambda tmp: edges.to_parquet(tmp, index=False))
    attrs = {k: v for k, v in G.graph.items() if k != "cache_path"}
    atomic_write(files["json"], json.dumps(to_jsonable(attrs), ensure_ascii=False, indent=1))
    return files["json"]


def load_graph(stem: Path) -> nx.MultiDiGraph | None:
    """The graph saved at ``stem``, or None when it is not (completely) there."""
    files = cached_files(stem)
    if not all(f.is_file() for f in files.values()):
        return None
    attrs: dict[str, Any] = json.loads(files["json"].read_text(encoding="utf-8"))
    nodes = pd.read_parquet(files["nodes.parquet"])
    edges = gpd.read_parquet(files["edges.parquet"])
    G = nx.MultiDiGraph(**attrs)
    G.graph["cache_path"] = str(files["json"])
    G.add_nodes_from(zip(nodes["id"].tolist(),
                         (dict(zip(_NODE_COLUMNS, row)) for row in
                          nodes[list(_NODE_COLUMNS)].itertuples(index=False))))
    cols = [c for c in edges.columns if c not in ("u", "v", "key")]
    values = [list(edges[c].array) if c == edges.geometry.name else edges[c].tolist()
              for c in cols]  # plain Python values, shapely geometries
    G.add_edges_from((u, v, k, dict(zip(cols, row))) for u, v, k, *row in
                     zip(edges["u"].tolist(), edges["v"].tolist(), edges["key"].tolist(),
                         *values))
    return G
