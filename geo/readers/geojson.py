"""GeoJSON site lists: a FeatureCollection (or one Feature) of Points with properties.

The properties become text columns; a Point's first two coordinates become the
``__x`` / ``__y`` columns (a one-point MultiPoint counts as a Point). A missing geometry
leaves them blank (the row may still be placed by its address); any other geometry type is
named in ``__geometry_type``. The ``crs`` member of the 2008 GeoJSON format is returned as
the declared coordinate system; a ``link`` crs or one without a name is refused.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from geo.quality import InputError
from geo.readers.encoding import decode_text
from geo.readers.table import GEOMETRY_TYPE, GEOMETRY_X, GEOMETRY_Y, RawTable, clean_cell

__all__ = ["read_geojson"]

_EXPECTED = "a GeoJSON FeatureCollection of Point features (UTF-8 JSON)"
_CRS_EXPECTED = ('a named crs such as {"type": "name", "properties": {"name": '
                 '"urn:ogc:def:crs:EPSG::3826"}}, or none (then lon/lat WGS84)')


def _json(path: Path, encoding: str | None) -> tuple[object, str]:
    file = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(file, problem="the file is empty / 檔案是空的", code="empty_file",
                         expected=_EXPECTED)
    text, used = decode_text(data, file=file, encoding=encoding)
    try:
        return json.loads(text.lstrip("\ufeff")), used
    except json.JSONDecodeError as exc:
        raise InputError(file, field="line", value=exc.lineno, code="bad_json",
                         problem=f"not valid JSON ({exc.msg} at line {exc.lineno}, column "
                                 f"{exc.colno})", expected=_EXPECTED) from None
    except RecursionError:
        raise InputError(file, code="bad_json", problem="the JSON is nested too deeply",
                         expected=_EXPECTED) from None


def _declared_crs(doc: dict, file: str) -> str | None:
    crs = doc.get("crs")
    if crs is None:
        return None
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if not isinstance(crs, dict) or crs.get("type") != "name" or not isinstance(name, str):
        raise InputError(file, field="crs", value=json.dumps(crs, ensure_ascii=False)[:120],
                         code="unknown_crs", problem="the crs member cannot be read",
                         expected=_CRS_EXPECTED)
    return name


def _cell(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return clean_cell(value)


def _number_text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (int, float)):
        return repr(float(value)) if math.isfinite(float(value)) else str(value)
    return _cell(value)


def _geometry(geom: object) -> dict:
    if geom is None:
        return {GEOMETRY_X: "", GEOMETRY_Y: "", GEOMETRY_TYPE: "none"}
    if not isinstance(geom, dict):
        return {GEOMETRY_X: "", GEOMETRY_Y: "", GEOMETRY_TYPE: "not a geometry object"}
    gtype, coords = geom.get("type"), geom.get("coordinates")
    if gtype == "MultiPoint" and isinstance(coords, list) and len(coords) == 1:
        gtype, coords = "Point", coords[0]
    if gtype == "Point" and isinstance(coords, list) and len(coords) >= 2:
        return {GEOMETRY_X: _number_text(coords[0]), GEOMETRY_Y: _number_text(coords[1]),
                GEOMETRY_TYPE: "Point"}
    if gtype == "Point":
        return {GEOMETRY_X: "", GEOMETRY_Y: "", GEOMETRY_TYPE: "Point without [x, y]"}
    return {GEOMETRY_X: "", GEOMETRY_Y: "", GEOMETRY_TYPE: str(gtype or "no type")}


def _record(feat: object) -> dict:
    if not isinstance(feat, dict):
        return {GEOMETRY_X: "", GEOMETRY_Y: "", GEOMETRY_TYPE: "not a Feature object"}
    props = feat.get("properties")
    rec = {}
    if isinstance(props, dict):
        for k, v in props.items():
            key = str(k)
            rec["properties." + key if key.startswith("__") else key] = _cell(v)
    rec.update(_geometry(feat.get("geometry")))
    return rec


def read_geojson(path: str | Path, *, encoding: str | None = None) -> RawTable:
    """Read a GeoJSON site list into a :class:`RawTable` (all cells text, plus the
    geometry columns). Raises :class:`InputError` for invalid JSON, a document that is
    not a FeatureCollection / Feature, and an unreadable ``crs`` member."""
    path = Path(path)
    file = str(path)
    doc, used = _json(path, encoding)
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc], "crs": doc.get("crs")}
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise InputError(file, field="type", value=found, code="not_feature_collection",
                         problem="not a GeoJSON FeatureCollection (no 'features' list)",
                         expected=_EXPECTED)
    crs = _declared_crs(doc, file)
    records = [_record(f) for f in feats]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(
        columns=[GEOMETRY_X, GEOMETRY_Y, GEOMETRY_TYPE])
    frame = frame.astype(object).fillna("")
    return RawTable(frame, file, "geojson", encoding=used, header_row=0, crs=crs,
                    crs_source="the GeoJSON crs member" if crs else None)
