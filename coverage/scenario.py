"""What-if scenarios: a baseline site table plus an ordered list of edits.

Edits are small frozen dataclasses with a ``kind`` field (``add``, ``move``, ``close``,
``capacity``, ``status``); ``edit_to_dict`` / ``edit_from_dict`` make them JSON-safe.
``apply_edits`` is pure: it returns a new site table (EPSG:4326) and never mutates its input.
Coordinates are lon/lat in EPSG:4326; the geography (village points, districts, bounding
box) arrives as an argument, :class:`coverage.places.Places`. User text (names, notes) is
kept verbatim: escaping happens at display time.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from typing import Union

import geopandas as gpd
import pandas as pd
import shapely

from coverage.places import Places, build_places, dataset_places, district_at, village_point
from geo import MAP_CRS
from geo.services import SERVICE_TYPES, SITE_COLUMNS, STATUSES, empty_sites, service_type

NEW_ID_PREFIX = "scn-"

__all__ = ["AddSite", "CloseSite", "EDIT_KINDS", "Edit", "EditHistory", "MoveSite",
           "NEW_ID_PREFIX", "Places", "Scenario", "SetCapacity", "SetStatus", "apply_edits",
           "build_places", "changed_site_ids", "dataset_places", "district_at", "edit_from_dict",
           "edit_to_dict", "edits_from_list", "edits_to_list", "new_site_id", "normalise_sites",
           "utc_now", "village_point"]


# --- edits ----------------------------------------------------------------------------

class _EditDict:
    """``to_dict`` / ``from_dict`` for the edit dataclasses (see :func:`edit_to_dict`)."""

    def to_dict(self) -> dict:
        return edit_to_dict(self)

    @staticmethod
    def from_dict(data: dict) -> "Edit":
        return edit_from_dict(data)


@dataclass(frozen=True)
class AddSite(_EditDict):
    """A new site at ``lon``/``lat`` (EPSG:4326) or, when those are None, at the point of
    village ``village`` (VILLCODE; its demand point, see :func:`build_places`, in the
    boundary vintage of the scenario). ``site_id`` None means
    ``scn-<edit index + 1>``; ``district`` None means the district containing the point."""

    type: str
    name: str
    lon: float | None = None
    lat: float | None = None
    village: str | None = None
    status: str = "planned"
    capacity: float | None = None
    district: str | None = None
    address: str | None = None
    site_id: str | None = None
    kind: str = field(default="add", init=False)


@dataclass(frozen=True)
class MoveSite(_EditDict):
    """Move an existing site to ``lon``/``lat`` (EPSG:4326)."""

    site_id: str
    lon: float
    lat: float
    kind: str = field(default="move", init=False)


@dataclass(frozen=True)
class CloseSite(_EditDict):
    """Close an existing site (status ``closed``; the row is kept)."""

    site_id: str
    kind: str = field(default="close", init=False)


@dataclass(frozen=True)
class SetCapacity(_EditDict):
    """Set a site's capacity (clients, >= 0; None = unknown)."""

    site_id: str
    capacity: float | None
    kind: str = field(default="capacity", init=False)


@dataclass(frozen=True)
class SetStatus(_EditDict):
    """Set a site's status (open / planned / closed)."""

    site_id: str
    status: str
    kind: str = field(default="status", init=False)


Edit = Union[AddSite, MoveSite, CloseSite, SetCapacity, SetStatus]
EDIT_KINDS: dict[str, type] = {"add": AddSite, "move": MoveSite, "close": CloseSite,
                               "capacity": SetCapacity, "status": SetStatus}


def edit_to_dict(edit: Edit) -> dict:
    """A JSON-serialisable dict with the ``kind`` first."""
    d = asdict(edit)
    return {"kind": d.pop("kind"), **d}


