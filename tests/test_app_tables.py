"""The tables and data pages of the Streamlit app (streamlit.testing AppTest) on the real
Taoyuan data, and the app-wide checks: the tables page's figures equal the analysis layer's
and say "no data" rather than 0, the data page shows no server path, the pages say what is
missing without population data, every app string has both languages and every control has
a help text."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from _app_helpers import FSC, ROOT, _dataframes
from _app_helpers import start_app as _app
from _app_helpers import ctx, fsc  # noqa: F401  (fixtures)


def test_tables_page_pins_the_city_and_says_no_data(ctx, fsc):
    at = _app(page="tables")
    types = _dataframes(at, "服務類型")[0]
    row = types.set_index("服務類型")
    assert row.at["家庭服務中心", "涵蓋率"] == pytest.approx(100 * fsc.city["demand_share"])
    assert pd.isna(row.at["兒少及家庭社區支持服務據點（小衛星）", "涵蓋率"])  # no data, not 0
    city = [d.value for d in at.dataframe
            if "行政區" in d.value and list(d.value["行政區"]) == ["全市"]]
    assert len(city) == 1 and city[0]["未涵蓋人數"].iloc[0] == fsc.city["demand_uncovered"]
    districts = [d.value for d in at.dataframe if "行政區" in d.value and len(d.value) == 13][0]
    by_name = districts.set_index("行政區")
    names = ctx.districts["district"]
    for code, d in fsc.districts.iterrows():
        uncovered = d["demand_total"] - d["demand_covered"]
        assert by_name.at[names[code], "未涵蓋人數"] == uncovered
        assert by_name.at[names[code], "涵蓋率"] == pytest.approx(100 * d["demand_share"])
    # the frames have one column per label in both languages (no label used twice)
    from ui import rankings, tables_page
    from ui.controls import Settings, default_radii_m
    for lang in ("zh-TW", "en"):
        for frame in (*tables_page.district_table(fsc, lang),
                      rankings.village_frame(fsc, lang, n=None),
                      rankings.district_frame(fsc, lang),
                      tables_page.sites_frame(ctx.sites, FSC, lang),
                      tables_page.types_frame({FSC: fsc}, {}, ctx.sites,
                                              Settings(lang=lang, radii=default_radii_m()))):
            assert frame.columns.is_unique, (lang, list(frame.columns))
    villages = [d.value for d in at.dataframe if "最近據點" in d.value][0]
    assert len(villages) == len(fsc.gaps)
    assert set(villages["最近據點"]) <= set(ctx.sites["name"])  # names, never ids


def test_data_page_shows_no_server_path_and_findings_in_words():
    at = _app(page="data")
    texts = [str(x.value) for x in [*at.markdown, *at.caption, *at.text]]
    frames = [d.value.astype(str).to_numpy().ravel().tolist() for d in at.dataframe]
    every = " ".join(texts + [c for f in frames for c in f])
    assert "/work/" not in every and "/home/" not in every
    findings = [d.value for d in at.dataframe if "問題" in d.value.columns][0]
    assert set(findings["問題"]) <= {"地址中的行政區不屬於桃園市（例如「內壢」屬於中壢區）。",
                                     "地址寫的行政區與座標所在的行政區不同。"}
    assert set(findings["欄位"]) == {"地址"}


def test_without_population_the_pages_say_what_is_missing(tmp_path, monkeypatch):
    from ui import state
    monkeypatch.setenv("SAFETYNET_DATA_DIR", str(tmp_path))  # an empty data directory
    caches = (state.base_context, state._with_library, state._display, state._roads)
    for cache in caches:
        cache.clear()
    try:
        for page in ("overview", "tables", "data"):
            at = _app(page=page)
            if page != "data":
                assert at.warning[0].value == "沒有人口資料：涵蓋率無法計算。"
                assert "/" not in " ".join(c.value for c in at.caption)
    finally:
        for cache in caches:
            cache.clear()


def test_every_app_string_has_both_languages_and_no_internal_key_leaks():
    """Every key the app's modules ask for is in the catalogue, in zh-TW and English, and
    the zh-TW text of app strings carries no internal id (a type id or a key)."""
    from geo.services import SERVICE_TYPES
    from i18n import CATALOGUE
    used = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]:
        used |= set(re.findall(r'\bt\("([^"{]+)"', path.read_text(encoding="utf-8")))
    used = {k for k in used if not k.endswith(("_", "."))}  # prefixes of composed keys
    missing = sorted(k for k in used if k not in CATALOGUE)
    assert not missing, missing
    for key in used:
        zh, en = CATALOGUE[key]
        assert zh and en, key
        assert not any(tid in zh for tid in SERVICE_TYPES), key


def test_every_control_has_help():
    """Each widget of every page (both panels of the scenario page, the map options in
    their popover, the sidebar, the report section) has a help text."""
    kinds = ("selectbox", "multiselect", "number_input", "text_input", "text_area",
             "checkbox", "toggle", "radio", "select_slider", "button", "download_button",
             "segmented_control")
    missing = []
    for page in ("overview", "tables", "scenario", "hotspots", "data"):
        at = _app(page=page)
        for kind in kinds:
            for w in at.get(kind):
                key = getattr(w, "key", None) or w.proto.id
                if "FormSubmitter" in str(key):
                    continue
                if not getattr(w.proto, "help", ""):
                    missing.append((page, kind, key))
    assert not missing, missing
