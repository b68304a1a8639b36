"""Raster statistics of many sites at once, for the memory store.

``kkpr.plan.rasters.site_stat`` opens the raster and reads a window per site: right
for one check, far too slow for a million. Here the window of the plan's region is
read once per raster and kept (a country-sized raster is still never read whole),
the DEM's slope is derived once, and one exactextract call covers every site of a
batch. The numbers are those of ``site_stat``, to the last bit: the same cells, the
same slope arithmetic, the same coverage fractions and the same sums per site. A
site too near the edge of the kept window (where the window's slope or extent would
differ from its own) is measured by ``site_stat`` itself.

What makes one site cheap, as the single check needs (``bench/single.py``):

* the screen (``screen``): summed-area tables of each raster's valid cells and of its
  cells above the limit, built once per raster, count the cells under a site's
  bounding box in four lookups. A site over no valid cell has no statistics, and
  exactextract is not asked; the bulk path also settles here every site whose cells
  are all alike (its share is 0 or 1, bit for bit what exactextract gives).
* exactextract's operations (``coverage`` and ``values`` over the kept window), its
  processor, feature source and writer are made once per raster and thread
  (``Grid.measure``, ``_Measure``), not at every call: making them costs more than
  measuring one small site. They stay per thread, like the prepared geometries of
  ``kkpr.store.prepared``.
* one site (``one_stat``, the single check) is screened on Python floats, not arrays
  of one, and a point's own window is found from the transform kept with the grid.
* a site is one exactextract feature (``_Site``) for every raster of its CRS
  (``site_stats``): exactextract parses its WKB once and keeps the geometry with the
  feature, and every feature costs a GEOS context of its own, so neither a feature
  per raster nor one per result (the writer copies into one reused row).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from exactextract.feature import Feature, FeatureSource  # the base its own features extend
from exactextract.operation import Operation
from exactextract.processor import FeatureSequentialProcessor
from exactextract.raster import NumPyRasterSource
from exactextract.writer import Writer
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from kkpr.model import RasterSpec, RasterStat
from kkpr.plan.rasters import open_raster, site_stat, slope_pct, stat_of_cells, window_around
from kkpr.site import to_crs_many

EDGE_CELLS = 2  # a site this close to a cut edge of the kept window is measured alone
# exactextract's own defaults in ``exact_extract``, kept so that its answers do not move
MAX_CELLS_IN_MEMORY = 30_000_000
GRID_COMPAT_TOL = 1e-3


@dataclass
class Grid:
    """The kept window of one raster: values (slope for a DEM), extent, safe bounds."""

    spec: RasterSpec
    path: Path
    crs: str  # the raster's CRS
    data: np.ndarray
    extent: tuple[float, float, float, float]
    inner: tuple[float, float, float, float]  # site bounds inside this need no fallback
    offset: tuple[int, int]  # the kept window's first column and row in the raster
    # the whole raster's size (columns, rows), transform and inverse (a, b, c, d, e, f):
    # where a point's own window lies, without the dataset (see ``_point_window``)
    size: tuple[int, int]
    transform: tuple[float, float, float, float, float, float]
    inverse: tuple[float, float, float, float, float, float]
    # summed-area tables of the valid cells and of the cells above the limit (screen)
    valid_sat: NDArray[np.int64] = field(init=False, repr=False, compare=False)
    above_sat: NDArray[np.int64] = field(init=False, repr=False, compare=False)
    cell: tuple[float, float] = field(init=False, repr=False, compare=False)  # width, height
    _local: threading.local = field(default_factory=threading.local, repr=False, compare=False)

    def __post_init__(self) -> None:
        valid = np.isfinite(self.data)
        limit = self.limit
        if limit is None:
            above = np.zeros_like(valid)
        elif self.spec.kind == "dem":  # "steeper than" the limit
            above = valid & (np.nan_to_num(self.data, nan=-np.inf) > limit)
        else:  # "at or above" the hazard threshold
            above = valid & (np.nan_to_num(self.data, nan=-np.inf) >= limit)
        self.valid_sat, self.above_sat = _sat(valid), _sat(above)
        rows, cols = self.data.shape
        xmin, ymin, xmax, ymax = self.extent
        self.cell = ((xmax - xmin) / cols, (ymax - ymin) / rows)

    def __getstate__(self) -> dict[str, Any]:
        # pickled (a store sent to Dask workers): without this thread's exactextract
        # operations, which each process and thread prepares again on first use
        state = dict(self.__dict__)
        state["_local"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _local=threading.local())

    @property
    def limit(self) -> float | None:
        """The raster's limit: the slope limit of a DEM, the threshold of a hazard."""
        return self.spec.slope_limit_pct if self.spec.kind == "dem" else self.spec.threshold

    def operations(self) -> list[Operation]:
        """This thread's exactextract ``coverage`` and ``values`` over the kept window,
        prepared on its first call (never shared between threads)."""
        return self.measure().ops

    def measure(self) -> _Measure:
        """This thread's exactextract run over the kept window (see ``_Measure``),
        made on its first call (never shared between threads)."""
        measure: _Measure | None = getattr(self._local, "measure", None)
        if measure is None:
            source = NumPyRasterSource(self.data, *self.extent, nodata=np.nan)
            measure = self._local.measure = _Measure(source)
        return measure


