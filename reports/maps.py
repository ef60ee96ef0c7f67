"""Static maps of a report, drawn with GeoPandas plotting in EPSG:3826 (TWD97 / TM2):
per service type its coverage (two classes for 0/1 coverage, classed shares when
area-weighted) and its gaps (demand not covered, natural breaks), and the hotspot classes
(Gi* bins or LISA quadrants). Every map has district outlines, the counted sites, the road
service areas in road mode, a scale bar, a north arrow and its legend inside the frame;
labels and colours come from the i18n catalogue (:mod:`i18n.strings_report`), text is set
in Noto Sans CJK TC. Nothing here computes coverage: the maps draw the report's results.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geo import METRIC_CRS
from i18n import t, type_name
from i18n.strings_report import LEGEND_COLOURS
from reports.cartography import add_north_arrow, add_scale_bar, cjk_font, png_bytes
from reports.data import ReportData
from reports.tables import radius_text
from reports.text import indicator_label

__all__ = ["report_maps", "class_map", "value_map", "BIN_ORDER", "LISA_ORDER"]

BIN_ORDER = (3, 2, 1, 0, -1, -2, -3)
LISA_ORDER = ("HH", "HL", "LH", "LL", "ns")
SIZE, DPI = (6.5, 6.0), 150


def _overlays(ax, districts, sites, areas, lang: str) -> list[tuple]:
    """District outlines, service areas and sites; returns their (handle, label) pairs."""
    extra = []
    if areas is not None and len(areas):
        colour = LEGEND_COLOURS["service_area"]
        areas.to_crs(METRIC_CRS).plot(ax=ax, color=colour, alpha=0.5, linewidth=0.4,
                                      zorder=5)
        extra.append((Line2D([], [], color=colour, alpha=0.7, linewidth=1.2),
                      t("report.legend.service_area", lang)))
    if districts is not None:
        districts.to_crs(METRIC_CRS).boundary.plot(ax=ax, color=LEGEND_COLOURS["district_outline"],
                                                   linewidth=0.6, zorder=8)
    if sites is not None and len(sites):
        colour = LEGEND_COLOURS["site"]
        sites.to_crs(METRIC_CRS).plot(ax=ax, markersize=22, color=colour, edgecolor="white",
                                      linewidth=0.7, zorder=15)
        extra.append((Line2D([], [], marker="o", linestyle="", markerfacecolor=colour,
                             markeredgecolor="white", markersize=6),
                      t("report.legend.sites", lang)))
    return extra


def _finish(fig: Figure, ax, title: str, legend_title: str, extra: list, lang: str) -> bytes:
    """Merge GeoPandas' legend with the overlay entries, add title, scale bar, arrow."""
    family = cjk_font()
    leg = ax.get_legend()
    handles = list(leg.legend_handles) if leg is not None else []
    # mapclassify's "low, high" (fmt "{:,.0f}") reads as three numbers: use a dash
    labels = [x.get_text().replace(", ", " – ") for x in leg.get_texts()] \
        if leg is not None else []
    handles += [h for h, _ in extra]
    labels += [lab for _, lab in extra]
    if handles:
        ax.legend(handles, labels, title=legend_title, loc="lower left",
                  bbox_to_anchor=(0.0, 0.1), frameon=True,
                  prop=FontProperties(family=family, size=7),
                  title_fontproperties=FontProperties(family=family, size=8))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=11, fontfamily=family)
    add_scale_bar(ax, family=family)
    add_north_arrow(ax, label=t("report.north", lang), family=family)
    return png_bytes(fig)


def class_map(villages: gpd.GeoDataFrame, classes: pd.Series, legend: list[tuple[object, str, str]],
              *, title: str, legend_title: str, lang: str, districts=None, sites=None,
              areas=None) -> bytes:
    """PNG of ``villages`` coloured by ``classes`` (per VILLCODE): ``legend`` lists
    (class, label, colour) in legend order; only classes that occur are drawn and listed."""
    family = cjk_font()
    present = [(c, lab, col) for c, lab, col in legend if (classes == c).any()]
    labels = classes.map({c: lab for c, lab, _ in present})
    v = villages.to_crs(METRIC_CRS).assign(cls=labels.reindex(villages.index))
    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_subplot()
    v.plot(ax=ax, column="cls", categorical=True, categories=[lab for _, lab, _ in present],
           cmap=ListedColormap([col for _, _, col in present]), edgecolor="white",
           linewidth=0.15, legend=True, legend_kwds={"prop": FontProperties(family=family)},
           missing_kwds={"color": LEGEND_COLOURS["nodata"]})
    extra = _overlays(ax, districts, sites, areas, lang)
    return _finish(fig, ax, title, legend_title, extra, lang)


