"""``safetynet coverage``: the per-village table on real data, summaries, network note,
custom demand, atomic writes and clear errors for bad input."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from cli import main
from geo.paths import PROJECT_ROOT

COLUMNS = ["VILLCODE", "TOWNCODE", "district", "village", "population", "demand",
           "nearest_site", "nearest_m", "sites_within", "covered"]


def _run(*args):
    return main(["coverage", *args])


def _points_xy(data_dir, name: str) -> np.ndarray:
    """A published point file's points (json + pyproj), EPSG:3826 metres."""
    from pyproj import Transformer
    doc = json.loads((data_dir / "services" / name).read_text("utf-8"))
    lon, lat = np.array([f["geometry"]["coordinates"] for f in doc["features"]]).T
    return np.column_stack(Transformer.from_crs(4326, 3826, always_xy=True).transform(lon, lat))


def _fsc_xy(data_dir) -> np.ndarray:
    """The 15 family service centres, EPSG:3826."""
    return _points_xy(data_dir, "family_service_centres.geojson")


def test_csv_table_and_summary(tmp_path, capsys, data_dir, raw_population_2025,
                               village_table):
    from scipy.spatial.distance import cdist
    out = tmp_path / "fsc.csv"
    assert _run("--type", "family_service_centre", "--radius-km", "5", "--out", str(out),
                "--data-dir", str(data_dir)) == 0
    text = capsys.readouterr().out
    t = pd.read_csv(out, dtype={"VILLCODE": str, "TOWNCODE": str})
    assert list(t.columns[:len(COLUMNS)]) == COLUMNS
    # the default vintage: 2025-12 population on the 2023-09 boundaries, every code placed
    assert sorted(t["VILLCODE"]) == sorted(raw_population_2025.index)
    total = int(raw_population_2025["人口"].sum())
    assert total == 2_355_106  # the README's published total
    assert t["population"].sum() == total and (t["demand"] == t["population"]).all()
    assert set(t["covered"].unique()) <= {0.0, 1.0}
    # nearest centre recomputed here: demand points to the published points (scipy, pyproj)
    xy = village_table[0].loc[t["VILLCODE"], ["demand_x", "demand_y"]].to_numpy(float)
    near = cdist(xy, _fsc_xy(data_dir)).min(axis=1)
    np.testing.assert_allclose(t["nearest_m"], near, rtol=1e-9)
    np.testing.assert_array_equal(t["covered"], (near <= 5000) * 1.0)
    pop = raw_population_2025["人口"].reindex(t["VILLCODE"]).to_numpy()
    covered = int(pop[near <= 5000].sum())
    assert f"{covered:,}" in text and f"{total:,}" in text and "13/13" in text
    assert not list(tmp_path.glob(".*tmp*"))  # no temp file left behind


def test_2021_vintage_stays_selectable(tmp_path, capsys, data_dir):
    """--vintage 2021-03: the 504 villages of 2021 and the population file's own total."""
    raw = pd.read_csv(data_dir / "population" / "taoyuan_villages_2021-03.csv")
    out = tmp_path / "v.json"
    assert _run("--type", "family_service_centre", "--vintage", "2021-03", "--out", str(out),
                "--json", "--data-dir", str(data_dir)) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["villages"] == len(raw) == 504
    assert s["demand_total"] == raw["人口"].sum() == 2_270_689


