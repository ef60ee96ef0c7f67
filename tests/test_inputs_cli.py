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
                 "--data-dir", str(data_dir)]) == 0
    err = capsys.readouterr().err
    assert "1 candidate(s) have no location" in err
    doc = json.loads(out.read_text("utf-8"))
    assert doc["candidates_total"] == 2 + 1  # the 2 existing centres + the located one
    chosen = pd.DataFrame(doc["chosen"])
    assert set(chosen.loc[chosen["new"], "name"]) <= {"甲"}
