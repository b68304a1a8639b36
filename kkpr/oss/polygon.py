"""The site polygon from OSS's numbered vertices (``data_lokasi_proyek[] {serial, lat_lng}``).

OSS writes each vertex as ``"latitude, longitude"`` in decimal degrees (WGS 84), and
numbers the vertices with ``serial``. The ring is ordered by ``serial``, closed if OSS
left it open, and must be a valid polygon; any vertex that is not written that way is
refused with its serial, so the integrator knows which one to fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from shapely.geometry import Polygon, mapping
from shapely.validation import explain_validity

from kkpr.oss.fields import OssValueError, Text

LAT_LNG = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
LAT_LNG_TEXT = Text(255)
MIN_VERTICES = 3


def _refuse(
    path: str, message_id: str, message_en: str, hint_id: str, hint_en: str
) -> OssValueError:
    return OssValueError(
        f"{path}: {message_id}",
        f"{path}: {message_en}",
        where=path,
        hint_id=hint_id,
        hint_en=hint_en,
    )


def _vertex_hint() -> tuple[str, str]:
    return (
        'Tulis setiap titik sebagai "lintang, bujur" dalam derajat desimal WGS 84, '
        'mis. "-10.1665, 123.6061"',
        'Write each vertex as "latitude, longitude" in WGS 84 decimal degrees, '
        'e.g. "-10.1665, 123.6061"',
    )


def parse_lat_lng(text: Any, path: str) -> tuple[float, float]:
    """``(longitude, latitude)`` of one ``lat_lng`` text."""
    LAT_LNG_TEXT.check(text, path)
    hint = _vertex_hint()
    match = LAT_LNG.match(text)
    if not match:
        raise _refuse(
            path,
            f'{text!r} bukan "lintang, bujur"',
            f'{text!r} is not "latitude, longitude"',
            *hint,
        )
    lat, lon = float(match.group(1)), float(match.group(2))
    if not -90 <= lat <= 90:
        flipped = -180 <= lat <= 180 and -90 <= lon <= 90
        raise _refuse(
            path,
            f"lintang {lat} di luar -90..90"
            + (" (urutannya terbalik: bujur, lintang?)" if flipped else ""),
            f"latitude {lat} is outside -90..90"
            + (" (swapped: longitude, latitude?)" if flipped else ""),
            *hint,
        )
    if not -180 <= lon <= 180:
        raise _refuse(
            path, f"bujur {lon} di luar -180..180", f"longitude {lon} is outside -180..180", *hint
        )
    return lon, lat


def serial_of(value: Any, path: str) -> int:
    """A vertex's ``serial``: an integer (OSS sends it as a number or as digits)."""
    if isinstance(value, bool) or value is None or value == "":
        raise _refuse(path, "serial wajib berupa bilangan bulat", "serial must be an integer",
                      "Beri nomor urut 1, 2, 3, ... pada setiap titik",
                      "Number the vertices 1, 2, 3, ...")  # fmt: skip
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        number = Decimal("NaN")
    if (
        not number.is_finite()
        or number != number.to_integral_value()
        or len(str(abs(int(number)))) > 11
    ):
        raise _refuse(path, f"serial {value!r} bukan bilangan bulat", f"serial {value!r} is not an integer",
                      "Beri nomor urut 1, 2, 3, ... pada setiap titik",
                      "Number the vertices 1, 2, 3, ...")  # fmt: skip
    return int(number)


def ring_from_vertices(vertices: Sequence[Any], path: str) -> Polygon:
    """The polygon of one location's numbered vertices (lon/lat), validated."""
    if not isinstance(vertices, list) or not vertices:
        raise _refuse(path, "tidak ada titik koordinat", "has no vertices",
                      "Kirim titik batas lokasi sebagai {serial, lat_lng}",
                      "Send the site boundary as {serial, lat_lng} vertices")  # fmt: skip
    numbered: dict[int, tuple[float, float]] = {}
    for i, vertex in enumerate(vertices):
        where = f"{path}[{i}]"
        if not isinstance(vertex, dict):
            raise _refuse(where, "harus objek {serial, lat_lng}", "must be a {serial, lat_lng} object",
                          *_vertex_hint())  # fmt: skip
        serial = serial_of(vertex.get("serial"), f"{where}.serial")
        where = f"{path}[serial {serial}]"
        if serial in numbered:
            raise _refuse(where, f"serial {serial} dipakai dua kali", f"serial {serial} is used twice",
                          "Setiap titik punya nomor serial sendiri", "Give each vertex its own serial")  # fmt: skip
        numbered[serial] = parse_lat_lng(vertex.get("lat_lng"), f"{where}.lat_lng")
    ring = [numbered[s] for s in sorted(numbered)]
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]  # OSS may repeat the first vertex to close the ring
    if len(set(ring)) < MIN_VERTICES:
        raise _refuse(path, f"hanya {len(set(ring))} titik berbeda, poligon perlu paling sedikit 3",
                      f"only {len(set(ring))} distinct vertices, a polygon needs at least 3",
                      "Kirim semua titik batas lokasi", "Send every vertex of the site boundary")  # fmt: skip
    polygon = Polygon(ring)
    if not polygon.is_valid or polygon.area == 0:
        raise _refuse(path, f"poligon tidak sah: {explain_validity(polygon)}",
                      f"the polygon is invalid: {explain_validity(polygon)}",
                      "Periksa urutan serial: batas tidak boleh memotong dirinya sendiri",
                      "Check the serial order: the boundary must not cross itself")  # fmt: skip
    return polygon


def site_geojson(polygons: Sequence[Polygon]) -> dict[str, Any]:
    """A GeoJSON geometry (lon/lat) of one or several locations."""
    if len(polygons) == 1:
        return dict(mapping(polygons[0]))
    return {
        "type": "MultiPolygon",
        "coordinates": [mapping(p)["coordinates"] for p in polygons],
    }


def vertices_of(geometry: dict[str, Any]) -> list[dict[str, Any]]:
    """OSS's ``{serial, lat_lng}`` vertices of a GeoJSON Polygon (lon/lat), first ring,
    not repeating the closing vertex: what OSS sends, and what a decision's
    ``koordinat_batas_bidang`` lists."""
    coords = (
        geometry["coordinates"][0]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"][0][0]
    )
    ring = list(coords[:-1]) if coords[0] == coords[-1] else list(coords)
    return [
        {"serial": i, "lat_lng": f"{lat:.7f}, {lon:.7f}"}
        for i, (lon, lat, *_z) in enumerate(ring, 1)
    ]
