"""Service types (one registry, stable ids) and the site table.

Site table (GeoDataFrame, EPSG:4326, one row per site): site_id, type, name, district,
address, status (open/planned/closed), capacity (float, NaN = unknown), source,
located_by, precision, geometry.

``located_by`` says how the point was found: "coordinates" (given in the file),
"village" (the demand point of the 里 its address or a column names), "geocoder" (an
online geocoder), "hand" (placed by the planner) or "" (unlocated: listed with its
address, empty geometry). ``precision``: "exact" (as given), "village", "geocoder",
"hand" or "". Unlocated sites count as "listed, not located" in :func:`completeness` and
never enter coverage (:func:`select_located`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import MAP_CRS
from geo.city import city
from geo.quality import Finding, normalize_name

STATUSES = ("open", "planned", "closed")
SITE_COLUMNS = ["site_id", "type", "name", "district", "address", "status", "capacity",
                "source", "located_by", "precision", "geometry"]
LOCATED_BY = ("coordinates", "village", "geocoder", "hand", "")
PRECISIONS = ("exact", "village", "geocoder", "hand", "")


@dataclass(frozen=True)
class ServiceType:
    """A kind of service point with its official count from the city's documents."""

    id: str
    name_zh: str
    name_en: str
    official_count: int
    official_note: str  # what the count means and where it is from
    history: dict[int, int] = field(default_factory=dict)  # year -> count, when known
    icon: str = "info-sign"  # Font Awesome / glyphicon name for maps
    color: str = "blue"  # folium marker colour


def _type(type_id: str, name_zh: str, name_en: str, *, icon: str, color: str) -> ServiceType:
    """A registry entry with the active city's official count (geo/cities/<city>.toml)."""
    official = city().official_count(type_id)
    return ServiceType(type_id, name_zh, name_en,
                       official.count if official else 0,
                       official.note if official else "no official count in the city profile",
                       dict(official.history) if official else {}, icon=icon, color=color)


SERVICE_TYPES: dict[str, ServiceType] = {t.id: t for t in (
    _type("family_service_centre", "家庭服務中心", "Family service centre",
          icon="home", color="red"),
    _type("community_support_site", "兒少及家庭社區支持服務據點（小衛星）",
          "Community child & family support site (小衛星)", icon="star", color="orange"),
    _type("mental_health_centre", "社區心理衛生中心", "Community mental-health centre",
          icon="plus-sign", color="green"),
    _type("employment_desk", "就業服務臺", "Employment service desk",
          icon="briefcase", color="purple"),
    _type("employment_centre", "就業中心", "Employment centre",
          icon="briefcase", color="darkpurple"),
    _type("indigenous_family_centre", "原住民族家庭服務中心", "Indigenous family service centre",
          icon="home", color="darkred"),
    _type("immigrant_family_centre", "新住民家庭服務中心", "New-immigrant family service centre",
          icon="home", color="cadetblue"),
    _type("counselling_point", "免付費心理諮詢面談服務據點", "Free counselling point",
          icon="comment", color="lightgreen"),
    _type("psychiatric_collab_site", "精神障礙者協作模式服務據點",
          "Psychiatric-disability collaborative site", icon="user", color="darkgreen"),
)}


def service_type(type_id: str) -> ServiceType:
    """Look up a service type by id; unknown ids raise with the list of valid ones."""
    try:
        return SERVICE_TYPES[type_id]
    except KeyError:
        raise KeyError(f"unknown service type {type_id!r}; valid ids: "
                       + ", ".join(SERVICE_TYPES)) from None


def match_service_type(text: object) -> str | None:
    """Service-type id from an id, zh-TW or English name (normalised), else None."""
    key = normalize_name(text).lower()
    if not key:
        return None
    for t in SERVICE_TYPES.values():
        names = {t.id, t.name_zh, t.name_en, t.name_zh.split("（")[0]}
        if "小衛星" in t.name_zh:
            names.add("小衛星")
        if key in {normalize_name(n).lower() for n in names}:
            return t.id
    return None


def resolve_service_type(text: object, *, name: str = "service type") -> str:
    """The type id named by ``text`` (an id, zh-TW or English name); ``ValueError`` naming
    the argument, the value and every valid id otherwise. The one resolver for the CLI, the
    app, the reports and file imports."""
    type_id = match_service_type(text)
    if type_id is None:
        raise ValueError(f"{name}: unknown service type {text!r}; expected one of: "
                         + ", ".join(f"{t.id} ({t.name_zh})" for t in SERVICE_TYPES.values()))
    return type_id


def empty_sites() -> gpd.GeoDataFrame:
    """An empty site table with the standard columns."""
    return gpd.GeoDataFrame({c: pd.Series(dtype="float64" if c == "capacity" else "object")
                             for c in SITE_COLUMNS if c != "geometry"},
                            geometry=gpd.GeoSeries([], crs=MAP_CRS), crs=MAP_CRS)


