"""Report downloads on the data page (streamlit.testing AppTest, real Taoyuan data): after
「產生報告」 one download button per format serves the report; the Excel city summary
equals coverage.report.build_report_data computed here directly, the GeoPackage opens with
pyogrio (504 villages), the HTML and PDF are what they claim to be."""
from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TYPES = ("family_service_centre", "mental_health_centre")  # the sidebar's default types

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage  # noqa: E402


@pytest.fixture(scope="module")
def served():
    """Run the data page, press build, and return {fmt: MemoryFile} as served by each
    download button (the media storage of the AppTest run is captured)."""
    return _build_and_capture()


def _build_and_capture(scenario: str | None = None) -> dict:
    """Open the data page, optionally pick a stored scenario, press build; return
    {fmt: MemoryFile} as served by each report download button."""
    storages: list[MemoryMediaFileStorage] = []

    class Capturing(MemoryMediaFileStorage):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            storages.append(self)

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = "data"
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


@pytest.fixture(scope="module")
def expected(data_dir):
    """City rows per type from build_report_data, one call per type at its default
    radius (the sidebar's default), without ui/."""
    from analysis.config import load_defaults
    from coverage.report import build_report_data
    from geo.dataset import load_dataset
    ds = load_dataset(data_dir)
    d = load_defaults()
    return {t: build_report_data(ds, types=[t], radius_km=d[t].radius_m / 1000,
                                 hotspot_indicator=None).results[t]
            for t in TYPES}


def test_one_download_button_per_format(served):
    assert set(served) == {"xlsx", "gpkg", "html", "pdf"}
    mime = {f: m.mimetype for f, m in served.items()}
    assert mime["xlsx"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert mime["pdf"] == "application/pdf" and mime["html"] == "text/html"
    assert mime["gpkg"] == "application/geopackage+sqlite3"
    for fmt, f in served.items():
        assert f.filename.startswith("taoyuan_coverage_") and f.filename.endswith("." + fmt)


def test_xlsx_city_summary_equals_engine(served, expected):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(served["xlsx"].content), read_only=True)
    ws = wb["全市摘要"]  # zh-TW app -> zh-TW sheet titles
    rows = list(ws.iter_rows(values_only=True))
    en = list(rows[1])  # row 2: English headers
    by_type = {r[en.index("service type id")]: r for r in rows[2:] if r[0]}
    assert set(by_type) == set(TYPES)
    for t, res in expected.items():
        row, city = by_type[t], res.summary.loc["all"]
        assert row[en.index("radius (km)")] == pytest.approx(res.radius_m / 1000)
        assert row[en.index("sites counted")] == len(res.sites)
        for header, col in [("population covered", "population_covered"),
                            ("population coverage", "population_share"),
                            ("children coverage", "age_0_14_share"),
                            ("elderly coverage", "age_65_plus_share")]:
            assert row[en.index(header)] == pytest.approx(float(city[col]), rel=1e-12), header


def test_gpkg_opens_with_504_villages(served, tmp_path):
    import pyogrio
    path = tmp_path / served["gpkg"].filename
    path.write_bytes(served["gpkg"].content)
    layers = dict(pyogrio.list_layers(path))
    assert {"villages", "districts", "sites"} <= set(layers)
    villages = pyogrio.read_dataframe(path, layer="villages")
    assert len(villages) == 504 and villages.crs.to_epsg() == 4326
    assert villages["VILLCODE"].is_unique


def test_html_and_pdf(served, expected):
    html = served["html"].content.decode("utf-8")
    assert "<html" in html.lower() and "家庭服務中心" in html
    share = expected["family_service_centre"].summary.loc["all", "population_share"]
    assert f"{100 * share:.1f}%" in html
    assert served["pdf"].content.startswith(b"%PDF")


def _report_buttons(at) -> list[str]:
    return [b.proto.id.rsplit("report_dl_", 1)[1] for b in at.get("download_button")
            if "report_dl_" in b.proto.id]


def test_failed_format_shows_its_error_and_keeps_the_others():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = "data"
    at.run()
    at.checkbox(key="report_hotspots").uncheck()  # other inputs than the cached build
    with mock.patch("coverage.report.pdf_bytes",
                    side_effect=RuntimeError("no CJK font (Noto Sans CJK TC)")):
        at.button(key="report_build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert sorted(_report_buttons(at)) == ["gpkg", "html", "xlsx"]
    assert any("PDF" in e.value and "no CJK font" in e.value for e in at.error)
    # a sidebar change makes the built files stale: no download of outdated figures
    at.sidebar.number_input(key="radius_family_service_centre").set_value(3.0).run()
    assert _report_buttons(at) == []
    assert any("重新產生" in c.value for c in at.caption)


def test_report_for_a_stored_scenario(tmp_path, monkeypatch, data_dir):
    from openpyxl import load_workbook
    from coverage.scenario import CloseSite, Scenario
    from coverage.places import dataset_places
    from geo.dataset import load_dataset
    from store import save_scenario
    from geo.services import load_default_sites
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path))  # the store the app lists
    sites, _ = load_default_sites(data_dir)
    fsc = sites[(sites["type"] == TYPES[0]) & (sites["status"] == "open")]
    save_scenario(Scenario("關閉一處 A", baseline=sites,
                           edits=(CloseSite(str(fsc["site_id"].iloc[0])),)),
                  places=dataset_places(load_dataset(data_dir)))
    files = _build_and_capture("關閉一處 A")
    assert files["xlsx"].filename.startswith("taoyuan_coverage_關閉一處_A_")
    wb = load_workbook(io.BytesIO(files["xlsx"].content), read_only=True)
    assert "情境比較" in wb.sheetnames
    rows = list(wb["全市摘要"].iter_rows(values_only=True))
    en = list(rows[1])
    counted = {r[en.index("service type id")]: r[en.index("sites counted")] for r in rows[2:]
               if r[0]}
    assert counted[TYPES[0]] == len(fsc) - 1  # the scenario's sites, one centre closed
