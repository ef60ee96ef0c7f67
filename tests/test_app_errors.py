"""No traceback ever reaches a user of the app: a page that fails unexpectedly shows the
catalogue's message (AppTest, real data)."""
from __future__ import annotations

from pathlib import Path
from unittest import mock

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_an_unexpected_error_is_words_not_a_traceback(monkeypatch, caplog):
    """A page that fails in a way no one foresaw shows the catalogue's message (and the
    page's done signal), never a traceback or an exception's text."""
    from i18n import t
    monkeypatch.delenv("SAFETYNET_RAISE")
    with mock.patch("ui.tables_page.render", side_effect=RuntimeError("internal detail")):
        at = AppTest.from_file(APP, default_timeout=180)
        at.query_params["page"] = "tables"
        at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("app_error", "zh-TW")]
    shown = " ".join(str(x.value) for x in [*at.markdown, *at.error, *at.caption])
    assert "internal detail" not in shown and "Traceback" not in shown
    # the details went to the server log, from the patched page
    logged = [r for r in caplog.records if r.name == "safetynet.app"]
    assert logged and "internal detail" in str(logged[-1].exc_info[1])


def test_a_failed_coverage_is_not_called_missing_data(monkeypatch):
    """A coverage run that fails for another reason than a missing demand group is said to
    have failed (words, details in the log), never "this data set has no ... residents"."""
    from i18n import t
    from ui import state
    from ui.controls import Settings, default_radii_m
    settings = Settings(lang="zh-TW", radii=default_radii_m())
    with mock.patch("ui.state.type_result", side_effect=ValueError("needs a road network")):
        result, why = state.coverage_of(settings, "family_service_centre")
    assert result is None and why == t("analysis_failed", "zh-TW")
    assert "needs" not in why


def test_error_text_shows_no_server_folder():
    """Store and file errors reach the screen without the server's folders."""
    from ui.fmt import error_text
    msg = ("layer 'A': /home/planner/.local/share/safetynet/layers/A-1f/v000003.gpkg is "
           "unreadable; see ~/cache/roads/graph.pkl")
    shown = error_text(msg)
    assert shown == "layer 'A': v000003.gpkg is unreadable; see graph.pkl"
    assert error_text("1/2 of the rows; http://127.0.0.1/x") == \
        "1/2 of the rows; http://127.0.0.1/x"


def test_english_only_error_text_is_not_shown_on_zh_tw_screens(caplog):
    """zh-TW screens show no English: a message written only in English goes to the log
    and the catalogue's pointer stands in its place; a message with Chinese is kept."""
    from i18n import t
    from ui.fmt import error_text
    assert error_text("/srv/x/v1.gpkg: database is locked", "zh-TW") == \
        t("error_logged", "zh-TW")
    assert any("v1.gpkg: database is locked" in r.getMessage() for r in caplog.records)
    assert error_text("圖層名稱已存在 / layer exists", "zh-TW") == "圖層名稱已存在 / layer exists"
    assert error_text("/srv/x/v1.gpkg: database is locked", "en") == \
        "v1.gpkg: database is locked"
