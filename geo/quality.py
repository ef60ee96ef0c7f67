"""Data-quality findings: one record per problem, naming the file, row, field and value."""
from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass

import pandas as pd

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One data-quality problem.

    ``severity``: "error" (the row was rejected), "warning" (kept, but suspect) or "info".
    ``row`` is the 1-based data row in the source file (header excluded), or None for
    file-level findings.
    """

    file: str
    row: int | None
    field: str | None
    value: object
    expected: str
    severity: str = "warning"
    code: str = ""
    layer: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")

    def message(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        what = f"{self.field}={self.value!r}" if self.field else repr(self.value)
        return f"[{self.severity}] {where}: {what}; expected {self.expected}"


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a table (one row each), for display and export."""
    cols = [f for f in Finding.__dataclass_fields__]
    return pd.DataFrame([asdict(f) for f in findings], columns=cols)


_TAI = str.maketrans({"台": "臺"})


def normalize_name(text: object) -> str:
    """Normalise a place or site name for matching: NFKC (full-width digits and letters
    become ASCII), 台→臺, whitespace removed."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(_TAI)
    return "".join(s.split())
