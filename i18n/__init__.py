"""The one translation catalogue (zh-TW, the default, and English) and its ``t()``, used by
the app, the CLI and the reports alike.

Strings live in the ``strings_*.py`` modules of this package as ``STRINGS = {key: (zh-TW,
en)}``; they are merged here (a key defined twice with different text is an error at import,
so one key always means one text). Type, district and village names, column labels and
legend classes come from the same catalogue.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

__all__ = ["t", "has", "LANGS", "DEFAULT_LANG", "CATALOGUE", "type_name", "district_name",
           "village_name", "label"]

LANGS = {"zh-TW": "中文", "en": "English"}
DEFAULT_LANG = "zh-TW"


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    origin: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if not info.name.startswith("strings_"):
            continue
        module = importlib.import_module(f"i18n.{info.name}")
        for key, pair in module.STRINGS.items():
            if key in merged and merged[key] != tuple(pair):
                raise ValueError(f"i18n: key {key!r} has two texts ({origin[key]} and "
                                 f"{info.name}): {merged[key]} / {pair}")
            merged[key] = tuple(pair)
            origin[key] = info.name
    return merged


CATALOGUE: dict[str, tuple[str, str]] = _load()


def has(key: str) -> bool:
    """Whether ``key`` is in the catalogue."""
    return key in CATALOGUE


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The string ``key`` in ``lang`` ("zh-TW" or "en"), formatted with ``fmt``.

    Unknown keys raise KeyError (a missing translation is a bug, never shown as a key)."""
    zh, en = CATALOGUE[key]
    text = en if lang == "en" else zh
    return text.format(**fmt) if fmt else text


def label(column: str, lang: str = DEFAULT_LANG) -> str:
    """The display label of a result column (``col.<name>`` in the catalogue), else the
    column name itself (ids and codes are shown as they are)."""
    key = f"col.{column}"
    return t(key, lang) if key in CATALOGUE else column


def type_name(type_id: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a service type."""
    from geo.services import SERVICE_TYPES
    st = SERVICE_TYPES[type_id]
    return st.name_en if lang == "en" else st.name_zh


def district_name(row, lang: str = DEFAULT_LANG) -> str:
    """District name from a row/dict with district / district_en."""
    return row["district_en"] if lang == "en" else row["district"]


def village_name(row, lang: str = DEFAULT_LANG) -> str:
    """Village name from a row/dict with village / village_en."""
    return row["village_en"] if lang == "en" else row["village"]
