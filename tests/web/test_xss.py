"""Plan attributes are shown as text, never run as HTML (issue 15, finding 4).

A plan package is uploaded by staff but written by whoever made the file: a NAMSZN of
``<img src=x onerror=...>`` reached Leaflet tooltips as HTML on the public page and the
staff workspace, and ran there with the staff session. Here a plan whose every
sub-zone name is such a tag is served, and the tooltips are opened in Chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from kkpr.settings import SAMPLE_PLAN_DIR
from tests.web.conftest import WebServer, start_server, stop_server, watched_page
from tests.web.test_precheck import wait_for_zone_tiles
from tests.web.test_staff import all_zones, click_on_map, login, view_drawn

HOSTILE = '<img src="x-no-such" onerror="window.__xss = (window.__xss || 0) + 1">'


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    tmp = tmp_path_factory.mktemp("xss")
    plan = tmp / "kupang-hostile"
    shutil.copytree(SAMPLE_PLAN_DIR, plan)
    zones = gpd.read_file(plan / "pola_ruang.gpkg")
    zones["NAMSZN"] = HOSTILE + " " + zones["NAMSZN"].astype(str)
    zones.to_file(plan / "pola_ruang.gpkg", driver="GPKG")
    server = start_server(tmp, {"KKPR_PLAN_DIR": str(plan)})
    yield server
    stop_server(server)


@pytest.fixture
def hostile_page(browser: Any, hostile_server: WebServer) -> Iterator[Page]:
    with watched_page(browser, hostile_server, other_hosts=True) as page:
        yield page


def hover_a_zone(page: Page, map_id: str) -> None:
    wait_for_zone_tiles(page)
    box = page.locator(f"#{map_id}").bounding_box()
    assert box is not None
    for fx, fy in ((0.5, 0.5), (0.4, 0.45), (0.6, 0.55), (0.45, 0.6)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(300)
        if page.locator(".leaflet-tooltip").count():
            return
    raise AssertionError("no zone tooltip opened under the mouse")


def assert_shown_as_text(page: Page, where: str = ".leaflet-tooltip") -> None:
    shown = page.locator(where).first
    expect(shown).to_contain_text("<img")  # the name, literally
    assert shown.locator("img").count() == 0
    page.wait_for_timeout(500)  # an image that failed to load would have run its onerror
    assert page.evaluate("window.__xss") is None


def test_a_hostile_zone_name_is_text_on_the_public_map(
    hostile_page: Page, hostile_server: WebServer
) -> None:
    hostile_page.goto(hostile_server.url + "/")
    hover_a_zone(hostile_page, "map")
    assert_shown_as_text(hostile_page)


def test_a_hostile_zone_name_is_text_on_the_staff_map(
    hostile_page: Page, hostile_server: WebServer
) -> None:
    # the staff map draws zones from vector tiles on a canvas: a click shows the zone's
    # name (from the tile, then from the full feature) in the attribute panel
    login(hostile_page, hostile_server)
    zone = all_zones(hostile_server)[0]
    inside = shape(zone["geometry"]).representative_point()
    view_drawn(hostile_page, inside.y, inside.x, 17)
    click_on_map(hostile_page, inside.y, inside.x)
    expect(hostile_page.locator("#feature-info")).to_contain_text(f"fid {zone['id']}")
    assert_shown_as_text(hostile_page, "#feature-info")
