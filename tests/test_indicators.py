"""Need indicators (geo.indicators): provenance, vintage, join report, no person lost."""
import numpy as np
import pandas as pd
import pytest

from geo.indicators import (income_indicator, indigenous_indicator, load_indicators,
                            low_income_indicator)
from geo.population import load_village_table


@pytest.fixture(scope="module")
def villages(data_dir):
    return load_village_table(data_dir, place_on_builtup=False)[0]


def _raw(data_dir, name, **kw):
    return pd.read_csv(data_dir / "demand" / name, **kw)


def test_indigenous_on_516_villages_equals_the_direct_sum(data_dir, villages):
    raw = _raw(data_dir, "taoyuan_indigenous_village_2021-06.csv", dtype={"district_code": str})
    ind = indigenous_indicator(data_dir, villages, boundaries="2023-09")
    assert ind.vintage == "2021-06" and ind.level == "village" and ind.file.endswith(".csv")
    assert ind.values.index.equals(villages.index) and ind.values["indigenous"].notna().all()
    assert int(ind.values["indigenous"].sum()) == int(raw["o_cnt"].sum()) == 78_366
    assert int(ind.values["indigenous_plains"].sum()) == int(raw["o1_cnt"].sum()) == 43_092
    assert int(ind.values["indigenous_mountain"].sum()) == int(raw["o2_cnt"].sum()) == 35_274
    assert ind.report["lost_or_invented"] == 0 and ind.report["coverage"] == 1.0
    # per district the carried counts equal the file's own sums
    by_district = raw.groupby(raw["district_code"].str[:8])["o_cnt"].sum().astype(int)
    carried = ind.values["indigenous"].groupby(villages["TOWNCODE"]).sum().astype(int)
    assert carried.to_dict() == by_district.to_dict()
    # an unchanged village keeps its own figure and rate (o_per is the file's own share, %)
    row = raw.set_index("district_code").loc["68000130009"]  # 復興區 羅浮里
    assert ind.values.at["68000130009", "indigenous"] == row["o_cnt"]
    assert ind.values.at["68000130009", "indigenous_per_1000"] == pytest.approx(
        10 * row["o_per"], abs=0.05)  # o_per has 2 decimals


def test_indigenous_on_2021_villages_is_a_direct_join(data_dir):
    old = load_village_table(data_dir, vintage="2021-03", place_on_builtup=False)[0]
    ind = indigenous_indicator(data_dir, old, boundaries="2021")
    assert ind.report["method"] == "direct join by VILLCODE"
    assert int(ind.values["indigenous"].sum()) == 78_366 and len(ind.values) == 504


def test_low_income_stays_at_district_level(data_dir):
    # the 2021-03 district populations, summed from the published file with pandas
    pop = pd.read_csv(data_dir / "population" / "taoyuan_villages_2021-03.csv",
                      dtype={"TOWNCODE": str}).groupby("TOWNCODE")["人口"].sum()
    raw = _raw(data_dir, "taoyuan_lowincome_district_2021-06.csv",
               dtype={"town_id": str}).set_index("town_id")
    ind = low_income_indicator(data_dir, district_population=pop, population_vintage="2021-03")
    v = ind.values
    assert ind.level == "district" and v.index.name == "TOWNCODE" and len(v) == 13
    # sources/demand_indicators.txt: 11,516 households / 27,815 persons; 4,684 / 13,119
    assert ind.report["totals"] == {"low_income_households": 11_516, "low_income_persons": 27_815,
                                    "mid_low_income_households": 4_684,
                                    "mid_low_income_persons": 13_119}
    assert (v["low_income_persons"] == raw["rlp_cnt"].reindex(v.index)).all()
    # our rate per 1,000 residents, by hand, and it reproduces the published share (x 100)
    np.testing.assert_allclose(v["low_income_persons_per_1000"],
                               1000 * raw["rlp_cnt"].reindex(v.index) / pop.reindex(v.index),
                               rtol=1e-12)
    assert (v["low_income_persons_per_1000"] / (100 * v["rlp_p_rac"])).between(0.98, 1.02).all()
    assert v.at["68000130", "district"] == "復興區"


def test_income_joined_by_names_with_other_rows_and_gaps_listed(data_dir, villages):
    raw = _raw(data_dir, "taoyuan_income_village_2012-2018.csv")
    ind = income_indicator(data_dir, villages)
    rep = ind.report
    assert (rep["year"], rep["year_ad"]) == (107, 2018) and ind.vintage == "2018 (ROC 107)"
    y = raw[raw["year"] == 107]
    assert len(rep["other_rows"]) == int((y["village"] == "其他").sum()) == 13
    assert rep["unmatched_names"] == [{"district": "桃園區", "village": "永和里", "unit": 0.0}]
    assert len(rep["villages_without_row"]) == 12  # split after 2018
    assert "68000090033" in rep["villages_without_row"]
    assert rep["villages_with_value"] == 504
    first = y[(y["town"] == "桃園區") & (y["village"] == "文化里")].iloc[0]
    assert ind.values.at["68000010001", "income_median"] == first["median"]
    with pytest.raises(ValueError, match="no rows for year 90"):
        income_indicator(data_dir, villages, year=90)


def test_missing_files_are_listed(tmp_path, villages):
    out, missing = load_indicators(tmp_path, villages, boundaries="2023-09")
    assert out == {} and len(missing) == 3
    assert any("indigenous indicator file not found" in m for m in missing)
