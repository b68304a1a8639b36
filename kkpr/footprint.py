"""The building footprint a proposal may carry: read, checked, put in the plan CRS.

The footprint is GeoJSON (a Polygon or MultiPolygon, a Feature of one) in the site's
CRS. It must be a valid polygon lying inside the site: a building drawn across the
lot line cannot be checked against the lot, and is refused with what lies outside and
where, never clipped quietly.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from kkpr.errors import SiteError
from kkpr.model import Site
from kkpr.site import invalid_site, lonlat, to_crs
from kkpr.text import num_en, num_id

WHERE = "proposal.footprint"
POLYGONAL = ("Polygon", "MultiPolygon")
# a footprint may stick out of the site by this much (m²): the arithmetic noise of a
# building drawn on the lot line and projected, not land outside the lot
OUTSIDE_NOISE_M2 = 1e-3


def footprint_in_plan(footprint: dict[str, Any], site: Site, site_plan: BaseGeometry,
                      plan_crs: str) -> BaseGeometry:  # fmt: skip
    """The footprint in the plan CRS; SiteError (422) when it is not a valid polygon
    inside ``site_plan`` (the site in the plan CRS)."""
    geom = _shape(footprint)
    if site_plan.geom_type not in POLYGONAL:
        raise SiteError(
            "Gambar bangunan memerlukan tapak berupa poligon, bukan titik",
            "A drawn building needs the site drawn as a polygon, not a point",
            where=WHERE,
            hint_id="Gambar batas tapak, lalu bangunannya di dalamnya",
            hint_en="Draw the site's boundary, then the building inside it",
        )
    if not shapely.is_valid(geom):
        raise invalid_site(geom, site.crs, where=WHERE)
    in_plan = to_crs(geom, site.crs, plan_crs)
    outside = shapely.difference(in_plan, site_plan)
    area = float(outside.area)
    if area > OUTSIDE_NOISE_M2:
        lon, lat = lonlat(outside, plan_crs)
        raise SiteError(
            f"Bangunan yang digambar keluar dari tapak: {num_id(area, 2)} m² di luar batas "
            f"tapak, di dekat {num_id(lat, 6)}, {num_id(lon, 6)}",
            f"The drawn building lies outside the site: {num_en(area, 2)} m² beyond the site "
            f"boundary, near {lat:.6f}, {lon:.6f}",
            where=WHERE,
            hint_id="Gambar bangunan di dalam batas tapak (atau perbaiki batas tapaknya)",
            hint_en="Draw the building inside the site boundary (or correct the site)",
            extra={"outside_m2": area, "near": {"lon": lon, "lat": lat}},
        )
    return in_plan


def _shape(obj: Any) -> BaseGeometry:
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind not in POLYGONAL:
        raise SiteError(
            f"Gambar bangunan harus Polygon atau MultiPolygon GeoJSON, bukan {kind!r}",
            f"The drawn building must be a GeoJSON Polygon or MultiPolygon, not {kind!r}",
            where=f"{WHERE}.type",
            hint_id="Gambar tapak bangunan sebagai poligon di dalam tapak",
            hint_en="Draw the building footprint as a polygon inside the site",
        )
    try:
        geom = shape(obj)
    except Exception as exc:
        raise SiteError(
            "Koordinat gambar bangunan tidak dapat dibaca",
            "The drawn building's coordinates cannot be read",
            where=f"{WHERE}.coordinates",
            hint_id=str(exc),
            hint_en=str(exc),
        ) from exc
    if geom.is_empty or (shapely.is_valid(geom) and geom.area <= 0):
        raise SiteError(
            "Gambar bangunan kosong atau tidak berluas",
            "The drawn building is empty or has no area",
            where=WHERE,
        )
    return geom
