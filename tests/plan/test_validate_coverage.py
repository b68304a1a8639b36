"""Gaps and overlaps between zone polygons: warnings with their polygons, area and place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import box

from kkpr.check import check
from kkpr.errors import PlanError
from kkpr.model import Site
from kkpr.plan.validate import errors_of, validate_dir
from kkpr.store.base import Store
from kkpr.store.versions import VersionedMemoryStore
from tests.mini_plan import CRS, X0, Y0, sq, write_mini_plan

HOLE = box(X0 + 340, Y0 + 40, X0 + 360, Y0 + 60)  # 400 m², inside a ring of zone 6


def with_gap_and_overlap(root: Path, fmt: str = "gpkg", strict: bool = False) -> Path:
    """The mini plan plus zone 6, a K-1 ring around a 20 x 20 m hole, and zone 7, an R-2
    strip overlapping zones 1 and 2 by 100 and 200 m²."""
    write_mini_plan(root)
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    ring = box(X0 + 300, Y0, X0 + 400, Y0 + 100).difference(HOLE)
    strip = box(X0 + 90, Y0 + 50, X0 + 120, Y0 + 60)
    extra = gpd.GeoDataFrame({"KODSZN": ["K-1", "R-2"]}, geometry=[ring, strip], crs=zones.crs)
    frame = gpd.GeoDataFrame(pd.concat([zones, extra], ignore_index=True), crs=zones.crs)
    (root / "pola_ruang.gpkg").unlink()
    if fmt == "geojson":
        frame.to_crs("EPSG:4326").to_file(root / "pola_ruang.geojson", driver="GeoJSON")
    else:
        frame.to_file(root / "pola_ruang.gpkg", driver="GPKG")
    if strict:
        text = (root / "plan.toml").read_text()
        (root / "plan.toml").write_text(
            text.replace("[tolerance]\n", '[tolerance]\ngaps = "error"\n')
        )
    return root


def lonlat(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(x, y)


def test_a_gap_is_a_warning_naming_its_polygons_area_and_place(tmp_path: Path) -> None:
    plan, problems = validate_dir(with_gap_and_overlap(tmp_path / "p"))
    assert plan is not None
    (gap,) = [p for p in problems if p.code == "zones.gap"]
    assert (gap.severity, gap.feature, gap.file) == ("warning", "6", "pola_ruang.gpkg")
    point = HOLE.representative_point()
    lon, lat = lonlat(point.x, point.y)
    assert "Gap between polygons of 400.0 m² (tolerance 5.0 m²) among polygons 6" in gap.message_en
    assert f"x {point.x:.2f}, y {point.y:.2f} (EPSG:32751); lon {lon:.6f}, lat {lat:.6f}" in (
        gap.message_en
    )
    assert "perlu kajian" in gap.message_id


def test_overlaps_are_warnings_naming_both_polygons(tmp_path: Path) -> None:
    _plan, problems = validate_dir(with_gap_and_overlap(tmp_path / "p"))
    overlaps = sorted((p.feature, p.severity) for p in problems if p.code == "zones.overlap")
    assert overlaps == [("1,7", "warning"), ("2,7", "warning")]
    assert not errors_of(problems)


def test_a_layer_in_lon_lat_is_located_in_lon_lat(tmp_path: Path) -> None:
    _plan, problems = validate_dir(with_gap_and_overlap(tmp_path / "p", "geojson"))
    (gap,) = [p for p in problems if p.code == "zones.gap"]
    # GeoJSON features are numbered from 0: the ring is feature 5
    assert gap.feature == "5" and gap.file == "pola_ruang.geojson"
    assert " at lon 12" in gap.message_en and "EPSG" not in gap.message_en


def test_gaps_block_loading_only_when_the_plan_asks(tmp_path: Path) -> None:
    loose = with_gap_and_overlap(tmp_path / "loose")
    strict = with_gap_and_overlap(tmp_path / "strict", strict=True)
    store = VersionedMemoryStore()
    assert store.load(loose, loaded_by="pytest") == "v1"
    with pytest.raises(PlanError) as err:
        store.load(strict, loaded_by="pytest")
    assert {p.code for p in err.value.problems} == {"zones.gap", "zones.overlap"}


def test_a_site_over_a_gap_is_perlu_kajian_for_that_part(
    store_for: Callable[[Path], Store], tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = with_gap_and_overlap(tmp_path_factory.mktemp("gap") / "p")
    store = store_for(root)
    r = check(store, Site(sq(330, 30, 370, 70), CRS), "47111")  # 1,600 m², 400 in the gap
    assert str(r.outcome) == "perlu_kajian"
    assert [(p.fid, round(p.area_m2, 6)) for p in r.parts] == [("6", 1200.0)]
    assert "site.outside_rdtr" in [x.code for x in r.reasons]
    beside = check(store, Site(sq(310, 10, 330, 30), CRS), "47111")
    assert str(beside.outcome) == "sesuai"