def _sat(mask: NDArray[np.bool_]) -> NDArray[np.int64]:
    out = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), dtype=np.int64)
    out[1:, 1:] = mask.astype(np.int64).cumsum(0).cumsum(1)
    return out


@dataclass
class Screen:
    """What the summed-area tables prove about sites (raster CRS), before exactextract.

    ``inside``: a polygon or line within the kept window's safe bounds (exactextract
    on the kept window gives ``site_stat``'s numbers); ``empty``: no valid cell under
    the site's bounding box (no statistics: ``cells`` 0); ``pure``: a polygon or line
    whose cells are all valid and all above the limit or all below it, ``above`` which.
    """

    inside: NDArray[np.bool_]
    empty: NDArray[np.bool_]
    pure: NDArray[np.bool_]
    above: NDArray[np.bool_]


def screen(grid: Grid, own: NDArray[np.object_]) -> Screen:
    """Screen ``own`` (geometries in the raster's CRS) with ``grid``'s tables.

    A few whole-array operations, whatever the number of sites: one site (a single
    check) costs microseconds, a million (the bulk path) a fraction of a second.
    """
    b = shapely.bounds(own).reshape(-1, 4)
    rows, cols = grid.data.shape
    xmin, _ymin, xmax, ymax = grid.extent
    size = np.array([(xmax - xmin) / cols, (ymax - grid.extent[1]) / rows])
    lo = np.array(grid.inner[:2])
    hi = np.array(grid.inner[2:])
    with np.errstate(invalid="ignore"):  # an empty geometry has NaN bounds
        # first and last column, first and last row under the bounding box, with a
        # hair of slack so that an edge on a cell line takes the cells on both sides
        low = np.floor((b[:, [0, 3]] - [xmin, ymax]) * [1, -1] / size - 1e-9)
        high = np.floor((b[:, [2, 1]] - [xmin, ymax]) * [1, -1] / size + 1e-9)
        safe = (b[:, :2] >= lo).all(1) & (b[:, 2:] <= hi).all(1)
        known = safe & (low >= 0).all(1) & (high < [cols, rows]).all(1)
    low = np.where(known[:, None], low, 0).astype(np.int64)
    high = np.where(known[:, None], high, 0).astype(np.int64) + 1
    c0, r0, c1, r1 = low[:, 0], low[:, 1], high[:, 0], high[:, 1]

    def total(t: NDArray[np.int64]) -> NDArray[np.int64]:
        found: NDArray[np.int64] = t[r1, c1] - t[r0, c1] - t[r1, c0] + t[r0, c0]
        return found

    count = (c1 - c0) * (r1 - r0)
    valid, above = total(grid.valid_sat), total(grid.above_sat)
    # a point samples the cell it falls in through a 1e-6 m buffer (see many_stats)
    area = shapely.get_type_id(own) != 0
    return Screen(
        inside=area & safe,
        empty=known & (valid == 0),
        pure=known & area & (valid == count) & ((above == 0) | (above == count)),
        above=above == count,
    )


