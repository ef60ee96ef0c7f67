"""District-level need (low income, 2021-06) against a type's supply: shares computed from
the published district file by hand, never spread over villages."""
from __future__ import annotations

import json
from pathlib import Path

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
                      dtype=str).set_index("town_id")
    # rlp_cnt: SEGIS 低收入戶人口數 (persons in low-income households), per town_id
    published = pd.to_numeric(raw["rlp_cnt"])
    assert len(table) == 13 and sorted(table.index) == sorted(published.index)
    assert table["need"].to_dict() == pytest.approx(published.reindex(table.index).to_dict())
    assert table["need_share"].to_dict() == pytest.approx(
        (published / published.sum()).reindex(table.index).to_dict(), rel=1e-12)
    # supply: the published point file's centres per district (its service_area names the
    # district; 桃園區 and 中壢區 hold two each); capacity unknown everywhere, so each counts 1
    doc = json.loads((data_dir / "services" / "family_service_centres.geojson")
                     .read_text("utf-8"))
    town = {name.removeprefix("桃園市"): code for code, name in raw["countytown"].items()}
    per_town = pd.Series([town[f["properties"]["service_area"]] for f in doc["features"]]
                         ).value_counts()
    assert per_town.sum() == 15 and per_town["68000010"] == per_town["68000020"] == 2
    assert table["sites"].to_dict() == per_town.reindex(table.index).astype(float).to_dict()
    share = (per_town / 15).reindex(table.index)
    assert table["capacity_share"].to_dict() == pytest.approx(share.to_dict(), rel=1e-12)
    assert table["gap"].to_dict() == pytest.approx(
        ((published / published.sum()).reindex(table.index) - share).to_dict(), rel=1e-9)
    assert list(table.index[:2]) == ["68000010", "68000080"]  # largest gap first
    assert (table["gap"].diff().dropna() <= 0).all()
    assert table["vintage"].iat[0] == "2021-06"


def test_district_indicator_is_never_a_village_hotspot(data_dir):
    ctx = load_context(data_dir, library=False)
    with pytest.raises(ValueError, match="indicator"):
        analyse_hotspots(ctx, HotspotQuery(indicator="low_income_persons"))
    result = analyse_coverage(ctx, CoverageQuery("family_service_centre"))
    with pytest.raises(ValueError, match="per village"):
        district_need(ctx, result, indicator="indigenous", column="indigenous")


def _published(data_dir) -> pd.Series:
    raw = pd.read_csv(data_dir / "demand" / "taoyuan_lowincome_district_2021-06.csv",
                      dtype=str).set_index("town_id")
    return pd.to_numeric(raw["rlp_cnt"])


def test_cli_report_and_app_show_the_published_district_need(data_dir, tmp_path):
    """The district need reaches the planner at district level in all three front ends —
    ``coverage --out x.json`` (key district_need), the xlsx report's district_need sheet
    and the app's Tables page — with the published counts and shares (13 rows each, never
    per village)."""
    import openpyxl
    from streamlit.testing.v1 import AppTest

    from cli import main
    from reports.xlsx import sheet_by_key
    published = _published(data_dir)
    share = published / published.sum()
    out = tmp_path / "c.json"
    assert main(["coverage", "--type", "family_service_centre", "--out", str(out),
                 "--data-dir", str(data_dir)]) == 0
    cli = pd.DataFrame(json.loads(out.read_text("utf-8"))["district_need"]).set_index("TOWNCODE")
    assert len(cli) == 13
    assert cli["need"].to_dict() == pytest.approx(published.to_dict())
    assert cli["need_share"].to_dict() == pytest.approx(share.to_dict(), rel=1e-12)

    xlsx = tmp_path / "r.xlsx"
    assert main(["report", "--type", "family_service_centre", "--out", str(xlsx),
                 "--data-dir", str(data_dir)]) == 0
    rows = list(sheet_by_key(openpyxl.load_workbook(xlsx), "district_need")
                .iter_rows(values_only=True))
    sheet = pd.DataFrame(rows[2:], columns=rows[0]).set_index("TOWNCODE")
    assert len(sheet) == 13 and "VILLCODE" not in sheet
    assert sheet["low_income_persons"].to_dict() == pytest.approx(published.to_dict())
    assert sheet["supply_gap"].to_dict() == pytest.approx(cli["gap"].to_dict(), rel=1e-12)

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"),
                           default_timeout=300)
    at.query_params["page"] = "tables"
    at.run()
    assert not at.exception
    frames = [d.value for d in at.dataframe if "落差（百分點）" in d.value]
    assert len(frames) == 1 and len(frames[0]) == 13
    app = frames[0].set_index("行政區")
    ctx = load_context(data_dir, library=False)
    names = ctx.districts["district"]
    for code, persons in published.items():
        assert app.at[names[code], "低收入人數"] == persons
        assert app.at[names[code], "需求占比"] == pytest.approx(100 * share[code], rel=1e-12)
        assert app.at[names[code], "落差（百分點）"] == pytest.approx(100 * cli.at[code, "gap"],
                                                                 rel=1e-9)
