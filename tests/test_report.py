"""Reports (reports/, cli/cmd_report.py) on the real Taoyuan data. Every export is reopened
with an independent reader (openpyxl, pyogrio, poppler's pdftotext / pdffonts / pdftoppm)
and its figures are checked against a brute-force numpy computation (demand points to
sites, the published population file, connected components of touching villages) or
against the other front end (``safetynet hotspots --json``); the analysis layer's result
is only what is rendered, never the reference."""
from __future__ import annotations

import io
import json
import subprocess
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from PIL import Image
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analysis.context import load_context
from analysis.coverage import CoverageQuery
from analysis.hotspots import HotspotQuery
from cli import main as cli_main
from coverage.places import dataset_places
from coverage.scenario import AddSite, CloseSite, Scenario
from geo import METRIC_CRS
from reports import build_report, build_report_data, export_report

FSC, MHC = "family_service_centre", "mental_health_centre"
RADIUS = {FSC: 5000.0, MHC: 10000.0}  # analysis/defaults.toml, read independently below
SCENARIO_NAME = "大溪新增<b>心衛</b> & 關新屋"
EDITS = (AddSite(type=MHC, name="大溪社區心理衛生中心<script>", village="68000030001",
                 status="open"),
         CloseSite("fsc-015"))
PERMUTATIONS = 199  # fast; the report records what it used
ROOT = Path(__file__).resolve().parents[1]


# --- independent references -------------------------------------------------------------

def demand_points(villages: gpd.GeoDataFrame) -> np.ndarray:
    """(n, 2) EPSG:3826: the village's demand point where given, else a point inside it."""
    rep = villages.geometry.to_crs(METRIC_CRS).representative_point()
    xy = np.column_stack([rep.x.to_numpy(), rep.y.to_numpy()])
    if "demand_x" in villages:
        given = villages[["demand_x", "demand_y"]].to_numpy(float)
        ok = np.isfinite(given).all(axis=1)
        xy[ok] = given[ok]
    return xy


def open_sites(sites: gpd.GeoDataFrame, type_id: str) -> gpd.GeoDataFrame:
    keep = (sites["type"] == type_id) & (sites["status"] == "open") & ~sites.geometry.is_empty
    return sites[keep & sites.geometry.notna()]


def nearest_m(villages, sites, type_id) -> pd.Series:
    s = open_sites(sites, type_id).geometry.to_crs(METRIC_CRS)
    xy = demand_points(villages)
    d = np.hypot(xy[:, :1] - s.x.to_numpy()[None, :], xy[:, 1:] - s.y.to_numpy()[None, :])
    return pd.Series(d.min(axis=1), index=villages.index)


@pytest.fixture(scope="module")
def ctx(data_dir):
    return load_context(data_dir)


@pytest.fixture(scope="module")
def population(ctx, raw_population_2025) -> pd.Series:
    """Residents per village from the published file (read with pandas, not the tool)."""
    return raw_population_2025["人口"].astype(float).reindex(ctx.villages.index)


@pytest.fixture(scope="module")
def scenario(ctx):
    return Scenario(SCENARIO_NAME, baseline=ctx.sites, edits=EDITS)


@pytest.fixture(scope="module")
def after(ctx, scenario):
    return scenario.sites(dataset_places(ctx))


@pytest.fixture(scope="module")
def data(ctx, scenario):
    query = HotspotQuery(permutations=PERMUTATIONS, coverage=CoverageQuery(FSC))
    return build_report_data(ctx, scenario=scenario, hotspot_query=query)


def read_sheet(wb, key: str) -> pd.DataFrame:
    """A sheet by its code name: row 1 = column ids, data from row 3 to the first blank."""
    ws = next(w for w in wb.worksheets if w.sheet_properties.codeName == key)
    rows = list(ws.iter_rows(values_only=True))
    body = []
    for r in rows[2:]:
        if all(v is None for v in r):
            break
        body.append(r)
    return pd.DataFrame(body, columns=list(rows[0]))


