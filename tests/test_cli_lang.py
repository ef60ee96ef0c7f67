"""The CLI's text output follows --lang: `info`, `layers list/show`, `scenario list/show/apply`
and `hotspots` print English without Chinese (bar proper names from the data) and zh-TW
without English sentences (bar ids, units and file names), and the figures they print are
the figures of the same command's --json output."""
from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from cli import main
from geo.services import SERVICE_TYPES

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
FILE = re.compile(r"[^\s：，（）「」“”]+\.(?:txt|csv|geojson|gpkg|json|xlsx|shp)\b")
PATH = re.compile(r"/[^\s，；（）]+")
# ASCII words allowed in zh-TW output: ids of service types and indicators come from the
# data; these are technical terms and units, listed one by one.
ZH_ALLOWED = {"Getis", "Ord", "Gi", "Gi_Bin", "ArcGIS", "Queen", "queen", "FDR", "LISA",
              "Moran", "Benjamini", "Hochberg", "km", "NTD", "HH", "LL", "HL", "LH"}


def _run(capsys, *argv) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def chinese_left(text: str, names=()) -> list[str]:
    """Chinese runs left once the proper names (longest first) are taken out."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    return sorted(set(CJK.findall(PATH.sub(" ", text))))


def english_words(text: str, ids=()) -> list[str]:
    """ASCII words of four letters or more that are not ids, file names or allowed terms."""
    text = FILE.sub(" ", PATH.sub(" ", text))
    allowed = ZH_ALLOWED | set(SERVICE_TYPES) | set(ids)
    return sorted({w for w in WORD.findall(text) if len(w) >= 4 and w not in allowed})


def numbers(text: str) -> list[str]:
    return re.findall(r"\d(?:[\d,]*\d)?(?:\.\d+)?", text)


def test_the_checks_catch_what_they_should():
    assert chinese_left("sites 3 (未定位)") == ["未定位"]
    assert chinese_left("site 大溪站", names={"大溪站"}) == []
    assert english_words("據點 3 個 sites，檔案 a_file.csv，family_service_centre") == ["sites"]


# --- info ---------------------------------------------------------------------------------

def _capture(*argv) -> str:
    """stdout of ``safetynet ARGV`` (exit code 0), for module-scoped fixtures."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(list(argv)) == 0
    return buf.getvalue()


@pytest.fixture(scope="module")
def info_outputs(data_dir):
    out = {lang: _capture("info", "--data-dir", str(data_dir), "--lang", lang)
           for lang in ("zh-TW", "en")}
    return out, json.loads(_capture("info", "--json", "--data-dir", str(data_dir)))


def _info_names(info: dict, data_dir) -> set[str]:
    """Names the English info may show in Chinese: finding values, income rows whose name
    matches no village (no English name exists for them), 小衛星 of a type name."""
    names = {str(f.get("value")) for f in info["findings"]}
    names |= {r["village"] for r in info["indicators"]["income"]["unmatched_names"]}
    names |= {r["village"] for r in info["indicators"]["income"]["zero_unit_rows"]}
    return names | {"小衛星"}


def test_info_english_has_no_chinese_and_zh_no_english(info_outputs, data_dir):
    out, info = info_outputs
    assert chinese_left(out["en"], _info_names(info, data_dir)) == []
    ids = set(info["indicators"]) | {"NTD"}
    assert english_words(out["zh-TW"], ids) == []
    # the service names come from the catalogue's type names, in each language
    from i18n import type_name
    for type_id in SERVICE_TYPES:
        assert type_name(type_id, "en") in out["en"] and type_name(type_id, "zh-TW") in out["zh-TW"]


def test_info_figures_equal_the_json(info_outputs):
    out, info = info_outputs
    for lang, text in out.items():
        nums = numbers(text)
        assert str(info["villages"]) in nums and str(info["districts"]) in nums
        assert f"{info['population']['total_population']:,}" in nums
        for row in info["layers"]:
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(row["type"]))
            assert numbers(line)[-2:] == [str(row["located"]), str(row["official_count"])], line
        cw = info["crosswalk"]
        for n in (cw["old_villages"], cw["new_villages"], cw["unchanged"]):
            assert str(n) in nums
        for code, split in cw["split_villages"].items():
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(code))
            assert [f"{p['share_of_parent']:.1%}".rstrip("%") for p in split["parents"]] == [
                n for n in numbers(line) if "." in n], line
        assert re.search(rf"\b{len(info['findings'])}\b", text)


