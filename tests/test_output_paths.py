"""An export never writes into what the tool reads: the data directory in use and the store
of site layers and scenarios are refused as output places (a planner's `--out` typo must
not destroy the city's files or the library), with a message naming the folder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli import main
from common.files import refuse_writing_inside

FSC = "family_service_centre"


def test_outputs_inside_the_data_directory_are_refused(data_dir, capsys):
    existing = data_dir / "vintages" / "taoyuan_villages_2025-12.csv"
    before = existing.read_bytes()
    assert main(["coverage", "--type", FSC, "--out", str(existing),
                 "--data-dir", str(data_dir)]) == 2
    assert existing.read_bytes() == before  # the published file is untouched
    capsys.readouterr()
    target = data_dir / "vintages" / "safetynet_test_output.csv"
    assert main(["coverage", "--type", FSC, "--out", str(target),
                 "--data-dir", str(data_dir)]) == 2
    assert not target.exists()
    err = capsys.readouterr().err
    assert "lies inside the data directory" in err and str(data_dir.resolve()) in err
    assert "Traceback" not in err
    # the report stops before any work, for any format
    assert main(["report", "--type", FSC, "--out", str(data_dir / "x.xlsx"),
                 "--data-dir", str(data_dir)]) == 2
    assert not (data_dir / "x.xlsx").exists()


@pytest.mark.parametrize("command", [
    ["hotspots", "--indicator", "children_density", "--out"],
    ["optimize", "--type", FSC, "--k", "1", "--out"],
    ["layers", "export", "不存在的圖層", "--out"],
    ["scenario", "export", "不存在的情境"]])
def test_every_export_refuses_the_data_directory_of_data_dir(tmp_path, command, capsys):
    """Each command that writes a file checks the --data-dir it was given (hotspots and
    optimize used to check only the default one), before any other work."""
    data = tmp_path / "data"
    (data / "vintages").mkdir(parents=True)
    target = data / "vintages" / "x.json"
    assert main([*command, str(target), "--data-dir", str(data)]) == 2
    assert not target.exists()
    assert "lies inside the data directory" in capsys.readouterr().err


def test_outputs_inside_the_store_are_refused(data_dir, tmp_path, capsys):
    home = Path(os.environ["SAFETYNET_HOME"])  # the test session's own store (conftest)
    for out, what in ((home / "scenarios" / "s.gpkg", "the scenario store"),
                      (home / "layers" / "a" / "v000001.gpkg", "the site library")):
        assert main(["report", "--type", FSC, "--format", "gpkg", "--out", str(out),
                     "--data-dir", str(data_dir)]) == 2
        assert not out.exists()
        assert f"lies inside {what}" in capsys.readouterr().err
    # beside the store, in its root folder, is a normal place for an output
    assert main(["coverage", "--type", FSC, "--out", str(home / "beside.json"),
                 "--data-dir", str(data_dir)]) == 0
    (home / "beside.json").unlink()
    # a layer exported into the library's own folder
    csv = tmp_path / "sites.csv"
    csv.write_text("名稱,經度,緯度,類型\n甲,121.3,24.99,community_support_site\n", "utf-8")
    assert main(["layers", "import", str(csv), "--name", "出口測試",
                 "--data-dir", str(data_dir)]) == 0
    out = home / "layers" / "copy.csv"
    assert main(["layers", "export", "出口測試", "--out", str(out)]) == 2
    assert not out.exists()
    assert main(["layers", "delete", "出口測試"]) == 0


def test_refuse_writing_inside_follows_links_and_relative_spellings(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(data)
    monkeypatch.chdir(tmp_path)
    for out in (data / "sub" / "x.csv", link / "x.csv", Path("data/../data/x.csv"), data):
        with pytest.raises(ValueError, match="lies inside the data"):
            refuse_writing_inside(out, {"the data": data, "nothing": None})
    for out in (tmp_path / "x.csv", tmp_path / "data2" / "x.csv"):
        refuse_writing_inside(out, {"the data": data})  # beside it is fine
