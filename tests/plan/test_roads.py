"""The road layer and the GSB table of a plan package: read by their KUGI names (and
the usual renamings), validated with every problem located."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from kkpr.plan.package import read_plan
from kkpr.plan.validate import errors_of, validate, validate_dir
from tests.mini_plan import CRS
from tests.roads_plan import roads_frame, write_roads_plan


def codes(root: Path) -> dict[str, str]:
    _plan, problems = validate_dir(root)
    return {p.code: p.severity for p in problems}


def test_kugi_fields_are_read_and_a_complete_package_is_clean(tmp_path: Path) -> None:
    plan = read_plan(write_roads_plan(tmp_path))
    assert plan.roads is not None and len(plan.roads) == 5
    assert plan.roads.attrs["fields"] == {
        "nama": "NAMRJL", "fungsi": "FGSRJL", "kelas": "KLSRJL", "status": "STARJL",
    }  # fmt: skip
    first = plan.roads.iloc[0]
    assert (first.nama, first.fungsi, first.kelas) == ("Jalan Uji Arteri", "Arteri Sekunder", "III")
    assert [(r.fungsi, r.gsb, r.jbb) for r in plan.rules.setbacks] == [
        ("Arteri Sekunder", 10.0, 3.0), ("Lokal Sekunder", 6.0, 2.0),
    ]  # fmt: skip
    assert errors_of(validate(plan)) == []
    # the roads of class "Lingkungan" have no row: a warning naming a feature
    found = [p for p in validate(plan) if p.code == "roads.no_gsb"]
    assert [(p.severity, p.feature) for p in found] == [("warning", "4")]


def test_renamed_fields_of_exports_are_found(tmp_path: Path) -> None:
    root = write_roads_plan(tmp_path)
    roads_frame(
        NAMA=["A", "A", "B", "C", "D"],
        FUNGSI=["Jalan Arteri Sekunder", "arteri  sekunder", "Lokal Sekunder", None, None],
    ).set_crs(CRS, allow_override=True).to_file(root / "jaringan_jalan.gpkg", driver="GPKG")
    plan = read_plan(root)
    assert plan.roads is not None
    assert plan.roads.attrs["fields"] == {"nama": "NAMA", "fungsi": "FUNGSI"}
    problems = codes(root)
    assert problems["roads.unclassed"] == "warning"  # two roads without a function
    assert "roads.no_gsb" not in problems  # "Jalan Arteri Sekunder" is the table's row


def test_a_road_layer_without_classes_is_an_error_naming_the_columns(tmp_path: Path) -> None:
    root = write_roads_plan(tmp_path)
    frame = roads_frame()[["NAMRJL", "geometry"]]
    frame.to_file(root / "jaringan_jalan.gpkg", driver="GPKG")
    _plan, problems = validate_dir(root)
    (problem,) = [p for p in problems if p.code == "roads.no_class"]
    assert problem.severity == "error" and problem.file == "jaringan_jalan.gpkg"
    assert "Columns found: NAMRJL" in problem.message_en and "FGSRJL" in problem.message_en


def test_a_layer_whose_classes_are_all_empty_is_an_error(tmp_path: Path) -> None:
    root = write_roads_plan(tmp_path)
    empty = [None] * 5
    roads_frame(NAMRJL=list("ABCDE"), FGSRJL=empty, KLSRJL=empty).to_file(
        root / "jaringan_jalan.gpkg", driver="GPKG"
    )
    assert codes(root)["roads.no_class"] == "error"


def test_the_gsb_table_is_checked_row_by_row(tmp_path: Path) -> None:
    root = write_roads_plan(tmp_path, gsb="fungsi,gsb,jbb\nArteri Sekunder,sepuluh,3\nLokal,-2,\n")
    _plan, problems = validate_dir(root)
    bad = [(p.code, p.row, p.column) for p in problems if p.code == "gsb.bad_number"]
    assert bad == [("gsb.bad_number", 2, "gsb"), ("gsb.bad_number", 3, "gsb")]
    root2 = write_roads_plan(tmp_path / "nokeys", gsb="gsb\n5\n")
    assert codes(root2)["gsb.no_keys"] == "error"


def test_a_layer_without_a_table_and_a_table_without_a_layer_are_warnings(tmp_path: Path) -> None:
    assert codes(write_roads_plan(tmp_path / "a", gsb=None))["roads.no_table"] == "warning"
    root = write_roads_plan(tmp_path / "b")
    (root / "jaringan_jalan.gpkg").unlink()
    assert codes(root)["roads.table_without_layer"] == "warning"


def test_point_roads_are_refused(tmp_path: Path) -> None:
    root = write_roads_plan(tmp_path)
    frame = roads_frame()
    frame.geometry = gpd.GeoSeries(frame.geometry.centroid, crs=CRS)
    frame.to_file(root / "jaringan_jalan.gpkg", driver="GPKG")
    assert codes(root)["roads.bad_geometry"] == "error"


def test_plan_toml_setbacks_are_read_and_checked(tmp_path: Path) -> None:
    plan = read_plan(
        write_roads_plan(tmp_path / "a", '[setbacks]\nfrontage_m = 8\nmeasured_from = "road"\n')
    )
    assert (plan.meta.rule_options.frontage_m, plan.meta.rule_options.setback_from) == (8.0, "road")
    _plan, problems = validate_dir(
        write_roads_plan(tmp_path / "b", '[setbacks]\nfrontage_m = -1\nmeasured_from = "as"\n')
    )
    assert {p.code for p in problems} == {"plan_toml.bad_value"}
    assert len(problems) == 2
