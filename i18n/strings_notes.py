"""Notes of the analysis layer (analysis.notes.Note keys), zh-TW and English."""

STRINGS: dict[str, tuple[str, str]] = {
    "note.sites_unlocated": ("{n} 個據點已列入清單但尚未定位，不計入涵蓋。",
                             "{n} listed sites are not located yet and do not count toward "
                             "coverage."),
    "note.demand_fallback": ("此人口版本沒有「{first}」欄，需求改用「{column}」。",
                             "This population vintage has no {first} column; demand uses "
                             "{column} instead."),
    "note.demand_missing": ("{n} 個村里沒有需求數值（{demand}），以 0 計算並列出。",
                            "{n} villages have no {demand} value; they count as 0 and are "
                            "listed."),
    "note.road_partial": ("注意：路網僅涵蓋{covers}；區外村里無法以道路抵達，視為未涵蓋，"
                          "全市數字僅供參考。",
                          "Caution: the road network covers only {covers}; villages outside "
                          "it cannot be reached by road and count as not covered, so city "
                          "figures are partial."),
    "note.villages_off_graph": ("{n} 個村里距路網超過 {max_snap_m:,.0f} 公尺（需求 {demand:,.0f}），"
                                "未強制吸附，視為無法抵達：{names}。",
                                "{n} villages are farther than {max_snap_m:,.0f} m from the road "
                                "network (demand {demand:,.0f}); they are not snapped and count "
                                "as unreachable: {names_en}."),
    "note.candidates_off_graph": ("{n} 個候選點距路網超過 {max_snap_m:,.0f} 公尺，已排除並列出。",
                                  "{n} candidates are farther than {max_snap_m:,.0f} m from the "
                                  "road network; they were left out and are listed."),
    "note.no_sites": ("尚無資料：此服務類型沒有已定位的據點，請匯入清單。",
                      "No data yet: this service type has no located sites; import a list."),
}
