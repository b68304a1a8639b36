"""The public pre-check map draws the plan from OGC API Tiles (Mapbox Vector Tiles) in
Chromium: no zone arrives as GeoJSON, the zone under the mouse is named from the tile's
own attributes (as text), the legend lists what the tiles held, and a click on a zone
chooses that point as the site."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect
from shapely.geometry import shape

from tests.web.conftest import WebServer
from tests.web.test_precheck import map_point, wait_for_zone_tiles
from tests.web.test_staff import all_zones, view_drawn

TILE_PATH = "/ogc/collections/zones/tiles/WebMercatorQuad/"


def test_the_public_map_draws_zones_from_vector_tiles(page: Page, web_server: WebServer) -> None:
    asked: list[str] = []
    answered: dict[str, str] = {}
    page.on("request", lambda r: asked.append(r.url))
    page.on(
        "response",
        lambda r: (
            answered.__setitem__(r.url, r.headers.get("content-type", ""))
            if TILE_PATH in r.url
            else None
        ),
    )
    page.goto(web_server.url + "/")
    wait_for_zone_tiles(page)

    # a zone of the plan, looked at closely; its tiles are drawn at that zoom too
    zone = max(all_zones(web_server), key=lambda f: shape(f["geometry"]).area)
    props: dict[str, Any] = zone["properties"]
    inside = shape(zone["geometry"]).representative_point()
    view_drawn(page, inside.y, inside.x, 16)

    tiles = [u for u in asked if TILE_PATH in u]
    assert any("/16/" in u for u in tiles), tiles
    assert all(
        answered.get(u, "").startswith("application/vnd.mapbox-vector-tile")
        for u in tiles
        if answered.get(u)
    )
    assert not [u for u in asked if "/collections/zones/items" in u]  # no GeoJSON pages

    # the zone under the mouse is named from the tile's attributes
    x, y = map_point(page, inside.y, inside.x)
    page.mouse.move(x - 2, y)
    page.mouse.move(x, y)
    tip = page.locator(".leaflet-tooltip")
    expect(tip).to_contain_text(props["kodszn"])
    if props.get("namszn"):
        expect(tip).to_contain_text(props["namszn"])
    # the legend names the sub-zones the tiles held
    expect(page.locator("#legend")).to_contain_text(props["kodszn"])
    # no zone is a tab stop: they are pixels on canvas tiles
    assert page.locator("#map path.leaflet-interactive").count() == 0

    # a click on the zone chooses the point as the site
    page.mouse.click(x, y)
    expect(page.locator("#site-summary")).to_contain_text(f"{inside.y:.3f}")
    site = page.evaluate("window.kkpr.state.site")
    assert site["type"] == "Point"
    assert abs(site["coordinates"][0] - inside.x) < 1e-4
    assert abs(site["coordinates"][1] - inside.y) < 1e-4
