"""Site library (store/layers.py, store/layer_export.py) and ``safetynet layers``: layers
persist across processes, survive a writer killed mid-import, refuse the loser of two racing
imports, roll back to exactly the earlier rows, export to files that read back the same
(geopandas / pandas / sqlite3 as the independent readers), and follow the umask."""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from coverage.places import build_places
from coverage.scenario import CloseSite, Scenario
from geo.boundaries import BOUNDARY_VINTAGE, load_districts, load_villages
from geo.paths import PROJECT_ROOT
from store import (HISTORY_LIMIT, LayerConflict, LayerFileError, LayerNotFound, delete_layer,
                   export_layer, layer_history, layer_path, layer_versions, library_sites,
                   list_layers, load_layer, load_scenario, rollback_layer, save_layer,
                   save_scenario, scenario_path)

CSS = "community_support_site"
ENV = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def _table(n: int = 6, *, seed: int = 0, prefix: str = "css") -> gpd.GeoDataFrame:
    """A site table with every standard column, two extra ones, one unlocated row with an
    empty point and one with no geometry at all; text missing as NaN (pandas' own)."""
    rng = np.random.default_rng(seed)
    lon, lat = 121.1 + rng.random(n) * 0.3, 24.8 + rng.random(n) * 0.2
    geom = [shapely.Point(x, y) for x, y in zip(lon, lat)]
    geom[1], geom[2] = shapely.Point(), None
    text = lambda values: pd.Series(values, dtype=object)  # noqa: E731
    return gpd.GeoDataFrame({
        "site_id": text([f"{prefix}-{i:03d}" for i in range(n)]),
        "type": text([CSS] * n),
        "name": text([f"據點 <{i}> & 「{seed}」" for i in range(n)]),
        "district": text(["桃園區", np.nan] + ["中壢區"] * (n - 2)),
        "address": text([f"中正路{i}號" if i % 2 else np.nan for i in range(n)]),
        "status": text(["open", "planned"] * (n // 2) + ["open"] * (n % 2)),
        "capacity": rng.integers(0, 50, n).astype("float64"),
        "source": text([f"list.csv#{i + 1}" for i in range(n)]),
        "located_by": text(["coordinates", "", ""] + ["coordinates"] * (n - 3)),
        "precision": text(["exact", "", ""] + ["exact"] * (n - 3)),
        "note": text([f"備註 {i}" for i in range(n)]),
        "opened": np.arange(2000, 2000 + n, dtype="int64"),
    }, geometry=gpd.GeoSeries(geom, crs=4326), crs=4326)


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "layers"


def _places():
    return build_places(load_villages(), load_districts(), vintage=BOUNDARY_VINTAGE)


# --- library operations ---------------------------------------------------------------

def test_save_and_load_keep_every_column_and_unlocated_rows(lib):
    table = _table()
    info = save_layer("小衛星 2026", table, source_file="小衛星.xlsx", author="王", store=lib)
    assert (info.name, info.version, info.types, info.n_sites, info.n_unlocated) == (
        "小衛星 2026", 1, (CSS,), 6, 2)
    assert info.created == info.modified and info.created.endswith("+00:00")
    layer = load_layer("小衛星 2026", store=lib)
    assert layer.info == info
    assert_geodataframe_equal(layer.sites, table)  # values, dtypes, column order
    assert layer.sites.geometry.iloc[1].is_empty and layer.sites.geometry.iloc[2] is None
    # the stored file, read with plain sqlite3: one metadata row, 6 site rows
    with sqlite3.connect(info.path) as con:
        meta = con.execute("SELECT name, version, types, source_file, author, n_unlocated "
                           "FROM layer_info").fetchall()
        n_rows = con.execute("SELECT count(*) FROM sites").fetchone()[0]
    assert meta == [("小衛星 2026", 1, json.dumps([CSS]), "小衛星.xlsx", "王", 2)] and n_rows == 6
    assert [i.name for i in list_layers(store=lib)] == ["小衛星 2026"]


def test_versions_history_and_rollback_restore_exactly_the_earlier_rows(lib):
    first, second = _table(6, seed=1), _table(4, seed=2)
    save_layer("L", first, store=lib)
    v2 = save_layer("L", second, expected_version=1, source_file="new.csv", store=lib)
    assert v2.version == 2
    assert_geodataframe_equal(load_layer("L", store=lib).sites, second)
    assert_geodataframe_equal(load_layer("L", version=1, store=lib).sites, first)
    back = rollback_layer("L", 1, expected_version=2, store=lib)
    assert (back.version, back.based_on, back.n_sites) == (3, 1, 6)
    assert_geodataframe_equal(load_layer("L", store=lib).sites, first)
    history = layer_history("L", store=lib)
    assert [(h.version, h.based_on, h.n_sites) for h in history] == [
        (1, None, 6), (2, None, 4), (3, 1, 6)]
    assert len({h.created for h in history}) == 1  # the layer's creation time travels on
    assert layer_versions(store=lib) == {"L": 3}


def test_conflicts_name_both_versions(lib):
    save_layer("L", _table(), store=lib)
    with pytest.raises(LayerConflict, match=r"'L' already exists \(version 1\)"):
        save_layer("L", _table(seed=3), store=lib)
    save_layer("L", _table(seed=4), expected_version=1, store=lib)
    with pytest.raises(LayerConflict, match="stored version 2, yours is based on version 1"):
        save_layer("L", _table(seed=5), expected_version=1, store=lib)
    with pytest.raises(LayerConflict, match="stored version 2, yours is based on version 1"):
        rollback_layer("L", 1, expected_version=1, store=lib)
    with pytest.raises(LayerConflict, match="stored version 2, yours is based on version 1"):
        delete_layer("L", expected_version=1, store=lib)
    with pytest.raises(LayerNotFound, match="no version 7; kept versions: 1, 2"):
        rollback_layer("L", 7, store=lib)
    delete_layer("L", expected_version=2, store=lib)
    assert list_layers(store=lib) == [] and not [p for p in lib.iterdir() if p.is_dir()]
    with pytest.raises(LayerConflict, match="no longer exists.*version 2"):
        save_layer("L", _table(), expected_version=2, store=lib)
    with pytest.raises(LayerNotFound, match="'L'"):
        load_layer("L", store=lib)
    with pytest.raises(LayerNotFound):
        delete_layer("L", store=lib)
    assert save_layer("L", _table(), store=lib).version == 1  # the name is free again


def _with(table, **changes):
    out = table.copy()
    for col, (row, value) in changes.items():
        out.loc[row, col] = value
    return out


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"site_id": ["a"]}), r"expected a site table \(GeoDataFrame\), got DataFrame"),
    (_table().set_crs(None, allow_override=True), "without a coordinate reference system"),
    (_table().drop(columns="site_id"), "without a 'site_id' column"),
    (_with(_table(), site_id=(3, "css-000")), "site_id 'css-000' appears more than once"),
    (_with(_table(), site_id=(2, " ")), "row 2: blank site_id"),
    (_with(_table(), type=(4, "bogus")), "row 4: type 'bogus'; expected one of"),
    (_with(_table(), geometry=(5, shapely.box(121, 24.9, 121.1, 25))),
     "row 5 \\(site_id 'css-005'\\): geometry Polygon"),
])
def test_bad_tables_are_refused_before_anything_is_written(lib, bad, message):
    with pytest.raises(ValueError, match=message):
        save_layer("L", bad, store=lib)
    assert list_layers(store=lib) == []


