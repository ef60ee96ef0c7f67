"""Decoding text files (CSV, GeoJSON, .prj) without ever guessing into garbled names.

Accepted: UTF-8 (with or without BOM), UTF-16 (BOM, or ASCII-heavy text without one) and
Big5 (cp950; Big5-HKSCS when the file uses its extra characters). Bytes that are not
UTF-8 are taken as Big5 only when Big5 reads them better than every rival encoding
(GB18030, Shift-JIS, EUC-KR, Windows-1252): more of the decoded characters are words of
addresses, site lists and their headers (市區里路號, 名稱, 地址, 服務中心 ...); on a tie
the text must also be plausible Big5 (mostly symbols or level-1 常用 characters, not glued
into Latin words) and charset-normalizer must not prefer another encoding. Text in another
encoding is refused by name, unless the caller names the encoding (``encoding=``, the
CLI's ``--encoding``).
"""
from __future__ import annotations

import codecs
import re
from functools import lru_cache

import charset_normalizer

from geo.quality import InputError

__all__ = ["decode_text", "ACCEPTED_ENCODINGS", "BIG5_PLAUSIBLE_SHARE"]

ACCEPTED_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp950",
                      "big5hkscs")
BIG5_PLAUSIBLE_SHARE = 0.8
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_GLUED = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[a-z]{2})")
_EXPECTED = ("UTF-8 (請另存為「CSV UTF-8」), UTF-16 or Big5 (cp950) text; or name the "
             "encoding explicitly (--encoding / encoding=, e.g. gb18030)")
# address / site-list / header vocabulary, traditional and simplified (a rival's reading)
_VOCAB = frozenset(
    "市縣區鄉鎮村里鄰路街道段巷弄號樓室之中心服務站所處社區家庭據點福利衛生醫院診所學校"
    "協會基金名稱地址電話經度緯度類型狀態容量編號行政開放規劃關閉營運人口戶數男女性歲"
    "县区乡镇邻号楼处务据点卫医协会称电话经纬类态规划关闭营运户数岁")
_RIVALS = ("gb18030", "cp932", "cp949", "cp1252")
_FAMILY = {"big5": "Big5", "cp950": "Big5", "big5hkscs": "Big5-HKSCS", "gb18030": "GB18030",
           "gbk": "GBK", "gb2312": "GB2312", "cp932": "Shift-JIS (cp932)",
           "shift_jis": "Shift-JIS", "euc_jp": "EUC-JP", "cp949": "EUC-KR (cp949)",
           "euc_kr": "EUC-KR", "latin_1": "Latin-1", "cp1252": "Windows-1252 (Latin)",
           "cp1250": "Windows-1250 (Latin)"}


