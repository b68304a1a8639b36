"""Turning what an applicant sends into a site geometry in the plan CRS.

GeoJSON is read as RFC 7946 (longitude, latitude in EPSG:4326) unless another CRS is
named. Invalid geometry is refused with the reason and place GEOS reports, never
silently repaired: an applicant must know that the drawn site is not what was meant.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from kkpr.errors import InputTooLarge, SiteError
from kkpr.model import Site
from kkpr.text import num_id

ACCEPTED_TYPES = ("Polygon", "MultiPolygon", "Point")
WGS84 = "EPSG:4326"  # as everywhere in kkpr: longitude, latitude (RFC 7946, web maps)


def site_from_geojson(obj: Any, crs: str | None = None) -> Site:
    """A Site from a GeoJSON geometry, Feature, or one-feature FeatureCollection."""
    if isinstance(obj, (str, bytes)):
        try:
            obj = json.loads(obj)
        except json.JSONDecodeError as exc:
            raise SiteError(
                "Berkas tapak bukan GeoJSON yang sah",
                "Site file is not valid GeoJSON",
                where=f"baris/line {exc.lineno}, kolom/column {exc.colno}",
            ) from exc
    if not isinstance(obj, dict) or "type" not in obj:
        raise SiteError("Tapak harus berupa objek GeoJSON", "Site must be a GeoJSON object")
    declared = _declared_crs(obj)
    if obj["type"] == "FeatureCollection":
        features = obj.get("features") or []
        if len(features) != 1:
            raise SiteError(
                f"FeatureCollection harus berisi tepat satu fitur (ada {len(features)})",
                f"FeatureCollection must hold exactly one feature (it has {len(features)})",
                where="features",
                hint_id="Gabungkan bidang tapak menjadi satu MultiPolygon",
                hint_en="Merge the site's parcels into one MultiPolygon",
            )
        obj = features[0]
    if obj.get("type") == "Feature":
        obj = obj.get("geometry")
        if obj is None:
            raise SiteError("Fitur tidak memiliki geometri", "Feature has no geometry")
    if obj.get("type") not in ACCEPTED_TYPES:
        raise SiteError(
            f"Jenis geometri {obj.get('type')!r} tidak diterima",
            f"Geometry type {obj.get('type')!r} is not accepted",
            where="geometry.type",
            hint_id="Gunakan Polygon, MultiPolygon atau Point",
            hint_en="Use a Polygon, MultiPolygon or Point",
        )
    try:
        geom = shape(obj)
    except Exception as exc:
        raise SiteError(
            "Koordinat geometri tidak dapat dibaca",
            "Geometry coordinates cannot be read",
            where="geometry.coordinates",
            hint_id=str(exc),
            hint_en=str(exc),
        ) from exc
    return Site(geometry=geom, crs=crs or declared or WGS84)


def _declared_crs(obj: dict[str, Any]) -> str | None:
    # GeoJSON 2008 "crs" member, still written by QGIS and ogr2ogr for non-WGS84 files
    name = ((obj.get("crs") or {}).get("properties") or {}).get("name")
    if not name:
        return None
    try:
        epsg = CRS.from_user_input(name).to_epsg()
    except Exception:
        return None
    return f"EPSG:{epsg}" if epsg else None


@lru_cache(maxsize=64)
def is_geographic(crs: str) -> bool:
    return bool(CRS.from_user_input(crs).is_geographic)


@lru_cache(maxsize=64)
def transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


# A Site is frozen and its geometry immutable, so what is derived from it is kept in its
# ``derived`` dict (a declared field, never an attribute written into a frozen object):
# the API's limits and the store validate and project a site, and the second time
# costs nothing.
_VERTICES = "vertices"  # vertex count of a geometry that passed every check
_IN_CRS = "in_crs"  # {crs: the geometry projected into it}


def _memo(site: Site) -> dict[str, Any]:
    return site.derived


def check_site_geometry(site: Site, max_vertices: int | None = None) -> None:
    """SiteError for a geometry no check can use (empty, another type, non-finite or
    out-of-range coordinates, invalid), InputTooLarge beyond ``max_vertices``."""
    vertices = _memo(site).get(_VERTICES)
    if vertices is None:
        vertices = _check_geometry(site, max_vertices)
        _memo(site)[_VERTICES] = vertices
    elif max_vertices is not None and vertices > max_vertices:
        raise too_many_vertices(vertices, max_vertices)


def too_many_vertices(
    vertices: int, max_vertices: int, where: str = "geometry.coordinates"
) -> InputTooLarge:
    return InputTooLarge(
        f"Tapak memiliki {num_id(vertices, 0)} titik sudut; batasnya {num_id(max_vertices, 0)}",
        f"The site has {vertices:,} vertices; the limit is {max_vertices:,}",
        where=where,
        hint_id="Sederhanakan batas tapak (mis. Simplify di QGIS)",
        hint_en="Simplify the site boundary (e.g. Simplify in QGIS)",
        extra={"vertices": vertices, "limit": max_vertices},
    )


def _check_geometry(site: Site, max_vertices: int | None) -> int:
    """The checks in order (the cheap ones first); the vertex count when all pass."""
    geom = site.geometry
    if geom.is_empty:
        raise SiteError("Geometri tapak kosong", "Site geometry is empty", where="geometry")
    if geom.geom_type not in ACCEPTED_TYPES:
        raise SiteError(
            f"Jenis geometri {geom.geom_type!r} tidak diterima",
            f"Geometry type {geom.geom_type!r} is not accepted",
            where="geometry.type",
        )
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise SiteError(
            "Koordinat tapak tidak terhingga atau kosong",
            "Site coordinates are not finite numbers",
            where="geometry.coordinates",
        )
    if max_vertices is not None and len(coords) > max_vertices:
        raise too_many_vertices(len(coords), max_vertices)
    if is_geographic(site.crs):
        lon, lat = coords[:, 0], coords[:, 1]
        if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
            raise SiteError(
                "Koordinat di luar rentang bujur/lintang",
                "Coordinates outside the longitude/latitude range",
                where="geometry.coordinates",
                hint_id="GeoJSON memakai urutan (bujur, lintang) dalam derajat; "
                "untuk koordinat UTM sebutkan CRS-nya",
                hint_en="GeoJSON uses (longitude, latitude) in degrees; "
                "for UTM coordinates name their CRS",
            )
    if not shapely.is_valid(geom):
        raise invalid_site(geom, site.crs)
    return len(coords)


# what GEOS reports (``is_valid_reason``), in words an applicant understands
_INVALID_WORDS = (
    (
        "self-intersection",
        "Batas tapak memotong dirinya sendiri",
        "The site boundary crosses itself",
    ),
    (
        "hole lies outside",
        "Lubang di dalam tapak keluar dari batasnya",
        "A hole in the site lies outside its boundary",
    ),
    (
        "too few points",
        "Batas tapak punya kurang dari tiga titik",
        "The site boundary has fewer than three points",
    ),
    (
        "nested shells",
        "Satu bidang tapak berada di dalam bidang lainnya",
        "One part of the site lies inside another",
    ),
)


def invalid_site(geom: BaseGeometry, crs: str, where: str = "geometry") -> SiteError:
    """The SiteError for an invalid geometry: what is wrong in plain words and where (as
    latitude, longitude), what to do; the GEOS reason stays in ``extra["reason"]`` for
    software, never in the sentence a person reads."""
    reason = shapely.is_valid_reason(geom)
    low = reason.lower()
    what_id, what_en = next(
        ((i, e) for key, i, e in _INVALID_WORDS if key in low),
        ("Bentuk batas tapak tidak dapat dipakai", "The site boundary's shape cannot be used"),
    )
    place_id = place_en = ""
    found = re.search(r"\[(-?[\d.eE+-]+) (-?[\d.eE+-]+)", reason)
    if found:
        try:
            lon, lat = transformer(crs, WGS84).transform(float(found[1]), float(found[2]))
            place_id = f" di dekat {num_id(lat, 6)}, {num_id(lon, 6)}"
            place_en = f" near {lat:.6f}, {lon:.6f}"
        except (ValueError, ArithmeticError):
            pass
    return SiteError(
        f"{what_id}{place_id}",
        f"{what_en}{place_en}",
        where=where,
        hint_id="Gambar ulang batasnya sehingga sisi-sisinya tidak bersilangan, lalu periksa lagi",
        hint_en="Draw the boundary again so that its edges do not cross, then check again",
        extra={"reason": reason},
    )


def _transform(geoms: Any, src: str, dst: str) -> Any:
    """A geometry or an array of geometries from ``src`` to ``dst``, in one call."""
    t = transformer(src, dst)
    return shapely.transform(geoms, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def to_crs(geom: BaseGeometry, src: str, dst: str) -> BaseGeometry:
    if src == dst:
        return geom
    out: BaseGeometry = _transform(geom, src, dst)
    return out


def to_crs_many(geoms: np.ndarray, src: str, dst: str) -> np.ndarray:
    """``to_crs`` of an array of geometries, in one transform call."""
    if src == dst or len(geoms) == 0:
        return geoms
    out: np.ndarray = _transform(geoms, src, dst)
    return out


def to_plan_crs(site: Site, plan_crs: str) -> BaseGeometry:
    """The site geometry in the plan CRS (projected once per site and CRS)."""
    if site.crs == plan_crs:
        return site.geometry
    projected: dict[str, BaseGeometry] = _memo(site).setdefault(_IN_CRS, {})
    geom = projected.get(plan_crs)
    if geom is None:
        geom = projected[plan_crs] = to_crs(site.geometry, site.crs, plan_crs)
    return geom


def lonlat(geom: BaseGeometry, crs: str) -> tuple[float, float]:
    """A representative point of ``geom`` (in ``crs``) as longitude, latitude."""
    p = geom.representative_point() if geom.geom_type != "Point" else geom
    lon, lat = transformer(crs, WGS84).transform(p.x, p.y)
    return float(lon), float(lat)


def as_lonlat_geojson(site: Site) -> dict[str, Any]:
    """The site as an RFC 7946 GeoJSON geometry (longitude, latitude), as a web map draws
    it, whatever CRS it was given in."""
    return dict(mapping(to_crs(site.geometry, site.crs, WGS84)))
