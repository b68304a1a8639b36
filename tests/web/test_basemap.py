"""Online services a city may configure, against stand-ins on 127.0.0.1: the base map
(and a geocoder beside the offline place names). The base map under the zones (KKPR_BASEMAP_URL, KKPR_BASEMAP_AERIAL_URL), proven in
Chromium against tiles served on 127.0.0.1: drawn under the zones, two choices, the
zones' colour adjustable, the credit shown; with none configured nothing is fetched
(the other browser tests fail on any request leaving the app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import WebServer, open_page, start_server, stop_server
from tests.web.test_precheck import open_precheck
from tests.web.tile_server import TileServer, tile_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tiles() -> Iterator[TileServer]:
    with tile_server() as served:
        yield served


# the most frequent alpha of the painted pixels of the zones' canvas tiles (0-1)
FILL_ALPHA = """() => {
  const counts = new Map();
  for (const c of document.querySelectorAll("#map canvas.leaflet-tile-loaded")) {
    const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < px.length; i += 4 * 7) {
      if (px[i]) counts.set(px[i], (counts.get(px[i]) || 0) + 1);
    }
  }
  let best = 0, n = 0;
  for (const [a, k] of counts) if (k > n) { best = a; n = k; }
  return best / 255;
}"""


def fill_alpha(page: Any) -> float:
    return float(page.evaluate(FILL_ALPHA))


@pytest.fixture(scope="module")
def basemap_server(
    tmp_path_factory: pytest.TempPathFactory, tiles: TileServer
) -> Iterator[WebServer]:
    server = start_server(
        tmp_path_factory.mktemp("basemap"),
        {
            "KKPR_BASEMAP_URL": tiles.template("street"),
            "KKPR_BASEMAP_ATTRIBUTION": "© Peta uji <kontributor>",
            "KKPR_BASEMAP_MAX_ZOOM": "18",
            "KKPR_BASEMAP_AERIAL_URL": tiles.template("aerial"),
            "KKPR_BASEMAP_AERIAL_ATTRIBUTION": "Citra uji",
            "KKPR_GEOCODER_URL": tiles.url,
        },
    )
    yield server
    stop_server(server)


def test_street_and_aerial_maps_under_adjustable_zones(
    browser: Any, basemap_server: WebServer, tiles: TileServer, artifacts: Path
) -> None:
    ctx, page, watch = open_page(
        browser, basemap_server, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        open_precheck(page, basemap_server)
        street = page.locator("#map .basemap-street img.leaflet-tile-loaded")
        expect(street.first).to_be_visible()
        assert any(p.startswith("/street/") for p in tiles.requests)
        assert not any(p.startswith("/aerial/") for p in tiles.requests)
        # the tiles lie under the zones: the tile pane comes before the zones' pane
        below = page.evaluate(
            "() => { const m = document.getElementById('map');"
            " const tile = m.querySelector('.leaflet-tile-pane');"
            " const zones = m.querySelector('.leaflet-overlay-pane');"
            " return getComputedStyle(tile).zIndex < getComputedStyle(zones).zIndex; }"
        )
        assert below is True
        # the credit is shown as text, as configured
        expect(page.locator("#map .leaflet-control-attribution")).to_contain_text(
            "© Peta uji <kontributor>"
        )
        # the zones' colour strength follows the slider: the commonest opacity of the
        # drawn zone tiles' pixels is the zones' fill
        assert fill_alpha(page) == pytest.approx(0.45, abs=0.02)
        page.locator("#zone-opacity").fill("10")
        page.wait_for_function(
            f"() => {{ const a = ({FILL_ALPHA})(); return a > 0.03 && a < 0.2; }}", timeout=20_000
        )
        assert fill_alpha(page) == pytest.approx(0.10, abs=0.02)
        page.screenshot(path=str(artifacts / "basemap-street-phone.png"))

        # the second choice: aerial imagery
        page.get_by_label("Citra udara").check()
        expect(page.locator("#map .basemap-aerial img.leaflet-tile-loaded").first).to_be_visible()
        assert any(p.startswith("/aerial/") for p in tiles.requests)
        expect(page.locator("#map .leaflet-control-attribution")).to_contain_text("Citra uji")
        page.screenshot(path=str(artifacts / "basemap-aerial-phone.png"))
    finally:
        ctx.close()
    assert not watch.errors
    tile_host = urlsplit(tiles.url).netloc
    assert all(urlsplit(u).netloc == tile_host for u in watch.foreign), watch.foreign


def test_without_a_base_map_the_page_has_no_switch_and_no_slider(
    page: Any, web_server: WebServer
) -> None:
    open_precheck(page, web_server)
    assert page.locator("#map .leaflet-tile-pane img").count() == 0
    assert page.locator("#zone-opacity-field").is_hidden()
    assert page.locator("#map .leaflet-control-layers").count() == 0


def test_a_configured_geocoder_adds_its_places_after_the_plans_own(
    basemap_server: WebServer, tiles: TileServer
) -> None:
    found = httpx.get(f"{basemap_server.url}/pages/places", params={"q": "gedung"}, timeout=30)
    items = found.json()["items"]
    assert items[0]["name"] == "Gedung Uji Daring" and items[0]["kind"] == "geocoder"
    assert items[0]["bbox"] == [123.5995, -10.1705, 123.6005, -10.1695]
    asked = [p for p in tiles.requests if p.startswith("/search?")][-1]
    assert "q=gedung" in asked and "bounded=1" in asked and "viewbox=" in asked
    # the plan's own names come first
    own = httpx.get(f"{basemap_server.url}/pages/places", params={"q": "oebobo"}, timeout=30)
    assert own.json()["items"][0]["kind"] in ("kelurahan", "kecamatan")
