"""Raster findings against a brute-force computation on small rasters.

The brute force splits every cell into 200 x 200 sub-cells and counts the centres that
fall in the site: slow and obviously right; exactextract must agree with it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from shapely.geometry import Polygon

from kkpr.model import RasterSpec, RasterStat
from kkpr.plan import rasters
from kkpr.plan.rasters import pairwise_sum, site_stat, slope_pct, stat_of_cells, stat_of_few_cells

CRS = "EPSG:32751"
X0, Y0 = 560_000.0, 8_870_000.0
CELL = 10.0


def write(
    path: Path, data: np.ndarray, x0: float = X0, y0: float = Y0 + 100, **extra: object
) -> Path:
    profile = dict(
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype="float32",
        crs=CRS,
        transform=from_origin(x0, y0, CELL, CELL),
        nodata=-9999.0,
        **extra,
    )
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data.astype("float32"), 1)
    return path


def brute(
    data: np.ndarray, poly: Polygon, limit: float, inclusive: bool, k: int = 200
) -> tuple[float, float, float]:
    """(max, coverage-weighted mean, share above limit) by sub-cell sampling."""
    rows, cols = data.shape
    offs = (np.arange(k) + 0.5) / k
    weights = np.zeros(data.shape)
    prepared = poly
    shapely.prepare(prepared)
    for r in range(rows):
        for c in range(cols):
            xs = X0 + (c + offs) * CELL
            ys = Y0 + 100 - (r + offs) * CELL
            gx, gy = np.meshgrid(xs, ys)
            weights[r, c] = shapely.contains_xy(prepared, gx.ravel(), gy.ravel()).mean()
    valid = np.isfinite(data) & (weights > 0)
    w, v = weights[valid], data[valid]
    above = v >= limit if inclusive else v > limit
    return float(v.max()), float((v * w).sum() / w.sum()), float(w[above].sum() / w.sum())


# stored as float32, as plan rasters are: compare against the same values
HAZARD = (
    np.array([[(r * 10 + c) / 100 for c in range(10)] for r in range(10)])
    .astype("float32")
    .astype("float64")
)
SITES = {
    "cell-aligned": shapely.box(X0 + 20, Y0 + 20, X0 + 60, Y0 + 70),
    "off-grid box": shapely.box(X0 + 13.3, Y0 + 7.1, X0 + 58.9, Y0 + 66.6),
    "triangle": Polygon([(X0 + 5, Y0 + 5), (X0 + 95, Y0 + 12), (X0 + 33, Y0 + 91)]),
    "past the edge": shapely.box(X0 + 71.5, Y0 + 40.5, X0 + 130, Y0 + 88),
}


@pytest.mark.parametrize("name", list(SITES))
def test_hazard_statistics_match_brute_force(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / "h.tif", HAZARD)
    spec = RasterSpec(
        "banjir", "h.tif", "hazard", "Banjir", "Flood", threshold=0.45, max_share=0.2, efek="B"
    )
    stat = site_stat(path, spec, SITES[name], CRS)
    mx, mean, share = brute(
        HAZARD, SITES[name].intersection(shapely.box(X0, Y0, X0 + 100, Y0 + 100)), 0.45, True
    )
    assert stat.max == pytest.approx(mx)
    assert stat.mean == pytest.approx(mean, abs=2e-3)
    assert stat.share_above == pytest.approx(share, abs=2e-3)


def test_slope_from_a_plane_dem(tmp_path: Path) -> None:
    # z rises 5 m per 10 m cell eastwards: 50% slope everywhere inside the border
    dem = np.tile(np.arange(10) * 5.0, (10, 1))
    assert np.nanmax(slope_pct(dem, CELL, CELL)) == pytest.approx(50.0)
    path = write(tmp_path / "dem.tif", dem)
    spec = RasterSpec(
        "dem", "dem.tif", "dem", "Lereng", "Slope", slope_limit_pct=40, max_share=0.1, efek="X"
    )
    stat = site_stat(path, spec, shapely.box(X0 + 22, Y0 + 22, X0 + 77, Y0 + 77), CRS)
    assert stat.share_above == pytest.approx(1.0) and stat.max == pytest.approx(50.0)


def test_slope_share_on_a_half_steep_dem_matches_brute_force(tmp_path: Path) -> None:
    # west half 20% slope, east half 60%: z = 2 m/cell then 6 m/cell
    steps = np.where(np.arange(12) < 6, 2.0, 6.0)
    dem = np.tile(np.concatenate([[0], np.cumsum(steps)])[:12], (12, 1))
    path = write(tmp_path / "dem.tif", dem, x0=X0 - 10, y0=Y0 + 110)
    site = shapely.box(X0 + 12.5, Y0 + 14, X0 + 87.5, Y0 + 83)
    spec = RasterSpec(
        "dem", "dem.tif", "dem", "Lereng", "Slope", slope_limit_pct=40, max_share=0.1, efek="X"
    )
    stat = site_stat(path, spec, site, CRS)
    slope = slope_pct(dem, CELL, CELL)[1:11, 1:11]  # the cells over x 0..100, y 0..100
    _mx, _mean, share = brute(slope, site, 40.0, False)
    assert stat.share_above == pytest.approx(share, abs=2e-3)


def test_only_a_window_is_read_from_a_huge_raster(tmp_path: Path) -> None:
    """A 200,000 x 200,000 raster (160 GB if read whole) answers from a window."""
    path = tmp_path / "huge.tif"
    profile = dict(
        driver="GTiff",
        width=200_000,
        height=200_000,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=from_origin(X0, Y0 + 100, CELL, CELL),
        nodata=-9999.0,
        tiled=True,
        blockxsize=256,
        blockysize=256,
        SPARSE_OK=True,
        compress="deflate",
    )
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(HAZARD.astype("float32"), 1, window=rasterio.windows.Window(0, 0, 10, 10))
    assert path.stat().st_size < 10_000_000
    spec = RasterSpec("banjir", "huge.tif", "hazard", "Banjir", "Flood", threshold=0.45)
    stat = site_stat(path, spec, SITES["cell-aligned"], CRS)
    mx, _mean, share = brute(HAZARD, SITES["cell-aligned"], 0.45, True)
    assert (stat.max, stat.share_above) == (pytest.approx(mx), pytest.approx(share, abs=2e-3))


def test_site_off_the_raster_has_no_statistics(tmp_path: Path) -> None:
    path = write(tmp_path / "h.tif", HAZARD)
    spec = RasterSpec("banjir", "h.tif", "hazard", "Banjir", "Flood", threshold=0.5)
    stat = site_stat(path, spec, shapely.box(X0 + 500, Y0, X0 + 600, Y0 + 100), CRS)
    assert stat.cells == 0 and stat.max is None


def bits(stat: RasterStat) -> tuple[str, ...]:
    """Every field to the bit (``==`` takes -0.0 for 0.0)."""
    return tuple(repr(v) for v in (stat.id, stat.cells, stat.max, stat.mean, stat.share_above))


def numpy_stat(
    cov: np.ndarray, val: np.ndarray, limit: float | None, inclusive: bool
) -> RasterStat:
    """``stat_of_cells`` as it was written first, numpy all the way: the bits every
    path gave before few cells were summed in Python."""
    keep = np.isfinite(val) & (cov > 0)
    cover, values = cov[keep], val[keep]
    if cover.sum() <= 0:
        return RasterStat("r", 0.0, None, None, None)
    weight = cover.sum()
    share = None
    if limit is not None:
        above = values >= limit if inclusive else values > limit
        share = float(cover[above].sum() / weight)
    mean = float((values * cover).sum() / weight)
    return RasterStat("r", float(weight), float(values.max()), mean, share)


def cells(rng: np.random.Generator, n: int, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Coverage fractions and values as exactextract gives them, with what the sums
    and the maximum must get right: no data (NaN, inf), uncovered cells, values on
    the limit, 0.0 beside -0.0, and magnitudes far apart (the order of a sum shows)."""
    cov = rng.random(n) * 10.0 ** rng.uniform(-9, 0, n)
    cov[rng.random(n) < 0.1] = 0.0
    cov[rng.random(n) < 0.2] = 1.0
    val = rng.random(n) * 10.0 ** rng.uniform(-3, 3, n)
    for value, p in [(np.nan, 0.1), (np.inf, 0.02), (limit, 0.1), (0.0, 0.1), (-0.0, 0.1)]:
        val[rng.random(n) < p] = value
    return cov, val