@pytest.fixture(scope="module")
def workbook(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    export_report(data, "xlsx", path)
    return openpyxl.load_workbook(path)


def test_radii_are_the_config_defaults():
    cfg = tomllib.loads((ROOT / "analysis" / "defaults.toml").read_text(encoding="utf-8"))
    assert {t: cfg["types"][t]["radius_km"] * 1000 for t in RADIUS} == RADIUS


# --- Excel ----------------------------------------------------------------------------------

def test_xlsx_sheets_headers_frozen(workbook):
    keys = [ws.sheet_properties.codeName for ws in workbook.worksheets]
    assert keys == ["city", "districts", "villages", "gaps", "district_need", "deserts", "access",
                    "hotspot_regions", "hotspot_villages", "hotspot_settings", "scenario",
                    "scenario_districts", "scenario_villages", "scenario_edits", "sites",
                    "notes", "quality", "sources"]
    assert workbook.sheetnames[:3] == ["全市摘要", "行政區", "村里"]  # zh-TW report
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A3", ws.title
    ws = workbook["全市摘要"]
    assert ws["A1"].value == "type" and ws["A2"].value == "服務類型代碼"


def test_xlsx_city_matches_brute_force(workbook, ctx, after, population):
    city = read_sheet(workbook, "city").set_index("type")
    assert list(city.index) == [FSC, MHC]
    total = float(population.sum())
    assert total == 2_355_106  # the published total of the 2025-12 file
    for tid in (FSC, MHC):
        near = nearest_m(ctx.villages, after, tid)
        covered = float(population[near <= RADIUS[tid]].sum())
        row = city.loc[tid]
        assert row["radius_km"] * 1000 == RADIUS[tid]
        assert row["demand_total"] == total
        assert row["demand_covered"] == pytest.approx(covered, abs=1e-6)
        assert row["demand_share"] == pytest.approx(covered / total, rel=1e-12)
        assert row["sites"] == len(open_sites(after, tid))
    assert city.loc[FSC, "sites"] == 14 and city.loc[MHC, "sites"] == 3
    ws = workbook["全市摘要"]
    col = [c.value for c in ws[1]].index("demand_share") + 1
    assert ws.cell(3, col).number_format == "0.0%"


def test_xlsx_villages_and_districts_match_brute_force(workbook, ctx, after, population):
    villages = read_sheet(workbook, "villages")
    districts = read_sheet(workbook, "districts")
    for tid in (FSC, MHC):
        v = villages[villages["type"] == tid].set_index("VILLCODE").loc[ctx.villages.index]
        near = nearest_m(ctx.villages, after, tid)
        np.testing.assert_allclose(v["nearest_m"].astype(float), near, rtol=1e-9)
        np.testing.assert_array_equal(v["covered"].astype(float), (near <= RADIUS[tid]) * 1.0)
        d = districts[districts["type"] == tid].set_index("TOWNCODE")
        assert list(d.index[:-1]) == sorted(ctx.districts.index) and d.index[-1] == "all"
        by_town = (population * (near <= RADIUS[tid])).groupby(ctx.villages["TOWNCODE"]).sum()
        np.testing.assert_allclose(d.loc[by_town.index, "demand_covered"].astype(float), by_town)
        assert d.loc["all", "demand_covered"] == pytest.approx(by_town.sum())
    assert len(villages) == 2 * len(ctx.villages) == 2 * 516


def test_xlsx_gap_ranking_matches_brute_force(workbook, ctx, after, population):
    gaps = read_sheet(workbook, "gaps")
    g = gaps[gaps["type"] == FSC]
    near = nearest_m(ctx.villages, after, FSC)
    uncovered = population[near > RADIUS[FSC]].sort_values(ascending=False)
    assert list(g["rank"]) == list(range(1, len(uncovered) + 1))
    np.testing.assert_array_equal(g["uncovered_demand"].astype(float), uncovered.to_numpy())
    assert set(g["VILLCODE"].head(20)) <= set(uncovered.index[uncovered >= uncovered.iloc[19]])


def test_xlsx_access_profile_matches_brute_force(workbook, ctx, after, population):
    acc = read_sheet(workbook, "access")
    a = acc[acc["type"] == MHC]
    near_after = nearest_m(ctx.villages, after, MHC)
    near_before = nearest_m(ctx.villages, ctx.sites, MHC)
    total = population.sum()
    assert a["threshold_km"].max() == pytest.approx(3 * RADIUS[MHC] / 1000)
    for km, share, base in zip(a["threshold_km"], a["share"], a["share_baseline"]):
        assert share == pytest.approx(population[near_after <= km * 1000].sum() / total, abs=1e-12)
        assert base == pytest.approx(population[near_before <= km * 1000].sum() / total, abs=1e-12)


def _components(villages: gpd.GeoDataFrame, codes: list[str]) -> list[set]:
    """Connected components of the villages ``codes`` that touch (queen: shared edge or
    corner), by a spatial self-join and scipy's connected_components."""
    part = villages.loc[codes].to_crs(METRIC_CRS).reset_index()
    pairs = gpd.sjoin(part, part, predicate="intersects")
    n = len(part)
    graph = coo_matrix((np.ones(len(pairs)), (pairs.index.to_numpy(),
                                              pairs["index_right"].to_numpy())), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return [set(part["VILLCODE"][label == k]) for k in range(label.max() + 1)]


def test_hotspot_regions_equal_cli_and_merge_touching_villages(workbook, ctx, after,
                                                                population, data_dir, capsys):
    regions = read_sheet(workbook, "hotspot_regions")
    hv = read_sheet(workbook, "hotspot_villages").set_index("VILLCODE")
    settings = dict(read_sheet(workbook, "hotspot_settings")[["setting", "setting_value"]].values)
    cfg = tomllib.loads((ROOT / "analysis" / "defaults.toml").read_text(encoding="utf-8"))
    assert settings["indicator"] == cfg["hotspots"]["indicator"]
    assert settings["permutations"] == PERMUTATIONS and settings["seed"] == cfg["hotspots"]["seed"]
    assert settings["fdr"] is False and settings["min_bin"] == 2 and settings["type"] == FSC
    hot = list(hv.index[hv["bin"] >= 2])
    assert len(hot) >= 2  # children density clusters in the city centre: regions to compare
    expected = _components(ctx.villages, hot)
    got = [set(s.split(", ")) for s in regions["village_codes"]]
    assert sorted(map(sorted, got)) == sorted(map(sorted, expected))
    near = nearest_m(ctx.villages, after, FSC)
    unmet = population.where(near > RADIUS[FSC], 0.0)
    for codes, value in zip(got, regions["unmet_demand"]):
        assert value == pytest.approx(unmet[list(codes)].sum())
    # the same question through `safetynet hotspots` (on the scenario's sites: same unmet)
    assert cli_main(["hotspots", "--indicator", cfg["hotspots"]["indicator"], "--type", FSC,
                     "--permutations", str(PERMUTATIONS), "--data-dir", str(data_dir),
                     "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["regions"]
    assert sorted(r["villages"] for r in cli) == sorted(sorted(codes) for codes in got)


def test_xlsx_scenario_sheets_match_brute_force(workbook, ctx, after, population):
    comp = read_sheet(workbook, "scenario")
    shares = comp[comp["metric"] == "population_share"].set_index("type")
    changes = read_sheet(workbook, "scenario_villages")
    total = population.sum()
    for tid in (FSC, MHC):
        before = nearest_m(ctx.villages, ctx.sites, tid) <= RADIUS[tid]
        now = nearest_m(ctx.villages, after, tid) <= RADIUS[tid]
        assert shares.loc[tid, "baseline"] == pytest.approx(population[before].sum() / total)
        assert shares.loc[tid, "scenario"] == pytest.approx(population[now].sum() / total)
        mine = changes[changes["type"] == tid]
        assert set(mine.loc[mine["coverage_change"] == "gained", "VILLCODE"]) == \
            set(ctx.villages.index[~before & now])
        assert set(mine.loc[mine["coverage_change"] == "lost", "VILLCODE"]) == \
            set(ctx.villages.index[before & ~now])
    assert len(changes) > 10
    edits = read_sheet(workbook, "scenario_edits")
    assert list(edits["kind"]) == ["add", "close"]


def test_xlsx_sites_and_sources_name_every_vintage(workbook, ctx, after):
    sites = read_sheet(workbook, "sites")
    assert len(sites) == len(after) and {"located_by", "precision", "location_note"} <= set(sites)
    assert int(sites["counted"].sum()) == 14 + 3  # the closed centre is listed, not counted
    exact = sites[sites["precision"] == "exact"]
    assert (exact["location_note"] == "依檔案座標；精確").all()
    sources = read_sheet(workbook, "sources")
    text = " ".join(sources["detail"].astype(str))
    for vintage in ctx.vintages.values():
        assert str(vintage) in text
    assert "直線距離" in text and "analysis/defaults.toml" in text


# --- GeoPackage ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gpkg(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("gpkg") / "report.gpkg"
    export_report(data, "gpkg", path)
    return path


def test_gpkg_layers_and_columns(gpkg, ctx, after):
    layers = dict(pyogrio.list_layers(gpkg))
    assert {"villages", "districts", "sites", "baseline_sites", "scenario_edits",
            "hotspot_regions", "city_summary", "access_profile", "sources"} <= set(layers)
    assert "service_areas" not in layers  # straight-line report
    assert all(name.isascii() for name in layers)
    v = pyogrio.read_dataframe(gpkg, layer="villages").set_index("VILLCODE")
    assert len(v) == 516 and v.crs.to_epsg() == 4326
    near = nearest_m(ctx.villages, after, MHC).loc[v.index]
    np.testing.assert_allclose(v[f"{MHC}_nearest_m"], near, rtol=1e-9)
    before = (nearest_m(ctx.villages, ctx.sites, MHC) <= RADIUS[MHC]).loc[v.index] * 1.0
    np.testing.assert_array_equal(v[f"{MHC}_covered_baseline"], before)
    np.testing.assert_array_equal(v[f"{MHC}_coverage_change"], (near <= RADIUS[MHC]) - before)
    assert len(pyogrio.read_dataframe(gpkg, layer="districts")) == 13
    sites = pyogrio.read_dataframe(gpkg, layer="sites")
    assert len(sites) == len(after) and int(sites["counted"].sum()) == 17
    assert list(pyogrio.read_dataframe(gpkg, layer="scenario_edits")["kind"]) == ["add", "close"]


# --- maps -----------------------------------------------------------------------------------

def _colours(png: bytes) -> set[tuple]:
    return {c for _, c in Image.open(io.BytesIO(png)).convert("RGB").getcolors(1 << 20)}


def _rgb(hex_colour: str) -> tuple:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_coverage_map_has_two_classes(data):
    from i18n.strings_report import LEGEND_COLOURS
    from reports.maps import report_maps
    maps = report_maps(data, "zh-TW")
    assert len(maps) == 2 * 2 + 1  # coverage and gaps per type, hotspots
    colours = _colours(maps[0]["png"])
    assert {_rgb(LEGEND_COLOURS["covered"]), _rgb(LEGEND_COLOURS["not_covered"])} <= colours
    assert not {_rgb(LEGEND_COLOURS[f"bin.{b}"]) for b in (3, -3)} & colours


# --- HTML / PDF ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    export_report(data, "html", out / "report.html")
    export_report(data, "pdf", out / "report.pdf")
    return out / "report.pdf"


def _run(*cmd) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def test_html_escapes_user_text(pdf):
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert "<b>心衛</b>" not in html and "&lt;b&gt;心衛&lt;/b&gt; &amp; 關新屋" in html
    assert "<script>" not in html
    assert html.count("data:image/png;base64,") == 5 + 2  # five maps, two access charts


def test_pdf_text_figures_and_cjk_font(pdf, ctx, after, population):
    text = _run("pdftotext", "-layout", str(pdf), "-")
    flat = " ".join(text.split())
    assert "桃園市社會安全網資源涵蓋分析報告" in flat
    assert f"{int(population.sum()):,}" in flat  # 2,355,106
    total = population.sum()
    for tid in (FSC, MHC):
        now = population[nearest_m(ctx.villages, after, tid) <= RADIUS[tid]].sum() / total
        base = population[nearest_m(ctx.villages, ctx.sites, tid) <= RADIUS[tid]].sum() / total
        assert f"{100 * now:.1f}%" in flat
        assert f"{100 * (now - base):+.1f} pp" in flat
    assert " ".join(SCENARIO_NAME.split()) in flat
    assert "NLSC" in flat and "直線距離" in flat  # vintages and the distance used
    assert f"排列 {PERMUTATIONS} 次" in flat  # the hotspot settings used
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    cjk = [f for f in fonts if "Noto" in f and "CJK" in f.replace("-", "")]
    assert cjk and all(f.split()[-5] == "yes" for f in cjk)  # the "emb" column


def test_pdf_pages_render_not_blank(pdf, tmp_path):
    pages = int(next(line.split()[-1] for line in _run("pdfinfo", str(pdf)).splitlines()
                     if line.startswith("Pages:")))
    _run("pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p"))
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == pages >= 6
    ink = [float((np.asarray(Image.open(p).convert("L")) < 200).mean()) for p in pngs]
    assert min(ink) > 0.002 and max(ink) > 0.10  # map pages are filled with colour


def test_english_report(data):
    from reports.html import render_html
    html = render_html(data, lang="en", maps=[], charts=[])
    assert "Taoyuan Social Safety Net: Service Coverage Report" in html
    assert "straight line in EPSG:3826" in html and "服務" not in html.replace("服務中心", "")
    wb = openpyxl.load_workbook(io.BytesIO(build_report(data, "xlsx", lang="en")))
    assert wb.sheetnames[0] == "City summary"
    villages = read_sheet(wb, "villages")
    code = villages.at[0, "VILLCODE"]
    assert villages.at[0, "village"] == data.villages.at[code, "village_en"]
    assert wb["City summary"]["A2"].value == "Service type id"


# --- map furniture ---------------------------------------------------------------------------

def test_no_cjk_font_fails_clearly(monkeypatch):
    from reports import cartography
    monkeypatch.setattr(cartography, "CJK_FAMILIES", ("No Such Font TC",))
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        cartography.cjk_font()


def test_scale_bar_is_round_and_drawn_in_map_metres():
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle
    from reports.cartography import add_north_arrow, add_scale_bar, nice_length
    assert [nice_length(s) for s in (55_000, 9_000, 420, 100_000)] == [10_000, 1_000, 50, 20_000]
    ax = Figure().add_subplot()
    ax.set_xlim(250_000, 310_000)  # 60 km of EPSG:3826 easting
    ax.set_ylim(2_730_000, 2_790_000)
    assert add_scale_bar(ax) == 10_000
    add_north_arrow(ax)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert sum(p.get_width() for p in bars) == pytest.approx(10_000)
    assert [x.get_text() for x in ax.texts] == ["0", "10 km", "N"]


# --- atomic writes, inputs ------------------------------------------------------------------

def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".tmp-" in p.name)


def test_failed_xlsx_leaves_previous_file(data, tmp_path, monkeypatch):
    import reports.xlsx
    target = tmp_path / "r.xlsx"
    export_report(data, "xlsx", target)
    before = target.read_bytes()

    def half_written(d, path, *, lang="zh-TW"):
        Path(path).write_bytes(before[: len(before) // 2])
        raise RuntimeError("disk full")

    monkeypatch.setattr(reports.xlsx, "write_xlsx", half_written)
    with pytest.raises(RuntimeError, match="disk full"):
        export_report(data, "xlsx", target)
    assert target.read_bytes() == before and _leftovers(tmp_path) == []


def test_failed_gpkg_midway_leaves_previous_file(data, tmp_path, monkeypatch):
    target = tmp_path / "r.gpkg"
    export_report(data, "gpkg", target)
    before = target.read_bytes()
    real, calls = pyogrio.write_dataframe, []

    def second_layer_fails(df, path, **kw):
        calls.append(kw["layer"])
        if len(calls) == 2:
            raise OSError("interrupted after the first layer")
        return real(df, path, **kw)

    monkeypatch.setattr(pyogrio, "write_dataframe", second_layer_fails)
    with pytest.raises(OSError, match="interrupted"):
        export_report(data, "gpkg", target)
    assert calls == ["villages", "districts"] and target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_output_never_overwrites_an_input(data, tmp_path):
    source = tmp_path / "population.csv"
    source.write_text("keep me", encoding="utf-8")
    with pytest.raises(ValueError, match="is the input file"):
        export_report(data, "html", source, inputs=[source])
    assert source.read_text(encoding="utf-8") == "keep me"
    with pytest.raises(ValueError, match="format: expected one of"):
        build_report(data, "docx")


# --- CLI ------------------------------------------------------------------------------------

def test_cli_report_with_stored_scenario(ctx, tmp_path, data_dir, population):
    from store import save_scenario
    store = tmp_path / "store"
    save_scenario(Scenario(SCENARIO_NAME, baseline=ctx.sites, edits=EDITS),
                  places=dataset_places(ctx), store=store)
    out = tmp_path / "cli.gpkg"
    assert cli_main(["report", "--scenario", SCENARIO_NAME, "--store", str(store), "--out",
                     str(out), "--type", "家庭服務中心", "--radius-km", "3", "--no-hotspots",
                     "--data-dir", str(data_dir), "--json"]) == 0
    v = pyogrio.read_dataframe(out, layer="villages").set_index("VILLCODE")
    after = Scenario("x", baseline=ctx.sites, edits=EDITS).sites(dataset_places(ctx))
    near = nearest_m(ctx.villages, after, FSC)
    np.testing.assert_array_equal(v.loc[near.index, f"{FSC}_covered"], (near <= 3000) * 1.0)
    assert f"{MHC}_covered" not in v.columns
    assert {"scenario_edits", "baseline_sites"} <= set(dict(pyogrio.list_layers(out)))
    assert "hotspot_regions" not in dict(pyogrio.list_layers(out))


def test_cli_report_bad_input(tmp_path, data_dir, capsys):
    def run(*args):
        return cli_main(["report", *args, "--data-dir", str(data_dir)])
    assert run("--out", str(tmp_path / "r.txt")) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert run("--out", str(tmp_path / "r.pdf"), "--format", "xlsx") == 2
    assert run("--out", str(tmp_path / "r.pdf"), "--type", "no_such_type") == 2
    assert "no_such_type" in capsys.readouterr().err
    assert run("--out", str(tmp_path / "r.pdf"), "--radius-km", "nan") == 2
    assert run("--out", str(tmp_path / "r.pdf"), "--scenario", "missing", "--store",
               str(tmp_path)) == 1
    assert not list(tmp_path.glob("r.*"))
    population = data_dir / "vintages" / "taoyuan_villages_2025-12.csv"
    copy = tmp_path / "population.html"
    copy.write_bytes(population.read_bytes())
    assert run("--out", str(copy), "--population-file", str(copy), "--type", FSC,
               "--no-hotspots") == 2
    assert "is the input file" in capsys.readouterr().err
    assert copy.read_bytes() == population.read_bytes()


def test_cli_report_hotspot_options_ask_what_safetynet_hotspots_asks(tmp_path, data_dir,
                                                                      capsys):
    options = ["--fdr", "--permutations", str(PERMUTATIONS), "--alpha", "0.1"]
    out = tmp_path / "hot.xlsx"
    assert cli_main(["report", "--out", str(out), "--type", MHC, "--hotspot-indicator",
                     "elderly_density", *options, "--lang", "en", "--data-dir", str(data_dir),
                     "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["types"] == [MHC]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "City summary"
    settings = dict(read_sheet(wb, "hotspot_settings")[["setting", "setting_value"]].values)
    assert (settings["indicator"], settings["fdr"], settings["permutations"],
            settings["alpha"], settings["min_bin"], settings["type"]) == \
        ("elderly_density", True, PERMUTATIONS, 0.1, 1, MHC)
    regions = read_sheet(wb, "hotspot_regions")
    assert cli_main(["hotspots", "--indicator", "elderly_density", "--type", MHC, *options,
                     "--data-dir", str(data_dir), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)["regions"]
    assert len(cli) == len(regions) > 0
    assert [", ".join(r["villages"]) for r in cli] == list(regions["village_codes"])
    np.testing.assert_allclose([r["unmet_demand"] for r in cli], regions["unmet_demand"])


def test_cli_report_road_mode_draws_service_areas(ctx, tmp_path, data_dir, capsys):
    from geo.city import city
    out = tmp_path / "road.gpkg"
    assert cli_main(["report", "--mode", "network", "--type", FSC, "--no-hotspots", "--out",
                     str(out), "--data-dir", str(data_dir), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["types"] == [FSC]
    sites = open_sites(ctx.sites, FSC).set_index("site_id").to_crs(METRIC_CRS)
    areas = pyogrio.read_dataframe(out, layer="service_areas").to_crs(METRIC_CRS)
    # the city-wide roads reach every centre: one service area each
    assert sorted(areas["site_id"]) == sorted(sites.index) and set(areas["type"]) == {FSC}
    for sid, geom in zip(areas["site_id"], areas.geometry):  # roads are never shorter
        assert sites.geometry[sid].buffer(RADIUS[FSC] + 1.0).contains(geom)
    sources = pyogrio.read_dataframe(out, layer="sources")
    distance = sources.loc[sources["item"] == "distance", "detail"].iloc[0]
    roads = city().files["roads"]
    assert "road distance" in distance and roads[roads["default"]]["name"] in distance
    v = pyogrio.read_dataframe(out, layer="villages").set_index("VILLCODE")
    straight = nearest_m(ctx.villages, ctx.sites, FSC).loc[v.index]
    covered = v[f"{FSC}_covered"] > 0
    assert covered.any() and (straight[covered] <= RADIUS[FSC]).all()


def test_cli_report_travel_time(tmp_path, data_dir, capsys):
    out = tmp_path / "minutes.xlsx"
    assert cli_main(["report", "--mode", "network", "--radius-min", "10", "--type", FSC,
                     "--no-hotspots", "--out", str(out), "--data-dir", str(data_dir),
                     "--lang", "en", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unit"] == "s"
    wb = openpyxl.load_workbook(out)
    city = read_sheet(wb, "city").set_index("type")
    assert city.loc[FSC, "radius_min"] == 10 and "radius_km" not in city
    v = read_sheet(wb, "villages")
    minutes = v["nearest_min"].astype(float).fillna(np.inf)
    np.testing.assert_array_equal(v["covered"].astype(float), (minutes <= 10) * 1.0)
    sources = read_sheet(wb, "sources").set_index("item")
    assert "road travel time" in sources.loc["distance", "detail"]
    acc = read_sheet(wb, "access")
    assert acc["threshold_min"].max() == pytest.approx(30.0)
