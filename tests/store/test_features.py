"""The memory store's FeatureSource: collections, bbox, paging, CRS (hand-checked on the mini plan)."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import shape

from kkpr.errors import NotFound
from kkpr.plan.package import Plan
from kkpr.site import transformer
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, X0, Y0


@pytest.fixture
def store(mini_plan: Plan) -> MemoryStore:
    return MemoryStore(mini_plan)


def test_collections_with_counts_and_lonlat_bbox(store: MemoryStore) -> None:
    info = {c["id"]: c for c in store.collections()}
    assert list(info) == ["zones", "overlays", "rtrw"]
    assert [info[c]["count"] for c in info] == [5, 3, 1]
    minx, miny, maxx, maxy = info["zones"]["bbox"]
    t = transformer(CRS, "EPSG:4326")
    for x, y in ((0, 0), (300, 0), (300, 200), (0, 200)):  # the zones' corners, inside
        lon, lat = t.transform(X0 + x, Y0 + y)
        assert minx <= lon <= maxx and miny <= lat <= maxy
    assert maxx - minx < 0.003 and maxy - miny < 0.002  # and snug (300 m x 200 m)


def test_features_in_fid_order_with_properties(store: MemoryStore) -> None:
    feats, matched = store.features("zones", limit=100)
    assert matched == 5
    assert [f["id"] for f in feats] == ["1", "2", "3", "4", "5"]
    assert [f["properties"]["kodszn"] for f in feats] == ["K-1", "R-2", "RTH-2", "R-2", "K-1"]
    # the intensity the check applies: Z4's own KDB 40, else the sub-zone's default
    assert [f["properties"]["kdb"] for f in feats] == [70.0, 60.0, 5.0, 40.0, 70.0]
    assert [f["properties"]["klb"] for f in feats] == [3.0, 1.2, 0.05, 1.2, 3.0]
    assert feats[0]["properties"]["kkop_1"] is None and feats[4]["properties"]["kkop_1"] == "1"


def test_paging_is_stable(store: MemoryStore) -> None:
    pages = [store.features("zones", limit=2, offset=o)[0] for o in (0, 2, 4, 6)]
    assert [[f["id"] for f in p] for p in pages] == [["1", "2"], ["3", "4"], ["5"], []]


def test_bbox_in_plan_crs_and_in_lonlat(store: MemoryStore) -> None:
    # a box inside Z2 (x 100..200, y 0..100) touches only Z2
    box = (X0 + 120, Y0 + 20, X0 + 180, Y0 + 80)
    feats, matched = store.features("zones", bbox=box, bbox_crs=CRS)
    assert matched == 1 and feats[0]["properties"]["kodszn"] == "R-2"
    t = transformer(CRS, "EPSG:4326")
    lon1, lat1 = t.transform(box[0], box[1])
    lon2, lat2 = t.transform(box[2], box[3])
    feats, matched = store.features("zones", bbox=(lon1, lat1, lon2, lat2))
    assert [f["id"] for f in feats] == ["2"]


def test_geometry_in_the_asked_crs(store: MemoryStore) -> None:
    [utm], _ = store.features("zones", crs=CRS, limit=1)
    assert shapely.equals(shape(utm["geometry"]), shapely.box(X0, Y0, X0 + 100, Y0 + 100))
    [lonlat], _ = store.features("zones", limit=1)
    lon, lat = shape(lonlat["geometry"]).centroid.coords[0]
    assert 123 < lon < 124 and -11 < lat < -10


def test_unknown_collection_and_plan(store: MemoryStore) -> None:
    with pytest.raises(NotFound):
        store.features("roads")
    with pytest.raises(NotFound):
        store.collections(plan_id="other")
