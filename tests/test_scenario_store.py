"""Scenario model (coverage/scenario.py, coverage/places.py), GeoPackage store
(store/scenarios.py) and the ``safetynet scenario`` CLI, on the real Taoyuan default sites
and the committed boundaries."""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer

from coverage.places import build_places
from coverage.scenario import (AddSite, CloseSite, EditHistory, MoveSite, Scenario, SetCapacity,
                               SetStatus, apply_edits, changed_site_ids, edit_from_dict,
                               edits_from_list, edits_to_list, village_point)
from store import (ScenarioConflict, ScenarioFileError, ScenarioNotFound, delete_scenario,
                   duplicate_scenario, export_scenario, file_name, import_scenario,
                   list_scenarios, load_scenario, quarantine_corrupt, read_scenario_file,
                   save_scenario, scenario_path, store_dir)
from geo.boundaries import BOUNDARY_VINTAGE, load_districts, load_villages
from geo.paths import PROJECT_ROOT
from geo.services import load_default_sites

FSC = "family_service_centre"


@functools.lru_cache(maxsize=1)
def _places():
    """The committed boundaries as edit geography (cached: forked workers reuse it)."""
    return build_places(load_villages(), load_districts(), vintage=BOUNDARY_VINTAGE)


@pytest.fixture(scope="module")
def sites(data_dir) -> gpd.GeoDataFrame:
    table, _ = load_default_sites(data_dir)
    assert len(table) > 10
    return table


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


def _edits() -> tuple:
    return (AddSite(FSC, "<script>alert(1)</script> & 新站 🏠", village="68000010001"),
            AddSite("mental_health_centre", "新心衛中心", lon=121.2250, lat=24.9536, capacity=30),
            MoveSite("fsc-001", 121.30, 25.00),
            CloseSite("fsc-002"),
            SetCapacity("mhc-001", 45.5),
            SetStatus("scn-1", "open"))


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


# --- store: round trip and operations -------------------------------------------------

def test_save_load_roundtrip_is_a_real_geopackage(sites, store):
    scn = Scenario("北區加站 v1", sites, _edits(), author="社會局 王", notes='line1\nline "2"')
    saved = save_scenario(scn, places=_places(), store=store)
    assert saved.version == 1 and saved.created == saved.modified
    assert saved.created.endswith("+00:00")
    loaded = load_scenario("北區加站 v1", store=store)
    assert loaded == saved  # name, edits, author, notes, timestamps, version
    assert_geodataframe_equal(loaded.baseline, sites)
    assert loaded.baseline.geometry.geom_equals_exact(sites.geometry, tolerance=0).all()

    path = scenario_path("北區加站 v1", store)
    layers = dict(pyogrio.list_layers(path))
    assert layers == {"baseline_sites": "Point", "scenario_sites": "Point", "scenarios": None}
    assert pyogrio.read_info(path, layer="scenario_sites")["crs"] == "EPSG:4326"
    changed = pyogrio.read_dataframe(path, layer="scenario_sites").set_index("site_id")
    expected = apply_edits(sites, _edits(), places=_places()).set_index("site_id")
    assert list(changed.index) == [s for s in expected.index if s in changed_site_ids(_edits())]
    assert set(changed.index) == set(changed_site_ids(_edits()))
    assert changed.geometry.geom_equals(expected.loc[changed.index].geometry).all()
    assert changed.loc["scn-1", "changes"] == "add,status"
    # the metadata table, read with plain sqlite3
    with sqlite3.connect(path) as con:
        rows = con.execute("SELECT name, author, notes, version, edits FROM scenarios").fetchall()
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    assert rows == [("北區加站 v1", "社會局 王", 'line1\nline "2"', 1,
                     json.dumps(edits_to_list(_edits()), ensure_ascii=False))]
    assert kinds["scenarios"] == "attributes" and kinds["baseline_sites"] == "features"


def test_invalid_edits_are_rejected_before_writing(sites, store):
    with pytest.raises(ValueError, match="edit 0"):
        save_scenario(Scenario("bad", sites, (CloseSite("nope"),)), places=_places(), store=store)
    assert list_scenarios(store=store) == []
    assert not list(store.glob("*.gpkg"))


