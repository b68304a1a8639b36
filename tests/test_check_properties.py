"""Properties of the check that must hold for any site (hypothesis).

The answer cannot depend on how a site was drawn: where its ring starts, which way it
turns, or a round trip through another CRS; and zone-part areas add up to the part of
the site the zones cover.
"""

from __future__ import annotations

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, mapping
from shapely.geometry.polygon import orient

from kkpr.check import check
from kkpr.model import CheckResult, Proposal
from kkpr.plan.package import Plan
from kkpr.site import to_crs
from tests.mini_plan import CRS, X0, Y0

coord_x = st.floats(min_value=-40, max_value=340, allow_nan=False)
coord_y = st.floats(min_value=-40, max_value=240, allow_nan=False)


@st.composite
def sites(draw: st.DrawFn) -> Polygon:
    """A valid polygon of 3-8 vertices around the mini plan, star-shaped so it is simple."""
    cx, cy = draw(coord_x), draw(coord_y)
    n = draw(st.integers(3, 8))
    radii = draw(st.lists(st.floats(5, 80), min_size=n, max_size=n))
    import math

    points = [
        (X0 + cx + r * math.cos(2 * math.pi * i / n), Y0 + cy + r * math.sin(2 * math.pi * i / n))
        for i, r in enumerate(radii)
    ]
    poly = Polygon(points)
    if not poly.is_valid or poly.area < 1:
        poly = shapely.box(X0 + cx, Y0 + cy, X0 + cx + 20, Y0 + cy + 20)
    return poly


def summary(r: CheckResult, digits: int = 4) -> tuple:
    return (
        r.outcome,
        r.form,
        tuple((p.fid, p.kodszn, round(p.area_m2, digits - 2), p.deciding, p.cell) for p in r.parts),
        tuple(sorted((o.jenis, o.source, round(o.area_m2, digits - 2)) for o in r.overlays)),
        tuple((i.rule, i.limit, i.ok) for i in r.intensity),
    )


PROPOSAL = Proposal(footprint_m2=500, floor_area_m2=150, floors=2, height_m=9)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check(plan: Plan, poly: Polygon, crs: str = CRS) -> CheckResult:
    return check(plan, mapping(poly), "47111", PROPOSAL, crs=crs)


@SETTINGS
@given(poly=sites(), shift=st.integers(0, 7))
def test_vertex_order_and_orientation_do_not_matter(
    mini_plan: Plan, poly: Polygon, shift: int
) -> None:
    ring = list(poly.exterior.coords)[:-1]
    k = shift % len(ring)
    rotated = Polygon(ring[k:] + ring[:k])
    reversed_ = orient(poly, sign=-1.0) if poly.exterior.is_ccw else orient(poly, sign=1.0)
    base = summary(_check(mini_plan, poly))
    assert summary(_check(mini_plan, rotated)) == base
    assert summary(_check(mini_plan, reversed_)) == base


@SETTINGS
@given(poly=sites())
def test_round_trip_through_wgs84_keeps_the_answer(mini_plan: Plan, poly: Polygon) -> None:
    lonlat = to_crs(poly, CRS, "EPSG:4326")
    direct = _check(mini_plan, poly)
    via = _check(mini_plan, lonlat, crs="EPSG:4326")
    assert via.outcome == direct.outcome
    assert [(p.fid, p.deciding) for p in via.parts] == [(p.fid, p.deciding) for p in direct.parts]
    for a, b in zip(via.parts, direct.parts, strict=True):
        assert a.area_m2 == pytest.approx(b.area_m2, abs=0.01)


@SETTINGS
@given(poly=sites())
def test_part_areas_sum_to_the_covered_area(mini_plan: Plan, poly: Polygon) -> None:
    r = _check(mini_plan, poly)
    covered = shapely.intersection(poly, shapely.union_all(mini_plan.zones.geometry.values)).area
    assert sum(p.area_m2 for p in r.parts) == pytest.approx(covered, abs=1e-6)
    assert r.site["covered_m2"] + r.site["outside_m2"] == pytest.approx(poly.area, abs=1e-6)
    assert sum(p.share for p in r.parts) <= 1 + 1e-9
