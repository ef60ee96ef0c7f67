"""Scenario store: one GeoPackage per scenario in a user data directory.

Layout (design): the store directory holds ``<slug>-<hash>.gpkg`` files, one scenario each,
so a corrupted file loses only that scenario. The file name is derived from the scenario
name (letters/digits kept, everything else ``-``, plus 16 hex digits of its SHA-256): a
name never becomes a path, so ``../../etc/x`` is stored as data inside the directory.
Each file is a standard GeoPackage (opens in QGIS / pyogrio) with three layers:

* ``scenarios``       — attribute table, one row: name, author, notes, created, modified
                        (UTC ISO 8601), version, edits (JSON list), format;
* ``baseline_sites``  — the baseline site table, points EPSG:4326;
* ``scenario_sites``  — the sites the edits add or change, after the edits, with a
                        ``changes`` column listing the edit kinds (points EPSG:4326).

Writes are atomic (temp file in the same directory, fsync, ``os.replace``, fsync of the
directory) and serialised by an ``fcntl.flock`` on ``.safetynet-store.lock``; saves carry
optimistic concurrency (``expected_version``). Temp files left by a killed writer are
hidden from listings and removed by the next writer. Unreadable files are reported (with
their path) and never overwritten; :func:`quarantine_corrupt` moves them aside on request.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from coverage.scenario import (AddSite, Scenario, apply_edits, changed_site_ids,
                               edits_from_list, edits_to_list, new_site_id, normalise_sites,
                               utc_now)

ENV_HOME = "SAFETYNET_HOME"
FORMAT = "safetynet-scenario/1"
LOCK_NAME = ".safetynet-store.lock"
META_LAYER, BASELINE_LAYER, SITES_LAYER = "scenarios", "baseline_sites", "scenario_sites"
MAX_NAME_LENGTH = 200
LOCK_TIMEOUT_S = 30.0
_TMP_MARK = ".tmp-"
_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"


class ScenarioError(Exception):
    """Base class of store errors (the CLI reports them and exits non-zero)."""


class ScenarioNotFound(ScenarioError, LookupError):
    """No scenario of that name in the store."""


class ScenarioConflict(ScenarioError):
    """The stored version is not the one the save (or delete) was based on."""


class ScenarioFileError(ScenarioError, ValueError):
    """A file that is not a readable scenario GeoPackage (corrupted, truncated, foreign)."""


class StoreLockTimeout(ScenarioError):
    """Another process held the store lock too long."""


@dataclass(frozen=True)
class ScenarioInfo:
    """One row of :func:`list_scenarios`; ``error`` is set (and the rest may be empty) for
    an unreadable file."""

    path: Path
    name: str | None = None
    author: str = ""
    created: str = ""
    modified: str = ""
    version: int = 0
    n_edits: int = 0
    error: str | None = None


# --- locations and names --------------------------------------------------------------

def store_dir(store: str | os.PathLike | None = None) -> Path:
    """The store directory: ``store``, else ``$SAFETYNET_HOME/scenarios``, else
    ``$XDG_DATA_HOME/safetynet/scenarios``, else ``~/.local/share/safetynet/scenarios``.
    Not created until the first write."""
    if store is not None:
        return Path(store).expanduser().resolve()
    if os.environ.get(ENV_HOME):
        return (Path(os.environ[ENV_HOME]).expanduser() / "scenarios").resolve()
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return (base.expanduser() / "safetynet" / "scenarios").resolve()


def validate_name(name: object) -> str:
    """The scenario name unchanged, or ``ValueError`` when it is not text, empty or blank,
    longer than 200 characters, or contains NUL or other control characters."""
    if not isinstance(name, str):
        raise ValueError(f"scenario name: expected text, got {type(name).__name__}")
    if not name.strip():
        raise ValueError("scenario name: expected a non-empty name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"scenario name: {len(name)} characters; expected at most "
                         f"{MAX_NAME_LENGTH}")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise ValueError(f"scenario name {name!r}: contains control character(s) "
                         f"{sorted({hex(ord(c)) for c in bad})}")
    return name


def file_name(name: str) -> str:
    """The file name of scenario ``name``: a slug of letters, digits, ``-`` and ``_`` (at
    most 40 characters) plus 16 hex digits of SHA-256 of the name, ``.gpkg``."""
    validate_name(name)
    slug = "".join(c if c.isalnum() or c in "-_" else "-"
                   for c in unicodedata.normalize("NFKC", name))
    slug = re.sub(r"-{2,}", "-", slug).strip("-_")[:40].strip("-_") or "scenario"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]}.gpkg"


def scenario_path(name: str, store: str | os.PathLike | None = None) -> Path:
    """Where scenario ``name`` lives; always directly inside the store directory."""
    directory = store_dir(store)
    path = directory / file_name(name)
    if path.parent != directory or path.name.startswith("."):  # defence in depth
        raise ValueError(f"scenario name {name!r}: derived path escapes the store")
    return path


# --- reading --------------------------------------------------------------------------

def _check_gpkg(path: Path) -> None:
    """Raise ScenarioFileError unless ``path`` is an intact GeoPackage with our tables."""
    try:
        uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
        con = sqlite3.connect(uri, uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            check = con.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in con.execute(
                "SELECT table_name FROM gpkg_contents").fetchall()}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if not path.exists():  # deleted meanwhile: not a damaged file
            raise ScenarioNotFound(f"{path}: no such scenario file") from None
        raise _file_error(path, f"not a readable GeoPackage ({exc})") from None
    if app_id != _GPKG_APPLICATION_ID:
        raise _file_error(path, f"not a GeoPackage (application_id {app_id:#x})")
    if check != "ok":
        raise _file_error(path, f"damaged GeoPackage (integrity check: {check})")
    missing = {META_LAYER, BASELINE_LAYER, SITES_LAYER} - tables
    if missing:
        raise _file_error(path, f"GeoPackage without the scenario layer(s) {sorted(missing)}")


def _file_error(path: Path, what: str) -> ScenarioFileError:
    return ScenarioFileError(
        f"{path}: {what}. Other scenarios are not affected; this file is left untouched "
        "(delete it, or move it aside with quarantine_corrupt / `safetynet scenario repair`).")


def _read_meta(path: Path) -> dict:
    _check_gpkg(path)
    try:
        meta = pyogrio.read_dataframe(path, layer=META_LAYER)
    except Exception as exc:  # pyogrio/GDAL errors have no common base class
        raise _file_error(path, f"unreadable '{META_LAYER}' table ({exc})") from None
    if len(meta) != 1:
        raise _file_error(path, f"'{META_LAYER}' table has {len(meta)} rows; expected 1")
    row = meta.iloc[0]
    if row.get("format") != FORMAT:
        raise _file_error(path, f"format {row.get('format')!r}; expected {FORMAT!r}")
    try:
        edits = edits_from_list(json.loads(row["edits"]))
        out = {"name": validate_name(row["name"]), "version": int(row["version"]),
               "edits": edits}
    except (ValueError, TypeError, KeyError) as exc:
        raise _file_error(path, f"bad scenario metadata ({exc})") from None
    for key in ("author", "notes", "created", "modified"):
        value = row.get(key)
        out[key] = "" if value is None or pd.isna(value) else str(value)
    return out


def read_scenario_file(path: str | os.PathLike) -> Scenario:
    """The scenario stored in the GeoPackage ``path`` (a store file or an export).

    Raises ``ScenarioNotFound`` when the file is missing and ``ScenarioFileError`` naming the
    file when it is not an intact scenario GeoPackage.
    """
    path = Path(path)
    for _ in range(10):  # a save may replace the file between our reads: read one version
        try:
            before = _identity(path)
        except FileNotFoundError:
            raise ScenarioNotFound(f"{path}: no such scenario file") from None
        meta = _read_meta(path)
        try:
            baseline = normalise_sites(pyogrio.read_dataframe(path, layer=BASELINE_LAYER))
        except Exception as exc:
            raise _file_error(path, f"unreadable '{BASELINE_LAYER}' layer ({exc})") from None
        if _identity(path) == before:
            break
    else:
        raise ScenarioError(f"{path}: kept changing while being read; try again")
    return Scenario(name=meta["name"], baseline=baseline, edits=meta["edits"],
                    author=meta["author"], notes=meta["notes"], created=meta["created"],
                    modified=meta["modified"], version=meta["version"])


def _identity(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size


def load_scenario(name: str, *, store: str | os.PathLike | None = None) -> Scenario:
    """The stored scenario ``name`` (its ``version`` is what :func:`save_scenario` checks)."""
    path = scenario_path(name, store)
    if not path.is_file():
        raise ScenarioNotFound(f"no scenario named {name!r} in {path.parent}")
    scenario = read_scenario_file(path)
    if scenario.name != name:
        raise _file_error(path, f"holds scenario {scenario.name!r}, not {name!r}")
    return scenario


def list_scenarios(*, store: str | os.PathLike | None = None) -> list[ScenarioInfo]:
    """Every scenario file in the store, sorted by name; unreadable files are listed with
    ``error`` set instead of raising. Temp files of interrupted saves are ignored."""
    directory = store_dir(store)
    if not directory.is_dir():
        return []
    infos = []
    for path in sorted(directory.glob("*.gpkg")):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            m = _read_meta(path)
        except ScenarioNotFound:  # deleted while we listed
            continue
        except ScenarioFileError as exc:
            infos.append(ScenarioInfo(path=path, error=str(exc)))
            continue
        infos.append(ScenarioInfo(path=path, name=m["name"], author=m["author"],
                                  created=m["created"], modified=m["modified"],
                                  version=m["version"], n_edits=len(m["edits"])))
    return sorted(infos, key=lambda i: (i.name is None, i.name or "", str(i.path)))


# --- writing --------------------------------------------------------------------------

@contextmanager
def _locked(directory: Path, *, timeout: float = LOCK_TIMEOUT_S):
    """Exclusive inter-process lock on the store (``flock`` on the lock file; the kernel
    releases it if the holder dies)."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreLockTimeout(f"{directory / LOCK_NAME}: another session has held "
                                           f"the store lock for over {timeout:.0f} s") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def _remove_debris(directory: Path) -> None:
    """Delete temp files of interrupted saves (call with the lock held: then no live writer
    has a temp file)."""
    for path in directory.glob(f".*{_TMP_MARK}*"):
        path.unlink(missing_ok=True)