def test_list_duplicate_delete(sites, store):
    a = save_scenario(Scenario("A", sites, _edits()[:2], author="x"), places=_places(), store=store)
    save_scenario(Scenario("B", sites, _edits()[2:4]), places=_places(), store=store)
    c = duplicate_scenario("A", "C", places=_places(), store=store)
    assert (c.version, c.edits, c.author) == (1, a.edits, "x")
    infos = list_scenarios(store=store)
    assert [(i.name, i.version, i.n_edits, i.error) for i in infos] == [
        ("A", 1, 2, None), ("B", 1, 2, None), ("C", 1, 2, None)]
    assert_geodataframe_equal(load_scenario("C", store=store).baseline, sites)
    with pytest.raises(ScenarioConflict, match="already exists"):
        duplicate_scenario("A", "B", places=_places(), store=store)
    with pytest.raises(ScenarioConflict, match="version 1"):
        delete_scenario("B", store=store, expected_version=7)
    delete_scenario("B", store=store, expected_version=1)
    assert [i.name for i in list_scenarios(store=store)] == ["A", "C"]
    with pytest.raises(ScenarioNotFound, match="'B'"):
        load_scenario("B", store=store)
    with pytest.raises(ScenarioNotFound):
        delete_scenario("B", store=store)


def test_export_import_roundtrip(sites, store, tmp_path):
    saved = save_scenario(Scenario("匯出", sites, _edits(), notes="n"), places=_places(),
                          store=store)
    out = export_scenario("匯出", tmp_path / "shared.gpkg", store=store)
    assert dict(pyogrio.list_layers(out))["scenario_sites"] == "Point"
    assert len(pyogrio.read_dataframe(out, layer="baseline_sites")) == len(sites)
    with pytest.raises(FileExistsError):
        export_scenario("匯出", out, store=store)
    with pytest.raises(ValueError, match=".gpkg"):
        export_scenario("匯出", tmp_path / "x.shp", store=store)

    other = tmp_path / "other-store"
    imported = import_scenario(out, places=_places(), store=other)
    assert (imported.name, imported.edits, imported.notes, imported.version) == (
        "匯出", saved.edits, "n", 1)
    assert imported.created == saved.created  # creation time travels with the scenario
    assert_geodataframe_equal(load_scenario("匯出", store=other).baseline, sites)
    renamed = import_scenario(out, places=_places(), store=store, name="匯入副本")
    assert renamed.edits == saved.edits
    with pytest.raises(ScenarioConflict, match="already exists"):
        import_scenario(out, places=_places(), store=store)
    assert_geodataframe_equal(
        apply_edits(load_scenario("匯入副本", store=store).baseline, renamed.edits,
                    places=_places()),
        apply_edits(sites, saved.edits, places=_places()))


def test_optimistic_concurrency_in_one_process(sites, store):
    v1 = save_scenario(Scenario("S", sites, ()), places=_places(), store=store)
    first, second = load_scenario("S", store=store), load_scenario("S", store=store)
    v2 = save_scenario(first.with_edit(CloseSite("fsc-003")), places=_places(), store=store)
    assert v2.version == 2 and v1.version == 1
    with pytest.raises(ScenarioConflict, match="stored version 2.*based on version 1"):
        save_scenario(second.with_edit(CloseSite("fsc-004")), places=_places(), store=store)
    with pytest.raises(ScenarioConflict, match="already exists"):
        save_scenario(Scenario("S", sites, ()), places=_places(), store=store)
    delete_scenario("S", store=store)
    with pytest.raises(ScenarioConflict, match="deleted"):
        save_scenario(v2, places=_places(), store=store)
    assert list_scenarios(store=store) == []


def test_store_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("SAFETYNET_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store_dir() == (tmp_path / "home/.local/share/safetynet/scenarios").resolve()
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "sn"))
    assert store_dir() == (tmp_path / "sn" / "scenarios").resolve()
    assert store_dir(tmp_path / "explicit") == (tmp_path / "explicit").resolve()


# --- safety ---------------------------------------------------------------------------

NASTY = ["../../etc/x", "/etc/passwd", "..", "../", "a/../../b", "..\\..\\win", "~/x",
         "名稱/../../逃脫", ".hidden", "-rf *"]


