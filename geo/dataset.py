"""Everything the app and CLI start from: boundaries, population (placed on built-up land),
need indicators, default sites and the findings about them, resolved from one data
directory, with the vintage of every layer."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.boundaries import DEFAULT_BOUNDARIES, boundary_label, load_districts
from geo.city import city
from geo.crosswalk import crosswalk_summary, village_crosswalk
from geo.demand import builtup_files, builtup_label
from geo.indicators import VILLAGE_COLUMNS, Indicator, load_indicators
from geo.paths import EXPECTED_LAYOUT, resolve_data_dir
from geo.population import (POPULATION_VINTAGES, PopulationReport, load_village_table,
                            read_vintage)
from geo.quality import Finding
from geo.services import load_default_sites

__all__ = ["Dataset", "load_dataset"]


@dataclass
class Dataset:
    """The loaded layers. ``missing`` says, in words, what could not be loaded and how to
    add it; ``vintages`` names each layer's source and statistic date. ``boundaries`` is
    the boundary set in use; ``indicators`` the need indicators (geo.indicators) whose
    village columns are also attached to ``villages``; ``crosswalk`` the 2021 <-> 2023-09
    village crosswalk (geo.crosswalk) when a data directory is given."""

    data_dir: Path | None
    villages: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    population: PopulationReport | None
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    vintages: dict[str, str] = field(default_factory=dict)
    boundaries: str = DEFAULT_BOUNDARIES
    indicators: dict[str, Indicator] = field(default_factory=dict)
    crosswalk: pd.DataFrame | None = None

    def demand_point_summary(self) -> dict:
        """How the villages' residents are placed: counts per method, villages at the
        polygon's point_on_surface (no built-up land), villages moved onto their land."""
        v = self.villages
        if "demand_point_source" not in v:
            return {"method": "point_on_surface (no built-up layer)", "villages": len(v)}
        return {"method": "built-up land (geo.demand)",
                "by_source": v["demand_point_source"].value_counts().to_dict(),
                "fallback_villages": v.index[v["demand_point_source"] == "polygon"].tolist(),
                "snapped_onto_land": int(v["demand_snapped"].sum())}

    def crosswalk_summary(self) -> dict | None:
        """:func:`geo.crosswalk.crosswalk_summary` of ``crosswalk`` (None without one)."""
        return crosswalk_summary(self.crosswalk) if self.crosswalk is not None else None


def _nearest_vintage(month: str) -> str | None:
    def months(m: str) -> int:
        y, mm = m.split("-")[:2]
        return int(y) * 12 + int(mm)
    keys = [k for k in POPULATION_VINTAGES if k[:4].isdigit()]
    return min(keys, key=lambda k: abs(months(k) - months(month)), default=None)


def _district_population(resolved: Path, month: str) -> tuple[pd.Series | None, str]:
    key = _nearest_vintage(month)
    if key is None:
        return None, ""
    try:
        rows, _ = read_vintage(resolved, key)
    except FileNotFoundError:
        return None, ""
    return rows.groupby("TOWNCODE")["population"].sum(), key


def _indicators(ds: Dataset) -> None:
    low = city().files.get("demand", {}).get("low_income", {}).get("vintage")
    pop, pop_vintage = _district_population(ds.data_dir, low) if low else (None, "")
    ds.indicators, missing = load_indicators(ds.data_dir, ds.villages, boundaries=ds.boundaries,
                                             district_population=pop,
                                             population_vintage=pop_vintage)
    ds.missing += [f"need indicator {m}" for m in missing]
    for key, ind in ds.indicators.items():
        how = ind.report.get("method", "")
        ds.vintages[key] = f"{ind.label}; vintage {ind.vintage} [{ind.level}; {how}]"
        for col in VILLAGE_COLUMNS.get(key, []):
            ds.villages[col] = ind.values[col].reindex(ds.villages.index)


def load_dataset(data_dir: str | Path | None = None, *, vintage: str | None = None,
                 population_file: str | Path | None = None,
                 boundaries: str | None = None) -> Dataset:
    """Load the Taoyuan data set: by default the newest population vintage (2025-12) on its
    boundaries (2023-09); ``vintage="2021-03"`` the older pair; ``population_file`` a named
    file on the boundary set its codes match (``boundaries`` forces a set). ``data_dir``
    resolves as in :func:`geo.paths.resolve_data_dir`; without any, the committed
    boundaries load and ``missing`` lists the population and service files to add."""
    resolved = resolve_data_dir(data_dir)
    missing: list[str] = []
    findings: list[Finding] = []
    report = None
    try:
        villages, report = load_village_table(resolved, vintage=vintage,
                                              population_file=population_file,
                                              boundaries=boundaries)
    except FileNotFoundError as exc:
        villages, _ = load_village_table(None, vintage=vintage, boundaries=boundaries)
        missing.append(f"population: {exc}. Add a CSV under population/: "
                       + EXPECTED_LAYOUT["population/"])
    if resolved is None and population_file is None:
        missing.append("population: no data directory. Add population/<file>.csv: "
                       + EXPECTED_LAYOUT["population/"])
    used = (report.boundaries if report is not None and report.boundaries else boundaries
            or (POPULATION_VINTAGES[vintage]["boundaries"] if vintage else DEFAULT_BOUNDARIES))
    vintages = {"boundaries": boundary_label(used)}
    if report is not None:
        findings += report.findings
        names = ", ".join(Path(f).name for f in report.files or [report.file])
        vintages["population"] = f"{names} (統計年月 {report.month})"
    if "demand_x" in villages:
        vintages["residents_placed_on"] = builtup_label()
    elif resolved is not None:
        missing.append("built-up land (topo25k_2024/BuiltupA/*.shp) not found: residents are "
                       "placed at each village polygon's point_on_surface")
    sites, site_findings = load_default_sites(resolved)
    findings += site_findings
    for f in site_findings:
        if f.code == "missing_file":
            rel = str(Path(f.file).relative_to(resolved)) if resolved else f.file
            missing.append(f"{f.layer}: {f.file} not found. Add {rel}: "
                           + EXPECTED_LAYOUT.get(rel, "GeoJSON points"))
    if resolved is None:
        missing.append("services: no data directory. Add services/*.geojson "
                       "(家庭服務中心 and 社區心理衛生中心 points) or import a site list")
    else:
        vintages["family_service_centre"] = "MOHW 社會福利服務中心 list, about 2023-04"
        vintages["mental_health_centre"] = "MOHW data.gov.tw 165355, 2024-11"
    ds = Dataset(resolved, villages, load_districts(vintage=used), sites, report, findings,
                 missing, vintages, used)
    if resolved is not None:
        ds.crosswalk = village_crosswalk(resolved)
        weights = "built-up" if builtup_files(resolved) else "area (no built-up layer)"
        ds.vintages["crosswalk"] = ("2021 <-> 2023-09 villages: NOTE parents + area overlap, "
                                    f"{weights} weights (geo.crosswalk)")
        _indicators(ds)
    return ds
