"""Need measured per district (e.g. low- and middle-low-income persons, MOI 2021-06) against
the supply of a service type: the district's share of the city's need next to its share of
the capacity. A district-level indicator is shown at district level and never spread over
villages as if it had been measured there.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.context import AnalysisContext
from analysis.coverage import CoverageResult

__all__ = ["district_need", "DISTRICT_INDICATORS"]

DISTRICT_INDICATORS = ("low_income",)


def district_need(ctx: AnalysisContext, result: CoverageResult, *,
                  indicator: str = "low_income", column: str = "low_income_persons"
                  ) -> pd.DataFrame:
    """Per district (TOWNCODE): ``need`` (the indicator's ``column``, e.g. persons),
    ``need_share`` of the city, the type's ``sites`` and ``capacity`` (unknown capacity = 1
    per site), ``capacity_share`` and ``gap`` = need share - capacity share (positive: more
    of the need than of the supply), plus the indicator's ``vintage``. Largest gap first.

    Raises ValueError when the indicator is missing or not measured per district.
    """
    ind = ctx.indicators.get(indicator)
    if ind is None:
        raise ValueError(f"indicator {indicator!r}: not loaded (known: "
                         f"{', '.join(ctx.indicators) or 'none'})")
    if ind.level != "district":
        raise ValueError(f"indicator {indicator!r} is measured per {ind.level}, not per "
                         "district; use it as a village demand or hotspot indicator instead")
    if column not in ind.values:
        raise ValueError(f"indicator {indicator!r} has no column {column!r}; columns: "
                         + ", ".join(ind.values.columns))
    need = pd.to_numeric(ind.values[column], errors="coerce").reindex(result.districts.index)
    cap = result.districts["capacity"].astype(float)
    out = pd.DataFrame({"district": result.districts["district"], "need": need,
                        "sites": result.districts["sites"], "capacity": cap})
    out["need_share"] = need / need.sum() if need.sum() > 0 else np.nan
    out["capacity_share"] = cap / cap.sum() if cap.sum() > 0 else 0.0
    out["gap"] = out["need_share"] - out["capacity_share"]
    out["vintage"] = ind.vintage
    return out.sort_values("gap", ascending=False, kind="stable")