def load_grid(path: Path, spec: RasterSpec, bounds: tuple[float, ...], plan_crs: str) -> Grid:
    """Read the window of ``path`` around ``bounds`` (in the plan CRS)."""
    ds = open_raster(path)  # the per-thread dataset site_stat also reads
    crs = ds.crs.to_string() if ds.crs else plan_crs
    if crs != plan_crs:
        box = to_crs_many(np.array([shapely.box(*bounds)], dtype=object), plan_crs, crs)[0]
        bounds = box.bounds
    w = window_around(ds, bounds, pad=1)
    data = ds.read(1, window=w, masked=True).astype("float64").filled(np.nan)
    t = ds.window_transform(w)
    cut = (
        w.col_off > 0,
        w.row_off + w.height < ds.height,
        w.col_off + w.width < ds.width,
        w.row_off > 0,
    )
    if spec.kind == "dem":
        data = slope_pct(data, abs(t.a), abs(t.e))
    xmin, ymax = t.c, t.f
    xmax, ymin = xmin + t.a * data.shape[1], ymax + t.e * data.shape[0]
    mx, my = EDGE_CELLS * abs(t.a), EDGE_CELLS * abs(t.e)
    inner = (
        xmin + mx if cut[0] else -np.inf,
        ymin + my if cut[1] else -np.inf,
        xmax - mx if cut[2] else np.inf,
        ymax - my if cut[3] else np.inf,
    )
    offset = (int(w.col_off), int(w.row_off))
    extent = (xmin, ymin, xmax, ymax)
    size = (int(ds.width), int(ds.height))
    transform, inverse = ds.transform[:6], (~ds.transform)[:6]
    return Grid(spec, path, crs, data, extent, inner, offset, size, transform, inverse)


def many_stats(grid: Grid, geoms: np.ndarray, plan_crs: str) -> list[RasterStat]:
    """``site_stat`` of every geometry (plan CRS), in one exactextract call."""
    if len(geoms) == 1:  # the single check: no array work for one site
        return [one_stat(grid, geoms[0], plan_crs)]
    spec = grid.spec
    own = to_crs_many(geoms, plan_crs, grid.crs)
    seen = screen(grid, own)
    out: list[RasterStat | None] = [None] * len(geoms)
    for i in np.flatnonzero(seen.empty):  # no valid cell: what stat_of_cells would say
        out[i] = RasterStat(spec.id, 0.0, None, None, None)
    for i in np.flatnonzero(~seen.inside & ~seen.empty):
        out[i] = _alone(grid, own[i], geoms[i], plan_crs)
    todo = np.flatnonzero(seen.inside & ~seen.empty)
    if len(todo):
        inclusive = spec.kind != "dem"  # "at or above" a hazard, "steeper than" a slope
        wkbs = shapely.to_wkb(own[todo])
        rows = grid.measure().cells([_Site(g, w) for g, w in zip(own[todo], wkbs, strict=True)])
        for i, (cov, val) in zip(todo, rows, strict=True):
            out[i] = stat_of_cells(spec.id, cov, val, grid.limit, inclusive)
    return [s for s in out if s is not None]


def site_stats(grids: Sequence[Grid], geom: BaseGeometry, plan_crs: str) -> list[RasterStat]:
    """``one_stat`` of one site (plan CRS) over each of ``grids``: the site in a raster
    CRS, its bounds and what exactextract reads of it are made once for every raster
    of that CRS."""
    sites: dict[str, _Site] = {}
    return [one_stat(grid, geom, plan_crs, sites) for grid in grids]


def one_stat(
    grid: Grid, geom: BaseGeometry, plan_crs: str, sites: dict[str, _Site] | None = None
) -> RasterStat:
    """``site_stat`` of one geometry (plan CRS): ``many_stats`` of one site, with the
    screen's arithmetic done on Python floats instead of arrays of one.

    ``sites``: the site by raster CRS, as exactextract reads it, filled here and shared
    by the rasters of one site (``site_stats``)."""
    spec = grid.spec
    site = None if sites is None else sites.get(grid.crs)
    if site is None:
        own = geom if grid.crs == plan_crs else to_crs_many(np.array([geom]), plan_crs, grid.crs)[0]
        site = _Site(own)
        if sites is not None:
            sites[grid.crs] = site
    x0, y0, x1, y1 = site.bounds
    lo_x, lo_y, hi_x, hi_y = grid.inner
    safe = x0 >= lo_x and y0 >= lo_y and x1 <= hi_x and y1 <= hi_y  # False if NaN (empty)
    if safe:
        # as ``screen``: the first and last column and row under the bounding box
        xmin, ymax = grid.extent[0], grid.extent[3]
        width, height = grid.cell
        c0 = math.floor((x0 - xmin) / width - 1e-9)
        r0 = math.floor((ymax - y1) / height - 1e-9)
        c1 = math.floor((x1 - xmin) / width + 1e-9) + 1
        r1 = math.floor((ymax - y0) / height + 1e-9) + 1
        rows, cols = grid.data.shape
        if c0 >= 0 and r0 >= 0 and c1 <= cols and r1 <= rows:
            t = grid.valid_sat
            if t[r1, c1] - t[r0, c1] - t[r1, c0] + t[r0, c0] == 0:
                return RasterStat(spec.id, 0.0, None, None, None)
    if not safe:
        return _alone(grid, site.own, geom, plan_crs)
    if site.point:
        return _point_stat(grid, site)
    cov, val = grid.measure().cells_of(site)
    return stat_of_cells(spec.id, cov, val, grid.limit, spec.kind != "dem")