def test_malicious_names_stay_inside_the_store(sites, tmp_path):
    store = tmp_path / "a" / "b" / "store"
    etc_x = Path("/etc/x").exists()
    for name in NASTY:
        save_scenario(Scenario(name, sites, ()), places=_places(), store=store)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.parent == store for p in files), files
    assert not (tmp_path / "a" / "etc").exists() and Path("/etc/x").exists() == etc_x
    assert sorted(i.name for i in list_scenarios(store=store)) == sorted(NASTY)
    assert all(not p.name.startswith(".") for p in store.glob("*.gpkg"))
    assert len({file_name(n) for n in NASTY}) == len(NASTY)
    for name in NASTY:
        assert load_scenario(name, store=store).name == name
    for bad in ["", "   ", "a\x00b", "a\nb", "x" * 201, None, 5]:
        with pytest.raises(ValueError, match="scenario name"):
            save_scenario(Scenario(bad, sites, ()), places=_places(), store=store)
    assert len(list(store.glob("*.gpkg"))) == len(NASTY)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _plain_gpkg(path: Path) -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(121.2, 24.9)], crs=4326)
    gdf.to_file(path, driver="GPKG", engine="pyogrio")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "foreign_gpkg"])
def test_corrupted_file_is_isolated_and_kept(sites, store, damage):
    save_scenario(Scenario("good", sites, _edits()), places=_places(), store=store)
    save_scenario(Scenario("bad", sites, _edits()[:1]), places=_places(), store=store)
    path = scenario_path("bad", store)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(len(raw)))
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
        _plain_gpkg(path)
    damaged = _sha(path)

    with pytest.raises(ScenarioFileError) as err:
        load_scenario("bad", store=store)
    assert str(path) in str(err.value)
    assert load_scenario("good", store=store).edits == _edits()
    infos = {i.path.name: i for i in list_scenarios(store=store)}
    assert infos[path.name].error and str(path) in infos[path.name].error
    assert [i.name for i in infos.values() if i.error is None] == ["good"]
    # saving over it (as if it were still version 1) refuses and leaves the bytes alone
    with pytest.raises(ScenarioFileError, match=str(path)):
        save_scenario(Scenario("bad", sites, (), version=1), places=_places(), store=store)
    assert _sha(path) == damaged
    # explicit repair moves it aside, intact; then the name can be used again
    moved = quarantine_corrupt(store=store)
    assert len(moved) == 1 and moved[0].name.startswith(path.name + ".corrupt-")
    assert _sha(moved[0]) == damaged and not path.exists()
    assert [i.name for i in list_scenarios(store=store)] == ["good"]
    assert save_scenario(Scenario("bad", sites, ()), places=_places(), store=store).version == 1


def test_read_scenario_file_names_a_missing_file(tmp_path):
    with pytest.raises(ScenarioNotFound, match="nope.gpkg"):
        read_scenario_file(tmp_path / "nope.gpkg")


# --- crash during save ----------------------------------------------------------------

_SLOW_SAVER = r"""
import sys, time
from dataclasses import replace
from pathlib import Path
import store.scenarios as store
from coverage.places import build_places
from coverage.scenario import AddSite
from geo.boundaries import BOUNDARY_VINTAGE, load_districts, load_villages

store_dir, ready = sys.argv[1], Path(sys.argv[2])
places = build_places(load_villages(), load_districts(), vintage=BOUNDARY_VINTAGE)
scn = store.load_scenario("big", store=store_dir)
edits = tuple(AddSite("community_support_site", f"據點 {i}", lon=121.0 + (i % 400) * 0.001,
                      lat=24.7 + (i // 400) * 0.001, district="桃園區") for i in range(4000))
real_write_meta = store._write_meta

def stalled_write_meta(scenario, path, *rest):  # layers are in the temp file, metadata not yet
    ready.write_text(str(path))
    time.sleep(120)
    real_write_meta(scenario, path, *rest)

store._write_meta = stalled_write_meta
store.save_scenario(replace(scn, edits=edits), places=places, store=store_dir)
"""


