"""KKOP surfaces as limit elevations (issue 18 item 8), hand-worked on the mini plan: its
KKOP feature (x 100..200, y 100..200, over Z5, K-1 with TB 24) is given as an elevation
of 85 m above MSL (plan.toml [overlay.KKOP] tb_elevasi = true), and a DEM of 10 m cells
rises 0.1 m per metre eastwards: a cell's ground is 50 + 0.1 × (its centre's x).

A site x 110..150, y 110..150 covers cells centred at x 115 ... 145: its highest ground
is 50 + 14.5 = 64.5 m, so a building may be 85 - 64.5 = 20.5 m tall (under K-1's 24).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from kkpr.check import check
from kkpr.model import CheckResult, Outcome, Proposal
from kkpr.store.base import Store
from tests.mini_plan import CRS, X0, Y0, site, write_mini_plan

DEM = """
[[raster]]
id = "dem"
path = "rasters/dem.tif"
kind = "dem"
label_id = "Kemiringan lereng"
label_en = "Slope"
slope_limit_pct = 40
max_share = 0.10
efek = "X"
"""


def kkop_plan(root: Path, dem: bool = True) -> Path:
    write_mini_plan(root)
    layer = root / "ketentuan_khusus.gpkg"
    frame = gpd.read_file(layer)
    frame.loc[frame["JENIS"] == "KKOP", "TB"] = 85.0
    frame.to_file(layer, driver="GPKG")
    text = (root / "plan.toml").read_text()
    if dem:
        (root / "rasters").mkdir()
        cols, rows = 50, 40  # x -100..400, y -100..300
        centres = -100 + 10 * np.arange(cols) + 5
        data = np.tile(50 + 0.1 * centres, (rows, 1)).astype("float32")
        with rasterio.open(
            root / "rasters" / "dem.tif", "w", driver="GTiff", width=cols, height=rows,
            count=1, dtype="float32", crs=CRS, transform=from_origin(X0 - 100, Y0 + 300, 10, 10),
        ) as ds:  # fmt: skip
            ds.write(data, 1)
        text += DEM
    (root / "plan.toml").write_text(text + "[overlay.KKOP]\ntb_elevasi = true\n")
    return root


@pytest.fixture(scope="module")
def kkop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kkop_plan(tmp_path_factory.mktemp("kkop") / "mini")


@pytest.fixture
def store(store_for: Callable[[Path], Store], kkop_dir: Path) -> Store:
    return store_for(kkop_dir)


def run(store: Store, height: float) -> CheckResult:
    return check(store, site(110, 110, 150, 150), "47111", Proposal(height_m=height), crs=CRS)


def test_the_surface_is_compared_with_ground_plus_height(store: Store) -> None:
    ok = run(store, 20.0)  # 64.5 + 20 = 84.5 m ≤ 85 m
    tb = next(i for i in ok.intensity if i.rule == "TB")
    assert (tb.limit, tb.ok, tb.how) == (pytest.approx(20.5), True, "cap")
    assert tb.parts[-1]["ground_m"] == pytest.approx(64.5)
    assert "limit elevation 85.00 m above MSL less the site's highest ground 64.50 m" in tb.basis_en
    assert ok.outcome == Outcome.SESUAI
    high = run(store, 21.0)  # 64.5 + 21 = 85.5 m > 85 m
    assert high.outcome == Outcome.TIDAK_SESUAI
    assert [x.code for x in high.reasons if x.effect == "tidak_sesuai"] == ["intensity.tb.exceeded"]
    kkop = next(x for x in high.reasons if x.code == "overlay.kkop")
    assert "limit elevation 85.0 m above MSL (ground + building)" in kkop.en


def test_without_a_dem_the_check_cannot_compare(tmp_path: Path) -> None:
    from kkpr.plan.package import read_plan
    from kkpr.store.memory import MemoryStore

    store = MemoryStore(read_plan(kkop_plan(tmp_path / "nodem", dem=False)))
    r = run(store, 10.0)
    assert r.outcome == Outcome.PERLU_KAJIAN
    (x,) = [x for x in r.reasons if x.code == "overlay.kkop.no_ground"]
    assert "no DEM covering the site" in x.en and "tidak memiliki DEM" in x.id