def test_info_prints_the_income_join_report_in_words(info_outputs):
    out, info = info_outputs
    income = info["indicators"]["income"]
    other = [r for r in income["other_rows"] if r["unit"] > 0]
    assert other and income["unmatched_names"]  # the default data has both
    zh = next(ln for ln in out["zh-TW"].splitlines() if "「其他」" in ln)
    en = next(ln for ln in out["en"].splitlines() if "“other” rows" in ln)
    for r in other:
        assert f"{r['district']} {r['unit']:,.0f} 單位（中位數 {r['median']:,.0f} 千元）" in zh
        assert f" {r['unit']:,.0f} (median {r['median']:,.0f} thousand NTD per unit)" in en
    assert "Taoyuan District 4 (median 672 thousand NTD per unit)" in en
    zero = [r["district"] for r in income["other_rows"] if not r["unit"] > 0]
    assert "、".join(zero) + " 為 0 單位" in zh
    for r in income["unmatched_names"]:
        assert f"{r['district']}{r['village']}（{r['unit']:,.0f} 單位）" in out["zh-TW"]
        assert f"{r['village']} ({r['unit']:,.0f} units)" in out["en"]
    assert f"{len(income['villages_without_row'])} 個村里沒有可用的所得資料列" in out["zh-TW"]
    assert f"{len(income['villages_without_row'])} villages have no usable income row" in out["en"]


# --- layers list / show -------------------------------------------------------------------

LAYER = "桃園試辦據點"


@pytest.fixture(scope="module")
def layer_outputs(tmp_path_factory):
    """A layer of three sites (one address-only) imported twice and rolled back, in a store of
    its own; the text of list/show in both languages and their --json."""
    tmp = tmp_path_factory.mktemp("layers")
    csv = tmp / "sites.csv"
    csv.write_text("名稱,類型,經度,緯度,地址\n大溪站,家庭服務中心,121.29,24.88,\n"
                   "觀音站,家庭服務中心,121.08,25.03,\n只有地址,家庭服務中心,,,桃園市中壢區中正路1號\n",
                   encoding="utf-8")
    store = ("--store", str(tmp / "lib"))
    _capture("layers", "import", str(csv), "--name", LAYER, *store)
    _capture("layers", "import", str(csv), "--name", LAYER, "--replace", *store)
    _capture("layers", "rollback", LAYER, "--to", "1", *store)
    out = {(action, lang): _capture("layers", action, *([LAYER] if action == "show" else []),
                                    "--lang", lang, *store)
           for action in ("list", "show") for lang in ("zh-TW", "en")}
    js = {action: json.loads(_capture("layers", action, *([LAYER] if action == "show" else []),
                                      "--json", *store)) for action in ("list", "show")}
    return out, js


def test_layers_text_is_in_one_language(layer_outputs):
    out, js = layer_outputs
    ids = {w for c, d in js["show"]["columns"] for w in WORD.findall(f"{c} {d}")}
    for action in ("list", "show"):
        assert chinese_left(out[(action, "en")], {LAYER}) == [], action
        assert english_words(out[(action, "zh-TW")], ids) == [], action
    assert "Family service centre" in out[("list", "en")]
    assert "家庭服務中心" in out[("list", "zh-TW")]


def test_layers_figures_equal_the_json(layer_outputs):
    out, js = layer_outputs
    (layer,) = js["list"]["layers"]
    assert (layer["version"], layer["n_sites"], layer["n_unlocated"], layer["based_on"]) == (
        3, 3, 1, 1)
    line = {lang: next(ln for ln in out[("list", lang)].splitlines() if LAYER in ln)
            for lang in ("zh-TW", "en")}
    assert "v3" in line["zh-TW"] and "3 個據點（1 個未定位）" in line["zh-TW"]
    assert "還原自第 1 版" in line["zh-TW"]
    assert "v3" in line["en"] and "3 sites (1 unlocated)" in line["en"]
    assert "rollback of version 1" in line["en"]
    assert "（1 個圖層）" in out[("list", "zh-TW")] and "(1 layers)" in out[("list", "en")]
    info = js["show"]["layer"]
    assert f"第 {info['version']} 版" in out[("show", "zh-TW")]
    assert f"據點：{info['n_sites']}   未定位：{info['n_unlocated']}" in out[("show", "zh-TW")]
    assert f"sites: {info['n_sites']}   unlocated: {info['n_unlocated']}" in out[("show", "en")]
    for lang in ("zh-TW", "en"):
        versions = [ln.split()[0] for ln in out[("show", lang)].splitlines()
                    if re.match(r"\s+v\d", ln)]
        assert versions == [f"v{h['version']}" for h in js["show"]["history"]]
        for c, d in js["show"]["columns"]:
            assert f"{c} ({d})" in out[("show", lang)]


# --- scenario list / show / apply ----------------------------------------------------------

SCENARIO = "新站情境"
SITE = "龍潭新站"


