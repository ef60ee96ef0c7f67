"""``safetynet layers``: messages and exit codes of a full round trip (import, show, export,
rollback, delete) and bad input exiting 2 with a message. Helpers:
tests/_layer_store_helpers.py."""
from __future__ import annotations

import json

import geopandas as gpd

from _layer_store_helpers import CSS, _site_csv
from _layer_store_helpers import lib  # noqa: F401  (fixtures)
from store import list_layers


# --- CLI messages and exit codes ------------------------------------------------------

def _cli(capsys, *argv):
    from cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_round_trip_and_exit_codes(lib, tmp_path, capsys):
    _site_csv(tmp_path / "a.csv")
    store = ("--store", str(lib))
    code, out, err = _cli(capsys, "layers", "import", str(tmp_path / "a.csv"), "--name", "L",
                          "--type", CSS, "--lang", "en", *store)
    assert code == 0 and "version 1: 3 sites (1 unlocated" in out, err
    code, _, err = _cli(capsys, "layers", "import", str(tmp_path / "a.csv"), "--name", "L",
                        "--type", CSS, *store)
    assert code == 1 and "already exists (version 1)" in err
    code, _, err = _cli(capsys, "layers", "import", str(tmp_path / "a.csv"), "--name", "L",
                        "--type", CSS, "--replace", *store)
    assert code == 0, err
    code, out, _ = _cli(capsys, "layers", "rollback", "L", "--to", "1", *store)
    assert code == 0 and "L：第 3 版 = 第 1 版的內容" in out  # zh-TW, the default
    code, out, _ = _cli(capsys, "layers", "show", "L", "--json", *store)
    shown = json.loads(out)
    assert code == 0 and [h["version"] for h in shown["history"]] == [1, 2, 3]
    assert shown["layer"]["based_on"] == 1
    code, _, err = _cli(capsys, "layers", "export", "L", "--out", str(tmp_path / "L.gpkg"),
                        *store)
    assert code == 0 and len(gpd.read_file(tmp_path / "L.gpkg", layer="sites")) == 3, err
    code, _, err = _cli(capsys, "layers", "export", "L", "--out", str(tmp_path / "L.gpkg"),
                        *store)
    assert code == 1 and "file exists" in err
    code, _, err = _cli(capsys, "layers", "rollback", "L", "--to", "9", *store)
    assert code == 1 and "no version 9; kept versions: 1, 2, 3" in err
    code, _, err = _cli(capsys, "layers", "delete", "L", "--expected-version", "2", *store)
    assert code == 1 and "stored version 3, yours is based on version 2" in err
    code, out, _ = _cli(capsys, "layers", "delete", "L", "--expected-version", "3", *store)
    assert code == 0 and list_layers(store=lib) == []
    code, _, err = _cli(capsys, "layers", "show", "L", *store)
    assert code == 1 and "no layer named 'L'" in err


def test_cli_bad_input_exits_2_with_a_message(lib, tmp_path, capsys):
    store = ("--store", str(lib))
    code, _, err = _cli(capsys, "layers", "import", str(tmp_path / "missing.csv"), "--name",
                        "L", *store)
    assert code == 2 and "missing.csv" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("名稱,類型,經度,緯度\nx,bogus,121.2,24.9\n", encoding="utf-8")
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "L", "--lang", "en",
                        *store)
    assert code == 2 and "no site could be read" in err and "row 1" in err
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "L", *store)
    assert code == 2 and "讀不到任何據點（1 列被拒絕），未儲存" in err and "第 1 列" in err
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "L", "--type", "x",
                        *store)
    assert code == 2 and "'x'" in err
    code, _, err = _cli(capsys, "layers", "import", str(bad), "--name", "", "--type", CSS,
                        *store)
    assert code == 2
    code, _, err = _cli(capsys, "layers", "export", "L", "--out", str(tmp_path / "L.txt"),
                        *store)
    assert code == 2 and "'.txt'" in err
    assert list_layers(store=lib) == [] and "Traceback" not in err
