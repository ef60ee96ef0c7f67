"""Atomic file writes and output-path safety.

Every file the tool writes (reports, CLI outputs, stores) goes through :func:`atomic_write`:
the content is written to a temporary file in the target's own directory, flushed and
fsynced, given the permissions a plain ``open()`` would give (0o666 minus the umask), then
moved over the target with ``os.replace`` and the directory fsynced. A failure at any point
leaves an existing target exactly as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["atomic_write", "current_umask", "refuse_overwriting_inputs", "refuse_writing_inside",
           "fsync_directory"]

_TMP_PREFIX = ".tmp-"


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # fallback: set and restore (not thread-safe, rarely reached)
    os.umask(mask)
    return mask


def fsync_directory(directory: str | os.PathLike) -> None:
    """Flush a directory entry change (rename, unlink) to disk; a no-op where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, content: str | bytes | Callable[[Path], None], *,
                 encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``path`` atomically and return the resolved path.

    ``content`` is text (written in ``encoding``, newlines untouched), bytes, or a callable
    ``write(tmp_path)`` that creates the file itself (e.g. openpyxl, pyogrio). The parent
    directory must exist (``FileNotFoundError`` otherwise: a typo must not create folders).
    """
    target = Path(path).expanduser().resolve()
    if not target.parent.is_dir():
        raise FileNotFoundError(f"output directory not found: {target.parent}")
    if target.is_dir():
        raise IsADirectoryError(f"output path is a directory: {target}")
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{target.name}{_TMP_PREFIX}", dir=target.parent))
    try:
        tmp = tmpdir / target.name
        if callable(content):
            content(tmp)
        elif isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            with open(tmp, "w", encoding=encoding, newline="") as fh:
                fh.write(content)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
        fsync_directory(target.parent)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return target


def refuse_overwriting_inputs(out: str | os.PathLike,
                              inputs: list[str | os.PathLike | None]) -> None:
    """Raise ``ValueError`` when the output path is one of the input files (same file on
    disk, via links or relative spellings too): writing it would destroy the input."""
    out_path = Path(out).expanduser()
    for given in inputs:
        if given is None:
            continue
        src = Path(given).expanduser()
        same = False
        if out_path.exists() and src.exists():
            same = os.path.samefile(out_path, src)
        else:
            same = out_path.resolve() == src.resolve()
        if same:
            raise ValueError(f"output {out} is the input file {given}: choose another output "
                             "path (the input would be overwritten)")


def refuse_writing_inside(out: str | os.PathLike,
                          folders: dict[str, str | os.PathLike | None]) -> None:
    """Raise ``ValueError`` when the output path lies inside one of ``folders`` (what each
    holds -> folder; None entries are skipped): the data a command reads and the store of
    site layers and scenarios are never written by an export."""
    out_path = Path(out).expanduser().resolve()
    for what, folder in folders.items():
        if folder is None:
            continue
        root = Path(folder).expanduser().resolve()
        if out_path == root or root in out_path.parents:
            raise ValueError(f"output {out} lies inside {what} {root}: choose a path outside "
                             "it (its files would be overwritten)")