def _alone(grid: Grid, own: BaseGeometry, geom: BaseGeometry, plan_crs: str) -> RasterStat:
    """A site the kept window cannot measure as it is: a point (over the window
    ``site_stat`` reads, cut from the kept one) or a site near a cut edge (by
    ``site_stat`` itself)."""
    if own.geom_type == "Point" and _within(own, grid.inner):
        return _point_stat(grid, _Site(own))
    return site_stat(grid.path, grid.spec, geom, plan_crs)


def _within(geom: BaseGeometry, inner: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = geom.bounds
    return bool(x0 >= inner[0] and y0 >= inner[1] and x1 <= inner[2] and y1 <= inner[3])


def _point_stat(grid: Grid, site: _Site) -> RasterStat:
    """``site_stat`` of a point (``site``, in the raster CRS) away from the kept
    window's cut edges.

    A point samples its cell through a 1e-6 m buffer whose coverage fraction, a few
    1e-15 of a cell, depends on the grid's origin: it is measured over the window
    ``site_stat`` would read (same cells, same origin), cut from the kept window
    instead of read from the file; a DEM's slope there is the kept slope with the
    window's edge left without slope, as ``slope_pct`` of that window leaves it.
    """
    spec = grid.spec
    col0, row0, width, height = _point_window(grid, site.own, pad=1 if spec.kind == "dem" else 0)
    if width <= 0 or height <= 0:
        return RasterStat(spec.id, 0.0, None, None, None)
    c0, r0 = col0 - grid.offset[0], row0 - grid.offset[1]
    data = grid.data[r0 : r0 + height, c0 : c0 + width].copy()
    if spec.kind == "dem":
        data[0] = data[-1] = data[:, 0] = data[:, -1] = np.nan
    # rasterio's ``window_transform`` of that window, term for term
    a, b, c, d, e, f = grid.transform
    x, y = col0 * a + row0 * b + c, col0 * d + row0 * e + f
    xmin, ymax = 1.0 * c + 0.0 * f + (x - c), 0.0 * c + 1.0 * f + (y - f)
    extent = (xmin, ymax + e * height, xmin + a * width, ymax)
    source = NumPyRasterSource(data, *extent, nodata=np.nan)
    cov, val = _Measure(source, _point_io()).cells_of(site)
    return stat_of_cells(spec.id, cov, val, grid.limit, spec.kind != "dem")


def _point_window(grid: Grid, point: BaseGeometry, pad: int) -> tuple[int, int, int, int]:
    """``window_around`` (column, row, width, height) of a point, from the transform
    kept in ``grid`` (the same arithmetic as the dataset's inverse transform)."""
    ia, ib, ic, id_, ie, if_ = grid.inverse
    x, y = point.x, point.y
    col, row = x * ia + y * ib + ic, x * id_ + y * ie + if_
    col0, row0 = max(math.floor(col) - pad, 0), max(math.floor(row) - pad, 0)
    col1 = min(math.ceil(col) + pad, grid.size[0])
    row1 = min(math.ceil(row) + pad, grid.size[1])
    return col0, row0, max(col1 - col0, 0), max(row1 - row0, 0)


class _Measure:
    """exactextract's ``coverage`` and ``values`` of one raster source, ready to run.

    What ``exact_extract`` does per call, made once: the operations (built directly,
    not parsed from text by ``prepare_operations``, which costs more than measuring a
    small site), the processor, its feature source and its writer (``io``, which
    measures of one thread may share: one runs at a time); ``cells`` swaps the
    features and runs the processor again. Not thread-safe: one per thread.
    """

    def __init__(self, source: NumPyRasterSource, io: _IO | None = None) -> None:
        self.source = source  # the operations point at the source without holding it
        self.ops = [
            Operation("coverage", "coverage", source),
            Operation("values", "values", source),
        ]
        self.io = _IO() if io is None else io
        self.processor = FeatureSequentialProcessor(self.io.sites, self.io.cells, self.ops)
        self.processor.set_max_cells_in_memory(MAX_CELLS_IN_MEMORY)
        self.processor.set_grid_compat_tol(GRID_COMPAT_TOL)

    def cells(self, sites: list[_Site]) -> list[tuple[np.ndarray, np.ndarray]]:
        """exactextract's (coverage, values) of each site, in order."""
        io = self.io
        io.sites.items, io.cells.rows = sites, []
        try:
            self.processor.process()
            return io.cells.rows
        finally:
            io.sites.items, io.cells.rows = [], []

    def cells_of(self, site: _Site) -> tuple[np.ndarray, np.ndarray]:
        """exactextract's (coverage, values) of one site."""
        ((cov, val),) = self.cells([site])
        return cov, val


class _Site(Feature):  # type: ignore[misc]  # exactextract has no types
    """A site (``own``, in the raster CRS) handed to exactextract as WKB: its own or,
    for a point, its 1e-6 m buffer's (a point samples the cell it falls in).

    exactextract asks for the WKB once, parses it and keeps the GEOS geometry with the
    feature (each feature also makes its own GEOS context): one feature per site, used
    by every raster that reads the site in the same CRS, never for another site.
    """

    def __init__(self, own: BaseGeometry, wkb: bytes | None = None) -> None:
        Feature.__init__(self)
        self.own = own
        self.point = own.geom_type == "Point"
        self.wkb = wkb
        self._bounds: tuple[float, float, float, float] | None = None

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The site's bounds, taken on first read (a plain property: Python 3.11's
        ``functools.cached_property`` takes a lock to compute, which a site, read once
        or twice, pays every time)."""
        if self._bounds is None:
            x0, y0, x1, y1 = self.own.bounds
            self._bounds = (x0, y0, x1, y1)
        return self._bounds

    def geometry(self) -> bytes:
        if self.wkb is None:
            self.wkb = shapely.to_wkb(self.own.buffer(1e-6) if self.point else self.own)
        return self.wkb

    def set_geometry_format(self) -> str:
        return "wkb"

    def set_geometry(self, wkb: bytes) -> None:
        pass

    def fields(self) -> list[str]:
        return []

    def get(self, name: str) -> Any:
        raise KeyError(name)

    def set(self, name: str, value: Any) -> None:
        raise NotImplementedError  # results go to the writer's _Row


class _Sites(FeatureSource):  # type: ignore[misc]  # exactextract has no types
    def __init__(self) -> None:
        super().__init__()
        self.items: list[_Site] = []

    def count(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[_Site]:
        return iter(self.items)

    def srs_wkt(self) -> None:
        return None


class _Row(Feature):  # type: ignore[misc]  # exactextract has no types
    """Where the writer copies one site's results (one per writer, reused)."""

    def __init__(self) -> None:
        Feature.__init__(self)
        self.props: dict[str, Any] = {}

    def geometry(self) -> bytes:
        return b""

    def set_geometry(self, wkb: bytes) -> None:
        pass

    def fields(self) -> list[str]:
        return list(self.props)

    def get(self, name: str) -> Any:
        return self.props[name]

    def set(self, name: str, value: Any) -> None:
        self.props[name] = value


class _Cells(Writer):  # type: ignore[misc]  # exactextract has no types
    """Keeps (coverage, values) of each feature, in feature order."""

    def __init__(self) -> None:
        super().__init__()
        self.row = _Row()
        self.rows: list[tuple[np.ndarray, np.ndarray]] = []

    def add_operation(self, op: Any) -> None:
        pass

    def add_column(self, name: str) -> None:
        pass

    def add_geometry(self) -> None:
        pass

    def write(self, feature: Any) -> None:
        props = self.row.props
        props.clear()  # a field exactextract did not set is missing, not the last site's
        feature.copy_to(self.row)
        self.rows.append((props["coverage"], props["values"]))

    def features(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return self.rows


@dataclass
class _IO:
    """The feature source and writer of a ``_Measure``."""

    sites: _Sites = field(default_factory=_Sites)
    cells: _Cells = field(default_factory=_Cells)


_POINTS = threading.local()


def _point_io() -> _IO:
    """This thread's feature source and writer for points' one-off measures."""
    io: _IO | None = getattr(_POINTS, "io", None)
    if io is None:
        io = _POINTS.io = _IO()
    return io
