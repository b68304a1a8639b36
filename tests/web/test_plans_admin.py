"""Plans from the web in a real browser (admin): a refused package shown on the map and
changing nothing; a revision uploaded inactive, its report, its diff on the map, the
re-check impact, activated and rolled back with confirmation; every step in the record."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import httpx
import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import Polygon

from tests.api.routers.test_plans import zipped
from tests.mini_plan import CRS, X0, Y0, site, write_mini_plan
from tests.web.axe import assert_no_violations
from tests.web.conftest import ROOT, WebServer, open_page, start_server, stop_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def plans_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[WebServer, str, Path]]:
    """The mini plan served on its own (versions loaded here touch no other test), an
    admin key in its records database, and the plan's folder."""
    root = write_mini_plan(tmp_path_factory.mktemp("plans-admin") / "plan")
    server = start_server(root.parent / "srv", {"KKPR_PLAN_DIR": str(root)})
    env = {
        **os.environ,
        "KKPR_PLAN_DIR": str(root),
        "KKPR_DATA_DIR": str(root.parent / "srv" / "var"),
    }
    env.pop("KKPR_DATABASE_URL", None)
    code = (
        "from kkpr.settings import Settings\n"
        "from kkpr.records.checks import open_records, records_url\n"
        "from kkpr.records.keys import KeyStore\n"
        "_k, raw = KeyStore(open_records(records_url(Settings()))).create("
        "'Admin rencana uji', 'admin', created_by='pytest')\n"
        "print(raw)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    yield server, out.stdout.strip().splitlines()[-1], root
    stop_server(server)


def revision(root: Path, dest: Path) -> Path:
    """The mini plan revised: minimarkets forbidden in K-1, and Z3 (RTH-2) made R-2."""
    shutil.copytree(root, dest)
    text = (dest / "itbx.csv").read_text()
    (dest / "itbx.csv").write_text(text.replace("Minimarket,I,", "Minimarket,X,"))
    zones = gpd.read_file(dest / "pola_ruang.gpkg")
    zones.loc[zones["KODSZN"] == "RTH-2", "KODSZN"] = "R-2"
    zones.to_file(dest / "pola_ruang.gpkg", driver="GPKG")
    return dest


def broken(root: Path, dest: Path) -> Path:
    """The mini plan with a self-crossing zone polygon (a bow tie)."""
    shutil.copytree(root, dest)
    zones = gpd.read_file(dest / "pola_ruang.gpkg")
    zones.loc[1, "geometry"] = Polygon(
        [(X0 + 100, Y0), (X0 + 200, Y0 + 100), (X0 + 200, Y0), (X0 + 100, Y0 + 100)]
    )
    zones.to_file(dest / "pola_ruang.gpkg", driver="GPKG")
    return dest


def layers(page: Page, name: str) -> int:
    return int(page.evaluate(f"window.kkpr.{name}.getLayers().length"))


def upload(page: Page, folder: Path) -> None:
    page.set_input_files(
        "#package",
        files=[{"name": "paket.zip", "mimeType": "application/zip", "buffer": zipped(folder)}],
    )
    page.click("#upload-submit")


def active(server: WebServer) -> Any:
    return httpx.get(f"{server.url}/v1/plans/mini", timeout=30).json()["active_version"]


def test_an_admin_uploads_reviews_activates_and_rolls_back(
    browser: Any,
    plans_server: tuple[WebServer, str, Path],
    tmp_path: Path,
    artifacts: Path,
) -> None:
    server, admin_key, plan_dir = plans_server
    # a recorded check that the revision changes: a minimarket in K-1
    check = httpx.post(
        f"{server.url}/v1/checks",
        json={"site": site(10, 10, 60, 60), "crs": CRS, "kbli": "47111"},
        headers={"X-API-Key": admin_key},
        timeout=60,
    )
    assert check.status_code == 201 and check.json()["result"]["outcome"] == "sesuai"
    first = active(server)

    ctx, page, watch = open_page(browser, server)
    try:
        page.goto(f"{server.url}/staf/rencana")
        page.fill("#key", admin_key)
        page.click("#login button[type=submit]")
        expect(page.locator("#staff-map")).to_be_visible()  # an admin is staff too
        page.click("#nav-plans")
        expect(page.locator("#plan-current")).to_contain_text(f"versi aktif {first}")
        expect(page.locator("#report-summary")).to_contain_text("0 galat")
        assert_no_violations(page, "plan management (opened)")

        # a package that fails validation: refused, shown on the map, nothing changes
        upload(page, broken(plan_dir, tmp_path / "broken"))
        expect(page.locator("#upload-status")).to_contain_text("Paket ditolak")
        refused = page.locator("#refused-problems li")
        expect(refused.filter(has_text="zones.invalid_geometry")).to_have_count(1)
        assert layers(page, "problemMarks") >= 1
        expect(page.locator("#version-pick option")).to_have_count(1)
        assert active(server) == first

        # a valid revision: loaded inactive, its report, its diff on the map
        upload(page, revision(plan_dir, tmp_path / "revised"))
        expect(page.locator("#upload-status")).to_contain_text("dimuat (belum aktif)")
        expect(page.locator("#version-pick option")).to_have_count(2)
        version = page.locator("#version-pick").input_value()
        assert version != first and active(server) == first
        expect(page.locator("#report-summary")).to_contain_text("0 galat")

        page.click("#diff-run")
        expect(page.locator("#diff-lead")).to_contain_text(f"versi aktif {first}")
        expect(page.locator("#diff-zones")).to_contain_text("RTH-2")
        expect(page.locator("#diff-itbx")).to_contain_text("PERDAG-MINI")
        assert layers(page, "diffMarks") >= 1  # the land that changed sub-zone

        page.click("#impact-run")
        expect(page.locator("#impact-summary")).to_contain_text("1 akan berubah hasil")
        expect(page.locator("#impact-transitions")).to_contain_text("sesuai → tidak_sesuai: 1")
        assert layers(page, "impactMarks") == 1
        assert active(server) == first
        page.screenshot(path=str(artifacts / "plans-admin-review.png"), full_page=True)
        assert_no_violations(page, "plan management (reviewed)")

        # activate, with confirmation; a cancelled confirmation does nothing
        page.click("#activate")
        expect(page.locator("#confirm")).to_be_visible()
        page.click("#confirm-no")
        expect(page.locator("#confirm")).to_be_hidden()
        assert active(server) == first
        page.click("#activate")
        page.click("#confirm-yes")
        expect(page.locator("#act-status")).to_contain_text(f"Versi {version} kini aktif")
        assert active(server) == version
        expect(page.locator("#rollback")).to_be_enabled()
        # the map's zones are now the new version's, not tiles the browser kept
        page.wait_for_function(
            "v => performance.getEntriesByType('resource').some("
            "e => e.name.includes('/ogc/collections/zones/tiles/') && e.name.endsWith('?v=' + v))",
            arg=version,
        )

        page.click("#rollback")
        expect(page.locator("#confirm-text")).to_contain_text(version)
        page.click("#confirm-yes")
        expect(page.locator("#act-status")).to_contain_text(f"versi aktif kini {first}")
        assert active(server) == first

        rows = page.locator("#events-table tbody tr")
        expect(rows).to_have_count(7)
        for step in ("Unggahan ditolak", "Unggah (tidak aktif)", "Validasi",
                     "Perbedaan dihitung", "Dampak dihitung", "Diaktifkan", "Dikembalikan"):  # fmt: skip
            expect(rows.filter(has_text=step)).to_have_count(1)
        expect(rows.first).to_contain_text("key:")
        page.screenshot(path=str(artifacts / "plans-admin-done.png"), full_page=True)
    finally:
        ctx.close()
    assert not watch.errors, watch.errors
    assert not watch.foreign, watch.foreign


def test_staff_who_are_not_admins_are_turned_away(
    browser: Any, plans_server: tuple[WebServer, str, Path]
) -> None:
    server, _admin, _plan = plans_server
    ctx, page, watch = open_page(browser, server)
    try:
        page.goto(f"{server.url}/staf")
        page.fill("#key", server.staff_key)
        page.click("#login button[type=submit]")
        expect(page.locator("#staff-map")).to_be_visible()
        response = page.goto(f"{server.url}/staf/rencana")
        assert response is not None and response.status == 403
        expect(page.locator("#key-error")).to_contain_text("hanya untuk admin")
        expect(page.locator("#upload-form")).to_have_count(0)
    finally:
        ctx.close()
    assert not watch.errors and not watch.foreign
