"""Road networks (compatibility module): the code now lives in :mod:`geo.roads`.

``coverage.distance``, ``coverage.service_area``, ``coverage.engine``, the app and the CLI
import these names from here; they are the same objects as in ``geo.roads``:

    graph_from_file(path)   any road source by suffix (GraphML, OSM XML, line file,
                            folder of NLSC sheets); graph_from_graphml, graph_from_osm_xml,
                            graph_from_place as before
    prepare_network(G)      -> RoadNetwork(graph, csr, node_ids, node_xy, info)
    snap_points(xy, node_xy, max_snap_m=...)
    shortest_path_matrix(csr, sources, targets, cutoff=...)
    network_distance_matrix(net_or_G, origins_xy, dest_xy, *, weight="length",
                            cutoff=None, max_snap_m=500.0, include_snap=False,
                            time_unit="s")

The city-wide default graph: ``geo.roads.load_road_network()`` (NLSC sheets, cached).
"""
from geo.roads.routing import (MAX_SNAP_M, WEIGHTS, RoadInfo, RoadNetwork, check_max_snap,
                               network_distance_matrix, node_xy, prepare_network,
                               shortest_path_matrix, snap_points, to_csr)
from geo.roads.sources import (GRAPHML_SUFFIXES, LINE_SUFFIXES, OSM_XML_SUFFIXES,
                               graph_from_file, graph_from_graphml, graph_from_osm_xml,
                               graph_from_place, road_source)

__all__ = ["MAX_SNAP_M", "WEIGHTS", "RoadInfo", "RoadNetwork", "check_max_snap",
           "network_distance_matrix", "node_xy", "prepare_network", "shortest_path_matrix",
           "snap_points", "to_csr", "GRAPHML_SUFFIXES", "LINE_SUFFIXES", "OSM_XML_SUFFIXES",
           "graph_from_file", "graph_from_graphml", "graph_from_osm_xml", "graph_from_place",
           "road_source"]
