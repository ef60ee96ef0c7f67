"""Conversion of NumPy / pandas / path values into plain JSON data (one helper for all)."""
from __future__ import annotations

import datetime as _dt
import math
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """``value`` as JSON-safe Python data, recursively: NumPy scalars and arrays to numbers
    and lists, NaN / ±inf / pd.NA / NaT to ``None``, timestamps to ISO 8601 text, paths to
    text, Series to dicts, DataFrames to lists of records. Text and ints are unchanged.

    Examples
    --------
    >>> to_jsonable({"n": np.int64(3), "d": float("inf"), "xs": np.array([1.5, np.nan])})
    {'n': 3, 'd': None, 'xs': [1.5, None]}
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame):
        return [to_jsonable(r) for r in value.to_dict("records")]
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Index)):
        return [to_jsonable(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "item"):  # other NumPy scalars
        return to_jsonable(value.item())
    return str(value)