def test_kill_during_save_keeps_previous_version(sites, store, tmp_path):
    v1 = save_scenario(Scenario("big", sites, _edits(), notes="v1"), places=_places(),
                       store=store)
    path = scenario_path("big", store)
    before = _sha(path)
    ready = tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", _SLOW_SAVER, str(store), str(ready)],
                             cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "child never reached the write"
            time.sleep(0.05)
        temp = Path(ready.read_text())
        assert store in temp.parents and temp.stat().st_size > 0  # it really was mid-write
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert _sha(path) == before
    again = load_scenario("big", store=store)
    assert again == v1 and again.notes == "v1"
    assert_geodataframe_equal(again.baseline, sites)
    assert temp.exists()  # the debris is there ...
    infos = list_scenarios(store=store)  # ... and does not disturb listing
    assert [(i.name, i.version, i.error) for i in infos] == [("big", 1, None)]
    v2 = save_scenario(again.with_edit(CloseSite("fsc-005")), places=_places(),
                       store=store)  # the lock was freed
    assert v2.version == 2 and not temp.exists()
    assert load_scenario("big", store=store).edits == _edits() + (CloseSite("fsc-005"),)


# --- two processes --------------------------------------------------------------------

def _race_worker(store, capacity, barrier, queue):
    try:
        scn = load_scenario("shared", store=store)
        barrier.wait(timeout=60)
        saved = save_scenario(scn.with_edit(SetCapacity("fsc-001", capacity)),
                              places=_places(), store=store)
        queue.put(("ok", capacity, saved.version))
    except ScenarioConflict as exc:
        queue.put(("conflict", capacity, str(exc)))
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put(("error", capacity, repr(exc)))


def _increment_worker(store, site_id, n, queue):
    try:
        done = conflicts = 0
        while done < n:
            scn = load_scenario("counter", store=store)
            try:
                save_scenario(scn.with_edit(SetCapacity(site_id, done)), places=_places(),
                              store=store)
                done += 1
            except ScenarioConflict:
                conflicts += 1
        queue.put(("ok", site_id, conflicts))
    except Exception as exc:
        queue.put(("error", site_id, repr(exc)))


def _run(ctx, target, arglists, queue):
    procs = [ctx.Process(target=target, args=a) for a in arglists]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return results


def test_concurrent_saves_one_wins_other_conflicts(sites, store):
    save_scenario(Scenario("shared", sites, ()), places=_places(), store=store)
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    results = _run(ctx, _race_worker, [(store, 10, barrier, queue), (store, 20, barrier, queue)],
                   queue)
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["conflict", "ok"], results
    winner = next(r for r in results if r[0] == "ok")
    loser = next(r for r in results if r[0] == "conflict")
    assert winner[2] == 2 and "stored version 2" in loser[2] and "version 1" in loser[2]
    final = load_scenario("shared", store=store)
    assert final.version == 2 and final.edits == (SetCapacity("fsc-001", winner[1]),)
    layer = pyogrio.read_dataframe(scenario_path("shared", store), layer="scenario_sites")
    assert list(layer["capacity"]) == [float(winner[1])]


def test_concurrent_read_modify_write_loses_nothing(sites, store):
    save_scenario(Scenario("counter", sites, ()), places=_places(), store=store)
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    n = 4
    results = _run(ctx, _increment_worker, [(store, "fsc-001", n, queue),
                                            (store, "fsc-002", n, queue)], queue)
    assert all(r[0] == "ok" for r in results), results
    final = load_scenario("counter", store=store)
    assert final.version == 1 + 2 * n
    for site in ("fsc-001", "fsc-002"):
        assert [e.capacity for e in final.edits if e.site_id == site] == list(range(n))
    assert [i.error for i in list_scenarios(store=store)] == [None]
    assert not [p for p in store.iterdir() if ".tmp-" in p.name]


# --- CLI ------------------------------------------------------------------------------

