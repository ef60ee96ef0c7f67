"""Shared plumbing for the Streamlit app tests (tests/test_app.py, tests/test_app_tables.py,
tests/test_app_mapview.py): the app's path and the constants they use, the loaded analysis
context (``ctx``) and the default coverage analysis (``fsc``) -- session-scoped and built once
through tests/_session.py however many of the modules import them -- and the AppTest helpers
(``start_app`` runs the app, ``_metrics`` / ``_frame`` / ``_dataframes`` read what it shows)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from _session import once

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
XSS = "<img src=x onerror=alert(1)>"
FSC, CSS_ = "family_service_centre", "community_support_site"


@pytest.fixture(scope="session")
def ctx(data_dir):
    from analysis.context import load_context
    return once("app.ctx", lambda: load_context(data_dir))


@pytest.fixture(scope="session")
def fsc(ctx):
    """The default question: family service centres, 5 km, their target population."""
    from analysis.coverage import CoverageQuery, analyse_coverage
    return once("app.fsc", lambda: analyse_coverage(ctx, CoverageQuery(FSC)))


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def start_app(lang: str = "zh-TW", **query) -> AppTest:
    """The app after its first run with ``query`` as URL parameters (``page=...``), in
    ``lang`` (switched with the sidebar's control); no exception allowed."""
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if lang == "en":
        at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _frame(at, key: str) -> pd.DataFrame:
    return at.get_by_key(key).value if hasattr(at.get_by_key(key), "value") else None


def _dataframes(at, column: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if column in d.value.columns]