def test_pairwise_sum_is_numpys_sum() -> None:
    rng = np.random.default_rng(3)
    for n in [*range(300), 511, 512, 513, 1000, 4099]:
        xs = rng.random(n) * 10.0 ** rng.uniform(-8, 8, n) * rng.choice([-1.0, 1.0], n)
        if n % 5 == 0:
            xs[:] = -0.0
        assert repr(0.0 + pairwise_sum(xs.tolist())) == repr(float(np.add.reduce(xs))), n


@pytest.mark.parametrize("limit", [0.6, 40.0, None])
@pytest.mark.parametrize("inclusive", [True, False])
def test_few_cells_in_python_and_many_in_numpy_give_the_same_bits(
    monkeypatch: pytest.MonkeyPatch, limit: float | None, inclusive: bool
) -> None:
    """``stat_of_cells`` sums fewer than ``FEW_CELLS`` cells in Python: for any number
    of cells its bits are those of numpy's sums (the stored golden checks and every
    path's parity rest on them)."""
    rng = np.random.default_rng(11)
    cases = [cells(rng, n, 0.6 if limit is None else limit) for n in range(200) for _ in range(4)]
    cases += [(np.full(n, 0.5), np.full(n, -0.0)) for n in (1, 7, 8, 30, 130)]  # mean -0.0?
    cases += [(np.array([0.5, 0.25]), np.array([0.0, -0.0]))]
    for cov, val in cases:
        want = bits(numpy_stat(cov, val, limit, inclusive))
        python = stat_of_few_cells("r", cov.tolist(), val.tolist(), limit, inclusive)
        assert bits(python) == want, (cov.tolist(), val.tolist())
        assert bits(stat_of_cells("r", cov, val, limit, inclusive)) == want
        with monkeypatch.context() as m:
            m.setattr(rasters, "FEW_CELLS", 0)  # numpy, whatever the number of cells
            assert bits(stat_of_cells("r", cov, val, limit, inclusive)) == want
    assert any(len(cov) >= rasters.FEW_CELLS for cov, _val in cases)
