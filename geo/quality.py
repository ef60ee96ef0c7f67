"""Data-quality findings: one record per problem, naming the file, row, field and value,
and :class:`InputError`, the one error type the readers raise for input they cannot use."""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["SEVERITIES", "Finding", "InputError", "findings_frame", "normalize_name"]

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


class InputError(ValueError):
    """Input that cannot be used as given: a file, a row, a cell or an argument.

    Carries ``file``, ``row`` (1-based data row, header excluded; None for the whole file),
    ``field`` (column, property or argument name), ``value`` (what was found),
    ``expected`` (what would be accepted) and ``code`` (stable, for programs); ``problem``
    says in words what is wrong and ``findings`` holds every error behind it when there are
    several (e.g. a population file's implausible rows). ``str(error)`` is the message to
    show a user: it names all of those. A ``ValueError``, so callers that catch
    ``ValueError`` (the CLI's main) print it without a traceback.
    """

    def __init__(self, file: str, *, expected: str, problem: str = "", row: int | None = None,
                 field: str | None = None, value: object = None, code: str = "",
                 findings: Sequence[Finding] = ()) -> None:
        self.file, self.row, self.field, self.value = str(file), row, field, value
        self.expected, self.problem, self.code = expected, problem, code
        self.findings = list(findings)
        super().__init__(self._text())

    def _text(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "")
        if self.field is not None:
            where += f", {self.field}"
            if self.value is not None:
                where += f"={_short(self.value)!r}"
        text = f"{where}: {self.problem + '; ' if self.problem else ''}expected {self.expected}"
        if self.findings:
            shown = [f.message() for f in self.findings[:10]]
            more = len(self.findings) - len(shown)
            text += "\n  " + "\n  ".join(shown) + (f"\n  ... and {more} more" if more else "")
        return text

    def as_finding(self, layer: str = "") -> Finding:
        """The error as an error-severity :class:`Finding`."""
        return Finding(self.file, self.row, self.field, self.value,
                       self.expected + (f" ({self.problem})" if self.problem else ""),
                       "error", self.code or "input_error", layer)


def _short(value: object, limit: int = 80) -> object:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


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
