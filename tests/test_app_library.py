"""The site library in the app (streamlit.testing AppTest on the real data, each test with a
store of its own): an import goes into the library and is there for a new session; a
conflict is said in words and the user's rows are kept; layers roll back, export and
delete; address-only rows are kept as "listed, not located" and placed one at a time — by
the 里 their address names, a village picked from the list, a map click and a fake online
geocoder — each a new layer version with its precision; a scenario records the library
versions its baseline came from. Expected values come from the store read back here, the
village demand points projected here with pyproj, and hand counts."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
XSS = "<img src=x onerror=alert(1)>"
CSS_ = "community_support_site"

from streamlit.testing.v1 import AppTest  # noqa: E402

from _app_helpers import start_app  # noqa: E402


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A store of this test's own (site library and scenarios)."""
    monkeypatch.setenv("SAFETYNET_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(scope="module")
def villages():
    from analysis.context import load_context
    return load_context(library=False).villages


def _app(page: str = "data", lang: str = "zh-TW") -> AppTest:
    return start_app(lang, page=page)


def _import(at, data: bytes, file_name: str = "sites.csv", *, name: str = "",
            type_id: str = "", target: str | None = None) -> None:
    at.file_uploader(key="upload").set_value((file_name, data, "text/csv"))
    if name:
        at.text_input(key="lib_name").set_value(name)
    if type_id:
        at.selectbox(key="import_type").set_value(type_id)
    if target is not None:
        at.selectbox(key="lib_target").set_value(target)
    submit = [b for b in at.button if str(b.key).startswith("FormSubmitter:import_form")][0]
    submit.click().run()
    assert not at.exception, [e.message for e in at.exception]


def _plain(text: str) -> str:
    """Message text as shown: markdown escapes (user text is escaped) taken out."""
    return re.sub(r"\\(.)", r"\1", text)


def _frame(at, column: str) -> pd.DataFrame:
    return [d.value for d in at.dataframe if column in d.value.columns][0]


def _sites(names: list[str]) -> gpd.GeoDataFrame:
    """A small site table of the support-site type, 1 km apart on a line."""
    from geo.services import make_sites
    return make_sites([{"site_id": f"t{i}", "type": CSS_, "name": n, "status": "open",
                        "lon": 121.30 + 0.01 * i, "lat": 24.99, "located_by": "coordinates",
                        "precision": "exact"} for i, n in enumerate(names)])


def _demand_lonlat(villages, code: str) -> tuple[float, float]:
    """A village's demand point in lon/lat (pyproj, independent of the app)."""
    tr = Transformer.from_crs(3826, 4326, always_xy=True)
    return tr.transform(villages.at[code, "demand_x"], villages.at[code, "demand_y"])


def test_import_goes_into_the_library_and_survives_a_new_session(home):
    from store import list_layers, load_layer
    at = _app()
    csv = ("名稱,地址,經度,緯度,類型,狀態\n"
           f'"{XSS}",桃園市桃園區縣府路1號,121.3010,24.9936,{CSS_},open\n'
           f"壞座標,桃園市中壢區,999,24.95,{CSS_},open\n").encode("utf-8")
    _import(at, csv, name="我的清單")
    assert [s.value for s in at.success] == [
        "已存入圖層「我的清單」第 1 版：1 個據點（1 個已定位、0 個未定位），共讀取 2 列，1 列有錯誤未匯入。"]
    findings = _frame(at, "問題")
    bad = findings[findings["嚴重度"] == "錯誤"]
    assert list(bad["列"]) == [2] and list(bad["問題"]) == ["座標不在桃園市範圍內。"]
    assert list(bad["內容"]) == ["999"] and list(bad["欄位"]) == ["經度"]
    infos = list_layers()
    assert [(i.name, i.version, i.n_sites, i.source_file) for i in infos] == [
        ("我的清單", 1, 1, "sites.csv")]
    assert list(load_layer("我的清單").sites["name"]) == [XSS]

    fresh = _app()  # a new session: what a reload or a restart sees
    layers = _frame(fresh, "據點（已定位／未定位）").iloc[0]
    assert (layers["圖層"], layers["據點（已定位／未定位）"], layers["版本"]) == (
        "我的清單", "1 已定位／0 未定位", "第 1 版")
    rows = _frame(fresh, "定位方式")
    assert list(rows["名稱"]) == [XSS] and list(rows["定位方式"]) == ["檔案座標"]
    comp = _frame(fresh, "列出未定位").set_index("服務類型").loc["兒少及家庭社區支持服務據點（小衛星）"]
    assert (comp["已列出"], comp["已定位"], comp["列出未定位"]) == (1, 1, 0)
    landing = _app("overview")
    landing.sidebar.selectbox(key="type").set_value(CSS_).run()
    assert {m.label: m.value for m in landing.metric}["已定位 / 官方數"] == "1 / 56"


def test_a_conflict_is_said_in_words_and_nothing_is_lost(home):
    from store import load_layer, save_layer
    save_layer("共用清單", _sites(["甲"]), expected_version=0)
    at = _app()  # lists 共用清單 at version 1
    save_layer("共用清單", _sites(["乙", "丙"]), expected_version=1)  # someone else, meanwhile
    csv = f"名稱,經度,緯度,類型\n我的點,121.25,24.95,{CSS_}\n".encode("utf-8")
    _import(at, csv, target="共用清單")
    assert [w.value for w in at.warning] == [
        "圖層「共用清單」已被其他人更新為第 2 版（你的操作以第 1 版為準），未覆蓋。你的資料仍保留，請確認後再決定。"]
    stored = load_layer("共用清單")
    assert stored.info.version == 2 and list(stored.sites["name"]) == ["乙", "丙"]
    at.text_input(key="lib_pending_name").set_value("我的版本")
    at.button(key="lib_save_as").click().run()
    assert list(load_layer("我的版本").sites["name"]) == ["我的點"]
    assert load_layer("共用清單").info.version == 2

    _import(at, csv, name="我的版本")  # a new layer under a taken name: refused, kept
    assert [w.value for w in at.warning] == [
        "圖層「我的版本」已存在（第 1 版），未覆蓋。你的資料仍保留在下方，可另存新名稱或取代它。"]
    at.button(key="lib_replace_now").click().run()
    assert load_layer("我的版本").info.version == 2


def test_rollback_export_and_delete(home):
    import pyogrio
    from store import list_layers, load_layer, save_layer
    from ui import library
    save_layer("圖層甲", _sites(["一", "二"]), expected_version=0)
    save_layer("圖層甲", _sites(["一", "二", "三"]), expected_version=1)
    at = _app()
    at.selectbox(key="lib_to").set_value(1)
    at.button(key="lib_rollback").click().run()
    info = load_layer("圖層甲").info
    assert (info.version, info.based_on, info.n_sites) == (3, 1, 2)
    assert [s.value for s in at.success] == ["「圖層甲」已還原：第 3 版 = 第 1 版的內容。"]
    assert _frame(at, "版本").iloc[0]["版本"] == "第 3 版（還原自第 1 版）"

    # the download's bytes, read back with independent readers
    csv = pd.read_csv(__import__("io").BytesIO(library._export("圖層甲", 3, "csv")),
                      encoding="utf-8-sig")
    assert list(csv["name"]) == ["一", "二"] and list(csv["lon"]) == [121.30, 121.31]
    for fmt in ("geojson", "gpkg"):
        path = home / f"out.{fmt}"
        path.write_bytes(library._export("圖層甲", 3, fmt))
        layer = {"gpkg": "sites"}.get(fmt)
        assert list(pyogrio.read_dataframe(path, layer=layer)["name"]) == ["一", "二"]

    assert at.button(key="lib_delete").disabled  # not before the confirmation
    at.checkbox(key="lib_sure:圖層甲").check().run()
    assert not at.button(key="lib_delete").disabled
    at.button(key="lib_delete").click().run()
    assert list_layers() == [] and [s.value for s in at.success] == ["已刪除圖層「圖層甲」。"]


def _without_help(at) -> list:
    """Widgets of the page without a help text (the report section's too)."""
    kinds = ("selectbox", "multiselect", "number_input", "text_input", "checkbox", "toggle",
             "radio", "button", "download_button", "segmented_control")
    return [(kind, w.key) for kind in kinds for w in at.get(kind)
            if not getattr(w.proto, "help", "") and "FormSubmitter" not in str(w.key)]


class FakeGeocoder:
    """A stand-in for geopy's Nominatim (never online in tests)."""

    name = "FakeGeocoder"

    def __init__(self, lon: float, lat: float):
        self.point, self.calls = (lon, lat), []

    def geocode(self, query: str):
        self.calls.append(query)
        return SimpleNamespace(longitude=self.point[0], latitude=self.point[1])


def test_address_only_rows_are_kept_and_placed_one_at_a_time(home, villages):
    from store import load_layer
    at = _app()
    csv = ("名稱,地址,類型,狀態\n"
           f"甲據點,桃園市中壢區中央里中央西路1號,{CSS_},open\n"
           f"乙據點,桃園市中壢區中山路100號,{CSS_},open\n"
           f"丙據點,桃園市八德區介壽路1段5號,{CSS_},open\n"
           f"丁據點,桃園市大溪區民權路2號,{CSS_},open\n").encode("utf-8")
    _import(at, csv, name="待定位清單")
    assert "4 個據點（1 個已定位、3 個未定位）" in at.success[0].value
    assert "待定位據點（3 筆）" in [h.value for h in at.header]
    comp = _frame(at, "列出未定位").set_index("服務類型").loc["兒少及家庭社區支持服務據點（小衛星）"]
    assert (comp["已列出"], comp["已定位"], comp["列出未定位"]) == (4, 1, 3)
    sites = load_layer("待定位清單").sites.set_index("name")
    central = villages.index[(villages["district"] == "中壢區") & (villages["village"] == "中央里")][0]
    assert sites.at["甲據點", "precision"] == "village"  # (a) its 里, at import
    assert (sites.at["甲據點", "geometry"].x, sites.at["甲據點", "geometry"].y) == pytest.approx(
        _demand_lonlat(villages, central), abs=1e-7)
    landing = _app("overview")
    landing.sidebar.selectbox(key="type").set_value(CSS_).run()
    assert {m.label: m.value for m in landing.metric}["已定位 / 官方數"] == "1 / 56"

    assert not _without_help(at)  # the library's and the to-do list's controls too

    # (b) a village picked from the list: the first row of the to-do list is 乙
    code = villages.index[(villages["district"] == "中壢區") & (villages["village"] == "中山里")][0]
    picker = [s for s in at.selectbox if str(s.key).startswith("place_village:")][0]
    picker.set_value(code)
    at.button(key="place_at_village").click().run()
    assert at.success[0].value == "「乙據點」已定位（村里需求點（非門牌位置）），存為「待定位清單」第 2 版。"
    # (b) a click on the map, then the button: 丙
    at.session_state["place_map"] = {"last_clicked": {"lat": 24.953, "lng": 121.297}}
    at.run()
    assert "點選的位置：24.95300, 121.29700" in [c.value for c in at.caption]
    at.button(key="place_at_click").click().run()
    # (c) the online geocoder: off by default; on, it says what leaves the machine: 丁
    assert at.toggle(key="place_geo").value is False
    assert "線上地址定位預設關閉：地址不會離開這台電腦。" in [c.value for c in at.caption]
    fake = FakeGeocoder(121.2950, 24.8830)
    at.session_state["place_geocoder"] = fake
    at.toggle(key="place_geo").set_value(True).run()
    assert any("傳送到 FakeGeocoder" in w.value and "網際網路" in w.value for w in at.warning)
    at.button(key="place_geocode").click().run()
    assert fake.calls == ["桃園市大溪區民權路2號"]
    assert "來自線上地址定位（FakeGeocoder）" in at.success[0].value

    layer = load_layer("待定位清單")
    assert layer.info.version == 4 and layer.info.n_unlocated == 0
    s = layer.sites.set_index("name")
    assert list(s["precision"]) == ["village", "village", "hand", "geocoder"]
    assert (s.at["乙據點", "geometry"].x, s.at["乙據點", "geometry"].y) == pytest.approx(
        _demand_lonlat(villages, code), abs=1e-7)
    assert (s.at["丙據點", "geometry"].x, s.at["丙據點", "geometry"].y) == (121.297, 24.953)
    assert (s.at["丁據點", "geometry"].x, s.at["丁據點", "geometry"].y) == (121.2950, 24.8830)
    assert "待定位據點（0 筆）" in [h.value for h in at.header]
    shown = _frame(at, "定位方式")
    assert list(shown["定位方式"]) == ["村里需求點（非門牌位置）", "村里需求點（非門牌位置）", "手動放置",
                                   "線上地址定位（請確認）"]
    landing = _app("overview")
    landing.sidebar.selectbox(key="type").set_value(CSS_).run()
    assert {m.label: m.value for m in landing.metric}["已定位 / 官方數"] == "4 / 56"


def test_a_saved_scenario_names_the_library_versions_of_its_baseline(home):
    from store import load_scenario, save_layer
    save_layer("情境用圖層", _sites(["甲"]), expected_version=0)
    at = AppTest.from_file(str(ROOT / "tests" / "apps" / "scenario_app.py"), default_timeout=120)
    at.session_state["scn_store_dir"] = str(home / "scenarios")
    at.run()  # the baseline is taken now: library version 1
    save_layer("情境用圖層", _sites(["甲", "乙"]), expected_version=1)
    at.text_input(key="scn_name").set_value("有圖層的情境")
    at.button(key="scn_save").click().run()
    assert not at.exception
    scn = load_scenario("有圖層的情境", store=home / "scenarios")
    assert scn.layer_versions == {"情境用圖層": 1}
    assert list(scn.baseline.loc[scn.baseline["type"] == CSS_, "name"]) == ["甲"]


def _xlsx(path: Path) -> bytes:
    """A workbook with a formula that has no saved value (openpyxl writes none) in 經度 of
    row 1 and an #N/A error cell in 容量 of row 2."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名稱", "經度", "緯度", "容量", "類型"])
    ws.append(["公式列", "=120+1.3", 24.99, 10, CSS_])
    ws.append(["錯誤列", 121.31, 24.98, "#N/A", CSS_])
    ws["D3"].data_type = "e"
    wb.save(path)
    return path.read_bytes()


def test_import_messages_are_specific_and_never_a_traceback(home, tmp_path, villages):
    at = _app()
    _import(at, b"\x00\x01 not a workbook \xff" * 20, "bad.xlsx")
    err = _plain(at.error[0].value)
    assert err.startswith("無法讀取檔案：") and "bad.xlsx" in err
    assert "Traceback" not in err and "/tmp" not in err and str(tmp_path) not in err

    _import(at, _xlsx(tmp_path / "cells.xlsx"), "cells.xlsx", name="儲存格")
    problems = _frame(at, "問題")
    by_code = dict(zip(problems["內容"], problems["問題"]))
    assert by_code["=120+1.3"].startswith("儲存格是沒有計算結果的公式")
    assert by_code["#N/A"].startswith("儲存格是 Excel 錯誤值")

    # a 里 name used in several districts is not guessed; metres without a declared system
    name = villages.groupby("village")["district"].nunique().idxmax()
    geo = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
           '{"名稱": "公尺點", "類型": "' + CSS_ + '"}, "geometry": {"type": "Point", '
           '"coordinates": [281436.3, 2764794.0]}}]}').encode("utf-8")
    _import(at, geo, "metres.geojson", name="公尺")
    assert "未註明座標系統，依數值推定。" in list(_frame(at, "問題")["問題"])
    _import(at, f"名稱,地址,類型\n同名里點,{name}10號,{CSS_}\n".encode("utf-8"), name="同名")
    problems = _frame(at, "問題")
    assert "村里名稱不只一個，請加上行政區。" in list(problems["問題"])
    assert name in list(problems["內容"])

    en = _app(lang="en")
    _import(en, b"\x00\x01 not a workbook \xff" * 20, "bad.xlsx")
    text = _plain(en.error[0].value)
    assert text.startswith("Could not read the file:") and "bad.xlsx" in text
    assert "Traceback" not in text


def test_every_finding_code_of_the_readers_reads_in_words():
    """Every code the site readers and checks give a finding or an error has a description
    in the catalogue (the data page shows it in the page's language): the codes are taken
    from the readers' source, each a string literal passed as a finding's code."""
    import ast
    import re

    from i18n import CATALOGUE
    codes = set()
    for path in [*sorted((ROOT / "geo" / "readers").glob("*.py")),
                 *(ROOT / "geo" / n for n in ("imports.py", "checks.py", "geocode.py",
                                              "population.py", "plausibility.py"))]:
        src = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(src)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            given = [kw.value for kw in node.keywords if kw.arg == "code"]
            positional = {"CellProblem": 1, "add": 5}.get(name)
            if name == "Finding":  # the code follows the severity (after *where, if any)
                positional = next((i + 1 for i, a in enumerate(node.args) if isinstance(
                    a, ast.Constant) and a.value in ("error", "warning", "info")), None)
            if positional is not None and len(node.args) > positional:
                given.append(node.args[positional])
            for arg in given:  # a literal, or each literal of a conditional expression
                codes |= {c.value for c in ast.walk(arg) if isinstance(c, ast.Constant)}
        # (mask, field, "code", expected) problem tuples of the coordinate readers
        codes |= set(re.findall(r'\(\w+(?: & ~?\w+)?, "\w+", "([a-z_]+)",', src))
    codes = {c for c in codes if isinstance(c, str) and c}
    assert {"crs_assumed", "ambiguous_village", "formula_without_value", "error_cell",
            "unlocated", "coordinate_out_of_range"} <= codes
    missing = sorted(c for c in codes if f"finding.{c}" not in CATALOGUE)
    assert not missing, missing


def test_import_without_a_received_file_says_so(home):
    """Pressing 匯入 before a file has arrived (none chosen, or its upload still running)
    says so instead of doing nothing; nothing is stored."""
    from store import list_layers
    at = _app()
    submit = [b for b in at.button if str(b.key).startswith("FormSubmitter:import_form")][0]
    submit.click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "尚未收到檔案：請先選擇檔案，待檔名出現在上方後再按「匯入」。"]
    assert list_layers() == []
