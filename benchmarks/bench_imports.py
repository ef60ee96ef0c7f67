"""Validating and importing a large site list: time and peak memory, printed as figures
and ratios against a named baseline run on the same file in the same run.

* baseline ``pandas.read_csv + geopandas.points_from_xy``: the bare minimum (parse the
  text, build points), no checks at all;
* ``read_sites``: geo.imports.read_sites (encoding detection, column mapping, every row
  checked, coordinate systems, districts, duplicates, check_sites), on a clean list and
  on a messy one (bad numbers, swapped and outside points, unknown districts, addresses
  placed at their 里, exact copies);
* ``safetynet validate``: the CLI command on the messy list (report printed to /dev/null);
* ``safetynet layers import``: reading the clean list and storing it as a library layer
  (GeoPackage, atomic) in a fresh store;
* ``safetynet coverage``: a coverage run of the 小衛星 type with the clean list as its sites
  (read, 516 villages x 100,000 sites, 2SFCA, district tables, CSV written).

Each variant runs in a fresh Python process so its peak resident memory (ru_maxrss) is its
own; times are seconds of the work only (imports excluded), wall-clock and CPU (the CPU
figure is what the work costs when other jobs share the machine's cores). Targets (issue
13): a 100,000-row list validated and imported under 10 s and 1 GB; a coverage run with it
under 20 s.

Usage: .venv/bin/python benchmarks/bench_imports.py [--rows 100000] [--repeat 1]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_S, TARGET_MB = 10.0, 1024.0
COVERAGE_TARGET_S = 20.0

_CHILD = r"""
import json, resource, sys, time, io, contextlib
sys.path.insert(0, {root!r})
variant, path = sys.argv[1], sys.argv[2]
if variant == "baseline":
    import pandas as pd, geopandas as gpd
    t, c = time.perf_counter(), time.process_time()
    df = pd.read_csv(path)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(
        pd.to_numeric(df["經度"], errors="coerce"), pd.to_numeric(df["緯度"], errors="coerce")),
                           crs="EPSG:4326")
    n = len(gdf)
elif variant == "read_sites":
    from geo.imports import read_sites
    t, c = time.perf_counter(), time.process_time()
    res = read_sites(path)
    n = len(res.sites)
elif variant == "coverage":
    from cli import main
    t, c = time.perf_counter(), time.process_time()
    with open("/dev/null", "w") as sink, contextlib.redirect_stdout(sink):
        rc = main(["coverage", "--type", "小衛星", "--sites", path, "--out", path + ".out.csv"])
    assert rc == 0, rc
    n = -1
elif variant == "layers_import":  # read, place, and store a version in a fresh library
    import os, tempfile
    os.environ["SAFETYNET_HOME"] = tempfile.mkdtemp(prefix="bench-home-")
    from cli import main
    t, c = time.perf_counter(), time.process_time()
    with open("/dev/null", "w") as sink, contextlib.redirect_stdout(sink):
        rc = main(["layers", "import", path, "--name", "bench"])
    assert rc == 0, rc
    n = -1
else:
    from cli import main
    t, c = time.perf_counter(), time.process_time()
    with open("/dev/null", "w") as sink, contextlib.redirect_stdout(sink):
        main(["validate", path])
    n = -1
