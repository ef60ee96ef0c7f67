"""Village crosswalk 2021 <-> 2023-09 (geo.crosswalk): no person lost or invented."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from tobler.area_weighted import area_interpolate

from geo import METRIC_CRS
from geo.boundaries import load_villages
from geo.crosswalk import (apportion, build_crosswalk, carry, crosswalk_summary,
                           split_table, village_crosswalk)

# shared/data/README.md and sources/boundaries_2023-09.txt: the 12 villages split in 2022 and
# their parents (NOTE, plus the second parent of 福德里 and 渴望里; 大園區's two have no NOTE)
PARENTS = {
    "68000010080": {"68000010022"}, "68000010081": {"68000010006"},
    "68000010082": {"68000010058"}, "68000020086": {"68000020022"},
    "68000020087": {"68000020033"}, "68000020088": {"68000020036"},
    "68000060020": {"68000060005"}, "68000060021": {"68000060005"},
    "68000080049": {"68000080002"}, "68000080050": {"68000080001", "68000080002"},
    "68000080051": {"68000080001"}, "68000090033": {"68000090016", "68000090012"},
}


def _gdf(boxes: dict) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=list(boxes.values()),
                            index=pd.Index(list(boxes), name="VILLCODE"), crs=METRIC_CRS)


@pytest.fixture()
def three():
    """Old A (2 km x 1 km) and B; new: A's west half keeps the code, C (NOTE: A) is its east
    half, B is B shifted 5 m east (a sliver, as the 2021 file's simplification makes)."""
    old = _gdf({"A": box(0, 0, 2000, 1000), "B": box(2000, 0, 3000, 1000)})
    new = _gdf({"A": box(0, 0, 1000, 1000), "B": box(2005, 0, 3000, 1000),
                "C": box(1000, 0, 2005, 1000)})
    builtup = gpd.GeoSeries([box(100, 100, 700, 600),      # 300,000 m² in new A
                             box(1200, 100, 1400, 600),    # 100,000 m² in C
                             box(2500, 0, 2600, 100)], crs=METRIC_CRS)
    return old, new, pd.Series({"C": ["A"]}), builtup


def test_three_villages_on_paper(three):
    old, new, parents, builtup = three
    cw = build_crosswalk(old, new, parents=parents, builtup=builtup)
    rows = {(r.old_code, r.new_code): r for r in cw.itertuples()}
    assert set(rows) == {("A", "A"), ("A", "C"), ("B", "B")}  # the B->C sliver is dropped
    # built-up: A keeps 300,000 of 400,000 m², C gets 100,000 -> 3/4 and 1/4
    assert rows["A", "A"].w_forward == pytest.approx(0.75)
    assert rows["A", "C"].w_forward == pytest.approx(0.25)
    assert rows["A", "C"].basis_forward == "built-up" and rows["A", "C"].kind == "split"
    assert rows["A", "C"].parent_by == "note+overlap"
    assert rows["B", "B"].basis_forward == "identity" and rows["B", "B"].w_forward == 1.0
    # 101 in A: quotas 75.75 / 25.25 -> 75 / 25, the remaining person to the larger
    # remainder (A); B's 50 stay
    fwd = carry(pd.DataFrame({"persons": [101, 50]}, index=["A", "B"]), cw)
    assert fwd["persons"].to_dict() == {"A": 76, "B": 50, "C": 25}
    back = carry(fwd, cw, direction="backward")  # each new village has one old source
    assert back["persons"].to_dict() == {"A": 101, "B": 50}


def test_three_villages_by_area_without_built_up(three):
    old, new, parents, _ = three
    cw = build_crosswalk(old, new, parents=parents)
    # area: A keeps 1,000,000 of A's 2,000,000 m², C 1,000,000 -> 101 = 50.5 + 50.5: the
    # tie goes to the lower code (A)
    assert set(cw.loc[cw["old_code"] == "A", "basis_forward"]) == {"area"}
    fwd = carry(pd.Series([101, 50], index=["A", "B"], name="persons"), cw)
    assert fwd["persons"].to_dict() == {"A": 51, "B": 50, "C": 50}


def test_bad_input_names_code_and_column(three):
    old, new, parents, builtup = three
    cw = build_crosswalk(old, new, parents=parents, builtup=builtup)
    with pytest.raises(ValueError, match=r"'persons', village B: '-1'; expected a whole number"):
        carry(pd.DataFrame({"persons": [3, -1]}, index=["A", "B"]), cw)
    with pytest.raises(ValueError, match=r"old set: \['Z'\]"):
        carry(pd.DataFrame({"persons": [3]}, index=["Z"]), cw)
    # a source missing from the table leaves its targets NA, never 0
    part = carry(pd.DataFrame({"persons": [7]}, index=["B"]), cw)
    assert part["persons"].isna().tolist() == [True, False, True]


def test_apportion_keeps_the_count():
    rng = np.random.default_rng(1)
    for _ in range(200):
        w = rng.random(rng.integers(1, 6))
        w /= w.sum()
        n = int(rng.integers(0, 10_000))
        parts = apportion(n, w)
        assert parts.sum() == n and (parts >= 0).all()
        assert (np.abs(parts - n * w) < 1).all()  # each part within one of its quota


@pytest.fixture(scope="module")
def cw(data_dir):
    return village_crosswalk(data_dir)


def test_real_crosswalk_covers_both_sets(cw):
    assert cw["old_code"].nunique() == 504 and cw["new_code"].nunique() == 516
    assert np.allclose(cw.groupby("old_code")["w_forward"].sum(), 1)
    assert np.allclose(cw.groupby("new_code")["w_backward"].sum(), 1)
    summary = crosswalk_summary(cw)
    assert summary["unchanged"] == 504 - len(summary["changed_old_villages"]) == 493


def test_each_split_village_gets_its_share_from_its_parents(cw):
    splits = split_table(cw)
    got = splits.groupby("new_code")["old_code"].agg(set).to_dict()
    assert got == PARENTS
    assert (splits["basis_forward"] == "built-up").all()
    assert ((splits["w_forward"] > 0) & (splits["w_forward"] < 1)).all()
    # the NOTE's parent is always among them, and named as such
    by = splits.set_index(["new_code", "old_code"])["parent_by"]
    assert by["68000090033", "68000090016"] == "note+overlap"  # 渴望里 <- 三和里 (NOTE)
    assert by["68000090033", "68000090012"] == "overlap"  # <- 高原里 (area overlap only)
    assert by["68000060020", "68000060005"] == "overlap"  # 大園區: NOTE blank
    # two parents: each keeps the rest of its residents
    parents = cw[cw["old_code"].isin(["68000080001", "68000080002"])]
    assert np.allclose(parents.groupby("old_code")["w_forward"].sum(), 1)


def test_indigenous_counts_carried_both_ways_to_the_person(cw, data_dir):
    raw = pd.read_csv(data_dir / "demand" / "taoyuan_indigenous_village_2021-06.csv",
                      dtype={"district_code": str}).set_index("district_code")
    counts = raw[["o_cnt", "o1_cnt", "o2_cnt"]].astype(int)
    fwd = carry(counts, cw)
    assert len(fwd) == 516 and fwd.notna().all().all()
    assert int(fwd["o_cnt"].sum()) == int(counts["o_cnt"].sum()) == 78_366
    assert fwd.sum().astype(int).to_dict() == counts.sum().to_dict()
    # district totals too (no kept piece crosses a district border)
    district = lambda t: t.groupby(t.index.str[:8]).sum().astype(int)  # noqa: E731
    pd.testing.assert_frame_equal(district(fwd), district(counts), check_names=False)
    # unchanged villages keep their count; a split village gets at most its parents' total
    same = cw.loc[(cw["basis_forward"] == "identity") & (cw["basis_backward"] == "identity"),
                  "old_code"]
    assert len(same) == 492  # 493 unchanged, but 瑞德里 also received land from 興仁里
    assert (fwd.loc[same, "o_cnt"].astype(int) == counts.loc[same, "o_cnt"]).all()
    for child, parents in PARENTS.items():
        assert fwd.at[child, "o_cnt"] <= counts.loc[list(parents), "o_cnt"].sum()
    back = carry(fwd, cw, direction="backward")
    assert back.sum().astype(int).to_dict() == counts.sum().to_dict()
    assert (back.loc[same, "o_cnt"].astype(int) == counts.loc[same, "o_cnt"]).all()


def test_2025_population_carried_back_to_2021_codes(cw, data_dir):
    pop = pd.read_csv(data_dir / "vintages" / "taoyuan_villages_2025-12_agegroups.csv",
                      dtype={"VILLCODE": str}).set_index("VILLCODE")
    cols = ["people_total", "age_0_17", "age_18_64", "age_65_plus"]
    back = carry(pop[cols], cw, direction="backward")
    assert len(back) == 504
    assert int(back["people_total"].sum()) == 2_355_106
    assert back.sum().astype(int).to_dict() == pop[cols].sum().to_dict()
    fwd = carry(back, cw)  # and forward again: the city and district totals hold
    assert int(fwd["people_total"].sum()) == 2_355_106


def test_split_shares_agree_with_tobler(cw, data_dir):
    """tobler's areal interpolation (PySAL), sources = the changed 2021 villages masked to
    their built-up land, gives each split village what the crosswalk gives it once the
    slivers the crosswalk drops are put back: per kept piece, tobler's share x (parent's
    built-up land / land in its kept pieces)."""
    from geo.demand import load_builtup
    pop = pd.read_csv(data_dir / "population" / "taoyuan_villages_2021-03.csv",
                      dtype={"VILLCODE": str}).set_index("VILLCODE")["人口"]
    changed = sorted({p for ps in PARENTS.values() for p in ps})
    old = load_villages(vintage="2021").loc[changed].to_crs(METRIC_CRS)
    land = load_builtup(data_dir).geometry
    masked = gpd.overlay(old.reset_index()[["VILLCODE", "geometry"]],
                         gpd.GeoDataFrame(geometry=land.clip(old.total_bounds)),
                         how="intersection").dissolve("VILLCODE")
    for code in changed:  # one column per parent: its residents, 0 elsewhere
        masked[code] = np.where(masked.index == code, float(pop[code]), 0.0)
    new = load_villages(vintage="2023-09").loc[list(PARENTS)].to_crs(METRIC_CRS)
    theirs = area_interpolate(masked, new, extensive_variables=changed,
                              allocate_total=False)  # share of each source's own land
    theirs.index = new.index
    rows = cw[cw["old_code"].isin(changed)]
    kept = rows.groupby("old_code")["builtup_m2"].sum()
    is_kept = pd.DataFrame(False, index=new.index, columns=changed)
    for r in rows[rows["new_code"].isin(new.index)].itertuples():
        is_kept.at[r.new_code, r.old_code] = True  # e.g. not 興仁里's 1.8 % sliver in 福元里
    expected = (theirs[changed] * (masked.area / kept).reindex(changed) * is_kept).sum(axis=1)
    ours = carry(pop.loc[changed].astype(int), cw)["人口"].loc[list(PARENTS)].astype(float)
    assert (ours - expected).abs().max() <= 1.0, (ours - expected).round(2).to_dict()
    # without the correction they differ by the dropped slivers only (< 5 %; 福元里 4 %)
    plain = theirs[changed].sum(axis=1)
    assert ((ours - plain).abs() / plain).max() < 0.05
