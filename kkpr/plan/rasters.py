"""Hazard and slope statistics of a site from the plan's rasters.

Only the window around the site is read (a country-sized raster is never loaded
whole), and cells at the site's edge count by the exact share of the cell the site
covers (exactextract), so a site's statistics do not jump as its edge crosses a cell.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import rasterio
from exactextract import exact_extract
from exactextract.raster import NumPyRasterSource
from rasterio.windows import Window
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from kkpr.errors import PlanError
from kkpr.model import RasterSpec, RasterStat
from kkpr.site import to_crs


def slope_pct(dem: np.ndarray, xres: float, yres: float) -> np.ndarray:
    """Slope in percent (rise/run x 100) by central differences; edges stay NaN."""
    out = np.full(dem.shape, np.nan, dtype="float64")
    if dem.shape[0] < 3 or dem.shape[1] < 3:
        return out
    dzdx = (dem[1:-1, 2:] - dem[1:-1, :-2]) / (2 * xres)
    dzdy = (dem[2:, 1:-1] - dem[:-2, 1:-1]) / (2 * yres)
    out[1:-1, 1:-1] = np.hypot(dzdx, dzdy) * 100.0
    return out


def window_around(ds: rasterio.io.DatasetReader, bounds: tuple[float, ...], pad: int) -> Window:
    """The cells under ``bounds`` plus ``pad`` cells around, clipped to the raster."""
    minx, miny, maxx, maxy = bounds
    inv = ~ds.transform
    cols, rows = zip(*(inv @ (x, y) for x in (minx, maxx) for y in (miny, maxy)), strict=True)
    col0, row0 = math.floor(min(cols)) - pad, math.floor(min(rows)) - pad
    col1, row1 = math.ceil(max(cols)) + pad, math.ceil(max(rows)) + pad
    col0, row0 = max(col0, 0), max(row0, 0)
    col1, row1 = min(col1, ds.width), min(row1, ds.height)
    return Window(col0, row0, max(col1 - col0, 0), max(row1 - row0, 0))


_OPEN = threading.local()


def open_raster(path: Path) -> rasterio.io.DatasetReader:
    """An open dataset for ``path``, kept per thread: opening costs milliseconds, more
    than a site's whole window read (datasets are not shared between threads)."""
    cache: dict[tuple[Path, float], rasterio.io.DatasetReader] = _OPEN.__dict__.setdefault(
        "datasets", {}
    )
    try:
        key = (path, path.stat().st_mtime)
        ds = cache.get(key)
        if ds is None or ds.closed:
            ds = cache[key] = rasterio.open(path)
    except (OSError, rasterio.errors.RasterioIOError) as exc:
        raise PlanError(
            "Raster rencana tidak dapat dibaca", "Plan raster cannot be read", where=str(path)
        ) from exc
    return ds


def site_stat(path: Path, spec: RasterSpec, geom: BaseGeometry, crs: str) -> RasterStat:
    """Statistics of ``geom`` (in ``crs``, the plan CRS) over one raster."""
    ds = open_raster(path)
    # the dataset stays open for the next site (see open_raster)
    raster_crs = ds.crs.to_string() if ds.crs else crs
    if raster_crs != crs:
        geom = to_crs(geom, crs, raster_crs)
    pad = 1 if spec.kind == "dem" else 0
    window = window_around(ds, geom.bounds, pad)
    if window.width <= 0 or window.height <= 0:
        return RasterStat(spec.id, 0.0, None, None, None)
    data = ds.read(1, window=window, masked=True).astype("float64").filled(np.nan)
    transform = ds.window_transform(window)
    if spec.kind == "dem":
        data = slope_pct(data, abs(transform.a), abs(transform.e))
        limit, inclusive = spec.slope_limit_pct, False  # "steeper than" the limit
    else:
        limit, inclusive = spec.threshold, True  # "at or above" the hazard threshold
    xmin, ymax = transform.c, transform.f
    xmax = xmin + transform.a * data.shape[1]
    ymin = ymax + transform.e * data.shape[0]
    return stat_of_array(spec.id, data, (xmin, ymin, xmax, ymax), geom, limit, inclusive)


def stat_of_array(
    raster_id: str,
    data: np.ndarray,
    extent: tuple[float, float, float, float],
    geom: BaseGeometry,
    limit: float | None,
    inclusive: bool = True,
) -> RasterStat:
    """Coverage-weighted statistics of ``geom`` over ``data`` (NaN = no data)."""
    if geom.geom_type == "Point":
        geom = geom.buffer(1e-6)  # a point samples the cell it falls in
    source = NumPyRasterSource(data, *extent, nodata=np.nan)
    feature = {"type": "Feature", "properties": {}, "geometry": mapping(geom)}
    rows = exact_extract(source, [feature], ["coverage", "values"], output="pandas")
    return stat_of_cells(
        raster_id, rows["coverage"].iloc[0], rows["values"].iloc[0], limit, inclusive
    )


def stat_of_cells(
    raster_id: str, cov: np.ndarray, val: np.ndarray, limit: float | None, inclusive: bool
) -> RasterStat:
    """Statistics of the cells a geometry covers: exactextract's coverage fractions and
    values (NaN = no data); the share of the covered area at or above ``limit`` (above
    it when not ``inclusive``)."""
    cover = np.asarray(cov, dtype="float64")
    values = np.asarray(val, dtype="float64")
    keep = np.isfinite(values) & (cover > 0)
    cover, values = cover[keep], values[keep]
    if cover.sum() <= 0:
        return RasterStat(raster_id, 0.0, None, None, None)
    weight = cover.sum()
    share = None
    if limit is not None:
        above = values >= limit if inclusive else values > limit
        share = float(cover[above].sum() / weight)
    return RasterStat(
        id=raster_id,
        cells=float(weight),
        max=float(values.max()),
        mean=float((values * cover).sum() / weight),
        share_above=share,
    )


def ground_elevation(path: Path, geom: BaseGeometry, crs: str) -> float | None:
    """The highest ground under ``geom`` (plan CRS ``crs``) on a DEM, in its units (m
    above mean sea level): the highest cell the geometry covers; None where the DEM
    has no cell there. What a KKOP limit elevation is compared with (issue 18 item 8)."""
    ds = open_raster(path)
    raster_crs = ds.crs.to_string() if ds.crs else crs
    if raster_crs != crs:
        geom = to_crs(geom, crs, raster_crs)
    window = window_around(ds, geom.bounds, 0)
    if window.width <= 0 or window.height <= 0:
        return None
    data = ds.read(1, window=window, masked=True).astype("float64").filled(np.nan)
    transform = ds.window_transform(window)
    xmin, ymax = transform.c, transform.f
    xmax = xmin + transform.a * data.shape[1]
    ymin = ymax + transform.e * data.shape[0]
    return stat_of_array("dem", data, (xmin, ymin, xmax, ymax), geom, None).max
