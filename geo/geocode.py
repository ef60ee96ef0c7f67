"""Placing unlocated sites (listed with an address but no coordinates).

(a) :func:`place_at_villages`: when the address or a 村里 column names the village (里),
the site goes to that village's demand point (``demand_x`` / ``demand_y`` in EPSG:3826
when the village table has them, else a point on the village's surface computed in
EPSG:3826), with ``located_by`` = ``precision`` = "village". A 里 name used in several
districts is reported as ambiguous, never guessed.

(c) :func:`geocode_sites`: an optional online geocoder (geopy; off unless the caller
passes one, e.g. :func:`nominatim`). Results are cached on disk outside the project
(:func:`default_cache_path`), every use is reported as a finding, and points outside the
city are not used. Tests pass a fake geocoder object; nothing here goes online by itself.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from common.files import atomic_write
from geo import MAP_CRS, METRIC_CRS
from geo.boundaries import load_villages
from geo.city import city
from geo.quality import Finding, normalize_name
from geo.services import is_located

__all__ = ["village_points", "find_village", "place_at_villages", "geocode_sites",
           "nominatim", "default_cache_path", "geocoder_name"]

_ROW = re.compile(r"#(\d+)")


def village_points(villages: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per village (index as given, e.g. VILLCODE): district, village, and its demand
    point as x / y (EPSG:3826 metres) and lon / lat (EPSG:4326)."""
    if {"demand_x", "demand_y"} <= set(villages.columns):
        x = villages["demand_x"].to_numpy(float)
        y = villages["demand_y"].to_numpy(float)
    else:
        pts = villages.geometry.to_crs(METRIC_CRS).representative_point()
        x, y = pts.x.to_numpy(float), pts.y.to_numpy(float)
    lonlat = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=METRIC_CRS).to_crs(MAP_CRS)
    return pd.DataFrame({"district": villages["district"].to_numpy(object),
                         "village": villages["village"].to_numpy(object), "x": x, "y": y,
                         "lon": lonlat.x.to_numpy(), "lat": lonlat.y.to_numpy()},
                        index=villages.index)


@lru_cache(maxsize=1)
def _default_points() -> pd.DataFrame:
    """Demand points of the default (committed) village boundaries, computed once."""
    return village_points(load_villages())


def _prefix_pattern(points: pd.DataFrame) -> re.Pattern:
    """Postal code, city (or the pre-2014 county) and district at the start of a text."""
    stems = sorted({normalize_name(d).removesuffix("區") for d in points["district"]},
                   key=len, reverse=True)
    name = normalize_name(city().name_zh)
    county = name[:-1] + "縣" if name.endswith("市") else name
    return re.compile(rf"^\d{{0,6}}(?:臺灣省)?(?:{re.escape(name)}|{re.escape(county)})?"
                      rf"(?:({'|'.join(map(re.escape, stems))})[區市鎮鄉])?")


def _index(points: pd.DataFrame) -> dict[str, list[tuple[object, str]]]:
    """Normalised village name -> [(code, district stem)]."""
    out: dict[str, list[tuple[object, str]]] = {}
    for code, d, v in zip(points.index, points["district"], points["village"]):
        out.setdefault(normalize_name(v), []).append(
            (code, normalize_name(d).removesuffix("區")))
    return out


def find_village(text: object, points: pd.DataFrame, *, district: str | None = None,
                 pattern: re.Pattern | None = None,
                 index: dict[str, list[tuple[object, str]]] | None = None
                 ) -> tuple[list, str]:
    """Villages a text (an address or a 村里 cell) names: ``(codes, name)``. The village
    must follow the city / district at the start (「中壢區中央里…」, 「中央里…」, or just
    「中央」 in a 村里 cell); ``district`` (else the district in the text) narrows the
    search. Several codes: the name is ambiguous; none with a name: no such village; none
    and no name: the text names no village."""
    s = normalize_name(text)
    if not s:
        return [], ""
    m = (pattern or _prefix_pattern(points)).match(s)
    rest = s[m.end():] if m else s
    want = normalize_name(district).removesuffix("區") if district else (
        m.group(1) if m and m.group(1) else None)
    index = _index(points) if index is None else index
    for length in range(min(len(rest), 6), 1, -1):
        head = rest[:length]
        if head[-1] in "里村":
            names = [head]
        elif length == len(rest):
            names = [head + "里", head + "村"]
        else:
            continue
        hits = [code for n in names for code, d in index.get(n, ()) if not want or d == want]
        if hits:
            return hits, head
    named = re.match(r"^([\u4e00-\u9fff]{1,4}?[里村])", rest)
    return [], named.group(1) if named else ""


