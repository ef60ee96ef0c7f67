"""Hotspot page (熱區): where a village indicator clusters high (or low), by local Getis-Ord
Gi* (default) or local Moran's I (LISA), with touching hot villages merged into regions
ranked by unmet demand.

All statistics come from :mod:`coverage.hotspots` (gi_star / local_moran, hot_villages,
hotspot_regions, method_note); coverage indicators are built from the app's engine result
(:func:`ui.state.type_result`) by the same function the ``safetynet hotspots`` CLI uses
(:func:`coverage.hotspot_indicators.indicator_values`). Each computation is cached by its inputs
(``st.cache_data``). With FDR the page runs 9999 permutations (with 999 the smallest
two-sided p is 0.002 and Benjamini-Hochberg over 504 villages cannot reject anything
unless 21 villages all reach it; see coverage/hotspots.py). Map text is escaped.
"""
from __future__ import annotations

import folium
import pandas as pd
import shapely
import streamlit as st

from coverage.hotspots import FDR_PERMUTATIONS
from geo.services import SERVICE_TYPES
from ui import fmt, mapview, state
from ui.assets import esc
from ui.controls import Settings
from ui.folium_component import show_map
from ui.i18n import district_name
from ui.i18n import t as base_t
from ui.i18n import type_name, village_name

INDICATOR_IDS = ("uncovered_share", "residents_per_site", "access_score", "children_density",
                 "elderly_density", "per_1000:age_0_14", "per_1000:age_65_plus")
COVERAGE_INDICATORS = ("uncovered_share", "residents_per_site", "access_score")
METHODS = ("gi", "lisa")
WEIGHTS = ("queen", "distance")
ALPHAS = (0.10, 0.05, 0.01)
MIN_BIN = {0.10: 1, 0.05: 2, 0.01: 3}  # Gi*: a village is hot when bin >= this (p <= alpha)
DEFAULT_THRESHOLD_KM = 3.0
# diverging ColorBrewer RdBu (7 classes), cold -3 ... +3 hot
BIN_COLORS = {-3: "#2166ac", -2: "#67a9cf", -1: "#d1e5f0", 0: "#f7f7f7", 1: "#fddbc7",
              2: "#ef8a62", 3: "#b2182b"}
# GeoDa's LISA cluster-map colours
LISA_COLORS = {"HH": "#d7191c", "LL": "#2c7bb6", "LH": "#abd9e9", "HL": "#fdae61",
               "ns": "#f7f7f7"}
CONFIDENCE = {1: 90, 2: 95, 3: 99}
REGION_COLOR = "#000000"