def _floats(values: object) -> np.ndarray:
    try:
        return np.array(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce") \
            .to_numpy(float)


def points(lon: object, lat: object) -> np.ndarray:
    """Shapely points from lon/lat arrays (EPSG:4326); an empty point where either is
    missing (None / NaN)."""
    lon, lat = _floats(lon), _floats(lat)
    out = shapely.points(np.column_stack([lon, lat])) if len(lon) else np.array([], object)
    missing = np.isnan(lon) | np.isnan(lat)
    if missing.any():
        out[missing] = shapely.Point()
    return out


def sites_from_frame(frame: pd.DataFrame, lon: object, lat: object) -> gpd.GeoDataFrame:
    """A site table from a frame with (some of) SITE_COLUMNS and lon/lat arrays in
    EPSG:4326 (NaN: unlocated). Missing columns are blank; ``located_by`` / ``precision``
    default to "coordinates" / "exact" where a point is given and "" where not."""
    df = pd.DataFrame(frame).reset_index(drop=True)
    geom = points(lon, lat)
    located = ~shapely.is_empty(geom) if len(geom) else np.array([], bool)
    for col in SITE_COLUMNS:
        if col not in df and col != "geometry":
            df[col] = None
    df["located_by"] = df["located_by"].where(df["located_by"].notna(),
                                              np.where(located, "coordinates", ""))
    df["precision"] = df["precision"].where(df["precision"].notna(),
                                            np.where(located, "exact", ""))
    df["capacity"] = pd.to_numeric(df["capacity"], errors="raise").astype("float64")
    return gpd.GeoDataFrame(df[[c for c in SITE_COLUMNS if c != "geometry"]].astype(
        {c: object for c in SITE_COLUMNS if c not in ("capacity", "geometry")}),
        geometry=gpd.GeoSeries(geom, crs=MAP_CRS), crs=MAP_CRS)


def make_sites(records: list[dict]) -> gpd.GeoDataFrame:
    """Build a site table from dicts with keys of SITE_COLUMNS plus lon/lat (None or
    missing: an unlocated site with empty geometry)."""
    if not records:
        return empty_sites()
    df = pd.DataFrame(records)
    lon = df.pop("lon") if "lon" in df else pd.Series([None] * len(df))
    lat = df.pop("lat") if "lat" in df else pd.Series([None] * len(df))
    return sites_from_frame(df, lon.to_numpy(object), lat.to_numpy(object))


def is_located(sites: gpd.GeoDataFrame) -> pd.Series:
    """True for sites with a point (not missing, not empty)."""
    geom = sites.geometry
    return ~(geom.isna() | geom.is_empty)


def select_located(sites: gpd.GeoDataFrame, type_id: str | None = None, *,
                   include_planned: bool = False) -> tuple[gpd.GeoDataFrame, int]:
    """The sites that can enter coverage: of ``type_id`` (all types when None), status
    open (and planned if asked), with a point. Returns them (table order) and how many
    otherwise selected sites were left out for having no location."""
    ok = ("open", "planned") if include_planned else ("open",)
    chosen = sites[sites["status"].isin(ok)]
    if type_id is not None:
        chosen = chosen[chosen["type"] == type_id]
    located = is_located(chosen)
    return chosen[located], int((~located).sum())


# --- default data set ---------------------------------------------------------------

_DEFAULT_LAYERS = {t: tuple(v) for t, v in city().files["services"].items()}
_SEED_ROW = re.compile(r"^(\S+)\t(\S+家庭服務中心)\t([^\t]+)\t")


def read_seed_addresses(seeds_dir: Path) -> tuple[pd.DataFrame, Path | None]:
    """The family-service-centre address table of the city's 2023-03 report
    (``seeds/003_*.txt``): columns label, name, address, row (1-based line number).
    Empty when the seed file is absent."""
    files = sorted(Path(seeds_dir).glob("003_*.txt")) if Path(seeds_dir).is_dir() else []
    rows = []
    for path in files:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = _SEED_ROW.match(line)
            if m:
                rows.append({"label": m[1], "name": m[2], "address": m[3].strip(), "row": lineno})
        return pd.DataFrame(rows, columns=["label", "name", "address", "row"]), path
    return pd.DataFrame(columns=["label", "name", "address", "row"]), None


def load_default_sites(data_dir: Path | None) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """The default site layers from ``data_dir/services`` (15 家庭服務中心, 2 社區心理衛生中心),
    with street addresses attached from the seed table where the names match.

    Returns the site table and findings (missing files, unmatched seed rows). Address
    plausibility checks live in :mod:`geo.checks`.
    """
    findings: list[Finding] = []
    records: list[dict] = []
    if data_dir is None:
        return empty_sites(), findings
    for type_id, (rel, prefix) in _DEFAULT_LAYERS.items():
        path = Path(data_dir) / rel
        if not path.exists():
            findings.append(Finding(str(path), None, "file", path.name,
                                    f"the default {type_id} layer at {rel}", "warning",
                                    "missing_file", type_id))
            continue
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        for i, feat in enumerate(features, 1):
            props = feat["properties"]
            lon, lat = feat["geometry"]["coordinates"][:2]
            district = props.get("service_area") or _district_from_address(props.get("address"))
            records.append({
                "site_id": f"{prefix}-{i:03d}", "type": type_id, "name": props["name"],
                "district": district, "address": props.get("address"), "status": "open",
                "capacity": None, "source": f"{rel}#{i}", "located_by": "coordinates",
                "precision": "exact", "lon": lon, "lat": lat,
                "_file": str(path), "_row": i})
    sites = make_sites([{k: v for k, v in r.items() if not k.startswith("_")} for r in records])
    seeds_dir = Path(data_dir).parent / "seeds"
    seed, seed_path = read_seed_addresses(seeds_dir)
    if seed_path is not None:
        by_name = {normalize_name(n): i for i, n in zip(sites.index, sites["name"])}
        for _, srow in seed.iterrows():
            idx = by_name.get(normalize_name(srow["name"]))
            if idx is None:
                findings.append(Finding(str(seed_path), int(srow["row"]), "name", srow["name"],
                                        "a site of the default layers with this name",
                                        "info", "seed_unmatched", "family_service_centre"))
                continue
            if pd.isna(sites.at[idx, "address"]) or not sites.at[idx, "address"]:
                sites.at[idx, "address"] = srow["address"]
                sites.at[idx, "source"] += f"; address: {seed_path.name} line {srow['row']}"
    return sites, findings


# A district name in an address: CJK characters only (so markup or digits before 區 are not
# taken), optionally after 桃園市. Pre-2014 addresses (桃園縣中壢市, 桃園縣龍潭鄉) name the
# same areas as 市/鎮/鄉; they map to today's 區.
# A district is written at the start of the address, after a postal code or other non-CJK
# text, or right after a city or county name (桃園市八德區…, 臺中市西屯區…), so the name of a
# city is never read into the district.
_ADDR_DISTRICT = re.compile(r"(?:^|[^\u4e00-\u9fff]|[市縣])([\u4e00-\u9fff]{1,3}?區)")
_OLD_COUNTY = re.compile(r"桃園縣([\u4e00-\u9fff]{2})[市鎮鄉]")


def _district_from_address(address: object) -> str | None:
    text = normalize_name(address) if address else ""
    old = _OLD_COUNTY.search(text)
    if old:
        return old[1] + "區"
    m = _ADDR_DISTRICT.search(text)
    return m[1] if m else None


def district_from_address(address: object) -> str | None:
    """The district written in an address (e.g. 桃園市八德區豐田二路23號 → 八德區), or None."""
    return _district_from_address(address)


def districts_from_addresses(addresses: pd.Series) -> pd.Series:
    """:func:`district_from_address` of every address, vectorised (pyarrow string kernels):
    the district written in each (None where none or no address), same index."""
    text = pd.Series([v if isinstance(v, str) else "" for v in addresses.to_numpy(object)],
                     dtype="str")
    text = (text.str.normalize("NFKC").str.replace("台", "臺", regex=False)
            .str.replace(r"\s+", "", regex=True))
    old = text.str.extract(_OLD_COUNTY.pattern, expand=False)
    new = text.str.extract(_ADDR_DISTRICT.pattern, expand=False)
    found = (old + "區").where(old.notna(), new)
    return pd.Series(found.to_numpy(object), index=addresses.index, dtype=object).where(
        found.notna().to_numpy(), None)


def completeness(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per service type (index: type id): official count; sites ``listed`` (open +
    planned, located or not), of which ``located`` (with a point) and ``unlocated``
    ("listed, not located": known by address, not yet placed); ``open`` / ``planned`` /
    ``closed`` (all listed); ``share_listed`` / ``share_located`` of the official count;
    ``complete`` when the listed sites reach the official count. Types with no sites
    show 0."""
    rows = []
    has_point = is_located(sites) if len(sites) else pd.Series(dtype=bool)
    for t in SERVICE_TYPES.values():
        mine = (sites["type"] == t.id) if len(sites) else pd.Series(dtype=bool)
        status = sites.loc[mine, "status"] if len(sites) else pd.Series(dtype=object)
        n_open, n_planned = int((status == "open").sum()), int((status == "planned").sum())
        n_closed = int((status == "closed").sum())
        listed = n_open + n_planned
        located = int((status.isin(("open", "planned")) & has_point[mine]).sum()) \
            if len(status) else 0
        share = (lambda n: n / t.official_count if t.official_count else None)
        rows.append({"type": t.id, "name_zh": t.name_zh, "name_en": t.name_en,
                     "official_count": t.official_count, "listed": listed,
                     "located": located, "unlocated": listed - located, "open": n_open,
                     "planned": n_planned, "closed": n_closed,
                     "share_listed": share(listed), "share_located": share(located),
                     "complete": listed >= t.official_count, "official_note": t.official_note})
    return pd.DataFrame(rows).set_index("type")
