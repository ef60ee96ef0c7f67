"""The result type shared by every placement model."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["PlacementResult", "relative_gap", "plain"]


@dataclass(frozen=True)
class PlacementResult:
    """Outcome of one solve. Demand quantities are in the units of ``demand`` (e.g.
    persons); costs and ``radius`` in the units of ``cost_matrix`` (metres or seconds).

    chosen: chosen candidate ids in candidate order; chosen_fixed: parallel flags (True
    for a fixed, already open site); new_sites: the non-fixed chosen ids.
    covered_demand_before/after: demand within ``radius`` of the fixed sites only / of all
    chosen sites (NaN for p-median without a radius). uncoverable_demand/uncoverable_ids:
    demand that no candidate reaches (within ``radius`` for covering models, at any finite
    cost for p-median). assignment: demand id -> nearest chosen candidate id (finite cost
    only). solver_status: "Optimal", "Time limit reached" or another HiGHS model status
    string (of the MIP, or of the LP the branch and bound stopped in), or "greedy".
    mip_gap: relative gap to the proven bound, 0.0 when proven optimal, inf when unknown.
    runtime_s: wall-clock seconds of the solve.
    """

    model: str
    method: str
    chosen: tuple
    chosen_fixed: tuple[bool, ...]
    new_sites: tuple
    objective: float
    covered_demand_before: float
    covered_demand_after: float
    total_demand: float
    uncoverable_demand: float
    uncoverable_ids: tuple
    assignment: dict = field(repr=False)
    solver_status: str
    optimal: bool
    mip_gap: float
    runtime_s: float
    radius: float | None = None
    k: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: numpy scalars become Python values, non-finite floats None."""
        out = asdict(self)
        out["chosen"] = [{"id": plain(c), "fixed": f}
                         for c, f in zip(self.chosen, self.chosen_fixed)]
        del out["chosen_fixed"]
        out["new_sites"] = [plain(c) for c in self.new_sites]
        out["uncoverable_ids"] = [plain(c) for c in self.uncoverable_ids]
        out["assignment"] = {str(plain(d)): plain(c) for d, c in self.assignment.items()}
        for key, value in out.items():
            if isinstance(value, float) and not math.isfinite(value):
                out[key] = None
        return out


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value (ids from a DataFrame index); others unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def relative_gap(objective: float, bound: float) -> float:
    """|objective - bound| / |objective|, HiGHS's definition; inf if unknown."""
    if not (math.isfinite(objective) and math.isfinite(bound)) or objective == 0:
        return 0.0 if objective == bound else math.inf
    return abs(objective - bound) / abs(objective)