def edit_from_dict(data: dict, *, index: int | None = None) -> Edit:
    """The edit described by ``data`` (as written by :func:`edit_to_dict`).

    Unknown kinds, missing or unexpected fields raise ``ValueError`` naming the edit index.
    """
    where = f"edit {index}" if index is not None else "edit"
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    kind = data.get("kind")
    cls = EDIT_KINDS.get(kind)
    if cls is None:
        raise ValueError(f"{where}: field 'kind' = {kind!r}; expected one of {list(EDIT_KINDS)}")
    names = {f.name for f in fields(cls) if f.init}
    extra = set(data) - names - {"kind"}
    if extra:
        raise ValueError(f"{where} ({kind}): unexpected field(s) {sorted(extra)}; "
                         f"expected {sorted(names)}")
    try:
        return cls(**{k: v for k, v in data.items() if k != "kind"})
    except TypeError as exc:
        raise ValueError(f"{where} ({kind}): {exc}") from None


def edits_to_list(edits) -> list[dict]:
    return [edit_to_dict(e) for e in edits]


def edits_from_list(items) -> tuple[Edit, ...]:
    if not isinstance(items, list):
        raise ValueError(f"edits: expected a list, got {type(items).__name__}")
    return tuple(edit_from_dict(d, index=i) for i, d in enumerate(items))


def new_site_id(edits, index: int) -> str:
    """The id of the site added by ``edits[index]``: its own ``site_id`` or ``scn-<index+1>``."""
    return edits[index].site_id or f"{NEW_ID_PREFIX}{index + 1}"


def changed_site_ids(edits) -> tuple[str, ...]:
    """Ids of the sites the edits add or change, in order of first appearance, no repeats."""
    seen: dict[str, None] = {}
    for i, e in enumerate(edits):
        seen.setdefault(new_site_id(edits, i) if isinstance(e, AddSite) else e.site_id, None)
    return tuple(seen)


# --- applying edits -------------------------------------------------------------------

def _fail(i: int, edit: Edit, fld: str, value, expected: str):
    raise ValueError(f"edit {i} ({edit.kind}): field {fld!r} = {value!r}; expected {expected}")


def _check_site(i: int, edit: Edit, rows: dict) -> dict:
    if not isinstance(edit.site_id, str) or edit.site_id not in rows:
        _fail(i, edit, "site_id", edit.site_id, "the id of a site in the table")
    return rows[edit.site_id]


def _check_lonlat(i: int, edit: Edit, lon, lat, places: Places) -> tuple[float, float]:
    x0, y0, x1, y1 = places.bbox
    for fld, v, lo, hi in (("lon", lon, x0, x1), ("lat", lat, y0, y1)):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        if not ok or not lo <= v <= hi:
            _fail(i, edit, fld, v, f"a number within the districts' bounding box "
                  f"[{lo:.4f}, {hi:.4f}]")
    return float(lon), float(lat)


def _check_capacity(i: int, edit: Edit, cap) -> float:
    if cap is None:
        return float("nan")
    ok = isinstance(cap, (int, float)) and not isinstance(cap, bool) and math.isfinite(cap)
    if not ok or cap < 0:
        _fail(i, edit, "capacity", cap, "a finite number >= 0, or null (unknown)")
    return float(cap)


def _check_status(i: int, edit: Edit, status) -> str:
    if status not in STATUSES:
        _fail(i, edit, "status", status, f"one of {list(STATUSES)}")
    return status


def _check_text(i: int, edit: Edit, fld: str, value, *, required: bool) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()) or "\x00" in value:
        _fail(i, edit, fld, value, "a non-empty text without NUL" if required
              else "a text without NUL, or null")


def _village_lonlat(i: int, edit: AddSite, places: Places, made_on: str | None):
    if edit.village is None:
        _fail(i, edit, "lon", None, "lon/lat, or a village code")
    if not isinstance(edit.village, str) or edit.village not in places.villages.index:
        made = (f"; the scenario was made on {made_on!r}" if made_on and made_on != places.vintage
                else "")
        _fail(i, edit, "village", edit.village,
              f"a VILLCODE of the boundaries {places.vintage!r}{made}")
    return village_point(places, edit.village)


