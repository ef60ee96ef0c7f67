"""A scenario's new or moved site records how the planner placed it (issue 13 item 2: every
site records how it was located and its precision), so reports and maps can show it."""
from __future__ import annotations

from analysis.context import load_context
from coverage.places import dataset_places
from coverage.scenario import AddSite, MoveSite, apply_edits


def test_added_and_moved_sites_say_how_they_were_placed(data_dir):
    ctx = load_context(data_dir, library=False)
    places = dataset_places(ctx)
    code = ctx.villages.index[0]
    edits = [AddSite(type="community_support_site", name="甲", village=code),
             AddSite(type="community_support_site", name="乙", lon=121.30, lat=24.99),
             MoveSite(site_id=ctx.sites["site_id"].iat[0], lon=121.31, lat=24.98)]
    out = apply_edits(ctx.sites, edits, places=places).set_index("site_id")
    assert tuple(out.loc["scn-1", ["located_by", "precision"]]) == ("village", "village")
    assert tuple(out.loc["scn-2", ["located_by", "precision"]]) == ("hand", "exact")
    moved = ctx.sites["site_id"].iat[0]
    assert tuple(out.loc[moved, ["located_by", "precision"]]) == ("hand", "exact")
    # the village's point is its demand point (built-up land), EPSG:3826 -> EPSG:4326
    from pyproj import Transformer
    x, y = ctx.villages.loc[code, ["demand_x", "demand_y"]]
    lon, lat = Transformer.from_crs(3826, 4326, always_xy=True).transform(x, y)
    assert abs(out.loc["scn-1"].geometry.x - lon) < 1e-9
    assert abs(out.loc["scn-1"].geometry.y - lat) < 1e-9
    untouched = ctx.sites["site_id"].iat[1]
    assert out.loc[untouched, "located_by"] == "coordinates"
