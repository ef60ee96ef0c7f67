"""A toy city checkable on paper (EPSG:3826 metres, offset by X0/Y0), shared by the
coverage tests.

Six 1 km square villages (point_on_surface of a square = its centre):

    V4 [0,1]x[1,2]  c(500,1500)   pop 400  town B   V6 [2,3]x[1,2] c(2500,1500) pop 600 town B
    V1 [0,1]x[0,1]  c(500,500)    pop 100  town A   V2 [1,2]x[0,1] c(1500,500)  pop 200 town A
    V3 [2,3]x[0,1]  c(2500,500)   pop 300  town B   V5 [5,6]x[0,1] c(5500,500)  pop 500 town B

Sites: S1 at (500, 500) (centre of V1, town A), S2 at (2500, 1500) (centre of V6, town B).

Distances (m)  V1       V2       V3     V4     V5       V6
    S1         0        1000     2000   1000   5000     2236.07 (sqrt 5e6)
    S2         2236.07  1414.21  1000   2000   3162.28  0
"""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

X0, Y0 = 250_000.0, 2_760_000.0
SQ = {"V1": (0, 0), "V2": (1, 0), "V3": (2, 0), "V4": (0, 1), "V5": (5, 0), "V6": (2, 1)}
POP = {"V1": 100, "V2": 200, "V3": 300, "V4": 400, "V5": 500, "V6": 600}
TOWN = {"V1": "A", "V2": "A", "V3": "B", "V4": "B", "V5": "B", "V6": "B"}
S1 = (X0 + 500, Y0 + 500)
S2 = (X0 + 2500, Y0 + 1500)
# hand-computed distances, rows V1..V6, columns S1, S2
DIST = np.array([[0, math.sqrt(2000**2 + 1000**2)],
                 [1000, math.sqrt(1000**2 + 1000**2)],
                 [2000, 1000],
                 [1000, 2000],
                 [5000, math.sqrt(3000**2 + 1000**2)],
                 [math.sqrt(2000**2 + 1000**2), 0]])


def villages() -> gpd.GeoDataFrame:
    ids = list(SQ)
    geom = [box(X0 + 1000 * i, Y0 + 1000 * j, X0 + 1000 * (i + 1), Y0 + 1000 * (j + 1))
            for i, j in SQ.values()]
    pop = pd.Series([POP[v] for v in ids], dtype="Int64")
    return gpd.GeoDataFrame({
        "TOWNCODE": [TOWN[v] for v in ids], "district": [TOWN[v] + "區" for v in ids],
        "village": [v + "里" for v in ids], "population": pop.to_numpy(),
        "age_0_14": pop.to_numpy() // 10, "age_65_plus": pop.to_numpy() // 5,
        "households": pop.to_numpy() // 2},
        geometry=geom, crs="EPSG:3826", index=pd.Index(ids, name="VILLCODE"))


def sites(capacity=(np.nan, np.nan), points=(S1, S2), type_id="family_service_centre",
          status=("open", "open")) -> gpd.GeoDataFrame:
    n = len(points)
    return gpd.GeoDataFrame({
        "site_id": [f"S{i + 1}" for i in range(n)], "type": [type_id] * n,
        "name": [f"site {i + 1}" for i in range(n)], "district": [None] * n,
        "address": [None] * n, "status": list(status)[:n],
        "capacity": np.asarray(capacity, dtype=float)[:n], "source": ["toy"] * n},
        geometry=[Point(p) for p in points], crs="EPSG:3826")
