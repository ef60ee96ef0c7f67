"""Hotspot page (熱區): where a village indicator clusters high (or low), by local Getis-Ord
Gi* (default) or local Moran's I (LISA), with touching hot villages merged into regions
ranked by persons not covered.

Everything is computed by :func:`analysis.hotspots.analyse_hotspots` (the same function as
``safetynet hotspots`` and the reports) with the defaults of analysis/defaults.toml; the
coverage behind coverage indicators is the app's cached analysis result. Each computation is
cached by its inputs (``st.cache_data``); the page body is a fragment, so its controls rerun
it alone. Strings are the catalogue's ``hs.*`` keys (i18n/strings_hotspots.py). Map text is
escaped.
"""
from __future__ import annotations

import folium
import pandas as pd
import shapely
import streamlit as st

from geo.services import SERVICE_TYPES
from i18n import district_name, t, type_name, village_name
from i18n.strings_report import LEGEND_COLOURS
from ui import done, fmt, mapview, state
from ui.assets import esc
from ui.controls import Settings, demand_label, pick, recall, remember, wkey
from ui.folium_component import show_map

INDICATOR_IDS = ("uncovered_share", "residents_per_site", "access_score", "children_density",
                 "elderly_density", "per_1000:age_0_14", "per_1000:age_65_plus",
                 "per_1000:indigenous")  # need layers measured per village (2021-06, carried)
COVERAGE_INDICATORS = ("uncovered_share", "residents_per_site", "access_score")
METHODS = ("gi", "lisa")
WEIGHTS = ("queen", "distance")
ALPHAS = (0.10, 0.05, 0.01)
# the one catalogue's legend colours (i18n.strings_report.LEGEND_COLOURS, shared with the
# report maps): Gi* bins -3 ... +3 (ColorBrewer RdBu), LISA quadrants (GeoDa's colours)
BIN_COLORS = {b: LEGEND_COLOURS[f"bin.{b}"] for b in range(-3, 4)}
LISA_COLORS = {q: LEGEND_COLOURS[f"lisa.{q}"] for q in ("HH", "LL", "LH", "HL", "ns")}
CONFIDENCE = {1: 90, 2: 95, 3: 99}
REGION_COLOR = "#000000"


