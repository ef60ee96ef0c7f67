"""Shared fixtures and helpers for the tests/test_scenario_store_*.py modules (scenario model,
GeoPackage store, processes, CLI): the real Taoyuan default sites (session-scoped, loaded once
through tests/_session.py however many split modules import the fixture), a fresh store
directory per test, the committed boundaries as edit geography (``_places``), the six edits
every round trip uses (``_edits``) and a file's digest (``_sha``)."""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import geopandas as gpd
import pytest

from _session import once
from coverage.places import build_places
from coverage.scenario import AddSite, CloseSite, MoveSite, SetCapacity, SetStatus
from geo.boundaries import BOUNDARY_VINTAGE, load_districts, load_villages
from geo.services import load_default_sites

FSC = "family_service_centre"


@functools.lru_cache(maxsize=1)
def _places():
    """The committed boundaries as edit geography (cached: forked workers reuse it)."""
    return build_places(load_villages(), load_districts(), vintage=BOUNDARY_VINTAGE)


@pytest.fixture(scope="session")
def sites(data_dir) -> gpd.GeoDataFrame:
    def load():
        table, _ = load_default_sites(data_dir)
        assert len(table) > 10
        return table
    return once("scenario_store.sites", load)

@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


def _edits() -> tuple:
    return (AddSite(FSC, "<script>alert(1)</script> & 新站 🏠", village="68000010001"),
            AddSite("mental_health_centre", "新心衛中心", lon=121.2250, lat=24.9536, capacity=30),
            MoveSite("fsc-001", 121.30, 25.00),
            CloseSite("fsc-002"),
            SetCapacity("mhc-001", 45.5),
            SetStatus("scn-1", "open"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
