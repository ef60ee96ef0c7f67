"""Report text, zh-TW and English: sheet titles, legend labels, section text and method
notes of the xlsx / gpkg / html / pdf reports (:mod:`reports`) and the app's report
section. Column labels are in :mod:`i18n.strings_report_columns`. ``LEGEND_COLOURS`` holds
the legend colours of the static maps and charts, next to their labels.
"""

LEGEND_COLOURS: dict[str, str] = {
    "covered": "#7fbf7b", "not_covered": "#e9a3c9", "nodata": "#dddddd",
    "site": "#1f4e99", "service_area": "#1f4e99", "district_outline": "#333333",
    "gap_cmap": "YlOrRd", "share_cmap": "Greens",
    "bin.3": "#b2182b", "bin.2": "#ef8a62", "bin.1": "#fddbc7", "bin.0": "#f7f7f7",
    "bin.-1": "#d1e5f0", "bin.-2": "#67a9cf", "bin.-3": "#2166ac",
    "lisa.HH": "#d7191c", "lisa.LL": "#2c7bb6", "lisa.LH": "#abd9e9", "lisa.HL": "#fdae61",
    "lisa.ns": "#f7f7f7",
    "chart.result": "#1f4e99", "chart.baseline": "#999999", "chart.radius": "#b2182b",
}

