"""Shared helpers for the tests/test_layer_store_*.py modules (site library, export, other
processes, CLI): a site table with every standard column, extra ones and unlocated rows
(``_table``), a fresh library directory per test (``lib``), the committed boundaries as edit
geography (``_places``), a site CSV as a user would import it (``_site_csv``) and the
environment for child processes (``ENV``)."""
from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from coverage.places import build_places
from geo.boundaries import BOUNDARY_VINTAGE, load_districts, load_villages
from geo.paths import PROJECT_ROOT

CSS = "community_support_site"
ENV = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def _table(n: int = 6, *, seed: int = 0, prefix: str = "css") -> gpd.GeoDataFrame:
    """A site table with every standard column, two extra ones, one unlocated row with an
    empty point and one with no geometry at all; text missing as NaN (pandas' own)."""
    rng = np.random.default_rng(seed)
    lon, lat = 121.1 + rng.random(n) * 0.3, 24.8 + rng.random(n) * 0.2
    geom = [shapely.Point(x, y) for x, y in zip(lon, lat)]
    geom[1], geom[2] = shapely.Point(), None
    text = lambda values: pd.Series(values, dtype=object)  # noqa: E731
    return gpd.GeoDataFrame({
        "site_id": text([f"{prefix}-{i:03d}" for i in range(n)]),
        "type": text([CSS] * n),
        "name": text([f"據點 <{i}> & 「{seed}」" for i in range(n)]),
        "district": text(["桃園區", np.nan] + ["中壢區"] * (n - 2)),
        "address": text([f"中正路{i}號" if i % 2 else np.nan for i in range(n)]),
        "status": text(["open", "planned"] * (n // 2) + ["open"] * (n % 2)),
        "capacity": rng.integers(0, 50, n).astype("float64"),
        "source": text([f"list.csv#{i + 1}" for i in range(n)]),
        "located_by": text(["coordinates", "", ""] + ["coordinates"] * (n - 3)),
        "precision": text(["exact", "", ""] + ["exact"] * (n - 3)),
        "note": text([f"備註 {i}" for i in range(n)]),
        "opened": np.arange(2000, 2000 + n, dtype="int64"),
    }, geometry=gpd.GeoSeries(geom, crs=4326), crs=4326)


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "layers"


def _places():
    return build_places(load_villages(), load_districts(), vintage=BOUNDARY_VINTAGE)



def _site_csv(path: Path) -> pd.DataFrame:
    rows = pd.DataFrame({"名稱": ["甲據點", "乙據點", "丙據點"],
                         "經度": [121.301, 121.222, None], "緯度": [24.991, 24.953, None],
                         "地址": ["桃園區中正路1號", "中壢區中央西路2號", "平鎮區中豐路3號"],
                         "容量": [20, None, 5]})
    rows.to_csv(path, index=False, encoding="utf-8")
    return rows
