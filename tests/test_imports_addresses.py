"""Import of user site lists, address-only rows: a row naming its village is placed at the
village point (or the village table's demand point), ambiguous or unknown village names are
not guessed, placement can be switched off, and the optional geocoder (a fake here) places
addresses, caches the answers, fails into unlocated rows with a warning, is off by default
and is named by ``safetynet validate --geocode``. Encodings, columns, coordinate systems and
bad rows: test_imports.py."""
from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Transformer

from cli import main as cli_main
from geo.imports import read_sites


# --- address-only rows: kept, placed at their village, or geocoded --------------------------

def _village(name: str, district: str):
    from geo.boundaries import load_villages
    v = load_villages()
    (code,) = v.index[(v["village"] == name) & (v["district"] == district)]
    return code, v.loc[code]


def test_address_naming_its_village_is_placed_at_the_village_point(tmp_path):
    import shapely
    path = tmp_path / "a.csv"
    path.write_text("名稱,地址,類型\n甲,桃園市中壢區中央里中央西路二段1號,小衛星\n"
                    "乙,320桃園縣中壢市中央里5鄰,小衛星\n", encoding="utf-8")
    res = read_sites(path)
    code, village = _village("中央里", "中壢區")
    # the village's point on surface, computed here in EPSG:3826 with pyproj + shapely
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)
    to_deg = Transformer.from_crs("EPSG:3826", "EPSG:4326", always_xy=True)
    poly_m = shapely.transform(village.geometry, lambda xy: np.column_stack(
        to_m.transform(xy[:, 0], xy[:, 1])))
    expected = to_deg.transform(*shapely.point_on_surface(poly_m).coords[0])
    assert res.unlocated == 0 and res.rejected.empty and len(res.sites) == 2
    for _, site in res.sites.iterrows():
        assert (site.geometry.x, site.geometry.y) == pytest.approx(expected, abs=1e-9)
        assert village.geometry.contains(site.geometry)
        assert (site["located_by"], site["precision"], site["district"]) == (
            "village", "village", "中壢區")
    placed = [f for f in res.findings if f.code == "placed_at_village"]
    assert [f.row for f in placed] == [1, 2] and code in placed[0].expected


def test_village_column_and_demand_points_from_the_village_table(tmp_path):
    from geo.boundaries import load_villages
    villages = load_villages().copy()
    code, _ = _village("中央里", "中壢區")
    villages["demand_x"], villages["demand_y"] = 270000.0, 2760000.0
    path = tmp_path / "v.csv"
    path.write_text("名稱,行政區,村里,類型\n甲,中壢區,中央,小衛星\n", encoding="utf-8")
    res = read_sites(path, villages=villages)
    lon, lat = Transformer.from_crs("EPSG:3826", "EPSG:4326", always_xy=True).transform(
        270000.0, 2760000.0)
    g = res.sites.geometry.iloc[0]
    assert (g.x, g.y) == pytest.approx((lon, lat), abs=1e-9)
    assert res.sites["located_by"].tolist() == ["village"]


def test_ambiguous_and_unknown_village_names_are_not_guessed(tmp_path):
    from geo.boundaries import load_villages
    v = load_villages()
    districts = sorted(v.loc[v["village"] == "中山里", "district"])
    assert len(districts) > 1  # independent: the name is used in several districts
    path = tmp_path / "amb.csv"
    path.write_text("名稱,地址,類型\n甲,中山里中山路1號,小衛星\n乙,某某里1號,小衛星\n",
                    encoding="utf-8")
    res = read_sites(path)
    assert res.unlocated == 2 and res.sites.geometry.is_empty.all()
    (amb,) = [f for f in res.findings if f.code == "ambiguous_village"]
    assert amb.row == 1 and all(d in amb.expected for d in districts)
    (unknown,) = [f for f in res.findings if f.code == "unknown_village"]
    assert (unknown.row, unknown.value) == (2, "某某里")


def test_placement_can_be_switched_off(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("名稱,地址,類型\n甲,中壢區中央里,小衛星\n", encoding="utf-8")
    assert read_sites(path, place=False).unlocated == 1


class _FakeGeocoder:
    """geopy's interface; answers from a dict and counts the calls (never online)."""

    name = "fake geocoder"

    def __init__(self, answers: dict, fail: bool = False):
        self.answers, self.calls, self.fail = answers, [], fail

    def geocode(self, query):
        self.calls.append(query)
        if self.fail:
            raise OSError("service unreachable")
        hit = self.answers.get(query)
        return None if hit is None else type("Loc", (), {"longitude": hit[0], "latitude": hit[1]})


def _address_list(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("名稱,地址,類型\n甲,龍潭區干城路19巷30號,小衛星\n乙,大溪區不存在路1號,小衛星\n"
                    "丙,台北市信義區市府路1號,小衛星\n", encoding="utf-8")
    return path


def test_geocoder_places_addresses_and_caches_the_answers(tmp_path):
    fake = _FakeGeocoder({"桃園市龍潭區干城路19巷30號": (121.2164, 24.8642),
                          "桃園市台北市信義區市府路1號": (121.5645, 25.0375)})
    cache = tmp_path / "cache" / "geocode.json"
    res = read_sites(_address_list(tmp_path), geocoder=fake, geocode_cache=cache)
    assert res.geocoder == "fake geocoder" and res.unlocated == 2
    site = res.sites.iloc[0]
    assert (site.geometry.x, site.geometry.y) == (121.2164, 24.8642)
    assert (site["located_by"], site["precision"]) == ("geocoder", "geocoder")
    codes = {f.row: f.code for f in res.findings if f.code.startswith("geocod")}
    assert codes == {1: "geocoded", 2: "geocode_not_found", 3: "geocode_outside_city"}
    assert "fake geocoder" in [f for f in res.findings if f.code == "geocoded"][0].expected
    assert len(fake.calls) == 3 and json.loads(cache.read_text("utf-8"))
    again = _FakeGeocoder({})
    res2 = read_sites(_address_list(tmp_path), geocoder=again, geocode_cache=cache)
    assert again.calls == [] and res2.sites["located_by"].tolist()[0] == "geocoder"


def test_geocoder_failure_leaves_sites_unlocated_with_a_warning(tmp_path):
    fake = _FakeGeocoder({}, fail=True)
    res = read_sites(_address_list(tmp_path), geocoder=fake, geocode_cache=tmp_path / "c.json")
    assert res.unlocated == 3 and len(fake.calls) == 1  # stops after the first failure
    (f,) = [f for f in res.findings if f.code == "geocoder_failed"]
    assert "service unreachable" in f.expected and f.row == 1


def test_geocoder_is_off_by_default(tmp_path):
    res = read_sites(_address_list(tmp_path))
    assert res.geocoder is None and res.unlocated == 3


def test_cli_geocode_option_says_it_was_used(tmp_path, capsys, monkeypatch):
    import geo.geocode
    fake = _FakeGeocoder({"桃園市龍潭區干城路19巷30號": (121.2164, 24.8642)})
    monkeypatch.setattr(geo.geocode, "nominatim", lambda: fake)
    monkeypatch.setattr(geo.geocode, "default_cache_path", lambda: tmp_path / "c.json")
    assert cli_main(["validate", str(_address_list(tmp_path)), "--geocode", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "online geocoder used: fake geocoder" in out and "geocoder 1" in out