def _add_row(i: int, edit: AddSite, edits, rows: dict, columns, places: Places,
             made_on: str | None) -> dict:
    try:
        service_type(edit.type)
    except (KeyError, TypeError):
        _fail(i, edit, "type", edit.type, "a service type id: " + ", ".join(SERVICE_TYPES))
    _check_text(i, edit, "name", edit.name, required=True)
    for fld in ("district", "address", "village", "site_id"):
        _check_text(i, edit, fld, getattr(edit, fld), required=False)
    if edit.site_id is not None:
        _check_text(i, edit, "site_id", edit.site_id, required=True)
    lon, lat = edit.lon, edit.lat
    at_village = lon is None and lat is None
    if at_village:
        lon, lat = _village_lonlat(i, edit, places, made_on)
    lon, lat = _check_lonlat(i, edit, lon, lat, places)
    sid = new_site_id(edits, i)
    if sid in rows:
        _fail(i, edit, "site_id", sid, "an id not already in the site table")
    row = dict.fromkeys(columns)
    row.update({"site_id": sid, "type": edit.type, "name": edit.name,
                "district": (edit.district if edit.district is not None
                             else district_at(places, lon, lat)),
                "address": edit.address, "status": _check_status(i, edit, edit.status),
                "capacity": _check_capacity(i, edit, edit.capacity),
                "source": f"scenario edit {i}", "geometry": shapely.Point(lon, lat)})
    if "located_by" in row:  # how the planner placed it: at a village's point, or by hand
        row["located_by"] = "village" if at_village else "hand"
        row["precision"] = "village" if at_village else "exact"
    return row


def apply_edits(sites: gpd.GeoDataFrame, edits, *, places: Places,
                made_on: str | None = None) -> gpd.GeoDataFrame:
    """A new site table (EPSG:4326, RangeIndex, same columns) with ``edits`` applied in order.

    ``places`` (:func:`build_places`) gives the village points, districts and bounding box;
    ``made_on``: the boundary vintage the edits were made on (named in the error when a
    village code is unknown in ``places``). Raises ``ValueError`` naming the edit index and
    field for an unknown site id, unknown service type or village code, coordinates outside
    the districts' bounding box, a bad status or capacity.
    """
    if sites.crs is not None and not sites.crs.equals(MAP_CRS):
        sites = sites.to_crs(MAP_CRS)
    columns = list(sites.columns)
    rows = {r["site_id"]: dict(r) for r in sites.to_dict("records")}
    if len(rows) != len(sites):
        raise ValueError("site table: duplicate site_id values")
    edits = tuple(edits)
    for i, edit in enumerate(edits):
        if isinstance(edit, AddSite):
            row = _add_row(i, edit, edits, rows, columns, places, made_on)
            rows[row["site_id"]] = row
            continue
        if not isinstance(edit, (MoveSite, CloseSite, SetCapacity, SetStatus)):
            raise ValueError(f"edit {i}: not an edit object: {edit!r}")
        row = _check_site(i, edit, rows)
        if isinstance(edit, MoveSite):
            lon, lat = _check_lonlat(i, edit, edit.lon, edit.lat, places)
            row["geometry"] = shapely.Point(lon, lat)
            if "located_by" in row:
                row["located_by"], row["precision"] = "hand", "exact"
        elif isinstance(edit, CloseSite):
            row["status"] = "closed"
        elif isinstance(edit, SetCapacity):
            row["capacity"] = _check_capacity(i, edit, edit.capacity)
        else:
            row["status"] = _check_status(i, edit, edit.status)
    return normalise_sites(gpd.GeoDataFrame(list(rows.values()), columns=columns,
                                            geometry="geometry", crs=MAP_CRS), like=sites)


