"""Cached loading and computation for the Streamlit pages, and the session's site table
(default layers + the user's imports).

Loading (boundaries, population, default sites, display geometry, road graph) is cached
once per process (``st.cache_resource``); each engine run is cached by its inputs
(``st.cache_data``), keyed on a fingerprint of the site table, so a control that returns to
an earlier value costs nothing.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.context import AnalysisContext, load_context
from analysis.coverage import CoverageQuery, CoverageResult, analyse_coverage
from geo.imports import ImportResult, read_sites
from geo.services import SERVICE_TYPES
from ui.mapview import display_geometry, geojson_features

__all__ = ["dataset", "display", "roads_available", "road_network", "road_source",
           "has_population", "missing_notice", "warm_up", "sites_fingerprint", "current_sites",
           "type_result", "coverage_of", "first_road_run", "site_names", "places",
           "service_areas", "import_upload", "type_ids", "IMPORTS_KEY"]

IMPORTS_KEY = "imports"  # session_state: list of {"file", "result": ImportResult}


@st.cache_resource(show_spinner=False)
def dataset() -> AnalysisContext:
    """The analysis context of the default data set (villages, districts, default sites,
    vintages, findings; the road network on first use), loaded once per process."""
    return load_context()


@st.cache_resource(show_spinner=False)
def display() -> dict:
    """Display geometry: village GeoJSON features (topology-preserving simplification),
    district outlines, and each village's representative point (lat, lon)."""
    ds = dataset()
    vgeom = display_geometry(ds.villages)
    dgeom = display_geometry(ds.districts)
    rep = ds.villages.geometry.representative_point()
    return {"village_features": geojson_features(vgeom), "village_geoms": vgeom,
            "district_geoms": dgeom,
            "village_points": pd.DataFrame({"lat": rep.y, "lon": rep.x})}


def warm_up(lang: str, tiles: str = "none") -> None:
    """Build the display geometry and the base map of ``lang`` in a background thread (both
    cached per process) while the first run computes coverage: on two cores the map is
    ready sooner. Later runs find both cached and start nothing."""
    import threading

    from ui import map_page
    from ui.folium_component import rendered_base_cached

    if rendered_base_cached(("base", tiles, lang)):
        return

    def _work() -> None:
        display()
        map_page.base_render(tiles, lang)

    threading.Thread(target=_work, name="warm-map", daemon=True).start()


def roads_available() -> bool:
    """Whether the data set has a road network (road-distance mode can be offered)."""
    return dataset().road_loader is not None


def road_network():
    """The prepared road network (loaded once per process, shared by every analysis), or
    None without one."""
    road = dataset().road_network()
    return None if road is None else road[0]


def road_source():
    """The road network's source (label, vintage, what it covers), or None."""
    road = dataset().road_network()
    return None if road is None else road[1]


def has_population() -> bool:
    """Whether the data set has village population (else no coverage can be computed)."""
    pop = dataset().villages.get("population")
    return pop is not None and bool(pop.notna().any())


def missing_notice(lang: str) -> None:
    """A warning naming what data is missing and how to add it (file names only, never a
    path of the server)."""
    from i18n import t
    st.warning(t("no_population", lang))
    st.caption(t("no_population_how", lang))


def sites_fingerprint(sites: gpd.GeoDataFrame) -> str:
    """A short hash of everything in the site table that changes results."""
    if len(sites) == 0:
        return "empty"
    cols = sites.drop(columns="geometry").astype(str)
    cols["_wkb"] = sites.geometry.to_wkb(hex=True)
    return hashlib.sha256(pd.util.hash_pandas_object(cols, index=False).values.tobytes()
                          ).hexdigest()[:16]


def current_sites() -> tuple[gpd.GeoDataFrame, str]:
    """The default sites plus every imported list of this session, and their fingerprint."""
    base = dataset().sites
    parts = [base] + [imp["result"].sites for imp in st.session_state.get(IMPORTS_KEY, [])]
    parts = [p for p in parts if len(p)]
    if not parts:
        return base, "empty"
    sites = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=base.crs)
    return sites, sites_fingerprint(sites)


