"""Site-library strings of the data page: importing a list into a layer, the layer list and
its actions (roll back, export, delete), placing unlocated sites, the data vintages and the
village crosswalk. ``lib.*`` / ``place.*`` / ``help.lib_*`` / ``help.place_*`` keys."""

# key -> (zh-TW, en)
STRINGS: dict[str, tuple[str, str]] = {
    # import
    "lib.import": ("匯入據點清單到圖層庫", "Import a site list into the site library"),
    "lib.import_help": (
        "CSV（UTF-8 或 Big5）、Excel（.xlsx）或 GeoJSON；欄位如 名稱、地址、經度、緯度、村里、類型、"
        "狀態。匯入的清單存入圖層庫（重新整理或重新開啟後仍在）；同一服務類型的圖層取代預設"
        "的公開資料。只有地址的列保留為「未定位」，可在下方逐筆定位。",
        "CSV (UTF-8 or Big5), Excel (.xlsx) or GeoJSON; columns such as name, address, lon, "
        "lat, village, type, status. The list is kept in the site library (it stays after a "
        "reload or a restart); a layer of a service type replaces that type's public data. "
        "Rows with an address only are kept as not located and can be placed below."),
    "lib.name": ("圖層名稱", "Layer name"),
    "lib.name_placeholder": ("空白時用檔名", "Blank: the file name"),
    "lib.target": ("存成", "Store as"),
    "lib.new_layer": ("新圖層", "A new layer"),
    "lib.replace_layer": ("取代「{name}」（以第 {v} 版為準）", "Replace “{name}” (based on "
                                                          "version {v})"),
    "lib.author": ("匯入者", "Imported by"),
    "lib.import_button": ("匯入", "Import"),
    "lib.importing": ("正在讀取、定位並儲存「{file}」…", "Reading, locating and storing “{file}”…"),
    "lib.stored": ("已存入圖層「{name}」第 {v} 版：{n} 個據點（{located} 個已定位、{unlocated} 個"
                   "未定位），共讀取 {rows} 列，{bad} 列有錯誤未匯入。",
                   "Stored as layer “{name}”, version {v}: {n} sites ({located} located, "
                   "{unlocated} not located); {rows} rows read, {bad} rejected and not "
                   "stored."),
    "lib.nothing_read": ("檔案中沒有可用的據點（共讀取 {rows} 列，{bad} 列有錯誤），未存入圖層庫。",
                         "No site could be read from the file ({rows} rows read, {bad} "
                         "rejected); nothing was stored."),
    "lib.input_error": ("無法讀取檔案：{problem}", "Could not read the file: {problem}"),
    "lib.where": ("（{where}）", " ({where})"),
    "lib.where_file": ("檔案 {file}", "file {file}"),
    "lib.where_row": ("第 {row} 列", "row {row}"),
    "lib.where_field": ("欄位「{field}」", "field “{field}”"),
    "lib.where_value": ("內容「{value}」", "value “{value}”"),
    "lib.expected": ("應為：{expected}", "expected: {expected}"),
    "lib.need_name": ("請輸入圖層名稱。", "Please name the layer."),
    "lib.conflict_exists": ("圖層「{name}」已存在（第 {v} 版），未覆蓋。你的資料仍保留在下方，"
                            "可另存新名稱或取代它。",
                            "A layer named “{name}” already exists (version {v}); it was not "
                            "overwritten. Your data is kept below: store it under another "
                            "name or replace that layer."),
    "lib.conflict_changed": ("圖層「{name}」已被其他人更新為第 {v} 版（你的操作以第 {based} 版為準），"
                             "未覆蓋。你的資料仍保留，請確認後再決定。",
                             "Layer “{name}” was changed by someone else to version {v} (yours "
                             "was based on version {based}); nothing was overwritten. Your data "
                             "is kept: check, then decide."),
    "lib.conflict_deleted": ("圖層「{name}」已被其他人刪除（你的操作以第 {v} 版為準），未變更。",
                             "Layer “{name}” was deleted by someone else (yours was based on "
                             "version {v}); nothing was changed."),
    "lib.not_found": ("找不到圖層「{name}」。", "No layer named “{name}”."),
    "lib.store_error": ("圖層庫無法寫入：{err}", "The site library could not be written: {err}"),
    "lib.pending": ("尚未存入：{file}（{n} 個據點）", "Not stored yet: {file} ({n} sites)"),
    "lib.save_as": ("另存為新圖層", "Store as a new layer"),
    "lib.replace_now": ("取代「{name}」目前的第 {v} 版", "Replace “{name}”, now version {v}"),
    "lib.discard": ("放棄這次匯入", "Discard this import"),
    "lib.rejected": ("未匯入的列", "Rows not imported"),
    "lib.findings": ("匯入檢查結果", "Import findings"),
    # layer list
    "lib.layers": ("據點圖層庫", "Site library"),
    "lib.no_layers": ("圖層庫還沒有圖層；匯入的清單會存在這裡。",
                      "The library has no layer yet; imported lists are kept here."),
    "lib.col_layer": ("圖層", "Layer"),
    "lib.col_types": ("服務類型", "Service types"),
    "lib.col_rows": ("據點（已定位／未定位）", "Sites (located / not located)"),
    "lib.rows_value": ("{located} 已定位／{unlocated} 未定位", "{located} located / {unlocated} "
                                                          "not located"),
    "lib.col_version": ("版本", "Version"),
    "lib.version_words": ("第 {v} 版", "version {v}"),
    "lib.version_rollback": ("第 {v} 版（還原自第 {old} 版）", "version {v} (rolled back to "
                                                            "version {old})"),
    "lib.col_author": ("作者", "Author"),
    "lib.col_date": ("日期", "Date"),
    "lib.col_file": ("來源檔案", "Source file"),
    "lib.unreadable": ("（無法讀取）", "(unreadable)"),
    "lib.pick": ("圖層", "Layer"),
    "lib.rows_of": ("「{name}」的據點", "Sites of “{name}”"),
    "lib.history": ("版本紀錄", "Versions"),
    "lib.rollback_to": ("還原成", "Roll back to"),
    "lib.rollback": ("還原", "Roll back"),
    "lib.rolled_back": ("「{name}」已還原：第 {v} 版 = 第 {old} 版的內容。",
                        "“{name}” rolled back: version {v} holds the rows of version {old}."),
    "lib.no_older": ("只有一個版本，無法還原。", "Only one version: nothing to roll back to."),
    "lib.export_format": ("匯出格式", "Export format"),
    "lib.export": ("下載此圖層", "Download this layer"),
    "lib.confirm_delete": ("我確定要刪除「{name}」及其所有版本", "I am sure: delete “{name}” and "
                                                           "all its versions"),
    "lib.delete": ("刪除圖層", "Delete the layer"),
    "lib.deleted": ("已刪除圖層「{name}」。", "Layer “{name}” deleted."),
    # placing unlocated sites
    "place.header": ("待定位據點（{n} 筆）", "Sites to place ({n})"),
    "place.none": ("圖層庫的據點都已定位。", "Every site of the library is located."),
    "place.current": ("第 {i} 筆，共 {n} 筆：", "Row {i} of {n}:"),
    "place.layer": ("圖層", "Layer"),
    "place.by_village": ("放在地址所寫的村里：{village}", "Place at the village the address names: "
                                                   "{village}"),
    "place.pick_village": ("或選擇村里", "Or pick a village"),
    "place.at_village": ("放在所選村里", "Place at this village"),
    "place.map_hint": ("或在地圖上點選位置，再按「放在點選的位置」。",
                       "Or click the map, then “Place at the clicked point”."),
    "place.clicked": ("點選的位置：{lat}, {lon}", "Clicked point: {lat}, {lon}"),
    "place.at_click": ("放在點選的位置", "Place at the clicked point"),
    "place.skip": ("略過，下一筆", "Skip to the next"),
    "place.geocoder": ("使用線上地址定位", "Use the online geocoder"),
    "place.geocoder_off": ("線上地址定位預設關閉：地址不會離開這台電腦。",
                           "The online geocoder is off: no address leaves this computer."),
    "place.geocoder_on": ("已開啟：按下查詢時，這一筆的地址會透過網際網路傳送到 {service}。",
                          "On: when you press Look up, this row's address is sent over the "
                          "internet to {service}."),
    "place.geocode": ("以線上服務查詢此地址", "Look up this address online"),
    "place.geocoded": ("「{name}」的位置來自線上地址定位（{service}），定位方式記為「線上地址定位」；"
                       "請在地圖上確認。",
                       "The location of “{name}” came from the online geocoder ({service}) "
                       "and is recorded as such; check it on the map."),
    "place.geocode_failed": ("線上地址定位沒有找到「{name}」：{problem}",
                             "The online geocoder did not place “{name}”: {problem}"),
    "place.placed": ("「{name}」已定位（{how}），存為「{layer}」第 {v} 版。",
                     "“{name}” placed ({how}); stored as “{layer}”, version {v}."),
    "place.legend": ("點選地圖放置據點", "Click the map to place the site"),
    # vintages and crosswalk
    "vintage.in_use": ("使用中的資料版本：{v}（{n} 村里）", "Data vintage in use: {v} ({n} "
                                                   "villages)"),
    "layer.roads": ("路網", "Road network"),
    "layer.library": ("據點圖層庫「{name}」", "Site library “{name}”"),
    "layer.replaced": ("{type}（預設圖層已由圖層庫取代）",
                       "{type} (default layer replaced by the site library)"),
    "crosswalk.header": ("村里界新舊對照（2021 ↔ 2023-09）", "Village crosswalk (2021 ↔ 2023-09)"),
    "crosswalk.summary": ("2021 年 {old} 個村里對應 2023-09 年 {new} 個村里：{same} 個未變動，"
                          "{changed} 個 2021 年村里有調整，{split} 個新村里由分割而來（人數依建成區"
                          "面積分配，無建成區時依面積）。",
                          "{old} villages of 2021 map onto {new} of 2023-09: {same} unchanged, "
                          "{changed} villages of 2021 changed, {split} new villages split off "
                          "(people shared by built-up area, by area where there is none)."),
    "crosswalk.col_new": ("新村里", "New village"),
    "crosswalk.col_parent": ("原村里", "Parent village"),
    "crosswalk.col_share": ("分得原村里人口比例", "Share of the parent's people"),
    "crosswalk.col_basis": ("分配依據", "Shared by"),
    "crosswalk.basis.builtup": ("建成區面積", "built-up area"),
    "crosswalk.basis.area": ("面積", "area"),
    "crosswalk.basis.identity": ("未變動", "unchanged"),
    "col_note": ("說明", "Note"),
    "note.crosswalk": ("依村里界所註記的母村里代碼與面積重疊；建成區面積加權",
                       "NOTE parent codes and area overlap; built-up area weights"),
    "note.roads_city": ("全市 13 區", "all 13 districts"),
    "note.roads_partial": ("僅涵蓋{covers}", "covers {covers} only"),
    "note.villages": ("{n} 個村里", "{n} villages"),
    "note.residents": ("{n} 人", "{n} residents"),
    "level.village": ("村里層級", "per village"),
    "level.district": ("行政區層級（不分攤到村里）", "per district (never spread over villages)"),
    "lib.no_file": ("尚未收到檔案：請先選擇檔案，待檔名出現在上方後再按「匯入」。",
                    "No file received yet: choose a file, and press Import once its name "
                    "shows above."),
    "col_listed": ("已列出", "Listed"),
    "col_unlocated": ("列出未定位", "Not located"),
    # help
    "help.lib_name": ("圖層的名稱，例如「小衛星 2026-04」。", "The layer's name, e.g. “Support "
                                                       "sites 2026-04”."),
    "help.lib_target": ("新圖層，或取代圖層庫中已有的圖層（產生新版本，舊版本保留可還原）。",
                        "A new layer, or replace a layer of the library (a new version; the "
                        "old ones are kept and can be restored)."),
    "help.lib_author": ("記錄在版本中，方便日後查詢是誰匯入的。",
                        "Kept with the version, so you know later who imported it."),
    "help.lib_import_button": ("讀取檔案並存入圖層庫；分析會立即使用。",
                               "Read the file and store it in the site library; the analysis "
                               "uses it at once."),
    "help.lib_save_as": ("以新名稱存入，原圖層不變。", "Store under a new name; the other layer "
                                                 "stays as it is."),
    "help.lib_replace_now": ("以你的資料取代該圖層目前的版本（舊版本保留，可還原）。",
                             "Replace that layer's current version with your data (older "
                             "versions are kept and can be restored)."),
    "help.lib_discard": ("不存入這次匯入的資料。", "Do not store this import."),
    "help.lib_pick": ("選擇一個圖層，查看其據點與版本，或還原、下載、刪除。",
                      "Pick a layer to see its sites and versions, or roll it back, download "
                      "or delete it."),
    "help.lib_rollback_to": ("選擇較早的版本；還原會把它的內容存成新的版本。",
                             "Pick an earlier version; rolling back stores its rows as a new "
                             "version."),
    "help.lib_rollback": ("把所選版本的內容存成最新版本（歷史保留）。",
                          "Store the chosen version's rows as the newest version (history "
                          "kept)."),
    "help.lib_export_format": ("CSV（Excel 可開啟）、GeoJSON 或 GeoPackage（QGIS）。",
                               "CSV (opens in Excel), GeoJSON or GeoPackage (QGIS)."),
    "help.lib_export": ("下載此圖層目前的版本。", "Download the layer's current version."),
    "help.lib_confirm_delete": ("刪除後無法復原；請先勾選確認。",
                                "A deleted layer cannot be restored; tick to confirm."),
    "help.lib_delete": ("刪除此圖層及其所有版本；該服務類型改用預設的公開資料。",
                        "Delete this layer and all its versions; the service type falls back "
                        "to the public data."),
    "help.place_by_village": ("放在該村里的需求點（居民所在的建成區中心）；定位方式記為「村里」。",
                              "Place it at the village's demand point (the centre of its "
                              "built-up land); recorded with precision “village”."),
    "help.place_pick_village": ("地址沒有寫村里時，可自行選擇。",
                                "When the address names no village, pick one."),
    "help.place_at_village": ("放在所選村里的需求點；定位方式記為「村里」。",
                              "Place it at the picked village's demand point; precision "
                              "“village”."),
    "help.place_at_click": ("放在地圖上點選的位置；定位方式記為「手動放置」。",
                            "Place it where you clicked; precision “placed by hand”."),
    "help.place_skip": ("先處理下一筆，這一筆保留在清單中。",
                        "Go to the next row; this one stays on the list."),
    "help.place_geocoder": ("開啟後可查詢地址的座標；地址會傳送到網際網路上的服務，預設關閉。",
                            "When on, an address can be looked up; it is sent to a service on "
                            "the internet. Off by default."),
    "help.place_geocode": ("查詢這一筆的地址；結果的定位方式記為「線上地址定位」。",
                           "Look up this row's address; the result is recorded with precision "
                           "“online geocoder”."),
    "help.crosswalk": ("2022 年村里調整後，舊資料（以 2021 年村里為單位）如何轉到 2023-09 年村里。",
                       "How data keyed by the 2021 villages is carried onto the 2023-09 "
                       "villages after the 2022 changes."),
}
