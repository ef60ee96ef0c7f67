"""Who a service is for: the demand of a question as a column of the village table.

A demand is a group name of the config's ``[demand_groups]`` (population, children, youth,
working_age, elderly, households, indigenous — first column present wins, so a vintage
without 0-17 falls back to 0-14 and says so), any other column of the village table (e.g. a
need indicator), or a Series keyed by VILLCODE (a planner's own file). ``None`` means the
service type's target group (``target`` in analysis/defaults.toml).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.config import AnalysisConfig
from analysis.notes import Note

__all__ = ["Demand", "resolve_demand", "group_column"]


@dataclass(frozen=True)
class Demand:
    """``name``: the group or column asked for; ``column``: the village-table column used
    (or the Series' name); ``values``: float64 per VILLCODE (NaN = no value); ``notes``."""

    name: str
    column: str
    values: pd.Series
    notes: tuple[Note, ...] = ()


def group_column(villages: pd.DataFrame, name: str, cfg: AnalysisConfig) -> tuple[str, bool]:
    """(column, fell_back) for a demand group: the first of its columns with any value;
    ``fell_back`` when that is not the group's first choice. Unknown names that are
    columns of ``villages`` are returned as they are."""
    candidates = cfg.demand_groups.get(name)
    if candidates is None:
        if name in villages.columns:
            return name, False
        raise ValueError(f"demand: unknown group or column {name!r}; expected one of "
                         f"{', '.join(cfg.demand_groups)} or a column of the village table")
    for i, col in enumerate(candidates):
        if col in villages.columns and pd.to_numeric(villages[col], errors="coerce").notna().any():
            return col, i > 0
    raise ValueError(f"demand {name!r}: this data set has no values for "
                     f"{' / '.join(candidates)} (population vintage or need layer missing)")


def resolve_demand(villages: pd.DataFrame, demand: str | pd.Series | None, cfg: AnalysisConfig,
                   *, type_id: str | None = None) -> Demand:
    """The demand values of a question (see the module docstring). A Series is aligned on
    the village index; codes it lacks are NaN and listed in a note (they count as the
    config's ``missing.demand`` rule says: zero)."""
    notes: list[Note] = []
    if isinstance(demand, pd.Series):
        values = pd.to_numeric(demand, errors="coerce").reindex(villages.index).astype(float)
        name = str(demand.name or "custom")
        column = name
    else:
        name = demand if demand is not None else (
            cfg.type(type_id).target if type_id else "population")
        column, fell_back = group_column(villages, name, cfg)
        if fell_back:
            notes.append(Note("note.demand_fallback", {"group": name, "column": column,
                                                       "first": cfg.demand_groups[name][0]},
                              "warning"))
        values = pd.to_numeric(villages[column], errors="coerce").astype(float)
    missing = int(values.isna().sum())
    if missing:
        notes.append(Note("note.demand_missing", {"n": missing, "demand": name}, "warning"))
    if (values.dropna() < 0).any() or not np.isfinite(values.dropna()).all():
        raise ValueError(f"demand {name!r}: values must be finite numbers >= 0")
    return Demand(name, column, values.rename(name), tuple(notes))
