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


@pytest.fixture(scope="session")
def raw_population_2025(data_dir):
    """The default vintage's population file read with plain pandas (an independent
    reference for totals): index VILLCODE, the published columns."""
    import pandas as pd
    return pd.read_csv(data_dir / "vintages" / "taoyuan_villages_2025-12.csv",
                       dtype={"VILLCODE": str, "TOWNCODE": str}).set_index("VILLCODE")


@pytest.fixture(scope="session")
def raw_agegroups_2025(data_dir):
    """The 2025-12 age-group file read with plain pandas: index VILLCODE."""
    import pandas as pd
    return pd.read_csv(data_dir / "vintages" / "taoyuan_villages_2025-12_agegroups.csv",
                       dtype={"VILLCODE": str, "TOWNCODE": str}).set_index("VILLCODE")


# Never read or write the user's own site library and scenarios from the tests: every test
# session (and the app / CLI processes it starts) gets an empty store of its own.
import os as _os
import tempfile as _tempfile

_os.environ["SAFETYNET_HOME"] = _tempfile.mkdtemp(prefix="safetynet-test-home-")
# The app turns an unexpected error into a message for the user; the tests want to see it.
_os.environ["SAFETYNET_RAISE"] = "1"
