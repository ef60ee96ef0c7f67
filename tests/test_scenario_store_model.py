"""The scenario model (coverage/scenario.py, coverage/places.py) on the real Taoyuan default
sites and the committed boundaries: applying edits, village points (point on surface or the
demand point), vintages, invalid edits named by index and field, the JSON round trip,
deterministic site ids and undo / redo. Fixtures: tests/_scenario_store_fixtures.py."""
from __future__ import annotations

import copy
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer

from _scenario_store_fixtures import FSC, _edits, _places
from _scenario_store_fixtures import sites, store  # noqa: F401  (fixtures)
from coverage.places import build_places
from coverage.scenario import (AddSite, CloseSite, EditHistory, MoveSite, Scenario, SetCapacity,
                               SetStatus, apply_edits, changed_site_ids, edit_from_dict,
                               edits_from_list, edits_to_list, village_point)
from store import load_scenario, save_scenario
from geo.boundaries import BOUNDARY_VINTAGE, load_districts, load_villages


# --- scenario model -------------------------------------------------------------------

def test_apply_edits_changes_only_what_the_edits_say(sites):
    before = copy.deepcopy(sites)
    edits = _edits()
    out = apply_edits(sites, edits, places=_places())
    assert_geodataframe_equal(sites, before)  # the input is not mutated
    assert len(out) == len(sites) + 2 and out.crs.to_epsg() == 4326
    by_id = out.set_index("site_id")
    # untouched rows are identical
    untouched = [s for s in sites["site_id"] if s not in {"fsc-001", "fsc-002", "mhc-001"}]
    assert_geodataframe_equal(by_id.loc[untouched], sites.set_index("site_id").loc[untouched])
    # the village point lies in that village; name kept verbatim; status edited later
    village = load_villages().loc["68000010001"]
    new1 = by_id.loc["scn-1"]
    assert village.geometry.contains(new1.geometry)
    assert new1["district"] == village["district"]
    assert new1["name"] == "<script>alert(1)</script> & 新站 🏠"
    assert new1["status"] == "open"
    # the lon/lat site: district from an independent spatial join with the villages
    new2 = by_id.loc["scn-2"]
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=[shapely.Point(121.2250, 24.9536)],
                                        crs=4326), load_villages(), predicate="within")
    assert new2["district"] == joined["district"].iloc[0]
    assert (new2.geometry.x, new2.geometry.y, new2["capacity"]) == (121.2250, 24.9536, 30.0)
    assert new2["status"] == "planned"
    assert (by_id.loc["fsc-001"].geometry.x, by_id.loc["fsc-001"].geometry.y) == (121.30, 25.00)
    assert by_id.loc["fsc-002", "status"] == "closed"
    assert by_id.loc["mhc-001", "capacity"] == 45.5
    # no edits: same table back
    assert_geodataframe_equal(apply_edits(sites, (), places=_places()), sites)


