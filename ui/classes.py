"""Class breaks and colours of the village map: two classes for a 0/1 metric, a class of
its own for "no gap" and quantiles above it, fixed share classes, Fisher–Jenks natural
breaks otherwise (mapclassify, imported only when needed); "no data" and "unreachable"
have their own colours."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["classify", "PALETTES", "NODATA_COLOR", "ZERO_COLOR", "BINARY_COLORS",
           "UNREACHABLE_COLOR"]

# ColorBrewer 5-class sequential palettes (light = low); fewer classes take evenly spaced ones
PALETTES = {
    "YlGnBu": ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    "YlOrRd": ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    "PuBu": ("#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"),
}
NODATA_COLOR = "#d9d9d9"
ZERO_COLOR = "#e5f5e0"  # "no gap": every resident of the village within the radius
BINARY_COLORS = {1: "#41b6c4", 0: "#fd8d3c"}  # within / outside the radius
UNREACHABLE_COLOR = "#7f7f7f"


def classify(values: pd.Series, *, kind: str, k: int = 5, cmap: str = "YlGnBu"
             ) -> tuple[pd.Series, list[dict]]:
    """Colour per village and the legend entries, with class breaks that fit the metric.

    ``kind="binary"``: a 0/1 metric (covered or not) in two classes (label keys
    ``legend_yes`` / ``legend_no``); ``kind="share"``: fixed classes 0–20–40–60–80–100 %
    (class i holds values <= its upper bound, as mapclassify.UserDefined); ``kind="gap"``:
    a class of its own for 0 (``legend_zero``) and quantile classes of the positive values
    (numpy; as mapclassify.Quantiles, without its seconds-long import on the landing map);
    otherwise Fisher–Jenks natural breaks on the finite values, up to ``k`` classes.
    NaN → "no data", +inf (no site reachable) → "unreachable". Legend entries: {color,
    lower, upper, count} or {color, label_key, count}.
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    finite = v[np.isfinite(v)]
    colors = pd.Series(NODATA_COLOR, index=v.index, dtype=object)
    legend: list[dict] = []
    if kind == "binary" and len(finite):
        for value, key, color in ((1.0, "legend_yes", BINARY_COLORS[1]),
                                  (0.0, "legend_no", BINARY_COLORS[0])):
            hit = finite.index[finite == value]
            colors[hit] = color
            legend.append({"color": color, "label_key": key, "count": int(len(hit))})
    elif kind == "gap" and len(finite):
        zero = finite.index[finite <= 0]
        colors[zero] = ZERO_COLOR
        legend.append({"color": ZERO_COLOR, "label_key": "legend_zero", "count": len(zero)})
        positive = finite[finite > 0]
        if len(positive):
            pc, pl = _graduated(positive, k=k - 1, cmap=cmap, kind="quantile")
            colors[positive.index] = pc
            legend += pl
    elif len(finite):
        colors[finite.index], legend = _graduated(finite, k=k, cmap=cmap, kind=kind)
    inf = v.index[np.isinf(v)]
    if len(inf):
        colors[inf] = UNREACHABLE_COLOR
        legend.append({"color": UNREACHABLE_COLOR, "label_key": "legend_unreachable",
                       "count": len(inf)})
    nodata = v.index[v.isna()]
    if len(nodata):
        legend.append({"color": NODATA_COLOR, "label_key": "legend_nodata",
                       "count": len(nodata)})
    return colors, legend


def _graduated(finite: pd.Series, *, k: int, cmap: str, kind: str
               ) -> tuple[list[str], list[dict]]:
    """Colours and legend entries of finite values: fixed share classes or Fisher–Jenks."""
    y = finite.to_numpy()
    if kind == "share":
        bins = np.array([0.2, 0.4, 0.6, 0.8, max(1.0, float(y.max()))])
        yb = np.searchsorted(bins, y, side="left")
        lower = [0.0, *bins[:-1]]
    elif kind == "quantile":
        bins = np.unique(np.quantile(y, np.linspace(0, 1, k + 1)[1:]))
        yb = np.searchsorted(bins, y, side="left")
        lower = [float(y.min()), *bins[:-1]]
    else:
        import warnings

        import mapclassify  # heavy (scipy.stats, sklearn): only for data-driven classes

        kk = int(min(k, finite.nunique()))
        with warnings.catch_warnings():  # "Numba not installed": exact pure-Python path
            warnings.simplefilter("ignore", UserWarning)
            classifier = (mapclassify.FisherJenks(y, k=kk) if kk >= 2
                          else mapclassify.UserDefined(y, bins=[float(y.max())]))
        bins, yb = np.asarray(classifier.bins, float), np.asarray(classifier.yb)
        lower = [float(y.min()), *bins[:-1]]
    n = len(bins)
    full = PALETTES[cmap]
    hexes = [full[round(i * (len(full) - 1) / max(n - 1, 1))] for i in range(n)]
    legend = [{"color": hexes[i], "lower": float(lower[i]), "upper": float(bins[i]),
               "count": int((yb == i).sum())} for i in range(n)]
    return [hexes[c] for c in yb], legend


