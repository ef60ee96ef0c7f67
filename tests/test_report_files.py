"""Reports on the real Taoyuan data, the GeoPackage export and writing files: layers and
columns reopened with pyogrio against the numpy reference, a failed xlsx / gpkg write leaving
the previous file in place with no temporary leftovers, and an output never overwriting an
input. Shared references and fixtures: tests/_report_fixtures.py."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio
import pytest

from _report_fixtures import MHC, RADIUS, nearest_m
from _report_fixtures import after, ctx, data, scenario  # noqa: F401  (fixtures)
from reports import build_report, export_report


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
