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
    text = PATH.sub(" ", text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, " ")
    return sorted(set(CJK.findall(text)))


def english_words(text: str, ids=()) -> list[str]:
    """ASCII words of four letters or more that are not ids, file names or allowed terms."""
    text = FILE.sub(" ", PATH.sub(" ", text))
    allowed = ZH_ALLOWED | set(SERVICE_TYPES) | set(ids)
    return sorted({w for w in WORD.findall(text) if len(w) >= 4 and w not in allowed})


def numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*(?:\.\d+)?", text)


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
