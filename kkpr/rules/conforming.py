"""The conforming part of a site: where, inside the RDTR, the activity is not forbidden.

It is the site's overlap with every zone part whose ITBX cell is not X, less every
overlay part that forbids the activity (a ``ketentuan_khusus`` feature or a KUGI
flag whose effect is X, after the activity's exemptions). The tolerance plays no
part: this is geometry for staff who approve part of a site, and a forbidden sliver
is left out of it as surely as a forbidden half. A raster rule forbids a site as a
whole (its limit is a share of the site), so a forbidding raster leaves no part.

The geometry is GeoJSON in longitude/latitude (RFC 7946), as the maps draw it.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from kkpr.model import (
    Conforming,
    Effect,
    Excluded,
    Located,
    OverlayHit,
    PartResult,
    RasterFinding,
)
from kkpr.rules.effects import forbids
from kkpr.rules.itbx import class_effect
from kkpr.site import WGS84, to_crs, transformer

# a conforming remainder smaller than this (m²) is arithmetic noise of the cut, not land
NOISE_M2 = 1e-6


def conforming(
    located: Located,
    parts: list[PartResult],
    forbidding: list[OverlayHit],
    rasters: list[RasterFinding],
    crs: str,
) -> Conforming:
    """``conforming`` of a result: area (m²), share of the site, geometry, and what
    was left out (``excluded``: X parts, forbidding overlays, rasters, the outside)."""
    point = located.geometry.geom_type == "Point"
    site_area = located.area_m2
    excluded: list[Excluded] = []
    keep: list[BaseGeometry] = []
    known = True
    for p, z in zip(parts, located.zones, strict=True):
        if class_effect(p.itbx) is Effect.FORBIDS:
            excluded.append(Excluded(what="itbx.X", kodszn=p.kodszn, fid=p.fid,
                                     area_m2=p.area_m2))  # fmt: skip
        elif z.part is None:
            known = False
        else:
            keep.append(z.part)
    covered = sum(p.area_m2 for p in parts)
    if site_area - covered > NOISE_M2 or not parts:
        excluded.append(Excluded(what="outside_rdtr", area_m2=max(site_area - covered, 0.0)))
    cut: list[BaseGeometry] = []
    for h in forbidding:
        excluded.append(Excluded(what="overlay", jenis=h.jenis, layer=h.source, fid=h.fid,
                                 area_m2=h.area_m2))  # fmt: skip
        if h.part is None:
            known = False
        else:
            cut.append(h.part)
    for r in rasters:
        if r.exceeded and forbids(r.efek):
            excluded.append(Excluded(what="raster", id=r.id, share_above=r.share_above))
            keep = []
    if not known:
        return Conforming(area_m2=None, share=None, geometry=None, excluded=excluded)
    if len(keep) == len(parts) and parts and not excluded:
        geom: BaseGeometry | None = located.geometry  # all of it: no cut to make
    elif len(keep) == 1:
        geom = keep[0]
    else:
        geom = shapely.union_all(keep) if keep else None
    if geom is not None and cut:
        geom = shapely.difference(geom, shapely.union_all(cut))
    if geom is not None and not point:
        geom = _polygonal(geom)
    if geom is None or geom.is_empty or (not point and geom.area <= NOISE_M2):
        return Conforming(area_m2=0.0, share=0.0, geometry=None, excluded=excluded)
    area = 0.0 if point else float(geom.area)
    share = 1.0 if point else (area / site_area if site_area > 0 else 0.0)
    return Conforming(
        area_m2=area, share=min(share, 1.0), geometry=lonlat_geojson(geom, crs), excluded=excluded
    )


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygons of ``geom`` (a cut can leave lines and points along its edges)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def lonlat_geojson(geom: BaseGeometry, crs: str) -> dict[str, Any]:
    """``mapping(to_crs(geom, crs, WGS84))``, the same values in the same nesting, with
    the coordinates projected once and read into GeoJSON from the arrays: no shapely
    geometry is built in longitude/latitude only to be read back out of it."""
    kind = geom.geom_type
    if kind not in ("Point", "Polygon", "MultiPolygon") or geom.has_z or geom.is_empty:
        plain: dict[str, Any] = mapping(to_crs(geom, crs, WGS84))
        return plain
    xy = shapely.get_coordinates(geom)
    # contiguous copies of the columns, projected in place: pyproj copies an array it
    # cannot write into (the columns of ``xy`` are strided) and makes new ones for its
    # answer, about half the cost of projecting a site's few dozen points
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    if crs != WGS84:
        x, y = transformer(crs, WGS84).transform(x, y, inplace=True)
    points = list(zip(x.tolist(), y.tolist(), strict=True))
    if kind == "Point":
        return {"type": "Point", "coordinates": points[0]}
    if kind == "Polygon" and shapely.get_num_interior_rings(geom) == 0:
        return {"type": "Polygon", "coordinates": (tuple(points),)}  # one ring: every point
    polygons = [geom] if kind == "Polygon" else list(shapely.get_parts(geom))
    out: list[tuple[tuple[tuple[float, float], ...], ...]] = []
    start = 0
    for polygon in polygons:
        rings = []
        for size in shapely.get_num_coordinates(shapely.get_rings(polygon)).tolist():
            rings.append(tuple(points[start : start + size]))
            start += size
        out.append(tuple(rings))
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": out[0]}
    return {"type": "MultiPolygon", "coordinates": out}
