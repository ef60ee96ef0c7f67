"""The site library's round trips through the CLI: two lists imported without an id column
(both read as <type>-imp-<row>) and a list that reuses a public site's id keep every site
id unique (the second import used to break every command until a delete); an exported
layer imported again keeps how each site was located (a village point never turns exact)."""
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
        summary = json.loads(out.read_text("utf-8"))["summary"]
        assert summary["sites"] == 4  # no public list of this type: 2 + 2 imported
        assert summary["layers"] == {names[0]: 1, names[1]: 1}
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


def test_an_exported_layer_read_again_keeps_how_each_site_was_located(tmp_path, data_dir):
    """A village-placed site exported (CSV, GeoJSON) and imported again stays "village";
    an unknown value, or a row without a point, never claims more than the point shows."""
    csv = tmp_path / "addr.csv"
    csv.write_text("名稱,地址\n甲,桃園市中壢區中央里中央西路1號\n乙,桃園市八德區介壽路1段5號\n",
                   "utf-8")
    made = ["定位往返"]
    try:
        assert main(["layers", "import", str(csv), "--name", made[0], "--type", CSS_,
                     "--data-dir", str(data_dir)]) == 0
        for fmt in ("csv", "geojson"):
            out = tmp_path / f"export.{fmt}"
            assert main(["layers", "export", made[0], "--out", str(out)]) == 0
            name = f"定位往返{fmt}"
            made.append(name)
            assert main(["layers", "import", str(out), "--name", name, "--type", CSS_,
                         "--data-dir", str(data_dir)]) == 0
            got = load_layer(name).sites.set_index("name")
            assert (got.at["甲", "located_by"], got.at["甲", "precision"]) == ("village",
                                                                              "village")
            assert (got.at["乙", "located_by"], got.at["乙", "precision"]) == ("", "")
        odd = tmp_path / "odd.csv"
        odd.write_text("名稱,地址,經度,緯度,located_by,precision\n丙,,121.3,24.99,gps,meter\n"
                       "丁,桃園市八德區介壽路1段5號,,,village,village\n", "utf-8")
        made.append("定位往返odd")
        assert main(["layers", "import", str(odd), "--name", made[-1], "--type", CSS_,
                     "--data-dir", str(data_dir)]) == 0
        got = load_layer(made[-1]).sites.set_index("name")
        assert (got.at["丙", "located_by"], got.at["丙", "precision"]) == ("coordinates",
                                                                          "exact")
        assert got.at["丁", "located_by"] == "" and got.geometry["丁"].is_empty
    finally:
        for name in made:
            if name in {i.name for i in list_layers()}:
                assert main(["layers", "delete", name]) == 0


def test_import_says_how_sites_were_located_and_cautions(tmp_path, data_dir, capsys):
    """`layers import` reports what `validate` would: undeclared metres get the TWD67
    caution (text and JSON), and the sites are counted by how they were located."""
    metres = tmp_path / "m.csv"
    metres.write_text("名稱,X,Y,類型\n甲,280000,2760000,community_support_site\n", "utf-8")
    addr = tmp_path / "a.csv"
    addr.write_text("名稱,地址\n甲,桃園市中壢區中央里中央西路1號\n乙,桃園市八德區介壽路1段5號\n",
                    "utf-8")
    made = []
    try:
        made.append("公尺座標")
        assert main(["layers", "import", str(metres), "--name", made[-1],
                     "--data-dir", str(data_dir)]) == 0
        out = capsys.readouterr().out
        assert "定位方式：檔案座標 1" in out and "未註明座標系統" in out and "EPSG:3828" in out
        made.append("公尺座標json")
        assert main(["layers", "import", str(metres), "--name", made[-1], "--json",
                     "--data-dir", str(data_dir)]) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["located_by"] == {"coordinates": 1}
        assert [f["code"] for f in doc["findings"]] == ["crs_assumed"]
        made.append("地址清單")
        assert main(["layers", "import", str(addr), "--name", made[-1], "--type", CSS_,
                     "--data-dir", str(data_dir)]) == 0
        assert "定位方式：村里需求點 1、未定位 1" in capsys.readouterr().out
    finally:
        for name in made:
            if name in {i.name for i in list_layers()}:
                assert main(["layers", "delete", name]) == 0


def test_prefixed_ids_never_clash_again(tmp_path):
    """A clash is written <layer>:<id>; when that is taken too (by a public site, another
    layer or a row of the same list) a counter follows, so every id is stored once."""
    import geopandas as gpd
    from shapely.geometry import Point

    from store.site_ids import unique_site_ids
    sites = gpd.GeoDataFrame({"site_id": ["x", "B:x", "y", "z"]},
                             geometry=[Point(121.3, 25.0)] * 4, crs=4326)
    got = unique_site_ids(sites, "B", public_ids=["x", "y", "B:y"], store=tmp_path)
    assert got["site_id"].tolist() == ["B:x~2", "B:x", "B:y~2", "z"]
    assert unique_site_ids(sites, "B", public_ids=["q"], store=tmp_path) is sites


def test_located_by_values_are_read_with_care(tmp_path, data_dir):
    """Capitals, Chinese words, a blank or a misspelt column and mismatched pairs: a point
    that either column calls village-level is never stored as exact, and every doubtful
    cell is a warning naming the row."""
    from geo.imports import read_sites
    csv = tmp_path / "lb.csv"
    csv.write_text("名稱,經度,緯度,located_by,precision\n"
                   "A1,121.30,24.99,Village,village\n"
                   "A2,121.31,24.99,vilage,village\n"
                   "A3,121.32,24.99,,village\n"
                   "A4,121.33,24.99,村里,村里\n"
                   "A5,121.34,24.99,coordinates,village\n"
                   "A6,121.35,24.99,gps,meter\n"
                   "A7,121.36,24.99,hand,hand\n", "utf-8")
    res = read_sites(csv, service_type=CSS_)
    got = res.sites.set_index("name")[["located_by", "precision"]].apply(tuple, axis=1)
    assert got.to_dict() == {
        "A1": ("village", "village"), "A2": ("village", "village"),
        "A3": ("village", "village"), "A4": ("village", "village"),
        "A5": ("village", "village"), "A6": ("coordinates", "exact"),
        "A7": ("hand", "hand")}
    warned = sorted((f.row, f.code) for f in res.findings
                    if f.code in ("unknown_located_by", "located_by_mismatch"))
    assert warned == [(2, "unknown_located_by"), (5, "located_by_mismatch"),
                      (6, "unknown_located_by"), (6, "unknown_located_by")]