def test_names_never_become_paths(lib, tmp_path):
    names = ["../../etc/x", "/etc/passwd", "..", ".hidden", "a/../../b", "名稱/../逃脫"]
    for i, name in enumerate(names):
        save_layer(name, _table(prefix=f"n{i}"), store=lib)
    folders = [p for p in tmp_path.rglob("*") if p.is_dir()]
    assert all(p.parent == lib for p in folders if p != lib), folders
    assert sorted(i.name for i in list_layers(store=lib)) == sorted(names)
    for bad in ["", "  ", "a\x00b", "x" * 201]:
        with pytest.raises(ValueError, match="layer name"):
            save_layer(bad, _table(), store=lib)


def test_history_keeps_the_newest_versions(lib, monkeypatch):
    import store.layers
    assert HISTORY_LIMIT >= 10
    monkeypatch.setattr(store.layers, "HISTORY_LIMIT", 4)  # fewer saves, same rule
    table = _table(3)
    for v in range(6):
        save_layer("L", _with(table, capacity=(0, float(v))), expected_version=v, store=lib)
    kept = [h.version for h in layer_history("L", store=lib)]
    assert kept == [3, 4, 5, 6]
    with pytest.raises(LayerNotFound, match="no version 2"):
        rollback_layer("L", 2, store=lib)
    assert load_layer("L", version=3, store=lib).sites.at[0, "capacity"] == 2.0


def test_damaged_current_version_is_reported_and_repairable(lib):
    save_layer("L", _table(seed=1), store=lib)
    v2 = save_layer("L", _table(seed=2), expected_version=1, store=lib)
    v2.path.write_bytes(v2.path.read_bytes()[:2000])
    with pytest.raises(LayerFileError, match=str(v2.path)):
        load_layer("L", store=lib)
    [info] = list_layers(store=lib)
    assert info.error and str(v2.path) in info.error
    assert_geodataframe_equal(load_layer("L", version=1, store=lib).sites, _table(seed=1))
    assert rollback_layer("L", 1, expected_version=2, store=lib).version == 3


