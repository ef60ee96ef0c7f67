"""The ``safetynet scenario`` CLI on the scenario store: list / show / apply against the
published population, and errors (a broken file, unknown names) exiting non-zero. Fixtures:
tests/_scenario_store_fixtures.py."""
from __future__ import annotations

import json

import numpy as np
from pyproj import Transformer

from _scenario_store_fixtures import FSC, _edits, _places
from _scenario_store_fixtures import sites, store  # noqa: F401  (fixtures)
from coverage.scenario import Scenario, changed_site_ids, edits_to_list
from store import save_scenario, scenario_path


# --- CLI ------------------------------------------------------------------------------

def _cli(capsys, *argv):
    from cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_list_show_apply(sites, store, capsys, village_table, raw_population_2025):
    save_scenario(Scenario("情境一", sites, _edits(), author="王"), places=_places(), store=store)
    code, out, _ = _cli(capsys, "scenario", "list", "--store", str(store), "--json")
    assert code == 0
    listed = json.loads(out)["scenarios"]
    assert [(s["name"], s["version"], s["n_edits"]) for s in listed] == [("情境一", 1, 6)]

    code, out, _ = _cli(capsys, "scenario", "show", "情境一", "--store", str(store), "--json")
    assert code == 0 and json.loads(out)["edits"] == edits_to_list(_edits())

    code, out, _ = _cli(capsys, "scenario", "apply", "情境一", "--store", str(store), "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["sites_before"], report["sites_after"]) == (len(sites), len(sites) + 2)
    changes = {c["site_id"]: c for c in report["changes"]}
    assert set(changes) == set(changed_site_ids(_edits()))
    before_status = sites.set_index("site_id").loc["fsc-002", "status"]
    assert changes["fsc-002"]["fields"] == {"status": {"before": before_status,
                                                       "after": "closed"}}
    assert changes["scn-1"]["change"] == "added"
    assert changes["scn-1"]["fields"]["name"]["after"] == "<script>alert(1)</script> & 新站 🏠"
    # family-centre coverage before and after, recomputed here: residents (published file)
    # whose demand point lies within 5 km of an open centre (scipy, pyproj); after the
    # edits fsc-001 stands at (121.30, 25.00), fsc-002 is closed and scn-1 is open where
    # the report says it was placed
    from scipy.spatial.distance import cdist
    villages = village_table[0]
    xy = villages[["demand_x", "demand_y"]].to_numpy(float)
    pop = raw_population_2025["人口"].reindex(villages.index).to_numpy(float)
    to_m = Transformer.from_crs(4326, 3826, always_xy=True)

    def covered(points: dict) -> float:
        sxy = np.column_stack(to_m.transform(*np.array(list(points.values())).T))
        return float(pop[(cdist(xy, sxy) <= 5000).any(axis=1)].sum())

    fsc_sites = sites[(sites["type"] == FSC) & (sites["status"] == "open")]
    base = {i: (g.x, g.y) for i, g in zip(fsc_sites["site_id"], fsc_sites.geometry)}
    after = {k: v for k, v in base.items() if k != "fsc-002"} | {
        "fsc-001": (121.30, 25.00), "scn-1": tuple(changes["scn-1"]["fields"]["lon/lat"]["after"])}
    cov = report["coverage"]
    assert report["coverage_note"] is None and cov[FSC]["radius_m"] == 5000
    fsc = cov[FSC]["covered"]["population"]
    assert fsc["total"] == pop.sum() == 2_355_106
    assert (fsc["before"], fsc["after"]) == (covered(base), covered(after))
    assert fsc["change"] == fsc["after"] - fsc["before"]

    code, out, _ = _cli(capsys, "scenario", "apply", "情境一", "--store", str(store), "--lang",
                        "en")
    assert code == 0 and "fsc-002" in out and "open → closed" in out
    code, out, _ = _cli(capsys, "scenario", "apply", "情境一", "--store", str(store))
    assert code == 0 and "fsc-002" in out and "營運中 → 已關閉" in out


def test_cli_errors_exit_nonzero(sites, store, capsys):
    code, _, err = _cli(capsys, "scenario", "apply", "不存在", "--store", str(store))
    assert code != 0 and "不存在" in err
    save_scenario(Scenario("ok", sites, ()), places=_places(), store=store)
    scenario_path("broken", store).write_bytes(b"not a geopackage")
    code, out, err = _cli(capsys, "scenario", "list", "--store", str(store))
    assert code != 0 and "ok" in out and str(scenario_path("broken", store)) in err
    code, _, err = _cli(capsys, "scenario", "show", "broken", "--store", str(store))
    assert code != 0 and str(scenario_path("broken", store)) in err