@pytest.fixture(scope="module")
def scenario_outputs(tmp_path_factory, data_dir):
    tmp = tmp_path_factory.mktemp("scenarios")
    edits = tmp / "edits.json"
    edits.write_text(json.dumps([
        {"kind": "add", "type": "family_service_centre", "name": SITE, "lon": 121.22,
         "lat": 24.86, "status": "open"},
        {"kind": "status", "site_id": "fsc-002", "status": "closed"}], ensure_ascii=False),
        encoding="utf-8")
    store = ("--store", str(tmp / "store"), "--data-dir", str(data_dir))
    _capture("scenario", "new", SCENARIO, "--edits", str(edits), "--author", "王小明", *store)
    out, js = {}, {}
    for action in ("list", "show", "apply"):
        name = [] if action == "list" else [SCENARIO]
        for lang in ("zh-TW", "en"):
            out[(action, lang)] = _capture("scenario", action, *name, "--lang", lang, *store)
        js[action] = json.loads(_capture("scenario", action, *name, "--json", *store))
    return out, js


def test_scenario_text_is_in_one_language(scenario_outputs):
    out, js = scenario_outputs
    for action in ("list", "show", "apply"):
        assert chinese_left(out[(action, "en")], {SCENARIO, SITE, "王小明"}) == [], action
        assert english_words(out[(action, "zh-TW")]) == [], action
    assert "closed" in out[("show", "en")] and "已關閉" in out[("show", "zh-TW")]


def test_scenario_figures_equal_the_json(scenario_outputs):
    out, js = scenario_outputs
    (item,) = js["list"]["scenarios"]
    assert f"v{item['version']}" in out[("list", "zh-TW")]
    assert f"{item['n_edits']} 項編輯" in out[("list", "zh-TW")]
    assert f"{item['n_edits']} edits" in out[("list", "en")]
    assert f"基準：{js['show']['baseline_sites']} 個據點   編輯：{len(js['show']['edits'])} 項" \
        in out[("show", "zh-TW")]
    assert f"baseline: {js['show']['baseline_sites']} sites   edits: {len(js['show']['edits'])}" \
        in out[("show", "en")]
    a = js["apply"]
    assert f"據點：{a['sites_before']} → {a['sites_after']}   異動：{len(a['changes'])}" in \
        out[("apply", "zh-TW")]
    assert f"sites: {a['sites_before']} → {a['sites_after']}   changed: {len(a['changes'])}" in \
        out[("apply", "en")]
    cov = a["coverage"]["family_service_centre"]
    for lang in ("zh-TW", "en"):
        for g, v in cov["covered"].items():
            assert f"{v['before']:,.0f} → {v['after']:,.0f}" in out[("apply", lang)], g
            assert f"{v['change']:+,.0f}" in out[("apply", lang)], g
    assert (f"新涵蓋村里 {len(cov['villages_gained'])} 個，失去涵蓋村里 "
            f"{len(cov['villages_lost'])} 個") in out[("apply", "zh-TW")]
    assert "Longtan District" in out[("apply", "en")]  # the added site's district, in English


# --- hotspots -------------------------------------------------------------------------------

HOTSPOT_ARGS = ("--indicator", "access_score", "--type", "family_service_centre", "--top", "3")


@pytest.fixture(scope="module")
def hotspot_outputs(data_dir):
    args = ("hotspots", *HOTSPOT_ARGS, "--data-dir", str(data_dir))
    out = {lang: _capture(*args, "--lang", lang) for lang in ("zh-TW", "en")}
    return out, json.loads(_capture(*args, "--json"))


def test_hotspots_text_is_in_one_language(hotspot_outputs):
    out, js = hotspot_outputs
    assert chinese_left(out["en"]) == []
    assert english_words(out["zh-TW"], {"access_score"}) == []


def test_hotspots_figures_equal_the_json(hotspot_outputs, data_dir):
    from geo.boundaries import load_districts
    out, js = hotspot_outputs
    en_name = dict(zip(*load_districts()[["district", "district_en"]].T.to_numpy()))
    regions = js["regions"]
    side = js["meta"]["side"]
    assert side == "cold" and len(regions) > 3
    assert f"冷區：{len(regions)} 個（列出前 3 個）" in out["zh-TW"]
    assert f"cold regions: {len(regions)} (first 3 shown)" in out["en"]
    counts = ", ".join(f"{k}: {v}" for k, v in js["bins"].items())
    assert f"分布：{counts}" in out["zh-TW"] and f"distribution: {counts}" in out["en"]
    for r in regions[:3]:
        zh = (f"  #{r['region']}：{r['n_villages']} 里，{'、'.join(r['districts'])}；"
              f"人口 {r['population']:,.0f}，需求 {r['demand']:,.0f}，"
              f"未涵蓋需求 {r['unmet_demand']:,.0f}")
        en = (f"  #{r['region']}: {r['n_villages']} villages in "
              f"{', '.join(en_name[d] for d in r['districts'])}; population "
              f"{r['population']:,.0f}, demand {r['demand']:,.0f}, "
              f"unmet {r['unmet_demand']:,.0f}")
        assert zh in out["zh-TW"] and en in out["en"]
    assert f"#{regions[3]['region']}" not in out["en"]


