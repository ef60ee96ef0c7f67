"""Village crosswalk between two boundary sets (2021 ↔ 2023-09): counts keyed by one set's
codes carried onto the other without losing or inventing a single person.

Method: areal weighting with a binary dasymetric mask (built-up land, BuiltupA 2024), i.e.
the areal interpolation of PySAL tobler's ``tobler.area_weighted.area_interpolate`` with the
source polygons restricted to their built-up land, applied only to the villages the 2022
splits changed (the overlap table is computed as tobler does, STRtree query + shapely
intersection, in float64; tests compare the carried counts with tobler's own result):

1. children = codes of the new set absent from the old one (the 12 villages split in 2022).
   A child's parents are the code(s) its NOTE names plus every old village covering at least
   ``parent_share`` (10 %) of its area: NOTE names one parent of 福德里 and 渴望里, which took
   land from two, and none for the two 大園區 villages.
2. changed old villages = the parents (and any old code the new set lacks). Each keeps the
   pieces (intersections with new villages) holding at least ``piece_share`` (5 %) of its area
   or ``parent_share`` of the new village's area; smaller pieces are slivers of the 2021
   file's simplification (the same village overlaps itself by a median 98.7 %) and are
   dropped. Every other old village maps to the new village of the same code (identity).
3. weights: ``w_forward`` = share of an old village's residents that goes to each of its kept
   pieces, by the piece's built-up area ("built-up"), or by area where its kept pieces have no
   built-up land ("area"); ``w_backward`` = the same over a new village's kept pieces.
4. integer counts are apportioned per source village by the largest-remainder (Hamilton)
   method, so each source's count, each district's and the city's total are kept exactly.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from common.files import atomic_write
from geo import METRIC_CRS
from geo.boundaries import BOUNDARY_SETS, load_villages, parent_codes
from geo.demand import builtup_files, cache_dir, inputs_digest, load_builtup
from geo.paths import BOUNDARIES_DIR

__all__ = ["PIECE_SHARE", "PARENT_SHARE", "build_crosswalk", "village_crosswalk", "carry",
           "apportion", "split_table", "crosswalk_summary"]

PIECE_SHARE = 0.05  # a changed village's piece is kept from this share of its area
PARENT_SHARE = 0.10  # ... or from this share of the receiving village's area
_VERSION = "crosswalk-1"  # bump when the method changes (invalidates caches)
_COLS = ["old_code", "new_code", "kind", "old_name", "new_name", "area_m2", "builtup_m2",
         "w_forward", "basis_forward", "w_backward", "basis_backward", "parent_by"]


def _names(v: gpd.GeoDataFrame) -> pd.Series:
    if {"district", "village"} <= set(v.columns):
        return v["district"].astype(str) + v["village"].astype(str)
    return pd.Series(v.index.astype(str), index=v.index)


def _pieces(old: gpd.GeoSeries, new: gpd.GeoSeries) -> pd.DataFrame:
    """Every old x new pair that overlaps: codes, intersection geometry and area (m²)."""
    o, n = old.to_numpy(), new.to_numpy()
    ni, oi = shapely.STRtree(o).query(n, predicate="intersects")
    geoms = shapely.intersection(o[oi], n[ni])
    area = shapely.area(geoms)
    keep = area > 0
    return pd.DataFrame({"old_code": old.index[oi[keep]], "new_code": new.index[ni[keep]],
                         "geometry": geoms[keep], "area_m2": area[keep]})


def _weights(rows: pd.DataFrame, key: str, identity: pd.Series) -> tuple[np.ndarray, list]:
    """Share of each row in its ``key`` group (by built-up area, else area) and the basis."""
    bu_sum = rows.groupby(key)["builtup_m2"].transform("sum")
    area_sum = rows.groupby(key)["area_m2"].transform("sum")
    size = rows.groupby(key)[key].transform("size")
    use_bu = bu_sum > 0
    w = np.where(use_bu, rows["builtup_m2"] / bu_sum.where(use_bu, 1.0),
                 rows["area_m2"] / area_sum)
    basis = np.where(identity, "identity", np.where(size == 1, "sole",
                                                    np.where(use_bu, "built-up", "area")))
    w = np.where(size == 1, 1.0, w)
    return w, basis.tolist()


def build_crosswalk(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame, *,
                    parents: pd.Series | None = None, builtup: gpd.GeoSeries | None = None,
                    piece_share: float = PIECE_SHARE, parent_share: float = PARENT_SHARE
                    ) -> pd.DataFrame:
    """The crosswalk table between two village sets (indexed by VILLCODE, any CRS).

    ``parents``: new code -> list of old codes (NOTE); ``builtup``: built-up polygons (any
    CRS) or None (weights by area). One row per kept (old, new) pair: old_code, new_code,
    kind ("same": same code; "split": the new village is a child; "boundary": land moved
    between existing villages), old_name, new_name, area_m2 and builtup_m2 of the piece (m²,
    EPSG:3826), w_forward / basis_forward (old -> new), w_backward / basis_backward
    (new -> old), parent_by ("note", "overlap", "note+overlap" for a child's parents).
    """
    old_m, new_m = old.geometry.to_crs(METRIC_CRS), new.geometry.to_crs(METRIC_CRS)
    pieces = _pieces(old_m, new_m)
    pieces["share_old"] = pieces["area_m2"] / pieces["old_code"].map(old_m.area)
    pieces["share_new"] = pieces["area_m2"] / pieces["new_code"].map(new_m.area)
    children = set(new.index) - set(old.index)
    parents = parents if parents is not None else pd.Series(dtype=object)
    by_note = {(p, c) for c in children for p in parents.get(c, []) if p in old.index}
    by_overlap = set(map(tuple, pieces.loc[pieces["new_code"].isin(children)
                                           & (pieces["share_new"] >= parent_share),
                                           ["old_code", "new_code"]].to_numpy()))
    changed = {p for p, _ in by_note | by_overlap} | (set(old.index) - set(new.index))
    pair = list(zip(pieces["old_code"], pieces["new_code"]))
    in_changed = pieces["old_code"].isin(changed)
    keep = (in_changed & ((pieces["share_old"] >= piece_share)
                          | (pieces["share_new"] >= parent_share)
                          | pd.Series([p in by_note for p in pair], index=pieces.index))
            | (~in_changed & (pieces["old_code"] == pieces["new_code"])))
    rows = pieces[keep].reset_index(drop=True)
    missing = sorted(set(old.index) - set(rows["old_code"])) + \
        sorted(set(new.index) - set(rows["new_code"]))
    if missing:
        raise ValueError(f"villages without any counterpart in the other set: {missing}")
    block = rows["old_code"].isin(changed) | rows["new_code"].isin(
        rows.loc[rows["old_code"].isin(changed), "new_code"])
    rows["builtup_m2"] = 0.0
    if builtup is not None and block.any():
        land = builtup.to_crs(METRIC_CRS).to_numpy()
        tree = shapely.STRtree(land)
        for i in np.flatnonzero(block.to_numpy()):
            near = land[tree.query(rows.at[i, "geometry"], predicate="intersects")]
            if len(near):
                rows.at[i, "builtup_m2"] = shapely.area(
                    shapely.intersection(rows.at[i, "geometry"], shapely.union_all(near)))
    same_code = rows["old_code"] == rows["new_code"]
    rows["w_forward"], rows["basis_forward"] = _weights(
        rows, "old_code", same_code & ~rows["old_code"].isin(changed))
    rows["w_backward"], rows["basis_backward"] = _weights(rows, "new_code", same_code & ~block)
    rows["kind"] = np.where(same_code, "same",
                            np.where(rows["new_code"].isin(children), "split", "boundary"))
    rows["parent_by"] = ["note+overlap" if p in by_note and p in by_overlap else
                         "note" if p in by_note else "overlap" if p in by_overlap else ""
                         for p in zip(rows["old_code"], rows["new_code"])]
    rows["old_name"] = rows["old_code"].map(_names(old))
    rows["new_name"] = rows["new_code"].map(_names(new))
    return rows[_COLS].sort_values(["old_code", "new_code"]).reset_index(drop=True)


@lru_cache(maxsize=4)
def _cached(data_dir: str | None, old: str, new: str) -> pd.DataFrame:
    files = builtup_files(data_dir) if data_dir is not None else []
    sets = [BOUNDARIES_DIR / BOUNDARY_SETS[v]["villages_file"] for v in (old, new)]
    key = inputs_digest(sets + files, f"{_VERSION} {PIECE_SHARE} {PARENT_SHARE}".encode())
    path = cache_dir() / f"crosswalk_{old}_{new}_{key}.csv"
    if path.is_file():
        return pd.read_csv(path, dtype={"old_code": str, "new_code": str},
                           keep_default_na=False)
    builtup = load_builtup(data_dir).geometry if files else None
    notes = pd.concat([parent_codes(vintage=new), parent_codes(vintage=old)])
    table = build_crosswalk(load_villages(vintage=old), load_villages(vintage=new),
                            parents=notes[~notes.index.duplicated()], builtup=builtup)
    atomic_write(path, table.to_csv(index=False))
    return table


def village_crosswalk(data_dir: str | Path | None = None, *, old: str = "2021",
                      new: str = "2023-09") -> pd.DataFrame:
    """The crosswalk between two committed boundary sets (see :func:`build_crosswalk`),
    weighted by the built-up land of ``data_dir`` (by area without one); cached on disk
    (:func:`geo.demand.cache_dir`) by a hash of the boundary and built-up files."""
    return _cached(str(data_dir) if data_dir is not None else None, old, new).copy()


def apportion(count: int, weights: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Split a whole ``count`` into whole parts proportional to ``weights`` (sum 1) by
    largest remainders; ties go to the earlier position (or lower ``order``)."""
    quota = count * np.asarray(weights, float)
    base = np.floor(quota).astype(np.int64)
    left = int(count - base.sum())
    order = np.arange(len(quota)) if order is None else np.asarray(order)
    rank = np.lexsort((order, -(quota - base)))
    base[rank[:left]] += 1
    return base


def _counts(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = {}
    for col in columns:
        values = pd.to_numeric(table[col], errors="coerce")
        bad = values.isna() | (values < 0) | (values % 1 != 0)
        if bad.any():
            code = table.index[bad.to_numpy()][0]
            raise ValueError(f"column {col!r}, village {code}: {str(table.at[code, col])!r}; "
                             "expected a whole number of persons >= 0")
        out[col] = values.astype(np.int64)
    return pd.DataFrame(out, index=table.index)


def carry(table: pd.DataFrame | pd.Series, crosswalk: pd.DataFrame, *,
          direction: str = "forward", columns: list[str] | None = None) -> pd.DataFrame:
    """Carry whole counts (persons, households) keyed by one set's codes onto the other.

    ``direction="forward"``: ``table`` indexed by old codes -> result indexed by every new
    code; "backward": new -> old. Each source's count is split over its targets by the
    crosswalk's weights with :func:`apportion`, so no person is lost or invented. A target
    fed by a source missing from ``table`` is NA (Int64). Unknown codes and non-integer or
    negative counts raise, naming them.
    """
    if direction not in ("forward", "backward"):
        raise ValueError(f"direction must be 'forward' or 'backward', got {direction!r}")
    src, tgt, w = (("old_code", "new_code", "w_forward") if direction == "forward"
                   else ("new_code", "old_code", "w_backward"))
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    columns = list(frame.columns) if columns is None else columns
    unknown = sorted(set(frame.index.astype(str)) - set(crosswalk[src]))
    if unknown:
        raise ValueError(f"codes not in the crosswalk's {src.split('_')[0]} set: {unknown}")
    counts = _counts(frame.set_axis(frame.index.astype(str)), columns)
    rows = crosswalk[[src, tgt, w]].set_axis(["s", "t", "w"], axis=1)
    present = rows["s"].isin(counts.index)
    absent = sorted(set(rows.loc[~present, "t"]))
    rows = rows[present].sort_values(["s", "t"]).reset_index(drop=True)
    targets = pd.Index(sorted(set(crosswalk[tgt])), name="VILLCODE")
    out = pd.DataFrame(index=targets)
    for col in columns:
        parts = _apportion_rows(rows, rows["s"].map(counts[col]).to_numpy(np.int64))
        out[col] = parts.groupby(rows["t"].to_numpy()).sum().reindex(targets).astype("Int64")
    out.loc[absent] = pd.NA
    return out


def _apportion_rows(rows: pd.DataFrame, count: np.ndarray) -> pd.Series:
    """:func:`apportion` of every source at once (rows sorted by source s, target t)."""
    quota = count * rows["w"].to_numpy(float)
    base = np.floor(quota).astype(np.int64)
    left = count - pd.Series(base).groupby(rows["s"].to_numpy()).transform("sum").to_numpy()
    order = np.lexsort((rows["t"].to_numpy(), -(quota - base), rows["s"].to_numpy()))
    rank = np.empty(len(rows), np.int64)
    rank[order] = pd.Series(rows["s"].to_numpy()[order]).groupby(
        rows["s"].to_numpy()[order]).cumcount().to_numpy()
    return pd.Series(base + (rank < left))


def split_table(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Each village of the new set that did not exist in the old one, with every parent,
    the share of the parent's residents it received (w_forward), how that share was set
    (basis_forward) and how the parent was found (parent_by)."""
    rows = crosswalk[crosswalk["kind"] == "split"]
    return rows[["new_code", "new_name", "old_code", "old_name", "w_forward", "basis_forward",
                 "parent_by", "area_m2", "builtup_m2"]].sort_values(
        ["new_code", "old_code"]).reset_index(drop=True)


def crosswalk_summary(crosswalk: pd.DataFrame) -> dict:
    """Plain-data summary: set sizes, unchanged villages, changed old villages, the split
    villages with their parents and shares, and the rows per weighting basis."""
    splits = split_table(crosswalk)
    changed = sorted(set(crosswalk.loc[crosswalk["basis_forward"] != "identity", "old_code"]))
    return {
        "old_villages": int(crosswalk["old_code"].nunique()),
        "new_villages": int(crosswalk["new_code"].nunique()),
        "unchanged": int((crosswalk["basis_forward"] == "identity").sum()),
        "changed_old_villages": changed,
        "split_villages": {code: {"name": g["new_name"].iat[0], "parents": [
            {"parent": r.old_code, "parent_name": r.old_name,
             "share_of_parent": round(float(r.w_forward), 4), "basis": r.basis_forward,
             "parent_by": r.parent_by} for r in g.itertuples()]}
            for code, g in splits.groupby("new_code")},
        "boundary_moves": crosswalk.loc[crosswalk["kind"] == "boundary",
                                        ["old_code", "new_code", "w_forward"]]
        .to_dict("records"),
        "basis_forward": crosswalk["basis_forward"].value_counts().to_dict(),
    }
