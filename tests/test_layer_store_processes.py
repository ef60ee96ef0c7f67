"""The site library across processes: an import is there for a new process, a writer killed
mid-import leaves the previous version, and of two imports at once (in-process or two CLI
runs with the same expected version) one wins and the other is told. Helpers:
tests/_layer_store_helpers.py."""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time

import shapely
from geopandas.testing import assert_geodataframe_equal

from _layer_store_helpers import CSS, ENV, _site_csv, _table
from _layer_store_helpers import lib  # noqa: F401  (fixtures)
from geo.paths import PROJECT_ROOT
from store import (LayerConflict, layer_history, layer_path, layer_versions, list_layers,
                   load_layer, save_layer)


# --- other processes ------------------------------------------------------------------

def _cli_process(*argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *argv], cwd=PROJECT_ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120, **kw)


def test_import_is_there_for_a_new_process(lib, tmp_path):
    rows = _site_csv(tmp_path / "小衛星.csv")
    done = _cli_process("layers", "import", str(tmp_path / "小衛星.csv"), "--name", "小衛星",
                        "--type", "小衛星", "--store", str(lib), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["layer"]["version"] == 1
    listed = _cli_process("layers", "list", "--store", str(lib), "--json")  # another process
    assert listed.returncode == 0, listed.stderr
    [layer] = json.loads(listed.stdout)["layers"]
    assert (layer["name"], layer["version"], layer["n_sites"], layer["types"]) == (
        "小衛星", 1, 3, [CSS])
    sites = load_layer("小衛星", store=lib).sites.set_index("name")  # and this one
    assert list(sites.index) == list(rows["名稱"])
    assert sites.loc["甲據點"].geometry.equals(shapely.Point(121.301, 24.991))
    assert list(sites["address"]) == list(rows["地址"])
    assert sites.loc["丙據點"].geometry is None or sites.loc["丙據點"].geometry.is_empty


_BIG_WRITER = r"""
import sys
import geopandas as gpd, numpy as np
from store import save_layer
n = 150_000
rng = np.random.default_rng(1)
sites = gpd.GeoDataFrame(
    {"site_id": np.array([f"big-{i}" for i in range(n)], dtype=object),
     "type": np.array(["community_support_site"] * n, dtype=object),
     "name": np.array([f"大量據點 {i}" for i in range(n)], dtype=object),
     "capacity": rng.random(n)},
    geometry=gpd.points_from_xy(121 + rng.random(n) * 0.4, 24.8 + rng.random(n) * 0.3),
    crs=4326)
print("writing", flush=True)
save_layer("L", sites, expected_version=1, store=sys.argv[1])
print("finished", flush=True)
"""


def test_writer_killed_mid_import_leaves_the_previous_version(lib):
    v1 = save_layer("L", _table(), store=lib)
    before = v1.path.read_bytes()
    folder = layer_path("L", lib)
    child = subprocess.Popen([sys.executable, "-c", _BIG_WRITER, str(lib)], cwd=PROJECT_ROOT,
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline, temp = time.monotonic() + 120, None
        while temp is None:
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the writer never started writing"
            found = [p for p in folder.glob(".*.tmp-*/v000002.gpkg") if p.stat().st_size > 0]
            temp = found[0] if found else None
            time.sleep(0.005)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        out, _ = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL and b"finished" not in out
    assert temp.exists() and not (folder / "v000002.gpkg").exists()  # killed mid-write
    assert v1.path.read_bytes() == before
    assert [(i.name, i.version, i.error) for i in list_layers(store=lib)] == [("L", 1, None)]
    assert_geodataframe_equal(load_layer("L", store=lib).sites, _table())
    v2 = save_layer("L", _table(seed=7), expected_version=1, store=lib)  # the lock was freed
    assert v2.version == 2 and not temp.exists() and not list(folder.glob(".*"))


def _racer(lib, seed, barrier, queue):
    try:
        barrier.wait(timeout=60)
        info = save_layer("L", _table(seed=seed), expected_version=1, store=lib)
        queue.put(("ok", seed, info.version))
    except LayerConflict as exc:
        queue.put(("conflict", seed, str(exc)))
    except Exception as exc:  # reported to the parent, which fails the test
        queue.put(("error", seed, repr(exc)))


def test_two_imports_at_once_one_wins_the_other_is_told(lib):
    save_layer("L", _table(), store=lib)
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(lib, seed, barrier, queue)) for seed in (11, 12)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    winner = next(r for r in results if r[0] == "ok")
    loser = next(r for r in results if r[0] == "conflict")
    assert winner[2] == 2 and "stored version 2, yours is based on version 1" in loser[2]
    assert_geodataframe_equal(load_layer("L", store=lib).sites, _table(seed=winner[1]))
    assert [h.version for h in layer_history("L", store=lib)] == [1, 2]


def test_two_cli_imports_with_the_same_expected_version(lib, tmp_path):
    _site_csv(tmp_path / "a.csv")
    save_layer("L", _table(), store=lib)
    cmd = [sys.executable, "-m", "cli", "layers", "import", str(tmp_path / "a.csv"), "--name",
           "L", "--type", CSS, "--expected-version", "1", "--store", str(lib)]
    procs = [subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outcomes = sorted((p.wait(timeout=120), p.stderr.read()) for p in procs)
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in outcomes] == [0, 1], outcomes
    assert "stored version 2, yours is based on version 1" in outcomes[1][1]
    assert "Traceback" not in outcomes[1][1]
    assert layer_versions(store=lib) == {"L": 2}
