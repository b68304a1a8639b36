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
    it when not ``inclusive``).

    Every path measures with this function (``site_stat``, the stores, the bulk path)
    and sums in one order, numpy's pairwise order (``np.add.reduce`` of a contiguous
    float64 array): with numpy for many cells, in Python (``pairwise_sum``) for fewer
    than ``FEW_CELLS``, where a dozen numpy calls on arrays of a few elements cost more
    than the arithmetic. ``tests/plan/test_rasters.py`` holds the two to the same bits.
    """
    cover = np.asarray(cov, dtype="float64")
    values = np.asarray(val, dtype="float64")
    if len(cover) < FEW_CELLS:
        return stat_of_few_cells(raster_id, cover.tolist(), values.tolist(), limit, inclusive)
    keep = (cover > 0) & np.isfinite(values)
    if not keep.all():
        cover, values = cover[keep], values[keep]
    weight = float(np.add.reduce(cover))
    if not weight > 0:
        return RasterStat(raster_id, 0.0, None, None, None)
    share = None
    if limit is not None:
        above = values >= limit if inclusive else values > limit
        share = float(np.add.reduce(cover[above])) / weight
    return RasterStat(
        id=raster_id,
        cells=weight,
        max=float(np.maximum.reduce(values)),
        mean=float(np.add.reduce(values * cover)) / weight,
        share_above=share,
    )


FEW_CELLS = 24  # below this many cells, Python floats are faster than numpy (bench/single.py)


def stat_of_few_cells(
    raster_id: str, cover: list[float], values: list[float], limit: float | None, inclusive: bool
) -> RasterStat:
    """``stat_of_cells`` on Python floats, to the same bits (any number of cells)."""
    if len(cover) < 8:  # fewer than 8 to sum: pairwise_sum is a plain loop, run here
        return _stat_of_under_8_cells(raster_id, cover, values, limit, inclusive)
    weights: list[float] = []
    products: list[float] = []
    above: list[float] = []
    top = -math.inf
    for c, v in zip(cover, values, strict=True):
        if c > 0 and math.isfinite(v):
            weights.append(c)
            products.append(v * c)
            if limit is not None and (v >= limit if inclusive else v > limit):
                above.append(c)
            if v > top:
                top = v
    # numpy's sum adds its pairwise sum to 0.0 (which makes a sum of -0.0 into 0.0)
    weight = 0.0 + pairwise_sum(weights)
    if not weight > 0:
        return RasterStat(raster_id, 0.0, None, None, None)
    if top == 0.0:
        top = _zero_max(cover, values)
    share = None if limit is None else (0.0 + pairwise_sum(above)) / weight
    return RasterStat(raster_id, weight, top, (0.0 + pairwise_sum(products)) / weight, share)


def _stat_of_under_8_cells(
    raster_id: str, cover: list[float], values: list[float], limit: float | None, inclusive: bool
) -> RasterStat:
    """``stat_of_few_cells`` of fewer than 8 cells: the sums run as the cells come."""
    weight = product = above = 0.0
    top = -math.inf
    for c, v in zip(cover, values, strict=True):
        if c > 0 and math.isfinite(v):
            weight += c
            product += v * c
            if limit is not None and (v >= limit if inclusive else v > limit):
                above += c
            if v > top:
                top = v
    if not weight > 0:
        return RasterStat(raster_id, 0.0, None, None, None)
    if top == 0.0:
        top = _zero_max(cover, values)
    share = None if limit is None else above / weight
    return RasterStat(raster_id, weight, top, product / weight, share)


def _zero_max(cover: list[float], values: list[float]) -> float:
    """A maximum of zero as numpy's maximum gives it: 0.0 or -0.0, when both are there,
    by numpy's rule, not by which came first."""
    kept = [v for c, v in zip(cover, values, strict=True) if c > 0 and math.isfinite(v)]
    return float(np.maximum.reduce(kept))


def pairwise_sum(xs: list[float]) -> float:
    """The sum of ``xs`` in numpy's pairwise order (numpy's ``pairwise_sum``, which
    ``np.add.reduce`` runs over a contiguous float64 array): a plain loop below 8
    elements, eight running sums up to 128, halves (cut at a multiple of 8) above."""
    n = len(xs)
    if n < 8:
        s = 0.0
        for x in xs:
            s += x
        return s
    if n <= 128:
        r0, r1, r2, r3, r4, r5, r6, r7 = xs[:8]
        m = n - n % 8
        for i in range(8, m, 8):
            a0, a1, a2, a3, a4, a5, a6, a7 = xs[i : i + 8]
            r0, r1, r2, r3 = r0 + a0, r1 + a1, r2 + a2, r3 + a3
            r4, r5, r6, r7 = r4 + a4, r5 + a5, r6 + a6, r7 + a7
        s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for x in xs[m:]:
            s += x
        return s
    half = n // 2
    half -= half % 8
    return pairwise_sum(xs[:half]) + pairwise_sum(xs[half:])


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
