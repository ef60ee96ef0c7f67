"""Property-based tests (hypothesis): random bytes and random tables fed to every reader
end in a clean error (InputError, a ValueError with a message naming the file) or a
correct result, never a crash. Correct means: decoding is lossless, every row is loaded or
rejected with a reason, loaded points lie in the city, and the rows built valid by the
test load with exactly the values written."""
from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.city import city
from geo.imports import read_sites
from geo.plausibility import check_population
from geo.quality import InputError
from geo.readers import read_table
from geo.readers.encoding import decode_text
from geo.services import LOCATED_BY

# more examples for a longer local run: READERS_EXAMPLES=500 pytest tests/test_readers_property.py
# (no example database: nothing is written into the repository's .hypothesis/examples).
# The suite's run is derandomized (the same examples every time, so CI never fails on a
# draw no one can replay); READERS_RANDOM=1 explores new examples, as the longer runs do.
_DERANDOMIZE = not os.environ.get("READERS_RANDOM")
FAST = settings(max_examples=150, deadline=None, database=None, derandomize=_DERANDOMIZE)
SLOW = settings(max_examples=int(os.environ.get("READERS_EXAMPLES", "20")), deadline=None,
                database=None, derandomize=_DERANDOMIZE,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
BBOX = city().lonlat_bbox
HEADERS = ["名稱", "經度", "緯度", "類型", "狀態", "容量", "地址", "村里", "行政區", "CRS", "id",
           "備註"]
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
CELL = st.one_of(
    st.just(""), st.text(max_size=12),
    st.text(alphabet=st.one_of(CJK, st.sampled_from("區里路號 ")), max_size=10),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-200, max_value=3_000_000).map(lambda v: f"{v:.6f}"),
    st.sampled_from(["小衛星", "bakery", "開放", "規劃中", "maybe", "#N/A", "EPSG:3826",
                     "EPSG:99999", "TWD67", "中壢區", "內壢區", "中央里", "-1", "1e400"]))


def _clean_error(exc: BaseException, path: Path) -> None:
    assert isinstance(exc, ValueError), f"{type(exc).__name__}: {exc}"
    assert str(exc).strip()
    if isinstance(exc, InputError):
        assert exc.file.endswith(path.name) and exc.expected


def _check_result(res) -> None:
    """What any successful import must satisfy."""
    assert res.rows_read == len(res.sites) + len(res.rejected)
    error_rows = {f.row for f in res.findings if f.severity == "error"}
    assert error_rows == set(res.rejected["row"])
    geom = res.sites.geometry
    located = ~(geom.isna() | geom.is_empty)
    assert res.unlocated == int((~located).sum())
    for g, by, precision in zip(geom, res.sites["located_by"], res.sites["precision"]):
        assert by in LOCATED_BY and (by == "") == g.is_empty and (precision == "") == g.is_empty
        if not g.is_empty:
            assert BBOX[0] <= g.x <= BBOX[2] and BBOX[1] <= g.y <= BBOX[3]
    cap = res.sites["capacity"].to_numpy(float)
    assert np.all(np.isnan(cap) | (cap >= 0))
    assert (res.sites["name"].astype(str).str.strip() != "").all()


# --- random bytes -----------------------------------------------------------------------------

@FAST
@given(st.binary(max_size=400))
def test_decoding_random_bytes_is_lossless_or_refused(data):
    try:
        text, used = decode_text(data, file="x.csv")
    except InputError as exc:
        assert exc.field == "encoding" and "x.csv" in str(exc)
        return
    if used == "utf-8-sig":
        assert data == codecs.BOM_UTF8 + text.encode("utf-8")
    else:
        assert text.encode(used) == data


