"""Report downloads on the data page (streamlit.testing AppTest, real Taoyuan data): after
「產生報告」 one download button per format serves the report; the Excel city figures equal
a brute-force computation (demand points to the default sites, the published population
file), the GeoPackage opens with pyogrio, the HTML and PDF are what they claim to be, and
the hotspot section asks the hotspot page's last question."""
from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from openpyxl import load_workbook
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from _report_fixtures import nearest_m, open_sites, read_sheet

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TYPES = ("family_service_centre",)  # the sidebar's default type
RADIUS = {"family_service_centre": 5000.0}  # analysis/defaults.toml


def _build_and_capture(scenario: str | None = None, state: dict | None = None) -> dict:
    """Open the data page (``state``: session values set first), optionally pick a stored
    scenario, press build; return {fmt: MemoryFile} as served by each download button."""
    storages: list[MemoryMediaFileStorage] = []

    class Capturing(MemoryMediaFileStorage):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            storages.append(self)

    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["page"] = "data"
    for key, value in (state or {}).items():
        at.session_state[key] = value
    with mock.patch("streamlit.testing.v1.app_test.MemoryMediaFileStorage", Capturing):
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert not _report_buttons(at)  # nothing is built before the click
        if scenario is not None:
            at.selectbox(key="report_scenario").set_value(scenario).run()
        at.button(key="report_build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    out = {}
    for b in at.get("download_button"):
        if "report_dl_" in b.proto.id:
            fmt = b.proto.id.rsplit("report_dl_", 1)[1]
            out[fmt] = storages[-1].get_file(b.proto.url.rsplit("/", 1)[1])
    return out


def _report_buttons(at) -> list[str]:
    return [b.proto.id.rsplit("report_dl_", 1)[1] for b in at.get("download_button")
            if "report_dl_" in b.proto.id]


@pytest.fixture(scope="module")
def served():
    """The four files of the default data page (hotspots with the config's defaults)."""
    return _build_and_capture()


@pytest.fixture(scope="module")
def expected(data_dir, raw_population_2025):
    """Per type (demand covered, share, sites counted) by brute force on the default
    sites at the sidebar's default radii; population from the published file."""
    from analysis.context import load_context
    ctx = load_context(data_dir)
    pop = raw_population_2025["人口"].astype(float).reindex(ctx.villages.index)
    out = {}
    for tid in TYPES:
        covered = float(pop[nearest_m(ctx.villages, ctx.sites, tid) <= RADIUS[tid]].sum())
        out[tid] = (covered, covered / pop.sum(), len(open_sites(ctx.sites, tid)))
    return out


def test_one_download_button_per_format(served):
    assert set(served) == {"xlsx", "gpkg", "html", "pdf"}
    mime = {f: m.mimetype for f, m in served.items()}
    assert mime["xlsx"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert mime["pdf"] == "application/pdf" and mime["html"] == "text/html"
    assert mime["gpkg"] == "application/geopackage+sqlite3"
    for fmt, f in served.items():
        assert f.filename.startswith("taoyuan_coverage_") and f.filename.endswith("." + fmt)


def test_xlsx_city_figures_equal_brute_force(served, expected):
    wb = load_workbook(io.BytesIO(served["xlsx"].content))
    assert wb.sheetnames[0] == "全市摘要"  # zh-TW app -> zh-TW report
    city = read_sheet(wb, "city").set_index("type")
    assert list(city.index) == list(TYPES)
    for tid, (covered, share, sites) in expected.items():
        assert city.loc[tid, "radius_km"] * 1000 == RADIUS[tid]
        assert city.loc[tid, "sites"] == sites
        assert city.loc[tid, "demand_covered"] == pytest.approx(covered, abs=1e-6)
        assert city.loc[tid, "demand_share"] == pytest.approx(share, rel=1e-12)
    settings = dict(read_sheet(wb, "hotspot_settings")[["setting", "setting_value"]].values)
    assert settings["indicator"] == "children_density" and settings["type"] == TYPES[0]


def test_gpkg_opens_with_every_village(served, tmp_path, raw_population_2025):
    import pyogrio
    path = tmp_path / served["gpkg"].filename
    path.write_bytes(served["gpkg"].content)
    assert {"villages", "districts", "sites"} <= set(dict(pyogrio.list_layers(path)))
    villages = pyogrio.read_dataframe(path, layer="villages")
    assert sorted(villages["VILLCODE"]) == sorted(raw_population_2025.index)
    assert villages.crs.to_epsg() == 4326


def test_html_and_pdf(served, expected):
    html = served["html"].content.decode("utf-8")
    assert "<html" in html.lower() and "家庭服務中心" in html
    assert f"{100 * expected['family_service_centre'][1]:.1f}%" in html
    assert served["pdf"].content.startswith(b"%PDF")


def test_report_asks_the_hotspot_pages_last_question():
    choice = {"type_id": TYPES[0], "indicator": "elderly_density", "method": "gi",
              "weights": "queen", "threshold_m": None, "fdr": False, "alpha": 0.1}
    files = _build_and_capture(state={"_value_hotspot_query": choice,
                                      "_value_report_scenario": ""})
    wb = load_workbook(io.BytesIO(files["xlsx"].content))
    settings = dict(read_sheet(wb, "hotspot_settings")[["setting", "setting_value"]].values)
    assert (settings["indicator"], settings["type"], settings["alpha"], settings["min_bin"]) \
        == ("elderly_density", TYPES[0], 0.1, 1)
    regions = read_sheet(wb, "hotspot_regions")
    villages = read_sheet(wb, "villages").set_index("VILLCODE")
    assert len(regions) > 0
    for codes, unmet in zip(regions["village_codes"], regions["unmet_demand"]):
        assert unmet == pytest.approx(villages.loc[codes.split(", "), "uncovered_demand"].sum())


def test_failed_format_says_why_in_words_and_keeps_the_others():
    from i18n import t
    from reports.cartography import NO_CJK_FONT
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["page"] = "data"
    at.run()
    at.checkbox(key="report_hotspots").uncheck()  # other inputs than the cached build
    with mock.patch("reports.html.pdf_bytes", side_effect=RuntimeError(NO_CJK_FONT)):
        at.button(key="report_build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert sorted(_report_buttons(at)) == ["gpkg", "html", "xlsx"]
    # the catalogue's words: which file and why, no exception class or English message
    assert [e.value for e in at.error] == [
        "無法產生 PDF 報告：伺服器沒有繁體中文字型，報告地圖無法顯示中文（請管理員安裝 Noto Sans CJK "
        "字型）。其他格式仍可下載。"]
    assert [e.value for e in at.error] == [t("app.report.format_failed", "zh-TW",
                                             fmt=t("app.report.fmt_pdf", "zh-TW"),
                                             why=t("app.report.why_font", "zh-TW"))]
    # every download button says what its file is
    assert all(b.proto.help for b in at.get("download_button") if "report_dl_" in b.proto.id)
    # a sidebar change makes the built files stale: no download of outdated figures
    at.sidebar.number_input(key="radius_family_service_centre").set_value(3.0).run()
    assert _report_buttons(at) == []
    assert any("重新產生" in c.value for c in at.caption)


def test_failed_build_names_the_step_never_the_exception():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["page"] = "data"
    at.run()
    at.checkbox(key="report_hotspots").uncheck()
    at.sidebar.number_input(key="radius_family_service_centre").set_value(2.5).run()
    with mock.patch("ui.report_section.build_report_data",
                    side_effect=KeyError("population_0_17")):
        at.button(key="report_build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert _report_buttons(at) == []
    shown = [e.value for e in at.error]
    assert shown == ["無法計算報告所需的涵蓋分析（所選服務類型可能尚無已定位的據點），報告未產生。"]
    assert not any(w in shown[0] for w in ("KeyError", "population_0_17", "Error"))


def test_report_for_a_stored_scenario(tmp_path, monkeypatch, data_dir):
    from analysis.context import load_context
    from coverage.places import dataset_places
    from coverage.scenario import CloseSite, Scenario
    from store import save_scenario
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path))  # the store the app lists
    ctx = load_context(data_dir)
    fsc = open_sites(ctx.sites, TYPES[0])
    save_scenario(Scenario("關閉一處 A", baseline=ctx.sites,
                           edits=(CloseSite(str(fsc["site_id"].iloc[0])),)),
                  places=dataset_places(ctx))
    files = _build_and_capture("關閉一處 A")
    assert files["xlsx"].filename.startswith("taoyuan_coverage_關閉一處_A_")
    wb = load_workbook(io.BytesIO(files["xlsx"].content))
    assert "情境比較" in wb.sheetnames
    city = read_sheet(wb, "city").set_index("type")
    assert city.loc[TYPES[0], "sites"] == len(fsc) - 1  # the scenario's sites, one closed
    comp = read_sheet(wb, "scenario")
    sites = comp[(comp["type"] == TYPES[0]) & (comp["metric"] == "sites")]
    assert list(sites[["baseline", "scenario", "change"]].iloc[0]) == [len(fsc), len(fsc) - 1, -1]
    assert np.isfinite(city.loc[TYPES[0], "demand_share"])
