"""Number formatting for display: thousands separators, percentages, distances.

Missing values (None, NaN, NA) show as an em dash."""
from __future__ import annotations

import math
import re

import pandas as pd

DASH = "—"


def _missing(x: object) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def num(x: object, digits: int = 0) -> str:
    """1234567 -> '1,234,567'; with ``digits``, '1,234.5'; infinite -> '—'."""
    if _missing(x) or math.isinf(float(x)):
        return DASH
    return f"{float(x):,.{digits}f}"


def pct(share: object, digits: int = 1) -> str:
    """A share 0..1 as a percentage: 0.1234 -> '12.3%'."""
    if _missing(share):
        return DASH
    return f"{100.0 * float(share):,.{digits}f}%"


def km(metres: object, digits: int = 1) -> str:
    """Metres as kilometres: 1234.0 -> '1.2 km'; infinite (unreachable) -> '—'."""
    if _missing(metres) or math.isinf(float(metres)):
        return DASH
    return f"{float(metres) / 1000.0:,.{digits}f} km"


def minutes(value: object, lang: str = "zh-TW", digits: int = 1) -> str:
    """Minutes of travel: 4.54 -> '4.5 分鐘' / '4.5 min'; infinite (unreachable) -> '—'."""
    if _missing(value) or math.isinf(float(value)):
        return DASH
    from i18n import t
    return t("min_value", lang, r=f"{float(value):,.{digits}f}")


def ratio(a: object, b: object) -> str:
    """'a / b' with thousands separators."""
    return f"{num(a)} / {num(b)}"


def version(text: object) -> str:
    """The date of a data version: "2023-09" of "NLSC 村里界圖 release 1120928 (2023-09)"
    (the last YYYY-MM[-DD] in the text, else its last year), else '—'."""
    tokens = re.findall(r"(?<![\d-])((?:19|20)\d{2}(?:-\d{2}){0,2})(?![\d-])", str(text))
    dated = [x for x in tokens if "-" in x]
    return (dated or tokens or [DASH])[-1]


_SERVER_PATH = re.compile(r"(?<![\w/:.])(?:~|/)[^\s'\"“”,;()]*/([^\s'\"“”,;()/]+)")


_CJK = re.compile(r"[\u3400-\u9fff]")


def error_text(exc: object, lang: str = "en") -> str:
    """An error's message as a user may read it: every server path (absolute or under
    ``~``) cut to its last name, so no folder of the server is shown. On the zh-TW screens
    a message written only in English is not shown: it goes to the server log and the
    catalogue's pointer to it stands in its place (the sentence around it says what failed)."""
    text = _SERVER_PATH.sub(r"\1", str(exc))
    if lang == "en" or _CJK.search(text):
        return text
    import logging
    logging.getLogger("safetynet.app").warning("shown in words only: %s", text)
    from i18n import t
    return t("error_logged", lang)
