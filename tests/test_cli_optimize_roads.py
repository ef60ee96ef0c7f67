"""``safetynet optimize`` on road costs (issue 15: the placement models on the city-wide
road graph): the solver's covered demand is what the coverage engine finds when the chosen
sites are opened — two separate code paths (the MIP on the cost matrix, and the engine's
Dijkstra per site) — and travel-time radii are honoured."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from analysis.context import load_context
from analysis.coverage import CoverageQuery, analyse_coverage
from cli import main


@pytest.mark.parametrize("extra, weight, radius", [
    (["--radius-km", "3"], "length", 3000.0),
    (["--radius-min", "6"], "travel_time", 360.0),
])
def test_mclp_on_roads_equals_engine_coverage(tmp_path, capsys, data_dir, extra, weight, radius):
    out = tmp_path / "mclp.json"
    assert main(["optimize", "--model", "mclp", "--type", "mental_health_centre", "--k", "3",
                 "--mode", "network", *extra, "--out", str(out), "--data-dir", str(data_dir),
                 "--time-limit", "120"]) == 0
    doc = json.loads(out.read_text("utf-8"))
    assert doc["optimal"] and len(doc["new_sites"]) == 3
    assert "road network" in doc["parameters"]["distance"]
    chosen = pd.DataFrame(doc["chosen"])
    ctx = load_context(data_dir)
    new = chosen[chosen["new"]]
    added = gpd.GeoDataFrame(
        {"site_id": "new-" + new["id"].astype(str), "type": "mental_health_centre",
         "name": new["name"], "district": new["district"], "address": None, "status": "open",
         "capacity": float("nan"), "source": "test"},
        geometry=gpd.points_from_xy(new["lon"], new["lat"]), crs="EPSG:4326")
    sites = pd.concat([ctx.sites, added], ignore_index=True)
    result = analyse_coverage(ctx.with_sites(gpd.GeoDataFrame(sites, crs="EPSG:4326")),
                              CoverageQuery("mental_health_centre", radius=radius,
                                            mode="network", weight=weight))
    # chosen at the villages' own demand points: the engine must see the same coverage
    assert result.city["demand_covered"] == pytest.approx(doc["covered_after"], rel=1e-6)
