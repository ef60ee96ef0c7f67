"""Cached loading and computation for the Streamlit pages: the data vintage in use, the site
table (default layers + the planner's site library, read from the store on every run so an
import, a rollback or a placed row shows at once and survives reloads and restarts) and
each analysis run.

Loading (boundaries, population, default sites, display geometry, the road graph) is cached
once per process and vintage (``st.cache_resource``; the road graph is shared by every
vintage); each engine run is cached by its inputs (``st.cache_data``), keyed on the
vintage and a fingerprint of the site table, so a control that returns to an earlier
value costs nothing.
"""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import replace

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis.context import AnalysisContext, library_site_table, load_context, road_loader
from analysis.coverage import CoverageQuery, CoverageResult, analyse_coverage
from geo.population import POPULATION_VINTAGES
from geo.services import SERVICE_TYPES
from ui.mapview import display_geometry, geojson_features

__all__ = ["VINTAGES", "DEFAULT_VINTAGE", "current_vintage", "dataset", "library_error",
           "library_fingerprint", "base_context", "display", "roads_available", "road_network",
           "road_source", "road_choice", "has_population", "missing_notice", "warm_up",
           "sites_fingerprint", "current_sites", "type_result", "coverage_of", "first_road_run", "site_names",
           "places", "type_ids", "base_key"]

VINTAGES = tuple(sorted(POPULATION_VINTAGES, reverse=True))  # newest first
DEFAULT_VINTAGE = VINTAGES[0]
ROADS_ENV = "SAFETYNET_ROADS"  # road source of the app: nlsc (default), osm or a file


def current_vintage() -> str:
    """The population vintage the user picked (the sidebar's, else the newest)."""
    try:
        value = st.session_state.get("_value_vintage")
    except Exception:  # noqa: BLE001 - no script run (a background thread)
        value = None
    return value if value in POPULATION_VINTAGES else DEFAULT_VINTAGE


