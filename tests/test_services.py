import geopandas as gpd

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
