"""Road networks: sources, the city-wide graph, speeds, snapping and routing.

Modules (imports run one way, top to bottom):
    classes    road_classes.toml: class speeds (planning assumptions), osmnx speed helpers
    topology   lines -> segments joined at shared vertices -> contracted chains (numpy)
    graph      graph_from_lines: a networkx MultiDiGraph in osmnx conventions
    nlsc       the NLSC 1:25,000 RoadL sheets -> the city drive graph
    sources    GraphML, OSM XML, line files, online OSM (road_source / graph_from_file)
    routing    RoadNetwork, prepare_network, snap_points, shortest_path_matrix,
               network_distance_matrix
    cache      the derived graph's cache outside the repository
    load       load_road_graph / load_road_network / city_road_graph / fetch_city_graph
"""
from geo.roads.load import (SOURCES, city_road_graph, default_source, fetch_city_graph,
                            load_road_graph, load_road_network)
from geo.roads.routing import (MAX_SNAP_M, WEIGHTS, RoadInfo, RoadNetwork, check_max_snap,
                               network_distance_matrix, node_xy, prepare_network, road_info,
                               shortest_path_matrix, snap_points, to_csr)
from geo.roads.sources import (graph_from_file, graph_from_graphml, graph_from_line_file,
                               graph_from_osm_xml, graph_from_place, road_source)

__all__ = ["SOURCES", "city_road_graph", "default_source", "fetch_city_graph",
           "load_road_graph", "load_road_network", "MAX_SNAP_M", "WEIGHTS", "RoadInfo",
           "RoadNetwork", "check_max_snap", "network_distance_matrix", "node_xy",
           "prepare_network", "road_info", "shortest_path_matrix", "snap_points", "to_csr",
           "graph_from_file", "graph_from_graphml", "graph_from_line_file",
           "graph_from_osm_xml", "graph_from_place", "road_source"]
