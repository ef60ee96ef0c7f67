"""Hotspot display text in zh-TW and English: indicator labels and the method note that
states how a Gi* / LISA result was computed (for the app, the CLI and the reports).

The note is built from the ``meta`` dict of :func:`coverage.hotspots.gi_star` /
:func:`coverage.hotspots.local_moran`, optionally extended with ``side`` and ``min_bin``
(the hot-region rule of :func:`coverage.hotspots.hotspot_regions`).
"""
from __future__ import annotations

__all__ = ["INDICATOR_LABELS", "LANGS", "hotspot_method_note"]

LANGS = ("zh-TW", "en")

INDICATOR_LABELS = {  # name -> (zh-TW, English); the last three need coverage results
    "children_density": ("兒少人口密度（0–14 歲，人/km²）", "children aged 0-14 per km²"),
    "elderly_density": ("高齡人口密度（65 歲以上，人/km²）", "residents aged 65+ per km²"),
    "per_1000": ("每千人口數", "per 1,000 residents"),
    "uncovered_share": ("未涵蓋比例", "share of demand not covered"),
    "residents_per_site": ("最近據點服務人口（人/處）", "residents served by the nearest site"),
    "access_score": ("可及性分數（2SFCA，平均為 1）", "access score (2SFCA, mean 1)"),
}


def _links(meta: dict) -> str:
    return "; ".join(f"{x['village']}→{x['neighbour']} ({x['distance_m']:.0f} m)"
                     for x in meta.get("links_added") or [])


def _weights(meta: dict, zh: bool) -> str:
    if meta["weights"] == "queen":
        return "Queen 相鄰（共邊或共點）" if zh else "queen contiguity (shared edge or corner)"
    return (f"距離帶 {meta['threshold_m']:.0f} 公尺（里質心，EPSG:3826）" if zh else
            f"distance band {meta['threshold_m']:.0f} m between village centroids (EPSG:3826)")


def _region_rule(meta: dict, gi: bool, zh: bool) -> str:
    hot = meta["side"] == "hot"
    if not gi:
        return "HH" if hot else "LL"
    at_least, at_most = ("≥ ", "≤ -") if zh else (">= ", "<= -")
    return (f"{'Gi* 分級' if zh else 'Gi* bin'} {at_least if hot else at_most}"
            f"{meta.get('min_bin', 1)}")


def _zh_note(meta: dict, gi: bool) -> list[str]:
    links = _links(meta)
    parts = ["方法：Getis-Ord Gi*（含自身）" if gi else "方法：局部 Moran's I（LISA）",
             f"指標：{meta['indicator']}，{meta['n_villages']} 個里",
             f"空間權重：{_weights(meta, True)}，" + ("二元權重" if gi else "列標準化"),
             f"無鄰里者以最近里補為鄰居：{links}" if links else "所有里皆有鄰居"]
    src = ("排列虛擬 p 值（雙尾：較小尾端計數加倍，同值計入兩尾）" if meta["p_source"] == "sim"
           else "常態近似雙尾 p 值")
    parts.append(f"推論：條件隨機排列 {meta['permutations']} 次，亂數種子 {meta['seed']}；"
                 f"判定依據為{src}")
    if gi:
        parts.append("分級：±3／±2／±1 對應 p ≤ 0.01／0.05／0.10（ArcGIS Gi_Bin 慣例），正負號取自 z")
    parts.append(f"顯著水準 α = {meta['alpha']:g}")
    if meta["fdr"]:
        parts.append("已套用 Benjamini-Hochberg 偽發現率（FDR）校正")
        if meta.get("fdr_min_villages"):
            parts.append(f"注意：{meta['permutations']} 次排列的最小 p 值為 {meta['p_min']:.4g}，"
                         f"至少須有 {meta['fdr_min_villages']} 個里同時達此值才可能出現顯著結果"
                         + ("；建議增加排列次數（如 9999）" if meta["fdr_min_villages"] >= 10 else ""))
    else:
        parts.append("未做多重檢定校正（FDR），約有 α 比例的里可能為偽陽性")
    if "side" in meta:
        parts.append(f"{'熱' if meta['side'] == 'hot' else '冷'}區：{_region_rule(meta, gi, True)} "
                     "且相鄰（queen）的里合併為同一區，依未涵蓋需求、需求排序")
    return parts


def _en_note(meta: dict, gi: bool) -> list[str]:
    links = _links(meta)
    parts = ["Method: local Getis-Ord Gi* (self included)" if gi else
             "Method: local Moran's I (LISA)",
             f"indicator {meta['indicator']} over {meta['n_villages']} villages",
             f"weights: {_weights(meta, False)}, " + ("binary" if gi else "row-standardised"),
             f"villages without neighbours linked to their nearest village: {links}"
             if links else "every village has at least one neighbour"]
    src = ("two-sided permutation pseudo p (twice the smaller tail, ties in both)"
           if meta["p_source"] == "sim" else "two-sided normal-approximation p")
    parts.append(f"inference: {meta['permutations']} conditional permutations, seed "
                 f"{meta['seed']}; decisions use the {src}")
    if gi:
        parts.append("bins +-3/+-2/+-1 at p <= 0.01/0.05/0.10 (ArcGIS Gi_Bin), sign of z")
    parts.append(f"alpha = {meta['alpha']:g}")
    if meta["fdr"]:
        parts.append("Benjamini-Hochberg false-discovery-rate correction applied")
        if meta.get("fdr_min_villages"):
            parts.append(f"note: with {meta['permutations']} permutations the smallest p is "
                         f"{meta['p_min']:.4g}, so at least {meta['fdr_min_villages']} villages "
                         "must reach it before anything can be significant"
                         + ("; use more permutations (e.g. 9999)"
                            if meta["fdr_min_villages"] >= 10 else ""))
    else:
        parts.append("no multiple-testing (FDR) correction: about alpha of the villages may be "
                     "false positives")
    if "side" in meta:
        parts.append(f"{meta['side']} regions: villages with {_region_rule(meta, gi, False)} "
                     "that touch (queen) are merged, ranked by unmet demand, then demand")
    return parts


def hotspot_method_note(meta: dict, lang: str = "zh-TW") -> str:
    """One paragraph stating method, weights, island links, inference, seed, alpha and FDR.

    Parameters
    ----------
    meta : dict
        The metadata of a Gi* / LISA result, optionally with ``side`` ("hot" / "cold") and
        ``min_bin`` when hot regions were formed.
    lang : {"zh-TW", "en"}

    Returns
    -------
    str
        Sentences joined with "。" (zh-TW) or "; " (en), ending in a full stop.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be 'zh-TW' or 'en', got {lang!r}")
    gi = meta["method"] == "gi_star"
    if lang == "zh-TW":
        return "。".join(_zh_note(meta, gi)) + "。"
    return "; ".join(_en_note(meta, gi)) + "."