def road_choice() -> str | None:
    """The road source asked for: ``streamlit run app.py -- --roads SOURCE``, else
    $SAFETYNET_ROADS, else None (the city's default, the city-wide NLSC graph)."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--roads" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--roads="):
            return arg.split("=", 1)[1]
    return os.environ.get(ROADS_ENV) or None


@st.cache_resource(show_spinner=False)
def _roads(choice: str | None, data_dir: str | None) -> tuple:
    """(loader, cache) of the road network, one per process: every vintage's context
    shares them, so the graph is read once."""
    if data_dir is None:
        return None, {}
    return road_loader(choice, data_dir=data_dir), {}


@st.cache_resource(show_spinner=False, max_entries=4)
def base_context(vintage: str) -> AnalysisContext:
    """The analysis context of ``vintage`` without the site library (loaded once)."""
    ctx = load_context(vintage=vintage, library=False)
    loader, cache = _roads(road_choice(), str(ctx.data_dir) if ctx.data_dir else None)
    return replace(ctx, road_loader=loader, _road_cache=cache)


def library_fingerprint() -> str:
    """What changes when the site library changes (layer folders and their newest version
    file, with its modification time): a few directory reads, no file is opened."""
    from store import layers_dir
    parts = [str(layers_dir())]
    try:
        folders = sorted(os.scandir(layers_dir()), key=lambda e: e.name)
    except OSError:
        return "none"
    for folder in folders:
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            files = sorted(f.name for f in os.scandir(folder.path) if f.name.endswith(".gpkg")
                           and f.name.startswith("v"))
        except OSError:
            continue
        if files:
            mtime = os.stat(os.path.join(folder.path, files[-1])).st_mtime_ns
            parts.append(f"{folder.name}/{files[-1]}@{mtime}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=16)
def _with_library(vintage: str, fingerprint: str) -> tuple[AnalysisContext, str | None, str]:
    """(context with the library's layers, the error reading them or None, sites key)."""
    base = base_context(vintage)
    try:
        table, labels = library_site_table(base.sites, None)
    except (ValueError, OSError, LookupError) as exc:
        from ui.fmt import error_text
        ctx, error = base, error_text(exc)  # no server folder on the screen
    else:
        ctx, error = replace(base, sites=table, vintages={**base.vintages, **labels}), None
    return ctx, error, sites_fingerprint(ctx.sites, vintage)


def dataset() -> AnalysisContext:
    """The analysis context in use: the picked vintage's villages, districts and default
    sites, with the planner's site library (a library layer of a type replaces that type's
    public layer); road network on first use."""
    return _with_library(current_vintage(), library_fingerprint())[0]


def library_error() -> str | None:
    """Why the site library could not be read (shown on the pages), or None."""
    return _with_library(current_vintage(), library_fingerprint())[1]


def base_key(tiles: str, lang: str, vintage: str | None = None) -> tuple:
    """Cache key of the rendered base map (tiles, language, the vintage's villages)."""
    return ("base", tiles, lang, vintage or current_vintage())


@st.cache_resource(show_spinner=False, max_entries=4)
def _display(vintage: str) -> dict:
    ds = base_context(vintage)
    vgeom = display_geometry(ds.villages)
    dgeom = display_geometry(ds.districts)
    rep = ds.villages.geometry.representative_point()
    return {"village_features": geojson_features(vgeom), "village_geoms": vgeom,
            "district_geoms": dgeom,
            "village_points": pd.DataFrame({"lat": rep.y, "lon": rep.x})}


def display(vintage: str | None = None) -> dict:
    """Display geometry of the vintage's villages: GeoJSON features (topology-preserving
    simplification), district outlines, and each village's representative point."""
    return _display(vintage or current_vintage())


def warm_up(lang: str, tiles: str = "none") -> None:
    """Build the display geometry and the base map of ``lang`` in a background thread (both
    cached per process) while the first run computes coverage: on two cores the map is
    ready sooner. Later runs find both cached and start nothing."""
    import threading

    from ui import map_page
    from ui.folium_component import rendered_base_cached

    vintage = current_vintage()
    if rendered_base_cached(base_key(tiles, lang, vintage)):
        return

    def _work() -> None:
        display(vintage)
        map_page.base_render(tiles, lang, vintage)

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


def sites_fingerprint(sites: gpd.GeoDataFrame, vintage: str | None = None) -> str:
    """A short key of everything in the site table that changes results, of the vintage
    whose villages they are analysed on and of the road source."""
    vintage = f"{vintage or current_vintage()}:{road_choice() or 'default'}"
    if len(sites) == 0:
        return f"{vintage}:empty"
    cols = sites.drop(columns="geometry").astype(str)
    cols["_wkb"] = sites.geometry.to_wkb(hex=True)
    digest = hashlib.sha256(pd.util.hash_pandas_object(cols, index=False).values.tobytes())
    return f"{vintage}:{digest.hexdigest()[:16]}"


def current_sites() -> tuple[gpd.GeoDataFrame, str]:
    """The sites in use (default layers + the site library) and their key."""
    ctx, _, key = _with_library(current_vintage(), library_fingerprint())
    return ctx.sites, key


@st.cache_data(show_spinner=False, max_entries=512)
def type_result(sites_key: str, type_id: str, radius: float, mode: str, demand: str | None,
                include_planned: bool, _sites: gpd.GeoDataFrame, weight: str = "length"
                ) -> CoverageResult:
    """One service type's coverage (:func:`analysis.coverage.analyse_coverage`), cached by
    (site key, settings). ``radius``: metres, or seconds with ``weight="travel_time"``;
    ``demand`` None: the type's target population. Road mode falls back to straight lines
    without roads. Raises ValueError when the data set has no values for the demand
    asked (see :func:`coverage_of`)."""
    ctx = dataset().with_sites(_sites)
    if mode != "straight" and not roads_available():
        mode, weight = "straight", "length"
        radius = ctx.config.type(type_id).radius_m
    return analyse_coverage(ctx, CoverageQuery(type_id, radius=radius, mode=mode, weight=weight,
                                               demand=demand, include_planned=include_planned))


def coverage_of(settings, type_id: str, sites: gpd.GeoDataFrame | None = None,
                sites_key: str | None = None) -> tuple[CoverageResult | None, str | None]:
    """(result, None) for ``type_id`` with the sidebar ``settings`` over ``sites`` (default:
    the sites in use), or (None, the reason in ``settings.lang``) when the demand has no
    values in this data set (e.g. indigenous residents before that layer exists)."""
    from i18n import t
    if sites is None:
        sites, sites_key = current_sites()
    elif sites_key is None:
        sites_key = sites_fingerprint(sites)
    try:
        result = type_result(sites_key, type_id, settings.radius(type_id), settings.mode,
                             settings.demand, settings.include_planned, sites,
                             weight=settings.weight)
    except ValueError:
        ctx = dataset()
        group = settings.demand or ctx.config.type(type_id).target
        from analysis.demand import group_column
        try:
            group_column(ctx.villages, group, ctx.config)
        except ValueError:  # the data set has no values for the demand group
            return None, t("no_demand_data", settings.lang, group=t(f"demand_{group}",
                                                                     settings.lang))
        # another cause: said in words, the details in the server log (never a wrong
        # "no data" message)
        import logging
        logging.getLogger("safetynet.app").exception("coverage of %s failed", type_id)
        return None, t("analysis_failed", settings.lang)
    return result, None


def first_road_run(settings) -> bool:
    """Whether the road network still has to be loaded for ``settings`` (a step of several
    seconds the page names while it runs)."""
    ctx = dataset()
    return (settings.mode == "network" and ctx.road_loader is not None
            and id(ctx.road_loader) not in ctx._road_cache)


def site_names() -> dict[str, str]:
    """Site id -> name over the sites in use (people read names, never ids)."""
    sites, _ = current_sites()
    if not len(sites):
        return {}
    return dict(zip(sites["site_id"].astype(str), sites["name"].astype(str)))


@st.cache_resource(show_spinner=False, max_entries=4)
def _places(vintage: str):
    from coverage.places import build_places
    ds = base_context(vintage)
    return build_places(ds.villages, ds.districts, vintage=ds.vintages.get("boundaries", ""))


def places():
    """Where the vintage's villages and districts are, for scenario edits and placing
    sites (:func:`coverage.places.build_places`)."""
    return _places(current_vintage())


def type_ids() -> list[str]:
    """All service-type ids in registry order."""
    return list(SERVICE_TYPES)