@FAST
@given(st.text(max_size=200), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_text_in_an_accepted_encoding_comes_back_unchanged(text, codec):
    if any(ord(c) < 32 and c not in "\t\n\r" or c == "\x7f" for c in text):
        return  # control characters are refused as binary
    if codec == "utf-8" and text.startswith("\ufeff"):
        return  # a leading BOM character is read as the mark
    data = text.encode(codec)
    decoded, _ = decode_text(data, file="x.csv")
    assert decoded == text


@SLOW
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".geojson"]))
def test_random_bytes_to_every_reader(tmp_path, data, suffix):
    path = tmp_path / f"random{suffix}"
    path.write_bytes(data)
    try:
        res = read_sites(path, service_type="community_support_site")
    except Exception as exc:  # noqa: BLE001 - the property is about which exceptions
        _clean_error(exc, path)
        return
    _check_result(res)


# --- random tables ----------------------------------------------------------------------------

@st.composite
def tables(draw):
    """A header of known and unknown names, random rows, and rows built valid (name V<i>,
    a point inside the city, capacity) whose values the import must keep exactly."""
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True))
    for must in ("名稱", "經度", "緯度"):
        if must not in header:
            header.append(must)
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)),
                         max_size=8))
    rows = [[c for c in r if not c.startswith("V")] + [""] * (len(header) - len(
        [c for c in r if not c.startswith("V")])) for r in rows]
    valid = draw(st.lists(st.tuples(
        st.floats(min_value=121.15, max_value=121.35), st.floats(min_value=24.85, max_value=25.0),
        st.integers(min_value=0, max_value=50)), max_size=4))
    for i, (lon, lat, cap) in enumerate(valid):
        row = [""] * len(header)
        values = {"名稱": f"V{i}", "經度": f"{lon:.6f}", "緯度": f"{lat:.6f}", "容量": str(cap),
                  "類型": "小衛星", "狀態": "開放", "id": "", "CRS": ""}
        for k, v in values.items():
            if k in header:
                row[header.index(k)] = v
        rows.insert(draw(st.integers(0, len(rows))), row)
    return header, rows, valid, len(rows) - len(valid)


def _metres_like(header: list, rows: list) -> bool:
    """Whether some row's coordinates look like metres (they may outvote the degrees)."""
    i, j = header.index("經度"), header.index("緯度")
    for r in rows:
        try:
            if abs(float(r[i])) > 180 and abs(float(r[j])) > 180:
                return True
        except ValueError:
            continue
    return False


def _check_valid_rows(res, valid) -> None:
    by_name = {n: k for k, n in enumerate(res.sites["name"])}
    for i, (lon, lat, cap) in enumerate(valid):
        k = by_name[f"V{i}"]
        g = res.sites.geometry.iloc[k]
        assert (g.x, g.y) == (float(f"{lon:.6f}"), float(f"{lat:.6f}"))
        assert res.sites["type"].iloc[k] == "community_support_site"
        c = res.sites["capacity"].iloc[k]
        assert math.isnan(c) or c == cap  # NaN when the table has no 容量 column


def _write_csv(path: Path, header: list, rows: list, delimiter: str = ",") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _import_or_clean_error(path: Path, **kwargs):
    try:
        return read_sites(path, service_type="community_support_site", **kwargs)
    except Exception as exc:  # noqa: BLE001
        _clean_error(exc, path)
        return None


@SLOW
@given(table=tables(), delimiter=st.sampled_from([",", ";", "\t"]))
def test_random_csv_tables(tmp_path, table, delimiter):
    header, rows, valid, n_random = table
    path = tmp_path / "t.csv"
    _write_csv(path, header, rows, delimiter)
    res = _import_or_clean_error(path)
    if res is None:
        assert n_random  # a table of valid rows only is never refused
        return
    _check_result(res)
    if "CRS" not in header and not _metres_like(header, rows):
        _check_valid_rows(res, valid)


@SLOW
@given(table=tables())
def test_random_xlsx_tables(tmp_path, table):
    header, rows, valid, n_random = table
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in r])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    res = _import_or_clean_error(path)
    assert res is not None or n_random
    if res is not None:
        _check_result(res)
        if not n_random:
            _check_valid_rows(res, valid)


