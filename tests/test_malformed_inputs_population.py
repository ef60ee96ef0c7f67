"""Malformed population files (the ODRP014 layout), edited from the published file: households,
age bands, sexes or child age groups that do not add up, swapped columns, duplicate village
codes, and plausibility findings that do not raise; each refused naming the file and cells.
Helpers: tests/_malformed_helpers.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from _malformed_helpers import _population, _set
from geo.quality import InputError


# --- population files (ODRP014 layout) ------------------------------------------------------

def _population_refused(path: Path) -> InputError:
    from geo.population import read_population
    with pytest.raises(InputError) as err:
        read_population(path)
    assert err.value.file == str(path) and err.value.findings
    assert all(f.severity == "error" and f.file == str(path) for f in err.value.findings)
    return err.value


def test_more_households_than_residents(tmp_path, data_dir):
    path = _population(tmp_path, data_dir, lambda r: _set(r, 9, 戶數=int(r.loc[9, "人口"]) + 1))
    err = _population_refused(path)
    (f,) = err.findings
    assert (f.row, f.field, f.code) == (10, "戶數", "more_households_than_residents")
    assert "戶數 ≤ 人口" in f.expected and "row 10" in str(err)


def test_age_bands_not_summing_to_population(tmp_path, data_dir):
    path = _population(tmp_path, data_dir,
                       lambda r: _set(r, 3, 超過64歲=int(r.loc[3, "超過64歲"]) + 7))
    (f,) = _population_refused(path).findings
    assert (f.row, f.field, f.code) == (4, "人口", "parts_do_not_sum")
    assert "未滿15歲 + 15-64歲 + 超過64歲 = 人口" in f.expected


def test_sexes_not_summing_to_population(tmp_path, data_dir):
    path = _population(tmp_path, data_dir, lambda r: _set(r, 0, 男性人口=0))
    (f,) = _population_refused(path).findings
    assert (f.row, f.code) == (1, "parts_do_not_sum") and "男性人口 + 女性人口" in f.expected


def test_swapped_population_and_household_columns(tmp_path, data_dir):
    def swap(raw):
        raw[["戶數", "人口"]] = raw[["人口", "戶數"]].to_numpy()
        return raw
    err = _population_refused(_population(tmp_path, data_dir, swap))
    (f,) = err.findings
    assert f.code == "swapped_columns" and f.row is None and "戶數" in f.field
    assert "人口" in f.field and "look swapped" in f.expected


def test_swapped_age_band_columns(tmp_path, data_dir):
    def swap(raw):
        raw[["未滿15歲", "人口"]] = raw[["人口", "未滿15歲"]].to_numpy()
        return raw
    (f,) = _population_refused(_population(tmp_path, data_dir, swap)).findings
    assert f.code == "swapped_columns" and {"未滿15歲", "人口"} <= set(f.field.split(", "))


def test_duplicate_village_code_is_an_error_not_first_wins(tmp_path, data_dir):
    import pandas as pd
    path = _population(tmp_path, data_dir, lambda r: pd.concat([r, r.iloc[[5]]]))
    err = _population_refused(path)
    assert [(f.row, f.code) for f in err.findings] == [(6, "duplicate_code"),
                                                        (505, "duplicate_code")]
    assert "first on row 6" in err.findings[1].expected


def test_child_age_groups_not_summing(tmp_path, data_dir):
    path = _population(tmp_path, data_dir,
                       lambda r: _set(r, 2, age_0_5=int(r.loc[2, "age_0_5"]) + 1),
                       source="vintages/taoyuan_villages_2025-12_agegroups.csv")
    (f,) = _population_refused(path).findings
    assert (f.row, f.field, f.code) == (3, "age_0_17", "parts_do_not_sum")


def test_plausibility_findings_without_raising(tmp_path, data_dir):
    import pandas as pd
    from geo.plausibility import check_population
    rows = pd.DataFrame({"VILLCODE": ["68000010001", "68000010002"], "file_row": [1, 2],
                         "households": [10, 50], "population": [20, 40]})
    (f,) = check_population(rows, file="p.csv", raise_errors=False)
    assert (f.file, f.row, f.field, f.value) == ("p.csv", 2, "戶數", 50)
