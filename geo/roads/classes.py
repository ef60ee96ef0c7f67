"""Road classes and speeds from ``geo/roads/road_classes.toml`` (planning assumptions).

Speeds reach the graph only through osmnx: :func:`add_speeds` calls
``osmnx.add_edge_speeds(hwy_speeds=...)`` and ``osmnx.add_edge_travel_times``; edges carry
their class key in the ``highway`` attribute (an OSM class, or ``"us2=4 use_=6"`` for the
NLSC map) so osmnx can look the speed up.
"""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx

__all__ = ["CLASSES_FILE", "RoadClasses", "LineSchema", "road_classes", "nlsc_class_key",
           "nlsc_speeds", "osm_speeds", "add_speeds"]

CLASSES_FILE = Path(__file__).with_name("road_classes.toml")


@dataclass(frozen=True)
class LineSchema:
    """How a line file's attributes map to road classes (``[line_sources.<name>]``)."""

    name: str
    class_fields: tuple[str, ...]
    speeds: str                       # "nlsc" or "osm"
    oneway_field: str | None = None
    oneway_values: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RoadClasses:
    """The parsed config: build options, NLSC and OSM class tables, line-file schemas."""

    path: Path
    sha256: str
    precision_m: float
    clip_margin_m: float
    max_edge_m: float | None
    nlsc_keep: dict[str, int]
    nlsc_us2: dict[int, dict[str, Any]]
    nlsc_use: dict[int, dict[str, Any]]
    osm_highway: dict[str, dict[str, Any]]
    osm_fallback_kph: float
    schemas: dict[str, LineSchema]

    def walk_only(self, schema: str, value: object) -> bool:
        """Whether a class value is for walking only (never in a drive graph)."""
        if schema == "nlsc":
            return bool(self.nlsc_us2.get(int(value), {}).get("walk_only", False))
        return bool(self.osm_highway.get(str(value), {}).get("walk_only", False))


def _speed(entry: dict, where: str, key: str = "kph") -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 200:
        raise ValueError(f"{where}.{key}: expected a speed in km/h (0 < kph <= 200), "
                         f"got {value!r}")
    return float(value)


def _table(data: dict, where: str, *, int_keys: bool) -> dict:
    out = {}
    for key, entry in data.items():
        if not isinstance(entry, dict) or not str(entry.get("why", "")).strip():
            raise ValueError(f"{where}.{key}: every class needs a one-line 'why'")
        if "kph" not in entry and not entry.get("walk_only") and where.endswith("us2"):
            raise ValueError(f"{where}.{key}: needs kph or walk_only = true")
        _speed(entry, f"{where}.{key}")
        _speed(entry, f"{where}.{key}", "max_kph")
        out[int(key) if int_keys else str(key)] = dict(entry)
    return out


def _schemas(data: dict, where: str) -> dict[str, LineSchema]:
    out = {}
    for name, entry in data.items():
        oneway = entry.get("oneway") or {}
        if entry.get("speeds") not in ("nlsc", "osm"):
            raise ValueError(f"{where}.{name}.speeds: expected 'nlsc' or 'osm', "
                             f"got {entry.get('speeds')!r}")
        out[name] = LineSchema(name, tuple(entry["class_fields"]), entry["speeds"],
                               oneway.get("field"),
                               {str(k): int(v) for k, v in oneway.get("values", {}).items()})
    return out


def load_road_classes(path: str | Path = CLASSES_FILE) -> RoadClasses:
    """Read and check a road-class config; errors name the file and the key."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid UTF-8 TOML ({exc})") from None
    try:
        build, nlsc, osm = data["build"], data["nlsc"], data["osm"]
        return RoadClasses(
            path=path, sha256=hashlib.sha256(raw).hexdigest(),
            precision_m=float(build["vertex_precision_m"]),
            clip_margin_m=float(build["clip_margin_m"]),
            max_edge_m=float(build["max_edge_m"]) if build.get("max_edge_m") else None,
            nlsc_keep={str(k): int(v) for k, v in nlsc["keep"].items()},
            nlsc_us2=_table(nlsc["us2"], f"{path}: nlsc.us2", int_keys=True),
            nlsc_use=_table(nlsc["use_"], f"{path}: nlsc.use_", int_keys=True),
            osm_highway=_table(osm["highway"], f"{path}: osm.highway", int_keys=False),
            osm_fallback_kph=float(osm["fallback_kph"]),
            schemas=_schemas(data.get("line_sources", {}), f"{path}: line_sources"))
    except KeyError as exc:
        raise ValueError(f"{path}: missing key {exc}") from None


@lru_cache(maxsize=None)
def road_classes() -> RoadClasses:
    """The project's road-class config (``geo/roads/road_classes.toml``), read once."""
    return load_road_classes(CLASSES_FILE)


def nlsc_class_key(us2: int, use_: int) -> str:
    """The ``highway`` value of an NLSC edge, e.g. ``"us2=4 use_=6"``."""
    return f"us2={int(us2)} use_={int(use_)}"


def nlsc_speeds(classes: RoadClasses | None = None) -> dict[str, float]:
    """km/h per NLSC class key for every drivable (us2, use_) pair: the us2 speed capped by
    the use_ class's max_kph. A use_ code missing from the config raises later, in
    :func:`add_speeds`, naming the class."""
    classes = classes or road_classes()
    out = {}
    for us2, w in classes.nlsc_us2.items():
        if w.get("walk_only"):
            continue
        for use_, a in classes.nlsc_use.items():
            out[nlsc_class_key(us2, use_)] = min(float(w["kph"]), float(a.get("max_kph", 1e9)))
    return out


def osm_speeds(classes: RoadClasses | None = None) -> dict[str, float]:
    """km/h per drivable OSM highway class."""
    classes = classes or road_classes()
    return {k: float(v["kph"]) for k, v in classes.osm_highway.items() if "kph" in v}


def add_speeds(G: nx.MultiDiGraph, table: str, *,
               classes: RoadClasses | None = None) -> nx.MultiDiGraph:
    """``speed_kph`` and ``travel_time`` (seconds) on every edge of ``G`` (in place) with
    osmnx's ``add_edge_speeds`` / ``add_edge_travel_times``; ``table`` is "nlsc" or "osm".

    NLSC edges must all have a class in the config (else ValueError naming the class);
    OSM edges use their ``maxspeed`` tag where parseable, then the class speed, then the
    config's fallback. A graph without edges is returned unchanged.
    """
    import osmnx as ox

    classes = classes or road_classes()
    if G.number_of_edges() == 0:
        return G
    if table == "nlsc":
        speeds, fallback = nlsc_speeds(classes), None
        unknown = {h for *_, h in G.edges(data="highway") if h not in speeds}
        if unknown:
            raise ValueError(f"{classes.path}: no drive speed for NLSC class(es) "
                             f"{', '.join(sorted(map(str, unknown)))}; add the us2/use_ "
                             f"code to [nlsc.us2]/[nlsc.use_]")
    elif table == "osm":
        speeds, fallback = osm_speeds(classes), classes.osm_fallback_kph
    else:
        raise ValueError(f"speed table must be 'nlsc' or 'osm', got {table!r}")
    ox.add_edge_speeds(G, hwy_speeds=speeds, fallback=fallback)
    return ox.add_edge_travel_times(G)
