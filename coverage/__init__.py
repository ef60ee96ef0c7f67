"""Coverage and gap analysis of safety-net service sites over 桃園市's villages (里).

All distances and areas in metres in EPSG:3826; one point per village (point_on_surface),
residents assumed to live at that point (point mode) or uniformly over the village polygon
(area-weighted mode). Imports geo/, never streamlit or ui/.

Public API (module -> what):

coverage.config
    load_defaults(path=None) -> {type_id: TypeDefaults}; type_defaults(type_id).
    TypeDefaults: radius_m, rationale, capacity_unit, residents_per_capacity (norm, e.g.
    20,000 residents per social worker), decay (2SFCA default: None = classic), sigma_m,
    step_breaks_m / step_weights, steps().
    Values in analysis/defaults.toml (the ONE file of defaults, one rationale per type).
coverage.distance
    distance_matrix(villages, sites, *, mode="straight"|"network", network=None,
    cutoff_m=None, max_snap_m=500) -> DistanceMatrix (matrix (n_villages, n_sites) float64
    metres, inf = unreachable/beyond cut-off; villages; sites; origin_snap/dest_snap).
    village_points, site_points, straight_distances, distances_xy.
coverage.metrics
    DEMAND_GROUPS (population, children=age_0_14, elderly=age_65_plus, households);
    demand_column(villages, demand); read_custom_demand(path, column, *, known_codes,
    on_unknown); select_sites(sites, type_id, *, include_planned); nearest, within_counts;
    village_coverage(dm, radius_m, *, area_share) -> nearest_site, nearest_m, sites_within,
    covered; village_polygons, disc_relations, area_covered_share (area-weighted mode);
    weighted_percentile(values, weights, q); coverage_summary(table, demand_cols) (per
    district + city: covered demand and share, weighted median / p90 distance);
    site_towncodes, district_kpi (share of districts with >= 1 site); capacity_summary
    (residents per site / per capacity unit, against a norm).
coverage.access
    two_sfca / enhanced_two_sfca (step or Gaussian decay) -> access_raw, access (normalised
    to a demand-weighted mean of 1); decay_weights; identical to PySAL ``access``.
coverage.gaps
    uncovered_villages (ranked by uncovered demand), service_deserts (beyond every selected
    type), demand_supply_gap (per district need share - capacity share).
coverage.engine
    build_state(villages, sites, *, radius_m, demand, mode, network, area_weighted, decay,
    sigma_m, steps, ...) -> CoverageState with add_site / move_site / remove_site (one
    distance column each; results equal a full recomputation exactly), village_table(),
    summary(), distances(); coverage_table(villages, sites, *, radius_m, demand, ...) ->
    (per-village table behind ``safetynet coverage``, state); lonlat_to_xy.
    metrics.city_summary(table, sites, villages) gives the printed city summary.

Other modules in this package (optimize, hotspots, scenario, store, report_maps) are
maintained separately. Benchmarks: benchmarks/bench_coverage.py.
"""
