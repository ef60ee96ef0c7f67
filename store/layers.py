"""Site library: the planner's imported site layers, kept in the user data directory.

Layout: the library directory (:func:`store._paths.layers_dir`: ``--store``, else
``$SAFETYNET_HOME/layers``, else the platform user data dir + ``/layers``) holds one folder
per layer, ``<slug>-<hash>/`` (a name never becomes a path), with one immutable GeoPackage
per version, ``v000001.gpkg``, ``v000002.gpkg``, ... (format: :mod:`store._layer_file`).
The layer's current version is its highest version file; older ones are its history (the
newest :data:`HISTORY_LIMIT` are kept) and :func:`rollback_layer` copies one forward as a
new version.

Every change happens under the library lock (:mod:`store._lock`) and is conflict-aware:
it names the version it is based on (``expected_version``; 0 = a new layer) and raises
:class:`LayerConflict` naming both versions when the stored one differs. A version file is
written atomically (:func:`common.files.atomic_write`: temp folder, fsync, permissions that
follow the umask, rename), so a writer killed mid-import leaves the previous version intact;
its debris is hidden and removed by the next writer. Readers take no lock: version files
never change once written, and a deleted layer is renamed away in one step.
"""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import geopandas as gpd
import pandas as pd

from common.files import fsync_directory
from coverage.scenario import utc_now
from geo.services import resolve_service_type
from store._errors import LayerConflict, LayerError, LayerFileError, LayerNotFound
from store._gpkg import check_gpkg, write_gpkg_atomic
from store._layer_file import (INFO_LAYER, SITES_LAYER, prepare_sites, read_info,
                               read_version_sites, write_version)
from store._lock import TMP_MARK, locked, remove_debris
from store._paths import layers_dir, safe_stem, validate_name

__all__ = ["HISTORY_LIMIT", "Layer", "LayerInfo", "delete_layer", "layer_history",
           "layer_path", "layer_versions", "library_sites", "list_layers", "load_layer",
           "rollback_layer", "save_layer"]

HISTORY_LIMIT = 20
_VERSION_FILE = re.compile(r"^v(\d{6})\.gpkg$")


@dataclass(frozen=True)
class LayerInfo:
    """One version of a layer: what :func:`list_layers` and :func:`layer_history` return.
    ``error`` is set (and the rest may be empty) for an unreadable file."""

    path: Path
    name: str | None = None
    version: int = 0
    types: tuple[str, ...] = ()
    source_file: str = ""
    author: str = ""
    created: str = ""
    modified: str = ""
    n_sites: int = 0
    n_unlocated: int = 0
    based_on: int | None = None
    error: str | None = None

    def to_dict(self) -> dict:
        """JSON-safe fields (path as text, types as a list)."""
        return {**self.__dict__, "path": str(self.path), "types": list(self.types)}


@dataclass(frozen=True)
class Layer:
    """A stored layer version: its :class:`LayerInfo` and its site table (EPSG:4326)."""

    info: LayerInfo
    sites: gpd.GeoDataFrame


# --- locations and reading ------------------------------------------------------------

def layer_path(name: str, store: str | os.PathLike | None = None) -> Path:
    """The folder of layer ``name``; always directly inside the library directory."""
    directory = layers_dir(store)
    path = directory / safe_stem(name, what="layer", fallback="layer")
    if path.parent != directory or path.name.startswith("."):  # defence in depth
        raise ValueError(f"layer name {name!r}: derived path escapes the library")
    return path


def _file_error(path: Path, what: str) -> LayerFileError:
    return LayerFileError(f"{path}: {what}. Other layers and versions are not affected; this "
                          "file is left untouched.")


def _missing(path: Path) -> LayerNotFound:
    return LayerNotFound(f"{path}: no such layer file")


