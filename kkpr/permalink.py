"""The shareable link of a pre-check (``api/static/js/permalink.js``), read in Python:
``kbli=47111&site=<geometry>&land_area_m2=...``. A geometry is ``pt:lon,lat`` for a
point, or ``pg:`` and polygons joined by ``!``, each polygon's rings joined by ``,``,
each ring in the encoded-polyline format at 1e-7 degrees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kkpr.errors import SiteError

SCALE = 1e7
FIGURES = ("land_area_m2", "footprint_m2", "floor_area_m2", "floors", "height_m", "green_area_m2")


def _bad(what: str) -> SiteError:
    return SiteError(
        f"Tautan pra-periksa rusak ({what})",
        f"The pre-check link is damaged ({what})",
        where="site",
        hint_id="Salin lagi tautan lengkapnya dari halaman hasil, atau periksa ulang tapak Anda",
        hint_en="Copy the whole link again from the result page, or check your site again",
    )


def decode_ring(text: str) -> list[list[float]]:
    ring: list[list[float]] = []
    i, x, y = 0, 0, 0

    def value() -> int:
        nonlocal i
        result, factor = 0, 1
        while True:
            if i >= len(text):
                raise _bad("a ring is cut short")
            b = ord(text[i]) - 63
            i += 1
            if b < 0 or b > 63:
                raise _bad("a character not of the encoding")
            result += (b % 32) * factor
            factor *= 32
            if b < 32:
                break
        return -(result + 1) // 2 if result % 2 else result // 2

    while i < len(text):
        y += value()
        x += value()
        ring.append([x / SCALE, y / SCALE])
    return ring


def encode_ring(ring: list[list[float]] | list[tuple[float, float]]) -> str:
    out: list[str] = []
    px = py = 0
    for lon, lat in ring:
        x, y = round(lon * SCALE), round(lat * SCALE)
        for v in (y - py, x - px):
            n = -2 * v - 1 if v < 0 else 2 * v
            while n >= 32:
                out.append(chr(32 + n % 32 + 63))
                n //= 32
            out.append(chr(n + 63))
        px, py = x, y
    return "".join(out)


def decode_geometry(text: str) -> dict[str, Any]:
    """GeoJSON (longitude/latitude) of a link's ``site``."""
    if text.startswith("pt:"):
        try:
            lon, lat = (float(v) for v in text[3:].split(","))
        except ValueError:
            raise _bad("the point") from None
        return {"type": "Point", "coordinates": [lon, lat]}
    if not text.startswith("pg:"):
        raise _bad("the kind of site")
    polys = [[decode_ring(r) for r in p.split(",")] for p in text[3:].split("!")]
    if len(polys) == 1:
        return {"type": "Polygon", "coordinates": polys[0]}
    return {"type": "MultiPolygon", "coordinates": polys}


def encode_geometry(geometry: Mapping[str, Any]) -> str:
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return f"pt:{lon:.7f},{lat:.7f}"
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return "pg:" + "!".join(",".join(encode_ring(r) for r in rings) for rings in polys)


def read_link(params: Mapping[str, str]) -> tuple[dict[str, Any], str, dict[str, str]]:
    """The site (GeoJSON), the KBLI and the building figures of a link's parameters."""
    site = params.get("site", "")
    if not site:
        raise _bad("no site")
    figures = {k: params[k] for k in FIGURES if params.get(k, "").strip()}
    return decode_geometry(site), params.get("kbli", "").strip(), figures
