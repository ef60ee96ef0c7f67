"""Hotspot page strings (``hs.*``) and the help of its technical terms (z, p, Gi_Bin,
FDR, LISA), zh-TW and English. The method note itself is i18n/hotspot_notes.py."""

# key -> (zh-TW, en)
STRINGS: dict[str, tuple[str, str]] = {
    "hs.indicator": ("指標", "Indicator"),
    "hs.type": ("服務類型（涵蓋指標與未涵蓋人數）", "Service type (coverage indicators)"),
    "hs.method": ("方法", "Method"),
    "hs.method_gi": ("Getis-Ord Gi*（熱點分析）", "Getis-Ord Gi* (hot spot analysis)"),
    "hs.method_lisa": ("局部 Moran's I（LISA）", "Local Moran's I (LISA)"),
    "hs.weights": ("鄰近關係", "Neighbours"),
    "hs.weights_queen": ("相鄰（共邊或共點）", "Touching (edge or corner)"),
    "hs.weights_distance": ("距離帶", "Distance band"),
    "hs.threshold": ("距離帶（公里）", "Distance band (km)"),
    "hs.fdr": ("FDR 校正", "FDR correction"),
    "hs.alpha": ("顯著水準 α", "Significance level α"),
    "hs.alpha_value": ("{a:g}（{c:g}% 信心）", "{a:g} ({c:g}% confidence)"),
    "hs.hot": ("熱點", "Hot spot"), "hs.cold": ("冷點", "Cold spot"),
    "hs.confidence": ("{kind} {c}% 信心", "{kind}, {c}% confidence"),
    "hs.not_significant": ("不顯著", "Not significant"),
    "hs.lisa_HH": ("高-高（熱點群聚）", "High-High (hot cluster)"),
    "hs.lisa_LL": ("低-低（冷點群聚）", "Low-Low (cold cluster)"),
    "hs.lisa_HL": ("高-低（離群）", "High-Low (outlier)"),
    "hs.lisa_LH": ("低-高（離群）", "Low-High (outlier)"),
    "hs.lisa_ns": ("不顯著", "Not significant"),
    "hs.side_hot": ("熱區：指標高值且顯著群聚的相鄰村里（需求或缺口大）。",
                    "Hot regions: touching villages where the indicator clusters high (more "
                    "need)."),
    "hs.side_cold": ("冷區：可及性低值且顯著群聚的相鄰村里（可及性不足）。",
                     "Cold regions: touching villages where access clusters low (too little "
                     "access)."),
    "hs.context": ("涵蓋依據：{type}，服務範圍 {r}，需求人口：{demand}，{n} 個據點。",
                   "Coverage basis: {type}, radius {r}, demand: {demand}, {n} sites."),
    "hs.regions": ("熱區排序（依未涵蓋人數）", "Hot regions ranked by persons not covered"),
    "hs.regions_cold": ("冷區排序（依未涵蓋人數）", "Cold regions ranked by persons not covered"),
    "hs.no_regions": ("沒有達到顯著水準的熱區。", "No region reaches the significance level."),
    "hs.layer_regions": ("熱區範圍", "Region outlines"),
    "hs.region_tip": ("第 {r} 區：{n} 個村里，未涵蓋 {u} 人", "Region {r}: {n} villages, {u} not covered"),
    "hs.region_of": ("屬第 {r} 區", "in region {r}"),
    "hs.col_region": ("排名", "Rank"), "hs.col_n": ("村里數", "Villages"),
    "hs.col_villages": ("村里", "Village names"), "hs.col_districts": ("行政區", "Districts"),
    "hs.col_pop": ("人口", "Residents"), "hs.col_demand": ("需求人數", "Demand"),
    "hs.col_unmet": ("未涵蓋人數", "Not covered"), "hs.col_sites": ("最近據點", "Nearest sites"),
    "hs.significant": ("顯著村里", "Significant villages"),
    "hs.col_district": ("行政區", "District"), "hs.col_village": ("村里", "Village"),
    "hs.col_value": ("指標值", "Value"), "hs.col_class": ("分類", "Class"),
    "hs.col_p_fdr": ("p（FDR 校正）", "p (FDR-adjusted)"),
    "hs.method_note": ("方法說明", "Method"),
    "hs.download": ("下載各村里結果（CSV）", "Download per-village results (CSV)"),
    "hs.cannot_no_sites": ("此服務類型尚無已定位的據點，涵蓋指標無法計算 — 請先匯入清單。",
                           "This type has no located site yet, so its coverage indicators "
                           "cannot be computed — import a list first."),
    "hs.cannot_constant": ("所有村里的指標值都相同（或缺值），沒有熱點可言。",
                           "The indicator is the same (or missing) in every village: there "
                           "are no hotspots."),
    "hs.step": ("計算{method}（{n} 次隨機排列）…", "Computing {method} ({n} permutations)…"),
    "hs.ind.uncovered_share": ("未涵蓋比例", "Share not covered"),
    "hs.ind.residents_per_site": ("最近據點的服務人數", "Persons served by the nearest site"),
    "hs.ind.access_score": ("2SFCA 可及性（平均為 1）", "2SFCA access (mean 1)"),
    "hs.ind.children_density": ("兒童人口密度（0–14 歲，人/平方公里）",
                                "Children aged 0–14 per km²"),
    "hs.ind.elderly_density": ("高齡人口密度（65 歲以上，人/平方公里）",
                               "Residents aged 65+ per km²"),
    "hs.ind.per_1000:age_0_14": ("每千人兒童數（0–14 歲）", "Children aged 0–14 per 1,000"),
    "hs.ind.per_1000:indigenous": ("每千人原住民族人口（2021-06）",
                                   "Indigenous residents per 1,000 (2021-06)"),
    "hs.ind.per_1000:age_65_plus": ("每千人高齡者數（65 歲以上）", "Residents aged 65+ per 1,000"),
    "hs.ind_of": ("{label}（{type}）", "{label} ({type})"),
    "help.hs_indicator": ("要找群聚的村里數值。涵蓋類指標依右側的服務類型計算。",
                          "The village value whose clusters are sought. Coverage indicators "
                          "use the service type to the right."),
    "help.hs_type": ("涵蓋類指標與熱區未涵蓋人數所依據的服務類型。",
                     "The service type behind coverage indicators and the regions' "
                     "persons not covered."),
    "help.hs_method": ("Gi*：找出高值（或低值）聚在一起的村里。LISA：另外找出與周圍相反的離群村里。",
                       "Gi*: villages where high (or low) values cluster. LISA: also "
                       "outliers unlike their neighbours."),
    "help.hs_weights": ("哪些村里算鄰居：相鄰（共邊或共點），或質心距離在距離帶內。",
                        "Which villages are neighbours: touching ones, or those whose "
                        "centroids are within the distance band."),
    "help.hs_threshold": ("村里質心之間的距離上限。", "The largest distance between village centroids."),
    "help.hs_fdr": ("FDR（偽發現率）校正：同時檢定 500 多個村里時，控制誤判為顯著的比例；"
                    "顯著村里會變少，並改用 9999 次排列。",
                    "FDR (false discovery rate) correction: with 500-odd villages tested at "
                    "once, it limits the share of false positives; fewer villages stay "
                    "significant, and 9999 permutations are run."),
    "help.hs_alpha": ("p 值低於此值才算顯著；0.05 表示 95% 信心。",
                      "A village is significant when its p is below this; 0.05 = 95% "
                      "confidence."),
    "help.hs_z": ("z：標準化的群聚強度；正值為高值群聚，負值為低值群聚。",
                  "z: the standardised cluster strength; positive = high values cluster, "
                  "negative = low values."),
    "help.hs_p": ("p：隨機排列下出現同樣強度的機率；越小越顯著。",
                  "p: how likely so strong a cluster is by chance (permutations); smaller is "
                  "more significant."),
    "help.hs_gi_bin": ("Gi_Bin：+3／+2／+1 為 99／95／90% 信心的熱點，負值為冷點，0 為不顯著。",
                       "Gi_Bin: +3 / +2 / +1 are hot spots at 99 / 95 / 90% confidence, "
                       "negative values cold spots, 0 not significant."),
    "help.hs_lisa": ("LISA 象限：HH 高值被高值包圍，LL 低值被低值包圍，HL／LH 為離群。",
                     "LISA quadrant: HH high among high, LL low among low, HL / LH outliers."),
    "help.hs_p_fdr": ("FDR 校正後的 p 值。", "The p value after the FDR correction."),
    "help.hs_regions": ("相鄰的顯著村里合併為一區，依未涵蓋人數排序。",
                        "Touching significant villages merge into a region, ranked by "
                        "persons not covered."),
    "help.hs_download": ("每個村里的統計量（CSV）。", "Each village's statistics (CSV)."),
}
