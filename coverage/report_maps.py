"""Static maps for printed reports: village choropleths in EPSG:3826 (TWD97 / TM2, metres)
with a scale bar, a north arrow and zh-TW labels in Noto Sans CJK TC.

Nothing here computes coverage: every function draws columns it is given. Maps come back
as PNG bytes (150 dpi by default) so an HTML report can embed them as data URIs. No pyplot
and no global rcParams: each map is its own ``Figure`` with the font passed explicitly, so
reports can render in the app's worker threads.

North: the arrow points to grid north of EPSG:3826. In Taoyuan (about 121.0-121.5 °E, on
the TM2 central meridian 121 °E) grid and true north differ by under 0.2°, invisible at
report scale. The scale bar is drawn in the projected metres of the map axes.
"""
from __future__ import annotations

import io
import math

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import colormaps, font_manager
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrow, PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from geo import METRIC_CRS

CJK_FAMILIES = ("Noto Sans CJK TC", "Noto Sans TC", "Noto Serif CJK TC", "Noto Sans CJK HK")
NO_CJK_FONT = ("no CJK font for the report maps: install Debian 'fonts-noto-cjk' (provides "
               "\"Noto Sans CJK TC\") and clear the matplotlib font cache (~/.cache/matplotlib)")


def cjk_font() -> str:
    """Name of the first installed Traditional-Chinese font of :data:`CJK_FAMILIES`.

    Raises RuntimeError with installation advice when none is installed (maps would show
    empty boxes instead of Chinese)."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    raise RuntimeError(NO_CJK_FONT)


def nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^k metres) of about a fifth of ``span_m``."""
    if not span_m > 0:
        raise ValueError(f"span must be > 0 m, got {span_m!r}")
    target = span_m / 5
    k = 10 ** math.floor(math.log10(target))
    return max(m * k for m in (1, 2, 5) if m * k <= target)


def add_scale_bar(ax, *, segments: int = 2, loc: tuple[float, float] = (0.05, 0.05),
                  family: str | None = None) -> float:
    """Draw an alternating black/white scale bar in the lower left of ``ax`` (axes in
    metres) and return its length in metres."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    h = (y1 - y0) * 0.012
    bx, by = x0 + loc[0] * (x1 - x0), y0 + loc[1] * (y1 - y0)
    seg = length / segments
    for i in range(segments):
        ax.add_patch(Rectangle((bx + i * seg, by), seg, h, facecolor="black" if i % 2 == 0
                               else "white", edgecolor="black", linewidth=0.8, zorder=20))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    font = {"fontfamily": family} if family else {}
    ax.text(bx, by + 1.8 * h, "0", ha="center", va="bottom", fontsize=7, zorder=20, **font)
    ax.text(bx + length, by + 1.8 * h, label, ha="center", va="bottom", fontsize=7, zorder=20,
            **font)
    return length


def add_north_arrow(ax, *, loc: tuple[float, float] = (0.93, 0.86), label: str = "N",
                    family: str | None = None) -> None:
    """Draw a north arrow (grid north of EPSG:3826) in the upper right of ``ax``."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax_h = y1 - y0
    x, y = x0 + loc[0] * (x1 - x0), y0 + loc[1] * ax_h
    ax.add_patch(FancyArrow(x, y, 0, 0.07 * ax_h, width=0.012 * (x1 - x0),
                            head_width=0.035 * (x1 - x0), head_length=0.035 * ax_h,
                            length_includes_head=True, color="black", zorder=20))
    ax.text(x, y + 0.085 * ax_h, label, ha="center", va="bottom", fontsize=10,
            fontweight="bold", zorder=20, **({"fontfamily": family} if family else {}))


def _path(geom) -> MplPath:
    """One compound path (exteriors and holes) of a Polygon / MultiPolygon."""
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            verts.append(xy)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY])
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _polygons(ax, geoms, colours, *, edge: str = "white", width: float = 0.15) -> None:
    """Fill polygons in one collection (geopandas' plot redraws the figure per call)."""
    keep = [i for i, g in enumerate(geoms) if g is not None and not g.is_empty]
    patches = [PathPatch(_path(geoms[i])) for i in keep]
    ax.add_collection(PatchCollection(patches, facecolors=[colours[i] for i in keep],
                                      edgecolors=edge, linewidths=width), autolim=True)


def _outlines(ax, geoms, *, colour: str = "#333333", width: float = 0.6) -> None:
    lines = [np.asarray(ring.coords) for g in geoms if g is not None
             for poly in getattr(g, "geoms", [g]) for ring in [poly.exterior, *poly.interiors]]
    ax.add_collection(LineCollection(lines, colors=colour, linewidths=width))


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def _frame(ax, title: str, north: str, family: str) -> None:
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=11, fontfamily=family)
    add_scale_bar(ax, family=family)
    add_north_arrow(ax, label=north, family=family)


def choropleth(villages: gpd.GeoDataFrame, column: str, *, title: str,
               districts: gpd.GeoDataFrame | None = None, sites: gpd.GeoDataFrame | None = None,
               categories: dict | None = None, cmap: str = "YlOrRd", legend_title: str = "",
               north: str = "N", site_label: str = "", dpi: int = 150,
               size: tuple[float, float] = (6.5, 6.0)) -> bytes:
    """PNG of ``villages[column]`` in EPSG:3826, with district outlines, site points,
    scale bar and north arrow.

    ``categories``: {value: (label, colour)} for a categorical map (values not listed are
    drawn light grey); otherwise a continuous colour map with a colour bar; NaN / inf
    villages are drawn grey. Raises RuntimeError when no CJK font is installed.
    """
    if column not in villages:
        raise KeyError(f"map column {column!r} not in the village table")
    family = cjk_font()
    v = villages.to_crs(METRIC_CRS)
    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.add_subplot()
    values = v[column]
    handles, labels = [], []
    geoms = v.geometry.to_numpy()
    if categories:
        colours = values.map({k: c for k, (_, c) in categories.items()}).fillna("#eeeeee")
        _polygons(ax, geoms, colours.tolist())
        for label, colour in categories.values():
            handles.append(Rectangle((0, 0), 1, 1, facecolor=colour, edgecolor="grey"))
            labels.append(label)
    else:
        num = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan)
        ok = num.notna().to_numpy()
        finite = num[ok]
        norm = Normalize(float(finite.min()) if len(finite) else 0.0,
                         float(finite.max()) if len(finite) else 1.0)
        cm = colormaps[cmap]
        colours = [cm(norm(x)) if good else "#dddddd" for x, good in zip(num, ok)]
        _polygons(ax, geoms, colours)
        cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cm), ax=ax, shrink=0.55,
                          format="{x:,.0f}")
        cb.ax.set_title(legend_title, fontsize=7, loc="left",  # CJK reads badly rotated
                        fontfamily=family)
        cb.ax.tick_params(labelsize=7)
    if districts is not None:
        _outlines(ax, districts.to_crs(METRIC_CRS).geometry.to_numpy())
    ax.autoscale_view()
    if sites is not None and len(sites):
        s = sites.to_crs(METRIC_CRS)
        handles.append(ax.scatter(s.geometry.x, s.geometry.y, s=22, marker="o",
                                  facecolor="#1f4e99", edgecolor="white", linewidth=0.7,
                                  zorder=15))
        labels.append(site_label or "sites")
    if handles:
        ax.legend(handles, labels, title=legend_title if categories else None,
                  loc="lower right", frameon=True,
                  prop=FontProperties(family=family, size=7),
                  title_fontproperties=FontProperties(family=family, size=8))
    _frame(ax, title, north, family)
    return _png(fig)