def _versions(folder: Path) -> dict[int, Path]:
    """{version: file} of the version files in a layer folder (empty when absent)."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {int(m[1]): folder / n for n in names if (m := _VERSION_FILE.match(n))}
    return dict(sorted(found.items()))


def _info(path: Path) -> tuple[LayerInfo, dict]:
    check_gpkg(path, {INFO_LAYER, SITES_LAYER}, bad=_file_error, missing=_missing)
    meta = read_info(path, bad=_file_error)
    fields = {k: meta[k] for k in ("name", "version", "types", "source_file", "author",
                                   "created", "modified", "n_sites", "n_unlocated", "based_on")}
    return LayerInfo(path=path, **fields), meta


def _read(name: str, path: Path, *, with_sites: bool) -> Layer | LayerInfo:
    info, meta = _info(path)
    if info.name != name:
        raise _file_error(path, f"holds layer {info.name!r}, not {name!r}")
    if not with_sites:
        return info
    return Layer(info, read_version_sites(path, meta, bad=_file_error))


def _pick(name: str, store, version: int | None) -> Path:
    found = _versions(layer_path(name, store))
    if not found:
        raise LayerNotFound(f"no layer named {name!r} in {layers_dir(store)}")
    if version is None:
        return found[max(found)]
    if version not in found:
        raise LayerNotFound(f"layer {name!r} has no version {version}; kept versions: "
                            + ", ".join(str(v) for v in found))
    return found[version]


def load_layer(name: str, *, version: int | None = None,
               store: str | os.PathLike | None = None) -> Layer:
    """Layer ``name`` at ``version`` (default: its current version): info and site table.

    Raises ``LayerNotFound`` (no such layer or version) and ``LayerFileError`` naming the
    file when it is not an intact layer GeoPackage.
    """
    validate_name(name, what="layer")
    for _ in range(5):  # history pruning may remove the file we picked: pick again
        path = _pick(name, store, version)
        try:
            return _read(name, path, with_sites=True)
        except LayerNotFound:
            continue
    raise LayerError(f"layer {name!r} kept changing while being read; try again")


def layer_history(name: str, *, store: str | os.PathLike | None = None) -> list[LayerInfo]:
    """Every kept version of layer ``name``, oldest first (unreadable ones with ``error``)."""
    validate_name(name, what="layer")
    found = _versions(layer_path(name, store))
    if not found:
        raise LayerNotFound(f"no layer named {name!r} in {layers_dir(store)}")
    out = []
    for path in found.values():
        try:
            out.append(_read(name, path, with_sites=False))
        except LayerNotFound:
            continue
        except LayerFileError as exc:
            out.append(LayerInfo(path=path, name=name, error=str(exc)))
    return out


def list_layers(*, store: str | os.PathLike | None = None) -> list[LayerInfo]:
    """The current version of every layer, sorted by name; a layer whose current file is
    unreadable is listed with ``error`` set instead of raising."""
    directory = layers_dir(store)
    if not directory.is_dir():
        return []
    infos = []
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        found = _versions(folder) if not folder.name.startswith(".") else {}
        if not found:  # not a layer (yet): hidden debris, or a first import in progress
            continue
        path = found[max(found)]
        try:
            infos.append(_info(path)[0])
        except LayerNotFound:  # deleted while we listed
            continue
        except LayerFileError as exc:
            infos.append(LayerInfo(path=path, error=str(exc)))
    return sorted(infos, key=lambda i: (i.name is None, i.name or "", str(i.path)))


def layer_versions(names: Iterable[str] | None = None, *,
                   store: str | os.PathLike | None = None) -> dict[str, int]:
    """{layer name: current version} of the named layers (default: every readable layer):
    what a scenario or report records as the layers it used. Unknown names raise
    ``LayerNotFound``."""
    if names is None:
        return {i.name: i.version for i in list_layers(store=store) if i.error is None}
    out = {}
    for name in names:
        validate_name(name, what="layer")
        out[name] = int(_VERSION_FILE.match(_pick(name, store, None).name)[1])
    return out


def library_sites(names: Iterable[str] | None = None, *,
                  store: str | os.PathLike | None = None
                  ) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """The current rows of the named layers (default: every readable layer) as one site
    table (EPSG:4326) and {layer name: version} of what was read. A ``site_id`` in two
    layers raises ``ValueError`` naming both."""
    wanted = list(layer_versions(store=store)) if names is None else list(names)
    tables, versions, owner = [], {}, {}
    for name in wanted:
        layer = load_layer(name, store=store)
        for sid in layer.sites["site_id"]:
            if sid in owner:
                raise ValueError(f"site_id {sid!r} is in layer {owner[sid]!r} and in layer "
                                 f"{name!r}; expected each site in one layer")
            owner[sid] = name
        tables.append(layer.sites)
        versions[name] = layer.info.version
    if not tables:
        from geo.services import empty_sites
        return empty_sites(), versions
    return gpd.GeoDataFrame(pd.concat(tables, ignore_index=True), geometry="geometry",
                            crs=tables[0].crs), versions


# --- writing --------------------------------------------------------------------------

def _conflict(name: str, stored: int, expected: int) -> LayerConflict:
    if expected == 0:
        return LayerConflict(f"layer {name!r} already exists (version {stored}); replace it "
                             f"(expected version {stored}) or choose another name / 圖層名稱已存在")
    if stored == 0:
        return LayerConflict(f"layer {name!r} no longer exists (yours is based on version "
                             f"{expected}; another session deleted it) / 圖層已被刪除")
    return LayerConflict(f"layer {name!r} was changed by another session: stored version "
                         f"{stored}, yours is based on version {expected}. Reload it and try "
                         "again / 圖層已被其他工作階段修改")


def _write(folder: Path, version: int, sites: gpd.GeoDataFrame, info: dict) -> LayerInfo:
    """Write version ``version`` atomically (lock held), prune old history, return it."""
    folder.mkdir(exist_ok=True)
    remove_debris(folder)
    target = folder / f"v{version:06d}.gpkg"

    def check(path: Path) -> None:
        _info(path)
    write_gpkg_atomic(target, lambda path: write_version(path, sites, info), check)
    found = _versions(folder)
    for old in list(found)[:-HISTORY_LIMIT]:
        found[old].unlink(missing_ok=True)
    fsync_directory(folder)
    return _info(target)[0]


def _based_on(name: str, store, expected_version: int | None) -> tuple[Path, dict[int, Path]]:
    """(folder, versions) after the conflict check; call with the lock held."""
    folder = layer_path(name, store)
    remove_debris(folder.parent)
    found = _versions(folder)
    stored = max(found) if found else 0
    if expected_version is not None and int(expected_version) != stored:
        raise _conflict(name, stored, int(expected_version))
    return folder, found


def _created(found: dict[int, Path]) -> str:
    """The layer's creation time from its current version ('' when unreadable: a damaged
    current file must not block replacing it)."""
    try:
        return _info(found[max(found)])[0].created if found else ""
    except (LayerFileError, LayerNotFound):
        return ""


def save_layer(name: str, sites: gpd.GeoDataFrame, *, expected_version: int = 0,
               types: Iterable[str] | None = None, source_file: str = "", author: str = "",
               store: str | os.PathLike | None = None) -> LayerInfo:
    """Store ``sites`` (every column; rows without geometry are kept as unlocated) as the
    next version of layer ``name`` and return its info.

    ``expected_version``: the current version this import replaces (0 = a new layer); any
    other stored version raises ``LayerConflict`` naming both. ``types``: service types of
    the layer besides those of its rows. Bad tables raise ``ValueError`` before anything is
    written (see :func:`store._layer_file.prepare_sites`).
    """
    validate_name(name, what="layer")
    table = prepare_sites(sites, name=name)
    given = {resolve_service_type(t) for t in (types or ())}
    kinds = tuple(sorted(given | set(table["type"].astype(str))))
    with locked(layers_dir(store)):
        folder, found = _based_on(name, store, expected_version)
        created = _created(found)
        now = utc_now()
        info = {"name": name, "version": max(found, default=0) + 1, "types": kinds,
                "source_file": str(source_file), "author": str(author),
                "created": created or now, "modified": now, "based_on": None}
        return _write(folder, info["version"], table, info)


def rollback_layer(name: str, to_version: int, *, expected_version: int | None = None,
                   author: str = "", store: str | os.PathLike | None = None) -> LayerInfo:
    """Make version ``to_version`` current again: its rows become a new version (history is
    kept; ``based_on`` records ``to_version``). ``expected_version`` as in
    :func:`save_layer` (None: whatever is current)."""
    validate_name(name, what="layer")
    if isinstance(to_version, bool) or not isinstance(to_version, int) or to_version < 1:
        raise ValueError(f"rollback of layer {name!r}: version {to_version!r}; expected a "
                         "whole number >= 1")
    with locked(layers_dir(store)):
        folder, found = _based_on(name, store, expected_version)
        if not found:
            raise LayerNotFound(f"no layer named {name!r} in {layers_dir(store)}")
        old = load_layer(name, version=to_version, store=store)
        info = {**{k: getattr(old.info, k) for k in ("name", "types", "source_file")},
                "author": str(author) or old.info.author,
                "created": _created(found) or old.info.created, "modified": utc_now(),
                "version": max(found) + 1, "based_on": to_version}
        return _write(folder, info["version"], old.sites, info)


def delete_layer(name: str, *, expected_version: int | None = None,
                 store: str | os.PathLike | None = None) -> None:
    """Delete layer ``name`` with its history; with ``expected_version``, only if that is
    still its current version (else ``LayerConflict``)."""
    validate_name(name, what="layer")
    with locked(layers_dir(store)):
        folder, found = _based_on(name, store, None)
        if not found:
            raise LayerNotFound(f"no layer named {name!r} in {layers_dir(store)}")
        if expected_version is not None and int(expected_version) != max(found):
            raise _conflict(name, max(found), int(expected_version))
        gone = folder.with_name(f".{folder.name}{TMP_MARK}deleted-{os.urandom(4).hex()}")
        os.replace(folder, gone)  # one step: readers see the layer or nothing
        fsync_directory(folder.parent)
        shutil.rmtree(gone, ignore_errors=True)
