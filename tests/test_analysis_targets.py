"""Who each service is for (issue 12 item 4): each type's default demand is its target group
from analysis/defaults.toml, and the totals equal direct sums of the published files."""
from __future__ import annotations

import tomllib

import pandas as pd
import pytest

from analysis.context import load_context
from analysis.coverage import CoverageQuery, analyse_coverage
from geo.paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def ctx(data_dir):
    return load_context(data_dir, library=False)


def _config():
    return tomllib.loads((PROJECT_ROOT / "analysis" / "defaults.toml").read_text("utf-8"))


def test_every_type_has_a_target_with_a_rationale():
    cfg = _config()
    for type_id, entry in cfg["types"].items():
        assert entry["target"] in cfg["demand_groups"], type_id
        assert len(entry["target_rationale"]) > 20, type_id
    assert cfg["types"]["community_support_site"]["target"] == "youth"
    assert cfg["types"]["indigenous_family_centre"]["target"] == "indigenous"
    assert cfg["types"]["employment_desk"]["target"] == "working_age"


@pytest.mark.parametrize("type_id, column", [
    ("community_support_site", "age_0_17"),
    ("employment_desk", "age_18_64"),
    ("employment_centre", "age_18_64"),
    ("family_service_centre", "people_total"),
])
def test_target_totals_equal_the_age_group_file(ctx, raw_agegroups_2025, type_id, column):
    r = analyse_coverage(ctx, CoverageQuery(type_id))
    assert r.city["demand_total"] == raw_agegroups_2025[column].sum()


def test_indigenous_centres_use_the_indigenous_count_carried_onto_516_villages(ctx, data_dir):
    raw = pd.read_csv(data_dir / "demand" / "taoyuan_indigenous_village_2021-06.csv")
    r = analyse_coverage(ctx, CoverageQuery("indigenous_family_centre"))
    assert r.demand_column == "indigenous" and len(r.villages) == 516
    assert r.city["demand_total"] == raw["o_cnt"].sum() == 78_366  # o_cnt: 原住民人口數
    # no located indigenous family centre in the public data: "no data yet", nothing covered
    assert r.city["demand_covered"] == 0 and any(n.key == "note.no_sites" for n in r.notes)


def test_2021_vintage_falls_back_to_0_14_and_says_so(data_dir):
    old = load_context(data_dir, vintage="2021-03", library=False)
    raw = pd.read_csv(data_dir / "population" / "taoyuan_villages_2021-03.csv")
    r = analyse_coverage(old, CoverageQuery("community_support_site"))
    assert r.demand_column == "age_0_14"
    assert r.city["demand_total"] == raw["未滿15歲"].sum()
    assert any(n.key == "note.demand_fallback" for n in r.notes)
