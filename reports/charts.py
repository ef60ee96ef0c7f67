"""The access chart of a report (matplotlib): per service type, the share of its target
population whose nearest site is within 0 … N km (or minutes), the report's sites and,
with a scenario, the baseline on the same chart, the radius in use marked. The numbers
are the report's access profiles (:func:`analysis.coverage.access_profile`)."""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import PercentFormatter

from i18n import t, type_name
from i18n.strings_report import LEGEND_COLOURS
from reports.cartography import cjk_font, png_bytes
from reports.data import ReportData
from reports.tables import radius_text

__all__ = ["access_chart", "access_charts"]


def access_chart(data: ReportData, type_id: str, lang: str = "zh-TW") -> bytes:
    """PNG of one type's access profile: x = km (minutes with travel time), y = share of
    demand within; scenario and baseline lines with a scenario; a vertical line at the
    radius."""
    family = cjk_font()
    prof = data.access[type_id]
    q = data.results[type_id].query
    scale = 60.0 if q.unit == "s" else 1000.0
    x = prof["threshold"] / scale
    fig = Figure(figsize=(6.5, 3.2), dpi=150)
    ax = fig.add_subplot()
    font = FontProperties(family=family, size=8)
    if "share_baseline" in prof:
        ax.plot(x, prof["share_baseline"], color=LEGEND_COLOURS["chart.baseline"],
                linestyle="--", linewidth=1.4, label=t("report.chart.baseline", lang))
        main = t("report.chart.scenario", lang)
    else:
        main = t("report.chart.result", lang)
    ax.plot(x, prof["share"], color=LEGEND_COLOURS["chart.result"], linewidth=1.8, label=main)
    ax.axvline(q.radius / scale, color=LEGEND_COLOURS["chart.radius"], linewidth=1.0,
               linestyle=":", label=t("report.chart.radius", lang,
                                      radius=radius_text(q.radius, q.unit, lang)))
    ax.set_xlim(0, float(x.max()))
    ax.set_ylim(0, 1.0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(t("report.chart.x.min" if q.unit == "s" else "report.chart.x.km", lang),
                  fontproperties=font)
    ax.set_ylabel(t("report.chart.y", lang), fontproperties=font)
    ax.set_title(chart_title(data, type_id, lang), fontproperties=FontProperties(
        family=family, size=10))
    ax.grid(True, linewidth=0.3, color="#cccccc")
    ax.tick_params(labelsize=7)
    ax.legend(loc="lower right", prop=font, frameon=True)
    fig.tight_layout()
    return png_bytes(fig)


def chart_title(data: ReportData, type_id: str, lang: str) -> str:
    """The chart's title: the type and what is measured (distance or travel time)."""
    unit = data.results[type_id].query.unit
    return t("report.chart.access", lang, type=type_name(type_id, lang),
             what=t(f"report.chart.what.{unit}", lang))


def access_charts(data: ReportData, lang: str = "zh-TW") -> list[dict]:
    """[{"title", "png"}] per type, rendered once per language (cached on ``data``)."""
    key = ("charts", lang)
    if key not in data.map_cache:
        data.map_cache[key] = [{"title": chart_title(data, tid, lang),
                                "png": access_chart(data, tid, lang)} for tid in data.access]
    return data.map_cache[key]
