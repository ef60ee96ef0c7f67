"""Shared helpers for the tests/test_malformed_inputs_*.py battery: the site-list header and
two good rows, writing a file into tmp_path (``_write``), asserting a file is refused by name
(``_refused``), the TWD67 projection as WKT and a loaded site's lon / lat (``_lonlat``), a
workbook with one bad row between two good ones (``_sites_book``) and a population file
edited from the published one (``_population``, ``_set``)."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pyproj import Transformer

from geo.imports import read_sites
from geo.quality import InputError

HEADER = "名稱,經度,緯度,類型,狀態,容量,地址"
GOOD1 = "甲據點,121.228005,24.959848,小衛星,,,"
GOOD2 = "乙據點,121.307054,24.979556,小衛星,,,"
TO_TWD97 = Transformer.from_crs("EPSG:4326", "EPSG:3826", always_xy=True)


def _write(tmp_path: Path, text: str | bytes, name: str = "sites.csv",
           encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def _refused(path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as err:
        read_sites(path, **kwargs)
    assert err.value.file.endswith(path.name) and path.name in str(err.value)
    assert err.value.expected and "expected" in str(err.value)
    return err.value


TWD67_WKT = ('PROJCS["TWD67 / TM2 zone 121",GEOGCS["TWD67",DATUM["Taiwan_Datum_1967",'
             'SPHEROID["GRS 1967 Modified",6378160,298.25]],PRIMEM["Greenwich",0],'
             'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
             'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",121],'
             'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",250000],'
             'PARAMETER["false_northing",0],UNIT["metre",1]]')



def _lonlat(res) -> tuple[float, float]:
    g = res.sites.geometry.iloc[0]
    return g.x, g.y


XLSX_HEADER = ["名稱", "經度", "緯度", "類型", "容量"]


def _book(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path



def _sites_book(tmp_path: Path, bad: list) -> Path:
    return _book(tmp_path / "sites.xlsx", {"據點": [
        XLSX_HEADER, ["甲據點", 121.228005, 24.959848, "小衛星", 2], bad,
        ["乙據點", 121.307054, 24.979556, "小衛星", None]]})


def _population(tmp_path: Path, data_dir: Path, edit, name: str = "pop.csv",
                source: str = "population/taoyuan_villages_2021-03.csv") -> Path:
    import pandas as pd
    raw = pd.read_csv(data_dir / source, dtype=str, keep_default_na=False)
    raw = edit(raw)
    path = tmp_path / name
    raw.to_csv(path, index=False)
    return path


def _set(raw, row: int, **cells):
    for col, value in cells.items():
        raw.loc[row, col] = str(value)
    return raw
