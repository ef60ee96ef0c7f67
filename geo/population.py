"""Village population (MOI ODRP014 layout) joined to the village boundaries by VILLCODE.

ODRP014 columns (Chinese headers as published): 年月, 村里代碼 (TTTTTTTT-NNN), 區域, 村里,
戶數, 人口, 男性人口, 女性人口, 未滿15歲, 15-64歲, 超過64歲 (+ 超過20歲, 18-19歲). A leading
VILLCODE (11 digits) column is optional. The derived age-group layout (2025-12: people_total,
age_0_5, age_6_11, age_12_17, age_0_17, age_18_64, age_65_plus) is read too. Columns a
release lacks (e.g. 戶數 and sex in 2025-12) are reported as missing and left NaN, never
treated as errors.

Population vintages (statistic months) are listed in the city profile (``[vintages]``): each
names its file(s), merged by village code, and the boundary set whose codes it matches
("2025-12" on the 2023-09 boundaries is the default; "2021-03" on the 2021 ones). A file
given by name is joined to the boundary set whose codes match it best. Codes absent from the
boundaries are listed and kept in the district totals; villages without population are
flagged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.boundaries import BOUNDARY_SETS, DEFAULT_BOUNDARIES, boundary_label, load_villages
from geo.city import city
from geo.demand import attach_demand_points, builtup_files
from geo.plausibility import check_population
from geo.quality import Finding

__all__ = ["COLUMNS", "COUNT_COLUMNS", "DEFAULT_VINTAGE", "POPULATION_VINTAGES",
           "PopulationReport", "normalize_villcode", "read_population", "read_vintage",
           "find_population_file", "choose_boundaries", "join_population",
           "load_village_table"]

TAOYUAN_PREFIX = city().county_code
POPULATION_VINTAGES: dict[str, dict] = {k: v for k, v in city().raw.get("vintages", {}).items()
                                        if isinstance(v, dict)}
DEFAULT_VINTAGE: str | None = city().raw.get("vintages", {}).get("default")
# output column -> accepted source headers (first match wins)
COLUMNS: dict[str, tuple[str, ...]] = {
    "households": ("戶數",),
    "population": ("人口", "people_total"),
    "male": ("男性人口",),
    "female": ("女性人口",),
    "age_0_14": ("未滿15歲",),
    "age_15_64": ("15-64歲",),
    "age_65_plus": ("超過64歲", "age_65_plus"),
    "age_0_17": ("age_0_17",),
    "age_18_64": ("age_18_64",),
    "age_0_5": ("age_0_5",),
    "age_6_11": ("age_6_11",),
    "age_12_17": ("age_12_17",),
}
COUNT_COLUMNS = list(COLUMNS)
# present only in the derived age-group layout (2025-12); not reported missing elsewhere
OPTIONAL_COLUMNS = ("age_0_17", "age_18_64", "age_0_5", "age_6_11", "age_12_17")
_CODE_RE = re.compile(r"^(\d{8})-?(\d{3})$")


@dataclass
class PopulationReport:
    """What the join found. ``unmatched`` lists codes in the file without a boundary
    (VILLCODE, TOWNCODE, district, village, population); ``district_totals`` includes them."""

    file: str
    month: str
    rows: int
    total_population: int
    missing_columns: list[str]
    unmatched: pd.DataFrame
    villages_without_population: list[str]
    district_totals: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file read (a vintage may have two)
    vintage: str = ""  # statistic month = population vintage key (e.g. "2025-12")
    boundaries: str = ""  # boundary set joined to (e.g. "2023-09")

    def summary(self) -> dict:
        return {
            "file": self.file, "files": self.files or [self.file], "month": self.month,
            "vintage": self.vintage, "boundaries": self.boundaries, "rows": self.rows,
            "total_population": self.total_population,
            "missing_columns": self.missing_columns,
            "unmatched_codes": self.unmatched.to_dict("records"),
            "villages_without_population": self.villages_without_population,
            "findings": [f.message() for f in self.findings],
        }


def normalize_villcode(value: object) -> str | None:
    """'68000010-001' or '68000010001' → '68000010001'; anything else → None."""
    m = _CODE_RE.match(str(value).strip()) if value is not None else None
    return m[1] + m[2] if m else None


def _month(raw: pd.DataFrame) -> str:
    if "年月" in raw:
        months = raw["年月"].dropna().astype(str).unique()
        return max(months) if len(months) else ""
    if "statistic_yyymm" in raw:  # ROC year+month, e.g. 11412 → 2025-12
        v = str(raw["statistic_yyymm"].dropna().iloc[0])
        return f"{int(v[:-2]) + 1911}-{v[-2:]}"
    return ""


def _read_csv(path: Path) -> pd.DataFrame:
    """The file's rows as text; the encoding detected (UTF-8 / UTF-16 / Big5) or the file
    refused with a message naming the encoding found (never read garbled)."""
    import io

    from geo.readers.encoding import decode_text
    text, _ = decode_text(Path(path).read_bytes(), file=str(path))
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file; expected a header row and one row per "
                         "village") from None
    except pd.errors.ParserError as exc:  # e.g. an unclosed quote
        raise ValueError(f"{path}: not a readable CSV table ({exc}); expected one row per "
                         "village with comma-separated columns") from None


def read_population(path: str | Path) -> tuple[pd.DataFrame, PopulationReport]:
    """Read one population file; return Taoyuan rows indexed by VILLCODE with the
    standard count columns (Int64, NA where missing) and a report (without the join).

    Bad codes become error findings naming the file, row and column (the row is kept);
    a count that is not a whole number >= 0 stops the read with an
    :class:`geo.quality.InputError` listing every such cell (file, row, column, value), as
    implausible counts do (:func:`geo.plausibility.check_population`).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"population file not found: {path}")
    raw = _read_csv(path)
    if raw.empty:
        raise ValueError(f"{path}: no data rows")
    findings: list[Finding] = []
    code_col = "VILLCODE" if "VILLCODE" in raw else "村里代碼" if "村里代碼" in raw else None
    if code_col is None:
        raise ValueError(f"{path}: no village code column; expected 村里代碼 (TTTTTTTT-NNN) "
                         f"or VILLCODE (11 digits), found {list(raw.columns)}")
    codes = raw[code_col].map(normalize_villcode)
    for i in np.flatnonzero(codes.isna()):
        findings.append(Finding(str(path), int(i) + 1, code_col, raw[code_col].iat[i],
                                "a village code like 68000010-001 or 68000010001", "error",
                                "bad_code", "population"))
    keep = codes.fillna("").str.startswith(TAOYUAN_PREFIX) | codes.isna()
    raw, codes = raw[keep], codes[keep]
    rows = pd.DataFrame(index=raw.index)
    rows["VILLCODE"] = codes
    rows["file_row"] = raw.index + 1
    rows["TOWNCODE"] = codes.str[:8]
    area = raw["區域"] if "區域" in raw else raw.get("district", pd.Series("", index=raw.index))
    rows["district"] = area.astype(str).str.replace("桃園市", "", regex=False)
    rows["village"] = raw["村里"] if "村里" in raw else raw.get("village", "")
    missing: list[str] = []
    for out, headers in COLUMNS.items():
        src = next((h for h in headers if h in raw), None)
        blank = src is None or (raw[src].str.strip() == "").all()
        if blank:
            if out not in OPTIONAL_COLUMNS:
                missing.append(out)
            rows[out] = pd.array([pd.NA] * len(raw), dtype="Int64")
            continue
        text = raw[src].str.strip().str.replace(",", "", regex=False)
        values = pd.to_numeric(text, errors="coerce")
        bad = (values.isna() & (text != "")) | (values < 0) | (values % 1 != 0)
        for i in np.flatnonzero(bad.to_numpy()):
            findings.append(Finding(str(path), int(rows["file_row"].iat[i]), src, raw[src].iat[i],
                                    "a whole number >= 0", "error", "bad_count", "population"))
        values[bad] = np.nan
        rows[out] = values.astype("Int64")
    dup = rows["VILLCODE"].duplicated(keep=False) & rows["VILLCODE"].notna()
    for i in np.flatnonzero(dup.to_numpy()):
        findings.append(Finding(str(path), int(rows["file_row"].iat[i]), code_col,
                                raw[code_col].iat[i], "each village code once", "error",
                                "duplicate_code", "population"))
    total = int(rows.loc[~dup, "population"].sum())
    month = _month(raw)
    report = PopulationReport(str(path), month, len(rows), total, missing,
                              pd.DataFrame(), [], pd.DataFrame(), findings,
                              files=[str(path)], vintage=month)
    report.findings += check_population(rows, file=str(path))
    bad = [f for f in findings if f.code == "bad_count"]
    if bad:  # a count that is not a number would silently count as nobody
        from geo.quality import InputError
        raise InputError(str(path), code="bad_count", findings=bad,
                         problem=f"{len(bad)} count(s) that are not whole numbers >= 0",
                         expected="whole numbers >= 0 in every count column (人口, 戶數, "
                                  "age bands)")
    return rows.reset_index(drop=True), report


