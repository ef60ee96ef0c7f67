"""Vendor the browser libraries folium's maps load (Leaflet, jQuery, Bootstrap,
Leaflet.awesome-markers, Font Awesome, glyphicons) under static/vendor/, so the app works
offline and behind a firewall: no request leaves the Streamlit server.

Each library is taken from its npm package, in the version folium 0.20 names in its CDN
URLs (folium.Map.default_js / default_css), with the package's licence file. Writes
static/vendor/manifest.json (folium resource name -> local path, read by ui/assets.py) and
static/vendor/VERSIONS.md.

Usage: .venv/bin/python scripts/vendor_leaflet.py   (needs `npm` and the npm registry)
"""
from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"

# npm spec -> (target dir, files to copy (globs relative to the package root))
PACKAGES: dict[str, tuple[str, list[str]]] = {
    "leaflet@1.9.3": ("leaflet@1.9.3", ["dist/leaflet.js", "dist/leaflet.css", "dist/images/*",
                                        "LICENSE"]),
    "jquery@3.7.1": ("jquery@3.7.1", ["dist/jquery.min.js", "LICENSE.txt"]),
    "bootstrap@5.2.2": ("bootstrap@5.2.2", ["dist/js/bootstrap.bundle.min.js",
                                            "dist/css/bootstrap.min.css", "LICENSE"]),
    # folium links bootstrap 3.0.0's bootstrap-glyphicons.css from netdna (not on npm); the
    # glyphicon rules and fonts are cut from the last Bootstrap 3 release instead.
    "bootstrap@3.4.1": ("glyphicons@3.4.1", ["fonts/glyphicons-halflings-regular.*", "LICENSE"]),
    # cdnjs "Leaflet.awesome-markers/2.0.2" is published on npm by its packager as
    # drmonty-leaflet-awesome-markers (MIT, see README.md/package.json; no LICENSE file).
    "drmonty-leaflet-awesome-markers@2.0.2": ("leaflet.awesome-markers@2.0.2", [
        "js/leaflet.awesome-markers.js", "css/leaflet.awesome-markers.css", "css/images/*",
        "README.md", "package.json"]),
    "@fortawesome/fontawesome-free@6.2.0": ("fontawesome-free@6.2.0", [
        "css/all.min.css", "webfonts/*", "LICENSE.txt"]),
}

# folium resource name -> path under static/ (served at /app/static/<path>)
MANIFEST = {
    "js": {
        "leaflet": "vendor/leaflet@1.9.3/dist/leaflet.js",
        "jquery": "vendor/jquery@3.7.1/dist/jquery.min.js",
        "bootstrap": "vendor/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
        "awesome_markers": "vendor/leaflet.awesome-markers@2.0.2/js/leaflet.awesome-markers.js",
    },
    "css": {
        "leaflet_css": "vendor/leaflet@1.9.3/dist/leaflet.css",
        "bootstrap_css": "vendor/bootstrap@5.2.2/dist/css/bootstrap.min.css",
        "glyphicons_css": "vendor/glyphicons@3.4.1/css/glyphicons.css",
        "awesome_markers_font_css": "vendor/fontawesome-free@6.2.0/css/all.min.css",
        "awesome_markers_css": "vendor/leaflet.awesome-markers@2.0.2/css/leaflet.awesome-markers.css",
        # awesome_rotate_css (folium's own 1-rule file for rotated icons, only on GitHub) is
        # left out: the app never rotates marker icons.
    },
}


def _npm_pack(spec: str, dest: Path) -> tuple[Path, dict]:
    out = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(dest)],
                         check=True, capture_output=True, text=True, cwd=dest).stdout
    info = json.loads(out[out.index("["):])[0]
    return dest / info["filename"], info


