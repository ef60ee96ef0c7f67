"""The raw table every reader returns: text cells plus what the file declared."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.quality import Finding

__all__ = ["RawTable", "CellProblem", "GEOMETRY_X", "GEOMETRY_Y", "GEOMETRY_TYPE",
           "unique_headers", "clean_cell"]

# columns a GeoJSON reader adds for the feature geometry (never user headers)
GEOMETRY_X, GEOMETRY_Y, GEOMETRY_TYPE = "__x", "__y", "__geometry_type"


@dataclass(frozen=True)
class CellProblem:
    """A cell whose text is not its value: an Excel error (#N/A) or a formula without a
    saved result. ``value`` is what the cell holds (e.g. "=B2*2" or "#N/A")."""

    value: str
    code: str
    expected: str


@dataclass
class RawTable:
    """A site file as read: ``frame`` holds every data row below the header as text
    (``''`` for empty cells, columns named as in the header). Data row ``i`` (0-based
    position in ``frame``) is row ``i + 1`` in findings.

    ``header_row``: 1-based line / sheet row of the header (0 for GeoJSON); ``sheet``:
    the worksheet read; ``crs`` / ``crs_source``: a coordinate system the file declares
    and where (e.g. "the GeoJSON crs member", "sites.prj"); ``cell_problems``:
    (position, column) -> :class:`CellProblem`; ``findings``: file-level notes.
    """

    frame: pd.DataFrame
    file: str
    kind: str
    encoding: str | None = None
    header_row: int = 1
    sheet: str | None = None
    crs: str | None = None
    crs_source: str | None = None
    cell_problems: dict[tuple[int, str], CellProblem] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def unique_headers(header: list[object], width: int) -> list[str]:
    """Header names padded to ``width``: blanks become column_<n>, repeats get " (2)"."""
    names = [str(h).strip() if h is not None else "" for h in header]
    names += [""] * (width - len(names))
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        if name.startswith("__"):
            name = "_" + name.lstrip("_") if name.strip("_") else f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        seen.setdefault(name, 1)
        out.append(name)
    return out


def clean_cell(value: object) -> str:
    """Cell text as given, stripped; '' for empty / NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()