# --- optimize ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def optimize_outputs(tmp_path_factory, data_dir):
    tmp = tmp_path_factory.mktemp("optimize")
    args = ("optimize", "--model", "mclp", "--type", "mental_health_centre", "--radius-km", "10",
            "--k", "1", "--data-dir", str(data_dir))
    out = {lang: _capture(*args, "--out", str(tmp / f"{lang}.json"), "--lang", lang)
           for lang in ("zh-TW", "en")}
    return out, json.loads((tmp / "en.json").read_text("utf-8"))


def test_optimize_text_is_in_one_language_with_the_json_figures(optimize_outputs):
    from analysis.context import load_context
    out, res = optimize_outputs
    sites = set(load_context().sites["name"].astype(str))
    assert chinese_left(out["en"], sites) == []
    assert english_words(out["zh-TW"], {"MCLP", "EPSG"}) == []
    total = res["total_demand"]
    for lang, text in out.items():
        for key in ("covered_existing", "covered_after"):
            assert f"{res[key]:,.0f} ({res[key] / total:.1%})" in text, (lang, key)
        assert f"{res['objective']:,.2f}" in text
        for r in res["chosen"]:
            line = next(ln for ln in text.splitlines() if f" {r['id']} " in ln)
            assert f"({r['lon']:.5f}, {r['lat']:.5f})" in line and f"{r['gain']:,.0f}" in line
    new = next(r for r in res["chosen"] if r["new"])
    assert f"新增         {new['id']}" in out["zh-TW"] and f"new        {new['id']}" in out["en"]


# --- validate (the data-quality report) ----------------------------------------------------

def test_validate_report_in_each_language_with_the_json_figures(data_dir):
    """The report's own lines follow --lang (a finding keeps the reader's words for what it
    expected, after the code's text; a layer's file label is data) and carry the JSON's
    counts."""
    args = ("validate", "--data-dir", str(data_dir))
    out = {lang: _capture(*args, "--lang", lang) for lang in ("zh-TW", "en")}
    rep = json.loads(_capture(*args, "--json"))
    labels = {str(e["file"] or "") for e in rep["layers"].values()}
    for lang, text in out.items():
        own = [ln for ln in text.splitlines() if not ln.startswith("  [")]
        findings = [ln for ln in text.splitlines() if ln.startswith("  [")]
        if lang == "en":
            assert chinese_left("\n".join(own), labels | {"小衛星"}) == []
        else:
            assert english_words("\n".join(own).replace("data/boundaries", ""),
                                 {w for x in labels for w in WORD.findall(x)}) == []
        assert len(findings) == sum(len(e["findings"]) for e in rep["layers"].values())
        for layer, e in rep["layers"].items():
            c = e["counts"]
            line = next(ln for ln in own if ln.startswith("[") and str(e["rows"]) in ln
                        and (e["file"] or "") in ln)
            assert numbers(line.split("]", 1)[1].replace(str(e["file"] or ""), ""))[-4:] == [
                str(e["rows"]), str(c["error"]), str(c["warning"]), str(c["info"])], line
        for c in rep["completeness"]:
            line = next(ln for ln in own if f"{c['type']}）" in ln or f"{c['type']})" in ln)
            assert numbers(line)[-3:] == [str(c["listed"]), str(c["located"]),
                                          str(c["official_count"])], line
    assert "經緯度" not in out["en"] and "Family service centre (family_service_centre)" in out["en"]
    assert "家庭服務中心（family_service_centre）：清單 15，已定位 15 / 15" in out["zh-TW"]


# --- roads info -----------------------------------------------------------------------------

def test_roads_info_in_each_language_with_the_json_figures(data_dir):
    """The bundled OSM graph's facts; its source name and licence are the data's words."""
    args = ("roads", "info", "--source", "osm", "--data-dir", str(data_dir))
    out = {lang: _capture(*args, "--lang", lang) for lang in ("zh-TW", "en")}
    info = json.loads(_capture(*args, "--json"))
    data_words = {info["source"], info["licence"]}
    assert chinese_left(out["en"], data_words) == []
    assert english_words(out["zh-TW"].replace(info["source"], "").replace(info["licence"], ""),
                         {info["kind"]}) == []
    for lang, text in out.items():
        nums = numbers(text)
        for n in (f"{info['nodes']:,}", f"{info['edges']:,}", f"{info['km']:,.1f}",
                  f"{info['components']['components']:,}"):
            assert n in nums, (lang, n)
