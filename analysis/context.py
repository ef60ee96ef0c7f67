"""The inputs every question starts from, loaded once per front end: the village table,
the districts, the site table, the road network (loaded on first use) and the defaults.

The app caches one :class:`AnalysisContext` per process, the CLI builds one per command,
the reports take the caller's. Nothing here computes coverage.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd

from analysis.config import AnalysisConfig, config

__all__ = ["AnalysisContext", "load_context", "library_site_table", "road_loader", "RoadSource"]


@dataclass(frozen=True)
class RoadSource:
    """Where a road network comes from and what it covers, for captions and notes.

    ``label``: e.g. "OSM 桃園區 drive graph (2026-08)"; ``partial``: the graph covers only
    part of the city (``covers`` names what), so city figures in road mode are partial."""

    label: str
    path: str | None = None
    vintage: str = ""
    partial: bool = False
    covers: str = ""
    covers_codes: tuple[str, ...] = ()  # TOWNCODEs of the districts a partial network covers


@dataclass
class AnalysisContext:
    """Loaded inputs. ``villages``: index VILLCODE, EPSG:4326, the village table contract
    (TOWNCODE, district, village, population, age groups, need indicators, geometry);
    ``districts``: index TOWNCODE; ``sites``: the site table (geo.services.SITE_COLUMNS);
    ``vintages``: layer -> source and date; ``findings``: data-quality findings;
    ``missing``: what could not be loaded, in words."""

    villages: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    config: AnalysisConfig
    data_dir: Path | None = None
    vintages: dict[str, str] = field(default_factory=dict)
    findings: list = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    population: Any = None  # geo.population.PopulationReport
    indicators: dict = field(default_factory=dict)  # id -> geo.indicators.Indicator
    layer_versions: dict[str, int] = field(default_factory=dict)  # site library read
    road_loader: Callable[[], tuple[Any, RoadSource]] | None = None
    # the loaded road network, shared by every copy made with with_sites()
    _road_cache: dict = field(default_factory=dict, repr=False)

    def road_network(self) -> tuple[Any, RoadSource] | None:
        """(prepared road network, its source), loaded on first call; None without roads."""
        if self.road_loader is None:
            return None
        key = id(self.road_loader)
        if key not in self._road_cache:
            network, source = self.road_loader()
            if source.partial and source.covers and not source.covers_codes:
                codes = self.districts.index[self.districts["district"] == source.covers]
                source = replace(source, covers_codes=tuple(map(str, codes)))
            self._road_cache[key] = (network, source)
        return self._road_cache[key]

    def with_sites(self, sites: gpd.GeoDataFrame) -> "AnalysisContext":
        """The same context over another site table (a scenario, an import); shares the
        road network (loaded once for all copies)."""
        return replace(self, sites=sites)


def _source_of(network, *, partial: bool = False, covers: str = "") -> RoadSource:
    info = network.info
    label = info.source + (f" ({info.vintage})" if info.vintage else "")
    return RoadSource(label=label, path=info.cache_path, vintage=info.vintage or "",
                      partial=partial, covers=covers)


def road_loader(source: str | Path | None = None, *, data_dir: Path | None = None
                ) -> Callable[[], tuple[Any, RoadSource]]:
    """A loader of a road network for :attr:`AnalysisContext.road_loader`: ``source`` is
    "nlsc" (the city-wide 1:25,000 roads, the city profile's default), "osm" (the bundled
    OSM graph), or a road file (GraphML / OSM XML / line shapefile or GeoPackage). Nothing
    is read until it is called. A source the city profile marks with ``covers`` (a part of
    the city) is partial: its city figures carry a caution."""
    from geo.city import city

    def load():
        from geo.roads import default_source, load_road_network
        network = load_road_network(source, data_dir=data_dir)
        name = default_source() if source is None else str(source)
        conf = city().files.get("roads", {}).get(name, {})
        covers = str(conf.get("covers", "")) if isinstance(conf, dict) else ""
        return network, _source_of(network, partial=bool(covers), covers=covers)
    return load


def _default_roads(data_dir: Path | None) -> Callable[[], tuple[Any, RoadSource]] | None:
    """Loader of the city's default road network, or None without a data directory."""
    return None if data_dir is None else road_loader(None, data_dir=data_dir)


def library_site_table(default: gpd.GeoDataFrame, store: str | Path | None
                       ) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """The default sites with the site library's layers (store/), and their vintage labels
    (``layer:<name>`` -> "site library, version N")."""
    table, labels, _ = _library_site_table(default, store)
    return table, labels


def _library_site_table(default: gpd.GeoDataFrame, store: str | Path | None
                        ) -> tuple[gpd.GeoDataFrame, dict[str, str], dict[str, int]]:
    """(table, vintage labels, {layer name: version read})."""
    from analysis.sites import with_library
    from store.layers import library_sites
    library, versions = library_sites(store=store)
    table, replaced = with_library(default, library)
    labels = {f"layer:{name}": f"site library, version {v}" for name, v in versions.items()}
    for type_id in replaced:
        labels[f"replaced:{type_id}"] = "default layer replaced by the site library"
    return table, labels, dict(versions)


def load_context(data_dir: str | Path | None = None, *, vintage: str | None = None,
                 population_file: str | Path | None = None,
                 sites: gpd.GeoDataFrame | None = None, library: bool = True,
                 store: str | Path | None = None,
                 analysis_config: AnalysisConfig | None = None) -> AnalysisContext:
    """Load the default data set (:func:`geo.dataset.load_dataset`) into a context.

    ``data_dir`` resolves as in :func:`geo.paths.resolve_data_dir`; ``vintage`` /
    ``population_file`` choose the population (and the boundaries matching its codes);
    ``sites`` replaces the site table (e.g. a file given on the command line); otherwise
    the planner's site library (``store``, default ``$SAFETYNET_HOME``) joins the default
    layers unless ``library=False`` (see :func:`analysis.sites.with_library`), and the
    versions read are listed in ``vintages`` (``layer:<name>``).
    """
    from geo.dataset import load_dataset
    kw = {"population_file": population_file}
    if vintage is not None:
        kw["vintage"] = vintage
    ds = load_dataset(data_dir, **kw)
    vintages = dict(ds.vintages)
    table, layer_versions = ds.sites, {}
    if sites is not None:
        table = sites
    elif library:
        table, labels, layer_versions = _library_site_table(ds.sites, store)
        vintages.update(labels)
    return AnalysisContext(
        villages=ds.villages, districts=ds.districts, sites=table,
        config=analysis_config or config(), data_dir=ds.data_dir, vintages=vintages,
        findings=list(ds.findings), missing=list(ds.missing), population=ds.population,
        indicators=dict(getattr(ds, "indicators", {}) or {}), layer_versions=layer_versions,
        road_loader=_default_roads(ds.data_dir))
