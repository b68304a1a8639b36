"""Reading plan packages in every layer format PLAN_FORMAT allows."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from kkpr.check import check
from kkpr.errors import PlanError
from kkpr.model import Proposal
from kkpr.plan.package import read_plan
from tests.mini_plan import CRS, site, write_mini_plan


def summary(plan_dir: Path) -> list:
    plan = read_plan(plan_dir)
    out = []
    for geom, kbli in [
        (site(50, 50, 150, 90), "47111"),
        (site(10, 160, 40, 190), "47111"),
        (site(260, 10, 290, 90), "01121"),
        (site(110, 110, 190, 140), "56101"),
    ]:
        r = check(plan, geom, kbli, Proposal(height_m=22, floor_area_m2=150), crs=CRS)
        out.append(
            (
                r.outcome,
                [(p.kodszn, round(p.area_m2, 3)) for p in r.parts],
                sorted((o.jenis, o.source) for o in r.overlays),
            )
        )
    return out


@pytest.mark.parametrize("fmt", ["geojson", "shp", "zip"])
def test_every_layer_format_gives_the_same_answers(
    tmp_path: Path, mini_plan_dir: Path, fmt: str
) -> None:
    other = write_mini_plan(tmp_path / fmt, fmt)
    assert summary(other) == summary(mini_plan_dir)


def test_kugi_fields_match_in_any_case(tmp_path: Path, mini_plan_dir: Path) -> None:
    lower = tmp_path / "lower"
    shutil.copytree(mini_plan_dir, lower)
    zones = gpd.read_file(lower / "pola_ruang.gpkg")
    zones.columns = [c.lower() if c != "geometry" else c for c in zones.columns]
    zones.to_file(lower / "pola_ruang.gpkg", driver="GPKG")
    assert summary(lower) == summary(mini_plan_dir)


def test_flags_on_zone_polygons_become_overlays(mini_plan_dir: Path) -> None:
    plan = read_plan(mini_plan_dir)
    r = check(plan, site(110, 110, 190, 140), "56101", crs=CRS)
    sources = sorted(o.source for o in r.overlays)
    assert sources == ["ketentuan_khusus", "pola_ruang.KKOP_1"]


def test_layer_without_crs_is_refused(tmp_path: Path, mini_plan_dir: Path) -> None:
    broken = tmp_path / "nocrs"
    shutil.copytree(mini_plan_dir, broken)
    (broken / "pola_ruang.gpkg").unlink()
    write_mini_plan(tmp_path / "shp", "shp")
    for p in (tmp_path / "shp").glob("pola_ruang.*"):
        if p.suffix != ".prj":
            shutil.copy(p, broken / p.name)
    with pytest.raises(PlanError) as err:
        read_plan(broken)
    assert "CRS" in err.value.message_en and err.value.where == "pola_ruang.shp"


@pytest.mark.parametrize("missing", ["plan.toml", "itbx.csv", "kbli.csv", "pola_ruang.gpkg"])
def test_missing_required_file_is_named(tmp_path: Path, mini_plan_dir: Path, missing: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(mini_plan_dir, broken)
    (broken / missing).unlink()
    with pytest.raises(PlanError) as err:
        read_plan(broken)
    assert missing.split(".")[0] in (err.value.where or "") + err.value.message_en


def test_checksum_changes_with_any_file(tmp_path: Path, mini_plan_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(mini_plan_dir, copy)
    assert read_plan(copy).meta.checksum == read_plan(mini_plan_dir).meta.checksum
    (copy / "itbx.csv").write_text((copy / "itbx.csv").read_text().replace("I,T1,X", "I,T1,I"))
    assert read_plan(copy).meta.checksum != read_plan(mini_plan_dir).meta.checksum