def _row(source: object) -> int | None:
    m = _ROW.search(str(source))
    return int(m.group(1)) if m else None


def place_at_villages(sites: gpd.GeoDataFrame, villages: gpd.GeoDataFrame | None = None, *,
                      village_text: pd.Series | None = None, village_field: str = "村里",
                      file: str | None = None) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Put unlocated sites at the demand point of the village their 村里 cell
    (``village_text``, aligned with ``sites`` by position) or their address names.

    ``villages``: village table with district, village, geometry (and optionally
    demand_x / demand_y in EPSG:3826); default the committed boundaries. Returns a copy of
    ``sites`` with those sites placed (located_by = precision = "village", a blank
    district filled) and findings: info ``placed_at_village`` for each placed site,
    warnings ``ambiguous_village`` (same 里 name in several districts: not placed) and
    ``unknown_village`` (a 里 name that is not a village of the city).
    """
    sites = sites.copy()
    todo = np.flatnonzero(~is_located(sites).to_numpy())
    if not len(todo):
        return sites, []
    points = _default_points() if villages is None else village_points(villages)
    pattern, index = _prefix_pattern(points), _index(points)
    findings: list[Finding] = []
    geoms = sites.geometry.to_numpy().copy()
    placed: list[tuple[int, float, float]] = []
    cols = {c: sites[c].tolist() for c in ("source", "district", "address", "type",
                                           "located_by", "precision")}
    cells = village_text.tolist() if village_text is not None else [""] * len(sites)
    for k in todo:
        source = str(cols["source"][k])
        where = (file or source.split("#")[0], _row(source))
        district = cols["district"][k] if isinstance(cols["district"][k], str) else None
        codes, name, field = [], "", village_field
        for field, text in ((village_field, cells[k]), ("address", cols["address"][k])):
            codes, name = find_village(text, points, district=district, pattern=pattern,
                                       index=index)
            if codes or name:
                break
        if not name:
            continue
        layer = str(cols["type"][k] or "")
        if len(codes) != 1:
            options = "; ".join(f"{points.at[c, 'district']}{points.at[c, 'village']}"
                                for c in codes)
            findings.append(Finding(*where, field, name, (
                f"a village name with its district (「{name}」 is in several districts: "
                f"{options}); add the district, or place the site by hand") if codes else (
                f"a village (里) of {city().name_zh}" + (f" in {district}" if district else "")
                + "; the site stays unlocated"), "warning",
                "ambiguous_village" if codes else "unknown_village", layer))
            continue
        p = points.loc[codes[0]]
        placed.append((k, p["lon"], p["lat"]))
        cols["located_by"][k] = cols["precision"][k] = "village"
        cols["district"][k] = district or p["district"]
        findings.append(Finding(*where, field, name, f"placed at the demand point of "
                                f"{p['district']}{p['village']} ({codes[0]}); precision: "
                                "village, not the street address", "info",
                                "placed_at_village", layer))
    if placed:
        ks, lon, lat = (np.array(v) for v in zip(*placed))
        geoms[ks.astype(int)] = shapely.points(lon.astype(float), lat.astype(float))
    for c in ("located_by", "precision", "district"):
        sites[c] = pd.Series(cols[c], index=sites.index, dtype=object)
    sites = sites.set_geometry(gpd.GeoSeries(geoms, index=sites.index, crs=MAP_CRS))
    return sites, findings


# --- (c) optional online geocoder --------------------------------------------------------

def default_cache_path() -> Path:
    """Where geocoder results are cached: the user's cache directory (never the repo)."""
    import platformdirs
    return Path(platformdirs.user_cache_dir("safetynet")) / "geocode.json"


