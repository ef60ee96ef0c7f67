"""Vectorised reading of site-table fields from text columns, and the row problems they
raise (one table of ``pos, field, value, expected, code`` per check)."""
from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

__all__ = ["numbers", "map_unique", "status_of", "STATUS_WORDS", "problem_part",
           "join_problems", "PROBLEM_COLUMNS"]

STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "open": ("open", "開放", "營運中", "服務中", "運作中", "已設置", "已成立", "已達成"),
    "planned": ("planned", "規劃中", "籌設中", "籌備中", "預計", "計畫中", "計劃中", "未設置"),
    "closed": ("closed", "關閉", "停止", "停辦", "已結束", "裁撤", "歇業"),
}
_STATUS = {unicodedata.normalize("NFKC", w).lower(): s
           for s, words in STATUS_WORDS.items() for w in words}
PROBLEM_COLUMNS = ["pos", "order", "field", "value", "expected", "code"]


def _one_number(text: str) -> float:
    s = unicodedata.normalize("NFKC", text).replace(",", "").replace("°", "").strip()
    try:
        v = float(s)
    except ValueError:
        return np.nan
    return v if np.isfinite(v) else np.nan


def numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Numbers in text cells (full-width digits, thousands commas and ° allowed):
    ``(values, bad)`` where blank cells are NaN and not bad, and text that is not a finite
    number is NaN and bad."""
    s = pd.Series([v.strip() if isinstance(v, str) else "" for v in text.to_numpy(object)],
                  dtype=object)
    blank = (s == "").to_numpy()
    fast = pd.to_numeric(pd.Series([v.replace(",", "") for v in s], dtype=object),
                         errors="coerce")
    values = np.array(fast.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    values[~np.isfinite(values)] = np.nan
    retry = np.flatnonzero(np.isnan(values) & ~blank)
    if len(retry):
        values[retry] = [_one_number(t) for t in s.iloc[retry]]
    return values, np.isnan(values) & ~blank


def map_unique(text: pd.Series, func) -> pd.Series:
    """``func`` applied once per distinct value of ``text``."""
    uniq = pd.unique(text.to_numpy(object))
    table = {u: func(u) for u in uniq}
    return pd.Series([table[v] for v in text.to_numpy(object)], index=text.index, dtype=object)


def status_of(text: str) -> str | None:
    """open / planned / closed from a status word (blank = open), else None."""
    key = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return "open" if not key else _STATUS.get(key)


def problem_part(mask: np.ndarray, field: str, values: pd.Series | np.ndarray,
                 expected: str | np.ndarray | pd.Series, code: str, order: int
                 ) -> pd.DataFrame:
    """The rows flagged by ``mask`` as a problem table."""
    idx = np.flatnonzero(np.asarray(mask, bool))
    vals = np.asarray(values, dtype=object)[idx]
    exp = expected if isinstance(expected, str) else np.asarray(expected, dtype=object)[idx]
    return pd.DataFrame({"pos": idx, "order": order, "field": field, "value": vals,
                         "expected": exp, "code": code})


def join_problems(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """All problems ordered by row, then by the order the checks ran."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return pd.concat(parts, ignore_index=True).sort_values(["pos", "order"], kind="stable")
