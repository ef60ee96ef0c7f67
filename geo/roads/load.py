"""Which road graph to use: the city's default source, a named one, or a file.

    load_road_graph(source=None)   "nlsc" (default: the city-wide 1:25,000 map, cached),
                                   "osm" (the bundled 桃園區 OSM graph) or a path
    load_road_network(source=None) the same, prepared for routing (RoadNetwork with info)
    city_road_graph(data_dir)      the NLSC graph from the cache, built on a miss
    fetch_city_graph(out=None)     download the city's OSM drive graph (online only; not
                                   tested offline) and save it as GraphML in the cache
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import networkx as nx

from geo.city import city
from geo.paths import missing_data_help, resolve_data_dir
from geo.roads.cache import cache_dir, cache_key, load_graph, save_graph
from geo.roads.classes import RoadClasses, road_classes
from geo.roads.routing import RoadNetwork, prepare_network
from geo.roads.sources import graph_from_graphml, graph_from_place, road_source

__all__ = ["SOURCES", "default_source", "city_road_graph", "load_road_graph",
           "load_road_network", "fetch_city_graph", "nlsc_cache_stem"]

SOURCES = ("nlsc", "osm")


def default_source() -> str:
    """The city profile's ``[files.roads].default`` (e.g. "nlsc")."""
    return str(city().files.get("roads", {}).get("default", "nlsc"))


def _data_dir(data_dir: str | os.PathLike | None) -> Path:
    found = resolve_data_dir(data_dir)
    if found is None:
        raise FileNotFoundError(missing_data_help())
    return found


def nlsc_cache_stem(data_dir: str | os.PathLike | None = None, *,
                    classes: RoadClasses | None = None) -> Path:
    """Where the city's NLSC graph for these sheets, config and outline is cached."""
    from geo.roads.nlsc import nlsc_sheet_paths, outline_fingerprint

    classes = classes or road_classes()
    paths = nlsc_sheet_paths(_data_dir(data_dir))
    key = cache_key(paths, extra=[classes.path.read_bytes(), outline_fingerprint(),
                                  city().id])
    return cache_dir() / f"{city().id}-nlsc-{key}"


def city_road_graph(data_dir: str | os.PathLike | None = None, *, rebuild: bool = False,
                    classes: RoadClasses | None = None) -> nx.MultiDiGraph:
    """The city-wide NLSC drive graph: read from the cache, or built (a few seconds) and
    cached when missing, stale or ``rebuild``. ``G.graph["build_s"]`` is the build time
    (seconds) of a fresh build; ``G.graph["cache_path"]`` the cache file."""
    from geo.roads.nlsc import nlsc_graph

    stem = nlsc_cache_stem(data_dir, classes=classes)
    G = None if rebuild else load_graph(stem)
    if G is not None:
        return G
    started = time.perf_counter()
    G = nlsc_graph(_data_dir(data_dir), classes=classes)
    G.graph["build_s"] = round(time.perf_counter() - started, 2)
    G.graph["cache_path"] = str(save_graph(G, stem))
    return G


def _osm_graph(data_dir: str | os.PathLike | None) -> nx.MultiDiGraph:
    conf = dict(city().files.get("roads", {}).get("osm", {}))
    if not conf:
        raise ValueError(f"city profile {city().id!r} has no [files.roads.osm] table")
    G = graph_from_graphml(_data_dir(data_dir) / conf["file"])
    G.graph.update(source=conf.get("name", G.graph["source"]),
                   vintage=conf.get("vintage", G.graph.get("vintage")),
                   licence=conf.get("licence", G.graph.get("licence")))
    return G


def load_road_graph(source: str | os.PathLike | None = None, *,
                    data_dir: str | os.PathLike | None = None,
                    rebuild: bool = False) -> nx.MultiDiGraph:
    """A road graph by source name ("nlsc", "osm"; default the city's default) or path
    (see :func:`geo.roads.sources.road_source`)."""
    name = default_source() if source is None else source
    if name == "nlsc":
        return city_road_graph(data_dir, rebuild=rebuild)
    if name == "osm":
        return _osm_graph(data_dir)
    return road_source(Path(name))


def load_road_network(source: str | os.PathLike | None = None, *,
                      data_dir: str | os.PathLike | None = None,
                      weights: tuple[str, ...] = ("length", "travel_time")) -> RoadNetwork:
    """:func:`load_road_graph` prepared for routing (:func:`prepare_network`)."""
    return prepare_network(load_road_graph(source, data_dir=data_dir), weights=weights)


def fetch_city_graph(out: str | os.PathLike | None = None, *,
                     place: str | None = None) -> Path:
    """Download the city's OSM drive graph with osmnx (needs internet; NOT tested offline)
    and save it as GraphML (default: the road cache folder). Returns the file path;
    load it with ``load_road_graph(path)``."""
    import osmnx as ox

    query = place or city().files.get("roads", {}).get("fetch_place", city().name_en)
    G = graph_from_place(query)
    target = Path(out) if out else cache_dir() / f"{city().id}-osm-drive.graphml"
    ox.save_graphml(G, target)
    return target
