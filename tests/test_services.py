import geopandas as gpd
import pytest

from geo.boundaries import load_districts
from geo.services import (SERVICE_TYPES, completeness, district_from_address, load_default_sites,
                          match_service_type, service_type)

IDS = ["family_service_centre", "community_support_site", "mental_health_centre", "employment_desk",
       "employment_centre", "indigenous_family_centre", "immigrant_family_centre",
       "counselling_point", "psychiatric_collab_site"]


def test_registry_ids_and_official_counts():
    assert list(SERVICE_TYPES) == IDS
    counts = {k: t.official_count for k, t in SERVICE_TYPES.items()}
    assert counts == {"family_service_centre": 15, "community_support_site": 56,
                      "mental_health_centre": 5, "employment_desk": 12, "employment_centre": 2,
                      "indigenous_family_centre": 3, "immigrant_family_centre": 1,
                      "counselling_point": 20, "psychiatric_collab_site": 3}
    assert SERVICE_TYPES["community_support_site"].history == {2019: 28, 2020: 37, 2021: 41, 2022: 56}
    assert match_service_type("小衛星") == "community_support_site"
    assert match_service_type("家庭服務中心") == "family_service_centre"
    assert match_service_type("Employment service desk") == "employment_desk"
    assert match_service_type("醫院") is None


def test_unknown_type_lists_valid_ids():
    try:
        service_type("hospital")
    except KeyError as exc:
        assert "family_service_centre" in str(exc)
    else:
        raise AssertionError("expected KeyError")


def test_default_sites_lie_in_their_districts(data_dir):
    sites, findings = load_default_sites(data_dir)
    assert (sites["type"].value_counts().to_dict()
            == {"family_service_centre": 15, "mental_health_centre": 2})
    assert sites["site_id"].is_unique and (sites["status"] == "open").all()
    districts = load_districts()
    joined = gpd.sjoin(sites, districts[["district", "geometry"]], predicate="within",
                       lsuffix="site", rsuffix="poly")
    assert len(joined) == 17
    assert (joined["district_site"] == joined["district_poly"]).all()


def test_seed_addresses_attached_by_name(data_dir):
    sites, _ = load_default_sites(data_dir)
    fsc = sites[sites["type"] == "family_service_centre"].set_index("name")
    # the seed table lists 14 of the 15 centres (中路 has no row)
    assert fsc["address"].notna().sum() == 14
    assert fsc["address"].isna().tolist().count(True) == 1 and fsc["address"].isna()["中路家庭服務中心"]
    assert fsc.loc["觀音家庭服務中心", "address"] == "觀音區觀新路52號1樓"
    assert "003_" in fsc.loc["觀音家庭服務中心", "source"]
    # the seed's own problems are kept as data, not silently fixed
    assert fsc.loc["平鎮家庭服務中心", "address"].startswith("桃園區")
    assert district_from_address(fsc.loc["平鎮家庭服務中心", "address"]) == "桃園區"
    assert district_from_address(fsc.loc["內壢家庭服務中心", "address"]) == "內壢區"


def test_completeness_against_official_counts(data_dir):
    sites, _ = load_default_sites(data_dir)
    comp = completeness(sites)
    assert comp.loc["family_service_centre", ["located", "official_count"]].tolist() == [15, 15]
    assert comp.loc["mental_health_centre", "share_located"] == 2 / 5
    assert comp.loc["community_support_site", "located"] == 0
    assert not comp.loc["community_support_site", "complete"]


def test_district_from_address_variants():
    assert district_from_address("桃園市八德區豐田二路23號") == "八德區"
    assert district_from_address('"</script>桃園區中正路1號') == "桃園區"
    assert district_from_address("桃園縣中壢市中正路1號") == "中壢區"  # pre-2014 address
    assert district_from_address("中正路12號") is None