_SHEETS: dict[str, tuple[str, str]] = {
    "city": ("全市摘要", "City summary"), "districts": ("行政區", "Districts"),
    "district_need": ("行政區需求（低收入）", "District need (low income)"),
    "villages": ("村里", "Villages"), "gaps": ("缺口排名", "Gap ranking"),
    "deserts": ("服務荒漠", "Service deserts"), "access": ("可及曲線", "Access profile"),
    "hotspot_regions": ("熱區", "Hotspot regions"),
    "hotspot_villages": ("熱區村里", "Hotspot villages"),
    "hotspot_settings": ("熱區設定", "Hotspot settings"),
    "scenario": ("情境比較", "Scenario vs baseline"),
    "scenario_districts": ("情境行政區", "Scenario districts"),
    "scenario_villages": ("情境村里變化", "Scenario villages"),
    "scenario_edits": ("情境編輯", "Scenario edits"),
    "sites": ("據點", "Sites"), "notes": ("附註", "Notes"),
    "quality": ("資料品質", "Data quality"), "sources": ("資料來源", "Data sources"),
}

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("桃園市社會安全網資源涵蓋分析報告", "Taoyuan Social Safety Net: Service Coverage Report"),
    "baseline_only": ("現況（未編輯之據點）", "Baseline (sites as loaded)"),
    "scenario": ("情境", "Scenario"),
    "date": ("製表日期", "Date"),
    "author": ("作者", "Author"),
    "modified": ("情境修改時間（UTC）", "Scenario modified (UTC)"),
    "version": ("情境版本", "Scenario version"),
    "notes_label": ("說明", "Notes"),
    "vintages": ("資料版本", "Data vintages"),
    "distance": ("距離計算", "Distance"),
    "types_radii": ("服務類型與半徑", "Service types and radii"),
    "settings": ("分析設定", "Settings"),
    "km": ("公里", "km"), "minutes": ("分鐘", "minutes"),
    "city_total": ("全市", "City"),
    "colon": ("：", ": "),
    "none": ("無", "none"), "yes": ("是", "yes"), "no": ("否", "no"),
    "mode.straight": ("直線距離（EPSG:3826 平面）", "straight line (EPSG:3826 plane)"),
    "mode.network.length": ("道路距離（公里）", "road distance (km)"),
    "mode.network.travel_time": ("道路行車時間（分鐘）", "road travel time (minutes)"),
    "road_source": ("路網：{label}{vintage}", "road network: {label}{vintage}"),
    "road_partial": ("（僅涵蓋{covers}）", " (covers {covers} only)"),
    "area_weighted": ("面積加權", "area-weighted"),
    "demand_of": ("需求：{demand}", "demand: {demand}"),
    "planned_counted": ("納入規劃中據點", "planned sites counted"),
    "open_only": ("僅計開放中據點", "open sites only"),
    "decay": ("2SFCA 距離衰減：{decay}", "2SFCA distance decay: {decay}"),
    "layer_version": ("據點圖層 {layer}：第 {version} 版", "site layer {layer}: version {version}"),
    "boundary_vintage": ("情境之村里界版本：{vintage}", "scenario's boundary vintage: {vintage}"),
    "sec.kpi": ("一、關鍵指標（全市）", "1. Key figures (city)"),
    "sec.maps": ("二、地圖", "2. Maps"),
    "sec.access": ("三、可及曲線", "3. Access profile"),
    "sec.districts": ("四、行政區涵蓋", "4. Coverage by district"),
    "sec.gaps": ("五、缺口最大的 {n} 個村里", "5. The {n} villages with the largest gaps"),
    "sec.deserts": ("六、服務荒漠（所有服務類型皆未涵蓋）",
                    "6. Service deserts (beyond every type's radius)"),
    "sec.hotspots": ("七、熱區", "7. Hotspot regions"),
    "sec.scenario": ("八、情境與現況比較", "8. Scenario vs baseline"),
    "sec.sites": ("九、據點與定位精度", "9. Sites and how they were located"),
    "sec.method": ("十、方法說明", "10. Method notes"),
    "sec.sources": ("十一、資料品質與來源", "11. Data quality and sources"),
    "map_caption": ("圖 {n}：{title}（EPSG:3826）", "Map {n}: {title} (EPSG:3826)"),
    "chart_caption": ("圖 {n}：{title}", "Figure {n}: {title}"),
    "map.coverage": ("{type}：{radius} 內涵蓋之村里", "{type}: villages within {radius}"),
    "map.coverage_share": ("{type}：{radius} 內之村里面積比例",
                           "{type}: share of each village within {radius}"),
    "map.gaps": ("{type}：未涵蓋需求人口（缺口）", "{type}: demand not covered (gaps)"),
    "map.hotspots": ("熱區（{method}）：{indicator}", "Hotspots ({method}): {indicator}"),
    "method.gi_star": ("Getis-Ord Gi*", "Getis-Ord Gi*"),
    "method.local_moran": ("局部 Moran's I", "local Moran's I"),
    "chart.access": ("{type}：需求人口與最近據點之{what}", "{type}: demand by {what} to the nearest site"),
    "chart.what.m": ("距離", "distance"), "chart.what.s": ("行車時間", "travel time"),
    "chart.x.km": ("至最近據點距離（公里）", "Distance to the nearest site (km)"),
    "chart.x.min": ("至最近據點時間（分鐘）", "Time to the nearest site (minutes)"),
    "chart.y": ("可及之需求比例", "Share of demand within"),
    "chart.result": ("本報告之據點", "Sites of this report"),
    "chart.scenario": ("情境", "Scenario"), "chart.baseline": ("現況", "Baseline"),
    "chart.radius": ("服務半徑 {radius}", "Radius {radius}"),
    "north": ("北", "N"),
    "cost.m": ("最近據點距離", "Distance to the nearest site"),
    "cost.s": ("最近據點行車時間", "Travel time to the nearest site"),
    "median.m": ("距離中位數", "Median distance"),
    "median.s": ("行車時間中位數", "Median travel time"),
    "legend.coverage": ("涵蓋", "Coverage"),
    "legend.covered": ("涵蓋", "Covered"), "legend.not_covered": ("未涵蓋", "Not covered"),
    "legend.share": ("半徑內面積比例", "Share within the radius"),
    "legend.gaps": ("未涵蓋需求人口（灰＝已涵蓋）", "Demand not covered (grey = covered)"),
    "legend.sites": ("據點", "Sites"),
    "legend.service_area": ("道路服務範圍", "Road service area"),
    "legend.bin": ("Gi* 等級", "Gi* bin"), "legend.quadrant": ("LISA 象限", "LISA quadrant"),
    "legend.bin.3": ("熱區 99%", "Hot 99%"), "legend.bin.2": ("熱區 95%", "Hot 95%"),
    "legend.bin.1": ("熱區 90%", "Hot 90%"), "legend.bin.0": ("不顯著", "Not significant"),
    "legend.bin.-1": ("冷區 90%", "Cold 90%"), "legend.bin.-2": ("冷區 95%", "Cold 95%"),
    "legend.bin.-3": ("冷區 99%", "Cold 99%"),
    "legend.lisa.HH": ("高-高", "High-High"), "legend.lisa.LL": ("低-低", "Low-Low"),
    "legend.lisa.HL": ("高-低", "High-Low"), "legend.lisa.LH": ("低-高", "Low-High"),
    "legend.lisa.ns": ("不顯著", "Not significant"),
    "kpi_note": ("涵蓋：村里之需求點至最近據點之{distance}在服務半徑內；涵蓋率 = 涵蓋需求 ÷ 需求。"
                 "距離以需求加權。官方數為市府報告之據點數，僅已定位之據點納入計算。",
                 "Covered: the village's demand point lies within the radius of a site "
                 "({distance}); coverage = demand covered / demand. Distances are "
                 "demand-weighted. Official counts are from the city's reports; only located "
                 "sites are counted."),
    "every_village_covered": ("所有村里皆在服務半徑內。", "Every village is covered."),
    "no_deserts": ("沒有村里同時位於所有服務類型之半徑外。",
                   "No village lies beyond the radius of every type."),
    "hotspot_settings": ("指標：{indicator}；方法：{method}；空間權重：{weights}；排列 {permutations} 次，"
                         "亂數種子 {seed}；α = {alpha}；FDR：{fdr}；{side}區門檻：等級 {min_bin}",
                         "Indicator: {indicator}; method: {method}; weights: {weights}; "
                         "{permutations} permutations, seed {seed}; alpha = {alpha}; FDR: {fdr}; "
                         "{side} regions at bin {min_bin}"),
    "hotspot_unmet": ("未涵蓋需求依據：{type}，{radius}，{n} 個據點。",
                      "Unmet demand of: {type}, {radius}, {n} sites."),
    "no_regions": ("沒有達到顯著水準的熱區。", "No region reaches the significance level."),
    "no_hotspots": ("未計算熱區。", "Hotspots not computed."),
    "side.hot": ("熱", "hot"), "side.cold": ("冷", "cold"),
    "weights.queen": ("Queen 相鄰", "queen contiguity"),
    "weights.distance": ("距離帶 {km} 公里", "distance band {km} km"),
    "more_in_workbook": ("其餘見 Excel「{sheet}」工作表。", "More in the workbook's {sheet} sheet."),
    "no_scenario": ("本報告為現況分析，未套用情境。", "Baseline report: no scenario applied."),
    "edits_n": ("{n} 項編輯", "{n} edits"),
    "no_village_change": ("沒有村里因此情境而新增或失去涵蓋。",
                          "No village gains or loses coverage in this scenario."),
    "villages_changed": ("涵蓋改變之村里", "Villages whose coverage changes"),
    "edits": ("編輯項目", "Edits"),
    "change.gained": ("新增涵蓋", "gained"), "change.lost": ("失去涵蓋", "lost"),
    "metric.sites": ("納入據點數", "Sites counted"),
    "metric.population_covered": ("涵蓋人口", "Residents covered"),
    "metric.population_share": ("人口涵蓋率", "Residents covered (share)"),
    "metric.children_share": ("兒少涵蓋率", "Children covered (share)"),
    "metric.elderly_share": ("高齡涵蓋率", "Elderly covered (share)"),
    "metric.districts_with_site": ("設有據點之行政區數", "Districts with a site"),
    "metric.demand_share": ("需求涵蓋率（目標人口）", "Demand coverage (target population)"),
    "metric.median_m": ("最近據點距離中位數", "Median distance to the nearest site"),
    "sites_summary": ("{type}：{n} 個據點，其中 {counted} 個納入計算。",
                      "{type}: {n} sites, {counted} counted."),
    "sites_inexact": ("位置非原始座標之據點", "Sites not placed from given coordinates"),
    "all_sites_exact": ("所有據點皆依檔案所附座標定位。",
                        "Every site is placed at the coordinates its file gives."),
    "located_by.coordinates": ("依檔案座標", "coordinates given"),
    "located_by.village": ("依村里需求點", "village demand point"),
    "located_by.geocoder": ("線上地理編碼", "online geocoder"),
    "located_by.hand": ("人工點選", "placed by hand"),
    "located_by.": ("未定位", "not located"),
    "precision.exact": ("精確", "exact"), "precision.village": ("村里層級", "village level"),
    "precision.geocoder": ("地理編碼", "geocoder"), "precision.hand": ("人工", "by hand"),
    "precision.": ("無", "none"),
    "findings": ("資料品質檢查結果：錯誤 {error}、警告 {warning}、資訊 {info}（明細見 Excel「{sheet}」工作表）",
                 "Data-quality findings: {error} errors, {warning} warnings, {info} notes (details "
                 "in the workbook's {sheet} sheet)"),
    "created_on": ("製表 {date}", "made {date}"),
    "note.population_unmatched": ("人口檔有 {n} 個村里代碼無對應界線（人口 {pop:,.0f}），未納入涵蓋計算。",
                                  "{n} village codes of the population file have no boundary "
                                  "(population {pop:,.0f}); they are not in the figures."),
    "note.hotspots_failed": ("無法計算熱區：{error}", "Hotspots could not be computed: {error}"),
    "note.no_scenario_villages": ("面積加權或行車時間模式下不列出情境之村里增減（僅點模式與距離）。",
                                  "Villages gained / lost by the scenario are listed for point "
                                  "coverage by distance only (not area-weighted or travel time)."),
    "note.no_service_areas": ("道路服務範圍僅以道路距離繪製，行車時間模式不繪製。",
                              "Road service areas are drawn for road distance only, not for "
                              "travel time."),
    "method.population": ("人口：以村里為最小單位，村里需求全數置於其需求點（有建成區者為建成區中心，"
                          "否則為村里內代表點）；村里內部差異無法呈現。",
                          "Population: villages (里) are the smallest unit; a village's demand "
                          "sits at its demand point (the centre of its built-up land where there "
                          "is some, else a point inside the village); variation inside a village "
                          "is not visible."),
    "method.area_weighted": ("面積加權：涵蓋量 = 村里面積落於服務半徑內之比例 × 需求。",
                             "Area-weighted: covered = share of the village's area within the "
                             "radius × demand."),
    "method.straight": ("距離：EPSG:3826（TWD97 / TM2）平面直線距離；實際道路距離較長，直線距離高估可及性，"
                        "尤其在山區（復興區）與河川、鐵路分隔處。",
                        "Distance: straight line in EPSG:3826 (TWD97 / TM2); road distances are "
                        "longer, so straight lines overstate access, especially in the mountains "
                        "(Fuxing) and across rivers and railways."),
    "method.network": ("距離：沿道路網之最短路徑（{road}）；村里與據點吸附至最近路網節點，"
                       "距路網超過 {snap:,.0f} 公尺者不吸附、視為無法抵達。",
                       "Distance: shortest path along the road network ({road}); villages and "
                       "sites snap to the nearest graph node, and those farther than "
                       "{snap:,.0f} m are not snapped and count as unreachable."),
    "method.radii": ("服務半徑為本工具之規劃假設（analysis/defaults.toml），並非市府或衛福部之官方標準。",
                     "Radii are planning assumptions of this tool (analysis/defaults.toml), not "
                     "official standards."),
    "method.target": ("{type}之目標人口：{target}。", "{type} serves: {target}. {rationale}"),
    "method.2sfca": ("2SFCA（兩步移動搜尋法）：第一步，每一據點之供需比 R = 服務量 ÷ 半徑內需求之和"
                     "（服務量未知時每據點記 1）；第二步，村里可及性 = 半徑內各據點 R 之和；"
                     "指數以需求加權之全市平均為 1 標準化。",
                     "2SFCA (two-step floating catchment area): step 1, each site's ratio R = "
                     "supply / demand within its radius (1 per site when the capacity is "
                     "unknown); step 2, a village's access = the sum of R over the sites within "
                     "its radius; the index is normalised to a demand-weighted city mean of 1."),
    "method.percentiles": ("距離中位數與第 90 百分位以需求加權：一半（或九成）需求人口至最近據點不超過此值。",
                           "Median and 90th-percentile distances are demand-weighted: half "
                           "(nine tenths) of the demand lies at most this far from its nearest "
                           "site."),
    "method.completeness": ("據點完整度：僅已定位之據點納入；未定位或未匯入之據點使結果低估實際涵蓋。",
                            "Completeness: only located sites are counted; sites not located or "
                            "not imported make coverage look lower than it is."),
    "method.hotspots": ("熱區：{note}", "Hotspots: {note}"),
    "source.boundaries": ("村里界", "Village boundaries"),
    "source.population": ("人口", "Population"),
    "source.roads": ("路網", "Road network"),
    "source.residents_placed_on": ("人口落點（建成區）", "Residents placed on"),
    "source.crosswalk": ("村里對照（2021 ↔ 2023）", "Village crosswalk (2021 <-> 2023)"),
    "source.indigenous": ("原住民人口", "Indigenous residents"),
    "source.low_income": ("低收入戶與中低收入戶", "Low- and middle-low-income households"),
    "source.income": ("綜合所得稅所得", "Taxable income"),
    "source.distance": ("距離計算", "Distance used"),
    "source.created": ("製表日期", "Report date"),
    "source.config": ("分析預設值", "Analysis defaults"),
    "source.layer_version": ("據點圖層版本：{layer}", "Site layer version: {layer}"),
    "source.completeness": ("{type}完整度", "{type} completeness"),
    "source.completeness_text": ("已定位 {located}／列出 {listed}／官方 {official}（{note}）",
                                 "{located} located / {listed} listed / {official} official "
                                 "({note})"),
    "source.precision": ("{type}定位方式", "{type}: how sites were located"),
    "setting.method": ("方法", "Method"), "setting.indicator": ("指標", "Indicator"),
    "setting.weights": ("空間權重", "Weights"),
    "setting.threshold_m": ("距離帶（公尺）", "Distance band (m)"),
    "setting.permutations": ("排列次數", "Permutations"), "setting.seed": ("亂數種子", "Seed"),
    "setting.alpha": ("顯著水準 α", "Significance level alpha"),
    "setting.fdr": ("FDR 校正", "FDR correction"),
    "setting.p_source": ("p 值來源", "p-value source"),
    "setting.min_bin": ("熱區門檻（等級）", "Region threshold (bin)"),
    "setting.side": ("熱區或冷區", "Hot or cold regions"),
    "setting.type": ("未涵蓋需求之服務類型", "Service type of the unmet demand"),
    "setting.radius_m": ("服務半徑（公尺）", "Radius (m)"),
    "setting.radius_min": ("服務半徑（分鐘）", "Radius (minutes)"),
    "setting.n_sites": ("據點數", "Sites"), "setting.n_villages": ("村里數", "Villages"),
    "setting.missing_demand": ("缺值處理", "Missing values"),
    "setting.links_added": ("補入之鄰居連結", "Neighbour links added"),
}

