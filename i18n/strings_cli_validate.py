"""``safetynet validate`` text output, zh-TW and English (the --lang option). What a reader
says about a row (reasons, what it expected) stays in the reader's words."""

STRINGS: dict[str, tuple[str, str]] = {
    "cli.val.findings": ("問題：{n} 項", "findings: {n}"),
    "cli.val.more": ("  …另有 {n} 項（全部見 --json）", "  ... {n} more (use --json for all)"),
    "cli.val.file": ("檔案：{file}", "file: {file}"),
    "cli.val.encoding": ("編碼：{encoding}", "encoding: {encoding}"),
    "cli.val.sheet": ("工作表：{sheet}（標題在第 {header} 列；資料第 N 列即工作表第 {header}+N 列）",
                      "sheet: {sheet} (header on row {header}; data row N is sheet row "
                      "{header}+N)"),
    "cli.val.header": ("標題列：第 {header} 行（資料第 N 列即第 {header}+N 行）",
                       "header: line {header} (data row N is line {header}+N)"),
    "cli.val.coordinates": ("座標系統：{crs}", "coordinates: {crs}"),
    "cli.val.crs_source": ("（依據：{source}；已轉為 EPSG:4326 經緯度）",
                           " ({source}; converted to EPSG:4326 lon/lat)"),
    "cli.val.counts": ("讀取 {read} 列   載入 {loaded}   未定位 {unlocated}   剔除 {rejected}",
                       "rows read: {read}   loaded: {loaded}   unlocated: {unlocated}   "
                       "rejected: {rejected}"),
    "cli.val.located_by": ("定位方式：{how}", "located by: {how}"),
    "cli.val.by.coordinates": ("座標", "coordinates"),
    "cli.val.by.village": ("村里", "village"),
    "cli.val.by.geocoder": ("地址定位", "geocoder"),
    "cli.val.by.unlocated": ("未定位", "unlocated"),
    "cli.val.geocoder": ("使用線上地理編碼：{geocoder}", "online geocoder used: {geocoder}"),
    "cli.val.rejected_row": ("  剔除第 {row} 列：{reasons}", "  rejected row {row}: {reasons}"),
    "cli.val.expected": ("（讀取器說明：{expected}）", " (expected {expected})"),
    "cli.val.data_dir": ("資料目錄：{path}", "data directory: {path}"),
    "cli.val.layer": ("[{layer}] {file}：{rows} 列；錯誤 {errors}，警告 {warnings}，說明 {info}",
                      "[{layer}] {file}: {rows} rows; errors {errors}, warnings {warnings}, "
                      "notes {info}"),
    "cli.val.completeness": ("完整度（清單 / 已定位 / 官方數）：",
                             "completeness (listed / located / official):"),
    "cli.val.completeness_row": ("  {name}（{type}）：清單 {listed}，已定位 {located} / {official}",
                                 "  {name} ({type}): {listed} listed, {located} located / "
                                 "{official}"),
    "cli.val.population_file": ("人口檔：{file}", "population file: {file}"),
    "cli.val.rows": ("列數：{rows}", "rows: {rows}"),
}