def test_json_output_and_elderly_demand(tmp_path, capsys, data_dir, raw_population_2025,
                                        village_table):
    from scipy.spatial.distance import cdist
    out = tmp_path / "fsc.json"
    assert _run("--type", "家庭服務中心", "--demand", "elderly", "--out", str(out), "--json",
                "--data-dir", str(data_dir)) == 0
    printed = json.loads(capsys.readouterr().out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["summary"]["demand_total"] == printed["demand_total"]
    rows = pd.DataFrame(doc["villages"])
    assert len(rows) == len(raw_population_2025) == 516
    assert rows["demand"].sum() == raw_population_2025["超過64歲"].sum()
    import tomllib
    cfg = tomllib.loads((PROJECT_ROOT / "analysis" / "defaults.toml").read_text("utf-8"))
    assert printed["radius_m"] == cfg["types"]["family_service_centre"]["radius_km"] * 1000
    districts = pd.DataFrame(doc["districts"]).set_index("TOWNCODE")
    assert len(districts) == 14  # 13 districts + the city row
    # residents 65+ within 5 km of a centre per district, from the published file (pandas)
    villages = village_table[0]
    near = cdist(villages[["demand_x", "demand_y"]].to_numpy(float), _fsc_xy(data_dir)).min(1)
    aged = raw_population_2025["超過64歲"].reindex(villages.index)[near <= 5000]
    by_town = aged.groupby(villages["TOWNCODE"][near <= 5000]).sum()
    assert len(by_town) == 13
    np.testing.assert_array_equal(districts.loc[by_town.index, "elderly_covered"], by_town)
    assert districts.loc["all", "elderly_covered"] == aged.sum()
    assert districts.loc["all", "population_total"] == raw_population_2025["人口"].sum()
    assert "capacity_norm" not in printed  # the per-resident norm applies to population only


def test_area_weighted_shares(tmp_path, capsys, data_dir, village_table):
    import geopandas as gpd
    import shapely
    point, area = tmp_path / "p.csv", tmp_path / "a.csv"
    assert _run("--type", "family_service_centre", "--radius-km", "3", "--out", str(point),
                "--data-dir", str(data_dir)) == 0
    assert _run("--type", "family_service_centre", "--radius-km", "3", "--area-weighted",
                "--out", str(area), "--data-dir", str(data_dir)) == 0
    p = pd.read_csv(point, dtype={"VILLCODE": str}).set_index("VILLCODE")
    a = pd.read_csv(area, dtype={"VILLCODE": str}).set_index("VILLCODE")
    # independent: the share of each village's built-up land inside the union of 3 km
    # discs (shapely, 1,024-gons; the tool's polygonal discs differ by < 1e-3 of a share)
    villages = village_table[0]
    disc = shapely.union_all(shapely.buffer(shapely.points(_fsc_xy(data_dir)), 3000.0,
                                            quad_segs=256))
    land = gpd.GeoSeries(villages["settled_geometry"], crs=4326).to_crs(3826).to_numpy()
    share = shapely.area(shapely.intersection(land, disc)) / shapely.area(land)
    np.testing.assert_allclose(a.loc[villages.index, "covered"], share, rtol=0, atol=1e-3)
    assert ((share > 0.01) & (share < 0.99)).sum() > 20  # partial villages exist
    # a village whose point is beyond 3 km of every site but whose land is reached
    assert ((p["covered"] == 0) & (a["covered"] > 0)).any()


def test_osm_graph_says_it_covers_taoyuan_district_only(tmp_path, capsys, data_dir):
    out = tmp_path / "net.csv"
    assert _run("--type", "family_service_centre", "--mode", "network", "--roads", "osm",
                "--out", str(out), "--data-dir", str(data_dir), "--lang", "en") == 0
    text = capsys.readouterr().out
    assert "covers only 桃園區" in text and "unreachable" in text
    t = pd.read_csv(out, dtype={"TOWNCODE": str})
    outside = t["TOWNCODE"] != "68000010"
    # the graph ends at 桃園區's edge: villages off it are never covered, and those are
    # nearly all villages of the other 12 districts
    assert t.loc[~t["snapped"], "covered"].sum() == 0
    assert (~t.loc[outside, "snapped"]).mean() > 0.95
    inside = t[~outside]
    assert inside["covered"].mean() > 0.5
    assert inside.loc[inside["covered"] == 1, "nearest_m"].le(5000).all()


def test_city_wide_roads_by_default_are_below_straight_lines(tmp_path, capsys, data_dir):
    """The NLSC roads cover all 13 districts: every village is snapped, and the share of
    residents within 3 km by road is far below the straight-line share (README of the data:
    'within 3 km far below'), never above it (a road is never shorter than the line)."""
    road, line = tmp_path / "road.json", tmp_path / "line.json"
    assert _run("--type", "family_service_centre", "--mode", "network", "--radius-km", "3",
                "--out", str(road), "--json", "--data-dir", str(data_dir)) == 0
    r = json.loads(capsys.readouterr().out)
    assert _run("--type", "family_service_centre", "--radius-km", "3", "--out", str(line),
                "--json", "--data-dir", str(data_dir)) == 0
    s = json.loads(capsys.readouterr().out)
    assert r["villages_off_graph"] == 0 and "桃園區 only" not in " ".join(r["notes"])
    assert r["demand_share"] < s["demand_share"] - 0.1
    v = pd.DataFrame(json.loads(road.read_text("utf-8"))["villages"])
    w = pd.DataFrame(json.loads(line.read_text("utf-8"))["villages"])
    # a road route (plus the straight snaps) is never shorter than the straight line
    assert (v["road_m"] >= w["nearest_m"] - 1e-6).all()
    assert set(v["TOWNCODE"]) == set(w["TOWNCODE"]) and len(set(v["TOWNCODE"])) == 13


def test_radius_in_road_minutes(tmp_path, capsys, data_dir):
    out = tmp_path / "min.csv"
    assert _run("--type", "family_service_centre", "--mode", "network", "--radius-min", "10",
                "--out", str(out), "--json", "--data-dir", str(data_dir)) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["radius_min"] == 10 and s["weight"] == "travel_time"
    t = pd.read_csv(out)
    assert ((t["covered"] == 1) == (t["nearest_min"] <= 10)).all()
    # beyond the radius the cost is inf (empty in the CSV); road_min has no cut-off
    assert (t["nearest_min"].fillna(np.inf) >= t["road_min"] - 1e-9).all()
    assert _run("--type", "family_service_centre", "--radius-min", "10", "--out", str(out),
                "--data-dir", str(data_dir)) == 2
    assert "--mode network" in capsys.readouterr().err


def test_custom_demand_file(tmp_path, capsys, data_dir):
    f = tmp_path / "cases.csv"
    f.write_text("VILLCODE,cases\n68000010-001,10\n68000010002,5\n", encoding="utf-8")
    out = tmp_path / "c.csv"
    assert _run("--type", "family_service_centre", "--demand", "cases", "--demand-file", str(f),
                "--out", str(out), "--data-dir", str(data_dir), "--lang", "en") == 0
    text = capsys.readouterr().out
    t = pd.read_csv(out, dtype={"VILLCODE": str}).set_index("VILLCODE")
    assert t.loc["68000010001", "demand"] == 10 and t["demand"].notna().sum() == 2
    assert f"{len(t) - 2} villages have no cases value" in text


def test_unknown_demand_codes_stop_or_are_listed(tmp_path, capsys, data_dir):
    f = tmp_path / "cases.csv"
    f.write_text("VILLCODE,cases\n68000010001,10\n68000010980,5\n", encoding="utf-8")
    out = tmp_path / "c.csv"
    args = ["--type", "family_service_centre", "--demand", "cases", "--demand-file", str(f),
            "--out", str(out), "--data-dir", str(data_dir)]
    assert _run(*args) == 2
    assert "row 2: 68000010980" in capsys.readouterr().err and not out.exists()
    assert _run(*args, "--skip-unknown-codes") == 0
    assert "row 2: 68000010980" in capsys.readouterr().out
    assert pd.read_csv(out)["demand"].sum() == 10


def test_decay_option_gives_e2sfca(tmp_path, capsys, data_dir, village_table,
                                   raw_population_2025):
    """E2SFCA with gaussian decay recomputed here with numpy (Luo & Qi 2009; the weight
    exp(-d^2 / 2 sigma^2) of PySAL access): village demand points to the published centres."""
    from scipy.spatial.distance import cdist
    out = tmp_path / "g.csv"
    assert _run("--type", "family_service_centre", "--radius-km", "4", "--decay", "gaussian",
                "--out", str(out), "--data-dir", str(data_dir), "--lang", "en") == 0
    assert "2SFCA decay: gaussian" in capsys.readouterr().out
    t = pd.read_csv(out, dtype={"VILLCODE": str}).set_index("VILLCODE")
    villages = village_table[0].loc[t.index]
    pop = raw_population_2025["人口"].reindex(t.index).to_numpy(float)
    d = cdist(villages[["demand_x", "demand_y"]].to_numpy(float), _fsc_xy(data_dir))
    # sigma = half the radius (defaults.toml gaussian_sigma = 0.5); capacity unknown = 1 each
    w = np.where(d <= 4000.0, np.exp(-d ** 2 / (2 * 2000.0 ** 2)), 0.0)
    ratio = 1.0 / (pop @ w)
    raw = w @ ratio
    assert (raw > 0).sum() > 300  # most villages reach some centre within 4 km
    np.testing.assert_allclose(t["access_raw"], raw, rtol=1e-9)
    np.testing.assert_allclose(t["access"], raw / ((pop @ raw) / pop.sum()), rtol=1e-9)


def test_user_site_list(tmp_path, capsys, data_dir, village_table, raw_agegroups_2025):
    import tomllib
    from pyproj import Transformer
    from scipy.spatial.distance import cdist
    f = tmp_path / "sat.csv"
    f.write_text("名稱,經度,緯度,狀態\n甲據點,121.30,24.99,開放\n乙據點,121.22,24.95,規劃中\n",
                 encoding="utf-8")
    cfg = tomllib.loads((PROJECT_ROOT / "analysis" / "defaults.toml").read_text("utf-8"))
    radius = cfg["types"]["community_support_site"]["radius_km"] * 1000
    sites = np.column_stack(Transformer.from_crs(4326, 3826, always_xy=True).transform(
        [121.30, 121.22], [24.99, 24.95]))
    villages = village_table[0]
    within = cdist(villages[["demand_x", "demand_y"]].to_numpy(float), sites) <= radius
    youth = raw_agegroups_2025["age_0_17"].reindex(villages.index)  # 小衛星: ages 0-17
    assert within[:, 0].sum() > 5 and (within[:, 1] & ~within[:, 0]).sum() > 5  # both count
    for extra, counted, n_sites in (([], "1 of type community_support_site counted (open only)", 1),
                                    (["--include-planned"], "2 of type community_support_site "
                                                            "counted", 2)):
        out = tmp_path / f"s{n_sites}.csv"
        assert _run("--type", "小衛星", "--sites", str(f), *extra, "--out", str(out),
                    "--data-dir", str(data_dir), "--lang", "en") == 0
        assert counted in capsys.readouterr().out
        t = pd.read_csv(out, dtype={"VILLCODE": str}).set_index("VILLCODE").loc[villages.index]
        # by hand: the open site only, then both (the planned one counted on request)
        expected = within[:, :n_sites].sum(axis=1)
        np.testing.assert_array_equal(t["sites_within"], expected)
        np.testing.assert_array_equal(t["covered"], (expected > 0) * 1.0)
        np.testing.assert_array_equal(t["demand"], youth)


@pytest.mark.parametrize("args, message", [
    (["--type", "nope", "--out", "x.csv"], "unknown service type"),
    (["--type", "family_service_centre", "--out", "x.txt"], ".csv or .json"),
    (["--type", "family_service_centre", "--radius-km", "-1", "--out", "x.csv"], ">= 0.01"),
    (["--type", "family_service_centre", "--radius-km", "nan", "--out", "x.csv"], "finite"),
    (["--type", "family_service_centre", "--radius-km", "inf", "--out", "x.csv"], "finite"),
    (["--type", "family_service_centre", "--mode", "network", "--max-snap-m", "nan",
      "--out", "x.csv"], "--max-snap-m"),
    (["--type", "family_service_centre", "--mode", "network", "--max-snap-m", "-5",
      "--out", "x.csv"], "--max-snap-m"),
    (["--type", "family_service_centre", "--demand", "cases", "--out", "x.csv"],
     "--demand-file"),
    (["--type", "family_service_centre", "--mode", "network", "--area-weighted",
      "--out", "x.csv"], "straight"),
    (["--type", "family_service_centre", "--mode", "network", "--graph", "missing.graphml",
      "--out", "x.csv"], "road graph not found"),
    (["--type", "family_service_centre", "--demand", "cases", "--demand-file", "no.csv",
      "--out", "x.csv"], "demand file not found"),
])
def test_bad_input_exits_nonzero_with_message(tmp_path, capsys, data_dir, args, message,
                                              monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _run(*args, "--data-dir", str(data_dir)) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_bad_custom_value_names_file_and_row(tmp_path, capsys, data_dir):
    f = tmp_path / "cases.csv"
    f.write_text("VILLCODE,cases\n68000010001,1\n68000010002,n/a\n", encoding="utf-8")
    out = tmp_path / "c.csv"
    out.write_text("previous", encoding="utf-8")
    assert _run("--type", "family_service_centre", "--demand", "cases", "--demand-file", str(f),
                "--out", str(out), "--data-dir", str(data_dir)) == 2
    err = capsys.readouterr().err
    assert str(f) in err and "row 2" in err
    assert out.read_text(encoding="utf-8") == "previous"  # failed run leaves the file alone


def test_subprocess_entry_point(tmp_path, data_dir, village_table):
    from scipy.spatial.distance import cdist
    out = tmp_path / "o.csv"
    proc = subprocess.run([sys.executable, "-m", "cli", "coverage", "--type",
                           "mental_health_centre", "--out", str(out), "--data-dir",
                           str(data_dir)], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr
    t = pd.read_csv(out, dtype={"VILLCODE": str}).set_index("VILLCODE")
    assert t["nearest_site"].isin(["mhc-001", "mhc-002"]).all()
    # 2 open centres at a 10 km radius (defaults.toml): their districts only are counted
    assert "2/13" in proc.stdout
    xy = village_table[0].loc[t.index, ["demand_x", "demand_y"]].to_numpy(float)
    near = cdist(xy, _points_xy(data_dir, "community_mental_health_centres.geojson")).min(1)
    np.testing.assert_allclose(t["nearest_m"], near, rtol=1e-9)
    np.testing.assert_array_equal(t["covered"], (near <= 10000) * 1.0)


def test_point_mode_covered_is_integer_zero_or_one(tmp_path, data_dir):
    """The per-village contract: covered is 0/1 in point mode (a share only when area-weighted)."""
    import pandas as pd
    from cli import main
    out = tmp_path / "c.csv"
    assert main(["coverage", "--type", "family_service_centre", "--radius-km", "5",
                 "--out", str(out), "--data-dir", str(data_dir)]) == 0
    raw = pd.read_csv(out, dtype=str)
    assert set(raw["covered"]) == {"0", "1"}
