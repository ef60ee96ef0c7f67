import csv
import shutil

import pandas as pd
import pytest

from geo.population import (find_population_file, load_village_table, normalize_villcode,
                            read_population, read_vintage)

SPLIT_CODES_2025 = {  # shared/data/README.md: villages created after the 2021 boundaries
    "68000010080", "68000010081", "68000010082", "68000020086", "68000020087", "68000020088",
    "68000060020", "68000060021", "68000080049", "68000080050", "68000080051", "68000090033"}


def _raw(data_dir, name="population/taoyuan_villages_2021-03.csv"):
    return pd.read_csv(data_dir / name, dtype=str, keep_default_na=False)


def test_city_total_2021_03(data_dir):
    villages, report = load_village_table(data_dir, vintage="2021-03")
    assert report.month == "2021-03" and report.boundaries == "2021" and len(villages) == 504
    assert report.total_population == 2_270_689
    assert int(villages["population"].sum()) == 2_270_689
    assert int(villages["households"].sum()) == 850_262  # shared/data/sources note
    assert report.missing_columns == [] and len(report.unmatched) == 0
    assert report.villages_without_population == []
    # age bands and sexes add up in the source; check the join kept them aligned
    assert (villages["age_0_14"] + villages["age_15_64"] + villages["age_65_plus"]
            == villages["population"]).all()
    assert (villages["male"] + villages["female"] == villages["population"]).all()
    raw = _raw(data_dir).set_index("VILLCODE")
    assert villages.loc["68000010001", "population"] == int(raw.loc["68000010001", "人口"])


def test_normalize_villcode():
    assert normalize_villcode("68000010-001") == "68000010001"
    assert normalize_villcode(" 68000010001 ") == "68000010001"
    assert normalize_villcode("6800001-001") is None


def test_hyphen_form_only_and_one_extra_code(tmp_path, data_dir):
    """A file without the VILLCODE column, plus one code the boundaries lack."""
    raw = _raw(data_dir).drop(columns=["VILLCODE", "TOWNCODE"])
    extra = raw.iloc[[0]].copy()
    extra["村里代碼"], extra["村里"], extra["人口"] = "68000010-999", "測試里", "4321"
    # counts that add up (a plausible village): 321 + 3000 + 1000, 2000 + 2321
    extra["未滿15歲"], extra["15-64歲"], extra["超過64歲"] = "321", "3000", "1000"
    extra["男性人口"], extra["女性人口"], extra["戶數"] = "2000", "2321", "1500"
    pd.concat([raw, extra]).to_csv(tmp_path / "pop.csv", index=False)
    villages, report = load_village_table(population_file=tmp_path / "pop.csv")
    assert int(villages["population"].sum()) == 2_270_689
    assert report.total_population == 2_270_689 + 4321
    assert report.unmatched[["VILLCODE", "district", "population"]].values.tolist() == [
        ["68000010999", "桃園區", 4321]]
    totals = report.district_totals
    in_boundaries = villages.groupby("TOWNCODE")["population"].sum()
    assert totals.loc["68000010", "population"] == in_boundaries["68000010"] + 4321
    assert totals.loc["68000010", "unmatched_population"] == 4321
    assert int(totals["population"].sum()) == 2_270_689 + 4321
    assert any(f.code == "code_not_in_boundaries" and f.value == "68000010999"
               and f.row == len(raw) + 1 for f in report.findings)


def test_village_without_population_is_flagged(tmp_path, data_dir):
    raw = _raw(data_dir)
    raw[raw["VILLCODE"] != "68000130008"].to_csv(tmp_path / "p.csv", index=False)
    villages, report = load_village_table(population_file=tmp_path / "p.csv")
    assert report.villages_without_population == ["68000130008"]
    assert pd.isna(villages.loc["68000130008", "population"])
    assert len(villages) == 504


def test_bad_cells_stop_the_read_and_are_all_named(tmp_path, data_dir):
    """A count that is not a whole number >= 0 would silently count as nobody: the read
    stops and names every such cell (file, row, column, value), not only the first."""
    from geo.quality import InputError
    raw = _raw(data_dir)
    raw.loc[4, "人口"] = "abc"
    raw.loc[7, "戶數"] = "-3"
    raw.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(InputError) as err:
        read_population(tmp_path / "p.csv")
    bad = {(f.row, f.field, f.value) for f in err.value.findings}
    assert bad == {(5, "人口", "abc"), (8, "戶數", "-3")}
    assert all(str(tmp_path / "p.csv") == f.file for f in err.value.findings)
    assert "row 5: 人口='abc'" in str(err.value) and "row 8: 戶數='-3'" in str(err.value)


