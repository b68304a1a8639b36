"""The same pages on the PostGIS store: the sample plan loaded into a real PostGIS, the
app started with ``KKPR_DATABASE_URL``, a pre-check and the staff map in Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web import sites
from tests.web.conftest import SAMPLE_PLAN_DIR, WebServer, open_page, start_server, stop_server
from tests.web.test_precheck import (
    FIGURES,
    assert_parts_match,
    choose_kbli,
    open_precheck,
    submit,
    upload,
)
from tests.web.test_staff import all_zones, login

pytestmark = [pytest.mark.browser, pytest.mark.postgis]


@pytest.fixture(scope="module")
def pg_web_server(
    postgis_store_for: Callable[[Path], Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebServer]:
    store = postgis_store_for(SAMPLE_PLAN_DIR)
    server = start_server(tmp_path_factory.mktemp("web-pg"), {"KKPR_DATABASE_URL": store.url})
    yield server
    stop_server(server)


def test_precheck_and_staff_map_on_postgis(
    browser: Any, pg_web_server: WebServer, artifacts: Path
) -> None:
    assert pg_web_server.get_json("/healthz")["store"] == "postgis"
    ctx, page, watch = open_page(browser, pg_web_server)
    try:
        open_precheck(page, pg_web_server)  # its zones drawn from ST_AsMVT tiles
        upload(page, sites.EXAMPLES / f"{sites.FORBIDDEN}.geojson")
        choose_kbli(page, "minimarket", "47111")
        for name, value in FIGURES.items():
            page.fill(f"#f-{name}", str(value))
        assert submit(page) == "tidak_sesuai"
        assert_parts_match(page, sites.api_result(pg_web_server.url, sites.FORBIDDEN, FIGURES))

        zones = all_zones(pg_web_server)
        login(page, pg_web_server)
        n = f"{len(zones):,}".replace(",", ".")
        expect(page.locator("#map-status")).to_contain_text(f"{n} poligon", timeout=30_000)
        page.click("#tab-validation")
        expect(page.locator("#validation-summary")).to_contain_text("galat")
        page.screenshot(path=str(artifacts / "staff-map-postgis.png"))
    finally:
        ctx.close()
    assert not watch.errors and not watch.foreign
