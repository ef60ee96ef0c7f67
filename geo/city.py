"""The city profile: the facts about one city that the method must not hard-code.

A profile (``geo/cities/<id>.toml``) holds the city's names, code prefix, coordinate ranges,
place-name aliases, the official count of every service type, and the names of its data
files. :func:`city` returns the active profile (``$SAFETYNET_CITY``, default ``taoyuan``);
:func:`load_city` reads any profile. Nothing else in the code base names a district,
a bounding box or a data file of 桃園市.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["CityProfile", "OfficialCount", "city", "load_city", "CITIES_DIR", "ENV_CITY"]

CITIES_DIR = Path(__file__).with_name("cities")
ENV_CITY = "SAFETYNET_CITY"
DEFAULT_CITY = "taoyuan"


@dataclass(frozen=True)
class OfficialCount:
    """How many sites of a type the city reports, what the figure means, and its history."""

    count: int
    note: str
    history: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CityProfile:
    """One city's facts (see ``geo/cities/taoyuan.toml`` for every field's meaning)."""

    id: str
    name_zh: str
    name_en: str
    county_code: str
    district_count: int
    lonlat_bbox: tuple[float, float, float, float]
    twd97_bbox: tuple[float, float, float, float]
    place_aliases: dict[str, str]
    official_counts: dict[str, OfficialCount]
    files: dict[str, Any]
    committed: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def official_count(self, type_id: str) -> OfficialCount | None:
        """The official count of a service type, or None when the city reports none."""
        return self.official_counts.get(type_id)

    def data_file(self, key: str, data_dir: str | os.PathLike) -> Path:
        """A ``[files]`` entry resolved against ``data_dir``."""
        return Path(data_dir) / self.files[key]


def _bbox(value: Any, where: str) -> tuple[float, float, float, float]:
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(v, (int, float)) for v in value)
            or not (value[0] < value[2] and value[1] < value[3])):
        raise ValueError(f"{where}: expected [min x, min y, max x, max y], got {value!r}")
    return tuple(float(v) for v in value)  # type: ignore[return-value]


def load_city(name_or_path: str | os.PathLike = DEFAULT_CITY) -> CityProfile:
    """Read a city profile by id (a file stem under ``geo/cities``) or path. Errors name the
    file and the key that is wrong."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = CITIES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in CITIES_DIR.glob("*.toml")))
        raise FileNotFoundError(f"city profile not found: {path} (known profiles: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML ({exc})") from None
    for key in ("id", "name_zh", "name_en", "county_code", "district_count", "lonlat_bbox",
                "twd97_bbox"):
        if key not in data:
            raise ValueError(f"{path}: missing key {key!r}")
    counts = {}
    for type_id, entry in data.get("official_counts", {}).items():
        if not isinstance(entry.get("count"), int) or entry["count"] < 0:
            raise ValueError(f"{path}: official_counts.{type_id}.count must be an integer >= 0")
        counts[type_id] = OfficialCount(
            entry["count"], str(entry.get("note", "")),
            {int(y): int(n) for y, n in entry.get("history", {}).items()})
    return CityProfile(
        id=str(data["id"]), name_zh=str(data["name_zh"]), name_en=str(data["name_en"]),
        county_code=str(data["county_code"]), district_count=int(data["district_count"]),
        lonlat_bbox=_bbox(data["lonlat_bbox"], f"{path}: lonlat_bbox"),
        twd97_bbox=_bbox(data["twd97_bbox"], f"{path}: twd97_bbox"),
        place_aliases=dict(data.get("place_aliases", {})), official_counts=counts,
        files=dict(data.get("files", {})), committed=dict(data.get("committed", {})), raw=data)


@lru_cache(maxsize=None)
def _cached(name: str) -> CityProfile:
    return load_city(name)


def city() -> CityProfile:
    """The active city profile: ``$SAFETYNET_CITY`` (an id or a .toml path), else taoyuan."""
    return _cached(os.environ.get(ENV_CITY) or DEFAULT_CITY)
