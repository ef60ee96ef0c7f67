"""Shared references and fixtures for the tests/test_report_*.py modules (reports on the real
Taoyuan data): the constants of the scenario every report is built from, the brute-force numpy
references (demand points to sites) and ``read_sheet``. The loaded context, the scenario's
sites and the report data are session-scoped and built once (tests/_session.py) however many
of the split modules import them."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from _session import once
from analysis.context import load_context
from analysis.coverage import CoverageQuery
from analysis.hotspots import HotspotQuery
from coverage.places import dataset_places
from coverage.scenario import AddSite, CloseSite, Scenario
from geo import METRIC_CRS
from reports import build_report_data

FSC, MHC = "family_service_centre", "mental_health_centre"
RADIUS = {FSC: 5000.0, MHC: 10000.0}  # analysis/defaults.toml, read independently below
SCENARIO_NAME = "大溪新增<b>心衛</b> & 關新屋"
EDITS = (AddSite(type=MHC, name="大溪社區心理衛生中心<script>", village="68000030001",
                 status="open"),
         CloseSite("fsc-015"))
PERMUTATIONS = 199  # fast; the report records what it used
ROOT = Path(__file__).resolve().parents[1]

# --- independent references -------------------------------------------------------------

def demand_points(villages: gpd.GeoDataFrame) -> np.ndarray:
    """(n, 2) EPSG:3826: the village's demand point where given, else a point inside it."""
    rep = villages.geometry.to_crs(METRIC_CRS).representative_point()
    xy = np.column_stack([rep.x.to_numpy(), rep.y.to_numpy()])
    if "demand_x" in villages:
        given = villages[["demand_x", "demand_y"]].to_numpy(float)
        ok = np.isfinite(given).all(axis=1)
        xy[ok] = given[ok]
    return xy


def open_sites(sites: gpd.GeoDataFrame, type_id: str) -> gpd.GeoDataFrame:
    keep = (sites["type"] == type_id) & (sites["status"] == "open") & ~sites.geometry.is_empty
    return sites[keep & sites.geometry.notna()]


def nearest_m(villages, sites, type_id) -> pd.Series:
    s = open_sites(sites, type_id).geometry.to_crs(METRIC_CRS)
    xy = demand_points(villages)
    d = np.hypot(xy[:, :1] - s.x.to_numpy()[None, :], xy[:, 1:] - s.y.to_numpy()[None, :])
    return pd.Series(d.min(axis=1), index=villages.index)


@pytest.fixture(scope="session")
def ctx(data_dir):
    return once("report.ctx", lambda: load_context(data_dir))


@pytest.fixture(scope="session")
def population(ctx, raw_population_2025) -> pd.Series:
    """Residents per village from the published file (read with pandas, not the tool)."""
    return raw_population_2025["人口"].astype(float).reindex(ctx.villages.index)


@pytest.fixture(scope="session")
def scenario(ctx):
    return once("report.scenario", lambda: Scenario(SCENARIO_NAME, baseline=ctx.sites,
                                                    edits=EDITS))


@pytest.fixture(scope="session")
def after(ctx, scenario):
    return once("report.after", lambda: scenario.sites(dataset_places(ctx)))


@pytest.fixture(scope="session")
def data(ctx, scenario):
    query = HotspotQuery(permutations=PERMUTATIONS, coverage=CoverageQuery(FSC))
    return once("report.data", lambda: build_report_data(ctx, scenario=scenario,
                                                         hotspot_query=query))


def read_sheet(wb, key: str) -> pd.DataFrame:
    """A sheet by its code name: row 1 = column ids, data from row 3 to the first blank."""
    ws = next(w for w in wb.worksheets if w.sheet_properties.codeName == key)
    rows = list(ws.iter_rows(values_only=True))
    body = []
    for r in rows[2:]:
        if all(v is None for v in r):
            break
        body.append(r)
    return pd.DataFrame(body, columns=list(rows[0]))
