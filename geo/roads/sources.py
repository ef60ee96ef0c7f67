"""Road sources other than the NLSC sheets: GraphML, OSM XML, line files, online OSM.

    graph_from_graphml(path)     GraphML; osmnx.load_graphml for osmnx-written files,
                                 networkx.read_graphml (typed attributes) otherwise
    graph_from_osm_xml(path)     OSM XML (.osm, .osm.bz2, .osm.gz) via osmnx.graph_from_xml,
                                 drivable ways only
    graph_from_line_file(path)   a line shapefile / GeoPackage / GeoJSON with a road class
                                 field mapped in ``[line_sources]`` of road_classes.toml
    road_source(path)            any of the above by suffix, or a folder of NLSC RoadL sheets
    graph_from_place(query)      osmnx download (needs internet; never used in tests)

Every loader sets ``speed_kph`` / ``travel_time`` with osmnx's helpers and the config's
speeds (:func:`geo.roads.classes.add_speeds`) and records ``source``, ``source_kind``,
``vintage`` and ``licence`` in ``G.graph`` for :func:`geo.roads.routing.road_info`.
"""
from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pyogrio

from geo import MAP_CRS
from geo.roads.classes import LineSchema, RoadClasses, add_speeds, road_classes
from geo.roads.graph import graph_from_lines

__all__ = ["GRAPHML_SUFFIXES", "OSM_XML_SUFFIXES", "LINE_SUFFIXES", "OSM_LICENCE",
           "graph_from_graphml", "graph_from_osm_xml", "graph_from_line_file", "road_source",
           "graph_from_file", "graph_from_place"]

GRAPHML_SUFFIXES = (".graphml",)
OSM_XML_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz")
LINE_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb")
OSM_LICENCE = "© OpenStreetMap contributors, ODbL 1.0"

# Ways that cars cannot use (osmnx's "drive" filter, reduced to tags graph_from_xml keeps).
_NON_DRIVE_HIGHWAY = {
    "abandoned", "bridleway", "bus_guideway", "construction", "corridor", "cycleway",
    "elevator", "escalator", "footway", "no", "path", "pedestrian", "planned", "platform",
    "proposed", "raceway", "razed", "steps", "track",
}
_NO_ACCESS = {"private", "no"}


def _existing(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"road source not found: {path}")
    return path


def _as_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value]
    return [str(value)] if str(value) else []


