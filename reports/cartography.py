"""Map furniture for printed maps: the CJK font, a scale bar and a north arrow, and PNG
output. Each figure is its own ``matplotlib.figure.Figure`` (no pyplot, no global
rcParams), so reports can render in the app's worker threads.

North: the arrow points to grid north of EPSG:3826. In Taoyuan (about 121.0-121.5 °E, on
the TM2 central meridian 121 °E) grid and true north differ by under 0.2°, invisible at
report scale. The scale bar is drawn in the projected metres of the map axes.
"""
from __future__ import annotations

import io
import math

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Rectangle

__all__ = ["cjk_font", "nice_length", "add_scale_bar", "add_north_arrow", "png_bytes",
           "CJK_FAMILIES", "NO_CJK_FONT"]

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
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    font = {"fontfamily": family} if family else {}
    ax.text(bx, by + 1.8 * h, "0", ha="center", va="bottom", fontsize=7, zorder=20, **font)
    ax.text(bx + length, by + 1.8 * h, text, ha="center", va="bottom", fontsize=7, zorder=20,
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


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (white background, tight bounding box)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    return buf.getvalue()
