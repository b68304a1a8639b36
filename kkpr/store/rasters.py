"""Raster statistics of many sites at once, for the memory store.

``kkpr.plan.rasters.site_stat`` opens the raster and reads a window per site: right
for one check, far too slow for a million. Here the window of the plan's region is
read once per raster and kept (a country-sized raster is still never read whole),
the DEM's slope is derived once, and one exactextract call covers every site of a
batch. The numbers are those of ``site_stat``, to the last bit: the same cells, the
same slope arithmetic, the same coverage fractions and the same sums per site. A
site too near the edge of the kept window (where the window's slope or extent would
differ from its own) is measured by ``site_stat`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource  # the base its own features extend
from exactextract.raster import NumPyRasterSource
from exactextract.writer import Writer

from kkpr.model import RasterSpec, RasterStat
from kkpr.plan.rasters import open_raster, site_stat, slope_pct, stat_of_cells, window_around
from kkpr.site import to_crs_many

EDGE_CELLS = 2  # a site this close to a cut edge of the kept window is measured alone


@dataclass
class Grid:
    """The kept window of one raster: values (slope for a DEM), extent, safe bounds."""

    spec: RasterSpec
    path: Path
    crs: str  # the raster's CRS
    data: np.ndarray
    extent: tuple[float, float, float, float]
    inner: tuple[float, float, float, float]  # site bounds inside this need no fallback


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
    return Grid(spec, path, crs, data, (xmin, ymin, xmax, ymax), inner)


def many_stats(grid: Grid, geoms: np.ndarray, plan_crs: str) -> list[RasterStat]:
    """``site_stat`` of every geometry (plan CRS), in one exactextract call."""
    spec = grid.spec
    own = to_crs_many(geoms, plan_crs, grid.crs)
    b = shapely.bounds(own)
    # a point samples its cell through a 1e-6 m buffer whose coverage fraction, a few
    # 1e-15 of a cell, depends on the grid origin: points are measured alone
    inside = (
        (shapely.get_type_id(own) != 0)
        & (b[:, 0] >= grid.inner[0])
        & (b[:, 1] >= grid.inner[1])
        & (b[:, 2] <= grid.inner[2])
        & (b[:, 3] <= grid.inner[3])
    )
    out: list[RasterStat | None] = [None] * len(geoms)
    for i in np.flatnonzero(~inside):
        out[i] = site_stat(grid.path, spec, geoms[i], plan_crs)
    todo = np.flatnonzero(inside)
    if len(todo):
        if spec.kind == "dem":
            limit, inclusive = spec.slope_limit_pct, False
        else:
            limit, inclusive = spec.threshold, True
        source = NumPyRasterSource(grid.data, *grid.extent, nodata=np.nan)
        features = _WkbFeatures(list(shapely.to_wkb(own[todo])))
        rows = exact_extract(source, features, ["coverage", "values"], output=_Cells())
        for i, (cov, val) in zip(todo, rows, strict=True):
            out[i] = stat_of_cells(spec.id, cov, val, limit, inclusive)
    return [s for s in out if s is not None]


class _WkbFeature(Feature):
    """A feature handed to exactextract as WKB (no GeoJSON round trip per site)."""

    def __init__(self, wkb: bytes) -> None:
        Feature.__init__(self)
        self.wkb = wkb
        self.props: dict[str, Any] = {}

    def geometry(self) -> bytes:
        return self.wkb

    def set_geometry_format(self) -> str:
        return "wkb"

    def set_geometry(self, wkb: bytes) -> None:
        pass

    def fields(self) -> list[str]:
        return list(self.props)

    def get(self, name: str) -> Any:
        return self.props[name]

    def set(self, name: str, value: Any) -> None:
        self.props[name] = value


class _WkbFeatures(FeatureSource):
    def __init__(self, wkbs: list[bytes]) -> None:
        super().__init__()
        self.wkbs = wkbs

    def count(self) -> int:
        return len(self.wkbs)

    def __iter__(self) -> Iterator[_WkbFeature]:
        return (_WkbFeature(w) for w in self.wkbs)

    def srs_wkt(self) -> None:
        return None


class _Cells(Writer):
    """Keeps (coverage, values) of each feature, in feature order."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[np.ndarray, np.ndarray]] = []

    def add_operation(self, op: Any) -> None:
        pass

    def add_column(self, name: str) -> None:
        pass

    def add_geometry(self) -> None:
        pass

    def write(self, feature: Any) -> None:
        out = _WkbFeature(b"")
        feature.copy_to(out)
        self.rows.append((out.props["coverage"], out.props["values"]))

    def features(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return self.rows