def find_population_file(data_dir: str | Path, name: str | None = None) -> Path:
    """The population file to use: ``name`` (a file under ``population/`` or a path), else
    the Taoyuan file with the newest 年月 in ``data_dir/population/``."""
    folder = Path(data_dir) / "population"
    if name:
        path = Path(name) if Path(name).is_file() else folder / name
        if not path.is_file():
            raise FileNotFoundError(f"population file not found: {name} (looked in {folder})")
        return path
    best: tuple[str, Path] | None = None
    for path in sorted(folder.glob("*.csv")):
        head = _read_csv(path).head(50)
        code_col = "VILLCODE" if "VILLCODE" in head else "村里代碼" if "村里代碼" in head else None
        if code_col is None:
            continue
        codes = head[code_col].map(normalize_villcode).dropna()
        if not codes.str.startswith(TAOYUAN_PREFIX).any():
            full = _read_csv(path)  # all-Taiwan files: Taoyuan rows come later
            codes = full[code_col].map(normalize_villcode).dropna()
            if not codes.str.startswith(TAOYUAN_PREFIX).any():
                continue
            head = full
        month = _month(head)
        if best is None or month > best[0]:
            best = (month, path)
    if best is None:
        raise FileNotFoundError(
            f"no Taoyuan population file (ODRP014 layout, 村里代碼 68000…) in {folder}")
    return best[1]


