"""``safetynet info`` text output, zh-TW and English (the --lang option)."""

STRINGS: dict[str, tuple[str, str]] = {
    "cli.info.data_dir": ("資料目錄：{path}", "data directory: {path}"),
    "cli.info.counts": ("村里 {villages} 個，行政區 {districts} 個；人口 {population} 版，"
                        "村里界 {boundaries} 版",
                        "villages {villages}, districts {districts}; population {population} "
                        "on boundaries {boundaries}"),
    "cli.info.versions": ("資料版本：", "data versions:"),
    "cli.info.version_line": ("  {layer}：{version}{note}", "  {layer}: {version}{note}"),
    "cli.info.note": ("（{note}）", " ({note})"),
    "cli.info.population": ("人口（{month}）：{total} 人，{rows} 列；缺少欄位：{missing}；"
                            "無村里界可落點的居民 {unplaced} 人",
                            "population {month}: {total} ({rows} rows; missing columns: "
                            "{missing}; residents without a polygon: {unplaced})"),
    "cli.info.column.male": ("男性人口", "Male residents"),
    "cli.info.column.female": ("女性人口", "Female residents"),
    "cli.info.column.age_0_5": ("0–5 歲人口", "Residents aged 0-5"),
    "cli.info.column.age_6_11": ("6–11 歲人口", "Residents aged 6-11"),
    "cli.info.column.age_12_17": ("12–17 歲人口", "Residents aged 12-17"),
    "cli.info.roc_year": ("{year}（民國 {roc} 年）", "{year} (ROC year {roc})"),
    "cli.info.unmatched_head": ("  {n} 個村里代碼無對應村里界（仍計入行政區合計）：",
                                "  {n} codes without a boundary (kept in district totals):"),
    "cli.info.placed_builtup": ("居民落點：建成區；{builtup} 個村里落在建成區，{polygon} 個村里無建成區、"
                                "以村里界內一點代替{fallback}",
                                "residents placed on: built-up land; {builtup} villages on "
                                "built-up land, {polygon} without any placed at a point inside "
                                "the village{fallback}"),
    "cli.info.placed_polygon": ("居民落點：村里界內一點（沒有建成區圖層）",
                                "residents placed on: a point inside each village (no built-up "
                                "layer)"),
    "cli.info.codes": ("：{codes}", ": {codes}"),
    "cli.info.crosswalk_head": ("村里界新舊對照 2021 ↔ 2023-09：{old} 個 ↔ {new} 個村里，"
                                "{same} 個未變動；分割而來的村里：",
                                "village crosswalk 2021 ↔ 2023-09: {old} ↔ {new} villages, "
                                "{same} unchanged; split villages:"),
    "cli.info.crosswalk_share": ("原{parent}（{code}）人口的 {share}（依{basis}，{by}）",
                                 "{share} of {parent} ({code}) ({basis}, {by})"),
    "cli.info.by.note": ("村里界註記", "boundary note"),
    "cli.info.by.overlap": ("面積重疊", "area overlap"),
    "cli.info.by.note+overlap": ("村里界註記與面積重疊", "boundary note and area overlap"),
    "cli.info.list_sep": ("；", "; "),
    "cli.info.comma": ("、", ", "),
    "cli.info.indicator_line": ("  需求指標 {name}（{id}）：{vintage}，{cover}",
                                "  need indicator {name} ({id}): {vintage}, {cover}"),
    "cli.info.cover_villages": ("{n}/{of} 個村里有數值", "{n}/{of} villages with a value"),
    "cli.info.cover_districts": ("{n} 個行政區（行政區層級）", "{n} districts (district level)"),
    "cli.info.income_other": ("    「其他」列（各區未歸入任何村里的納稅單位，不計入村里）：{rows}",
                              "    “other” rows (a district's tax units assigned to no "
                              "village; counted in no village), tax units: {rows}"),
    "cli.info.income_other_row": ("{district} {unit} 單位（中位數 {median} 千元）",
                                  "{district} {unit} (median {median} thousand NTD per unit)"),
    "cli.info.income_other_zero": ("{districts} 為 0 單位", "none in {districts}"),
    "cli.info.income_unmatched": ("    村里名稱對不上村里界的列（未使用）：{rows}",
                                  "    rows whose village name matches no boundary (not "
                                  "used): {rows}"),
    "cli.info.income_unmatched_row": ("{district}{village}（{unit} 單位）",
                                      "{district} {village} ({unit} units)"),
    "cli.info.income_all_matched": ("    每一列的村里名稱都對上村里界",
                                    "    every row's village name matches a boundary"),
    "cli.info.income_zero": ("    0 單位的村里列（未使用）：{rows}",
                             "    village rows with 0 units (not used): {rows}"),
    "cli.info.income_without": ("    {n} 個村里沒有可用的所得資料列",
                                "    {n} villages have no usable income row"),
    "cli.info.services_head": ("服務據點（已定位 / 官方數）：", "service layers (located / official):"),
    "cli.info.incomplete": ("  ← 不完整", "  ← incomplete"),
    "cli.info.findings_head": ("資料品質問題：{n} 項", "data-quality findings: {n}"),
    "cli.info.finding_line": ("  [{severity}] {where}：{problem}", "  [{severity}] {where}: "
                              "{problem}"),
    "cli.info.where_sep": ("，", ", "),
    "cli.info.sev.error": ("錯誤", "error"),
    "cli.info.sev.warning": ("警告", "warning"),
    "cli.info.sev.info": ("說明", "note"),
    "cli.info.missing_head": ("缺少：", "missing:"),
}