_APP: dict[str, tuple[str, str]] = {  # the app's report section (ui/report_section.py)
    "header": ("涵蓋報告（Excel、GeoPackage、HTML、PDF）",
               "Coverage report (Excel, GeoPackage, HTML, PDF)"),
    "help": ("報告依側欄設定：服務類型 {types}；距離計算：{mode}；需求人口：{demand}。",
             "The report follows the sidebar: service types {types}; distance: {mode}; "
             "demand: {demand}."),
    "scenario": ("情境（選用）", "Scenario (optional)"),
    "scenario_help": ("選擇已儲存的情境：報告呈現情境之據點並與現況比較。",
                      "Pick a stored scenario: the report shows its sites and compares them "
                      "with the baseline."),
    "scenario_option": ("{name}（第 {version} 版，{modified}）",
                        "{name} (version {version}, {modified})"),
    "baseline": ("現況（不套用情境）", "Baseline (no scenario)"),
    "store_error": ("無法讀取情境庫：{err}", "Cannot read the scenario store: {err}"),
    "demand_target": ("各服務類型之目標人口", "each type's target population"),
    "hotspots": ("含熱區分析", "Include the hotspot analysis"),
    "hotspots_help": ("熱區採用熱區分析頁最後的設定；未開啟該頁時採用預設值。",
                      "Hotspots use the settings last chosen on the hotspot page, else the "
                      "defaults."),
    "hotspot_caption": ("熱區：{indicator}；未涵蓋需求依 {type}；FDR 校正：{fdr}",
                        "Hotspots: {indicator}; unmet demand of {type}; FDR correction: {fdr}"),
    "build": ("產生報告", "Build report"),
    "build_help": ("依目前設定產生四種格式之報告（PDF 需要數秒）。",
                   "Build the report in four formats with the current settings (the PDF "
                   "takes a few seconds)."),
    "building": ("正在產生報告（PDF 需要數秒）…", "Building the report (the PDF takes a few seconds)…"),
    "failed_scenario": ("無法讀取所選情境「{name}」，報告未產生；請到情境模擬頁確認此情境，或改選現況。",
                        "The chosen scenario “{name}” could not be read, so no report was "
                        "built; check it on the scenario page or pick the baseline."),
    "failed_data": ("無法計算報告所需的涵蓋分析（所選服務類型可能尚無已定位的據點），報告未產生。",
                    "The coverage analyses the report needs could not be computed (the chosen "
                    "service types may have no located sites yet), so no report was built."),
    "format_failed": ("無法產生 {fmt}：{why}其他格式仍可下載。",
                      "The {fmt} could not be built: {why} The other formats can still be "
                      "downloaded."),
    "why_font": ("伺服器沒有繁體中文字型，報告地圖無法顯示中文（請管理員安裝 Noto Sans CJK 字型）。",
                 "the server has no Traditional Chinese font for the report's maps (the "
                 "administrator can install the Noto Sans CJK fonts)."),
    "why_other": ("寫出此格式時發生錯誤（詳情已記錄於伺服器紀錄）。",
                  "writing this format failed (the details are in the server's log)."),
    "fmt_xlsx": ("Excel 檔", "Excel file"), "fmt_gpkg": ("GeoPackage 檔", "GeoPackage file"),
    "fmt_html": ("HTML 報告", "HTML report"), "fmt_pdf": ("PDF 報告", "PDF report"),
    "stale": ("設定已變更，請重新產生報告。", "The settings changed; build the report again."),
    "no_types": ("請先在側欄選擇服務類型。", "Choose service types in the sidebar first."),
    "notes": ("報告附註：", "Notes in the report:"),
    "dl_xlsx": ("下載 Excel（.xlsx）", "Download Excel (.xlsx)"),
    "dl_gpkg": ("下載 GeoPackage（.gpkg，QGIS）", "Download GeoPackage (.gpkg, QGIS)"),
    "dl_html": ("下載 HTML 報告", "Download HTML report"),
    "dl_pdf": ("下載 PDF 報告", "Download PDF report"),
    "dl_xlsx_help": ("Excel 活頁簿：報告的每張表各一個工作表（全市摘要、行政區、村里、缺口排名、據點、"
                     "附註等），可再篩選或製圖。",
                     "An Excel workbook with one sheet per table of the report (city summary, "
                     "districts, villages, gap ranking, sites, notes …) to filter or chart."),
    "dl_gpkg_help": ("GeoPackage 圖資（村里、行政區、據點等圖層），可用 QGIS 等地理資訊軟體開啟。",
                     "A GeoPackage with the village, district and site layers (and more), to "
                     "open in QGIS or another GIS."),
    "dl_html_help": ("單一 HTML 檔的報告（地圖、表格與說明），用瀏覽器開啟，不需網路。",
                     "The report as one HTML file (maps, tables and notes), opened in a "
                     "browser, no internet needed."),
    "dl_pdf_help": ("可列印的 PDF 報告（地圖、表格與說明）。",
                    "The printable PDF report (maps, tables and notes)."),
}

STRINGS: dict[str, tuple[str, str]] = {
    **{f"report.sheet.{k}": v for k, v in _SHEETS.items()},
    **{f"report.{k}": v for k, v in _TEXT.items()},
    **{f"app.report.{k}": v for k, v in _APP.items()},
}
