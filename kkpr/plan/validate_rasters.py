"""Validating a plan's rasters: readable, with their limits, and within what a server holds.

A raster is read by window, never whole, but the window can still be huge: the memory
store keeps the window over the plan's whole region (its zones plus the outside-plan
margin), and one check reads the window of the largest site allowed. A 10 cm raster over
a city made every check try to allocate 54.5 GiB. So each raster is held to three
settings before a version can be activated: its cell size (``raster_min_cell_m``), the
cells of that region window (``raster_max_cells``) and the memory a check may need for
it (``raster_max_memory_bytes``).
"""

from __future__ import annotations

import math

import numpy as np
import rasterio
from pyproj import Transformer

from kkpr.errors import Problem
from kkpr.model import RasterSpec
from kkpr.plan.package import Plan
from kkpr.plan.rasters import window_around
from kkpr.settings import Settings, get_settings
from kkpr.text import num_en, num_id

METRES_PER_DEGREE = 111_320.0
FLOAT_BYTES = 8  # windows are read as float64
# arrays alive at once per cell: the read values and their float64 copy; a DEM adds its slope
ARRAYS_PER_CELL = {"hazard": 2, "dem": 3}


def raster_problems(plan: Plan, settings: Settings | None = None) -> list[Problem]:
    settings = settings or get_settings()
    out: list[Problem] = []
    for spec in plan.meta.rasters:
        out += _limits_set(spec)
        path = plan.raster_path(spec)
        if not path.exists():
            out.append(_problem(spec, "raster.missing", "tidak ada", "is missing", "plan.toml"))
            continue
        try:
            with rasterio.open(path) as ds:
                out += _size(plan, spec, ds, settings)
        except rasterio.errors.RasterioIOError as exc:
            out.append(
                _problem(spec, "raster.unreadable", "tidak dapat dibaca", f"cannot be read: {exc}")
            )
    return out


def _size(
    plan: Plan, spec: RasterSpec, ds: rasterio.io.DatasetReader, settings: Settings
) -> list[Problem]:
    out = []
    crs = ds.crs.to_string() if ds.crs else plan.meta.crs
    if ds.crs is None:
        out.append(
            _problem(
                spec,
                "raster.no_crs",
                f"tanpa CRS: dianggap {plan.meta.crs}",
                f"has no CRS: read as {plan.meta.crs}",
                severity="warning",
            )
        )
    region = _region_bounds(plan, settings, crs)
    cell_x, cell_y = _cell_metres(ds, region)
    if min(cell_x, cell_y) < settings.raster_min_cell_m:
        out.append(
            _problem(
                spec,
                "raster.resolution",
                f"sel {num_id(cell_x, 2)} × {num_id(cell_y, 2)} m lebih halus dari batas "
                f"{num_id(settings.raster_min_cell_m, 2)} m; sampel ulang ke sel yang lebih besar",
                f"cells of {num_en(cell_x, 2)} × {num_en(cell_y, 2)} m are finer than the "
                f"limit of {num_en(settings.raster_min_cell_m, 2)} m; resample to larger cells",
            )
        )
    window = window_around(ds, region, pad=1) if region else None
    cells = int(window.width * window.height) if window is not None else ds.width * ds.height
    # one check reads at least the window of the largest site allowed
    side = math.sqrt(settings.max_site_area_m2)
    site_cells = (side / cell_x + 3) * (side / cell_y + 3)
    need = int(max(cells, site_cells) * FLOAT_BYTES * ARRAYS_PER_CELL[spec.kind])
    if cells > settings.raster_max_cells:
        out.append(
            _problem(
                spec,
                "raster.too_many_cells",
                f"{num_id(cells, 0)} sel di atas wilayah rencana, lebih dari batas "
                f"{num_id(settings.raster_max_cells, 0)}",
                f"{num_en(cells, 0)} cells over the plan's region, more than the limit of "
                f"{num_en(settings.raster_max_cells, 0)}",
            )
        )
    if need > settings.raster_max_memory_bytes:
        out.append(
            _problem(
                spec,
                "raster.too_much_memory",
                f"pemeriksaan dapat memerlukan {num_id(need / 2**20, 1)} MiB memori, lebih "
                f"dari batas {num_id(settings.raster_max_memory_bytes / 2**20, 1)} MiB",
                f"a check may need {num_en(need / 2**20, 1)} MiB of memory, more than the "
                f"limit of {num_en(settings.raster_max_memory_bytes / 2**20, 1)} MiB",
            )
        )
    return out


def _region_bounds(
    plan: Plan, settings: Settings, raster_crs: str
) -> tuple[float, float, float, float] | None:
    """The bounds (in the raster's CRS) of the region a memory store keeps a window of:
    the zones' extent widened by the outside-plan margin, with the RTRW layer's."""
    if not len(plan.zones):
        return None
    x0, y0, x1, y1 = plan.zones.total_bounds
    m = settings.outside_plan_margin_m
    x0, y0, x1, y1 = x0 - m, y0 - m, x1 + m, y1 + m
    if plan.rtrw is not None and len(plan.rtrw):
        r = plan.rtrw.total_bounds
        x0, y0, x1, y1 = min(x0, r[0]), min(y0, r[1]), max(x1, r[2]), max(y1, r[3])
    if raster_crs != plan.meta.crs:
        t = Transformer.from_crs(plan.meta.crs, raster_crs, always_xy=True)
        x0, y0, x1, y1 = t.transform_bounds(x0, y0, x1, y1)
    return float(x0), float(y0), float(x1), float(y1)


def _cell_metres(
    ds: rasterio.io.DatasetReader, region: tuple[float, float, float, float] | None
) -> tuple[float, float]:
    rx, ry = (abs(float(v)) for v in ds.res)
    if ds.crs is not None and ds.crs.is_geographic:
        lat = (region[1] + region[3]) / 2 if region else ds.bounds.bottom
        return rx * METRES_PER_DEGREE * max(np.cos(np.radians(lat)), 1e-6), ry * METRES_PER_DEGREE
    return rx, ry


def _limits_set(spec: RasterSpec) -> list[Problem]:
    if spec.kind == "dem" and spec.slope_limit_pct is None:
        return [
            _problem(
                spec,
                "raster.no_limit",
                "slope_limit_pct belum diisi",
                "slope_limit_pct is not set",
                "plan.toml",
            )
        ]
    if spec.kind == "hazard" and spec.threshold is None:
        return [
            _problem(
                spec,
                "raster.no_limit",
                "threshold belum diisi",
                "threshold is not set",
                "plan.toml",
            )
        ]
    return []


def _problem(
    spec: RasterSpec,
    code: str,
    what_id: str,
    what_en: str,
    file: str | None = None,
    severity: str = "error",
) -> Problem:
    return Problem(
        code,
        f"Raster {spec.id} ({spec.path}) {what_id}",
        f"Raster {spec.id} ({spec.path}) {what_en}",
        file=file or spec.path,
        severity=severity,
    )
