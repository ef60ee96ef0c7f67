"""Need indicators (demand beyond head counts) as layers with provenance, vintage and a join
report, on the villages of any boundary set.

- ``indigenous`` (village, 2021-06, keyed by 2021 codes): indigenous residents (persons),
  carried onto other boundary sets through :mod:`geo.crosswalk` (no person lost: the total
  is checked against the file's own sum); ``indigenous_per_1000`` = per 1,000 residents of
  the same file and month (o_cnt + non_o_cnt, carried the same way).
- ``low_income`` (district, 2021-06): low- and middle-low-income households and persons per
  district. District level only: never spread over villages. ``low_income_persons_per_1000``
  uses the district populations of the closest population vintage (2021-03) when given.
- ``income`` (village, FIA 2012-2018, keyed by district + village NAME): tax units and
  taxable income per tax unit (median, quartiles, mean; thousand NTD) of one year. Each
  district's 「其他」 row, names matching no village and villages without a row are listed;
  rows with 0 tax units carry no figure. Villages created after that year have no row (an
  income median cannot be split like a count; the parent's figure is not copied).

File names, vintages and official totals come from ``[files.demand.*]`` in the city profile.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.city import city
from geo.crosswalk import carry, village_crosswalk
from geo.quality import normalize_name

__all__ = ["Indicator", "indigenous_indicator", "low_income_indicator", "income_indicator",
           "load_indicators", "VILLAGE_COLUMNS"]

# columns load_indicators' callers may attach to the village table, by indicator
VILLAGE_COLUMNS = {"indigenous": ["indigenous", "indigenous_per_1000"],
                   "income": ["income_median"]}
OTHER = "其他"


@dataclass
class Indicator:
    """One need indicator: ``values`` indexed by VILLCODE (every village of the target set)
    or TOWNCODE; ``columns`` says what each column holds and in which unit; ``report`` is
    the join report (rows read, matched, unmatched, coverage of villages, totals, method)."""

    id: str
    label: str
    vintage: str
    level: str  # "village" or "district"
    file: str
    values: pd.DataFrame
    columns: dict[str, str]
    report: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Plain data for the CLI / reports (no values)."""
        return {"id": self.id, "label": self.label, "vintage": self.vintage,
                "level": self.level, "file": self.file, "columns": self.columns,
                **self.report}


def _entry(key: str, data_dir: str | Path) -> tuple[dict, Path]:
    entry = city().files["demand"][key]
    path = Path(data_dir) / entry["file"]
    if not path.is_file():
        raise FileNotFoundError(f"{key} indicator file not found: {path}")
    return entry, path


def _coverage(values: pd.Series) -> dict:
    return {"villages": int(len(values)), "villages_with_value": int(values.notna().sum()),
            "coverage": round(float(values.notna().mean()), 4) if len(values) else 0.0}


def indigenous_indicator(data_dir: str | Path, villages: pd.DataFrame, *,
                         boundaries: str) -> Indicator:
    """Indigenous residents per village of ``villages`` (boundary set ``boundaries``)."""
    entry, path = _entry("indigenous", data_dir)
    raw = pd.read_csv(path, dtype={"district_code": str})
    src = raw.set_index("district_code")
    counts = src[["o_cnt", "o1_cnt", "o2_cnt", "non_o_cnt"]].round().astype(np.int64)
    direct = int(counts["o_cnt"].sum())
    if boundaries == entry["boundaries"]:
        out, method = counts.reindex(villages.index).astype("Int64"), "direct join by VILLCODE"
    else:
        cw = village_crosswalk(data_dir, old=entry["boundaries"], new=boundaries)
        out = carry(counts, cw).reindex(villages.index)
        method = (f"carried {entry['boundaries']} -> {boundaries} with geo.crosswalk "
                  "(built-up weights, largest remainder)")
    values = pd.DataFrame({"indigenous": out["o_cnt"], "indigenous_plains": out["o1_cnt"],
                           "indigenous_mountain": out["o2_cnt"]}, index=villages.index)
    total = (out["o_cnt"] + out["non_o_cnt"]).astype(float)
    values["indigenous_per_1000"] = (1000 * out["o_cnt"].astype(float) / total).where(total > 0)
    carried = int(values["indigenous"].sum())
    report = {"rows": len(raw), "method": method, "total_in_file": direct,
              "total_on_villages": carried, "lost_or_invented": carried - direct,
              "official_total": entry.get("total"),
              "codes_not_in_boundaries": sorted(set(src.index) - set(villages.index))
              if boundaries == entry["boundaries"] else [],
              **_coverage(values["indigenous"])}
    return Indicator("indigenous", entry["label"], entry["vintage"], "village", str(path),
                     values, {"indigenous": "indigenous residents (persons)",
                              "indigenous_plains": "平地原住民 (persons)",
                              "indigenous_mountain": "山地原住民 (persons)",
                              "indigenous_per_1000": "indigenous residents per 1,000 residents "
                                                     "(same file and month)"}, report)


