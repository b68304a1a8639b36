"""Which CRS a plan measures in, and which CRS a layer's coordinates are in.

The plan's ``crs`` is where every area is measured, so it must be projected in metres.
A geographic ``crs`` (EPSG:4326 and the like) is refused, naming the UTM zone of the
plan's extent to write instead; kkpr never measures areas in degrees nor picks a
measuring CRS behind the planner's back.

A layer's own CRS is what GDAL reads from it (a GeoJSON's ``urn:ogc:def:crs:EPSG::4326``
is longitude first, as GDAL and RFC 7946 read it). A layer that declares none (a
Shapefile without its ``.prj``) is taken to be in the plan CRS when its coordinates lie
where that CRS is used, else in longitude/latitude when they can be; validation says
which was assumed.
"""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from kkpr.errors import PlanError

WGS84 = "EPSG:4326"
METRE_UNITS = ("metre", "meter", "m")


def parse(text: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except Exception as exc:  # pyproj raises CRSError and others
        raise PlanError(
            f"CRS {text!r} tidak dikenal",
            f"Unknown CRS {text!r}",
            where="plan.toml crs",
            hint_id='Tulis kode EPSG, mis. crs = "EPSG:32751"',
            hint_en='Write an EPSG code, e.g. crs = "EPSG:32751"',
        ) from exc


def is_metric(crs: CRS) -> bool:
    return crs.is_projected and all(
        (a.unit_name or "").lower() in METRE_UNITS for a in crs.axis_info[:2]
    )


def utm_for(lonlat_bounds: tuple[float, float, float, float]) -> str | None:
    """The EPSG code of the WGS 84 UTM zone of an extent's centre."""
    west, south, east, north = lonlat_bounds
    if not np.all(np.isfinite(lonlat_bounds)):
        return None
    lon, lat = (west + east) / 2, (south + north) / 2
    found = query_utm_crs_info(
        datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat)
    )
    return f"EPSG:{found[0].code}" if found else None


def require_metric(crs_text: str, lonlat_bounds: tuple[float, float, float, float] | None) -> None:
    """PlanError unless the plan CRS measures in metres; names the UTM zone to use."""
    crs = parse(crs_text)
    if is_metric(crs):
        return
    utm = utm_for(lonlat_bounds) if lonlat_bounds is not None else None
    zone = CRS.from_user_input(utm).name if utm else None
    what = "geografis (derajat)" if crs.is_geographic else "tidak dalam meter"
    what_en = "geographic (degrees)" if crs.is_geographic else "not in metres"
    raise PlanError(
        f"crs = {crs_text!r} {what}: luas tidak dapat diukur dalam meter persegi",
        f"crs = {crs_text!r} is {what_en}: areas cannot be measured in square metres",
        where="plan.toml crs",
        hint_id=f'Tulis crs = "{utm}" ({zone}, zona UTM wilayah rencana); lapisan boleh '
        "tetap dalam CRS-nya sendiri"
        if utm
        else "Tulis CRS proyeksi dalam meter (zona UTM wilayah rencana)",
        hint_en=f'Write crs = "{utm}" ({zone}, the UTM zone of the plan\'s extent); the '
        "layers may stay in their own CRS"
        if utm
        else "Write a projected CRS in metres (the UTM zone of the plan's extent)",
    )


def lonlat_bounds(bounds: np.ndarray, crs: CRS | str) -> tuple[float, float, float, float]:
    t = Transformer.from_crs(crs, WGS84, always_xy=True)
    return tuple(float(v) for v in t.transform_bounds(*bounds))  # type: ignore[return-value]


def assume(bounds: np.ndarray, plan_crs: str) -> str | None:
    """The CRS to assume for coordinates with ``bounds`` that declare none: the plan
    CRS where they lie in its area of use, else WGS 84 where they can be lon/lat."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    crs = parse(plan_crs)
    area = crs.area_of_use
    if area is not None and not crs.is_geographic:
        try:
            w, s, e, n = lonlat_bounds(bounds, crs)
        except Exception:
            w = s = e = n = float("nan")
        margin = 1.0  # degrees: projected zones are used a little beyond their edges
        if (
            np.all(np.isfinite((w, s, e, n)))
            and w >= area.west - margin
            and e <= area.east + margin
            and s >= area.south - margin
            and n <= area.north + margin
            and (x1 - x0) > 1.0  # metres: lon/lat extents are smaller than that
        ):
            return plan_crs
    if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        return WGS84
    return None


def describe(crs: CRS) -> str:
    code = crs.to_authority()
    name = f"{code[0]}:{code[1]}" if code else crs.to_string()
    order = " (bujur, lintang / longitude, latitude)" if crs.is_geographic else ""
    return f"{name} {crs.name}{order}"
