"""``safetynet validate``'s arguments on malformed input: an unreadable --crs, --sheet on a CSV,
--encoding on a workbook, options without a file, a missing file, population files with errors
and with site options, unlocated rows in --json; exit codes and messages. Helpers:
tests/_malformed_helpers.py."""
from __future__ import annotations

import json

from _malformed_helpers import GOOD1, HEADER, _population, _set, _sites_book, _write
from cli import main as cli_main


# --- validate's arguments -------------------------------------------------------------------

def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli_main(["validate", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_crs_pyproj_cannot_read(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "\n".join([HEADER, GOOD1])), "--crs", "bogus")
    assert code == 2 and "--crs='bogus'" in err and "EPSG:3826" in err


def test_cli_crs_nan(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "\n".join([HEADER, GOOD1])), "--crs", "nan")
    assert code == 2 and "--crs='nan'" in err and "Traceback" not in err


def test_cli_sheet_on_a_csv(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "\n".join([HEADER, GOOD1])), "--sheet", "1")
    assert code == 2 and "--sheet" in err and ".xlsx" in err


def test_cli_encoding_on_a_workbook(tmp_path, capsys):
    path = _sites_book(tmp_path, ["丙", 121.2, 24.95, "小衛星", 1])
    code, _, err = _cli(capsys, path, "--encoding", "utf-8")
    assert code == 2 and "--encoding" in err and "no text encoding" in err


def test_cli_options_without_a_file(capsys):
    code, _, err = _cli(capsys, "--type", "小衛星")
    assert code == 2 and "--type" in err and "validate FILE" in err


def test_cli_missing_file(tmp_path, capsys):
    code, _, err = _cli(capsys, tmp_path / "none.csv")
    assert code == 2 and "none.csv" in err and "not found" in err


def test_cli_population_file_with_errors(tmp_path, data_dir, capsys):
    path = _population(tmp_path, data_dir, lambda r: _set(r, 9, 戶數=int(r.loc[9, "人口"]) + 1))
    code, out, _ = _cli(capsys, path, "--population", "--lang", "en")
    assert code == 1 and "row 10" in out and "戶數" in out
    code, out, _ = _cli(capsys, path, "--population")
    assert code == 1 and "第 10 列" in out and "戶數" in out


def test_cli_population_with_site_options(tmp_path, capsys):
    code, _, err = _cli(capsys, _write(tmp_path, "x"), "--population", "--crs", "EPSG:3826")
    assert code == 2 and "--population" in err


def test_cli_unlocated_rows_load_and_show_in_json(tmp_path, capsys):
    path = _write(tmp_path, "名稱,地址,類型\n丙,龍潭區干城路19巷30號,小衛星\n")
    code, out, _ = _cli(capsys, path, "--json")
    data = json.loads(out)
    assert code == 0 and (data["loaded"], data["unlocated"], data["rejected"]) == (1, 1, 0)
    assert (data["sites"][0]["lon"], data["sites"][0]["located_by"]) == (None, "")
