"""Raster statistics of many sites (``many_stats``) against ``site_stat``, bit for bit.

``many_stats`` answers the single check and the bulk path from a kept window of each
raster: the screen settles sites over no valid cell, exactextract's operations are
prepared once per raster and thread, and points are measured over a window cut from
the kept one. Every answer must be the one ``site_stat`` gives reading the file for
that site alone: the same cells, coverage fractions, maximum, mean and share.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from shapely.geometry.base import BaseGeometry

from kkpr.model import RasterSpec, RasterStat
from kkpr.plan.package import read_plan
from kkpr.plan.rasters import site_stat
from kkpr.store.rasters import Grid, load_grid, many_stats, screen, site_stats

SAMPLE = Path(__file__).resolve().parents[2] / "zoning_data" / "kupang"


@pytest.fixture(scope="module")
def specs() -> list[tuple[Path, RasterSpec, str]]:
    plan = read_plan(SAMPLE)
    return [(plan.raster_path(s), s, plan.meta.crs) for s in plan.meta.rasters]


def sites(path: Path, n: int, seed: int) -> list[BaseGeometry]:
    """Rectangles and points over the whole raster and past its edges, points on cell
    corners and cell lines, and small sites (a few cells)."""
    with rasterio.open(path) as ds:
        left, bottom, right, top = ds.bounds
        res = ds.res[0]
    rng = np.random.default_rng(seed)
    x = rng.uniform(left - 200, right + 200, n)
    y = rng.uniform(bottom - 200, top + 200, n)
    w = np.exp(rng.uniform(np.log(3), np.log(300), n))
    h = w * rng.uniform(0.3, 3, n)
    out: list[BaseGeometry] = []
    for i in range(n):
        box = shapely.box(x[i], y[i], x[i] + w[i], y[i] + h[i])
        out.append(shapely.affinity.rotate(box, rng.uniform(0, 90)) if i % 3 else box)
    out += list(shapely.points(x[: n // 3], y[: n // 3]))
    k = rng.integers(0, 300, (n // 6, 2))
    out += list(shapely.points(left + k[:, 0] * res, top - k[:, 1] * res))  # corners
    out += list(shapely.points(left + k[:, 0] * res, top - (k[:, 1] + 0.37) * res))  # lines
    return out


def test_many_stats_are_site_stats_bit_for_bit(specs: list[tuple[Path, RasterSpec, str]]) -> None:
    for path, spec, crs in specs:
        with rasterio.open(path) as ds:
            left, bottom, right, top = ds.bounds
        # a window smaller than the raster: its cut edges are crossed by some sites
        bounds = (left + 1500, bottom + 1500, right - 1500, top - 1500)
        grid = load_grid(path, spec, bounds, crs)
        geoms = np.array(sites(path, 600, seed=7), dtype=object)
        got = many_stats(grid, geoms, crs)
        want = [site_stat(path, spec, g, crs) for g in geoms]
        for g, a, b in zip(geoms, got, want, strict=True):
            assert a == b, (spec.id, g.wkt)
        # one site at a time (the single check's path, no arrays): the same answers
        for g, b in zip(geoms, want, strict=True):
            assert many_stats(grid, np.array([g], dtype=object), crs) == [b], (spec.id, g.wkt)
        # every way of answering was taken: the screen, exactextract on the kept
        # window, points cut from it, and site_stat past the cut edges
        seen = screen(grid, geoms)
        points = shapely.get_type_id(geoms) == 0
        assert (seen.inside & ~seen.empty).sum() > 50
        assert (points & ~seen.empty).sum() > 50
        assert (~seen.inside & ~points).sum() > 5
        if spec.kind == "hazard":  # the flood raster has no data over the sea
            assert seen.empty.sum() > 20
            assert sum(s.cells == 0 for s in got) >= seen.empty.sum()


def bits(stat: RasterStat) -> tuple[str, ...]:
    """Every field to the bit (``==`` takes -0.0 for 0.0)."""
    return tuple(repr(v) for v in (stat.id, stat.cells, stat.max, stat.mean, stat.share_above))


def test_site_stats_are_site_stats_of_each_raster_bit_for_bit(
    specs: list[tuple[Path, RasterSpec, str]],
) -> None:
    """The single check measures a site over every raster at once (``site_stats``):
    the site's exactextract feature made once for rasters of one CRS and grids that
    differ (20 m flood, 15 m slope), the writer's row reused from site to site, few
    cells summed in Python. Every answer must be ``site_stat``'s, to the bit."""
    grids = []
    for path, spec, crs in specs:
        with rasterio.open(path) as ds:
            left, bottom, right, top = ds.bounds
        grids.append(
            load_grid(path, spec, (left + 1500, bottom + 1500, right - 1500, top - 1500), crs)
        )
    crs = specs[0][2]
    geoms = [g for path, _spec, _crs in specs for g in sites(path, 300, seed=5)]
    assert len({g.crs for g in grids} | {crs}) == 1  # one site feature for both rasters
    measured = 0
    for g in geoms:
        got = site_stats(grids, g, crs)
        want = [site_stat(path, spec, g, crs) for path, spec, _crs in specs]
        assert [bits(s) for s in got] == [bits(s) for s in want], g.wkt
        measured += sum(s.cells > 0 for s in got)
    assert measured > 500


def test_threads_measure_with_their_own_prepared_operations(
    specs: list[tuple[Path, RasterSpec, str]],
) -> None:
    path, spec, crs = specs[0]
    with rasterio.open(path) as ds:
        bounds = tuple(ds.bounds)
    grid: Grid = load_grid(path, spec, bounds, crs)
    geoms = np.array(sites(path, 200, seed=3), dtype=object)
    want = many_stats(grid, geoms, crs)
    assert grid.operations() is grid.operations()  # prepared once in this thread
    ops: dict[int, object] = {}
    answers: dict[int, list[object]] = {}

    def work(k: int) -> None:
        ops[k] = grid.operations()
        answers[k] = [many_stats(grid, geoms[i : i + 1], crs)[0] for i in range(len(geoms))]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(o) for o in ops.values()} | {id(grid.operations())}) == 5
    assert all(answers[k] == want for k in range(4))
