import json
import subprocess
import sys

from cli import main
from geo.paths import PROJECT_ROOT


def test_info_json_on_default_data(capsys, data_dir):
    assert main(["info", "--json", "--data-dir", str(data_dir)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["villages"] == 504 and info["districts"] == 13
    assert info["population"]["total_population"] == 2_270_689
    layers = {row["type"]: row for row in info["layers"]}
    assert layers["family_service_centre"]["located"] == 15
    assert layers["community_support_site"]["official_count"] == 56
    assert info["missing"] == []


def test_info_without_data_says_what_is_missing(tmp_path, capsys):
    assert main(["info", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "村里 villages: 504" in out
    assert "ODRP014" in out and "population/" in out
    assert "family_service_centres.geojson" in out


def test_bad_data_dir_is_a_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cli", "info", "--data-dir",
                           str(tmp_path / "nope")], capture_output=True, text=True,
                          cwd=PROJECT_ROOT)
    assert proc.returncode == 2
    assert "data directory not found" in proc.stderr and "nope" in proc.stderr


def test_console_script_is_installed(data_dir):
    """`safetynet` is the entry point the set-up installs (pyproject [project.scripts])."""
    from pathlib import Path
    script = Path(sys.executable).parent / "safetynet"
    assert script.exists(), f"{script} missing: run ./run.sh (pip install -e .) first"
    proc = subprocess.run([str(script), "info", "--json", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["population"]["total_population"] == 2_270_689
