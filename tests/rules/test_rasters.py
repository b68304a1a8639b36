"""Raster findings inside a check: a hazard raster and a DEM shipped with the plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from kkpr.check import check
from kkpr.model import Outcome, RasterSpec, RasterStat
from kkpr.plan.package import Plan, read_plan
from kkpr.rules.rasters import evaluate
from tests.mini_plan import CRS, X0, Y0, site


def test_exceeded_share_applies_the_effect() -> None:
    spec = RasterSpec(
        "banjir", "b.tif", "hazard", "Banjir", "Flood", threshold=0.6, max_share=0.25, efek="B"
    )
    findings, reasons = evaluate((spec,), [RasterStat("banjir", 10, 0.9, 0.5, 0.3)])
    assert findings[0].exceeded and reasons[0].effect == "sesuai_bersyarat"
    assert reasons[0].source == {
        "raster": "banjir",
        "path": "b.tif",
        "threshold": 0.6,
        "max_share": 0.25,
    }
    findings, reasons = evaluate((spec,), [RasterStat("banjir", 10, 0.9, 0.5, 0.25)])
    assert not findings[0].exceeded and reasons[0].effect == "info"


@pytest.fixture(scope="module")
def raster_plan(tmp_path_factory: pytest.TempPathFactory, mini_plan_dir: Path) -> Plan:
    """The mini plan plus a hazard raster (west half 0.8, east 0.2) and a DEM whose
    slope is 60% for y > 100 m (north) and flat to the south; 10 m cells over x 0..300, y 0..200."""
    root = tmp_path_factory.mktemp("rast") / "rast"
    shutil.copytree(mini_plan_dir, root)
    (root / "rasters").mkdir()
    hazard = np.where(np.arange(30) < 15, 0.8, 0.2)[None, :].repeat(20, axis=0)
    rows = np.arange(20)[:, None].repeat(30, axis=1)  # row 0 is the north edge
    dem = np.where(rows < 10, (10 - rows) * 6.0, 0.0)  # 6 m per 10 m cell = 60% in the north
    for name, data in (("hazard", hazard), ("dem", dem)):
        with rasterio.open(
            root / "rasters" / f"{name}.tif",
            "w",
            driver="GTiff",
            width=30,
            height=20,
            count=1,
            dtype="float32",
            crs=CRS,
            transform=from_origin(X0, Y0 + 200, 10, 10),
        ) as ds:
            ds.write(data.astype("float32"), 1)
    with (root / "plan.toml").open("a") as fh:
        fh.write("""
[[raster]]
id = "banjir"
path = "rasters/hazard.tif"
kind = "hazard"
label_id = "Indeks bahaya banjir"
label_en = "Flood hazard index"
threshold = 0.6
max_share = 0.25
efek = "B"
[[raster]]
id = "dem"
path = "rasters/dem.tif"
kind = "dem"
label_id = "Kemiringan lereng"
label_en = "Slope"
slope_limit_pct = 40
max_share = 0.10
efek = "X"
""")
    return read_plan(root)


def test_flood_hazard_over_the_allowed_share_adds_a_condition(raster_plan: Plan) -> None:
    # x 10..90, y 10..90 in Z1: every cell 0.8, flat land
    r = check(raster_plan, site(10, 10, 90, 90), "47111", crs=CRS)
    banjir = next(f for f in r.rasters if f.id == "banjir")
    assert banjir.share_above == pytest.approx(1.0) and banjir.max == pytest.approx(0.8)
    assert banjir.exceeded and r.outcome == Outcome.SESUAI_BERSYARAT


def test_site_across_the_hazard_edge_measures_the_share(raster_plan: Plan) -> None:
    # x 130..170, y 20..80: 20 m of 40 m west of x = 150 -> half the site at 0.8
    r = check(raster_plan, site(130, 20, 170, 80), "56101", crs=CRS)
    banjir = next(f for f in r.rasters if f.id == "banjir")
    assert banjir.share_above == pytest.approx(0.5)
    assert banjir.mean == pytest.approx(0.5)


def test_steep_land_is_not_buildable(raster_plan: Plan) -> None:
    # x 160..190, y 120..180 in Z5 (K-1): all 60% slope (cells away from the break)
    r = check(raster_plan, site(160, 120, 190, 180), "56101", crs=CRS)
    dem = next(f for f in r.rasters if f.id == "dem")
    assert dem.share_above == pytest.approx(1.0) and dem.exceeded
    assert r.outcome == Outcome.TIDAK_SESUAI
    reason = next(x for x in r.reasons if x.code == "raster.dem")
    assert "40%" in reason.id and reason.source["threshold"] == 40