def value_map(villages: gpd.GeoDataFrame, values: pd.Series, *, title: str, legend_title: str,
              lang: str, cmap: str, fmt: str = "{:,.0f}", bins: list[float] | None = None,
              missing_label: str = "", districts=None, sites=None, areas=None) -> bytes:
    """PNG of ``values`` (per VILLCODE) in classes: ``bins`` (upper bounds) or natural
    breaks (mapclassify, at most 5 classes); NaN villages grey, listed as ``missing_label``."""
    v = villages.to_crs(METRIC_CRS).assign(val=values.reindex(villages.index).astype(float))
    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_subplot()
    finite = v["val"].dropna()
    missing = {"color": LEGEND_COLOURS["nodata"], "label": missing_label}
    extra = []
    if finite.nunique() >= 2:
        scheme = {"scheme": "UserDefined", "classification_kwds": {"bins": bins}} if bins else \
            {"scheme": "NaturalBreaks", "k": min(5, int(finite.nunique()))}
        v.plot(ax=ax, column="val", cmap=cmap, edgecolor="white", linewidth=0.15, legend=True,
               legend_kwds={"fmt": fmt}, missing_kwds=missing, **scheme)
    elif len(finite):  # one value: one class
        v["cls"] = v["val"].map(lambda x: None if pd.isna(x) else fmt.format(x))
        v.plot(ax=ax, column="cls", categorical=True, cmap=ListedColormap([colormaps[cmap](0.75)]),
               edgecolor="white", linewidth=0.15, legend=True, missing_kwds=missing)
    else:  # no value at all (e.g. every village covered)
        v.plot(ax=ax, color=LEGEND_COLOURS["nodata"], edgecolor="white", linewidth=0.15)
        extra.append((Patch(facecolor=LEGEND_COLOURS["nodata"]), missing_label))
    extra += _overlays(ax, districts, sites, areas, lang)
    return _finish(fig, ax, title, legend_title, extra, lang)


def _coverage_map(data: ReportData, tid: str, lang: str) -> dict:
    r = data.results[tid]
    radius = radius_text(r.query.radius, r.query.unit, lang)
    common = dict(lang=lang, districts=data.districts, sites=r.sites,
                  areas=data.service_areas.get(tid))
    name = type_name(tid, lang)
    if r.query.area_weighted:
        title = t("report.map.coverage_share", lang, type=name, radius=radius)
        png = value_map(data.villages, r.villages["covered"], title=title, fmt="{:.0%}",
                        legend_title=t("report.legend.share", lang),
                        cmap=LEGEND_COLOURS["share_cmap"], bins=[0.25, 0.5, 0.75, 1.0],
                        **common)
        return {"title": title, "png": png}
    title = t("report.map.coverage", lang, type=name, radius=radius)
    classes = (r.villages["covered"] >= 0.5).map({True: "covered", False: "not_covered"})
    legend = [(k, t(f"report.legend.{k}", lang), LEGEND_COLOURS[k])
              for k in ("covered", "not_covered")]
    png = class_map(data.villages, classes, legend, title=title,
                    legend_title=t("report.legend.coverage", lang), **common)
    return {"title": title, "png": png}


def _gap_map(data: ReportData, tid: str, lang: str) -> dict:
    r = data.results[tid]
    title = t("report.map.gaps", lang, type=type_name(tid, lang))
    gaps = r.villages["uncovered_demand"].where(r.villages["uncovered_demand"] > 0)
    png = value_map(data.villages, gaps, title=title, lang=lang,
                    legend_title=t("report.legend.gaps", lang), cmap=LEGEND_COLOURS["gap_cmap"],
                    missing_label=t("report.legend.covered", lang), districts=data.districts,
                    sites=r.sites)
    return {"title": title, "png": png}


def _hotspot_map(data: ReportData, lang: str) -> dict:
    h = data.hotspots
    gi = "bin" in h.villages
    title = t("report.map.hotspots", lang, method=t(f"report.method.{h.meta['method']}", lang),
              indicator=indicator_label(h.meta["indicator"], lang))
    if gi:
        classes = h.villages["bin"].astype(int)
        legend = [(b, t(f"report.legend.bin.{b}", lang), LEGEND_COLOURS[f"bin.{b}"])
                  for b in BIN_ORDER]
    else:
        classes = h.villages["quadrant"]
        legend = [(q, t(f"report.legend.lisa.{q}", lang), LEGEND_COLOURS[f"lisa.{q}"])
                  for q in LISA_ORDER]
    png = class_map(data.villages, classes, legend, title=title, lang=lang,
                    legend_title=t("report.legend.bin" if gi else "report.legend.quadrant", lang),
                    districts=data.districts)
    return {"title": title, "png": png}


def report_maps(data: ReportData, lang: str = "zh-TW") -> list[dict]:
    """The report's maps as [{"title", "png"}]: per type its coverage and its gaps, then
    the hotspots. Rendered once per language (cached on ``data``)."""
    key = ("maps", lang)
    if key not in data.map_cache:
        out = []
        for tid in data.results:
            out += [_coverage_map(data, tid, lang), _gap_map(data, tid, lang)]
        if data.hotspots is not None:
            out.append(_hotspot_map(data, lang))
        data.map_cache[key] = out
    return data.map_cache[key]
