"""A planner's own demand column keyed by village code (e.g. 脆弱家庭通報數 per 里), read
from CSV with every error naming the file, row and field."""
from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd

from geo.population import normalize_villcode
from geo.readers.encoding import decode_text

__all__ = ["read_custom_demand"]


def read_custom_demand(path: str | Path, column: str, *, known_codes=None,
                       on_unknown: str = "error") -> pd.Series:
    """A demand column from a CSV with a VILLCODE column (11 digits or TTTTTTTT-NNN; a
    村里代碼 column is accepted too). Returns float64 indexed by VILLCODE, named ``column``.

    Errors name the file, the 1-based data row and the field: missing column, bad code,
    non-numeric / negative value, duplicate code. Codes not in ``known_codes`` (e.g. the
    504 boundary villages) raise (``on_unknown="error"``) or are reported in
    ``series.attrs["unknown_codes"]`` (list of (row, code)) and left out
    (``on_unknown="report"``) -- never dropped silently.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"demand file not found: {path}")
    text, _ = decode_text(path.read_bytes(), file=str(path))  # refuses, never garbles
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    code_col = next((c for c in ("VILLCODE", "村里代碼") if c in raw.columns), None)
    if code_col is None:
        raise ValueError(f"{path}: no VILLCODE column (found {list(raw.columns)})")
    if column not in raw.columns:
        raise ValueError(f"{path}: no column {column!r} (found {list(raw.columns)})")
    codes, values, unknown = [], [], []
    known = None if known_codes is None else set(map(str, known_codes))
    seen: dict[str, int] = {}
    for i, (code_text, value_text) in enumerate(zip(raw[code_col], raw[column]), 1):
        code = normalize_villcode(code_text)
        if code is None:
            raise ValueError(f"{path}, row {i}: {code_col}={code_text!r}; expected an 11-digit "
                             "VILLCODE or TTTTTTTT-NNN")
        text = str(value_text).strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{path}, row {i}: {column}={value_text!r}; expected a number >= 0")
        if code in seen:
            raise ValueError(f"{path}, row {i}: {code_col}={code_text!r} repeats row {seen[code]}")
        seen[code] = i
        if known is not None and code not in known:
            unknown.append((i, code))
            continue
        codes.append(code)
        values.append(value)
    if unknown and on_unknown == "error":
        shown = ", ".join(f"row {r}: {c}" for r, c in unknown[:10])
        raise ValueError(f"{path}: {len(unknown)} village code(s) not in the boundary layer "
                         f"({shown}{' ...' if len(unknown) > 10 else ''})")
    out = pd.Series(values, index=pd.Index(codes, name="VILLCODE"), name=column, dtype="float64")
    out.attrs["unknown_codes"] = unknown
    return out