@lru_cache(maxsize=1)
def _big5_common() -> re.Pattern:
    """Big5 symbols (0xA140-0xA3BF) and level-1 characters (0xA440-0xC67E), as a class."""
    chars = []
    for lead in range(0xA1, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if (lead, trail) > (0xC6, 0x7E):
                continue
            try:
                chars.append(bytes((lead, trail)).decode("cp950"))
            except UnicodeDecodeError:
                continue
    return re.compile("[" + re.escape("".join(chars)) + "]")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _plausible_big5(text: str) -> bool:
    """Decoded text reads as Taiwanese Big5: mostly common characters, not glued into
    Latin words (how Latin-1 accents look when read as Big5)."""
    n = len(_NON_ASCII.findall(text))
    if n == 0:
        return True
    common = len(_big5_common().findall(text))
    glued = len(_GLUED.findall(text))
    return common / n >= BIG5_PLAUSIBLE_SHARE and glued / n <= 0.2


def _vocabulary_share(text: str) -> float:
    chars = _NON_ASCII.findall(text)
    return sum(c in _VOCAB for c in chars) / len(chars) if chars else 0.0


def _rival_share(data: bytes) -> tuple[float, str]:
    """The best vocabulary share of the bytes read in a rival encoding, and that codec."""
    best = (0.0, "")
    for codec in _RIVALS:
        try:
            best = max(best, (_vocabulary_share(data.decode(codec)), codec))
        except UnicodeDecodeError:
            continue
    return best


def _guess(data: bytes) -> tuple[str, str]:
    """charset-normalizer's best guess for a sample: (codec name, words such as
    'GB18030 (Chinese)')."""
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return "", "no known text encoding (binary data?)"
    name = _FAMILY.get(best.encoding, best.encoding)
    lang = f" ({best.language})" if best.language and best.language != "Unknown" else ""
    return best.encoding, name + lang


def _big5(data: bytes) -> tuple[str, str] | None:
    """(text, codec) when the bytes are Big5 (cp950, else Big5-HKSCS) and read best so."""
    for codec in ("cp950", "big5hkscs"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = data[:200_000]
        mine, rival = _vocabulary_share(sample.decode(codec, "ignore")), _rival_share(sample)[0]
        if mine > rival:
            return text, codec
        if (mine == rival and _plausible_big5(text)
                and _guess(sample)[0] in ("big5", "cp950", "big5hkscs")):
            return text, codec
        return None
    return None


def _refuse(data: bytes, file: str, problem: str, value: object = None) -> InputError:
    return InputError(file, field="encoding", value=value, problem=problem,
                      expected=_EXPECTED, code="unreadable_encoding")


def _check_text(text: str, label: str, data: bytes, file: str) -> tuple[str, str]:
    m = _CONTROL.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise _refuse(data, file, f"the file holds binary data (control byte "
                      f"0x{ord(m.group()):02x} on line {line}); it is not a text/CSV file",
                      "binary")
    return text, label


def _explicit(data: bytes, encoding: str, file: str) -> tuple[str, str]:
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise InputError(file, field="encoding", value=encoding, code="unknown_encoding",
                         problem="not an encoding Python knows",
                         expected="an encoding name such as utf-8, cp950, big5hkscs, "
                                  "gb18030, shift_jis") from None
    try:
        text = data.decode("utf-8-sig" if name == "utf-8" else name)
    except UnicodeDecodeError as exc:
        raise _refuse(data, file, f"the bytes on line {_line_of(data, exc.start)} are not "
                      f"{name} (byte 0x{data[exc.start]:02x})", name) from None
    return _check_text(text, name, data, file)


def _utf16_without_bom(data: bytes) -> str | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode_text(data: bytes, *, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes; return ``(text, encoding)`` with the encoding used
    ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp950", "big5hkscs" or
    the explicitly given one). A leading BOM is removed from the text.

    Raises :class:`geo.quality.InputError` (field "encoding") naming the file, the
    encoding detected and what is accepted, for binary data or text in another encoding.
    """
    if encoding:
        return _explicit(data, encoding, file)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _check_text(data.decode("utf-8-sig"), "utf-8-sig", data, file)
        except UnicodeDecodeError as exc:
            raise _refuse(data, file, f"the file starts with a UTF-8 mark but line "
                          f"{_line_of(data, exc.start)} is not UTF-8", "utf-8-sig") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _check_text(data.decode("utf-16"), "utf-16", data, file)
        except UnicodeDecodeError:
            raise _refuse(data, file, "the file starts with a UTF-16 mark but is not "
                          "UTF-16 text", "utf-16") from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _check_text(data.decode(utf16), utf16, data, file)
        except UnicodeDecodeError:
            pass
    try:
        return _check_text(data.decode("utf-8"), "utf-8", data, file)
    except UnicodeDecodeError:
        pass
    if _CONTROL.search(data.decode("latin-1")):
        raise _refuse(data, file, "the file holds binary data (control bytes); it is not a "
                      "text/CSV file", "binary")
    big5 = _big5(data)
    if big5 is not None:
        return _check_text(*big5, data, file)
    raise _refuse(data, file, *_describe(data[:65536]))


def _describe(sample: bytes) -> tuple[str, str]:
    """Why a sample is refused, in words, and the encoding it looks like."""
    share, rival = _rival_share(sample)
    codec, guess = _guess(sample)
    if codec in ("big5", "cp950", "big5hkscs", "") and share > 0 and rival:
        codec, guess = rival, _FAMILY.get(rival, rival)
    if codec in ("big5", "cp950", "big5hkscs"):
        text = sample.decode("cp950", "replace")
        m = _NON_ASCII.search(text)
        shown = text[max(0, m.start() - 8):m.start() + 8] if m else ""
        return (f"the text is not UTF-8 or UTF-16, and read as Big5 it gives unlikely text "
                f"({shown!r}): probably another encoding (GB18030/GBK, Latin-1, ...)",
                "not Big5")
    return (f"the text is not UTF-8, UTF-16 or Big5: it looks like {guess}; reading it "
            "as Big5 would garble the names", guess)