def _reproject(geom, src, dst):
    t = Transformer.from_crs(src, dst, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def test_village_point_is_point_on_surface_in_twd97():
    poly = load_villages().loc["68000010001"].geometry
    expected = _reproject(_reproject(poly, 4326, 3826).point_on_surface(), 3826, 4326)
    lon, lat = village_point(_places(), "68000010001")
    assert lon == pytest.approx(expected.x, abs=1e-9) and lat == pytest.approx(expected.y, abs=1e-9)
    with pytest.raises(ValueError, match="12345"):
        village_point(_places(), "12345")


def test_village_edit_uses_the_demand_point_when_the_table_has_one(sites):
    """demand_x / demand_y (EPSG:3826 metres) win over point_on_surface; a village without
    them (NaN) keeps its point on surface."""
    villages = load_villages().copy()
    villages["demand_x"], villages["demand_y"] = np.nan, np.nan
    villages.loc["68000010001", ["demand_x", "demand_y"]] = [280_500.0, 2_764_800.0]
    places = build_places(villages, load_districts(), vintage="test")
    out = apply_edits(sites, [AddSite(FSC, "a", village="68000010001"),
                              AddSite(FSC, "b", village="68000010002")], places=places)
    by_id = out.set_index("site_id")
    lon, lat = Transformer.from_crs(3826, 4326, always_xy=True).transform(280_500.0, 2_764_800.0)
    assert by_id.loc["scn-1"].geometry.x == pytest.approx(lon, abs=1e-9)
    assert by_id.loc["scn-1"].geometry.y == pytest.approx(lat, abs=1e-9)
    poly = load_villages().loc["68000010002"].geometry
    other = _reproject(_reproject(poly, 4326, 3826).point_on_surface(), 3826, 4326)
    assert by_id.loc["scn-2"].geometry.equals_exact(other, tolerance=1e-9)


def test_village_code_unknown_in_another_vintage_fails_clearly(sites, store):
    """A scenario saved on one boundary vintage records it; applied on a vintage without
    the village code, the error names the code, both vintages and the edit."""
    saved = save_scenario(Scenario("舊界", sites, (AddSite(FSC, "x", village="68000010001"),)),
                          places=_places(), store=store)
    assert saved.boundary_vintage == BOUNDARY_VINTAGE
    assert load_scenario("舊界", store=store).boundary_vintage == BOUNDARY_VINTAGE
    newer = build_places(load_villages().drop(index="68000010001"), load_districts(),
                         vintage="re-coded boundaries")
    with pytest.raises(ValueError) as err:
        load_scenario("舊界", store=store).sites(newer)
    text = str(err.value)
    assert "edit 0 (add): field 'village' = '68000010001'" in text
    assert "'re-coded boundaries'" in text and repr(BOUNDARY_VINTAGE) in text
    with pytest.raises(ValueError, match="68000010001"):
        save_scenario(saved, places=newer, store=store)
    assert load_scenario("舊界", store=store).version == 1


def _bbox():
    return load_districts().total_bounds  # independent of Places.bbox


@pytest.mark.parametrize("bad, field", [
    (MoveSite("no-such-site", 121.2, 24.9), "site_id"),
    (CloseSite("no-such-site"), "site_id"),
    (SetCapacity("fsc-001", -3), "capacity"),
    (SetStatus("fsc-001", "demolished"), "status"),
    (AddSite("bogus_type", "x", lon=121.2, lat=24.9), "type"),
    (AddSite(FSC, "x", lon=float(_bbox()[2]) + 0.01, lat=24.9), "lon"),
    (AddSite(FSC, "x", lon=121.2, lat=float(_bbox()[1]) - 0.01), "lat"),
    (MoveSite("fsc-001", float("nan"), 24.9), "lon"),
    (AddSite(FSC, "x", village="99999999999"), "village"),
    (AddSite(FSC, "", lon=121.2, lat=24.9), "name"),
    (AddSite(FSC, "x", lon=121.2, lat=24.9, site_id="fsc-003"), "site_id"),
])
def test_invalid_edit_names_index_and_field(sites, bad, field):
    with pytest.raises(ValueError, match=rf"edit 1 \({bad.kind}\): field '{field}'"):
        apply_edits(sites, [CloseSite("fsc-004"), bad], places=_places())


def test_edits_json_roundtrip_and_bad_dicts():
    edits = _edits()
    text = json.dumps(edits_to_list(edits), ensure_ascii=False)
    assert edits_from_list(json.loads(text)) == edits
    assert all(type(e).from_dict(e.to_dict()) == e for e in edits)
    scn = Scenario("s", None, edits, author="a", version=3)
    assert Scenario.from_dict(json.loads(json.dumps(scn.to_dict())), None) == scn
    with pytest.raises(ValueError, match="edit 3: field 'kind'"):
        edit_from_dict({"kind": "explode", "site_id": "x"}, index=3)
    with pytest.raises(ValueError, match=r"edit 0 \(close\): unexpected field"):
        edit_from_dict({"kind": "close", "site_id": "x", "rm": "-rf"}, index=0)
    with pytest.raises(ValueError, match=r"edit 2 \(move\)"):
        edit_from_dict({"kind": "move", "site_id": "x"}, index=2)


def test_changed_site_ids_and_new_ids_are_deterministic(sites):
    edits = _edits() + (MoveSite("fsc-001", 121.31, 25.01),
                        AddSite(FSC, "named", lon=121.2, lat=24.9, site_id="my-site"))
    assert changed_site_ids(edits) == ("scn-1", "scn-2", "fsc-001", "fsc-002", "mhc-001",
                                       "my-site")
    a, b = apply_edits(sites, edits, places=_places()), apply_edits(sites, edits, places=_places())
    assert_geodataframe_equal(a, b)
    assert set(a["site_id"]) - set(sites["site_id"]) == {"scn-1", "scn-2", "my-site"}


def test_edit_history_undo_redo():
    e = _edits()
    h = EditHistory().push(e[0]).push(e[1]).push(e[2])
    assert h.active == e[:3] and h.can_undo and not h.can_redo
    h = h.undo().undo()
    assert h.active == e[:1] and h.can_redo
    assert h.redo().active == e[:2]
    h2 = h.push(e[3])  # a new edit drops what could have been redone
    assert h2.active == (e[0], e[3]) and not h2.can_redo
    assert EditHistory().undo().cursor == 0 and h2.redo() == h2
    assert EditHistory.of(e).active == e
