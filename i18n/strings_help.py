"""Help texts of the app's controls and technical terms (the ``help=`` tooltips), zh-TW and
English, and the zh-TW wording of each type's target-population rationale (the English one
is analysis/defaults.toml's ``target_rationale``)."""

# key -> (zh-TW, en)
STRINGS: dict[str, tuple[str, str]] = {
    "help.page": ("「哪裡不足」是地圖與排名；「表格」可排序、下載；其餘頁面做情境、熱區與資料匯入。",
                  "Where are we short? is the map and the rankings; Tables sort and download; "
                  "the other pages hold scenarios, hotspots and data import."),
    "help.type": ("要分析的社會安全網服務；地圖、排名與卡片都針對此類型。",
                  "The safety-net service analysed; the map, rankings and cards are about it."),
    "help.radius": ("住在據點此距離內的人算「涵蓋」。{type}預設 {km} 公里，是本工具的規劃假設，"
                    "不是官方標準。",
                    "People living within this distance of a site count as covered. The default "
                    "for {type} is {km} km, a planning assumption of this tool, not an "
                    "official norm."),
    "help.mode": ("直線距離：兩點間的直線。道路距離：沿道路的最短距離（全市 13 區路網）。"
                  "道路車程：依道路等級的規劃車速估算的最短行車時間，服務範圍以分鐘計。"
                  "第一次使用道路時需載入路網（數秒）。",
                  "Straight line: the direct distance. Road distance: the shortest distance "
                  "along the roads (all 13 districts). Road travel time: the shortest driving "
                  "time at planning speeds per road class; radii in minutes. The road network "
                  "loads the first time (a few seconds)."),
    "help.radius_min": ("住在據點此車程內的人算「涵蓋」。{type}預設 {m} 分鐘（規劃假設，依道路等級"
                        "的車速估算，不含等車與停車）。",
                        "People within this driving time of a site count as covered. The "
                        "default for {type} is {m} min (a planning assumption: speeds per road "
                        "class, no waiting or parking)."),
    "help.vintage": ("人口統計年月與對應的村里界：2025-12（516 村里，2023-09 村里界）為最新；"
                     "2021-03（504 村里，2021 村里界）可供比較。切換後重新載入資料。",
                     "The population month and its village boundaries: 2025-12 (516 villages, "
                     "2023-09 boundaries) is the newest; 2021-03 (504 villages, 2021 "
                     "boundaries) for comparison. Switching reloads the data."),
    "help.road_source": ("道路距離與車程所用的路網及其版本。",
                         "The road network used for road distances and times, and its "
                         "version."),
    "help.demand": ("涵蓋率以誰為分母。{type}的目標人口是{group}：{why}",
                    "Whose coverage is counted. The target population of {type} is {group}: "
                    "{why}"),
    "help.planned": ("勾選後，狀態為「規劃中」的據點也算入涵蓋。",
                     "When ticked, sites with status planned count toward coverage too."),
    "help.metric": ("地圖上村里的著色依據。未涵蓋人數：住在所有據點服務半徑外的人數。"
                    "2SFCA（兩步移動搜尋法）可及性：考慮據點供給與周邊需求的競爭，全市平均為 1。",
                    "What colours the villages. Not covered: residents beyond the radius of "
                    "every site. 2SFCA (two-step floating catchment area) access: the sites' "
                    "supply shared among the demand around them, city mean 1."),
    "help.district": ("將地圖放大到一個行政區。", "Zoom the map to one district."),
    "help.circles": ("在每個據點周圍畫出服務半徑（道路距離時畫出可到達的路段）。圓圈不影響點選村里。",
                     "Draw each site's radius (road mode: the roads within reach). Circles "
                     "never block clicking a village."),
    "help.more_layers": ("加上其他服務類型的據點，或選擇底圖。", "Add other service types, or a base map."),
    "help.layers": ("這些類型的據點也畫在地圖上，並列入村里資訊。",
                    "Sites of these types are drawn too and listed in the village panel."),
    "help.tiles": ("底圖需連網；預設無底圖，離線也能使用。",
                   "Base maps need the internet; the default works offline."),
    "help.search": ("輸入村里或據點名稱的一部分。", "Type part of a village or site name."),
    "help.search_pick": ("選一個結果，地圖會放大到該處。", "Pick a result; the map zooms there."),
    "help.go_import": ("到「資料」頁匯入此服務類型的據點清單（CSV、Excel 或 GeoJSON）。",
                       "Open the Data page to import this type's site list (CSV, Excel or "
                       "GeoJSON)."),
    "help.no_data_yet": ("此服務類型還沒有已定位的據點，涵蓋率無法計算（不是 0 %）。",
                         "This type has no located site yet, so coverage is unknown (not 0 %)."),
    "help.located": ("已知座標的據點數 / 官方公布的據點數。",
                     "Sites with a known location / the official number of sites."),
    "help.kpi_share": ("住在最近據點 {r} 內的目標人口占比。",
                       "Share of the target population living within {r} of a site."),
    "help.kpi_uncovered": ("住在所有據點 {r} 以外的目標人口數。",
                           "Target population living more than {r} from every site."),
    "help.kpi_districts": ("行政區涵蓋率：13 個行政區中，區內至少有一個據點的行政區數。",
                           "District coverage: how many of the 13 districts have at least one "
                           "site inside."),
    "help.kpi_per_site": ("目標人口總數除以據點數，粗估每個據點要服務多少人。",
                          "Target population divided by the number of sites: how many persons "
                          "each site serves, roughly."),
    "help.chart": ("每條線表示多少比例的目標人口住在該距離內有據點；虛線為目前的服務半徑。"
                   "情境模擬頁有編輯時，同時畫出情境。",
                   "Each line shows the share of the target population with a site within "
                   "that distance; the dashed rule is the radius in use. While a scenario is "
                   "being edited, it is drawn too."),
    "help.col_rank": ("依未涵蓋人數排名，1 為最多。", "Ranked by persons not covered, 1 = most."),
    "help.col_uncovered": ("住在服務半徑外的{demand}人數。",
                           "{demand} living beyond the radius."),
    "help.col_demand": ("{demand}總人數。", "All {demand}."),
    "help.col_share": ("在服務半徑內的需求人數占比。", "Share of the demand within the radius."),
    "help.col_sites": ("位於該行政區內的據點數。", "Sites inside the district."),
    "help.col_distance": ("村里需求點到最近據點的距離。",
                          "Distance from the village's demand point to the nearest site."),
    "help.col_median": ("以人數加權的距離中位數。", "Population-weighted median distance."),
    "help.col_p90": ("九成的需求人數住得比這更近。", "Nine in ten of the demand live closer."),
    "help.col_nearest": ("距離最近的據點名稱。", "Name of the nearest site."),
    "help.col_covered": ("在服務半徑內的需求人數。", "Demand within the radius."),
    "help.col_children_share": ("0–14 歲兒童在半徑內的比例。",
                                "Share of children aged 0–14 within the radius."),
    "help.col_elderly_share": ("65 歲以上在半徑內的比例。",
                               "Share of residents aged 65+ within the radius."),
    "help.col_capacity": ("據點容量（空白表示未知）。", "Site capacity (blank: unknown)."),
    "help.download": ("下載此表（CSV，Excel 可直接開啟）。",
                      "Download this table (CSV, opens in Excel)."),
    "help.term_2sfca": ("2SFCA（兩步移動搜尋法）可及性：考慮據點供給與周邊需求的競爭，"
                        "全市平均為 1；大於 1 表示比平均容易取得服務。",
                        "2SFCA (two-step floating catchment area) access: supply of the sites "
                        "shared among the demand around them; city mean 1, above 1 = easier "
                        "than average."),
    # zh-TW wording of analysis/defaults.toml's target_rationale (English: that file's text)
    "why_target.family_service_centre": ("家庭服務中心服務區內所有家庭：全體居民。",
                                         "Family service centres serve every family: all "
                                         "residents."),
    "why_target.community_support_site": ("小衛星是兒少及家庭社區支持服務據點：0–17 歲兒少"
                                          "（資料版本沒有 0–17 歲時用 0–14 歲）。",
                                          "Support sites serve children and youth 0–17."),
    "why_target.mental_health_centre": ("社區心理衛生中心服務全體居民。",
                                        "Mental-health centres serve all residents."),
    "why_target.employment_desk": ("就業服務臺服務工作年齡人口：18–64 歲（資料版本沒有時用 15–64 歲）。",
                                   "Employment desks serve working-age residents."),
    "why_target.employment_centre": ("就業中心服務工作年齡人口：18–64 歲（資料版本沒有時用 15–64 歲）。",
                                     "Employment centres serve working-age residents."),
    "why_target.indigenous_family_centre": ("原住民族家庭服務中心服務原住民家庭：原住民人數。",
                                            "Indigenous family centres serve indigenous "
                                            "residents."),
    "why_target.immigrant_family_centre": ("資料中沒有各村里新住民人數，在市府提供前以全體居民計。",
                                           "No count of new immigrants per village yet: all "
                                           "residents."),
    "why_target.counselling_point": ("免付費心理諮詢對全體居民開放。",
                                     "Free counselling is open to all residents."),
    "why_target.psychiatric_collab_site": ("資料中沒有各村里精神障礙者人數，在市府提供前以全體居民計。",
                                           "No count per village yet: all residents."),
}
