"""Shared fixtures: the real Taoyuan data from ../shared/data (never copied into the repo)."""
from __future__ import annotations

import pytest

from geo.paths import resolve_data_dir


@pytest.fixture(scope="session")
def data_dir():
    path = resolve_data_dir()
    if path is None:
        pytest.fail("../shared/data (or $SAFETYNET_DATA_DIR) is required for the test suite")
    return path


@pytest.fixture(scope="session")
def village_table(data_dir):
    from geo.population import load_village_table
    villages, report = load_village_table(data_dir)
    return villages, report
