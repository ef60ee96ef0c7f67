"""Every numeric argument of every analysis command refuses nan, inf, negative and absurd
values with a message naming the flag (exit 2, nothing written), and an output path that is
one of the inputs is refused: no argument can switch a check off or destroy an input
(issue 13 item 3, issue 15 item 2)."""
from __future__ import annotations

import shutil

import pytest

from cli import main

FSC = ["--type", "family_service_centre"]
BAD = [
    ("coverage", [*FSC, "--radius-km", "nan"], "--radius-km"),
    ("coverage", [*FSC, "--radius-km", "inf"], "--radius-km"),
    ("coverage", [*FSC, "--radius-km", "1e9"], "--radius-km"),
    ("coverage", [*FSC, "--radius-km", "0"], "--radius-km"),
    ("coverage", [*FSC, "--radius-km", "1e-300"], "--radius-km"),
    ("coverage", [*FSC, "--radius-km=-inf"], "--radius-km"),
    ("coverage", [*FSC, "--mode", "network", "--radius-min", "0.01"], "--radius-min"),
    ("coverage", [*FSC, "--mode", "network", "--radius-min", "nan"], "--radius-min"),
    ("coverage", [*FSC, "--mode", "network", "--radius-min", "-3"], "--radius-min"),
    ("coverage", [*FSC, "--mode", "network", "--max-snap-m", "inf"], "--max-snap-m"),
    ("coverage", [*FSC, "--mode", "network", "--max-snap-m", "0"], "--max-snap-m"),
    ("hotspots", ["--indicator", "children_density", "--alpha", "nan"], "alpha"),
    ("hotspots", ["--indicator", "children_density", "--alpha", "2"], "alpha"),
    ("hotspots", ["--indicator", "children_density", "--permutations", "-5"], "permutations"),
    ("hotspots", ["--indicator", "children_density", "--weights", "distance",
                  "--threshold-m", "inf"], "threshold_m"),
    ("hotspots", ["--indicator", "children_density", "--top", "-1"], "--top"),
    ("hotspots", ["--indicator", "uncovered_share", *FSC, "--radius-km", "nan"], "--radius-km"),
    ("optimize", [*FSC, "--k", "-1"], "k"),
    ("optimize", [*FSC, "--k", "2", "--time-limit", "nan"], "time_limit"),
    ("optimize", [*FSC, "--k", "2", "--time-limit", "-1"], "time_limit"),
    ("optimize", [*FSC, "--k", "2", "--radius-km", "inf"], "--radius-km"),
    ("report", ["--radius-km", "nan"], "--radius-km"),
    ("report", ["--alpha", "inf"], "alpha"),
]
OUT = {"coverage": "x.csv", "hotspots": "x.csv", "optimize": "x.json", "report": "x.xlsx"}


@pytest.mark.parametrize("command, args, flag", BAD,
                         ids=[f"{c}:{' '.join(a[-2:])}" for c, a, _ in BAD])
def test_bad_numbers_are_refused(tmp_path, capsys, monkeypatch, data_dir, command, args, flag):
    monkeypatch.chdir(tmp_path)
    code = main([command, *args, "--out", OUT[command], "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert flag in err and "Traceback" not in err
    assert not (tmp_path / OUT[command]).exists()


def test_output_equal_to_an_input_is_refused(tmp_path, capsys, data_dir):
    pop = tmp_path / "pop.csv"
    shutil.copy(data_dir / "population" / "taoyuan_villages_2021-03.csv", pop)
    before = pop.read_bytes()
    for command, extra in (("coverage", FSC), ("hotspots", ["--indicator", "children_density"])):
        code = main([command, *extra, "--population-file", str(pop), "--out", str(pop),
                     "--data-dir", str(data_dir)])
        assert code == 2 and "input" in capsys.readouterr().err
        assert pop.read_bytes() == before
