"""The store's inter-process lock and the clean-up of interrupted writes.

Writers hold an exclusive ``fcntl.flock`` on ``<directory>/.safetynet-store.lock`` (the
kernel releases it when the holder dies, even by SIGKILL). Temporary files and folders of
interrupted writes are hidden (``.<name>.tmp-*``, see :func:`common.files.atomic_write`) and
removed by the next writer, under the lock, when no live writer can own them.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from store._errors import StoreLockTimeout

__all__ = ["LOCK_NAME", "LOCK_TIMEOUT_S", "TMP_MARK", "locked", "remove_debris"]

LOCK_NAME = ".safetynet-store.lock"
LOCK_TIMEOUT_S = 30.0
TMP_MARK = ".tmp-"


@contextmanager
def locked(directory: Path, *, timeout: float = LOCK_TIMEOUT_S):
    """Hold the exclusive lock of ``directory`` (created if missing) for the ``with`` body;
    ``StoreLockTimeout`` after ``timeout`` seconds of waiting."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)  # umask applies
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


def remove_debris(directory: Path) -> None:
    """Delete temporary files and folders of interrupted writes in ``directory`` (call with
    the lock held: then no live writer owns them)."""
    if not directory.is_dir():
        return
    for path in directory.glob(f".*{TMP_MARK}*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
