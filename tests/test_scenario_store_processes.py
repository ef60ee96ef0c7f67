"""The scenario store across processes: a save killed midway keeps the previous version,
two concurrent saves (one wins, the other conflicts), concurrent read-modify-write loses
nothing, and loads during saves always see one whole version. Fixtures:
tests/_scenario_store_fixtures.py."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pyogrio
from geopandas.testing import assert_geodataframe_equal

from _scenario_store_fixtures import _edits, _places, _sha
from _scenario_store_fixtures import sites, store  # noqa: F401  (fixtures)
from coverage.scenario import CloseSite, Scenario, SetCapacity
from store import ScenarioConflict, list_scenarios, load_scenario, save_scenario, scenario_path
from geo.paths import PROJECT_ROOT


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
