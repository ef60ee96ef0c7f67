"""Where the store lives and how a user-given name becomes a file name.

The store root is ``$SAFETYNET_HOME``, else the platform's user data directory
(``platformdirs.user_data_dir("safetynet")``: ``$XDG_DATA_HOME/safetynet`` or
``~/.local/share/safetynet`` on Linux). Scenarios live in ``<root>/scenarios``, the site
library in ``<root>/layers``. A name never becomes a path: file names are a slug of the name
plus 16 hex digits of its SHA-256, so ``../../etc/x`` is stored as data inside the store.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

import platformdirs

__all__ = ["ENV_HOME", "MAX_NAME_LENGTH", "home_dir", "layers_dir", "safe_stem", "store_dir",
           "validate_name"]

ENV_HOME = "SAFETYNET_HOME"
MAX_NAME_LENGTH = 200


def home_dir() -> Path:
    """The store root: ``$SAFETYNET_HOME``, else the platform user data directory."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser().resolve()
    return Path(platformdirs.user_data_dir("safetynet", appauthor=False)).expanduser().resolve()


def store_dir(store: str | os.PathLike | None = None) -> Path:
    """The scenario directory: ``store`` itself, else ``<root>/scenarios`` (see
    :func:`home_dir`). Not created until the first write."""
    if store is not None:
        return Path(store).expanduser().resolve()
    return home_dir() / "scenarios"


def layers_dir(store: str | os.PathLike | None = None) -> Path:
    """The site-library directory: ``store`` itself, else ``<root>/layers``."""
    if store is not None:
        return Path(store).expanduser().resolve()
    return home_dir() / "layers"


def validate_name(name: object, *, what: str = "scenario") -> str:
    """The name unchanged, or ``ValueError`` (naming ``what``) when it is not text, empty or
    blank, longer than 200 characters, or contains NUL or other control characters."""
    if not isinstance(name, str):
        raise ValueError(f"{what} name: expected text, got {type(name).__name__}")
    if not name.strip():
        raise ValueError(f"{what} name: expected a non-empty name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"{what} name: {len(name)} characters; expected at most "
                         f"{MAX_NAME_LENGTH}")
    bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        raise ValueError(f"{what} name {name!r}: contains control character(s) "
                         f"{sorted({hex(ord(c)) for c in bad})}")
    return name


def safe_stem(name: str, *, what: str = "scenario", fallback: str = "scenario") -> str:
    """A file-name stem for ``name``: a slug of letters, digits, ``-`` and ``_`` (at most 40
    characters) plus ``-`` and 16 hex digits of SHA-256 of the name. Never starts with a
    dot and never contains a path separator."""
    validate_name(name, what=what)
    slug = "".join(c if c.isalnum() or c in "-_" else "-"
                   for c in unicodedata.normalize("NFKC", name))
    slug = re.sub(r"-{2,}", "-", slug).strip("-_")[:40].strip("-_") or fallback
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]}"