def _site(i, type_id, status, lon=None, lat=None):
    return {"site_id": f"s{i}", "type": type_id, "name": f"n{i}", "district": None,
            "address": f"地址{i}", "status": status, "capacity": None, "source": f"t.csv#{i}",
            "lon": lon, "lat": lat}


def _mixed_sites():
    from geo.services import make_sites
    return make_sites([
        _site(1, "community_support_site", "open", 121.3, 24.99),
        _site(2, "community_support_site", "open"),                 # listed, not located
        _site(3, "community_support_site", "planned", 121.2, 24.95),
        _site(4, "community_support_site", "planned"),
        _site(5, "community_support_site", "closed"),
        _site(6, "employment_desk", "open"),
    ])


def test_site_table_columns_and_how_each_site_was_located():
    from geo.services import SITE_COLUMNS, empty_sites
    assert SITE_COLUMNS == ["site_id", "type", "name", "district", "address", "status",
                            "capacity", "source", "located_by", "precision", "geometry"]
    assert list(empty_sites().columns) == SITE_COLUMNS
    sites = _mixed_sites()
    assert list(sites.columns) == SITE_COLUMNS
    assert sites["located_by"].tolist() == ["coordinates", "", "coordinates", "", "", ""]
    assert sites["precision"].tolist() == ["exact", "", "exact", "", "", ""]
    assert sites.geometry.is_empty.tolist() == [False, True, False, True, True, True]


def test_default_layers_say_coordinates_were_given(data_dir):
    sites, _ = load_default_sites(data_dir)
    assert set(sites["located_by"]) == {"coordinates"} and set(sites["precision"]) == {"exact"}


def test_unlocated_sites_count_as_listed_not_located():
    comp = completeness(_mixed_sites())
    css = comp.loc["community_support_site"]
    # by hand: open 1 + 2, planned 3 + 4 are listed; 1 and 3 have points; 5 is closed
    assert (css["listed"], css["located"], css["unlocated"]) == (4, 2, 2)
    assert (css["open"], css["planned"], css["closed"]) == (2, 2, 1)
    assert css["share_listed"] == 4 / 56 and css["share_located"] == 2 / 56
    desk = comp.loc["employment_desk"]
    assert (desk["listed"], desk["located"], desk["unlocated"]) == (1, 0, 1)


def test_selection_for_coverage_drops_unlocated_sites_and_says_how_many():
    from geo.services import select_located
    sites = _mixed_sites()
    chosen, dropped = select_located(sites, "community_support_site")
    assert chosen["site_id"].tolist() == ["s1"] and dropped == 1
    chosen, dropped = select_located(sites, "community_support_site", include_planned=True)
    assert chosen["site_id"].tolist() == ["s1", "s3"] and dropped == 2
    assert select_located(sites)[1] == 2  # every type, open only: s2 and s6


def test_vectorised_address_districts_match_the_scalar_reader():
    import pandas as pd
    from geo.services import districts_from_addresses
    addresses = ["桃園市八德區豐田二路23號", '"</script>桃園區中正路1號', "桃園縣中壢市中正路1號",
                 "中正路12號", None, float("nan"), "  內壢區 文化路", "ｘ區", ""]
    # by hand: the district as written (pre-2014 中壢市 → 中壢區; 「內壢區」 is kept as
    # written, the quality checks flag it); no district, no address, no CJK name: None
    want = ["八德區", "桃園區", "中壢區", None, None, None, "內壢區", None, None]
    got = districts_from_addresses(pd.Series(addresses, dtype=object)).tolist()
    assert got == want
    assert [district_from_address(a) for a in addresses] == want


def test_district_of_an_address_in_another_city():
    import pandas as pd
    from geo.services import districts_from_addresses
    addresses = ["台中市西屯區臺灣大道三段99號", "新北市板橋區中山路一段161號"]
    want = ["西屯區", "板橋區"]  # the district written, which the checks then flag
    assert [district_from_address(a) for a in addresses] == want
    assert districts_from_addresses(pd.Series(addresses, dtype=object)).tolist() == want
