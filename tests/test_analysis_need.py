"""District-level need (low income, 2021-06) against a type's supply: shares computed from
the published district file by hand, never spread over villages."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.context import load_context
from analysis.coverage import CoverageQuery, analyse_coverage
from analysis.hotspots import HotspotQuery, analyse_hotspots
from analysis.need import district_need


def test_low_income_need_share_against_family_service_centres(data_dir):
    ctx = load_context(data_dir, library=False)
    result = analyse_coverage(ctx, CoverageQuery("family_service_centre"))
    table = district_need(ctx, result)
    raw = pd.read_csv(data_dir / "demand" / "taoyuan_lowincome_district_2021-06.csv",
                      dtype=str)
    assert len(table) == 13 and table["need_share"].sum() == pytest.approx(1.0)
    # capacity unknown everywhere: each centre counts 1, so capacity share = sites / 15
    assert table["capacity_share"].to_numpy() == pytest.approx(table["sites"] / 15)
    # rlp_cnt: SEGIS 低收入戶人口數 (persons in low-income households), per town_id
    published = pd.to_numeric(raw.set_index("town_id")["rlp_cnt"])
    assert table["need"].to_dict() == pytest.approx(published.reindex(table.index).to_dict())
    assert (table["gap"] == table["need_share"] - table["capacity_share"]).all()
    assert table["vintage"].iat[0] == "2021-06"


def test_district_indicator_is_never_a_village_hotspot(data_dir):
    ctx = load_context(data_dir, library=False)
    with pytest.raises(ValueError, match="indicator"):
        analyse_hotspots(ctx, HotspotQuery(indicator="low_income_persons"))
    result = analyse_coverage(ctx, CoverageQuery("family_service_centre"))
    with pytest.raises(ValueError, match="per village"):
        district_need(ctx, result, indicator="indigenous", column="indigenous")