def _cli(capsys, *argv):
    from cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_list_show_apply(sites, store, capsys, village_table, raw_population_2025):
    save_scenario(Scenario("情境一", sites, _edits(), author="王"), places=_places(), store=store)
    code, out, _ = _cli(capsys, "scenario", "list", "--store", str(store), "--json")
    assert code == 0
    listed = json.loads(out)["scenarios"]
    assert [(s["name"], s["version"], s["n_edits"]) for s in listed] == [("情境一", 1, 6)]

    code, out, _ = _cli(capsys, "scenario", "show", "情境一", "--store", str(store), "--json")
    assert code == 0 and json.loads(out)["edits"] == edits_to_list(_edits())

    code, out, _ = _cli(capsys, "scenario", "apply", "情境一", "--store", str(store), "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["sites_before"], report["sites_after"]) == (len(sites), len(sites) + 2)
    changes = {c["site_id"]: c for c in report["changes"]}
    assert set(changes) == set(changed_site_ids(_edits()))
    before_status = sites.set_index("site_id").loc["fsc-002", "status"]
    assert changes["fsc-002"]["fields"] == {"status": {"before": before_status,
                                                       "after": "closed"}}
    assert changes["scn-1"]["change"] == "added"
    assert changes["scn-1"]["fields"]["name"]["after"] == "<script>alert(1)</script> & 新站 🏠"
    # family-centre coverage before and after, recomputed here: residents (published file)
    # whose demand point lies within 5 km of an open centre (scipy, pyproj); after the
    # edits fsc-001 stands at (121.30, 25.00), fsc-002 is closed and scn-1 is open where
    # the report says it was placed
    from scipy.spatial.distance import cdist
    villages = village_table[0]
    xy = villages[["demand_x", "demand_y"]].to_numpy(float)
    pop = raw_population_2025["人口"].reindex(villages.index).to_numpy(float)
    to_m = Transformer.from_crs(4326, 3826, always_xy=True)

    def covered(points: dict) -> float:
        sxy = np.column_stack(to_m.transform(*np.array(list(points.values())).T))
        return float(pop[(cdist(xy, sxy) <= 5000).any(axis=1)].sum())

    fsc_sites = sites[(sites["type"] == FSC) & (sites["status"] == "open")]
    base = {i: (g.x, g.y) for i, g in zip(fsc_sites["site_id"], fsc_sites.geometry)}
    after = {k: v for k, v in base.items() if k != "fsc-002"} | {
        "fsc-001": (121.30, 25.00), "scn-1": tuple(changes["scn-1"]["fields"]["lon/lat"]["after"])}
    cov = report["coverage"]
    assert report["coverage_note"] is None and cov[FSC]["radius_m"] == 5000
    fsc = cov[FSC]["covered"]["population"]
    assert fsc["total"] == pop.sum() == 2_355_106
    assert (fsc["before"], fsc["after"]) == (covered(base), covered(after))
    assert fsc["change"] == fsc["after"] - fsc["before"]

    code, out, _ = _cli(capsys, "scenario", "apply", "情境一", "--store", str(store), "--lang",
                        "en")
    assert code == 0 and "fsc-002" in out and "open → closed" in out
    code, out, _ = _cli(capsys, "scenario", "apply", "情境一", "--store", str(store))
    assert code == 0 and "fsc-002" in out and "營運中 → 已關閉" in out


def test_cli_errors_exit_nonzero(sites, store, capsys):
    code, _, err = _cli(capsys, "scenario", "apply", "不存在", "--store", str(store))
    assert code != 0 and "不存在" in err
    save_scenario(Scenario("ok", sites, ()), places=_places(), store=store)
    scenario_path("broken", store).write_bytes(b"not a geopackage")
    code, out, err = _cli(capsys, "scenario", "list", "--store", str(store))
    assert code != 0 and "ok" in out and str(scenario_path("broken", store)) in err
    code, _, err = _cli(capsys, "scenario", "show", "broken", "--store", str(store))
    assert code != 0 and str(scenario_path("broken", store)) in err


def _rewriter(store, n, queue):
    try:
        for k in range(1, n + 1):
            scn = load_scenario("live", store=store)
            base = scn.baseline.copy()
            base["capacity"] = float(k)  # baseline and edits change together
            save_scenario(replace(scn, baseline=base, edits=(SetCapacity("fsc-001", k),)),
                          places=_places(), store=store)
        queue.put(("ok", n))
    except Exception as exc:
        queue.put(("error", repr(exc)))


def test_loads_during_saves_see_one_whole_version(sites, store):
    save_scenario(Scenario("live", sites, ()), places=_places(), store=store)
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    writer = ctx.Process(target=_rewriter, args=(store, 6, queue))
    writer.start()
    seen = set()
    while writer.is_alive() or not seen:
        scn = load_scenario("live", store=store)
        k = len(scn.edits) and scn.edits[0].capacity
        assert (scn.baseline["capacity"].fillna(0) == k).all(), (scn.version, k)
        assert scn.version == k + 1
        seen.add(k)
    writer.join(timeout=30)
    assert queue.get(timeout=5) == ("ok", 6)
    assert load_scenario("live", store=store).version == 7 and len(seen) >= 2
