"""Inputs read by the analysis commands are never misread either: a population or demand
file in another Chinese encoding is refused by name (not read as garbled Big5), and an
optimize candidate list keeps its address-only rows out of the solve, saying how many."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main
from geo.custom_demand import read_custom_demand
from geo.population import read_population
from geo.quality import InputError


def test_population_file_in_gbk_is_refused_by_name(tmp_path, data_dir):
    raw = (data_dir / "population" / "taoyuan_villages_2021-03.csv").read_text("utf-8")
    path = tmp_path / "pop_gbk.csv"
    path.write_bytes(raw.encode("gb18030"))
    with pytest.raises(InputError) as err:
        read_population(path)
    assert "pop_gbk.csv" in str(err.value) and "encoding" in str(err.value).lower()
    big5 = tmp_path / "pop_big5.csv"
    big5.write_bytes(raw.encode("big5hkscs"))  # Big5 (+ HKSCS for a rare character)
    rows, report = read_population(big5)  # Big5 is one of the accepted encodings
    assert report.total_population == 2_270_689 and rows["population"].sum() == 2_270_689


def test_demand_file_in_shift_jis_is_refused(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes("VILLCODE,件数\n68000010001,10\n".encode("shift_jis"))
    with pytest.raises(InputError, match="cases.csv"):
        read_custom_demand(path, "件数")


def test_optimize_candidates_without_location_are_left_out(tmp_path, capsys, data_dir):
    cand = tmp_path / "cand.csv"
    cand.write_text("名稱,地址,經度,緯度,狀態\n"
                    "甲,桃園市桃園區中山路1號,121.30,24.99,規劃中\n"
                    "乙,桃園市中壢區某路2號,,,規劃中\n", encoding="utf-8")
    out = tmp_path / "o.json"
    assert main(["optimize", "--type", "mental_health_centre", "--model", "mclp", "--k", "1",
                 "--candidates", str(cand), "--out", str(out),
                 "--data-dir", str(data_dir), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "1 candidate(s) have no location" in err
    doc = json.loads(out.read_text("utf-8"))
    assert doc["candidates_total"] == 2 + 1  # the 2 existing centres + the located one
    chosen = pd.DataFrame(doc["chosen"])
    # k = 1 new site among one located candidate: 甲 is chosen, the two centres stay fixed
    assert chosen.loc[chosen["new"], "name"].tolist() == ["甲"]
    assert sorted(chosen.loc[chosen["fixed"], "id"]) == ["mhc-001", "mhc-002"]
    assert "乙" not in set(chosen["name"])


def test_layers_import_places_address_only_rows_at_their_village(tmp_path, capsys, data_dir,
                                                                 monkeypatch):
    """An address naming its 里 is placed at that village's demand point (its built-up
    land), recorded as located_by=village; an address without one stays unlocated."""
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "home"))
    f = tmp_path / "sat.csv"
    f.write_text("名稱,地址,狀態\n甲據點,桃園市桃園區文化里中正路1號,開放\n"
                 "乙據點,桃園市中壢區某路2號,開放\n", encoding="utf-8")
    assert main(["layers", "import", str(f), "--name", "小衛星", "--type", "小衛星",
                 "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    from analysis.context import load_context
    from store.layers import load_layer
    sites = load_layer("小衛星").sites.set_index("name")
    assert sites.at["甲據點", "located_by"] == "village"
    unlocated = sites.loc["乙據點"].geometry
    assert sites.at["乙據點", "located_by"] == "" and (unlocated is None or unlocated.is_empty)
    ctx = load_context(data_dir, library=False)
    code = ctx.villages.index[(ctx.villages["district"] == "桃園區")
                              & (ctx.villages["village"] == "文化里")][0]
    x, y = ctx.villages.loc[code, ["demand_x", "demand_y"]]
    from pyproj import Transformer
    placed = sites.loc["甲據點"].geometry
    px, py = Transformer.from_crs(4326, 3826, always_xy=True).transform(placed.x, placed.y)
    assert abs(px - x) < 0.01 and abs(py - y) < 0.01


@pytest.mark.parametrize("command", [["coverage", "--type", "family_service_centre"],
                                     ["hotspots", "--indicator", "children_density"],
                                     ["report", "--type", "family_service_centre"]])
def test_a_count_that_is_not_a_number_stops_every_command(tmp_path, capsys, data_dir, command):
    """人口 'abc' in one row used to count that village as nobody with exit 0; every command
    that reads the population file now stops (exit 2) naming file, row, column and value."""
    src = data_dir / "vintages" / "taoyuan_villages_2025-12.csv"
    raw = pd.read_csv(src, dtype=str, keep_default_na=False)
    raw.loc[4, "人口"] = "abc"
    bad = tmp_path / "pop.csv"
    raw.to_csv(bad, index=False)
    suffix = ".xlsx" if command[0] == "report" else ".json"
    out = tmp_path / f"out{suffix}"
    assert main([*command, "--population-file", str(bad), "--out", str(out),
                 "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, row 5: 人口='abc'" in err and "Traceback" not in err
    assert not out.exists()


def test_coverage_names_the_library_layer_and_version_it_used(tmp_path, capsys, data_dir):
    csv = tmp_path / "sites.csv"
    csv.write_text("名稱,經度,緯度,類型\n甲,121.30,24.99,employment_desk\n"
                   "乙,121.22,24.95,employment_desk\n", "utf-8")
    for _ in range(2):  # version 2: the version read is the current one
        assert main(["layers", "import", str(csv), "--name", "就業臺測試", "--replace",
                     "--data-dir", str(data_dir)]) == 0
    capsys.readouterr()
    out = tmp_path / "c.json"
    try:
        assert main(["coverage", "--type", "employment_desk", "--out", str(out),
                     "--data-dir", str(data_dir)]) == 0
        text = capsys.readouterr().out
        assert "據點圖層庫的「就業臺測試」第 2 版；2 個 employment_desk" in text
        summary = json.loads(out.read_text("utf-8"))["summary"]
        assert summary["layers"] == {"就業臺測試": 2} and summary["sites"] == 2
        assert main(["coverage", "--type", "family_service_centre", "--out", str(out),
                     "--data-dir", str(data_dir)]) == 0
        assert json.loads(out.read_text("utf-8"))["summary"]["layers"] == {}
    finally:
        assert main(["layers", "delete", "就業臺測試"]) == 0