@st.cache_data(show_spinner=False, max_entries=512)
def type_result(sites_key: str, type_id: str, radius_m: float, mode: str, demand: str | None,
                include_planned: bool, _sites: gpd.GeoDataFrame) -> CoverageResult:
    """One service type's coverage (:func:`analysis.coverage.analyse_coverage`), cached by
    (site fingerprint, settings). ``demand`` None: the type's target population. Road mode
    falls back to straight lines without roads. Raises ValueError when the data set has
    no values for the demand asked (see :func:`coverage_of`)."""
    ctx = dataset().with_sites(_sites)
    mode = mode if mode == "straight" or roads_available() else "straight"
    return analyse_coverage(ctx, CoverageQuery(type_id, radius=radius_m, mode=mode,
                                               demand=demand, include_planned=include_planned))


def coverage_of(settings, type_id: str, sites: gpd.GeoDataFrame | None = None,
                sites_key: str | None = None) -> tuple[CoverageResult | None, str | None]:
    """(result, None) for ``type_id`` with the sidebar ``settings`` over ``sites`` (default:
    the session's sites), or (None, the reason in ``settings.lang``) when the demand has
    no values in this data set (e.g. indigenous residents before that layer exists)."""
    from i18n import t
    if sites is None:
        sites, sites_key = current_sites()
    elif sites_key is None:
        sites_key = sites_fingerprint(sites)
    try:
        result = type_result(sites_key, type_id, settings.radius(type_id), settings.mode,
                             settings.demand, settings.include_planned, sites)
    except ValueError:
        group = settings.demand or dataset().config.type(type_id).target
        return None, t("no_demand_data", settings.lang, group=t(f"demand_{group}",
                                                                 settings.lang))
    return result, None


def first_road_run(settings) -> bool:
    """Whether the road network still has to be loaded for ``settings`` (a step of several
    seconds the page names while it runs)."""
    ctx = dataset()
    return (settings.mode == "network" and ctx.road_loader is not None
            and id(ctx.road_loader) not in ctx._road_cache)


def site_names() -> dict[str, str]:
    """Site id -> name over the session's sites (people read names, never ids)."""
    sites, _ = current_sites()
    if not len(sites):
        return {}
    return dict(zip(sites["site_id"].astype(str), sites["name"].astype(str)))


@st.cache_resource(show_spinner=False)
def places():
    """Where villages and districts are, for scenario edits
    (:func:`coverage.places.dataset_places` of the loaded data set)."""
    from coverage.places import build_places
    ds = dataset()
    return build_places(ds.villages, ds.districts, vintage=ds.vintages.get("boundaries", ""))


@st.cache_data(show_spinner=False, max_entries=64)
def service_areas(sites_key: str, radius_m: float, _sites: gpd.GeoDataFrame
                  ) -> gpd.GeoDataFrame | None:
    """Road service areas of ``_sites`` (coverage.service_area.service_areas on the
    prepared road graph, EPSG:4326), cached by (fingerprint of those sites, radius in
    metres); None without a road graph."""
    network = road_network()
    if network is None:
        return None
    from coverage.service_area import service_areas as areas
    return areas(network, _sites, radius_m)


def import_upload(name: str, data: bytes, *, service_type: str | None) -> ImportResult:
    """Run geo.imports.read_sites on an uploaded file (written to a temporary file with
    the same name, since the reader picks the format by suffix) and keep it in the
    session. Site ids that clash with sites already loaded get a numeric prefix."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        result = read_sites(path, service_type=service_type, source=Path(name).name)
    imports = st.session_state.setdefault(IMPORTS_KEY, [])
    loaded = current_sites()[0]
    taken = set(loaded["site_id"].astype(str)) if len(loaded) else set()
    sites = result.sites.copy()
    clash = sites["site_id"].astype(str).isin(taken)
    if clash.any():
        prefix = f"u{len(imports) + 1}-"
        sites.loc[clash, "site_id"] = [prefix + str(s) for s in sites.loc[clash, "site_id"]]
    result = result._replace(sites=sites)
    imports.append({"file": Path(name).name, "result": result})
    return result


def type_ids() -> list[str]:
    """All service-type ids in registry order."""
    return list(SERVICE_TYPES)