def _glyphicons_css(bootstrap_css: str) -> str:
    """The @font-face and .glyphicon rules of Bootstrap 3's CSS, nothing else."""
    face = re.search(r"@font-face\s*{[^}]*Glyphicons Halflings[^}]*}", bootstrap_css)
    rules = re.findall(r"\.glyphicon[^{]*{[^}]*}", bootstrap_css)
    if not face or len(rules) < 200:
        raise SystemExit("glyphicon rules not found in bootstrap 3 css")
    header = ("/* Glyphicons Halflings rules cut from Bootstrap v3.4.1 dist/css/bootstrap.css\n"
              " * (MIT, Copyright 2011-2019 Twitter, Inc.) by scripts/vendor_leaflet.py */\n")
    return header + face[0] + "\n" + "\n".join(rules) + "\n"


def vendor(dest: Path = VENDOR) -> list[dict]:
    """Download, extract and copy every package; return one record per package."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for spec, (target, globs) in PACKAGES.items():
            tgz, info = _npm_pack(spec, tmp)
            unpack = tmp / target
            with tarfile.open(tgz) as tar:
                tar.extractall(unpack, filter="data")
            pkg = unpack / "package"
            names = [p.relative_to(pkg).as_posix() for p in pkg.rglob("*") if p.is_file()]
            copied = []
            for pattern in globs:
                hits = sorted(n for n in names if fnmatch.fnmatch(n, pattern))
                if not hits:
                    raise SystemExit(f"{spec}: nothing matches {pattern}")
                for name in hits:
                    (dest / target / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(pkg / name, dest / target / name)
                    copied.append(name)
            if spec.startswith("bootstrap@3"):
                css = (pkg / "dist/css/bootstrap.css").read_text(encoding="utf-8")
                (dest / target / "css").mkdir(exist_ok=True)
                (dest / target / "css/glyphicons.css").write_text(_glyphicons_css(css),
                                                                  encoding="utf-8")
                copied.append("css/glyphicons.css (derived)")
            meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
            licence = meta.get("license") or ", ".join(
                x.get("type", "?") for x in meta.get("licenses", []))
            records.append({"spec": spec, "dir": target, "integrity": info.get("integrity"),
                            "license": licence, "files": copied})
    for kind in ("js", "css"):
        for name, rel in MANIFEST[kind].items():
            if not (dest.parent / rel).is_file():
                raise SystemExit(f"manifest {kind}:{name} -> missing {rel}")
    files = {p.relative_to(dest.parent).as_posix():
             hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(dest.rglob("*")) if p.is_file()}
    (dest / "manifest.json").write_text(json.dumps(
        {**MANIFEST, "packages": {r["spec"]: r["dir"] for r in records}, "sha256": files},
        indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _write_versions(dest, records)
    return records


def _write_versions(dest: Path, records: list[dict]) -> None:
    lines = ["# Vendored browser libraries", "",
             "Built by `scripts/vendor_leaflet.py` from the npm registry (`npm pack`); do not "
             "edit by hand. Versions are the ones folium 0.20 links from CDNs, so the maps "
             "render the same, but served by the app itself at `/app/static/vendor/...` "
             "(Streamlit `server.enableStaticServing`).", "",
             "| npm package | directory | licence | npm integrity |", "|---|---|---|---|"]
    for r in records:
        lines.append(f"| {r['spec']} | {r['dir']} | {r['license']} | `{r['integrity']}` |")
    lines += ["", "Notes:",
              "- glyphicons@3.4.1/css/glyphicons.css holds only the glyphicon rules cut from "
              "Bootstrap 3.4.1 (folium links bootstrap 3.0.0's bootstrap-glyphicons.css, which "
              "is not on npm).",
              "- leaflet.awesome-markers 2.0.2 comes from the npm package "
              "drmonty-leaflet-awesome-markers (the same release cdnjs serves; MIT per its "
              "package.json/README).",
              "- folium's leaflet.awesome.rotate.min.css is not vendored (icons are never "
              "rotated).", ""]
    (dest / "VERSIONS.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dest", type=Path, default=VENDOR)
    args = ap.parse_args(argv)
    for r in vendor(args.dest):
        print(f"{r['spec']:45s} -> {r['dir']} ({len(r['files'])} files, {r['license']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