# key -> (zh-TW, en); keys missing here come from ui.i18n
STRINGS: dict[str, tuple[str, str]] = {
    "page_hotspots": ("熱區分析", "Hotspots"),
    "indicator": ("指標", "Indicator"),
    "hs_type": ("服務類型（涵蓋指標與未涵蓋需求）", "Service type (coverage indicators, unmet demand)"),
    "method": ("方法", "Method"),
    "method_gi": ("Getis-Ord Gi*（熱點分析）", "Getis-Ord Gi* (hot spot analysis)"),
    "method_lisa": ("局部 Moran's I（LISA）", "Local Moran's I (LISA)"),
    "weights": ("空間權重", "Spatial weights"),
    "weights_queen": ("Queen 相鄰", "Queen contiguity"),
    "weights_distance": ("距離帶", "Distance band"),
    "threshold": ("距離帶（公里，里質心間）", "Distance band (km between village centroids)"),
    "fdr": ("FDR 校正（9999 次排列）", "FDR correction (9999 permutations)"),
    "alpha": ("顯著水準 α", "Significance level α"),
    "hot": ("熱點", "Hot spot"), "cold": ("冷點", "Cold spot"),
    "confidence": ("{kind} {c}% 信心", "{kind}, {c}% confidence"),
    "not_significant": ("不顯著", "Not significant"),
    "lisa_HH": ("高-高（熱點群聚）", "High-High (hot cluster)"),
    "lisa_LL": ("低-低（冷點群聚）", "Low-Low (cold cluster)"),
    "lisa_HL": ("高-低（離群）", "High-Low (outlier)"),
    "lisa_LH": ("低-高（離群）", "Low-High (outlier)"),
    "lisa_ns": ("不顯著", "Not significant"),
    "side_hot": ("熱區：指標高值且顯著群聚的相鄰村里（需求或缺口大）。",
                 "Hot regions: touching villages where the indicator clusters high (more need)."),
    "side_cold": ("冷區：可及性低值且顯著群聚的相鄰村里（可及性不足）。",
                  "Cold regions: touching villages where access clusters low (too little access)."),
    "context": ("涵蓋依據：{type}，半徑 {r} km，需求人口：{demand}，{n} 個據點。",
                "Coverage basis: {type}, radius {r} km, demand: {demand}, {n} sites."),
    "regions": ("熱區排序（依未涵蓋需求）", "Regions ranked by unmet demand"),
    "regions_cold": ("冷區排序（依未涵蓋需求）", "Cold regions ranked by unmet demand"),
    "no_regions": ("沒有達到顯著水準的熱區。", "No region reaches the significance level."),
    "layer_regions": ("熱區範圍", "Region outlines"),
    "region_tip": ("第 {r} 區：{n} 個村里，未涵蓋需求 {u}", "Region {r}: {n} villages, unmet demand {u}"),
    "region_of": ("屬第 {r} 區", "in region {r}"),
    "col_region": ("排名", "Rank"), "col_n": ("村里數", "Villages"),
    "col_villages": ("村里", "Village names"), "col_districts": ("行政區", "Districts"),
    "col_pop": ("人口", "Population"), "col_demand": ("需求", "Demand"),
    "col_unmet": ("未涵蓋需求", "Unmet demand"), "col_sites": ("最近據點", "Nearest sites"),
    "significant": ("顯著村里", "Significant villages"),
    "col_code": ("村里代碼", "VILLCODE"), "col_value": ("指標值", "Value"),
    "col_class": ("分類", "Class"), "col_p_fdr": ("p（FDR 校正）", "p (FDR-adjusted)"),
    "method_note": ("方法說明", "Method"),
    "download": ("下載各村里結果（CSV）", "Download per-village results (CSV)"),
    "cannot": ("無法計算此指標的熱區：{err}", "No hotspots for this indicator: {err}"),
    "group_age_0_14": ("兒少人口", "Children aged 0-14"),
    "group_age_65_plus": ("高齡人口", "Residents aged 65+"),
}


def t(key: str, lang: str, **kw) -> str:
    """Page string (falls back to ui.i18n)."""
    if key not in STRINGS:
        return base_t(key, lang, **kw)
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**kw) if kw else text


def _hs():
    """coverage.hotspots, imported when the page is first drawn (esda/libpysal are heavy)."""
    from coverage import hotspots

    return hotspots