def join_population(villages: gpd.GeoDataFrame, rows: pd.DataFrame, report: PopulationReport,
                    *, boundaries: str | None = None
                    ) -> tuple[gpd.GeoDataFrame, PopulationReport]:
    """Attach counts to ``villages`` (index VILLCODE); fill the report's unmatched codes,
    villages without population and district totals (boundary villages + unmatched).
    ``boundaries`` names the boundary set (for the report and its messages)."""
    report.boundaries = boundaries or report.boundaries
    layer = boundary_label(report.boundaries) if report.boundaries else "the boundary layer"
    valid = rows.dropna(subset=["VILLCODE"]).drop_duplicates("VILLCODE", keep="first")
    valid = valid.set_index("VILLCODE")
    out = villages.join(valid[COUNT_COLUMNS], how="left")
    unmatched = valid.loc[~valid.index.isin(villages.index)]
    report.unmatched = (unmatched.reset_index()
                        [["VILLCODE", "TOWNCODE", "district", "village", "population", "file_row"]])
    for _, u in report.unmatched.iterrows():
        report.findings.append(Finding(
            report.file, int(u["file_row"]), "村里代碼", u["VILLCODE"],
            f"a village of {layer}; kept in the district total "
            f"of {u['district']} ({u['population']} residents), no polygon", "warning",
            "code_not_in_boundaries", "population"))
    no_pop = out.index[out["population"].isna()].tolist()
    report.villages_without_population = no_pop
    for code in no_pop:
        report.findings.append(Finding(report.file, None, "VILLCODE", code,
                                       "population for every boundary village", "warning",
                                       "village_without_population", "population"))
    in_bounds = out.groupby("TOWNCODE")[COUNT_COLUMNS].sum(min_count=1)
    extra = unmatched.groupby("TOWNCODE")[COUNT_COLUMNS].sum(min_count=1)
    totals = in_bounds.add(extra, fill_value=0).astype("Int64")
    totals.insert(0, "unmatched_population",
                  extra["population"].reindex(totals.index).fillna(0).astype("Int64"))
    names = villages.groupby("TOWNCODE")["district"].first()
    totals.insert(0, "district", names.reindex(totals.index))
    missing_cols = [c for c in report.missing_columns]
    for c in missing_cols:
        totals[c] = pd.NA
    report.district_totals = totals
    return out, report


def _check_vintage(vintage: str | None) -> str:
    key = DEFAULT_VINTAGE if vintage is None else str(vintage)
    if key not in POPULATION_VINTAGES:
        raise ValueError(f"unknown population vintage {vintage!r}; known: "
                         + ", ".join(POPULATION_VINTAGES) + " (geo/cities/*.toml [vintages])")
    return key


