"""Plausibility of a population file's counts (MOI ODRP014 and the derived age-group
layout), checked on the rows :func:`geo.population.read_population` builds.

Errors (they stop the load): households above residents (人口 ≥ 戶數), age bands or sexes
not summing to 人口, child age groups not summing to age_0_17, a part above the total,
two columns that look swapped (swapping them back makes the rows add up), and a village
code listed twice (never resolved by taking the first).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo.quality import Finding, InputError

__all__ = ["check_population", "SUM_RULES", "LABELS"]

# (parts, total): the parts must add up to the total wherever all of them are given
SUM_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("age_0_14", "age_15_64", "age_65_plus"), "population"),
    (("age_0_17", "age_18_64", "age_65_plus"), "population"),
    (("age_0_5", "age_6_11", "age_12_17"), "age_0_17"),
    (("male", "female"), "population"),
)
# (smaller, larger): e.g. households cannot exceed residents
ORDER_RULES: tuple[tuple[str, str], ...] = (("households", "population"),)
LABELS = {"households": "戶數", "population": "人口", "male": "男性人口", "female": "女性人口",
          "age_0_14": "未滿15歲", "age_15_64": "15-64歲", "age_65_plus": "超過64歲",
          "age_0_17": "age_0_17", "age_18_64": "age_18_64", "age_0_5": "age_0_5",
          "age_6_11": "age_6_11", "age_12_17": "age_12_17"}
_SWAP_MIN_ROWS = 3


def _label(col: str) -> str:
    zh = LABELS.get(col, col)
    return zh if zh == col else f"{zh} ({col})"


def _values(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for col in LABELS:
        if col in rows:
            v = pd.to_numeric(rows[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            if not np.isnan(v).all():
                out[col] = v
    return out


def _failures(v: dict[str, np.ndarray], n: int) -> list[tuple[np.ndarray, str, str, str]]:
    """(rows failing, field, code, expected per rule) for every applicable rule."""
    out = []
    for parts, total in SUM_RULES:
        if total not in v or not all(p in v for p in parts):
            continue
        s = np.sum([v[p] for p in parts], axis=0)
        bad = ~np.isnan(s) & ~np.isnan(v[total]) & (s != v[total])
        out.append((bad, total, "parts_do_not_sum",
                    " + ".join(LABELS[p] for p in parts) + f" = {LABELS[total]}"))
    for small, large in ORDER_RULES:
        if small in v and large in v:
            bad = ~np.isnan(v[small]) & ~np.isnan(v[large]) & (v[small] > v[large])
            out.append((bad, small, "more_households_than_residents" if small == "households"
                        else "part_above_total", f"{LABELS[small]} ≤ {LABELS[large]}"))
    for col in v:
        if col != "population" and "population" in v and col != "households":
            bad = ~np.isnan(v[col]) & ~np.isnan(v["population"]) & (v[col] > v["population"])
            out.append((bad, col, "part_above_total", f"{LABELS[col]} ≤ {LABELS['population']}"))
    return out


def _any_failure(v: dict[str, np.ndarray], n: int) -> np.ndarray:
    fails = [m for m, *_ in _failures(v, n)]
    return np.any(fails, axis=0) if fails else np.zeros(n, bool)


def _swapped(v: dict[str, np.ndarray], n: int) -> tuple[str, str, int] | None:
    """Two columns whose exchange makes (nearly) every failing row add up."""
    before = int(_any_failure(v, n).sum())
    if before < max(_SWAP_MIN_ROWS, n // 2):
        return None
    best = None
    cols = list(v)
    for i, a in enumerate(cols):
        for b in cols[i + 1:]:
            w = dict(v)
            w[a], w[b] = v[b], v[a]
            after = int(_any_failure(w, n).sum())
            if after <= max(1, before // 100) and (best is None or after < best[2]):
                best = (a, b, after)
    return best


def check_population(rows: pd.DataFrame, *, file: str,
                     raise_errors: bool = True) -> list[Finding]:
    """Plausibility findings for population rows (columns VILLCODE, file_row and the
    count columns of :data:`geo.population.COLUMNS`; NA cells are skipped).

    With ``raise_errors`` (the default, as ``read_population`` calls it) any error raises
    :class:`geo.quality.InputError` listing them (its ``findings``) so the load stops with
    a specific message; otherwise every finding is returned.
    """
    n = len(rows)
    file_rows = (rows["file_row"].to_numpy() if "file_row" in rows else np.arange(1, n + 1))
    found: list[Finding] = []
    v = _values(rows)
    swap = _swapped(v, n)
    if swap is not None:
        a, b, _ = swap
        found.append(Finding(file, None, f"{LABELS[a]}, {LABELS[b]}", f"{_label(a)} ↔ "
                             f"{_label(b)}", f"each count under its own header: exchanging "
                             f"the columns {LABELS[a]} and {LABELS[b]} makes the rows add up, "
                             "so they look swapped", "error", "swapped_columns", "population"))
    else:
        for bad, col, code, rule in _failures(v, n):
            for i in np.flatnonzero(bad):
                found.append(Finding(file, int(file_rows[i]), LABELS[col], int(v[col][i]),
                                     f"counts that add up ({rule})", "error", code,
                                     "population"))
    if "VILLCODE" in rows:
        codes = rows["VILLCODE"]
        dup = (codes.duplicated(keep=False) & codes.notna()).to_numpy()
        first = pd.Series(file_rows).groupby(codes.to_numpy(object), sort=False) \
            .transform("first").to_numpy() if dup.any() else file_rows
        for i in np.flatnonzero(dup):
            found.append(Finding(file, int(file_rows[i]), "村里代碼", codes.iat[i],
                                 f"each village code once (first on row {first[i]}); a "
                                 "repeated code is an error, not resolved by taking the first",
                                 "error", "duplicate_code", "population"))
    errors = [f for f in found if f.severity == "error"]
    if raise_errors and errors:
        raise InputError(file, code="implausible_population", findings=errors,
                         problem=f"{len(errors)} implausible count(s) or code(s)",
                         expected="a population file whose counts add up (人口 ≥ 戶數, age "
                                  "bands and sexes summing to 人口) and lists each village once")
    return found
