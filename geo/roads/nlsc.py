"""The NLSC 1:25,000 topographic map's RoadL sheets -> the city-wide drive graph.

Reads the sheets named in the city profile (``[files.roads.nlsc]``) with pyogrio, in the CRS
their ``.prj`` declares (EPSG:4326) and their ``.cpg`` encoding (UTF-8); keeps roads in use
(``[nlsc].keep`` of the road-class config: FCsubtype 0, exs 1); drops walking-only classes
(us2 7 trail, 8 fair-weather road) from the drive graph; keeps lines within
``clip_margin_m`` of the city outline; then :func:`geo.roads.graph.graph_from_lines` joins
them at shared vertices (0.1 m in EPSG:3826), contracts degree-2 chains and keeps the main
connected piece. Freeways (us2 1, use_ 1) join other roads only where they share a vertex
(their interchanges), like every other line.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import METRIC_CRS
from geo.city import city
from geo.roads.classes import RoadClasses, nlsc_class_key, road_classes
from geo.roads.graph import graph_from_lines

__all__ = ["NLSC_FIELDS", "nlsc_config", "nlsc_sheet_paths", "read_nlsc_lines", "city_outline",
           "outline_fingerprint", "graph_from_nlsc_sheets", "nlsc_graph"]

NLSC_FIELDS = ("FCsubtype", "exs", "us2", "use_")
_EXTRA_FIELDS = ("num", "rnm", "wid")


def nlsc_config() -> dict[str, Any]:
    """The city profile's ``[files.roads.nlsc]`` table (dir, sheets, name, vintage, licence)."""
    try:
        return dict(city().files["roads"]["nlsc"])
    except KeyError:
        raise ValueError(f"city profile {city().id!r} has no [files.roads.nlsc] table") from None


def nlsc_sheet_paths(data_dir: str | os.PathLike) -> list[Path]:
    """The RoadL ``.shp`` of every sheet in the city profile; FileNotFoundError naming the
    missing sheet(s) and the directory."""
    conf = nlsc_config()
    folder = Path(data_dir) / conf["dir"]
    paths = [folder / f"{sheet}.shp" for sheet in conf["sheets"]]
    missing = [p.stem for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{folder}: RoadL sheet(s) missing: {', '.join(missing)} "
                                f"(expected {len(paths)} sheets, see [files.roads.nlsc])")
    return paths


def _read_sheet(path: Path, classes: RoadClasses) -> gpd.GeoDataFrame:
    info = pyogrio.read_info(path)
    if info.get("crs") is None:
        raise ValueError(f"{path}: no CRS declared (.prj missing); expected EPSG:4326")
    missing = [f for f in NLSC_FIELDS if f not in list(info["fields"])]
    if missing:
        raise ValueError(f"{path}: field(s) {', '.join(missing)} missing; an NLSC RoadL "
                         f"sheet has {', '.join(NLSC_FIELDS)}")
    cols = [f for f in NLSC_FIELDS + _EXTRA_FIELDS if f in list(info["fields"])]
    df = pyogrio.read_dataframe(path, columns=cols, use_arrow=True)
    for col, table in (("us2", classes.nlsc_us2), ("use_", classes.nlsc_use)):
        bad = ~df[col].isin(list(table))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"{path}: row {row} column {col} = {df[col].iloc[row]}; expected "
                             f"one of {sorted(table)} ([nlsc.{col}] in {classes.path.name})")
    return df.assign(sheet=path.stem)


def city_outline(margin_m: float) -> shapely.Geometry:
    """The city's districts dissolved and buffered by ``margin_m`` metres (EPSG:3826),
    simplified to 25 m (a clip line, not a boundary)."""
    from geo.boundaries import load_districts

    outline = shapely.simplify(load_districts().to_crs(METRIC_CRS).geometry.union_all(), 25.0)
    return shapely.simplify(shapely.buffer(outline, margin_m, quad_segs=4), 25.0)


