"""safetynet optimize on the real Taoyuan data, checked against brute force in numpy."""
from __future__ import annotations

import json

import numpy as np
import pytest

from cli import main
from geo.services import load_default_sites

RADIUS_M = 10_000.0


@pytest.fixture(scope="module")
def geometry(data_dir, village_table):
    """Village demand points (the table's built-up demand_x/demand_y, else the polygon's
    point_on_surface) and open mental-health-centre points in EPSG:3826, computed here with
    geopandas alone, and the population per village."""
    villages, _ = village_table
    pts = villages.geometry.to_crs("EPSG:3826").representative_point()
    vxy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    if "demand_x" in villages:
        built = villages[["demand_x", "demand_y"]].to_numpy(float)
        known = np.isfinite(built).all(axis=1)
        vxy[known] = built[known]
    sites, _ = load_default_sites(data_dir)
    mhc = sites[(sites["type"] == "mental_health_centre") & (sites["status"] == "open")]
    sxy = mhc.geometry.to_crs("EPSG:3826")
    sxy = np.column_stack([sxy.x.to_numpy(), sxy.y.to_numpy()])
    pop = np.nan_to_num(villages["population"].to_numpy(float))
    return villages, vxy, mhc, sxy, pop


def _dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dx = a[:, 0:1] - b[:, 0][None, :]
    dy = a[:, 1:2] - b[:, 1][None, :]
    return np.sqrt(dx * dx + dy * dy)


def _run(capfd, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def test_mclp_one_site_equals_brute_force(tmp_path, capfd, geometry):
    villages, vxy, mhc, sxy, pop = geometry
    out = tmp_path / "mclp.json"
    code, stdout, _ = _run(capfd, "optimize", "--model", "mclp", "--type",
                           "mental_health_centre", "--radius-km", "10", "--k", "1",
                           "--out", str(out))
    assert code == 0, stdout
    res = json.loads(out.read_text(encoding="utf-8"))

    fixed_cov = (_dist(vxy, sxy) <= RADIUS_M).any(axis=1)
    within = _dist(vxy, vxy) <= RADIUS_M  # candidate c covers village i
    values = np.array([pop[fixed_cov | within[:, c]].sum() for c in range(len(villages))])
    assert len(values) == len(villages)  # every village point is a candidate
    best = values.max()

    assert res["covered_before"] == pop[fixed_cov].sum()
    assert res["covered_after"] == best
    assert res["objective"] == best
    assert res["total_demand"] == pop.sum()
    assert res["solver_status"] == "Optimal" and res["optimal"] and res["mip_gap"] == 0.0
    chosen = {r["id"]: r for r in res["chosen"]}
    for sid in mhc["site_id"]:
        assert chosen[sid]["fixed"] is True and chosen[sid]["new"] is False
    new = [r for r in res["chosen"] if r["new"]]
    assert len(new) == 1 and res["new_sites"] == [new[0]["id"]]
    pos = villages.index.get_loc(new[0]["id"])
    assert values[pos] == best
    assert new[0]["district"] == villages.at[new[0]["id"], "district"]
    assert res["parameters"]["radius_m"] == RADIUS_M and res["parameters"]["k"] == 1
    assert "population" in res["vintages"]
    assert "觀音區" in stdout or new[0]["name"] in stdout  # summary names the new site
    assert [p.name for p in tmp_path.iterdir()] == ["mclp.json"]  # no temp file left


def test_lscp_with_candidates_reports_uncoverable(tmp_path, capfd, geometry):
    villages, vxy, mhc, sxy, pop = geometry
    csv = tmp_path / "social_housing.csv"
    csv.write_text("名稱,經度,緯度\n社宅甲,121.30,25.00\n社宅乙,121.22,24.95\n"
                   "社宅丙,121.3,999\n", encoding="utf-8")
    out = tmp_path / "lscp.json"
    code, _, err = _run(capfd, "optimize", "--model", "lscp", "--type", "mental_health_centre",
                        "--radius-km", "5", "--candidates", str(csv), "--out", str(out),
                        "--lang", "en")
    assert code == 0
    assert "row 3 rejected" in err and "lat" in err  # the bad row is reported
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["candidates_rejected"] == 1 and res["candidates_total"] == 4

    from pyproj import Transformer
    tr = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)
    cxy = np.array([tr.transform(121.30, 25.00), tr.transform(121.22, 24.95)])
    reach = (_dist(vxy, np.vstack([sxy, cxy])) <= 5_000.0).any(axis=1)
    assert (~reach).sum() > 0
    assert res["uncoverable_demand"] == pop[~reach].sum()
    assert res["uncoverable_villages"] == int((~reach).sum())
    # LSCP covers every coverable village
    assert res["covered_after"] == pop[reach].sum()
    assert res["objective"] == len(res["new_sites"])


def test_all_candidate_rows_rejected_fails(tmp_path, capfd):
    csv = tmp_path / "bad.csv"
    csv.write_text("名稱,經度,緯度\n甲,1,2\n乙,121.3,\n", encoding="utf-8")
    code, _, err = _run(capfd, "optimize", "--model", "mclp", "--type", "mental_health_centre",
                        "--k", "1", "--candidates", str(csv), "--out", str(tmp_path / "o.json"),
                        "--lang", "en")
    assert code == 2
    assert "row 1 rejected" in err and "row 2 rejected" in err
    assert "no usable candidate" in err
    code, _, err = _run(capfd, "optimize", "--model", "mclp", "--type", "mental_health_centre",
                        "--k", "1", "--candidates", str(csv), "--out", str(tmp_path / "o.json"))
    assert code == 2  # zh-TW, the default
    assert "第 1 列被拒絕" in err and "第 2 列被拒絕" in err
    assert "沒有可用的候選點（讀取 2 列，拒絕 2 列，0 列沒有位置）" in err
    assert not (tmp_path / "o.json").exists()


@pytest.mark.parametrize("argv, message", [
    (["--model", "mclp"], "needs --k"),
    (["--model", "lscp", "--k", "2"], "does not apply"),
    (["--model", "mclp", "--k", "1", "--radius-km", "-1"], "--radius-km"),
])
def test_bad_arguments(tmp_path, capfd, argv, message):
    code, _, err = _run(capfd, "optimize", "--type", "mental_health_centre", *argv,
                        "--out", str(tmp_path / "o.json"))
    assert code == 2 and message in err


def test_greedy_pmedian_keeps_fixed_and_json_stdout(tmp_path, capfd, geometry):
    villages, vxy, mhc, sxy, pop = geometry
    out = tmp_path / "pm.json"
    code, stdout, _ = _run(capfd, "optimize", "--model", "pmedian", "--type",
                           "mental_health_centre", "--k", "2", "--greedy", "--json",
                           "--demand", "elderly", "--out", str(out))
    assert code == 0
    printed = json.loads(stdout)  # stdout is pure JSON (solver banner kept off it)
    res = json.loads(out.read_text(encoding="utf-8"))
    assert printed["objective"] == res["objective"]
    assert res["method"] == "greedy" and res["optimal"] is False
    ids = [r["id"] for r in res["chosen"]]
    assert set(mhc["site_id"]) <= set(ids) and len(res["new_sites"]) == 2
    # objective = elderly-weighted distance to the nearest chosen site, recomputed here
    eld = np.nan_to_num(villages["age_65_plus"].to_numpy(float))
    pos = [villages.index.get_loc(i) for i in res["new_sites"]]
    d = np.minimum(_dist(vxy, sxy).min(axis=1), _dist(vxy, vxy[pos]).min(axis=1))
    assert res["objective"] == pytest.approx(float(eld @ d), rel=1e-12)
