"""Two lists imported without an id column (both read as <type>-imp-<row>) and a list that
reuses a public site's id: every site id stays unique across the library, so later
commands keep working (the second import used to break every command until a delete)."""
from __future__ import annotations

import json

from cli import main
from store import list_layers, load_layer

CSS_ = "community_support_site"


def test_repeated_generated_ids_are_made_unique(tmp_path, data_dir, capsys):
    csv = tmp_path / "addr.csv"
    csv.write_text("名稱,經度,緯度\n甲,121.30,24.99\n乙,121.22,24.95\n", "utf-8")
    names = ("編號測試一", "編號測試二")
    try:
        for name in names:
            assert main(["layers", "import", str(csv), "--name", name, "--type", CSS_,
                         "--data-dir", str(data_dir)]) == 0
        first, second = (load_layer(n).sites["site_id"].tolist() for n in names)
        assert len(first) == len(second) == 2
        assert second == [f"{names[1]}:{sid}" for sid in first]  # the later list prefixed
        out = tmp_path / "c.json"
        assert main(["coverage", "--type", CSS_, "--out", str(out),
                     "--data-dir", str(data_dir)]) == 0
        assert json.loads(out.read_text("utf-8"))["summary"]["sites"] >= 4
        # re-importing into the same layer keeps its own ids (no clash with itself)
        assert main(["layers", "import", str(csv), "--name", names[0], "--type", CSS_,
                     "--replace", "--data-dir", str(data_dir)]) == 0
        assert load_layer(names[0]).sites["site_id"].tolist() == first
    finally:
        for name in names:
            if name in {i.name for i in list_layers()}:
                assert main(["layers", "delete", name]) == 0
    capsys.readouterr()


def test_an_id_of_a_public_site_is_not_taken(tmp_path, data_dir):
    csv = tmp_path / "fsc.csv"
    csv.write_text("site_id,名稱,經度,緯度\nfsc-001,新中心,121.30,24.99\n", "utf-8")
    try:
        assert main(["layers", "import", str(csv), "--name", "公開編號測試", "--type",
                     "mental_health_centre", "--data-dir", str(data_dir)]) == 0
        assert load_layer("公開編號測試").sites["site_id"].tolist() == ["公開編號測試:fsc-001"]
    finally:
        assert main(["layers", "delete", "公開編號測試"]) == 0
