"""Scenario store: one GeoPackage per scenario in the user data directory.

Layout: the store directory (:func:`store._paths.store_dir`) holds ``<slug>-<hash>.gpkg``
files, one scenario each, so a corrupted file loses only that scenario; a name never becomes
a path. Each file is a standard GeoPackage (opens in QGIS / pyogrio) with three layers:

* ``scenarios``       — attribute table, one row: name, author, notes, created, modified
                        (UTC ISO 8601), version, edits (JSON list), format, boundary_vintage
                        (the village codes' boundaries), layer_versions (JSON object: site
                        library layer -> version the baseline used), baseline_columns (JSON
                        [[column, dtype], ...]: the baseline reads back with its dtypes);
* ``baseline_sites``  — the baseline site table, points EPSG:4326;
* ``scenario_sites``  — the sites the edits add or change, after the edits, with a
                        ``changes`` column listing the edit kinds (points EPSG:4326).

Writes are atomic (:func:`common.files.atomic_write`) and serialised by the store lock
(:mod:`store._lock`); saves carry optimistic concurrency (``expected_version``). Temp files
left by a killed writer are hidden from listings and removed by the next writer. Unreadable
files are reported (with their path) and never overwritten; :func:`quarantine_corrupt`
moves them aside on request.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

import geopandas as gpd
import pandas as pd
import pyogrio

from common.files import atomic_write, fsync_directory
from coverage.places import Places
from coverage.scenario import (AddSite, Scenario, apply_edits, changed_site_ids,
                               edits_from_list, edits_to_list, new_site_id, normalise_sites,
                               utc_now)
from store._errors import ScenarioConflict, ScenarioError, ScenarioFileError, ScenarioNotFound
from store._gpkg import (check_gpkg, column_dtypes, file_identity, read_layer, read_meta_row,
                         restore_dtypes, text_or_empty, write_gpkg_atomic)
from store._lock import locked, remove_debris
from store._paths import safe_stem, store_dir, validate_name

__all__ = ["FORMAT", "ScenarioInfo", "delete_scenario", "duplicate_scenario",
           "export_scenario", "file_name", "import_scenario", "list_scenarios",
           "load_scenario", "quarantine_corrupt", "read_scenario_file", "save_scenario",
           "scenario_path"]

FORMAT = "safetynet-scenario/1"
META_LAYER, BASELINE_LAYER, SITES_LAYER = "scenarios", "baseline_sites", "scenario_sites"


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


# --- names ----------------------------------------------------------------------------

def file_name(name: str) -> str:
    """The file name of scenario ``name``: :func:`store._paths.safe_stem` plus ``.gpkg``."""
    return safe_stem(name) + ".gpkg"


def scenario_path(name: str, store: str | os.PathLike | None = None) -> Path:
    """Where scenario ``name`` lives; always directly inside the store directory."""
    directory = store_dir(store)
    path = directory / file_name(name)
    if path.parent != directory or path.name.startswith("."):  # defence in depth
        raise ValueError(f"scenario name {name!r}: derived path escapes the store")
    return path


# --- reading --------------------------------------------------------------------------

def _file_error(path: Path, what: str) -> ScenarioFileError:
    return ScenarioFileError(
        f"{path}: {what}. Other scenarios are not affected; this file is left untouched "
        "(delete it, or move it aside with quarantine_corrupt / `safetynet scenario repair`).")


def _missing(path: Path) -> ScenarioNotFound:
    return ScenarioNotFound(f"{path}: no such scenario file")


def _check(path: Path) -> None:
    check_gpkg(path, {META_LAYER, BASELINE_LAYER, SITES_LAYER}, bad=_file_error,
               missing=_missing)


def _layer_versions(text: str) -> dict[str, int]:
    data = json.loads(text) if text else {}
    if not isinstance(data, dict) or not all(isinstance(v, int) for v in data.values()):
        raise ValueError(f"layer_versions: expected an object of versions, got {text!r}")
    return {str(k): int(v) for k, v in data.items()}


def _read_meta(path: Path) -> dict:
    _check(path)
    row = read_meta_row(path, META_LAYER, FORMAT, bad=_file_error)
    try:
        out = {"name": validate_name(row["name"]), "version": int(row["version"]),
               "edits": edits_from_list(json.loads(row["edits"])),
               "layer_versions": _layer_versions(text_or_empty(row.get("layer_versions"))),
               "baseline_columns": json.loads(text_or_empty(row.get("baseline_columns"))
                                              or "null")}
    except (ValueError, TypeError, KeyError) as exc:
        raise _file_error(path, f"bad scenario metadata ({exc})") from None
    for key in ("author", "notes", "created", "modified", "boundary_vintage"):
        out[key] = text_or_empty(row.get(key))
    return out


def _baseline(path: Path, columns: list | None) -> gpd.GeoDataFrame:
    """The baseline layer with its stored dtypes (files without them: the standard ones)."""
    raw = read_layer(path, BASELINE_LAYER, bad=_file_error)
    if columns is None:
        return normalise_sites(raw)
    if sorted(c for c, _ in columns) != sorted(raw.columns):
        raise _file_error(path, f"'{BASELINE_LAYER}' columns {sorted(raw.columns)}; the "
                          f"metadata says {sorted(c for c, _ in columns)}")
    table = restore_dtypes(raw, columns)
    return normalise_sites(table, like=table)


def read_scenario_file(path: str | os.PathLike) -> Scenario:
    """The scenario stored in the GeoPackage ``path`` (a store file or an export).

    Raises ``ScenarioNotFound`` when the file is missing and ``ScenarioFileError`` naming the
    file when it is not an intact scenario GeoPackage.
    """
    path = Path(path)
    for _ in range(10):  # a save may replace the file between our reads: read one version
        try:
            before = file_identity(path)
        except FileNotFoundError:
            raise _missing(path) from None
        meta = _read_meta(path)
        baseline = _baseline(path, meta["baseline_columns"])
        if file_identity(path) == before:
            break
    else:
        raise ScenarioError(f"{path}: kept changing while being read; try again")
    return Scenario(name=meta["name"], baseline=baseline, edits=meta["edits"],
                    author=meta["author"], notes=meta["notes"], created=meta["created"],
                    modified=meta["modified"], version=meta["version"],
                    boundary_vintage=meta["boundary_vintage"],
                    layer_versions=meta["layer_versions"])


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

def _changed_sites(scenario: Scenario, result: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    ids = changed_site_ids(scenario.edits)
    kinds: dict[str, list[str]] = {sid: [] for sid in ids}
    for i, edit in enumerate(scenario.edits):
        sid = new_site_id(scenario.edits, i) if isinstance(edit, AddSite) else edit.site_id
        if edit.kind not in kinds[sid]:
            kinds[sid].append(edit.kind)
    changed = result[result["site_id"].isin(ids)].copy()
    changed["changes"] = changed["site_id"].map(lambda s: ",".join(kinds[s])).astype("str")
    return changed


def _write_meta(scenario: Scenario, path: Path, baseline: gpd.GeoDataFrame) -> None:
    meta = pd.DataFrame([{"name": scenario.name, "author": scenario.author,
                          "notes": scenario.notes, "created": scenario.created,
                          "modified": scenario.modified, "version": int(scenario.version),
                          "edits": json.dumps(edits_to_list(scenario.edits), ensure_ascii=False,
                                              allow_nan=False),
                          "format": FORMAT, "boundary_vintage": scenario.boundary_vintage,
                          "layer_versions": json.dumps(scenario.layer_versions,
                                                       ensure_ascii=False, sort_keys=True),
                          "baseline_columns": json.dumps(column_dtypes(baseline))}])
    pyogrio.write_dataframe(meta, path, layer=META_LAYER, driver="GPKG")


def _writer(scenario: Scenario, places: Places, made_on: str):
    """A ``write(path)`` for :func:`write_gpkg_atomic`; applies the edits first, so invalid
    edits raise ``ValueError`` before any file is created."""
    baseline = normalise_sites(scenario.baseline, like=scenario.baseline)
    changed = _changed_sites(scenario, apply_edits(baseline, scenario.edits, places=places,
                                                   made_on=made_on or None))

    def write(path: Path) -> None:
        pyogrio.write_dataframe(baseline, path, layer=BASELINE_LAYER, driver="GPKG",
                                geometry_type="Point")
        pyogrio.write_dataframe(changed, path, layer=SITES_LAYER, driver="GPKG",
                                geometry_type="Point")
        _write_meta(scenario, path, baseline)
    return write


def _stored_version(path: Path, name: str) -> tuple[int, str] | None:
    """(version, created) of the stored scenario, None when absent; refuses foreign or
    unreadable files (they are never overwritten implicitly)."""
    if not path.exists():
        return None
    meta = _read_meta(path)
    if meta["name"] != name:
        raise _file_error(path, f"holds scenario {meta['name']!r}, not {name!r}")
    return meta["version"], meta["created"]


def save_scenario(scenario: Scenario, *, places: Places,
                  store: str | os.PathLike | None = None, expected_version: int | None = None,
                  layer_versions: Mapping[str, int] | None = None) -> Scenario:
    """Save atomically and return the scenario as stored (new ``version``, timestamps).

    ``places`` (:func:`coverage.places.build_places`) validates the edits and places the
    village edits; its vintage is stored as the scenario's ``boundary_vintage``.
    ``layer_versions`` ({site-library layer: version} the baseline used, see
    :func:`store.layers.layer_versions`) replaces the scenario's own when given.
    ``expected_version`` (default: ``scenario.version``; 0 = a new scenario) must equal the
    stored version, else ``ScenarioConflict``: another session saved in between, the
    scenario was deleted, or the name is taken. Invalid edits raise ``ValueError`` before
    anything is written.
    """
    name = validate_name(scenario.name)
    if not isinstance(scenario.baseline, gpd.GeoDataFrame):
        raise ValueError(f"scenario {name!r}: baseline must be a site table (GeoDataFrame), "
                         f"got {type(scenario.baseline).__name__}")
    versions = dict(scenario.layer_versions if layer_versions is None else layer_versions)
    path = scenario_path(name, store)
    expected = scenario.version if expected_version is None else int(expected_version)
    with locked(path.parent):
        remove_debris(path.parent)
        stored = _stored_version(path, name)
        version, created = stored if stored else (0, "")
        if version != expected:
            raise ScenarioConflict(_conflict_message(name, version, expected))
        now = utc_now()
        saved = replace(scenario, created=created or scenario.created or now, modified=now,
                        version=version + 1, edits=tuple(scenario.edits),
                        boundary_vintage=places.vintage, layer_versions=versions)
        write_gpkg_atomic(path, _writer(saved, places, scenario.boundary_vintage), _check)
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
    with locked(path.parent):
        if not path.exists():
            raise ScenarioNotFound(f"no scenario named {name!r} in {path.parent}")
        if expected_version is not None:
            stored = _stored_version(path, name)
            if stored[0] != expected_version:
                raise ScenarioConflict(_conflict_message(name, stored[0], expected_version))
        path.unlink()
        fsync_directory(path.parent)


def duplicate_scenario(name: str, new_name: str, *, places: Places,
                       store: str | os.PathLike | None = None,
                       author: str | None = None) -> Scenario:
    """Save a copy of ``name`` as the new scenario ``new_name`` (version 1, new timestamps)."""
    source = load_scenario(name, store=store)
    copy = replace(source, name=validate_name(new_name), version=0, created="", modified="",
                   author=source.author if author is None else author)
    return save_scenario(copy, places=places, store=store, expected_version=0)


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

    def copy(tmp: Path) -> None:
        shutil.copyfile(source, tmp)
        if read_scenario_file(tmp).name != name:
            raise _file_error(source, f"does not hold scenario {name!r}")
    atomic_write(dest, copy)
    return dest


def import_scenario(src: str | os.PathLike, *, places: Places,
                    store: str | os.PathLike | None = None, name: str | None = None) -> Scenario:
    """Add the scenario in GeoPackage ``src`` to the store, as ``name`` if given (else its
    own name) and version 1; an existing scenario of that name raises ``ScenarioConflict``."""
    scenario = read_scenario_file(src)
    new = replace(scenario, name=validate_name(scenario.name if name is None else name),
                  version=0)
    return save_scenario(new, places=places, store=store, expected_version=0)


def quarantine_corrupt(*, store: str | os.PathLike | None = None) -> list[Path]:
    """Move unreadable scenario files aside as ``<file>.corrupt-<UTC timestamp>`` (kept, not
    listed) and return their new paths. Only on explicit request: nothing else calls it."""
    directory = store_dir(store)
    if not directory.is_dir():
        return []
    moved = []
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    with locked(directory):
        for info in list_scenarios(store=directory):
            if info.error is not None:
                target = info.path.with_name(f"{info.path.name}.corrupt-{stamp}")
                os.replace(info.path, target)
                moved.append(target)
        if moved:
            fsync_directory(directory)
    return moved