elapsed, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({{"seconds": elapsed, "cpu": cpu, "rss_mb": resource.getrusage(
    resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": n}}))
"""


def make_list(path: Path, rows: int, *, messy: bool, seed: int = 0) -> None:
    """A site list of ``rows`` points inside the city's districts (names, addresses,
    districts, types, capacities); ``messy`` spoils every tenth row in one of ten ways (bad number, swapped, in the
    sea, unknown or wrong district, address naming its 里, bad capacity / status / type,
    address only, exact copy)."""
    import numpy as np
    import pandas as pd
    import shapely

    from geo.boundaries import load_districts, load_villages
    rng = np.random.default_rng(seed)
    districts = load_districts()
    minx, miny, maxx, maxy = districts.total_bounds
    parts_x, parts_y, parts_code, count = [], [], [], 0
    while count < rows:
        x, y = rng.uniform(minx, maxx, rows), rng.uniform(miny, maxy, rows)
        for code, poly in districts.geometry.items():
            shapely.prepare(poly)
            inside = shapely.contains_xy(poly, x, y)
            parts_x.append(x[inside])
            parts_y.append(y[inside])
            parts_code.append(np.full(int(inside.sum()), code, dtype=object))
            count += int(inside.sum())
            x, y = x[~inside], y[~inside]
    order = rng.permutation(count)[:rows]
    xs, ys = np.concatenate(parts_x)[order], np.concatenate(parts_y)[order]
    dist = districts["district"].reindex(np.concatenate(parts_code)[order]).to_numpy()
    frame = pd.DataFrame({
        "編號": [f"S{i:06d}" for i in range(rows)], "名稱": [f"據點{i}" for i in range(rows)],
        "地址": [f"桃園市{d}測試路{i}號" for i, d in enumerate(dist)],
        "經度": np.round(xs, 6).astype(str), "緯度": np.round(ys, 6).astype(str),
        "行政區": dist, "類型": "小衛星", "狀態": "開放",
        "容量": rng.integers(0, 10, rows).astype(str)})
    if messy:
        villages = load_villages()
        k = np.arange(rows)
        spoil = k % 10 == 0
        kind = (k // 10) % 10
        sel = lambda j: spoil & (kind == j)  # noqa: E731
        frame.loc[sel(0), "經度"] = "abc"
        frame.loc[sel(1), ["經度", "緯度"]] = frame.loc[sel(1), ["緯度", "經度"]].to_numpy()
        sea = int(sel(2).sum())  # distinct points in the sea off the coast: kept, flagged
        frame.loc[sel(2), "經度"] = np.round(rng.uniform(120.95, 121.05, sea), 6).astype(str)
        frame.loc[sel(2), "緯度"] = np.round(rng.uniform(25.12, 25.2, sea), 6).astype(str)
        frame.loc[sel(3), "行政區"] = np.where(k[sel(3)] % 2 == 0, "內壢區", "復興區")
        placed = sel(4)
        picks = villages.iloc[rng.integers(0, len(villages), int(placed.sum()))]
        frame.loc[placed, ["經度", "緯度"]] = ""
        frame.loc[placed, "地址"] = [f"{d}{v}1鄰" for d, v in zip(picks["district"],
                                                               picks["village"])]
        frame.loc[placed, "行政區"] = picks["district"].to_numpy()
        frame.loc[sel(5), "容量"] = "很多"
        frame.loc[sel(6), "狀態"] = "maybe"
        frame.loc[sel(7), "類型"] = "bakery"
        frame.loc[sel(8), ["經度", "緯度"]] = ""  # address only, naming no 里: unlocated
        copies = np.flatnonzero(sel(9))
        frame.iloc[copies] = frame.iloc[np.maximum(copies - 1, 0)].to_numpy()
    frame.to_csv(path, index=False)


def run(variant: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT)), variant,
                           str(path)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{variant} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1, help="runs per variant (best is shown)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        clean, messy = Path(tmp) / "clean.csv", Path(tmp) / "messy.csv"
        make_list(clean, args.rows, messy=False)
        make_list(messy, args.rows, messy=True)
        mb = clean.stat().st_size / 2**20
        print(f"{args.rows:,} rows ({mb:.1f} MB CSV); best of {args.repeat} run(s) each\n")
        cases = [("baseline pandas.read_csv + points_from_xy", "baseline", clean),
                 ("read_sites, clean list", "read_sites", clean),
                 ("baseline pandas.read_csv + points_from_xy (messy)", "baseline", messy),
                 ("read_sites, messy list", "read_sites", messy),
                 ("safetynet validate, messy list", "validate", messy),
                 ("safetynet layers import, clean list", "layers_import", clean),
                 ("safetynet coverage, clean list as sites", "coverage", clean)]
        print(f"{'variant':52s} {'wall s':>7s} {'CPU s':>7s} {'peak MB':>8s} "
              f"{'x base CPU':>10s} {'target':>7s}")
        base: dict[Path, dict] = {}
        for label, variant, path in cases:
            best = min((run(variant, path) for _ in range(args.repeat)),
                       key=lambda r: r["seconds"])
            if variant == "baseline":
                base[path] = best
                ratio, verdict = "", ""
            else:
                ratio = f"{best['cpu'] / base[path]['cpu']:.1f}x"
                limit = COVERAGE_TARGET_S if variant == "coverage" else TARGET_S
                memory_ok = variant == "coverage" or best["rss_mb"] < TARGET_MB
                # judged on wall time; "busy" when only the CPU time meets it (other jobs
                # shared the cores), never counted as met
                verdict = ("ok" if best["seconds"] < limit and memory_ok else
                           "busy" if best["cpu"] < limit and memory_ok else "MISSED")
            print(f"{label:52s} {best['seconds']:7.2f} {best['cpu']:7.2f} {best['rss_mb']:8.0f} "
                  f"{ratio:>10s} {verdict:>7s}")
    print(f"\ntargets (wall time): under {TARGET_S:g} s and {TARGET_MB:g} MB per 100,000 rows; "
          f"the coverage run under {COVERAGE_TARGET_S:g} s (issue 13 item 5). 'busy': met in "
          "CPU time only, the machine was shared; not met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
