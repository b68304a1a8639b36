"""The conforming part of every result, hand-worked on the mini plan (tests/mini_plan.py).

Each case runs on the memory and the PostGIS store; the expected areas are worked out
from the 100 m squares, and the geometry (longitude/latitude) is projected back to the
plan CRS to compare it with the rectangle expected.
"""

from __future__ import annotations

import pytest
from shapely.geometry import Point, mapping, shape

from kkpr.check import check
from kkpr.model import CheckResult, Outcome, Proposal
from kkpr.site import WGS84, to_crs
from kkpr.store.base import Store
from tests.mini_plan import CRS, X0, Y0, site, sq


def run(store: Store, geom: dict, kbli: str) -> CheckResult:
    return check(store, geom, kbli, Proposal(), crs=CRS)


def drawn(result: CheckResult):  # the conforming geometry back in the plan CRS
    return to_crs(shape(result.conforming["geometry"]), WGS84, CRS)


def test_the_x_part_of_a_site_is_left_out(mini_store: Store) -> None:
    # x 150..250, y 10..90: 4,000 m² in Z2 (R-2, T1) and 4,000 m² in Z3 (RTH-2, X)
    r = run(mini_store, site(150, 10, 250, 90), "47111")
    assert r.outcome == Outcome.TIDAK_SESUAI
    c = r.conforming
    assert c["area_m2"] == pytest.approx(4000) and c["share"] == pytest.approx(0.5)
    assert drawn(r).symmetric_difference(sq(150, 10, 200, 90)).area < 0.01
    lon, lat = r.to_dict()["conforming"]["geometry"]["coordinates"][0][0]
    assert 123 < lon < 124 and -11 < lat < -10  # GeoJSON order: longitude, latitude
    assert [(e["what"], e["kodszn"], round(e["area_m2"])) for e in c["excluded"]] == [
        ("itbx.X", "RTH-2", 4000)
    ]


def test_a_forbidding_overlay_is_cut_out(mini_store: Store) -> None:
    # farming is I in RTH-2; SEMPADAN (X) covers x 250..300: x 210..290, y 10..90
    # keeps x 210..250: 40 × 80 = 3,200 m² of 6,400
    r = run(mini_store, site(210, 10, 290, 90), "01121")
    c = r.conforming
    assert c["area_m2"] == pytest.approx(3200) and c["share"] == pytest.approx(0.5)
    assert drawn(r).symmetric_difference(sq(210, 10, 250, 90)).area < 0.01
    assert [(e["what"], e["jenis"]) for e in c["excluded"]] == [("overlay", "SEMPADAN")]


def test_the_part_outside_the_rdtr_does_not_conform(mini_store: Store) -> None:
    # x 10..90, y 180..220: 1,600 m² in Z4, 1,600 m² beyond y = 200
    r = run(mini_store, site(10, 180, 90, 220), "47111")
    c = r.conforming
    assert c["area_m2"] == pytest.approx(1600) and c["share"] == pytest.approx(0.5)
    assert [(e["what"], round(e["area_m2"])) for e in c["excluded"]] == [("outside_rdtr", 1600)]


def test_a_forbidden_sliver_is_left_out_though_it_does_not_decide(mini_store: Store) -> None:
    # x 110..200.05, y 10..90: 7,200 m² in Z2 (R-2, T1), 0.05 × 80 = 4 m² in Z3 (X)
    r = run(mini_store, site(110, 10, 200.05, 90), "47111")
    assert r.outcome == Outcome.SESUAI_BERSYARAT
    c = r.conforming
    assert c["area_m2"] == pytest.approx(7200, abs=1e-6)
    assert c["share"] == pytest.approx(7200 / 7204)


def test_a_site_wholly_conforming_is_its_own_conforming_part(mini_store: Store) -> None:
    r = run(mini_store, site(10, 10, 90, 90), "47111")
    assert r.conforming["share"] == pytest.approx(1.0) and r.conforming["excluded"] == []
    assert drawn(r).symmetric_difference(sq(10, 10, 90, 90)).area < 0.01


def test_a_point_conforms_or_not(mini_store: Store) -> None:
    k1 = run(mini_store, mapping(Point(X0 + 50, Y0 + 50)), "47111")
    assert k1.conforming["share"] == 1.0 and k1.conforming["geometry"]["type"] == "Point"
    rth = run(mini_store, mapping(Point(X0 + 220, Y0 + 50)), "47111")  # RTH-2: X
    assert rth.conforming == {
        "area_m2": 0.0,
        "share": 0.0,
        "geometry": None,
        "excluded": [{"what": "itbx.X", "kodszn": "RTH-2", "fid": rth.parts[0].fid,
                      "area_m2": 0.0}],
    }  # fmt: skip


def test_nothing_conforms_where_every_part_is_forbidden(mini_store: Store) -> None:
    r = run(mini_store, site(210, 10, 240, 90), "47111")
    assert r.conforming["area_m2"] == 0.0 and r.conforming["geometry"] is None


@pytest.mark.parametrize("crs", [CRS, WGS84])
def test_the_geojson_is_what_shapely_maps(crs: str) -> None:
    # lonlat_geojson reads the projected coordinates straight into GeoJSON: the same
    # values in the same nesting as mapping(to_crs(...)), holes and many parts alike
    from shapely import box
    from shapely.geometry import MultiPolygon

    from kkpr.records.checks import canonical
    from kkpr.rules.conforming import lonlat_geojson

    x, y = (X0, Y0) if crs == CRS else (123.6, -10.2)
    s = 1.0 if crs == CRS else 1e-4
    outer = Point(x, y).buffer(40 * s, quad_segs=3)
    holed = outer.difference(Point(x + 5 * s, y).buffer(10 * s))
    far = box(x + 100 * s, y, x + 130 * s, y + 20 * s)
    for geom in (outer, holed, MultiPolygon([holed, far]), Point(x, y)):
        want = mapping(to_crs(geom, crs, WGS84))
        assert lonlat_geojson(geom, crs) == want
        assert canonical(lonlat_geojson(geom, crs)) == canonical(want)