def test_an_unreadable_csv_names_the_file(tmp_path, data_dir):
    src = (data_dir / "population").glob("*.csv")
    text = next(src).read_text("utf-8-sig")
    (tmp_path / "q.csv").write_text(text.replace("\n", '\n"', 1), "utf-8")  # unclosed quote
    with pytest.raises(ValueError, match=r"q\.csv: not a readable CSV table"):
        read_population(tmp_path / "q.csv")


def test_default_is_2025_12_on_2023_09_boundaries(data_dir):
    """The default: both 2025-12 files merged by code, on the 2023-09 boundaries; every
    resident has a polygon. Figures from the files themselves (pandas sums) and README."""
    villages, report = load_village_table(data_dir)
    ages = pd.read_csv(data_dir / "vintages" / "taoyuan_villages_2025-12_agegroups.csv",
                       dtype={"VILLCODE": str}).set_index("VILLCODE")
    odrp = pd.read_csv(data_dir / "vintages" / "taoyuan_villages_2025-12.csv",
                       dtype={"VILLCODE": str}).set_index("VILLCODE")
    assert report.vintage == "2025-12" and report.boundaries == "2023-09"
    assert len(report.files) == 2 and len(villages) == 516
    assert report.total_population == int(ages["people_total"].sum()) == 2_355_106
    assert int(villages["population"].sum()) == 2_355_106
    assert len(report.unmatched) == 0 and report.villages_without_population == []
    assert set(report.missing_columns) == {"households", "male", "female"}
    assert not [f for f in report.findings if f.severity == "error"]
    for ours, theirs in (("age_0_5", "age_0_5"), ("age_6_11", "age_6_11"),
                         ("age_12_17", "age_12_17"), ("age_0_17", "age_0_17"),
                         ("age_18_64", "age_18_64"), ("age_65_plus", "age_65_plus")):
        assert (villages[ours].astype(int) == ages[theirs].reindex(villages.index)).all(), ours
    for ours, theirs in (("age_0_14", "未滿15歲"), ("age_15_64", "15-64歲")):
        assert (villages[ours].astype(int) == odrp[theirs].reindex(villages.index)).all(), ours
    assert (villages["age_0_5"] + villages["age_6_11"] + villages["age_12_17"]
            == villages["age_0_17"]).all()
    assert (villages["age_0_17"] + villages["age_18_64"] + villages["age_65_plus"]
            == villages["population"]).all()
    assert (villages["age_0_14"] + villages["age_15_64"] + villages["age_65_plus"]
            == villages["population"]).all()
    official = pd.read_csv(data_dir / "vintages" / "taoyuan_districts_2025-12_agegroups.csv",
                           dtype={"TOWNCODE": str}).set_index("TOWNCODE")
    totals = report.district_totals
    assert (totals["population"].astype(int) == official["people_total"]).all()
    assert (totals["age_0_17"].astype(int) == official["age_0_17"]).all()


def test_a_named_file_gets_the_boundaries_its_codes_match(data_dir):
    v25, r25 = load_village_table(
        population_file=data_dir / "vintages" / "taoyuan_villages_2025-12.csv")
    assert r25.boundaries == "2023-09" and len(v25) == 516 and len(r25.unmatched) == 0
    v21, r21 = load_village_table(
        population_file=data_dir / "population" / "taoyuan_villages_2021-03.csv")
    assert r21.boundaries == "2021" and len(v21) == 504 and len(r21.unmatched) == 0


def test_vintage_errors_name_the_vintage_and_file(tmp_path):
    with pytest.raises(ValueError, match="unknown population vintage '1999-01'.*2025-12"):
        load_village_table(tmp_path, vintage="1999-01")
    with pytest.raises(FileNotFoundError, match="2025-12.*taoyuan_villages_2025-12.csv"):
        read_vintage(tmp_path, "2025-12")


