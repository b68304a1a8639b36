"""Plan rasters are held to the limits a server can take before a version is activated."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from kkpr.errors import PlanError
from kkpr.plan.package import read_plan
from kkpr.plan.validate import errors_of, validate, validate_dir
from kkpr.settings import Settings
from kkpr.store.versions import VersionedMemoryStore
from tests.mini_plan import CRS, X0, Y0


def with_raster(tmp_path: Path, mini_plan_dir: Path, cell_m: float, name: str = "p") -> Path:
    """The mini plan with a flood hazard raster of ``cell_m`` cells over its 300 x 200 m."""
    root = tmp_path / name
    shutil.copytree(mini_plan_dir, root)
    width, height = round(300 / cell_m), round(200 / cell_m)
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "uint8",
        "crs": CRS,
        "transform": from_origin(X0, Y0 + 200, cell_m, cell_m),
        "compress": "deflate",
        "tiled": True,
    }
    with rasterio.open(root / "banjir.tif", "w", **profile) as ds:
        ds.write(np.zeros((1, 16, 16), dtype="uint8"), window=rasterio.windows.Window(0, 0, 16, 16))
    with (root / "plan.toml").open("a") as f:
        f.write('[[raster]]\nid = "banjir"\npath = "banjir.tif"\nthreshold = 0.5\nefek = "B"\n')
    return root


def codes(problems: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(p.code for p in errors_of(problems))


def test_a_10_cm_raster_is_refused_for_its_cells(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = with_raster(tmp_path, mini_plan_dir, 0.1)
    _plan, problems = validate_dir(root)
    (p,) = [p for p in problems if p.code == "raster.resolution"]
    assert (
        p.file == "banjir.tif"
        and "0.10 × 0.10 m are finer than the limit of 0.50 m" in p.message_en
    )


def test_a_plain_raster_passes(tmp_path: Path, mini_plan_dir: Path) -> None:
    _plan, problems = validate_dir(with_raster(tmp_path, mini_plan_dir, 5.0))
    assert codes(problems) == []


def test_cells_and_memory_are_held_to_the_settings(tmp_path: Path, mini_plan_dir: Path) -> None:
    plan = read_plan(with_raster(tmp_path, mini_plan_dir, 1.0))  # 60,000 cells
    assert codes(validate(plan, Settings(raster_max_cells=60_000))) == []
    assert codes(validate(plan, Settings(raster_max_cells=59_999))) == ["raster.too_many_cells"]
    # a check over the largest site allowed (1 km² here) reads 1,003 x 1,003 cells, in two
    # float64 arrays: 16,096,144 bytes
    enough = Settings(max_site_area_m2=1_000_000, raster_max_memory_bytes=16_096_144)
    assert codes(validate(plan, enough)) == []
    short = Settings(max_site_area_m2=1_000_000, raster_max_memory_bytes=16_000_000)
    (p,) = errors_of(validate(plan, short))
    assert p.code == "raster.too_much_memory"
    assert "a check may need 15.4 MiB of memory, more than the limit of 15.3 MiB" in p.message_en


def test_a_version_with_a_refused_raster_is_never_activated(
    tmp_path: Path, mini_plan_dir: Path
) -> None:
    store = VersionedMemoryStore.from_plan(read_plan(mini_plan_dir))
    with pytest.raises(PlanError):
        store.load(with_raster(tmp_path, mini_plan_dir, 0.1), loaded_by="pytest")
    assert [v["version"] for v in store.versions("mini")] == ["v1"]