def _md(text: object) -> str:
    """Text made literal inside Streamlit markdown (Gi* would otherwise start italics)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$:" else c for c in str(text))


def indicator_label(name: str, type_id: str | None, lang: str) -> str:
    """Display name of an indicator (coverage indicators name their service type)."""
    label = t(f"hs.ind.{name}", lang)
    if name in COVERAGE_INDICATORS and type_id:
        return t("hs.ind_of", lang, label=label, type=type_name(type_id, lang))
    return label


# --- computation ------------------------------------------------------------------------

@st.cache_data(show_spinner=False, max_entries=64)
def compute(sites_key: str, type_id: str, radius_m: float, mode: str, demand: str | None,
            include_planned: bool, indicator: str, method: str, weights: str,
            threshold_m: float | None, fdr: bool, alpha: float, _sites,
            weight: str = "length") -> dict:
    """Hotspots of ``indicator`` with the given options (:func:`analysis.hotspots.
    analyse_hotspots`), cached by all of them. The coverage behind coverage indicators and
    the persons not covered is the app's cached analysis result.

    Returns {"result": per-village statistics, "meta": every setting used, "regions":
    ranked regions, "hotspots": the HotspotResult} or {"error": key of the reason,
    "detail": the message} when the indicator admits no local statistic."""
    from analysis.hotspots import HotspotQuery, analyse_hotspots

    cov = state.type_result(sites_key, type_id, radius_m, mode, demand, include_planned, _sites,
                            weight=weight)
    if indicator in COVERAGE_INDICATORS and len(cov.sites) == 0:
        return {"error": "hs.cannot_no_sites", "detail": ""}
    query = HotspotQuery(indicator=indicator, method=method, weights=weights,
                         threshold_m=threshold_m if weights == "distance" else None, fdr=fdr,
                         alpha=alpha, coverage=cov.query)
    try:
        res = analyse_hotspots(state.dataset().with_sites(_sites), query, coverage=cov)
    except (ValueError, KeyError) as exc:
        return {"error": "hs.cannot_constant", "detail": str(exc)}
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
        return t(f"hs.lisa_{cls}", lang)
    cls = int(cls)
    if cls == 0:
        return t("hs.not_significant", lang)
    return t("hs.confidence", lang, kind=t("hs.hot" if cls > 0 else "hs.cold", lang),
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
    sep = esc(t("sep", lang))
    tips = {}
    for code, r in result.iterrows():
        row = villages.loc[code]
        stat = (f"z = {r['z']:.2f}, p = {r['p']:.4f}"
                + (f", p<sub>FDR</sub> = {r['p_fdr']:.4f}" if "p_fdr" in r else ""))
        reg = (f"<br>{esc(t('hs.region_of', lang, r=region_of[code]))}"
               if code in region_of else "")
        tips[code] = (f"<b>{esc(district_name(row, lang))} {esc(village_name(row, lang))}</b>"
                      f"<br>{esc(label)}{sep}{esc(_value_text(indicator, r['value']))}"
                      f"<br>{stat}<br>{esc(class_label(cls[code], lang))}{reg}")
    return pd.Series(tips, dtype=object)


# --- tables -------------------------------------------------------------------------------

def region_frame(regions: pd.DataFrame, villages, site_names: dict, lang: str) -> pd.DataFrame:
    """The region table for display: rank, villages, districts, population, demand, persons
    not covered (numbers kept numeric), nearest sites by name."""
    sep = t("list_sep", lang)

    def names(codes):
        return sep.join(f"{district_name(villages.loc[c], lang)} "
                        f"{village_name(villages.loc[c], lang)}" for c in codes)

    col = "district_en" if lang == "en" else "district"
    lookup = dict(zip(villages["district"], villages[col]))
    return pd.DataFrame({
        t("hs.col_region", lang): regions["region"].astype(int).to_numpy(),
        t("hs.col_n", lang): regions["n_villages"].astype(int).to_numpy(),
        t("hs.col_districts", lang): [sep.join(lookup.get(d, d) for d in ds)
                                      for ds in regions["districts"]],
        t("hs.col_pop", lang): regions["population"].astype(float).to_numpy(),
        t("hs.col_demand", lang): regions["demand"].astype(float).to_numpy(),
        t("hs.col_unmet", lang): regions["unmet_demand"].astype(float).to_numpy(),
        t("hs.col_sites", lang): [sep.join(site_names.get(s, fmt.DASH) for s in ss)
                                  for ss in regions["nearest_sites"]],
        t("hs.col_villages", lang): [names(v) for v in regions["villages"]],
    })


def significant_frame(result: pd.DataFrame, villages, lang: str, *, fdr: bool) -> pd.DataFrame:
    """Villages with a significant class (Gi* bin != 0, LISA quadrant != ns), strongest
    first: district, village, value, z, p (and FDR p), the class (Gi_Bin as +3..-3, or the
    LISA quadrant) and its label. Index VILLCODE."""
    cls = village_class(result)
    sig = result[(cls != 0) if "bin" in result else (cls != "ns")]
    sig = sig.assign(_abs=sig["z"].abs()).sort_values("_abs", ascending=False, kind="stable")
    out = pd.DataFrame({
        t("hs.col_district", lang): [district_name(villages.loc[c], lang) for c in sig.index],
        t("hs.col_village", lang): [village_name(villages.loc[c], lang) for c in sig.index],
        t("hs.col_value", lang): sig["value"].to_numpy(),
        "z": sig["z"].to_numpy(), "p": sig["p"].to_numpy(),
    }, index=sig.index)
    if fdr:
        out[t("hs.col_p_fdr", lang)] = sig["p_fdr"].to_numpy()
    out["Gi_Bin" if "bin" in result else "LISA"] = [
        f"{int(c):+d}" if "bin" in result else str(c) for c in cls[sig.index]]
    out[t("hs.col_class", lang)] = [class_label(c, lang) for c in cls[sig.index]]
    return out


def _term_help(lang: str) -> dict:
    """Column help of the technical terms (z, p, Gi_Bin, LISA, FDR p)."""
    num = st.column_config.NumberColumn
    return {"z": num(format="%.2f", help=t("help.hs_z", lang)),
            "p": num(format="%.4f", help=t("help.hs_p", lang)),
            t("hs.col_p_fdr", lang): num(format="%.4f", help=t("help.hs_p_fdr", lang)),
            "Gi_Bin": st.column_config.TextColumn(help=t("help.hs_gi_bin", lang)),
            "LISA": st.column_config.TextColumn(help=t("help.hs_lisa", lang)),
            t("hs.col_value", lang): num(format="%.2f")}


# --- map ----------------------------------------------------------------------------------

def region_group(regions: pd.DataFrame, geoms, *, name: str, lang: str) -> folium.FeatureGroup:
    """Outline of each region (its villages' display shapes merged), escaped tooltip; the
    outlines take no clicks."""
    fg = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    feats = []
    for r in regions.itertuples():
        shape = shapely.union_all(geoms.loc[list(r.villages)].to_numpy())
        tip = esc(t("hs.region_tip", lang, r=int(r.region), n=int(r.n_villages),
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
    from ui.map_page import _base_map as landing_base
    return landing_base(tiles, lang)


def map_layers(out: dict, indicator: str, label: str, sites, lang: str, *, token: str = ""
               ) -> tuple[list, list]:
    """Feature groups (village classes, region outlines, the type's sites) and the
    layer-control entries."""
    from ui.map_page import site_tips

    ds, disp = state.dataset(), state.display()
    result, regions, meta = out["result"], out["regions"], out["meta"]
    tips = village_tips(ds.villages, result, regions, indicator, label, lang)
    groups = [mapview.village_style_group(class_colors(result), tips, token=token,
                                          legend_html=legend_html(result, label, lang))]
    groups.append(region_group(regions, disp["village_geoms"], name=t("hs.layer_regions", lang),
                               lang=lang))
    tid = meta["type"]
    shown = sites[(sites["type"] == tid) & sites["status"].isin(["open", "planned"])] \
        if len(sites) else sites
    sites_label = f"{type_name(tid, lang)} ({fmt.num(len(shown))})"
    groups.append(mapview.site_group(shown, tid, name=sites_label, radius_m=None,
                                     tips=site_tips(shown, lang)))
    overlays = [(t("village", lang), "window.__villages"), (t("hs.layer_regions", lang), 1),
                (sites_label, 2)]
    return groups, overlays


# --- page ---------------------------------------------------------------------------------

def _controls(settings: Settings) -> dict:
    """The page's controls; each language has its own widgets (ui.controls.wkey), the
    choices carry over (recall / remember)."""
    lang = settings.lang
    h = state.dataset().config.hotspots
    c1, c2, c3 = st.columns([4, 3, 2])
    with c2:
        type_id = pick(st.selectbox, "hs_type", t("hs.type", lang), list(SERVICE_TYPES),
                       settings.type_id, lang, format_func=lambda k: type_name(k, lang),
                       help=t("help.hs_type", lang))
    with c1:
        indicator = pick(st.selectbox, "hs_indicator", t("hs.indicator", lang),
                         list(INDICATOR_IDS),  # the config's default, as the CLI's reports
                         h.indicator if h.indicator in INDICATOR_IDS else INDICATOR_IDS[0],
                         lang, variant=type_id,
                         format_func=lambda k: indicator_label(k, type_id, lang),
                         help=t("help.hs_indicator", lang))
    with c3:
        method = pick(st.radio, "hs_method", t("hs.method", lang), list(METHODS),
                      "lisa" if h.method == "lisa" else "gi", lang,
                      format_func=lambda k: t(f"hs.method_{k}", lang),
                      help=t("help.hs_method", lang))
    c4, c5, c6, c7 = st.columns([3, 2, 2, 3])
    with c4:
        weights = pick(st.radio, "hs_weights", t("hs.weights", lang), list(WEIGHTS), h.weights,
                       lang, horizontal=True, format_func=lambda k: t(f"hs.weights_{k}", lang),
                       help=t("help.hs_weights", lang))
    threshold_m = None
    if weights == "distance":
        threshold_m = 1000.0 * remember("hs_threshold", c5.number_input(
            t("hs.threshold", lang), min_value=0.5, max_value=30.0,
            value=float(recall("hs_threshold", h.distance_threshold_m / 1000.0)), step=0.5,
            key=wkey("hs_threshold", lang), help=t("help.hs_threshold", lang)))
    fdr = remember("hs_fdr", c6.checkbox(t("hs.fdr", lang), key=wkey("hs_fdr", lang),
                                         value=bool(recall("hs_fdr", h.fdr)),
                                         help=t("help.hs_fdr", lang)))
    alpha = remember("hs_alpha", c7.select_slider(
        t("hs.alpha", lang), ALPHAS, value=recall("hs_alpha", h.alpha), key=wkey("hs_alpha", lang),
        format_func=lambda a: t("hs.alpha_value", lang, a=a, c=100 * (1 - a)),
        help=t("help.hs_alpha", lang)))
    return dict(type_id=type_id, indicator=indicator, method=method, weights=weights,
                threshold_m=threshold_m, fdr=bool(fdr), alpha=float(alpha))


def render(settings: Settings) -> None:
    """The hotspot page (signature of the other pages: ``render(settings)``)."""
    st.title(t("page_hotspots", settings.lang))
    if not state.has_population():
        state.missing_notice(settings.lang)
        return
    body(settings)


def _run(settings: Settings, c: dict, sites, key: str) -> dict:
    lang = settings.lang
    h = state.dataset().config.hotspots
    method = t(f"hs.method_{c['method']}", lang)
    n = h.permutations_for(c["fdr"])
    with st.spinner(t("hs.step", lang, method=method, n=fmt.num(n)), show_time=True):
        return compute(key, c["type_id"], settings.radius(c["type_id"]), settings.mode,
                       settings.demand, settings.include_planned, c["indicator"], c["method"],
                       c["weights"], c["threshold_m"], c["fdr"], c["alpha"], sites,
                       weight=settings.weight)


@st.fragment
def body(settings: Settings) -> None:
    """Controls, map, regions, method note and the significant villages (one fragment)."""
    lang = settings.lang
    ds = state.dataset()
    sites, key = state.current_sites()
    c = _controls(settings)
    tid = c["type_id"]
    out = _run(settings, c, sites, key)
    token = done.next_token("hotspots")
    if "error" in out:
        st.warning(t(out["error"], lang))
        done.mark("hotspots", token)
        return
    result, meta, regions = out["result"], out["meta"], out["regions"]
    label = indicator_label(c["indicator"], tid, lang)
    st.caption(t("hs.side_" + meta["side"], lang) + " "
               + t("hs.context", lang, type=type_name(tid, lang),
                   r=settings.radius_text(tid),
                   demand=demand_label(settings.demand, lang, tid), n=fmt.num(meta["n_sites"])))
    groups, overlays = map_layers(out, c["indicator"], label, sites, lang, token=token)
    from ui.map_page import MAP_HEIGHT, city_view
    center, zoom = city_view(width_px=800)
    show_map(state.base_key(settings.tiles, lang), lambda: _base_map(settings.tiles, lang),
             groups,
             overlays=overlays, key="hs_map", height=MAP_HEIGHT, center=center, zoom=zoom,
             returned_objects=[])
    st.subheader(t("hs.regions" if meta["side"] == "hot" else "hs.regions_cold", lang),
                 help=t("help.hs_regions", lang))
    with st.container(key="hs_regions"):
        if len(regions):
            num = st.column_config.NumberColumn(format="localized")
            st.dataframe(region_frame(regions, ds.villages, state.site_names(), lang),
                         hide_index=True,
                         column_config={t(k, lang): num for k in ("hs.col_pop", "hs.col_demand",
                                                                  "hs.col_unmet")})
        else:
            st.caption(t("hs.no_regions", lang))
    with st.container(key="hs_note"):
        from i18n.hotspot_notes import hotspot_method_note
        st.markdown(f"**{_md(t('hs.method_note', lang))}**")
        st.caption(_md(hotspot_method_note({**meta, "indicator": label}, lang)))
    with st.expander(t("hs.significant", lang), expanded=False), \
            st.container(key="hs_significant"):
        st.dataframe(significant_frame(result, ds.villages, lang, fdr=c["fdr"]),
                     hide_index=True, column_config=_term_help(lang))
    st.download_button(t("hs.download", lang),
                       result.reset_index().to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"hotspots_{c['indicator'].replace(':', '_')}_{c['method']}.csv",
                       mime="text/csv", key="hs_download", help=t("help.hs_download", lang))
    done.mark("hotspots", token)