def test_vintage_files_that_disagree_are_reported(tmp_path, data_dir):
    (tmp_path / "vintages").mkdir()
    shutil.copy(data_dir / "vintages" / "taoyuan_villages_2025-12.csv", tmp_path / "vintages")
    ages = _raw(data_dir, "vintages/taoyuan_villages_2025-12_agegroups.csv")
    # the age-group file stays consistent in itself (65+ and 18-64 move by 5 together) but
    # its 65+ differs from the ODRP014 file's 超過64歲
    ages.loc[2, "age_65_plus"] = str(int(ages.loc[2, "age_65_plus"]) - 5)
    ages.loc[2, "age_18_64"] = str(int(ages.loc[2, "age_18_64"]) + 5)
    ages.to_csv(tmp_path / "vintages" / "taoyuan_villages_2025-12_agegroups.csv", index=False)
    rows, report = read_vintage(tmp_path, "2025-12")
    bad = [(f.row, f.field, f.code) for f in report.findings if f.severity == "error"]
    assert bad == [(3, "age_65_plus", "files_disagree")]  # data row 3 (as read_population)
    assert rows["age_0_17"].notna().all()  # columns only the second file has are filled


def test_without_vintage_files_the_newest_population_file_is_used(tmp_path, data_dir):
    (tmp_path / "population").mkdir()
    shutil.copy(data_dir / "population" / "taoyuan_villages_2021-03.csv", tmp_path / "population")
    villages, report = load_village_table(tmp_path)
    assert report.month == "2021-03" and report.boundaries == "2021" and len(villages) == 504


def test_2025_12_on_2021_boundaries_lists_split_villages(data_dir):
    path = data_dir / "vintages" / "taoyuan_villages_2025-12.csv"
    villages, report = load_village_table(population_file=path, boundaries="2021")
    assert report.month == "2025-12"
    assert report.total_population == 2_355_106
    assert set(report.missing_columns) == {"households", "male", "female"}
    assert villages["households"].isna().all()
    assert set(report.unmatched["VILLCODE"]) == SPLIT_CODES_2025
    by_district = report.unmatched.groupby("district").size().to_dict()
    assert by_district == {"桃園區": 3, "中壢區": 3, "大園區": 2, "八德區": 3, "龍潭區": 1}
    # district totals, split villages included, equal the independently published district file
    official = pd.read_csv(data_dir / "vintages" / "taoyuan_districts_2025-12_agegroups.csv",
                           dtype={"TOWNCODE": str}).set_index("TOWNCODE")["people_total"]
    totals = report.district_totals["population"].astype(int)
    pd.testing.assert_series_equal(totals.sort_index(), official.sort_index(),
                                   check_names=False)
    placed, unplaced = villages["population"].sum(), report.unmatched["population"].sum()
    assert int(placed) + int(unplaced) == 2_355_106


def test_newest_file_is_used_unless_named(tmp_path, data_dir):
    folder = tmp_path / "population"
    folder.mkdir()
    shutil.copy(data_dir / "population" / "taoyuan_villages_2021-03.csv", folder / "b_old.csv")
    shutil.copy(data_dir / "vintages" / "taoyuan_villages_2025-12.csv", folder / "a_new.csv")
    # an all-Taiwan-style file without Taoyuan rows is ignored
    with open(folder / "z_other.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["年月", "村里代碼", "區域", "村里", "人口"])
        w.writerow(["2030-01", "65000010-001", "新北市板橋區", "留侯里", "1"])
    assert find_population_file(tmp_path).name == "a_new.csv"
    assert find_population_file(tmp_path, "b_old.csv").name == "b_old.csv"
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        find_population_file(tmp_path, "nope.csv")


def test_missing_code_column_is_a_clear_error(tmp_path):
    (tmp_path / "p.csv").write_text("年月,人口\n2021-03,5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"p\.csv.*村里代碼"):
        read_population(tmp_path / "p.csv")


def test_all_taiwan_file_gives_the_same_taoyuan_rows(data_dir):
    """The verbatim all-Taiwan release (no VILLCODE column) yields the same Taoyuan table."""
    v_all, r_all = load_village_table(
        population_file=data_dir / "taiwan" / "taiwan_villages_2021-03.csv")
    v_ty, _ = load_village_table(data_dir, vintage="2021-03")
    assert r_all.rows == 504
    assert "demand_x" in v_ty and "demand_x" not in v_all  # only a data dir has built-up land
    pd.testing.assert_frame_equal(v_all.drop(columns="geometry"),
                                  v_ty[v_all.columns].drop(columns="geometry"))


def test_an_empty_file_names_the_file(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(ValueError, match=r"e\.csv: empty file"):
        read_population(tmp_path / "e.csv")