@st.composite
def collections(draw):
    coords = st.one_of(st.floats(allow_nan=True, allow_infinity=False), st.text(max_size=4),
                       st.none())
    geometry = st.one_of(
        st.none(), st.integers(), st.builds(lambda c: {"type": "Point", "coordinates": c},
                                            st.lists(coords, max_size=3)),
        st.builds(lambda t: {"type": t, "coordinates": []},
                  st.sampled_from(["Polygon", "LineString", "MultiPoint", "Bogus"])))
    props = st.one_of(st.none(), st.dictionaries(st.sampled_from(HEADERS), CELL, max_size=5),
                      st.lists(st.integers(), max_size=2))
    feature = st.one_of(st.integers(), st.text(max_size=3), st.builds(
        lambda g, p: {"type": "Feature", "geometry": g, "properties": p}, geometry, props))
    doc = draw(st.one_of(
        st.builds(lambda fs: {"type": "FeatureCollection", "features": fs},
                  st.lists(feature, max_size=6)),
        st.lists(st.integers(), max_size=3), st.text(max_size=5),
        st.builds(lambda fs, n: {"type": "FeatureCollection", "features": fs,
                                 "crs": {"type": "name", "properties": {"name": n}}},
                  st.lists(feature, max_size=3),
                  st.sampled_from(["EPSG:3826", "EPSG:4326", "EPSG:99999", "bogus", ""]))))
    return doc


@SLOW
@given(doc=collections())
def test_random_geojson_documents(tmp_path, doc):
    path = tmp_path / "t.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    try:
        table = read_table(path)
    except Exception as exc:  # noqa: BLE001
        _clean_error(exc, path)
        return
    assert len(table.frame) == len(doc["features"])
    res = _import_or_clean_error(path)
    if res is not None:
        _check_result(res)


# --- population plausibility ------------------------------------------------------------------

@st.composite
def population_rows(draw):
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(n):
        a, b, c = (draw(st.integers(0, 3000)) for _ in range(3))
        male = draw(st.integers(0, a + b + c))
        rows.append({"VILLCODE": f"68000010{draw(st.integers(1, 8)):03d}", "file_row": i + 1,
                     "households": draw(st.integers(0, a + b + c + 2)),
                     "population": a + b + c + draw(st.sampled_from([0, 0, 0, 1])),
                     "male": male, "female": a + b + c - male,
                     "age_0_14": a, "age_15_64": b, "age_65_plus": c})
    frame = pd.DataFrame(rows)
    for col in draw(st.lists(st.sampled_from(["households", "male", "age_0_14"]), max_size=2)):
        frame[col] = pd.array([pd.NA] * n, dtype="Int64")
    return frame


def _plausible(frame: pd.DataFrame) -> bool:
    """The rules, written out independently, row by row in plain Python."""
    def val(r, c):
        v = r.get(c)
        return None if v is None or pd.isna(v) else int(v)
    codes = list(frame["VILLCODE"])
    if len(set(codes)) != len(codes):
        return False
    for r in frame.to_dict("records"):
        pop = val(r, "population")
        bands = [val(r, c) for c in ("age_0_14", "age_15_64", "age_65_plus")]
        sexes = [val(r, c) for c in ("male", "female")]
        if None not in bands and sum(bands) != pop:
            return False
        if None not in sexes and sum(sexes) != pop:
            return False
        if val(r, "households") is not None and val(r, "households") > pop:
            return False
        if any(v is not None and v > pop for v in bands + sexes):
            return False
    return True


@FAST
@given(frame=population_rows())
def test_population_check_raises_exactly_on_implausible_rows(frame):
    try:
        findings = check_population(frame, file="p.csv")
    except InputError as exc:
        assert not _plausible(frame) and exc.findings and "p.csv" in str(exc)
        return
    assert _plausible(frame) and findings == []


@pytest.mark.parametrize("name", ["population/taoyuan_villages_2021-03.csv",
                                  "vintages/taoyuan_villages_2025-12.csv",
                                  "vintages/taoyuan_villages_2025-12_agegroups.csv"])
def test_the_published_population_files_are_plausible(data_dir, name):
    from geo.population import read_population
    rows, report = read_population(data_dir / name)
    assert check_population(rows, file=name, raise_errors=False) == []