def outline_fingerprint() -> bytes:
    """The district geometries (WKB) the clip outline is made from, for cache keys."""
    from geo.boundaries import load_districts

    return b"".join(shapely.to_wkb(load_districts().geometry.to_numpy()).tolist())


def read_nlsc_lines(paths: list[Path], *, classes: RoadClasses | None = None,
                    clip: shapely.Geometry | None = None) -> tuple[gpd.GeoDataFrame, dict]:
    """Drivable RoadL lines of the sheets, in EPSG:3826, and counts of what was dropped.

    Keeps ``[nlsc].keep`` (in use and existing), drops walking-only us2 classes and, with
    ``clip`` (EPSG:3826 polygon), lines that do not touch it (whole lines are kept or
    dropped, never cut). Returns (lines with us2, use_, highway, num, rnm, wid, sheet,
    counts dict: read, not_in_use, walk_only, outside_clip, kept)."""
    classes = classes or road_classes()
    frames = [_read_sheet(Path(p), classes) for p in paths]
    crs = {str(f.crs) for f in frames}
    if len(crs) != 1:
        raise ValueError(f"RoadL sheets declare different CRSs: {sorted(crs)}")
    df = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    counts = {"read": len(df)}
    in_use = np.logical_and.reduce([df[k].to_numpy() == v for k, v in classes.nlsc_keep.items()])
    walk = df["us2"].map(lambda c: classes.walk_only("nlsc", c)).to_numpy(bool)
    counts["not_in_use"] = int((~in_use).sum())
    counts["walk_only"] = int((in_use & walk).sum())
    df = df[in_use & ~walk].to_crs(METRIC_CRS)
    if clip is not None:
        shapely.prepare(clip)
        inside = shapely.intersects(clip, df.geometry.to_numpy())
        counts["outside_clip"] = int((~inside).sum())
        df = df[inside]
    counts["kept"] = len(df)
    df = df.assign(highway=[nlsc_class_key(a, b) for a, b in zip(df["us2"], df["use_"])])
    return df.reset_index(drop=True), counts


def graph_from_nlsc_sheets(paths: list[Path], *, clip: shapely.Geometry | None = None,
                           retain_all: bool = False, classes: RoadClasses | None = None,
                           graph_attrs: dict[str, Any] | None = None) -> nx.MultiDiGraph:
    """The drive graph of any RoadL sheets (``clip``: EPSG:3826 polygon or None)."""
    classes = classes or road_classes()
    lines, counts = read_nlsc_lines(paths, classes=classes, clip=clip)
    attrs = {"source": ", ".join(Path(p).name for p in paths), "source_kind": "nlsc",
             "vintage": None, "licence": None, "sheets": len(paths), "lines": counts,
             "speed_table": "nlsc"} | (graph_attrs or {})
    return graph_from_lines(lines, class_fields=["us2", "use_"], highway=lines["highway"],
                            table="nlsc", retain_all=retain_all, classes=classes,
                            graph_attrs=attrs)


def nlsc_graph(data_dir: str | os.PathLike, *, classes: RoadClasses | None = None,
               clip: bool = True, retain_all: bool = False) -> nx.MultiDiGraph:
    """The city's drive graph from the RoadL sheets of the city profile (EPSG:3826 nodes;
    see the module doc), clipped to the city outline plus ``clip_margin_m``.

    ``G.graph`` carries source, vintage, licence, sheets, clip_margin_m, ``lines`` (the
    counts of :func:`read_nlsc_lines`) and ``components`` (all pieces before only the main
    one was kept, unless ``retain_all``)."""
    classes = classes or road_classes()
    conf = nlsc_config()
    outline = city_outline(classes.clip_margin_m) if clip else None
    return graph_from_nlsc_sheets(
        nlsc_sheet_paths(data_dir), clip=outline, retain_all=retain_all, classes=classes,
        graph_attrs={"source": conf["name"], "vintage": conf["vintage"],
                     "licence": conf["licence"],
                     "clip_margin_m": classes.clip_margin_m if clip else None})
