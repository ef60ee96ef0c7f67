"""Hotspot regions and the hotspots CLI: hot villages merged into regions on hand-built grids
(touching cells merge, ranking by unmet demand, missing unmet demand counted as zero or
excluded, every setting from the caller, bins or LISA quadrants selecting villages), and
``safetynet hotspots`` carrying unmet demand from the coverage engine. Gi*/LISA, FDR,
indicators and the method note: test_hotspots.py; the weights: test_hotspot_weights.py."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from coverage import hotspots as hs
from tests.test_hotspot_weights import grid_layer


# --------------------------------------------------------------------------- regions
def _region_table():
    gdf = grid_layer(n=4)
    gdf["district"] = ["甲區" if k[1] in "01" else "乙區" for k in gdf.index]
    gdf["population"] = [100 * (int(k[0]) + 1) + int(k[1]) for k in gdf.index]
    gdf["demand"] = gdf["population"] / 10
    gdf["unmet"] = 0.0
    gdf.loc[["00", "11"], "unmet"] = [5.0, 5.0]
    gdf.loc[["03", "13"], "unmet"] = [6.0, 4.0]  # same unmet total: tie broken by demand
    gdf.loc["30", "unmet"] = 1.0
    gdf["site"] = ["S1" if k in ("00", "11", "03") else "S2" for k in gdf.index]
    # a Gi* result by hand: 00, 11, 03 at bin 3, 13 and 30 at bin 2, a cold cell 33
    result = pd.DataFrame({"bin": 0}, index=gdf.index)
    result.loc[["00", "11", "03"], "bin"] = 3
    result.loc[["13", "30"], "bin"] = 2
    result.loc["33", "bin"] = -2
    return gdf, result


def test_regions_on_a_grid_merge_touching_hot_cells_and_rank_by_unmet_demand():
    gdf, result = _region_table()
    cols = dict(demand_col="demand", unmet_col="unmet", site_col="site")
    out = hs.hotspot_regions(gdf, result, min_bin=2, side="hot", missing="zero", **cols)
    # components: {00, 11} touch at a corner (queen), {03, 13} share an edge, {30} alone
    assert out["villages"].tolist() == [["03", "13"], ["00", "11"], ["30"]]
    assert out["region"].tolist() == [1, 2, 3]
    assert out["population"].tolist() == [103 + 203, 100 + 201, 400]
    assert out["demand"].tolist() == pytest.approx([30.6, 30.1, 40.0])
    assert out["unmet_demand"].tolist() == [10.0, 10.0, 1.0]
    assert out["nearest_sites"].tolist() == [["S1", "S2"], ["S1"], ["S2"]]
    assert out["districts"].tolist() == [["乙區"], ["甲區"], ["甲區"]]
    # min_bin 3 keeps 00, 11, 03; cold side with min_bin 2 keeps 33 only
    top = hs.hotspot_regions(gdf, result, min_bin=3, side="hot", missing="zero", **cols)
    assert top["villages"].tolist() == [["00", "11"], ["03"]]
    cold = hs.hotspot_regions(gdf, result, min_bin=2, side="cold", missing="zero")
    assert cold["villages"].tolist() == [["33"]] and np.isnan(cold.loc[0, "unmet_demand"])
    # a ready selection (boolean Series) gives the same regions
    mask = pd.Series(gdf.index.isin(["00", "11", "03", "13", "30"]), index=gdf.index)
    same = hs.hotspot_regions(gdf, mask, missing="zero", **cols)
    pd.testing.assert_frame_equal(same, out)
    # with a rook (edge-only) neighbour map the corner contact no longer merges 00 and 11
    steps = ((0, 1), (1, 0), (0, -1), (-1, 0))
    rook = {k: [f"{int(k[0]) + dr}{int(k[1]) + dc}" for dr, dc in steps] for k in gdf.index}
    out = hs.hotspot_regions(gdf, mask, missing="zero", neighbours=rook, unmet_col="unmet")
    assert sorted(map(tuple, out["villages"])) == [("00",), ("03", "13"), ("11",), ("30",)]
    assert hs.hotspot_regions(gdf, mask & False, missing="zero").empty


def test_missing_unmet_demand_counts_as_zero_or_is_excluded():
    gdf, result = _region_table()
    gdf.loc[["13", "30"], "unmet"] = np.nan
    opts = dict(min_bin=2, side="hot", unmet_col="unmet")
    zero = hs.hotspot_regions(gdf, result, missing="zero", **opts)
    excl = hs.hotspot_regions(gdf, result, missing="exclude", **opts)
    # {03, 13}: 6 + (NaN) = 6 either way; {30} alone: 0 with "zero", unknown with "exclude"
    assert zero["villages"].tolist() == [["00", "11"], ["03", "13"], ["30"]]
    assert zero["unmet_demand"].tolist() == [10.0, 6.0, 0.0]
    assert excl["villages"].tolist() == [["00", "11"], ["03", "13"], ["30"]]
    assert excl["unmet_demand"].tolist()[:2] == [10.0, 6.0]
    assert np.isnan(excl.loc[2, "unmet_demand"])
    # NaN ranks last under "exclude" even against a region with unmet demand 0
    gdf.loc[["00", "11"], "unmet"] = 0.0
    excl = hs.hotspot_regions(gdf, result, missing="exclude", **opts)
    assert excl["villages"].tolist() == [["03", "13"], ["00", "11"], ["30"]]


def test_regions_need_every_setting_from_the_caller():
    gdf, result = _region_table()
    with pytest.raises(TypeError, match="missing"):
        hs.hotspot_regions(gdf, result, min_bin=2, side="hot")
    with pytest.raises(TypeError, match="min_bin, side"):
        hs.hotspot_regions(gdf, result, missing="zero")
    lisa = pd.DataFrame({"quadrant": "ns"}, index=gdf.index)
    lisa.loc[["00", "01"], "quadrant"] = "HH"
    out = hs.hotspot_regions(gdf, lisa, side="hot", missing="exclude")  # LISA: no min_bin
    assert out["villages"].tolist() == [["00", "01"]]
    with pytest.raises(ValueError, match="'exclude' or 'zero'"):
        hs.hotspot_regions(gdf, result, min_bin=2, side="hot", missing="drop")
    mask = result["bin"] >= 2
    with pytest.raises(TypeError, match="already a selection"):
        hs.hotspot_regions(gdf, mask, min_bin=2, missing="zero")
    with pytest.warns(DeprecationWarning, match="missing="):
        legacy = hs.hotspot_regions(gdf, mask, unmet_col="unmet")
    pd.testing.assert_frame_equal(legacy, hs.hotspot_regions(gdf, mask, missing="zero",
                                                             unmet_col="unmet"))


def test_hot_villages_selects_bins_or_lisa_quadrants():
    res = pd.DataFrame({"quadrant": ["HH", "ns", "LL", "HH"]}, index=list("abcd"))
    assert hs.hot_villages(res).tolist() == [True, False, False, True]
    assert hs.hot_villages(res, side="cold").tolist() == [False, False, True, False]
    gi = pd.DataFrame({"bin": [3, 1, 0, -1, -2]}, index=list("abcde"))
    assert hs.hot_villages(gi, min_bin=2).tolist() == [True, False, False, False, False]
    assert hs.hot_villages(gi, side="cold").tolist() == [False, False, False, True, True]


# -------------------------------------------------------------------------------- CLI
def test_cli_hotspots_regions_carry_unmet_demand_from_the_coverage_engine(
        data_dir, tmp_path, capsys, village_table, raw_population_2025):
    from pyproj import Transformer
    from scipy.spatial.distance import cdist

    from cli import main
    from geo.services import load_default_sites

    out = tmp_path / "hot.json"
    rc = main(["hotspots", "--indicator", "uncovered_share", "--type", "family_service_centre",
               "--radius-km", "3", "--seed", "99", "--json", "--out", str(out)])
    assert rc == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["meta"]["seed"] == 99 and printed["meta"]["radius_m"] == 3000
    saved = json.loads(out.read_text(encoding="utf-8"))
    villages = pd.DataFrame(saved["villages"]).set_index("VILLCODE")
    # coverage recomputed here (not by the engine): demand points to the centres, scipy +
    # pyproj; indicator = 1 - covered, unmet = residents (published file) x (1 - covered)
    sites, _ = load_default_sites(data_dir)
    fsc = sites[sites["type"] == "family_service_centre"]
    sxy = np.column_stack(Transformer.from_crs(4326, 3826, always_xy=True).transform(
        fsc.geometry.x.to_numpy(), fsc.geometry.y.to_numpy()))
    table = village_table[0].loc[villages.index]
    d = cdist(table[["demand_x", "demand_y"]].to_numpy(float), sxy)
    covered = pd.Series((d.min(axis=1) <= 3000) * 1.0, index=villages.index)
    nearest = pd.Series(fsc["site_id"].to_numpy()[d.argmin(axis=1)], index=villages.index)
    unmet = raw_population_2025["人口"].reindex(villages.index) * (1 - covered)
    assert len(villages) == 516 and 0 < covered.mean() < 1
    np.testing.assert_array_equal(villages["value"], 1 - covered)
    regions = saved["regions"]
    assert regions and regions == sorted(regions, key=lambda r: -r["unmet_demand"])
    for r in regions:
        assert (villages.loc[r["villages"], "bin"] >= 2).all()
        assert r["unmet_demand"] == pytest.approx(unmet[r["villages"]].sum())
        assert set(r["nearest_sites"]) == set(nearest[r["villages"]])
    hot = villages.index[villages["bin"] >= 2]
    assert sorted(v for r in regions for v in r["villages"]) == sorted(hot)


def test_cli_hotspots_rejects_a_coverage_indicator_without_type(data_dir, capsys):
    from cli import main
    assert main(["hotspots", "--indicator", "uncovered_share"]) == 2
    assert "needs a service type (--type)" in capsys.readouterr().err