def _merge(rows: pd.DataFrame, more: pd.DataFrame,
           path: Path) -> tuple[pd.DataFrame, list[Finding]]:
    """Fill ``rows``' empty count columns from ``more`` (same month, another layout), by
    VILLCODE; where both files give a count they must agree (else an error finding)."""
    findings: list[Finding] = []
    more = more.dropna(subset=["VILLCODE"]).drop_duplicates("VILLCODE").set_index("VILLCODE")
    codes = rows["VILLCODE"]
    for code in sorted(set(more.index) - set(codes.dropna())):
        findings.append(Finding(str(path), int(more.at[code, "file_row"]), "VILLCODE", code,
                                "a village code of the first file of the vintage", "error",
                                "code_not_in_first_file", "population"))
    for col in COUNT_COLUMNS:
        other = more[col].reindex(codes).to_numpy()
        mine = rows[col]
        if mine.isna().all():
            rows[col] = pd.array(other, dtype="Int64")
            continue
        both = mine.notna().to_numpy() & pd.notna(other)
        for i in np.flatnonzero(both & (mine.to_numpy(dtype=float, na_value=np.nan)
                                        != np.asarray(other, dtype=float))):
            findings.append(Finding(str(path), int(more.at[codes.iat[i], "file_row"]), col,
                                    other[i], f"{mine.iat[i]} as in the vintage's first file",
                                    "error", "files_disagree", "population"))
    return rows, findings


def read_vintage(data_dir: str | Path, vintage: str | None = None
                 ) -> tuple[pd.DataFrame, PopulationReport]:
    """Read a registered population vintage (default: the newest, ``[vintages].default``)
    from ``data_dir``: its files merged by village code, as :func:`read_population`.
    A missing file raises ``FileNotFoundError`` naming it."""
    key = _check_vintage(vintage)
    paths = [Path(data_dir) / f for f in POPULATION_VINTAGES[key]["files"]]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"population file of vintage {key} not found: {path}")
    rows, report = read_population(paths[0])
    for path in paths[1:]:
        more, extra = read_population(path)
        rows, found = _merge(rows, more, path)
        report.findings += extra.findings + found
    report.missing_columns = [c for c in report.missing_columns if rows[c].isna().all()]
    report.files, report.vintage = [str(p) for p in paths], key
    return rows, report


def choose_boundaries(codes: pd.Series | list[str]) -> str:
    """The boundary set whose village codes match ``codes`` best (fewest codes without a
    polygon plus polygons without a code; ties go to the default set)."""
    codes = set(pd.Series(list(codes)).dropna().astype(str))
    order = [DEFAULT_BOUNDARIES] + [b for b in BOUNDARY_SETS if b != DEFAULT_BOUNDARIES]
    return min(order, key=lambda b: len(codes ^ set(load_villages(vintage=b).index)))


def load_village_table(data_dir: str | Path | None = None, *, vintage: str | None = None,
                       population_file: str | Path | None = None,
                       boundaries: str | None = None, place_on_builtup: bool = True
                       ) -> tuple[gpd.GeoDataFrame, PopulationReport | None]:
    """Villages (index VILLCODE, EPSG:4326) with population, households, male, female and
    the age groups (Int64 persons; NA where the release lacks them) and the join report.

    With a data directory holding the built-up layer (and ``place_on_builtup``), each
    village also gets its demand point on built-up land (:mod:`geo.demand`: demand_x,
    demand_y, demand_point_source, settled_geometry, builtup_m2, demand_snapped).

    ``population_file`` (a path, or a name under ``data_dir/population/``) is joined to the
    boundary set whose codes match it best, unless ``boundaries`` names one. Otherwise the
    registered ``vintage`` (default ``[vintages].default``, 2025-12) is read from
    ``data_dir`` on its own boundary set; when the default vintage's files are absent, the
    newest file under ``data_dir/population/`` is used. Without a data directory (and no
    file) the boundaries come back with NA counts and report ``None``: callers say what is
    missing (geo.paths.missing_data_help).
    """
    if population_file is None and data_dir is None:
        if boundaries is None and POPULATION_VINTAGES:
            boundaries = POPULATION_VINTAGES[_check_vintage(vintage)]["boundaries"]
        out = load_villages(vintage=boundaries).copy()
        for c in COUNT_COLUMNS:
            out[c] = pd.array([pd.NA] * len(out), dtype="Int64")
        return out, None
    if population_file is None and (vintage is not None or _vintage_files_exist(data_dir)):
        rows, report = read_vintage(data_dir, vintage)
        boundaries = boundaries or POPULATION_VINTAGES[report.vintage]["boundaries"]
    else:
        path = (find_population_file(data_dir, population_file) if data_dir is not None
                else Path(population_file))
        rows, report = read_population(path)
        boundaries = boundaries or choose_boundaries(rows["VILLCODE"])
    villages, report = join_population(load_villages(vintage=boundaries), rows, report,
                                       boundaries=boundaries)
    if place_on_builtup and data_dir is not None and builtup_files(data_dir):
        villages = attach_demand_points(villages, data_dir)
    return villages, report


def _vintage_files_exist(data_dir: str | Path) -> bool:
    entry = POPULATION_VINTAGES.get(DEFAULT_VINTAGE or "", {})
    return bool(entry) and all((Path(data_dir) / f).is_file() for f in entry["files"])
