"""Spatial data for the Taoyuan safety-net coverage analyser: boundaries, population,
service points, road networks, CRS. Nothing here computes coverage."""

METRIC_CRS = "EPSG:3826"  # TWD97 / TM2 zone 121: all distances and areas
MAP_CRS = "EPSG:4326"  # WGS84 lon/lat: storage and web maps