def _md(text: object) -> str:
    """Text made literal inside Streamlit markdown (Gi* would otherwise start italics)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in str(text))


def indicator_label(name: str, type_id: str | None, lang: str) -> str:
    """Display name of an indicator (coverage indicators name their service type)."""
    zh, en = _hs().INDICATORS[name.split(":", 1)[0]]
    label = en if lang == "en" else zh
    if name.startswith("per_1000:"):
        return f"{t('group_' + name.split(':', 1)[1], lang)} {label}"
    if name in COVERAGE_INDICATORS and type_id:
        return f"{label}（{type_name(type_id, lang)}）" if lang != "en" else \
            f"{label} ({type_name(type_id, lang)})"
    return label


# --- computation ------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def compute(sites_key: str, type_id: str, radius_m: float, mode: str, demand: str,
            include_planned: bool, indicator: str, method: str, weights: str,
            threshold_m: float | None, fdr: bool, alpha: float, _sites) -> dict:
    """Hotspots of ``indicator`` with the given options (:func:`analysis.hotspots.
    analyse_hotspots`, the same function as ``safetynet hotspots`` and the reports), cached
    by all of them. The coverage behind coverage indicators and unmet demand is the app's
    cached engine result.

    Returns {"result": per-village statistics, "meta": every setting used, "regions":
    ranked regions, "hotspots": the HotspotResult} or {"error": message} when the
    indicator admits no local statistic (constant, missing)."""
    from analysis.hotspots import HotspotQuery, analyse_hotspots

    cov = state.type_result(sites_key, type_id, radius_m, mode, demand, include_planned, _sites)
    query = HotspotQuery(indicator=indicator, method=method, weights=weights,
                         threshold_m=threshold_m if weights == "distance" else None, fdr=fdr,
                         alpha=alpha, coverage=cov.query)
    try:
        res = analyse_hotspots(state.dataset().with_sites(_sites), query, coverage=cov)
    except (ValueError, KeyError) as exc:
        return {"error": str(exc)}
    meta = {**res.meta, "radius_m": float(radius_m), "n_sites": int(len(cov.sites))}
    return {"result": res.villages, "meta": meta, "regions": res.regions, "hotspots": res}


# --- classes, tooltips, legend -------------------------------------------------------------

def village_class(result: pd.DataFrame) -> pd.Series:
    """Per-village class: the Gi* bin (-3..3) or the LISA quadrant (HH/LL/HL/LH/ns)."""
    return result["bin"].astype(int) if "bin" in result else result["quadrant"]


def class_colors(result: pd.DataFrame) -> pd.Series:
    """Fill colour per village (BIN_COLORS for Gi*, LISA_COLORS for LISA)."""
    cls = village_class(result)
    return cls.map(BIN_COLORS if "bin" in result else LISA_COLORS)


def class_label(cls, lang: str) -> str:
    """Legend text of a Gi* bin or a LISA quadrant."""
    if isinstance(cls, str):
        return t(f"lisa_{cls}", lang)
    cls = int(cls)
    if cls == 0:
        return t("not_significant", lang)
    return t("confidence", lang, kind=t("hot" if cls > 0 else "cold", lang),
             c=CONFIDENCE[abs(cls)])


def legend_html(result: pd.DataFrame, title: str, lang: str) -> str:
    """Legend (escaped): every class with its colour and number of villages."""
    cls = village_class(result)
    order = list(range(3, -4, -1)) if "bin" in result else ["HH", "HL", "LH", "LL", "ns"]
    colors = BIN_COLORS if "bin" in result else LISA_COLORS
    parts = [f"<b>{esc(title)}</b>"]
    for c in order:
        parts.append(f'<div><i style="background:{colors[c]}"></i>{esc(class_label(c, lang))} '
                     f"({fmt.num(int((cls == c).sum()))})</div>")
    return "".join(parts)


def _value_text(name: str, x: float) -> str:
    return fmt.pct(x) if name == "uncovered_share" else fmt.num(x, 2 if x < 100 else 0)


def village_tips(villages, result: pd.DataFrame, regions: pd.DataFrame, indicator: str,
                 label: str, lang: str) -> pd.Series:
    """Tooltip HTML per village: district, village, indicator value, z and p, class and
    region. Every text part is escaped."""
    region_of = {v: int(r) for r, vs in zip(regions["region"], regions["villages"]) for v in vs}
    cls = village_class(result)
    tips = {}
    for code, r in result.iterrows():
        row = villages.loc[code]
        stat = (f"z = {r['z']:.2f}, p = {r['p']:.4f}"
                + (f", p<sub>FDR</sub> = {r['p_fdr']:.4f}" if "p_fdr" in r else ""))
        reg = f"<br>{esc(t('region_of', lang, r=region_of[code]))}" if code in region_of else ""
        tips[code] = (f"<b>{esc(district_name(row, lang))} {esc(village_name(row, lang))}</b>"
                      f"<br>{esc(label)}：{esc(_value_text(indicator, r['value']))}"
                      f"<br>{stat}<br>{esc(class_label(cls[code], lang))}{reg}")
    return pd.Series(tips, dtype=object)


# --- tables -------------------------------------------------------------------------------

def region_frame(regions: pd.DataFrame, villages, site_names: dict, lang: str) -> pd.DataFrame:
    """The region table for display: rank, villages, districts, population, demand, unmet
    demand (numbers kept numeric), nearest sites by name."""
    def names(codes):
        return "、".join(f"{district_name(villages.loc[c], lang)} {village_name(villages.loc[c], lang)}"
                        for c in codes)

    def dnames(ds):
        col = "district_en" if lang == "en" else "district"
        lookup = dict(zip(villages["district"], villages[col]))
        return "、".join(lookup.get(d, d) for d in ds)

    return pd.DataFrame({
        t("col_region", lang): regions["region"].astype(int).to_numpy(),
        t("col_n", lang): regions["n_villages"].astype(int).to_numpy(),
        t("col_districts", lang): [dnames(d) for d in regions["districts"]],
        t("col_pop", lang): regions["population"].astype(float).to_numpy(),
        t("col_demand", lang): regions["demand"].astype(float).to_numpy(),
        t("col_unmet", lang): regions["unmet_demand"].astype(float).to_numpy(),
        t("col_sites", lang): ["、".join(site_names.get(s, s) for s in ss)
                               for ss in regions["nearest_sites"]],
        t("col_villages", lang): [names(v) for v in regions["villages"]],
    })


def significant_frame(result: pd.DataFrame, villages, lang: str, *, fdr: bool) -> pd.DataFrame:
    """Villages with a significant class (Gi* bin != 0, LISA quadrant != ns), strongest
    first: code, district, village, value, z, p (and FDR p), the class (Gi_Bin as +3..-3,
    or the LISA quadrant) and its label."""
    cls = village_class(result)
    sig = result[(cls != 0) if "bin" in result else (cls != "ns")]
    sig = sig.assign(_abs=sig["z"].abs()).sort_values("_abs", ascending=False, kind="stable")
    out = pd.DataFrame({
        t("col_code", lang): sig.index.astype(str),
        t("col_districts", lang): [district_name(villages.loc[c], lang) for c in sig.index],
        t("village", lang): [village_name(villages.loc[c], lang) for c in sig.index],
        t("col_value", lang): sig["value"].to_numpy(),
        "z": sig["z"].to_numpy(), "p": sig["p"].to_numpy(),
    })
    if fdr:
        out[t("col_p_fdr", lang)] = sig["p_fdr"].to_numpy()
    out["Gi_Bin" if "bin" in result else "LISA"] = [
        f"{int(c):+d}" if "bin" in result else str(c) for c in cls[sig.index]]
    out[t("col_class", lang)] = [class_label(c, lang) for c in cls[sig.index]]
    return out


# --- map ----------------------------------------------------------------------------------

def region_group(regions: pd.DataFrame, geoms, *, name: str, lang: str) -> folium.FeatureGroup:
    """Outline of each region (its villages' display shapes merged), escaped tooltip."""
    fg = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    feats = []
    for r in regions.itertuples():
        shape = shapely.union_all(geoms.loc[list(r.villages)].to_numpy())
        tip = esc(t("region_tip", lang, r=int(r.region), n=int(r.n_villages),
                    u=fmt.num(r.unmet_demand)))
        feats.append({"type": "Feature", "id": f"region-{r.region}",
                      "properties": {"tip": tip}, "geometry": shapely.geometry.mapping(shape)})
    if feats:
        folium.GeoJson({"type": "FeatureCollection", "features": feats}, name=name,
                       style_function=lambda f: {"color": REGION_COLOR, "weight": 3,
                                                 "fill": False, "dashArray": "5 3"},
                       tooltip=folium.GeoJsonTooltip(["tip"], labels=False, sticky=True),
                       ).add_to(fg)
    return fg


def _base_map(tiles: str, lang: str) -> folium.Map:
    ds, disp = state.dataset(), state.display()
    return mapview.base_map(ds.districts, disp["district_geoms"], disp["village_features"],
                            tiles=tiles, villages_name=t("village", lang),
                            label_column="district_en" if lang == "en" else "district")


def map_layers(out: dict, indicator: str, label: str, sites, lang: str) -> tuple[list, list]:
    """Feature groups (village classes, region outlines, the type's sites) and the
    layer-control entries."""
    from ui.map_page import site_tips

    ds, disp = state.dataset(), state.display()
    result, regions, meta = out["result"], out["regions"], out["meta"]
    tips = village_tips(ds.villages, result, regions, indicator, label, lang)
    method = t("method_gi" if meta["method"] == "gi_star" else "method_lisa", lang)
    groups = [mapview.village_style_group(class_colors(result), tips,
                                          legend_html=legend_html(result, f"{method} · {label}",
                                                                  lang))]
    groups.append(region_group(regions, disp["village_geoms"], name=t("layer_regions", lang),
                               lang=lang))
    tid = meta["type"]
    shown = sites[(sites["type"] == tid) & sites["status"].isin(["open", "planned"])] \
        if len(sites) else sites
    sites_label = f"{type_name(tid, lang)} ({fmt.num(len(shown))})"
    groups.append(mapview.site_group(shown, tid, name=sites_label, radius_m=None,
                                     tips=site_tips(shown, lang)))
    overlays = [(t("village", lang), "window.__villages"), (t("layer_regions", lang), 1),
                (sites_label, 2)]
    return groups, overlays


# --- page ---------------------------------------------------------------------------------

def _controls(settings: Settings) -> dict:
    lang = settings.lang
    types = list(SERVICE_TYPES)
    default_type = settings.metric_type or (settings.types[0] if settings.types else types[0])
    c1, c2, c3 = st.columns(3)
    type_id = c2.selectbox(t("hs_type", lang), types, index=types.index(default_type),
                           key="hs_type", format_func=lambda k: type_name(k, lang))
    indicator = c1.selectbox(t("indicator", lang), INDICATOR_IDS, key="hs_indicator",
                             format_func=lambda k: indicator_label(k, type_id, lang))
    method = c3.radio(t("method", lang), METHODS, key="hs_method", horizontal=True,
                      format_func=lambda k: t(f"method_{k}", lang))
    c4, c5, c6, c7 = st.columns(4)
    weights = c4.radio(t("weights", lang), WEIGHTS, key="hs_weights", horizontal=True,
                       format_func=lambda k: t(f"weights_{k}", lang))
    threshold_m = None
    if weights == "distance":
        threshold_m = 1000.0 * c5.number_input(t("threshold", lang), min_value=0.5,
                                               max_value=30.0, value=DEFAULT_THRESHOLD_KM,
                                               step=0.5, key="hs_threshold")
    fdr = c6.checkbox(t("fdr", lang), key="hs_fdr")
    alpha = c7.select_slider(t("alpha", lang), ALPHAS, value=0.05, key="hs_alpha",
                             format_func=lambda a: f"{a:g}（{100 * (1 - a):g}%）")
    return dict(type_id=type_id, indicator=indicator, method=method, weights=weights,
                threshold_m=threshold_m, fdr=bool(fdr), alpha=float(alpha))


def render(settings: Settings) -> None:
    """The hotspot page (signature of the other pages: ``render(settings)``)."""
    lang = settings.lang
    st.title(t("page_hotspots", lang))
    ds = state.dataset()
    sites, key = state.current_sites()
    c = _controls(settings)
    tid = c["type_id"]
    radius_m = float(settings.radii.get(tid) or state.dataset().config.type(tid).radius_m)
    out = compute(key, tid, radius_m, settings.mode, settings.demand,
                  settings.include_planned, c["indicator"], c["method"], c["weights"],
                  c["threshold_m"], c["fdr"], c["alpha"], sites)
    if "error" in out:
        st.warning(_md(t("cannot", lang, err=out["error"])))
        return
    result, meta, regions = out["result"], out["meta"], out["regions"]
    label = indicator_label(c["indicator"], tid, lang)
    st.caption(t("side_" + meta["side"], lang) + " "
               + t("context", lang, type=type_name(tid, lang), r=fmt.num(radius_m / 1000, 1),
                   demand=t(f"demand_{settings.demand}", lang), n=fmt.num(meta["n_sites"])))

    groups, overlays = map_layers(out, c["indicator"], label, sites, lang)
    show_map(("hotspot_base", settings.tiles, lang), lambda: _base_map(settings.tiles, lang),
             groups, overlays=overlays, key="hs_map", height=600, returned_objects=[])

    names = dict(zip(sites["site_id"].astype(str), sites["name"].astype(str))) if len(sites) else {}
    st.subheader(t("regions" if meta["side"] == "hot" else "regions_cold", lang))
    with st.container(key="hs_regions"):
        if len(regions):
            num = st.column_config.NumberColumn(format="localized")
            st.dataframe(region_frame(regions, ds.villages, names, lang), hide_index=True,
                         column_config={t(k, lang): num for k in ("col_pop", "col_demand",
                                                                  "col_unmet")})
        else:
            st.caption(t("no_regions", lang))
    with st.container(key="hs_note"):
        st.markdown(f"**{_md(t('method_note', lang))}**")
        st.caption(_md(_hs().method_note(meta, lang)))
    with st.expander(t("significant", lang), expanded=False), st.container(key="hs_significant"):
        st.dataframe(significant_frame(result, ds.villages, lang, fdr=c["fdr"]),
                     hide_index=True)
    st.download_button(t("download", lang),
                       result.reset_index().to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"hotspots_{c['indicator'].replace(':', '_')}_{c['method']}.csv",
                       mime="text/csv", key="hs_download")