def _check_types(G: nx.MultiDiGraph, *, source: str) -> nx.MultiDiGraph:
    """Float x/y and length (errors name the file, node or edge), bool flags, in place."""
    for n, d in G.nodes(data=True):
        try:
            d["x"], d["y"] = float(d["x"]), float(d["y"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{source}: node {n!r} field x/y = {d.get('x')!r}/{d.get('y')!r}; "
                             f"expected numeric coordinates") from None
    for u, v, k, d in G.edges(keys=True, data=True):
        try:
            length = float(d["length"])
        except (KeyError, TypeError, ValueError):
            length = math.nan
        if not (math.isfinite(length) and length >= 0):
            raise ValueError(f"{source}: edge ({u!r}, {v!r}, {k!r}) field length = "
                             f"{d.get('length')!r}; expected metres >= 0")
        d["length"] = length
        for flag in ("oneway", "reversed"):
            if isinstance(d.get(flag), str) and d[flag] in ("True", "False"):
                d[flag] = d[flag] == "True"
    return G


def _finish(G: nx.MultiDiGraph, *, source: str, kind: str, licence: str | None,
            classes: RoadClasses | None) -> nx.MultiDiGraph:
    _check_types(G, source=source)
    G.graph.setdefault("crs", MAP_CRS)
    G.graph.update(source=G.graph.get("source", source), source_kind=kind)
    G.graph.setdefault("vintage", G.graph.get("created_date"))
    G.graph.setdefault("licence", licence)
    return add_speeds(G, G.graph.get("speed_table", "osm"), classes=classes)


def graph_from_graphml(path: str | Path, *, classes: RoadClasses | None = None
                       ) -> nx.MultiDiGraph:
    """Read a GraphML road graph as a MultiDiGraph with speeds and travel times (s).

    osmnx-written files go through ``osmnx.load_graphml`` (typed attributes, shapely
    geometry, int node ids); GraphML with typed attributes from other tools (e.g.
    networkx) through ``networkx.read_graphml``. Missing file: FileNotFoundError; bad
    content, coordinates or lengths: ValueError naming the file (and node or edge).
    """
    import osmnx as ox

    path = _existing(path)
    try:
        G = ox.load_graphml(path)
    except Exception:  # not osmnx's string-typed layout: read it as plain GraphML
        try:
            G = nx.read_graphml(path)
        except Exception as exc:  # ParseError, NetworkXError, KeyError ... = "bad file"
            raise ValueError(f"{path}: not a readable GraphML road graph ({exc})") from exc
        if not G.is_directed() or not G.is_multigraph():
            G = nx.MultiDiGraph(G)
        if all(isinstance(n, str) and n.lstrip("-").isdigit() for n in G.nodes):
            G = nx.relabel_nodes(G, {n: int(n) for n in G.nodes})
    osm = "OSMnx" in str(G.graph.get("created_with", ""))
    return _finish(G, source=path.name, kind="osm_graphml" if osm else "graphml",
                   licence=OSM_LICENCE if osm else None, classes=classes)


def _drivable(d: dict) -> bool:
    hw = _as_list(d.get("highway"))
    if not hw or all(h in _NON_DRIVE_HIGHWAY for h in hw):
        return False
    if str(d.get("area", "no")).lower() == "yes":
        return False
    return not any(a in _NO_ACCESS for a in _as_list(d.get("access")))


def graph_from_osm_xml(path: str | Path, *, simplify: bool = True, retain_all: bool = False,
                       classes: RoadClasses | None = None) -> nx.MultiDiGraph:
    """A drivable road graph from an OSM XML extract (``osmnx.graph_from_xml``).

    Non-drivable classes (footway, cycleway, path, steps, track, ...), ``area=yes`` and
    ``access=private|no`` are dropped; then, unless ``retain_all``, the largest weakly
    connected piece is kept and (``simplify``) ``osmnx.simplify_graph`` contracts chains.
    One-way tags and great-circle lengths (metres) follow osmnx.
    """
    import osmnx as ox

    path = _existing(path)
    try:
        G = ox.graph_from_xml(path, simplify=False, retain_all=True)
    except Exception as exc:
        raise ValueError(f"{path}: not a readable OSM XML road extract ({exc})") from exc
    G.remove_edges_from([(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
                         if not _drivable(d)])
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if G.number_of_edges() == 0:
        raise ValueError(f"{path}: no drivable OSM ways (highway=...) in this file")
    if not retain_all:
        G = ox.truncate.largest_component(G, strongly=False)
    if simplify:
        G = ox.simplify_graph(G)
    return _finish(G, source=path.name, kind="osm_xml", licence=OSM_LICENCE, classes=classes)


def _schema_for(path: Path, fields: list[str], classes: RoadClasses,
                schema: str | None) -> LineSchema:
    if schema is not None:
        if schema not in classes.schemas:
            raise ValueError(f"unknown line schema {schema!r}; known: "
                             f"{', '.join(classes.schemas)} "
                             f"([line_sources] in {classes.path.name})")
        found = classes.schemas[schema]
        missing = [f for f in found.class_fields if f not in fields]
        if missing:
            raise ValueError(f"{path}: field(s) {', '.join(missing)} missing for schema "
                             f"{schema!r}; the file has {', '.join(fields)}")
        return found
    for found in classes.schemas.values():
        if all(f in fields for f in found.class_fields):
            return found
    wanted = "; ".join(f"{s.name}: {', '.join(s.class_fields)}" for s in classes.schemas.values())
    raise ValueError(f"{path}: no road class field found (fields: {', '.join(fields)}); "
                     f"expected one of [{wanted}] or a new [line_sources] entry in "
                     f"{classes.path.name}")


def _line_classes(df: pd.DataFrame, schema: LineSchema,
                  classes: RoadClasses) -> tuple[pd.Series, np.ndarray]:
    """(highway key per line, walk-only mask) for an OSM-class schema."""
    key = df[schema.class_fields[0]].astype(str)
    walk = key.map(lambda c: classes.walk_only("osm", c)).to_numpy(bool)
    return key, walk


def graph_from_line_file(path: str | Path, *, schema: str | None = None, layer: str | None = None,
                         retain_all: bool = False, classes: RoadClasses | None = None
                         ) -> nx.MultiDiGraph:
    """A drive graph from a road line file (any CRS declared in the file).

    The class field is found through ``[line_sources]`` of road_classes.toml (or
    ``schema``); walking-only classes are dropped; a ``oneway`` mapping, when the schema
    has one and the file the field, sets one-way lines. Lines join at shared vertices
    (0.1 m) as for the NLSC sheets (:func:`geo.roads.graph.graph_from_lines`).
    """
    classes = classes or road_classes()
    path = _existing(path)
    try:
        info = pyogrio.read_info(path, layer=layer)
        df = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    except Exception as exc:
        raise ValueError(f"{path}: not a readable line file ({exc})") from exc
    if df.crs is None:
        raise ValueError(f"{path}: no CRS declared; expected a CRS in the file (.prj)")
    if not df.geom_type.isin(["LineString", "MultiLineString"]).all():
        bad = df.geom_type[~df.geom_type.isin(["LineString", "MultiLineString"])]
        raise ValueError(f"{path}: row {bad.index[0]} geometry is {bad.iloc[0]}; expected lines")
    found = _schema_for(path, list(info["fields"]), classes, schema)
    if found.speeds == "nlsc":
        from geo.roads.nlsc import graph_from_nlsc_sheets

        return graph_from_nlsc_sheets([path], retain_all=retain_all, classes=classes)
    key, walk = _line_classes(df, found, classes)
    direction = None
    if found.oneway_field and found.oneway_field in df:
        raw = df[found.oneway_field].astype(str)
        direction = raw.map(found.oneway_values).fillna(0).astype(np.int64)
        direction = direction[~walk]
    df, key = df[~walk], key[~walk]
    return graph_from_lines(df, class_fields=list(found.class_fields), highway=key,
                            table=found.speeds, direction=direction, retain_all=retain_all,
                            classes=classes,
                            graph_attrs={"source": path.name, "source_kind": "lines",
                                         "vintage": None, "licence": None,
                                         "speed_table": found.speeds,
                                         "lines": {"read": len(walk), "walk_only": int(walk.sum()),
                                                   "kept": int((~walk).sum())}})


def road_source(path: str | Path, **options) -> nx.MultiDiGraph:
    """Load a road graph from whatever ``path`` is: ``.graphml``; ``.osm`` (``.osm.bz2``,
    ``.osm.gz``); a line file (``.shp``, ``.gpkg``, ``.geojson``, ``.fgb``); or a folder of
    NLSC RoadL sheets (every ``*.shp`` in it). Other suffixes raise ValueError naming the
    file and the accepted ones."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir():
        from geo.roads.nlsc import graph_from_nlsc_sheets

        sheets = sorted(path.glob("*.shp"))
        if not sheets:
            raise ValueError(f"{path}: folder without RoadL sheets (*.shp)")
        return graph_from_nlsc_sheets(sheets, graph_attrs={"source": path.name}, **options)
    if name.endswith(GRAPHML_SUFFIXES):
        return graph_from_graphml(path, **options)
    if name.endswith(OSM_XML_SUFFIXES):
        return graph_from_osm_xml(path, **options)
    if name.endswith(LINE_SUFFIXES):
        return graph_from_line_file(path, **options)
    raise ValueError(f"{path}: unsupported road-graph file type; expected one of "
                     f"{', '.join(GRAPHML_SUFFIXES + OSM_XML_SUFFIXES + LINE_SUFFIXES)} "
                     f"or a folder of RoadL sheets")


graph_from_file = road_source  # the name the coverage layer and the app use


def graph_from_place(query: str | dict, *, network_type: str = "drive",
                     classes: RoadClasses | None = None) -> nx.MultiDiGraph:
    """Download a road graph with ``osmnx.graph_from_place`` (needs internet; not tested
    offline). Offline, or if the service fails, raises ConnectionError saying so."""
    import osmnx as ox

    try:
        G = ox.graph_from_place(query, network_type=network_type)
    except Exception as exc:
        raise ConnectionError(
            f"could not download the road network for {query!r} from OpenStreetMap "
            f"({type(exc).__name__}: {exc}). "
            f"無法下載路網；請改用本機 GraphML 或 .osm 檔 "
            f"(graph_from_file).") from exc
    G.graph["vintage"] = G.graph.get("created_date")
    return _finish(G, source=f"OSM download {query!r}", kind="osm_fetch",
                   licence=OSM_LICENCE, classes=classes)
