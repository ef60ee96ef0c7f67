"""Hotspots (熱區) of a village indicator: local Getis-Ord Gi* or local Moran's I (LISA) with
conditional-permutation inference, Benjamini-Hochberg FDR, and merging of touching hot
villages into ranked regions.

Indicators are pandas Series keyed by VILLCODE, aligned to the village layer. Modules:

indicators
    children_density, elderly_density (persons per km²), per_1000, indicator(name).
weights
    build_weights (queen contiguity via shapely, or a libpysal distance band, in EPSG:3826;
    islands linked to the nearest village with libpysal KNN and reported),
    queen_neighbours, village_centroids_m.
inference
    two_sided_p (two-sided pseudo p, ties in both tails), bh_adjust (scipy BH), gi_bins
    (ArcGIS Gi_Bin), fdr_min_villages. The module docstring explains the p-values.
local_stats
    gi_star, local_moran (esda, seeded, n_jobs=1), DEFAULT_SEED, DEFAULT_PERMUTATIONS,
    FDR_PERMUTATIONS.
regions
    hot_villages, hotspot_regions (every setting an argument: min_bin, side, missing).

Display text (the method note, indicator labels) lives in :mod:`i18n.hotspot_notes`.
"""
from __future__ import annotations

from coverage.hotspots.indicators import children_density, elderly_density, indicator, per_1000
from coverage.hotspots.inference import (BIN_LEVELS, bh_adjust, fdr_min_villages, gi_bins,
                                         two_sided_p)
from coverage.hotspots.local_stats import (DEFAULT_PERMUTATIONS, DEFAULT_SEED,
                                           FDR_PERMUTATIONS, QUADRANTS, gi_star, local_moran)
from coverage.hotspots.regions import MISSING_RULES, hot_villages, hotspot_regions
from coverage.hotspots.weights import build_weights, queen_neighbours, village_centroids_m
from coverage.metrics import village_area_km2

__all__ = ["BIN_LEVELS", "DEFAULT_PERMUTATIONS", "DEFAULT_SEED", "FDR_PERMUTATIONS",
           "MISSING_RULES", "QUADRANTS", "bh_adjust", "build_weights", "children_density",
           "elderly_density", "fdr_min_villages", "gi_bins", "gi_star", "hot_villages",
           "hotspot_regions", "indicator", "local_moran", "per_1000", "queen_neighbours",
           "two_sided_p", "village_area_km2", "village_centroids_m"]
