"""Gaps and overlaps between zone polygons: each with the polygons around it, its area and
where it is, in the layer's own CRS and in longitude/latitude.

Real published layers have them, so they are warnings: a site over a gap is outside the
RDTR for that part (``perlu_kajian``, as any site partly outside the plan), a site over
an overlap is decided by both polygons. A plan that wants a clean coverage asks for it
with ``[tolerance] gaps = "error"``, and then they block loading.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from kkpr.errors import Problem
from kkpr.plan.package import Plan
from kkpr.text import num_en, num_id

WGS84 = "EPSG:4326"
MAX_NEIGHBOURS_NAMED = 10


def coverage_problems(plan: Plan) -> list[Problem]:
    zones = plan.zones
    src = zones.attrs.get("source", "pola_ruang")
    geoms = np.asarray(zones.geometry.values, dtype=object)
    usable = shapely.is_valid(geoms) & ~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)
    geoms_ok = geoms[usable]
    fids = np.asarray(zones.index)[usable]
    if not len(geoms_ok):
        return []
    tol = plan.meta.tolerance.sliver_m2
    severity = plan.meta.tolerance.gaps
    where = _Locator(plan.meta.crs, zones.attrs.get("source_crs_code") or plan.meta.crs)
    out: list[Problem] = []
    # A clean coverage (the usual case) is proven free of overlaps in one GEOS pass;
    # only a coverage that fails it pays for the pairwise search that locates them.
    clean = bool(shapely.coverage_is_valid(geoms_ok))
    tree = shapely.STRtree(geoms_ok)
    left, right = (
        (np.array([], dtype=int),) * 2 if clean else tree.query(geoms_ok, predicate="intersects")
    )
    pairs = left < right
    left, right = left[pairs], right[pairs]
    if len(left):
        inter = shapely.intersection(geoms_ok[left], geoms_ok[right])
        for i, j, a, g in zip(left, right, shapely.area(inter), inter, strict=True):
            if a <= tol:
                continue
            at_id, at_en, wkt = where(g)
            out.append(
                Problem(
                    "zones.overlap",
                    f"Poligon {fids[i]} dan {fids[j]} bertampalan seluas {num_id(a)} m² "
                    f"(toleransi {num_id(tol)} m²) {at_id}",
                    f"Polygons {fids[i]} and {fids[j]} overlap by {num_en(a)} m² "
                    f"(tolerance {num_en(tol)} m²) {at_en}",
                    file=src,
                    feature=f"{fids[i]},{fids[j]}",
                    geometry_wkt=wkt,
                    severity=severity,
                )
            )
    union = shapely.coverage_union_all(geoms_ok) if clean else shapely.union_all(geoms_ok)
    for poly in getattr(union, "geoms", [union]):
        for ring in getattr(poly, "interiors", []):
            hole = shapely.Polygon(ring)
            if hole.area <= tol:
                continue
            around = sorted(
                {str(fids[k]) for k in tree.query(hole, predicate="intersects")}, key=_fid_order
            )
            named = ",".join(around[:MAX_NEIGHBOURS_NAMED])
            more = len(around) - MAX_NEIGHBOURS_NAMED
            named_id = named + (f" dan {more} lagi" if more > 0 else "")
            named_en = named + (f" and {more} more" if more > 0 else "")
            at_id, at_en, wkt = where(hole)
            out.append(
                Problem(
                    "zones.gap",
                    f"Celah antar-poligon seluas {num_id(hole.area)} m² (toleransi "
                    f"{num_id(tol)} m²) di antara poligon {named_id} {at_id}; tapak di sini "
                    "berada di luar RDTR (perlu kajian)",
                    f"Gap between polygons of {num_en(hole.area)} m² (tolerance "
                    f"{num_en(tol)} m²) among polygons {named_en} {at_en}; a site here is "
                    "outside the RDTR (needs review)",
                    file=src,
                    feature=",".join(around),
                    geometry_wkt=wkt,
                    severity=severity,
                )
            )
    return out


class _Locator:
    """A piece's representative point as text in the layer CRS and lon/lat, and as WKT in
    the plan CRS (what the staff map draws)."""

    def __init__(self, plan_crs: str, layer_crs: str) -> None:
        self.layer_crs = layer_crs
        self.to_layer = Transformer.from_crs(plan_crs, layer_crs, always_xy=True)
        self.to_lonlat = Transformer.from_crs(plan_crs, WGS84, always_xy=True)

    def __call__(self, geom: shapely.Geometry) -> tuple[str, str, str]:
        p = geom.representative_point()
        lon, lat = self.to_lonlat.transform(p.x, p.y)
        here = f"lon {lon:.6f}, lat {lat:.6f}"
        if self.layer_crs != WGS84:
            x, y = self.to_layer.transform(p.x, p.y)
            here = f"x {x:.2f}, y {y:.2f} ({self.layer_crs}); {here}"
        wkt = shapely.to_wkt(p, rounding_precision=2)
        return f"di {here}", f"at {here}", wkt


def _fid_order(fid: str) -> tuple[int, str]:
    return (int(fid), "") if fid.isdigit() else (1 << 62, fid)
