import json
import subprocess
import sys

import pandas as pd

from cli import main
from geo.dataset import load_dataset
from geo.paths import PROJECT_ROOT


def _official(data_dir):
    """Independent figures: the population files' own sums (pandas), README's counts."""
    ages = pd.read_csv(data_dir / "vintages" / "taoyuan_villages_2025-12_agegroups.csv")
    old = pd.read_csv(data_dir / "population" / "taoyuan_villages_2021-03.csv")
    return int(ages["people_total"].sum()), len(ages), int(old["人口"].sum()), len(old)


def test_info_json_on_default_data(capsys, data_dir):
    total_25, rows_25, _, _ = _official(data_dir)
    assert (total_25, rows_25) == (2_355_106, 516)  # README
    assert main(["info", "--json", "--data-dir", str(data_dir)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["villages"] == 516 and info["districts"] == 13
    assert info["vintage_pair"] == {"population": "2025-12", "boundaries": "2023-09"}
    pop = info["population"]
    assert pop["total_population"] == total_25 and pop["unplaced_residents"] == 0
    assert pop["villages_with_population"] == 516 and pop["unmatched_codes"] == []
    assert info["demand_points"]["by_source"] == {"built-up": 516}
    cw = info["crosswalk"]
    assert (cw["old_villages"], cw["new_villages"]) == (504, 516)
    assert len(cw["split_villages"]) == 12
    assert {p["parent"] for p in cw["split_villages"]["68000080050"]["parents"]} == {
        "68000080001", "68000080002"}  # 福德里: two parents
    ind = info["indicators"]
    assert ind["indigenous"]["total_on_villages"] == ind["indigenous"]["total_in_file"] == 78_366
    assert (ind["indigenous"]["villages_with_value"], ind["indigenous"]["villages"]) == (516, 516)
    assert ind["income"]["villages_with_value"] == 504  # the 12 split after 2018 have no row
    assert ind["low_income"]["level"] == "district" and ind["low_income"]["districts"] == 13
    for key in ("boundaries", "population", "residents_placed_on", "crosswalk", "indigenous",
                "low_income", "income"):
        assert key in info["vintages"], key
    assert "2023-09" in info["vintages"]["boundaries"]
    assert "2021-06" in info["vintages"]["indigenous"]
    layers = {row["type"]: row for row in info["layers"]}
    assert layers["family_service_centre"]["located"] == 15
    assert layers["community_support_site"]["official_count"] == 56
    assert info["missing"] == []


def test_info_json_with_the_2021_vintage(capsys, data_dir):
    _, _, total_21, rows_21 = _official(data_dir)
    assert main(["info", "--json", "--data-dir", str(data_dir), "--vintage", "2021-03"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["villages"] == rows_21 == 504 and info["districts"] == 13
    assert info["population"]["total_population"] == total_21 == 2_270_689
    assert info["vintage_pair"] == {"population": "2021-03", "boundaries": "2021"}
    assert info["indicators"]["indigenous"]["method"] == "direct join by VILLCODE"


def test_info_with_a_named_population_file(capsys, data_dir):
    path = data_dir / "population" / "taoyuan_villages_2021-03.csv"
    assert main(["info", "--json", "--data-dir", str(data_dir), "--population-file",
                 str(path)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["villages"] == 504 and info["vintage_pair"]["boundaries"] == "2021"


def test_info_text_names_the_vintage_pair_and_split_villages(capsys, data_dir):
    assert main(["info", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "人口 2025-12 版，村里界 2023-09 版" in out
    assert "無村里界可落點的居民 0 人" in out
    assert "68000090033 龍潭區 渴望里 ←" in out and "原龍潭區 高原里（68000090012）人口的 8.4%" in out
    assert main(["info", "--data-dir", str(data_dir), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "population 2025-12 on boundaries 2023-09" in out
    assert "residents without a polygon: 0" in out
    assert ("68000090033 Longtan District Kewang Vil. ← 8.4% of Longtan District Gaoyuan Vil. "
            "(68000090012)") in out


def test_dataset_columns_and_vintages(data_dir):
    ds = load_dataset(data_dir)
    v = ds.villages
    for col in ("TOWNCODE", "district", "village", "district_en", "village_en", "population",
                "age_0_14", "age_15_64", "age_65_plus", "age_0_17", "age_18_64", "age_0_5",
                "age_6_11", "age_12_17", "demand_x", "demand_y", "demand_point_source",
                "settled_geometry", "indigenous", "indigenous_per_1000", "income_median"):
        assert col in v, col
    assert v.index.name == "VILLCODE" and v.crs.to_epsg() == 4326
    assert int(v["indigenous"].sum()) == 78_366
    assert ds.districts.index.equals(pd.Index([f"68000{i:02d}0" for i in range(1, 14)],
                                              name="TOWNCODE"))
    assert ds.indicators["low_income"].values.index.name == "TOWNCODE"  # never per village
    assert "low_income_persons" not in v


def test_info_without_data_says_what_is_missing(tmp_path, capsys):
    assert main(["info", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "村里 516 個，行政區 13 個" in out  # the default boundaries are committed
    assert "ODRP014" in out and "population/" in out
    assert "family_service_centres.geojson" in out
    assert "indigenous indicator file not found" in out


def test_bad_data_dir_is_a_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cli", "info", "--data-dir",
                           str(tmp_path / "nope")], capture_output=True, text=True,
                          cwd=PROJECT_ROOT)
    assert proc.returncode == 2
    assert "data directory not found" in proc.stderr and "nope" in proc.stderr


def test_console_script_is_installed(data_dir):
    """`safetynet` is the entry point the set-up installs (pyproject [project.scripts])."""
    from pathlib import Path
    script = Path(sys.executable).parent / "safetynet"
    assert script.exists(), f"{script} missing: run ./run.sh (pip install -e .) first"
    proc = subprocess.run([str(script), "info", "--json", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["population"]["total_population"] == 2_355_106