def test_layer_versions_are_recorded_in_a_scenario(lib, tmp_path):
    save_layer("甲", _table(prefix="a"), store=lib)
    save_layer("乙", _table(prefix="b"), store=lib)
    save_layer("乙", _table(prefix="b", seed=9), expected_version=1, store=lib)
    assert layer_versions(store=lib) == {"甲": 1, "乙": 2}
    assert layer_versions(["乙"], store=lib) == {"乙": 2}
    with pytest.raises(LayerNotFound, match="丙"):
        layer_versions(["丙"], store=lib)
    sites, versions = library_sites(store=lib)
    assert versions == {"甲": 1, "乙": 2} and len(sites) == 12
    assert set(sites["site_id"]) == set(_table(prefix="a")["site_id"]) | set(
        _table(prefix="b")["site_id"])
    located = sites[~(sites.geometry.isna() | sites.geometry.is_empty)]
    scenario = Scenario("用圖層", located, (CloseSite("a-000"),))
    saved = save_scenario(scenario, places=_places(), store=tmp_path / "scn",
                          layer_versions=versions)
    assert load_scenario("用圖層", store=tmp_path / "scn").layer_versions == {"甲": 1, "乙": 2}
    with sqlite3.connect(scenario_path("用圖層", tmp_path / "scn")) as con:
        stored = con.execute("SELECT layer_versions FROM scenarios").fetchone()[0]
    assert json.loads(stored) == {"甲": 1, "乙": 2} and saved.version == 1
    save_layer("丙", _table(prefix="a"), store=lib)
    with pytest.raises(ValueError, match="site_id 'a-000' is in layer"):
        library_sites(store=lib)


# --- export ---------------------------------------------------------------------------

def _located(table):
    return ~(table.geometry.isna() | table.geometry.is_empty)


def test_export_csv_reads_back_with_lon_lat(lib, tmp_path):
    table = _table()
    save_layer("L", table, store=lib)
    out = export_layer("L", tmp_path / "L.csv", store=lib)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # "CSV UTF-8" for spreadsheets
    back = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""], dtype={"opened": "int64"})
    expected = pd.DataFrame(table.drop(columns="geometry")).replace("", np.nan)  # CSV: no ''
    assert list(back.columns) == list(expected.columns) + ["lon", "lat"]
    pd.testing.assert_frame_equal(back[expected.columns], expected, check_dtype=False)
    ok = _located(table).to_numpy()
    np.testing.assert_array_equal(back["lon"].to_numpy()[ok], table.geometry[ok].x.to_numpy())
    np.testing.assert_array_equal(back["lat"].to_numpy()[ok], table.geometry[ok].y.to_numpy())
    assert back.loc[~ok, ["lon", "lat"]].isna().all().all()


def test_export_geojson_and_gpkg_read_back_with_geopandas(lib, tmp_path):
    table = _table()
    save_layer("L", table, store=lib)
    gj = gpd.read_file(export_layer("L", tmp_path / "L.geojson", store=lib))
    assert gj.crs.to_epsg() == 4326 and len(gj) == len(table)
    ok = _located(table)
    assert gj.geometry[ok].geom_equals_exact(table.geometry[ok], tolerance=1e-12).all()
    assert gj.geometry[~ok].isna().all()  # GeoJSON has no empty point: null geometry
    pd.testing.assert_frame_equal(pd.DataFrame(gj.drop(columns="geometry")),
                                  pd.DataFrame(table.drop(columns="geometry")),
                                  check_dtype=False)
    gp = gpd.read_file(export_layer("L", tmp_path / "L.gpkg", store=lib), layer="sites")
    assert_geodataframe_equal(gp, table, check_dtype=False)
    assert gp.geometry.iloc[1].is_empty and gp.geometry.iloc[2] is None


def test_export_refusals(lib, tmp_path):
    info = save_layer("L", _table(), store=lib)
    export_layer("L", tmp_path / "L.csv", store=lib)
    with pytest.raises(FileExistsError, match="L.csv"):
        export_layer("L", tmp_path / "L.csv", store=lib)
    assert export_layer("L", tmp_path / "L.csv", store=lib, overwrite=True).exists()
    with pytest.raises(ValueError, match="'.txt'"):
        export_layer("L", tmp_path / "L.txt", store=lib)
    with pytest.raises(ValueError, match="is the input file"):
        export_layer("L", info.path, store=lib, overwrite=True)
    with pytest.raises(FileNotFoundError, match="no-such-dir"):
        export_layer("L", tmp_path / "no-such-dir" / "L.csv", store=lib)
    with pytest.raises(LayerNotFound):
        export_layer("M", tmp_path / "M.csv", store=lib)


