"""Plan diff on the hand-made mini plan: every figure below is worked out on paper.

See ``tests/revision/revised.py`` for the revision; ``tests/mini_plan.py`` for the plan.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from kkpr.plan.package import Plan, read_plan
from kkpr.revision import diff_plans
from kkpr.revision.export import write_gpkg
from kkpr.revision.mapping import LEAFLET_DIR, diff_map
from tests.mini_plan import X0, Y0
from tests.revision.revised import MOVED_AREA_M2, write_revised_plan


@pytest.fixture(scope="module")
def revised(mini_plan_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return read_plan(write_revised_plan(mini_plan_dir, tmp_path_factory.mktemp("rev") / "new"))


def test_a_plan_against_itself_has_no_differences(mini_plan: Plan) -> None:
    assert diff_plans(mini_plan, mini_plan).empty


def test_a_moved_boundary_changes_exactly_the_land_between_the_two_lines(
    mini_plan: Plan, revised: Plan
) -> None:
    diff = diff_plans(mini_plan, revised)
    zones = diff.zones_changed
    assert len(zones) == 1
    piece = zones.iloc[0]
    assert piece["kind"] == "kodszn"
    assert (piece["old_kodszn"], piece["new_kodszn"]) == ("R-2", "K-1")
    assert (piece["old_fid"], piece["new_fid"]) == ("2", "1")  # Z2's land now in Z1
    assert piece["area_m2"] == pytest.approx(MOVED_AREA_M2, abs=1e-6)
    # the strip x 100..120, y 0..100
    assert piece.geometry.bounds == pytest.approx((X0 + 100, Y0, X0 + 120, Y0 + 100))
    # the intensity that applies there changes with the sub-zone (R-2 60% -> K-1 70%)
    assert (piece["old_kdb"], piece["new_kdb"]) == (60.0, 70.0)
    assert "sub-zona R-2 → K-1" in piece["detail"]
    t = diff.transitions()
    assert t[["kind", "old_kodszn", "new_kodszn", "pieces"]].values.tolist() == [
        ["kodszn", "R-2", "K-1", 1]
    ]
    assert diff.summary()["subzone_changed_area_m2"] == pytest.approx(MOVED_AREA_M2)


def test_a_changed_itbx_cell_shows_old_and_new(mini_plan: Plan, revised: Plan) -> None:
    cells = diff_plans(mini_plan, revised).itbx_changed
    assert cells[
        ["kode_kegiatan", "kodszn", "old", "new", "old_class", "new_class"]
    ].values.tolist() == [["PERDAG-MINI", "R-2", "T1", "I", "T", "I"]]
    # R-2 land of the new plan: Z2 80 x 100 + Z4 100 x 100
    assert cells.iloc[0]["new_subzone_area_m2"] == pytest.approx(18_000.0)


def test_overlays_added_and_removed_by_geometry_and_jenis(mini_plan: Plan, revised: Plan) -> None:
    diff = diff_plans(mini_plan, revised)
    assert diff.overlays_removed["jenis"].tolist() == ["CAGBUD"]
    assert diff.overlays_removed.iloc[0]["area_m2"] == pytest.approx(50 * 50)
    assert diff.overlays_added["jenis"].tolist() == ["KRB"]
    assert diff.overlays_added.iloc[0]["efek"] == "B"
    assert diff.overlays_added.iloc[0]["area_m2"] == pytest.approx(50 * 50)
    assert len(diff.overlays_changed) == 0  # KKOP and SEMPADAN are untouched


def test_an_overlay_whose_effect_changes_is_changed_not_added(
    mini_plan_dir: Path, mini_plan: Plan, tmp_path: Path
) -> None:
    new = tmp_path / "efek"
    shutil.copytree(mini_plan_dir, new)
    ov = gpd.read_file(new / "ketentuan_khusus.gpkg")
    ov.loc[ov["JENIS"] == "KKOP", "TB"] = 16.0
    ov.to_file(new / "ketentuan_khusus.gpkg", driver="GPKG")
    diff = diff_plans(mini_plan, read_plan(new))
    assert len(diff.overlays_added) == len(diff.overlays_removed) == 0
    assert diff.overlays_changed[["jenis", "field", "old", "new"]].values.tolist() == [
        ["KKOP", "tb", 20.0, 16.0]
    ]


def test_intensity_table_change_marks_only_land_without_its_own_override(
    mini_plan_dir: Path, mini_plan: Plan, tmp_path: Path
) -> None:
    new = tmp_path / "kdb"
    shutil.copytree(mini_plan_dir, new)
    text = (new / "intensitas.csv").read_text()
    (new / "intensitas.csv").write_text(text.replace("R-2,60,", "R-2,50,"))
    diff = diff_plans(mini_plan, read_plan(new))
    assert diff.intensity_changed.values.tolist() == [["R-2", "kdb", 60.0, 50.0]]
    # Z2 takes the R-2 default (100 x 100 m changes); Z4 keeps its own KDB 40
    zones = diff.zones_changed
    assert zones[["kind", "changes", "old_fid", "old_kdb", "new_kdb"]].values.tolist() == [
        ["intensity", "kdb", "2", 60.0, 50.0]
    ]
    assert zones.iloc[0]["area_m2"] == pytest.approx(10_000.0)


def test_land_leaving_and_entering_the_rdtr(
    mini_plan_dir: Path, mini_plan: Plan, tmp_path: Path
) -> None:
    new = tmp_path / "cover"
    shutil.copytree(mini_plan_dir, new)
    zones = gpd.read_file(new / "pola_ruang.gpkg")
    from tests.mini_plan import sq

    zones = zones[zones["KODSZN"] != "RTH-2"].copy()  # Z3 leaves
    zones.loc[len(zones) + 10] = {"KODSZN": "K-1", "geometry": sq(200, 100, 260, 200)}
    zones.to_file(new / "pola_ruang.gpkg", driver="GPKG")
    diff = diff_plans(mini_plan, read_plan(new))
    by_kind = diff.zones_changed.groupby("kind")["area_m2"].sum().to_dict()
    assert by_kind == pytest.approx({"removed": 10_000.0, "added": 6_000.0})


def test_kbli_and_condition_changes(mini_plan_dir: Path, mini_plan: Plan, tmp_path: Path) -> None:
    new = tmp_path / "tables"
    shutil.copytree(mini_plan_dir, new)
    kbli = (new / "kbli.csv").read_text()
    (new / "kbli.csv").write_text(
        kbli.replace("56101,Restoran,RESTO", "56101,Restoran,PERDAG-MINI")
    )
    cond = (new / "ketentuan.csv").read_text()
    (new / "ketentuan.csv").write_text(
        cond.replace(
            "T1,Luas lantai paling banyak 200 m2,200", "T1,Luas lantai paling banyak 150 m2,150"
        )
    )
    diff = diff_plans(mini_plan, read_plan(new))
    assert diff.kbli_changed[
        ["kbli", "old_kode_kegiatan", "new_kode_kegiatan"]
    ].values.tolist() == [["56101", "RESTO", "PERDAG-MINI"]]
    assert diff.conditions_changed[["kode", "field", "old", "new"]].values.tolist() == [
        ["T1", "teks", "Luas lantai paling banyak 200 m2", "Luas lantai paling banyak 150 m2"],
        ["T1", "max_floor_area_m2", 200.0, 150.0],
    ]


def test_geopackage_has_the_three_layers_staff_open(
    mini_plan: Plan, revised: Plan, tmp_path: Path
) -> None:
    path = write_gpkg(diff_plans(mini_plan, revised), tmp_path / "diff.gpkg")
    layers = dict(pyogrio.list_layers(path).tolist())
    assert {"zones_changed", "overlays_added", "overlays_removed", "itbx_changed"} <= set(layers)
    zones = gpd.read_file(path, layer="zones_changed")
    assert zones.crs.to_epsg() == 32751
    assert zones.geometry.area.sum() == pytest.approx(MOVED_AREA_M2)
    assert gpd.read_file(path, layer="overlays_removed")["jenis"].tolist() == ["CAGBUD"]


@pytest.mark.skipif(not (LEAFLET_DIR / "leaflet.js").exists(), reason="Leaflet not vendored yet")
def test_map_loads_nothing_from_the_network(mini_plan: Plan, revised: Plan, tmp_path: Path) -> None:
    path = diff_map(diff_plans(mini_plan, revised), tmp_path / "diff.html", revised.zones)
    # the page itself (Leaflet's own source aside: it holds its attribution link as
    # text, which the map does not show) links nothing
    html = path.read_text("utf-8").replace((LEAFLET_DIR / "leaflet.js").read_text("utf-8"), "")
    assert "leafletjs.com" not in html
    # nothing is linked: no script src, stylesheet href or CSS url() to a host
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert re.findall(r"https?://[^\s\"'<>)]+", html) == []
    # and a real browser opening it asks no host for anything
    playwright = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or None)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        drawn = page.locator("path.leaflet-interactive").count()
        browser.close()
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    # backdrop 5 zones + 1 changed piece + 1 overlay added + 1 overlay removed
    assert drawn == 8