def _fsync_path(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_path(target: Path, mark: str = _TMP_MARK) -> Path:
    return target.with_name(f".{target.stem}{mark}{os.getpid()}-{os.urandom(4).hex()}.gpkg")


def _changed_sites(scenario: Scenario, result):
    ids = changed_site_ids(scenario.edits)
    kinds: dict[str, list[str]] = {sid: [] for sid in ids}
    for i, edit in enumerate(scenario.edits):
        sid = new_site_id(scenario.edits, i) if isinstance(edit, AddSite) else edit.site_id
        if edit.kind not in kinds[sid]:
            kinds[sid].append(edit.kind)
    changed = result[result["site_id"].isin(ids)].copy()
    changed["changes"] = changed["site_id"].map(lambda s: ",".join(kinds[s])).astype("str")
    return changed


def _write_meta(scenario: Scenario, path: Path) -> None:
    meta = pd.DataFrame([{"name": scenario.name, "author": scenario.author,
                          "notes": scenario.notes, "created": scenario.created,
                          "modified": scenario.modified, "version": int(scenario.version),
                          "edits": json.dumps(edits_to_list(scenario.edits), ensure_ascii=False,
                                              allow_nan=False),
                          "format": FORMAT}])
    pyogrio.write_dataframe(meta, path, layer=META_LAYER, driver="GPKG")


def _write_file(scenario: Scenario, path: Path) -> None:
    """Write the scenario GeoPackage to ``path`` (a fresh file)."""
    baseline = normalise_sites(scenario.baseline)
    result = apply_edits(baseline, scenario.edits)  # validates the edits before writing
    changed = _changed_sites(scenario, result)
    pyogrio.write_dataframe(baseline, path, layer=BASELINE_LAYER, driver="GPKG",
                            geometry_type="Point")
    pyogrio.write_dataframe(changed, path, layer=SITES_LAYER, driver="GPKG",
                            geometry_type="Point")
    _write_meta(scenario, path)


def _write_atomic(scenario: Scenario, target: Path) -> None:
    tmp = _temp_path(target)
    try:
        _write_file(scenario, tmp)
        _check_gpkg(tmp)
        _fsync_path(tmp)
        os.replace(tmp, target)
        _fsync_path(target.parent, directory=True)
    finally:
        for leftover in tmp.parent.glob(tmp.name + "*"):
            leftover.unlink(missing_ok=True)


def _stored_version(path: Path, name: str) -> tuple[int, str] | None:
    """(version, created) of the stored scenario, None when absent; refuses foreign or
    unreadable files (they are never overwritten implicitly)."""
    if not path.exists():
        return None
    meta = _read_meta(path)
    if meta["name"] != name:
        raise _file_error(path, f"holds scenario {meta['name']!r}, not {name!r}")
    return meta["version"], meta["created"]


def save_scenario(scenario: Scenario, *, store: str | os.PathLike | None = None,
                  expected_version: int | None = None) -> Scenario:
    """Save atomically and return the scenario as stored (new ``version``, timestamps).

    ``expected_version`` (default: ``scenario.version``; 0 = a new scenario) must equal the
    stored version, else ``ScenarioConflict``: another session saved in between, the
    scenario was deleted, or the name is taken. Invalid edits raise ``ValueError`` before
    anything is written.
    """
    name = validate_name(scenario.name)
    if not isinstance(scenario.baseline, gpd.GeoDataFrame):
        raise ValueError(f"scenario {name!r}: baseline must be a site table (GeoDataFrame), "
                         f"got {type(scenario.baseline).__name__}")
    path = scenario_path(name, store)
    expected = scenario.version if expected_version is None else int(expected_version)
    with _locked(path.parent):
        _remove_debris(path.parent)
        stored = _stored_version(path, name)
        version, created = stored if stored else (0, "")
        if version != expected:
            raise ScenarioConflict(_conflict_message(name, version, expected))
        now = utc_now()
        saved = replace(scenario, created=created or scenario.created or now, modified=now,
                        version=version + 1, edits=tuple(scenario.edits))
        _write_atomic(saved, path)
    return saved


def _conflict_message(name: str, stored: int, expected: int) -> str:
    if expected == 0:
        return (f"scenario {name!r} already exists (version {stored}); load it to change it, "
                "or choose another name / 情境名稱已存在")
    if stored == 0:
        return (f"scenario {name!r} was deleted by another session since you loaded version "
                f"{expected}; save it under a name again as a new scenario / 情境已被刪除")
    return (f"scenario {name!r} was saved by another session: stored version {stored}, yours "
            f"is based on version {expected}. Reload it and re-apply your edits, or save under "
            "another name / 情境已被其他工作階段修改")


def delete_scenario(name: str, *, store: str | os.PathLike | None = None,
                    expected_version: int | None = None) -> None:
    """Delete scenario ``name``; with ``expected_version``, only if it is still that version."""
    path = scenario_path(name, store)
    with _locked(path.parent):
        if not path.exists():
            raise ScenarioNotFound(f"no scenario named {name!r} in {path.parent}")
        if expected_version is not None:
            stored = _stored_version(path, name)
            if stored[0] != expected_version:
                raise ScenarioConflict(_conflict_message(name, stored[0], expected_version))
        path.unlink()
        _fsync_path(path.parent, directory=True)


def duplicate_scenario(name: str, new_name: str, *, store: str | os.PathLike | None = None,
                       author: str | None = None) -> Scenario:
    """Save a copy of ``name`` as the new scenario ``new_name`` (version 1, new timestamps)."""
    source = load_scenario(name, store=store)
    copy = replace(source, name=validate_name(new_name), version=0, created="", modified="",
                   author=source.author if author is None else author)
    return save_scenario(copy, store=store, expected_version=0)


def export_scenario(name: str, dest: str | os.PathLike, *, store: str | os.PathLike | None = None,
                    overwrite: bool = False) -> Path:
    """Copy scenario ``name`` to the standalone GeoPackage ``dest`` (``.gpkg``), atomically;
    an existing ``dest`` is replaced only with ``overwrite``."""
    dest = Path(dest).expanduser()
    if dest.suffix.lower() != ".gpkg":
        raise ValueError(f"{dest}: export file name must end in .gpkg")
    if dest.exists() and not overwrite:
        raise FileExistsError(f"{dest}: file exists (pass overwrite to replace it)")
    source = scenario_path(name, store)
    if not source.is_file():
        raise ScenarioNotFound(f"no scenario named {name!r} in {source.parent}")
    tmp = _temp_path(dest.resolve(), ".export-")  # not store debris: no lock held
    try:
        shutil.copyfile(source, tmp)
        if read_scenario_file(tmp).name != name:
            raise _file_error(source, f"does not hold scenario {name!r}")
        _fsync_path(tmp)
        os.replace(tmp, dest)
        _fsync_path(dest.resolve().parent, directory=True)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def import_scenario(src: str | os.PathLike, *, store: str | os.PathLike | None = None,
                    name: str | None = None) -> Scenario:
    """Add the scenario in GeoPackage ``src`` to the store, as ``name`` if given (else its
    own name) and version 1; an existing scenario of that name raises ``ScenarioConflict``."""
    scenario = read_scenario_file(src)
    new = replace(scenario, name=validate_name(scenario.name if name is None else name),
                  version=0)
    return save_scenario(new, store=store, expected_version=0)


def quarantine_corrupt(*, store: str | os.PathLike | None = None) -> list[Path]:
    """Move unreadable scenario files aside as ``<file>.corrupt-<UTC timestamp>`` (kept, not
    listed) and return their new paths. Only on explicit request: nothing else calls it."""
    directory = store_dir(store)
    if not directory.is_dir():
        return []
    moved = []
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with _locked(directory):
        for info in list_scenarios(store=directory):
            if info.error is not None:
                target = info.path.with_name(f"{info.path.name}.corrupt-{stamp}")
                os.replace(info.path, target)
                moved.append(target)
        if moved:
            _fsync_path(directory, directory=True)
    return moved


__all__ = ["ENV_HOME", "ScenarioConflict", "ScenarioError", "ScenarioFileError",
           "ScenarioInfo", "ScenarioNotFound", "StoreLockTimeout", "delete_scenario",
           "duplicate_scenario", "export_scenario", "file_name", "import_scenario",
           "list_scenarios", "load_scenario", "quarantine_corrupt", "read_scenario_file",
           "save_scenario", "scenario_path", "store_dir", "validate_name"]
