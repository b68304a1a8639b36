"""The technical data OSS prints: GSB and JBB by the roads the site fronts."""

from __future__ import annotations

from pathlib import Path

from kkpr import check
from kkpr.model import Proposal
from kkpr.pipeline.technical import road_setbacks
from kkpr.plan.package import read_plan
from kkpr.site import site_from_geojson
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, site
from tests.roads_plan import write_roads_plan


def test_the_widest_frontage_governs_the_one_number_oss_takes(tmp_path: Path) -> None:
    """A lot in the corner of Z1 fronts the arterial (GSB 10, JBB 3, y=-6) and the local
    road (GSB 6, JBB 2, x=-4): OSS's one GSB is 10 m and its JBB 3 m."""
    store = MemoryStore(read_plan(write_roads_plan(tmp_path / "roads")))
    corner = site_from_geojson(site(0, 0, 40, 40), CRS)
    found = check(store, corner, "47111", Proposal(floor_area_m2=100, floors=1)).to_dict()
    fronts = {s["nama"]: s["gsb"] for s in found["setbacks"] if s["kind"] == "frontage"}
    assert fronts == {"Jalan Uji Arteri": 10.0, "Jalan Uji Lokal": 6.0}
    assert road_setbacks(found) == (10.0, 3.0)


def test_without_a_fronted_road_the_sub_zone_gsb_stays_the_fallback() -> None:
    found = {"setbacks": [{"kind": "subzone", "gsb": 5.0, "jbb": None}]}
    assert road_setbacks(found) == (None, None)
    assert road_setbacks({}) == (None, None)