def low_income_indicator(data_dir: str | Path, *,
                         district_population: pd.Series | None = None,
                         population_vintage: str = "") -> Indicator:
    """Low- and middle-low-income households and persons per district (index TOWNCODE).
    ``district_population`` (TOWNCODE -> persons) adds low_income_persons_per_1000."""
    entry, path = _entry("low_income", data_dir)
    raw = pd.read_csv(path, dtype={"town_id": str}).set_index("town_id")
    raw.index.name = "TOWNCODE"
    names = {"rlh_cnt": "low_income_households", "rlp_cnt": "low_income_persons",
             "rlh2_cnt": "mid_low_income_households", "rlp2_cnt": "mid_low_income_persons"}
    values = raw[list(names)].rename(columns=names).round().astype("Int64")
    values.insert(0, "district", raw["countytown"].str.replace(city().name_zh, "", regex=False))
    columns = {v: k.replace("_", " ") + " (" + ("households" if "households" in v
                                                else "persons") + ")"
               for k, v in zip(["低收入戶", "低收入戶人口", "中低收入戶", "中低收入戶人口"],
                               names.values())}
    for rac in ("rlh_h_rac", "rlp_p_rac", "rlh2_h_rac", "rlp2_p_rac"):
        values[rac] = raw[rac]
        columns[rac] = "share as published by SEGIS (unit not documented there)"
    if district_population is not None:
        pop = district_population.reindex(values.index).astype(float)
        values["low_income_persons_per_1000"] = 1000 * values["low_income_persons"] / pop
        columns["low_income_persons_per_1000"] = (f"低收入戶人口 per 1,000 residents "
                                                  f"(population {population_vintage})")
    report = {"rows": len(raw), "method": "district level only (TOWNCODE = town_id); "
                                          "never spread over villages",
              "districts": int(len(values)),
              "totals": {c: int(values[c].sum()) for c in names.values()},
              "official": {"households": entry.get("households"),
                           "persons": entry.get("persons")}}
    return Indicator("low_income", entry["label"], entry["vintage"], "district", str(path),
                     values, columns, report)


def income_indicator(data_dir: str | Path, villages: pd.DataFrame, *,
                     year: int | None = None) -> Indicator:
    """Taxable income per tax unit per village of ``villages`` for ROC ``year`` (default:
    the newest in the file, 107 = 2018), joined by district + village name."""
    entry, path = _entry("income", data_dir)
    raw = pd.read_csv(path)
    year = int(raw["year"].max()) if year is None else int(year)
    if year not in set(raw["year"].astype(int)):
        raise ValueError(f"{path}: no rows for year {year}; years: "
                         f"{sorted(set(raw['year'].astype(int)))}")
    rows = raw[raw["year"].astype(int) == year].copy()
    rows["key"] = rows["town"].map(normalize_name) + "|" + rows["village"].map(normalize_name)
    keys = (villages["district"].map(normalize_name) + "|"
            + villages["village"].map(normalize_name))
    other = rows["village"] == OTHER
    unmatched = rows[~other & ~rows["key"].isin(set(keys))]
    usable = rows[~other & (rows["unit"] > 0)].drop_duplicates("key").set_index("key")
    cols = {"unit": "income_tax_units", "median": "income_median", "q1": "income_q1",
            "q3": "income_q3", "avg": "income_mean"}
    values = usable[list(cols)].rename(columns=cols).reindex(keys.to_numpy())
    values.index = villages.index
    report = {"rows": len(rows), "year": year, "year_ad": year + 1911,
              "method": "joined by district + village name (normalised: NFKC, 台→臺)",
              "other_rows": rows.loc[other, ["town", "unit", "median"]]
              .rename(columns={"town": "district"}).to_dict("records"),
              "unmatched_names": unmatched[["town", "village", "unit"]]
              .rename(columns={"town": "district"}).to_dict("records"),
              "zero_unit_rows": rows.loc[~other & (rows["unit"] <= 0), ["town", "village"]]
              .rename(columns={"town": "district"}).to_dict("records"),
              "villages_without_row": villages.index[values["income_median"].isna()].tolist(),
              **_coverage(values["income_median"])}
    unit = "thousand NTD per tax unit"
    return Indicator("income", entry["label"], f"{year + 1911} (ROC {year})", "village",
                     str(path), values,
                     {"income_tax_units": "tax units (households filing)",
                      "income_median": f"median taxable income, {unit}",
                      "income_q1": f"first quartile, {unit}",
                      "income_q3": f"third quartile, {unit}",
                      "income_mean": f"mean, {unit}"}, report)


def load_indicators(data_dir: str | Path, villages: pd.DataFrame, *, boundaries: str,
                    district_population: pd.Series | None = None,
                    population_vintage: str = "") -> tuple[dict[str, Indicator], list[str]]:
    """Every need indicator whose file is in ``data_dir`` and what could not be loaded."""
    out: dict[str, Indicator] = {}
    missing: list[str] = []
    loaders = {"indigenous": lambda: indigenous_indicator(data_dir, villages,
                                                          boundaries=boundaries),
               "low_income": lambda: low_income_indicator(
                   data_dir, district_population=district_population,
                   population_vintage=population_vintage),
               "income": lambda: income_indicator(data_dir, villages)}
    for key, load in loaders.items():
        try:
            out[key] = load()
        except FileNotFoundError as exc:
            missing.append(f"{key}: {exc}")
    return out, missing