def normalise_sites(sites: gpd.GeoDataFrame, *, like: gpd.GeoDataFrame | None = None
                    ) -> gpd.GeoDataFrame:
    """Site table with the standard column order (geo.services.SITE_COLUMNS, then extra
    columns) and a RangeIndex, EPSG:4326; capacity float64. Columns of ``like`` (default:
    :func:`geo.services.empty_sites`) take its dtypes, the other standard columns are text
    (``object``)."""
    like = empty_sites() if like is None else like
    order = SITE_COLUMNS + [c for c in sites.columns if c not in SITE_COLUMNS]
    out = pd.DataFrame(sites.reindex(columns=order).reset_index(drop=True))
    for col in order:
        if col == "geometry" or (col not in like.columns and col not in SITE_COLUMNS):
            continue
        dtype = like[col].dtype if col in like.columns else object
        if col == "capacity":
            out[col] = pd.to_numeric(out[col]).astype("float64")
        else:
            out[col] = out[col].astype(dtype)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=MAP_CRS)


# --- scenarios and history ------------------------------------------------------------

def utc_now() -> str:
    """Current time, UTC, ISO 8601 (seconds), e.g. 2026-11-24T08:12:00+00:00."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Scenario:
    """A named scenario: ``baseline`` site table (EPSG:4326) plus ``edits``.

    ``version`` is the stored version it was loaded at (0 = never saved); ``created`` and
    ``modified`` are UTC ISO 8601 timestamps set by the store; ``boundary_vintage`` is the
    boundary vintage its village codes belong to (set by the store when saving);
    ``layer_versions`` maps each site-library layer the baseline uses to its version.
    """

    name: str
    baseline: gpd.GeoDataFrame = field(compare=False, repr=False)
    edits: tuple = ()
    author: str = ""
    notes: str = ""
    created: str = ""
    modified: str = ""
    version: int = 0
    boundary_vintage: str = ""
    layer_versions: dict = field(default_factory=dict, hash=False)

    def sites(self, places: Places) -> gpd.GeoDataFrame:
        """The site table after the edits (:func:`apply_edits` with ``places``)."""
        return apply_edits(self.baseline, self.edits, places=places,
                           made_on=self.boundary_vintage or None)

    def with_edit(self, edit: Edit) -> "Scenario":
        return replace(self, edits=tuple(self.edits) + (edit,))

    def metadata(self) -> dict:
        """JSON-serialisable metadata and edits (everything but the baseline)."""
        return {"name": self.name, "author": self.author, "notes": self.notes,
                "created": self.created, "modified": self.modified, "version": self.version,
                "boundary_vintage": self.boundary_vintage,
                "layer_versions": dict(self.layer_versions), "edits": edits_to_list(self.edits)}

    to_dict = metadata

    @classmethod
    def from_dict(cls, data: dict, baseline: gpd.GeoDataFrame) -> "Scenario":
        """The scenario described by ``data`` (as from :meth:`to_dict`) on ``baseline``."""
        return cls(name=data["name"], baseline=baseline,
                   edits=edits_from_list(data.get("edits", [])),
                   author=data.get("author", ""), notes=data.get("notes", ""),
                   created=data.get("created", ""), modified=data.get("modified", ""),
                   version=int(data.get("version", 0)),
                   boundary_vintage=data.get("boundary_vintage", ""),
                   layer_versions=dict(data.get("layer_versions") or {}))


@dataclass(frozen=True)
class EditHistory:
    """Undo/redo over an edit list: ``edits[:cursor]`` are active, the rest can be redone.
    Every operation returns a new history."""

    edits: tuple = ()
    cursor: int = 0

    @classmethod
    def of(cls, edits) -> "EditHistory":
        edits = tuple(edits)
        return cls(edits, len(edits))

    @property
    def active(self) -> tuple:
        return self.edits[:self.cursor]

    @property
    def can_undo(self) -> bool:
        return self.cursor > 0

    @property
    def can_redo(self) -> bool:
        return self.cursor < len(self.edits)

    def push(self, edit: Edit) -> "EditHistory":
        """Append an edit after the cursor, dropping anything that could have been redone."""
        return EditHistory(self.active + (edit,), self.cursor + 1)

    def undo(self) -> "EditHistory":
        return replace(self, cursor=max(self.cursor - 1, 0))

    def redo(self) -> "EditHistory":
        return replace(self, cursor=min(self.cursor + 1, len(self.edits)))