def nominatim(user_agent: str = "safetynet-coverage-analyser", *, timeout_s: float = 10.0):
    """The OpenStreetMap Nominatim geocoder (geopy), limited to one query a second as its
    usage policy asks. Only built when a user asks for geocoding (e.g. --geocode)."""
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim
    service = Nominatim(user_agent=user_agent, timeout=timeout_s)
    limited = RateLimiter(service.geocode, min_delay_seconds=1.0, max_retries=1,
                          swallow_exceptions=False)
    limited.name = "OpenStreetMap Nominatim"
    return limited


def geocoder_name(geocoder: object) -> str:
    """A name for the geocoder in findings and reports."""
    return str(getattr(geocoder, "name", None) or type(geocoder).__name__)


def _load_cache(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _lookup(geocoder, query: str) -> tuple[float, float] | None:
    call = getattr(geocoder, "geocode", geocoder)
    loc = call(query)
    if loc is None:
        return None
    return float(loc.longitude), float(loc.latitude)


def geocode_sites(sites: gpd.GeoDataFrame, *, geocoder, cache_path: str | Path | None = None,
                  file: str | None = None) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Geocode the addresses of unlocated sites with ``geocoder`` (an object with geopy's
    ``geocode(query)`` returning something with ``longitude`` / ``latitude``, or None).

    Queries are the address, prefixed with the city's name when it lacks it; results
    (found or not) are cached in ``cache_path`` (default :func:`default_cache_path`) and
    reused. A result outside the city's extent is not used. Returns a copy of ``sites``
    (placed rows: located_by = precision = "geocoder") and findings: info ``geocoded``
    per placed site (naming the geocoder), warnings ``geocode_not_found``,
    ``geocode_outside_city`` and ``geocoder_failed`` (the service failed: no more queries).
    """
    from geo.readers.crs import in_city
    sites = sites.copy()
    todo = [k for k in np.flatnonzero(~is_located(sites).to_numpy())
            if isinstance(sites["address"].iat[k], str) and sites["address"].iat[k].strip()]
    if not todo:
        return sites, []
    path = Path(cache_path) if cache_path is not None else default_cache_path()
    cache = _load_cache(path)
    name, town = geocoder_name(geocoder), city().name_zh
    findings: list[Finding] = []
    geoms = sites.geometry.to_numpy().copy()
    failed = False
    for k in todo:
        site = sites.iloc[k]
        where = (file or str(site["source"]).split("#")[0], _row(site["source"]))
        address = site["address"].strip()
        query = address if normalize_name(address).startswith(town) else town + address
        layer = str(site["type"] or "")
        if query not in cache and not failed:
            try:
                cache[query] = _lookup(geocoder, query)
            except Exception as exc:  # any service / network failure stops the geocoding
                failed = True
                findings.append(Finding(*where, "address", address, f"a working geocoder "
                                        f"({name} failed: {type(exc).__name__}: "
                                        f"{str(exc)[:120]}); the remaining sites stay "
                                        "unlocated", "warning", "geocoder_failed", layer))
        if query not in cache:
            continue
        hit = cache[query]
        if hit is None:
            findings.append(Finding(*where, "address", address, f"an address {name} can find; "
                                    "the site stays unlocated", "warning",
                                    "geocode_not_found", layer))
            continue
        lon, lat = float(hit[0]), float(hit[1])
        if not in_city(np.array([lon]), np.array([lat]))[0]:
            findings.append(Finding(*where, "address", address, f"a point in {town} ({name} "
                                    f"returned {lon:.6f}, {lat:.6f}); not used", "warning",
                                    "geocode_outside_city", layer))
            continue
        geoms[k] = gpd.points_from_xy([lon], [lat])[0]
        sites.iat[k, sites.columns.get_loc("located_by")] = "geocoder"
        sites.iat[k, sites.columns.get_loc("precision")] = "geocoder"
        findings.append(Finding(*where, "address", address, f"located by the online geocoder "
                                f"{name} at ({lon:.6f}, {lat:.6f}); precision: geocoder, "
                                "check it on the map", "info", "geocoded", layer))
    if path.parent.is_dir() or not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(cache, ensure_ascii=False, indent=0))
    sites = sites.set_geometry(gpd.GeoSeries(geoms, index=sites.index, crs=MAP_CRS))
    return sites, findings
