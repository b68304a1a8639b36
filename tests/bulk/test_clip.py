"""Numpy overlap areas (``kkpr.bulk.clip``) agree with GEOS on every kind of pair."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from kkpr.bulk.clip import Rings, convex, overlap_areas

X0, Y0 = 560_000.0, 8_870_000.0  # UTM magnitudes, as real plans have


def random_convex(rng: np.random.Generator, n: int) -> list[Polygon]:
    out = []
    for _ in range(n):
        k = int(rng.integers(3, 9))
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        r = rng.uniform(5, 120)
        cx, cy = X0 + rng.uniform(0, 400), Y0 + rng.uniform(0, 400)
        ring = [(cx + r * np.cos(a), cy + r * np.sin(a)) for a in angles]
        if rng.random() < 0.5:
            ring = ring[::-1]  # clockwise as often as not
        p = Polygon(ring)
        out.append(p if p.is_valid and p.area > 0 else box(cx, cy, cx + r, cy + r))
    return out


def subjects() -> np.ndarray:
    holed = box(X0, Y0, X0 + 300, Y0 + 300).difference(box(X0 + 100, Y0 + 100, X0 + 180, Y0 + 160))
    concave = Polygon(
        [(X0, Y0), (X0 + 400, Y0), (X0 + 400, Y0 + 400), (X0 + 200, Y0 + 60), (X0, Y0 + 400)]
    )
    multi = MultiPolygon(
        [box(X0, Y0, X0 + 90, Y0 + 90), box(X0 + 200, Y0 + 200, X0 + 390, Y0 + 330)]
    )
    star = (
        Point(X0 + 200, Y0 + 200)
        .buffer(150, quad_segs=3)
        .difference(Point(X0 + 200, Y0 + 200).buffer(40))
    )
    return np.array([holed, concave, multi, star], dtype=object)


def test_areas_agree_with_geos_for_random_convex_sites() -> None:
    rng = np.random.default_rng(7)
    subj = subjects()
    sites = np.array(random_convex(rng, 800), dtype=object)
    index = rng.integers(0, len(subj), len(sites))
    got = overlap_areas(Rings.of(subj), subj, index, sites)
    want = shapely.area(shapely.intersection(subj[index], sites))
    assert np.abs(got - want).max() < 1e-6
    assert (want == 0).any() and (want > 0).any()
    assert ((got == 0) == (want == 0)).all()  # no overlap is exactly none, as GEOS says


def test_a_site_sharing_only_an_edge_overlaps_by_exactly_zero() -> None:
    zone = np.array([box(X0, Y0, X0 + 100, Y0 + 100)], dtype=object)
    site = np.array([box(X0 + 100, Y0 + 10, X0 + 150, Y0 + 60)], dtype=object)
    assert overlap_areas(Rings.of(zone), zone, np.array([0]), site).tolist() == [0.0]


def test_convex_tells_convex_single_polygons_from_the_rest() -> None:
    sites = np.array(
        [
            box(0, 0, 1, 1),
            Polygon([(0, 0), (1, 0), (0, 1)][::-1]),
            Polygon([(0, 0), (2, 0), (1, 1), (2, 2), (0, 2)]),  # a notch
            box(0, 0, 4, 4).difference(box(1, 1, 2, 2)),  # a hole
            MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]),
            Point(0, 0),
            Polygon([(0, 0), (1, 0), (2, 0), (2, 2), (0, 2)]),  # a straight angle is fine
        ],
        dtype=object,
    )
    assert convex(sites).tolist() == [True, True, False, False, False, False, True]
