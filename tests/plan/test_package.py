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
from kkpr.plan.validate import validate_dir
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


def without_prj(tmp_path: Path, mini_plan_dir: Path, to_crs: str | None = None) -> Path:
    """The mini plan with its zones as a Shapefile that lost its .prj."""
    broken = tmp_path / "noprj"
    shutil.copytree(mini_plan_dir, broken)
    (broken / "pola_ruang.gpkg").unlink()
    zones = gpd.read_file(mini_plan_dir / "pola_ruang.gpkg")
    if to_crs:
        zones = zones.to_crs(to_crs)
    zones.to_file(broken / "pola_ruang.shp")
    (broken / "pola_ruang.prj").unlink()
    return broken


@pytest.mark.parametrize("written_in", [None, "EPSG:4326"])
def test_a_layer_without_prj_is_read_in_the_crs_its_coordinates_fit(
    tmp_path: Path, mini_plan_dir: Path, written_in: str | None
) -> None:
    broken = without_prj(tmp_path, mini_plan_dir, written_in)
    assumed = written_in or CRS
    assert summary(broken) == summary(mini_plan_dir)
    _plan, problems = validate_dir(broken)
    (said,) = [p for p in problems if p.code == "layer.crs_assumed"]
    assert (said.file, said.severity) == ("pola_ruang.shp", "warning")
    assert assumed in said.message_en and "no CRS" in said.message_en


def test_a_layer_without_prj_in_no_fitting_crs_is_refused(
    tmp_path: Path, mini_plan_dir: Path
) -> None:
    broken = without_prj(tmp_path, mini_plan_dir, "EPSG:3857")  # metres, far from zone 51S
    with pytest.raises(PlanError) as err:
        read_plan(broken)
    assert "CRS" in err.value.message_en and err.value.where == "pola_ruang.shp"


def test_a_geographic_plan_crs_is_refused_naming_its_utm_zone(
    tmp_path: Path, mini_plan_dir: Path
) -> None:
    root = tmp_path / "geo"
    shutil.copytree(mini_plan_dir, root)
    toml = (root / "plan.toml").read_text().replace('crs = "EPSG:32751"', 'crs = "EPSG:4326"')
    (root / "plan.toml").write_text(toml)
    with pytest.raises(PlanError) as err:
        read_plan(root)
    assert "geographic" in err.value.message_en and 'crs = "EPSG:32751"' in (
        err.value.hint_en or ""
    )


def test_the_layer_crs_is_reported_as_gdal_reads_it(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = tmp_path / "urn"
    shutil.copytree(mini_plan_dir, root)
    (root / "pola_ruang.gpkg").unlink()
    zones = gpd.read_file(mini_plan_dir / "pola_ruang.gpkg").to_crs("EPSG:4326")
    text = zones.to_json(drop_id=True)
    # a WFS answer: the OGC URN of EPSG:4326, coordinates written longitude first
    urn = '{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4326"}}'
    (root / "pola_ruang.geojson").write_text(text[:-1] + f',"crs":{urn}}}')
    assert summary(root) == summary(mini_plan_dir)
    assert read_plan(root).layer_crs()["pola_ruang.geojson"] == (
        "EPSG:4326 WGS 84 (bujur, lintang / longitude, latitude)"
    )


def write_zones(root: Path, mini_plan_dir: Path, **columns: list) -> Path:
    shutil.copytree(mini_plan_dir, root)
    zones = gpd.read_file(mini_plan_dir / "pola_ruang.gpkg")
    zones = zones.drop(columns=["KODSZN"])
    for name, values in columns.items():
        zones[name] = values
    zones.to_file(root / "pola_ruang.gpkg", driver="GPKG")
    return root


CODES = ["K-1", "R-2", "RTH-2", "R-2", "K-1"]


def test_kodunk_is_the_fallback_join_field(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = write_zones(tmp_path / "kodunk", mini_plan_dir, KODUNK=CODES)
    assert summary(root) == summary(mini_plan_dir)


def test_plan_toml_names_the_join_field(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = write_zones(tmp_path / "simbol", mini_plan_dir, SIMBOL=CODES, KODSZN_1=["x"] * 5)
    with pytest.raises(PlanError) as err:
        read_plan(root)
    assert "columns found: NAMSZN, KODBLK, KDB, KKOP_1, SIMBOL, KODSZN_1" in err.value.message_en
    with (root / "plan.toml").open("a") as f:
        f.write('[fields]\nkodszn = "simbol"\n')
    assert summary(root) == summary(mini_plan_dir)


def test_a_join_field_plan_toml_names_must_exist(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = write_zones(tmp_path / "kode", mini_plan_dir, kode=CODES)
    with (root / "plan.toml").open("a") as f:
        f.write('[fields]\nkodszn = "KODE_SZN"\n')
    with pytest.raises(PlanError) as err:
        read_plan(root)
    assert "KODE_SZN" in err.value.message_en and "KODE" in err.value.message_en


def test_integer_codes_beside_nulls_stay_integers(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = write_zones(
        tmp_path / "ints", mini_plan_dir, KODSZN=[32112100, 32103200, None, 32103200, 32112100]
    )
    plan = read_plan(root)
    assert plan.zones["kodszn"].tolist()[:2] == ["32112100", "32103200"]
    _plan, problems = validate_dir(root)
    (empty,) = [p for p in problems if p.code == "zones.no_kodszn"]
    assert (empty.feature, empty.message_en) == ("3", "The sub-zone code (KODSZN) is empty")
    assert "<NA>" not in " ".join(p.message_en for p in problems)
    assert "32112100.0" not in " ".join(p.message_en for p in problems)


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
