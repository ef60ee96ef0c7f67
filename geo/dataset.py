"""Everything the app and CLI start from: boundaries, population, default sites and the
findings about them, resolved from one data directory."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from geo.boundaries import BOUNDARY_VINTAGE, load_districts
from geo.paths import EXPECTED_LAYOUT, resolve_data_dir
from geo.population import PopulationReport, load_village_table
from geo.quality import Finding
from geo.services import load_default_sites


@dataclass
class Dataset:
    """The loaded layers. ``missing`` says, in words, what could not be loaded and how to
    add it; ``vintages`` names each layer's source and statistic date."""

    data_dir: Path | None
    villages: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    population: PopulationReport | None
    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    vintages: dict[str, str] = field(default_factory=dict)


def load_dataset(data_dir: str | Path | None = None, *,
                 population_file: str | Path | None = None) -> Dataset:
    """Load the default Taoyuan data set. ``data_dir`` resolves as in
    :func:`geo.paths.resolve_data_dir`; without any, the committed boundaries load and
    ``missing`` lists the population and service files to add."""
    resolved = resolve_data_dir(data_dir)
    missing: list[str] = []
    findings: list[Finding] = []
    vintages = {"boundaries": BOUNDARY_VINTAGE}
    report = None
    try:
        villages, report = load_village_table(resolved, population_file=population_file)
    except FileNotFoundError as exc:
        villages, _ = load_village_table(None)
        missing.append(f"population: {exc}. Add a CSV under population/: "
                       + EXPECTED_LAYOUT["population/"])
    if resolved is None and population_file is None:
        missing.append("population: no data directory. Add population/<file>.csv: "
                       + EXPECTED_LAYOUT["population/"])
    if report is not None:
        findings += report.findings
        vintages["population"] = f"{Path(report.file).name} (統計年月 {report.month})"
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
    return Dataset(resolved, villages, load_districts(), sites, report, findings, missing,
                   vintages)
