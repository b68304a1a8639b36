"""OGC API - Tiles: Mapbox Vector Tiles of the mini plan from both stores, read back
with the mapbox-vector-tile decoder and with GDAL's MVT driver."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import mapbox_vector_tile
import pytest
import shapely

from kkpr.site import transformer
from kkpr.store import tiles
from tests.api.conftest import Api
from tests.mini_plan import CRS, X0, Y0

TILE = "/ogc/collections/{c}/tiles/WebMercatorQuad/{z}/{y}/{x}"


def centre_tile(z: int) -> tuple[int, int]:
    lon, lat = transformer(CRS, "EPSG:4326").transform(X0 + 150, Y0 + 100)
    return tiles.tile_of(lon, lat, z)


def get_tile(api: Api, collection: str, z: int) -> bytes:
    x, y = centre_tile(z)
    r = api.client.get(TILE.format(c=collection, z=z, y=y, x=x))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    return r.content


def test_tileset_metadata_and_the_tile_matrix_set(api: Api) -> None:
    sets = api.client.get("/ogc/collections/zones/tiles").json()["tilesets"]
    assert sets[0]["dataType"] == "vector"
    item = next(link for link in sets[0]["links"] if link["rel"] == "item")
    assert item["href"].endswith("/zones/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}")
    tms = api.client.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert tms["tileMatrices"][0]["matrixWidth"] == 1
    assert tms["tileMatrices"][17]["matrixWidth"] == 2**17
    assert api.client.get("/ogc/tileMatrixSets/WorldCRS84Quad").status_code == 404
    conf = api.client.get("/ogc/conformance").json()["conformsTo"]
    assert any(c.endswith("ogcapi-tiles-1/1.0/conf/mvt") for c in conf)


def test_a_zone_tile_has_every_zone_and_what_its_popup_needs(api: Api) -> None:
    layer = mapbox_vector_tile.decode(get_tile(api, "zones", 16))["zones"]
    assert layer["extent"] == tiles.EXTENT
    by_id = {f["id"]: f["properties"] for f in layer["features"]}
    assert sorted(by_id) == [1, 2, 3, 4, 5]
    assert by_id[4]["kodszn"] == "R-2" and by_id[4]["namszn"] == "Rumah kepadatan tinggi"
    assert by_id[4]["kdb"] == 40 and by_id[4]["klb"] == 1.2 and by_id[1]["kdb"] == 70
    assert "gsb" not in by_id[3]  # RTH-2 has none: absent, never a made-up zero
    assert {f["geometry"]["type"] for f in layer["features"]} == {"Polygon"}


def test_overlay_and_rtrw_tiles(api: Api) -> None:
    overlays = mapbox_vector_tile.decode(get_tile(api, "overlays", 16))["overlays"]
    kinds = {f["properties"]["jenis"]: f["properties"] for f in overlays["features"]}
    assert sorted(kinds) == ["CAGBUD", "KKOP", "SEMPADAN"]
    assert kinds["KKOP"]["tb"] == 20 and kinds["SEMPADAN"]["efek"] == "X"
    rtrw = mapbox_vector_tile.decode(get_tile(api, "rtrw", 15))["rtrw"]["features"]
    assert [f["properties"] for f in rtrw] == [
        {"namobj": "Kawasan Permukiman", "jnsrpr": "Kawasan Budi Daya"}
    ]


def test_the_tile_geometry_is_where_the_zone_is(api: Api) -> None:
    z = 16
    x, y = centre_tile(z)
    minx, miny, maxx, _maxy = tiles.tile_bounds(z, x, y)
    layer = mapbox_vector_tile.decode(get_tile(api, "zones", z))["zones"]
    to_merc = transformer(CRS, tiles.WEB_MERCATOR)
    size = (maxx - minx) / tiles.EXTENT
    for f in layer["features"]:
        ring = f["geometry"]["coordinates"][0]
        drawn = shapely.Polygon([(minx + u * size, miny + v * size) for u, v in ring])
        i = f["id"] - 1
        col, row = i % 3 if i < 3 else i - 3, 0 if i < 3 else 1
        x0, y0 = X0 + 100 * col, Y0 + 100 * row
        corners = [to_merc.transform(px, py) for px, py in
                   ((x0, y0), (x0 + 100, y0), (x0 + 100, y0 + 100), (x0, y0 + 100))]  # fmt: skip
        truth = shapely.Polygon(corners)
        assert drawn.symmetric_difference(truth).area < 0.02 * truth.area


def test_empty_and_invalid_tiles(api: Api) -> None:
    assert api.client.get(TILE.format(c="zones", z=17, y=0, x=0)).status_code == 204
    bad = api.client.get(TILE.format(c="zones", z=3, y=9, x=0))
    assert bad.status_code == 400 and bad.json()["type"].endswith("/invalid-parameter")
    assert api.client.get(TILE.format(c="roads", z=3, y=0, x=0)).status_code == 404


def test_gdal_reads_the_tile(api: Api, tmp_path: Path) -> None:
    z = 16
    x, y = centre_tile(z)
    path = tmp_path / "zones.mvt"
    path.write_bytes(get_tile(api, "zones", z))
    done = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-oo", f"Z={z}", "-oo", f"X={x}", "-oo", f"Y={y}", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Feature Count: 5" in done.stdout and "kodszn (String) = RTH-2" in done.stdout
    # georeferenced: each polygon lies in the mini plan's extent, in EPSG:3857
    to_merc = transformer(CRS, tiles.WEB_MERCATOR)
    ex0, ey0 = to_merc.transform(X0, Y0)
    ex1, ey1 = to_merc.transform(X0 + 300, Y0 + 200)
    extent = next(line for line in done.stdout.splitlines() if line.startswith("Extent:"))
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", extent)]
    assert nums == pytest.approx([ex0, ey0, ex1, ey1], abs=2.0)


def test_a_tile_is_kept_by_version(api: Api) -> None:
    """The ETag names the plan version, so the browser asks again cheaply (304); with
    ``?v=`` naming the active version the tile may be kept for good."""
    x, y = centre_tile(16)
    url = TILE.format(c="zones", z=16, y=y, x=x)
    first = api.client.get(url)
    etag = first.headers["etag"]
    assert "zones-16" in etag and first.headers["cache-control"] == "public, max-age=300"
    again = api.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert api.client.get(url, headers={"If-None-Match": '"other"'}).content == first.content
    plan_id = api.client.get("/v1/plans").json()[0]["id"]
    active = api.client.get(f"/v1/plans/{plan_id}").json()["version"]
    kept = api.client.get(url, params={"v": active})
    assert "immutable" in kept.headers["cache-control"]
    assert kept.content == first.content
    stale = api.client.get(url, params={"v": "an older version"})
    assert stale.headers["cache-control"] == "public, max-age=300"


def test_low_zooms_leave_out_what_is_under_a_pixel(api: Api) -> None:
    """The mini plan's 100 m zones are about 0.7 of a pixel at zoom 10 (153 m): left
    out there, drawn from zoom 11 (76 m) on, from either store."""
    x, y = centre_tile(10)
    assert api.client.get(TILE.format(c="zones", z=10, y=y, x=x)).status_code == 204
    layer = mapbox_vector_tile.decode(get_tile(api, "zones", 11))["zones"]
    assert sorted(f["id"] for f in layer["features"]) == [1, 2, 3, 4, 5]
