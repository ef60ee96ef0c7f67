"""Quality checks over site tables (geo.checks) on the real default data and on small tables
built here. Expected positions come from the seed file, the boundary polygons (shapely)
and pyproj, not from check_sites' own output."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from cli import main as cli_main
from geo.boundaries import load_districts
from geo.checks import check_sites, quality_report, suggest_district
from geo.paths import BOUNDARIES_DIR
from geo.services import load_default_sites, make_sites

TO_M = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)
TO_DEG = Transformer.from_crs("EPSG:3826", "EPSG:4326", always_xy=True)
ZHONGLI = (121.228005, 24.959848)  # 中壢家庭服務中心, shared/data point file


def _site(name, lon, lat, *, district=None, address=None, type_="community_support_site",
          row=1, site_id=None):
    return {"site_id": site_id or f"t-{row}", "type": type_, "name": name,
            "district": district, "address": address, "status": "open", "capacity": None,
            "source": f"test.csv#{row}", "lon": lon, "lat": lat}


def _seed_line(data_dir, name):
    seed = sorted((data_dir.parent / "seeds").glob("003_*.txt"))[0]
    lines = seed.read_text(encoding="utf-8").splitlines()
    (lineno,) = [i for i, line in enumerate(lines, 1) if f"\t{name}\t" in line]
    return seed.name, lineno, lines[lineno - 1].split("\t")[2].strip()


@pytest.fixture(scope="module")
def default_findings(data_dir):
    sites, _ = load_default_sites(data_dir)
    return sites, check_sites(sites)


def test_seed_pingzhen_address_lies_in_taoyuan_district(data_dir, default_findings):
    _, findings = default_findings
    file, line, address = _seed_line(data_dir, "平鎮家庭服務中心")
    assert "桃園區" in address  # the seed's known error, independently read
    hits = [f for f in findings if f.code == "address_district_mismatch"]
    assert [(f.file, f.row, f.field, f.value) for f in hits] == [(file, line, "address", address)]
    assert "平鎮區" in hits[0].expected and "桃園區" in hits[0].expected


def test_seed_neili_district_is_not_a_district(data_dir, default_findings):
    _, findings = default_findings
    file, line, address = _seed_line(data_dir, "內壢家庭服務中心")
    assert address.startswith("內壢區")
    hits = [f for f in findings if f.code == "unknown_district"]
    assert [(f.file, f.row, f.field, f.value) for f in hits] == [(file, line, "address", address)]
    assert "a district of 桃園市, e.g. 中壢區 (內壢 is part of 中壢區)" in hits[0].expected


def test_default_points_raise_no_location_findings(default_findings):
    # shared/data/README: the point file puts every centre inside its own district
    sites, findings = default_findings
    districts = load_districts()
    for _, s in sites.iterrows():
        poly = districts.loc[districts["district"] == s["district"], "geometry"].iloc[0]
        assert poly.contains(s.geometry)
    assert not [f for f in findings if f.code in
                ("outside_city", "point_district_mismatch", "duplicate_location",
                 "duplicate_name", "duplicate_id")]


def test_point_outside_city_in_the_sea():
    city = gpd.read_file(BOUNDARIES_DIR / "taoyuan_districts_2021.geojson").union_all()
    assert not city.intersects(Point(121.0, 25.2))
    sites = make_sites([_site("海上", 121.0, 25.2, row=7), _site("中壢", *ZHONGLI, row=8)])
    found = [f for f in check_sites(sites, file="x.csv") if f.code == "outside_city"]
    assert [(f.file, f.row, f.field) for f in found] == [("x.csv", 7, "geometry")]
    # distance to the city (the default district boundaries), computed independently with
    # pyproj + shapely in EPSG:3826: the polygons projected, then merged
    city_m = load_districts().to_crs("EPSG:3826").union_all()
    d = Point(TO_M.transform(121.0, 25.2)).distance(city_m)
    assert f"{d:,.0f} m" in found[0].expected


def test_point_in_another_district_than_stated():
    districts = load_districts()
    zhongli = districts.loc[districts["district"] == "中壢區", "geometry"].iloc[0]
    assert zhongli.contains(Point(*ZHONGLI))
    sites = make_sites([_site("甲", *ZHONGLI, district="桃園區", row=3),
                        _site("乙", *ZHONGLI, district="中壢", row=4, type_="employment_desk")])
    found = [f for f in check_sites(sites) if f.code == "point_district_mismatch"]
    assert [(f.row, f.field, f.value) for f in found] == [(3, "district", "桃園區")]
    assert "中壢區" in found[0].expected


def test_address_district_differs_from_stated():
    sites = make_sites([_site("甲", *ZHONGLI, district="中壢區", address="桃園市平鎮區中豐路1號"),
                        _site("乙", *ZHONGLI, district="中壢區", address="中壢區元化路159號",
                              row=2, type_="employment_desk")])
    found = [f for f in check_sites(sites) if f.code == "address_district_mismatch"]
    assert [(f.row, f.field) for f in found] == [(1, "address")]
    assert "中壢區" in found[0].expected and "平鎮區" in found[0].expected


def test_district_spellings_are_accepted_and_unknown_names_flagged():
    ok = ["中壢區", "中壢", "桃園市中壢區", "Zhongli District", "ｚｈｏｎｇｌｉ"]
    rows = [_site(f"s{i}", *ZHONGLI, district=d, row=i, site_id=f"s{i}", type_=t)
            for i, (d, t) in enumerate(zip(ok, ["employment_desk", "employment_centre",
                                                "counselling_point", "immigrant_family_centre",
                                                "psychiatric_collab_site"]), 1)]
    rows.append(_site("內壢", *ZHONGLI, district="內壢區", row=9))
    found = check_sites(make_sites(rows))
    unknown = [f for f in found if f.code in ("unknown_district", "point_district_mismatch")]
    assert [(f.row, f.value) for f in unknown] == [(9, "內壢區")]
    assert "中壢區 (內壢 is part of 中壢區)" in unknown[0].expected
    # an unknown name without a known place hint suggests the point's district
    assert "中壢區" in suggest_district("某某區", "中壢區")


def test_duplicate_names_after_normalisation():
    sites = make_sites([
        _site("臺北第1據點", 121.30, 24.99, row=1),
        _site("台北第１據點", 121.20, 24.95, row=2),  # 台/臺 + full-width digit
        _site("臺北第2據點", 121.25, 24.90, row=3),
    ])
    found = [f for f in check_sites(sites) if f.code == "duplicate_name"]
    assert [(f.row, f.value) for f in found] == [(2, "台北第１據點")]
    assert "row 1" in found[0].expected


@pytest.mark.parametrize("offset_m, flagged", [(15.0, True), (19.9, True), (20.5, False),
                                               (40.0, False)])
def test_duplicate_location_threshold_20m(offset_m, flagged):
    x, y = TO_M.transform(*ZHONGLI)
    lon2, lat2 = TO_DEG.transform(x + offset_m, y)
    sites = make_sites([_site("甲", *ZHONGLI, row=1), _site("乙", lon2, lat2, row=2),
                        _site("丙", lon2, lat2, row=3, type_="employment_desk")])
    found = [f for f in check_sites(sites) if f.code == "duplicate_location"]
    # 丙 is another type: co-location of different services is not a duplicate
    assert [f.row for f in found] == ([2] if flagged else [])
    if flagged:
        assert f"{offset_m:.1f} m" in found[0].expected


def test_duplicate_site_ids():
    sites = make_sites([_site("甲", 121.30, 24.99, row=1, site_id="A"),
                        _site("乙", 121.20, 24.95, row=2, site_id="A")])
    found = [f for f in check_sites(sites) if f.code == "duplicate_id"]
    assert [(f.row, f.value) for f in found] == [(2, "A")]


def test_quality_report_on_default_data(data_dir):
    rep = quality_report(data_dir)
    json.dumps(rep, ensure_ascii=False)  # JSON-safe
    fsc = rep["layers"]["family_service_centre"]
    assert fsc["rows"] == 15
    codes = sorted(f["code"] for f in fsc["findings"])
    assert codes == ["address_district_mismatch", "unknown_district"]
    assert fsc["counts"]["warning"] == 2
    assert rep["layers"]["mental_health_centre"]["rows"] == 2
    assert "population" in rep["layers"]
    total = sum(e["counts"]["warning"] for e in rep["layers"].values())
    assert rep["counts"]["warning"] == total
    assert {c["type"]: c["located"] for c in rep["completeness"]}["family_service_centre"] == 15
    seed = sorted((data_dir.parent / "seeds").glob("003_*.txt"))[0]
    assert {f["file"] for f in fsc["findings"]} == {str(seed)}
    assert fsc["file"] == str(data_dir / "services" / "family_service_centres.geojson")


def test_quality_report_without_data_files(tmp_path):
    rep = quality_report(tmp_path)
    missing = [f for e in rep["layers"].values() for f in e["findings"]
               if f["code"] == "missing_file"]
    layers = {f["layer"] for f in missing}
    assert {"family_service_centre", "mental_health_centre", "population"} <= layers


def test_cli_report_without_file(data_dir, capsys):
    assert cli_main(["validate", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "內壢 is part of 中壢區" in out and "平鎮區" in out
    assert cli_main(["validate", "--data-dir", str(data_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # the seed's two known mistakes (平鎮's address in 桃園區, 「內壢區」) and nothing else:
    # the published population files and points are clean (see test_readers_property.py)
    assert data["counts"] == {"error": 0, "warning": 2, "info": 0}
    fsc = data["layers"]["family_service_centre"]["findings"]
    assert sorted(f["code"] for f in fsc) == ["address_district_mismatch", "unknown_district"]


def test_each_close_site_is_reported_once_against_the_earliest():
    x, y = TO_M.transform(*ZHONGLI)
    lon5, lat5 = TO_DEG.transform(x + 5, y)
    lon9, lat9 = TO_DEG.transform(x + 9, y)
    sites = make_sites([_site("甲", *ZHONGLI, row=1), _site("乙", lon5, lat5, row=2),
                        _site("丙", lon9, lat9, row=3), _site("丁", *ZHONGLI, row=4)])
    found = [f for f in check_sites(sites) if f.code == "duplicate_location"]
    # by hand: 乙, 丙 and 丁 are each within 20 m of 甲 (row 1), the earliest site
    assert [f.row for f in found] == [2, 3, 4]
    assert all("row 1, 甲" in f.expected for f in found)
    assert "0.0 m" in found[2].expected and "9.0 m" in found[1].expected


def test_sites_placed_at_one_village_point_are_not_duplicates():
    rows = [_site(n, *ZHONGLI, row=i) | {"located_by": "village", "precision": "village"}
            for i, n in enumerate(("甲", "乙", "丙"), 1)]
    assert not [f for f in check_sites(make_sites(rows)) if f.code == "duplicate_location"]


def test_unlocated_sites_are_listed_as_info():
    sites = make_sites([_site("甲", None, None, address="龍潭區干城路19巷30號", row=3)])
    (f,) = check_sites(sites, file="x.csv")
    assert (f.file, f.row, f.code, f.severity) == ("x.csv", 3, "unlocated", "info")
    assert f.value == "龍潭區干城路19巷30號" and "completeness, not coverage" in f.expected


def test_distances_outside_a_district_match_shapely():
    import numpy as np
    from geo.checks import _distance_to_edges
    polys = load_districts().to_crs("EPSG:3826").geometry.to_numpy()
    rng = np.random.default_rng(1)
    x, y = rng.uniform(300_000, 320_000, 50), rng.uniform(2_700_000, 2_790_000, 50)
    pts = gpd.points_from_xy(x, y)
    # independent: shapely's point-to-polygon distance, nearest district
    expected = np.array([min(p.distance(poly) for poly in polys) for p in pts])
    assert _distance_to_edges(polys, x, y) == pytest.approx(expected, abs=1e-6)