def test_files_follow_the_umask(lib, tmp_path):
    old = os.umask(0o027)
    try:
        info = save_layer("L", _table(), store=lib)
        out = export_layer("L", tmp_path / "L.geojson", store=lib)
        save_scenario(Scenario("S", _table().iloc[[0, 3]], ()), places=_places(),
                      store=tmp_path / "scn")
        os.umask(0o002)
        v2 = save_layer("L", _table(seed=1), expected_version=1, store=lib)
    finally:
        os.umask(old)
    mode = lambda p: p.stat().st_mode & 0o777  # noqa: E731
    assert mode(info.path) == mode(out) == 0o640
    assert mode(scenario_path("S", tmp_path / "scn")) == 0o640
    assert mode(layer_path("L", lib)) == 0o750 and mode(lib / ".safetynet-store.lock") == 0o640
    assert mode(v2.path) == 0o664


# --- other processes ------------------------------------------------------------------

def _cli_process(*argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *argv], cwd=PROJECT_ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120, **kw)


def _site_csv(path: Path) -> pd.DataFrame:
    rows = pd.DataFrame({"名稱": ["甲據點", "乙據點", "丙據點"],
                         "經度": [121.301, 121.222, None], "緯度": [24.991, 24.953, None],
                         "地址": ["桃園區中正路1號", "中壢區中央西路2號", "平鎮區中豐路3號"],
                         "容量": [20, None, 5]})
    rows.to_csv(path, index=False, encoding="utf-8")
    return rows


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


# --- CLI messages and exit codes ------------------------------------------------------

def _cli(capsys, *argv):
    from cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_round_trip_and_exit_codes(lib, tmp_path, capsys):
    _site_csv(tmp_path / "a.csv")
    store = ("--store", str(lib))
    code, out, err = _cli(capsys, "layers", "import", str(tmp_path / "a.csv"), "--name", "L",
                          "--type", CSS, "--lang", "en", *store)
    assert code == 0 and "version 1: 3 sites (1 unlocated" in out, err
    code, _, err = _cli(capsys, "layers", "import", str(tmp_path / "a.csv"), "--name", "L",
                        "--type", CSS, *store)
    assert code == 1 and "already exists (version 1)" in err
    code, _, err = _cli(capsys, "layers", "import", str(tmp_path / "a.csv"), "--name", "L",
                        "--type", CSS, "--replace", *store)
    assert code == 0, err
    code, out, _ = _cli(capsys, "layers", "rollback", "L", "--to", "1", *store)
    assert code == 0 and "L：第 3 版 = 第 1 版的內容" in out  # zh-TW, the default
    code, out, _ = _cli(capsys, "layers", "show", "L", "--json", *store)
    shown = json.loads(out)
    assert code == 0 and [h["version"] for h in shown["history"]] == [1, 2, 3]
    assert shown["layer"]["based_on"] == 1
    code, _, err = _cli(capsys, "layers", "export", "L", "--out", str(tmp_path / "L.gpkg"),
                        *store)
    assert code == 0 and len(gpd.read_file(tmp_path / "L.gpkg", layer="sites")) == 3, err
    code, _, err = _cli(capsys, "layers", "export", "L", "--out", str(tmp_path / "L.gpkg"),
                        *store)
    assert code == 1 and "file exists" in err
    code, _, err = _cli(capsys, "layers", "rollback", "L", "--to", "9", *store)
    assert code == 1 and "no version 9; kept versions: 1, 2, 3" in err
    code, _, err = _cli(capsys, "layers", "delete", "L", "--expected-version", "2", *store)
    assert code == 1 and "stored version 3, yours is based on version 2" in err
    code, out, _ = _cli(capsys, "layers", "delete", "L", "--expected-version", "3", *store)
    assert code == 0 and list_layers(store=lib) == []
    code, _, err = _cli(capsys, "layers", "show", "L", *store)
    assert code == 1 and "no layer named 'L'" in err


def test_cli_bad_input_exits_2_with_a_message(lib, tmp_path, capsys):
    store = ("--store", str(lib))
    code, _, err = _cli(capsys, "layers", "import", str(tmp_path / "missing.csv"), "--name",
                        "L", *store)
    assert code == 2 and "missing.csv" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("名稱,類型,經度,緯度\nx,bogus,121.2,24.9\n", encoding="utf-8")
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "L", "--lang", "en",
                        *store)
    assert code == 2 and "no site could be read" in err and "row 1" in err
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "L", *store)
    assert code == 2 and "讀不到任何據點（1 列被拒絕），未儲存" in err and "第 1 列" in err
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "L", "--type", "x",
                        *store)
    assert code == 2 and "'x'" in err
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "", "--type", CSS,
                        *store)
    assert code == 2
    code, _, err = _cli(capsys, "layers", "export", "L", "--out", str(tmp_path / "L.txt"),
                        *store)
    assert code == 2 and "'.txt'" in err
    assert list_layers(store=lib) == [] and "Traceback" not in err
