"""Command-line output, zh-TW and English (the --lang option)."""

STRINGS: dict[str, tuple[str, str]] = {
    "cli.coverage_head": ("{type}：半徑 {radius}，{mode}{area}；2SFCA 衰減：{decay}",
                          "{type}: radius {radius}, {mode}{area}; 2SFCA decay: {decay}"),
    "cli.area_weighted": ("，面積加權", ", area-weighted"),
    "cli.mode_straight": ("直線距離", "straight-line distance"),
    "cli.mode_network_length": ("道路距離", "road distance"),
    "cli.mode_network_travel_time": ("道路行車時間", "road travel time"),
    "cli.sites_line": ("  據點數 {n}；有據點之行政區 {d}/{of}（{share}）",
                       "  sites {n}; districts with a site {d}/{of} ({share})"),
    "cli.demand_line": ("  需求（{demand}）{total}；涵蓋 {covered}（{share}）；未涵蓋 {uncovered}",
                        "  demand ({demand}) {total}; covered {covered} ({share}); "
                        "uncovered {uncovered}"),
    "cli.distance_line": ("  最近據點距離（需求加權）：中位數 {median}，第 90 百分位 {p90}",
                          "  nearest site, demand-weighted: median {median}, "
                          "90th percentile {p90}"),
    "cli.per_site_line": ("  每據點需求 {n}", "  demand per site {n}"),
    "cli.capacity_line": ("  服務量能 {cap}；每單位需求 {per}；標準 每 {norm} 人 1 單位 → 需要 {needed}",
                          "  capacity {cap}; demand per unit {per}; norm 1 per {norm} → "
                          "needed {needed}"),
    "cli.capacity_unknown": ("  部分據點量能未知；依每 {norm} 人 1 單位之標準需要 {needed}",
                             "  capacity unknown for some sites; at the norm of 1 per {norm} "
                             "the demand needs {needed} units"),
    "cli.district_head": ("  行政區              需求      涵蓋率   最近距離中位數",
                          "  district            demand    covered  median distance"),
    "cli.sites_note": ("據點：{what}；{n} 個 {type} 納入計算（{which}）",
                       "sites: {what}; {n} of type {type} counted ({which})"),
    "cli.sites_default": ("預設圖層", "default layer"),
    "cli.sites_library": ("據點圖層庫的{layers}", "the site library's {layers}"),
    "cli.layer_version": ("「{name}」第 {v} 版", "“{name}” version {v}"),
    "cli.sites_file": ("{file}：讀入 {loaded}，拒絕 {rejected}", "{file}: {loaded} loaded, "
                       "{rejected} rejected"),
    "cli.open_only": ("僅開放中", "open only"),
    "cli.open_planned": ("開放中＋規劃中", "open + planned"),
    "cli.unknown_codes": ("{file} 有 {n} 個村里代碼無對應村里，已排除：{codes}",
                          "{n} code(s) of {file} have no village polygon and were left out: "
                          "{codes}"),
    "cli.unmatched_population": ("人口檔有 {n} 個村里代碼無對應界線（人口 {pop}），未納入表格",
                                 "{n} village codes of the population file have no boundary "
                                 "(population {pop}); they are not in the table"),
    "cli.road_source": ("路網：{label}", "road network: {label}"),
    "cli.wrote": ("  輸出：{path}", "  wrote: {path}"),
    "cli.none": ("無", "none"),
    # hotspots
    "cli.hs.distribution": ("分布：{counts}", "distribution: {counts}"),
    "cli.hs.regions_hot": ("熱區：{n} 個{shown}", "hot regions: {n}{shown}"),
    "cli.hs.regions_cold": ("冷區：{n} 個{shown}", "cold regions: {n}{shown}"),
    "cli.hs.shown": ("（列出前 {top} 個）", " (first {top} shown)"),
    "cli.hs.region": ("  #{region}：{n} 里，{where}；人口 {population}，需求 {demand}{unmet}{sites}",
                      "  #{region}: {n} villages in {where}; population {population}, demand "
                      "{demand}{unmet}{sites}"),
    "cli.hs.unmet": ("，未涵蓋需求 {n}", ", unmet {n}"),
    "cli.hs.sites": ("，最近據點 {sites}", ", nearest sites {sites}"),
    # optimize
    "cli.opt.head": ("{type}：{model}（{method}），半徑 {radius}，需求：{demand}；{distance}",
                     "{type}: {model} ({method}), radius {radius}, demand: {demand}; {distance}"),
    "cli.opt.model.mclp": ("最大涵蓋選址（MCLP）", "maximal covering (MCLP)"),
    "cli.opt.model.lscp": ("最少據點全涵蓋（LSCP）", "set covering (LSCP)"),
    "cli.opt.method.exact": ("精確解", "exact"),
    "cli.opt.method.greedy": ("貪婪法", "greedy"),
    "cli.opt.minutes": ("{n:g} 分鐘", "{n:g} min"),
    "cli.opt.road": ("{mode}，{label}", "{mode}, {label}"),
    "cli.opt.solver": ("  求解：{status}，{optimal}，間隙 {gap}，目標值 {objective}",
                       "  solver: {status}, {optimal}, gap {gap}, objective {objective}"),
    "cli.opt.status.Optimal": ("最佳解", "Optimal"),
    "cli.opt.proven": ("已證明為最佳", "proven optimal"),
    "cli.opt.not_proven": ("未證明為最佳", "not proven optimal"),
    "cli.opt.unknown": ("未知", "unknown"),
    "cli.opt.covered_existing": ("  現有據點涵蓋：{value}", "  covered by existing sites: {value}"),
    "cli.opt.covered_after": ("  建議後涵蓋：{value}", "  covered after: {value}"),
    "cli.opt.uncoverable": ("  無候選點可涵蓋：{demand}（{n} 個村里）",
                            "  uncoverable: {demand} ({n} villages)"),
    "cli.opt.fixed": ("既有（固定）", "fixed"),
    "cli.opt.new": ("新增", "new"),
    "cli.opt.chosen": ("既有（選用）", "chosen"),
    "cli.opt.gain": ("  增益 {gain}", "  gain {gain}"),
    "cli.opt.rejected_row": ("{path}：第 {row} 列被拒絕：{reasons}",
                             "{path}: row {row} rejected: {reasons}"),
    "cli.opt.unlocated": ("{path}：{n} 個候選點沒有位置（只有地址，也沒有可放置的村里），未納入",
                          "{path}: {n} candidate(s) have no location (address only, no 里 to "
                          "place them at) and are left out"),
    "cli.opt.no_candidate": ("{path}：沒有可用的候選點（讀取 {rows} 列，拒絕 {rejected} 列，{unlocated} 列沒有位置）",
                             "{path}: no usable candidate site ({rows} rows read, {rejected} "
                             "rejected, {unlocated} without a location)"),
    # roads
    "cli.roads.source": ("路網來源：{source}（{kind}）", "source: {source} ({kind})"),
    "cli.roads.vintage": ("版本：{vintage}", "vintage: {vintage}"),
    "cli.roads.licence": ("授權：{licence}", "licence: {licence}"),
    "cli.roads.size": ("節點 {nodes}   路段（有向）{edges}   道路長度 {km} km",
                       "nodes: {nodes}   edges (directed): {edges}   road length: {km} km"),
    "cli.roads.pieces_main": ("連通塊 {n} 個；最大的一塊含 {nodes} 的節點、{km} 的道路長度（僅它用於路徑計算）",
                              "pieces: {n}; the main one holds {nodes} of nodes and {km} of km "
                              "(only it is routed)"),
    "cli.roads.pieces": ("連通塊 {n} 個；最大的一塊含 {nodes} 的節點",
                         "pieces: {n}; the largest holds {nodes} of nodes"),
    "cli.roads.piece": ("  小塊：{nodes:>5} 個節點 {km:>7} km，位於 {lon}, {lat} 附近",
                        "  piece: {nodes:>5} nodes {km:>7} km near {lon}, {lat}"),
    "cli.roads.build": ("建置時間：{s} 秒", "build: {s} s"),
    "cli.roads.cache": ("快取：{path}", "cache: {path}"),
    "cli.roads.saved": ("已下載：{path}\n（以 --roads {path} 使用，或 roads info --source {path} "
                        "查看；快取資料夾 {cache}）",
                        "saved: {path}\n(load it with --roads {path} or roads info --source "
                        "{path}; cache folder {cache})"),
    "cli.interrupted": ("safetynet {command}：已中斷", "safetynet {command}: interrupted"),
    "cli.error": ("safetynet {command}：錯誤：{message}", "safetynet {command}: error: {message}"),
    "cli.internal_error": ("safetynet {command}：未預期的錯誤（{kind}）：{message}。"
                           "請回報此訊息。",
                           "safetynet {command}: unexpected error ({kind}): {message}. "
                           "Please report this message."),
}
