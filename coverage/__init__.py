"""Pure coverage analysis: arrays and (Geo)DataFrames in, results out — no file I/O, no
display text, no cached data files; every input arrives as an argument. The questions a
planner asks are put together in :mod:`analysis`, which is what the app, the CLI and the
reports call.

Distances and areas in metres (EPSG:3826), or seconds for road travel time. Each village is
one demand point (its built-up land's centroid when the village table has ``demand_x`` /
``demand_y``, else its point_on_surface); in the area-weighted mode residents are spread
over the village's settled land (``settled_geometry``) or its polygon.

Modules (module -> what):

distance        straight-line and road-network distance matrices, one interface
                (distances_xy, distance_matrix, village_points, site_points)
metrics         per-village coverage, weighted percentiles, district / city summaries,
                capacity against a norm, district KPI, densities
access          2SFCA / enhanced 2SFCA (step or Gaussian decay), equal to PySAL ``access``
gaps            uncovered villages ranked, service deserts, demand-supply gap per district
engine          CoverageState: full build and one-site incremental add / move / remove
                (equal to a full recomputation); coverage_table
compare         scenario vs baseline per type with the incremental engine
scenario        scenario edits (add, move, close, capacity, status) -> site tables
places          village points, districts and bounding box the edits need (pure)
placement       inputs of the location models from any distance mode; solve; chosen
optimize/       MCLP, LSCP, p-median: one from_costs(...) / solve() shape, exact (HiGHS)
hotspots/       Gi* and local Moran's I (esda), weights (libpysal), BH FDR (scipy),
                hot / cold regions
service_area    roads reachable from each site within a radius (road mode maps)

Imports geo/ and common/, never analysis/, store/, reports/, ui/ or cli/.
Benchmarks: benchmarks/bench_coverage.py, bench_optimize.py, bench_hotspots.py.
"""
