"""``kkpr plan validate``: every problem found, with its place."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from kkpr.plan.validate import errors_of, validate_dir
from tests.mini_plan import X0, Y0, write_mini_plan


def broken_plan(tmp_path: Path) -> Path:
    """The mini plan with one of each kind of problem put in on purpose."""
    root = write_mini_plan(tmp_path / "broken")
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    bowtie = Polygon([(X0, Y0 + 300), (X0 + 50, Y0 + 350), (X0 + 50, Y0 + 300), (X0, Y0 + 350)])
    extra = gpd.GeoDataFrame(
        {"KODSZN": ["K-9", "K-1", "R-2"], "KDB": [150.0, None, None]},
        geometry=[
            box(X0 + 0, Y0 + 200, X0 + 100, Y0 + 300),  # sub-zone without ITBX column, KDB 150
            box(X0 + 90, Y0 + 50, X0 + 120, Y0 + 60),  # overlaps Z1 and Z2 by 100 + 200 m²
            bowtie,  # invalid
        ],
        crs=zones.crs,
    )
    # a gap: a ring of zones around an empty 20 x 20 m hole
    ring = box(X0 + 300, Y0, X0 + 400, Y0 + 100).difference(
        box(X0 + 340, Y0 + 40, X0 + 360, Y0 + 60)
    )
    extra = gpd.GeoDataFrame(
        pd_concat(extra, gpd.GeoDataFrame({"KODSZN": ["K-1"]}, geometry=[ring], crs=zones.crs)),
        crs=zones.crs,
    )
    all_zones = gpd.GeoDataFrame(pd_concat(zones, extra), crs=zones.crs)
    all_zones.to_file(root / "pola_ruang.gpkg", driver="GPKG")
    (root / "itbx.csv").write_text(
        "kode_kegiatan,kegiatan,K-1,R-2,RTH-2\n"
        "PERDAG-MINI,Minimarket,I,T1,X\n"
        "RESTO,Restoran,I,T1;B7,Q\n"
        "TANI,Pertanian,X,X,I\n"
    )
    (root / "kbli.csv").write_text(
        "kbli,judul,kode_kegiatan\n47111,Minimarket,PERDAG-MINI\n5610,Restoran,RESTO\n01121,Padi,KEBUN\n"
    )
    (root / "intensitas.csv").write_text(
        "kodszn,kdb,klb,kdh,ktb,tb,jlb,gsb\nK-1,70,3,10,,24,6,5\nR-2,60,1.2,120,,12,3,3\nRTH-2,5,x,90,,4,1,\n"
    )
    return root


def pd_concat(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    import pandas as pd

    return pd.concat([a, b], ignore_index=True)


def test_clean_package_has_no_problems(mini_plan_dir: Path) -> None:
    plan, problems = validate_dir(mini_plan_dir)
    assert plan is not None and problems == []


def test_every_kind_of_problem_is_reported_with_its_place(tmp_path: Path) -> None:
    _plan, problems = validate_dir(broken_plan(tmp_path))
    codes = {p.code for p in problems}
    assert {
        "zones.invalid_geometry",
        "zones.overlap",
        "zones.gap",
        "itbx.no_column",
        "itbx.no_condition_text",
        "itbx.bad_cell",
        "kbli.bad_code",
        "kbli.no_activity",
        "intensity.out_of_range",
        "number.unreadable",
    } <= codes
    by = {p.code: p for p in problems}
    assert by["itbx.no_column"].file == "itbx.csv" and "K-9" in by["itbx.no_column"].message_en
    assert by["kbli.bad_code"].row == 3  # header is row 1
    assert by["kbli.no_activity"].row == 4
    assert "B7" in by["itbx.no_condition_text"].message_en and by["itbx.no_condition_text"].row == 3
    assert (
        by["zones.invalid_geometry"].feature is not None
        and by["zones.invalid_geometry"].geometry_wkt
    )
    overlaps = [p for p in problems if p.code == "zones.overlap"]
    assert sorted(
        round(float(p.message_en.split("by ")[1].split(" m²")[0].replace(",", "")))
        for p in overlaps
    ) == [100, 200]
    gap = by["zones.gap"]
    assert "400.0 m²" in gap.message_en
    ranges = [p for p in problems if p.code == "intensity.out_of_range"]
    assert {(p.file, p.row) for p in ranges} >= {("intensitas.csv", 3), ("pola_ruang.gpkg", None)}
    assert all(p.message_id and p.message_en for p in problems)
    assert errors_of(problems)


def test_unreadable_package_is_one_problem(tmp_path: Path) -> None:
    _plan, problems = validate_dir(tmp_path / "nothing-here")
    assert [p.code for p in problems] == ["package.unreadable"]


def test_broken_copy_of_a_clean_plan(tmp_path: Path, mini_plan_dir: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(mini_plan_dir, copy)
    (copy / "ketentuan.csv").write_text(
        "kode,teks,max_floor_area_m2,max_site_area_m2,max_floors\nT1,,abc,,\n"
    )
    codes = {p.code for p in validate_dir(copy)[1]}
    assert {"ketentuan.no_text", "number.unreadable", "itbx.no_condition_text"} <= codes


def test_gap_in_an_otherwise_clean_coverage(tmp_path: Path) -> None:
    """No overlaps: the fast coverage path must still find the hole."""
    root = write_mini_plan(tmp_path / "gap")
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    ring = box(X0 + 300, Y0, X0 + 400, Y0 + 100).difference(
        box(X0 + 340, Y0 + 40, X0 + 360, Y0 + 60)
    )
    extra = gpd.GeoDataFrame({"KODSZN": ["K-1"]}, geometry=[ring], crs=zones.crs)
    gpd.GeoDataFrame(pd_concat(zones, extra), crs=zones.crs).to_file(
        root / "pola_ruang.gpkg", driver="GPKG"
    )
    problems = validate_dir(root)[1]
    assert [p.code for p in problems] == ["zones.gap"]
    assert "400.0 m²" in problems[0].message_en


def test_intensity_text_on_a_polygon_is_named_with_its_feature(tmp_path: Path) -> None:
    root = write_mini_plan(tmp_path / "kdb")
    zones = gpd.read_file(root / "pola_ruang.gpkg")
    zones["KDB"] = ["60", "Tidak Ada", " 55,5 ", "sesuai Perda", None]
    zones["KLB"] = ["-", "1,2", "", "2", "tinggi"]
    zones.to_file(root / "pola_ruang.gpkg", driver="GPKG")
    plan, problems = validate_dir(root)
    assert plan is not None
    assert plan.zones["kdb"].tolist()[:3] == [60.0, pytest.approx(float("nan"), nan_ok=True), 55.5]
    said = sorted(
        (p.feature, p.severity, p.message_en)
        for p in problems
        if p.code == "intensity.not_a_number"
    )
    assert said == [
        ("4", "warning", "KDB = 'sesuai Perda' is not a number; the sub-zone's value in "
         "intensitas.csv applies instead"),
        ("5", "warning", "KLB = 'tinggi' is not a number; the sub-zone's value in "
         "intensitas.csv applies instead"),
    ]  # fmt: skip
    assert all(p.file == "pola_ruang.gpkg" for p in problems)


def test_an_overlay_that_is_not_a_polygon_is_an_error(tmp_path: Path) -> None:
    root = write_mini_plan(tmp_path / "pt")
    overlays = gpd.read_file(root / "ketentuan_khusus.gpkg")
    overlays.loc[0, "geometry"] = overlays.geometry[0].centroid
    overlays.to_file(root / "ketentuan_khusus.gpkg", driver="GPKG")
    problems = validate_dir(root)[1]
    assert [(p.code, p.feature) for p in errors_of(problems)] == [("overlays.not_polygon", "1")]
