"""kkpr.store.tiles: the tile cache, the generalisation by zoom, and the EPSG:3857
geometry the PostGIS store keeps for tiles (migration 0007)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import mapbox_vector_tile
import numpy as np
import pytest
import shapely

from kkpr.plan.package import read_plan
from kkpr.site import transformer
from kkpr.store import tiles
from kkpr.store.memory import MemoryStore
from kkpr.store.postgis import PostgisStore
from tests.fixtures_postgis import connect
from tests.mini_plan import CRS, X0, Y0, write_mini_plan


def test_the_cache_drops_the_least_recently_used_beyond_its_size() -> None:
    cache = tiles.TileCache(max_bytes=3 * (1000 + 100))
    for k in "abc":
        cache.put(k, bytes(1000))
    assert cache.get("a") == bytes(1000)  # now the most recent
    cache.put("d", bytes(1000))
    assert cache.get("b") is None  # the least recent went
    assert cache.get("a") is not None and cache.get("c") is not None
    assert cache.get("d") is not None
    cache.put("e", b"")  # an empty tile is remembered too
    assert cache.get("e") == b""
    cache.put("huge", bytes(10_000))  # larger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 3


def test_generalisation_leaves_out_what_is_under_a_pixel_and_simplifies() -> None:
    z = 12  # a pixel is about 38 m
    px = tiles.pixel_m(z)
    assert tiles.sliver_m(z) == px and tiles.simplify_m(z) == px / 4
    assert tiles.simplify_m(tiles.SIMPLIFY_BELOW) == 0.0
    small = shapely.box(0, 0, px / 2, px / 2)
    thin_long = shapely.box(0, 0, px / 2, 10 * px)  # narrow but long: drawn
    wiggly = shapely.Polygon(
        [(i * px / 20, (i % 2) * px / 50) for i in range(200)]
        + [(200 * px / 20, px * 5), (0, px * 5)]
    )
    geoms = np.array([small, thin_long, wiggly], dtype=object)
    out = tiles.generalised(z, geoms, geoms)
    assert out[0] is None
    assert out[1].equals(thin_long)
    assert shapely.get_num_coordinates(out[2]) < shapely.get_num_coordinates(wiggly) / 10


def centre_tile(z: int) -> tuple[int, int]:
    lon, lat = transformer(CRS, "EPSG:4326").transform(X0 + 150, Y0 + 100)
    return tiles.tile_of(lon, lat, z)


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mini_plan(tmp_path_factory.mktemp("tiles") / "mini")


def test_the_postgis_store_keeps_zones_in_web_mercator_for_tiles(
    postgis_store_for: Callable[[Path], PostgisStore], mini: Path
) -> None:
    store = postgis_store_for(mini)
    conn = connect(store.url, autocommit=True)
    try:
        with conn.cursor() as cur:
            for table in ("zones", "overlays"):
                cur.execute(
                    f"SELECT count(*), count(geom_3857), "
                    f"max(ST_HausdorffDistance(geom_3857, ST_Transform(geom, 3857))), "
                    f"min(ST_SRID(geom_3857)) FROM kkpr.{table}"
                )
                n, filled, off, srid = cur.fetchone()
                assert n > 0 and filled == n and off < 1e-6 and srid == 3857
            cur.execute(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = 'kkpr' "
                "AND indexdef LIKE '%gist (geom_3857)%'"
            )
            assert cur.fetchone()[0] >= 3  # the parents' and the loaded partitions'
    finally:
        conn.close()


def test_both_stores_make_a_tile_once_per_version(
    postgis_store_for: Callable[[Path], PostgisStore], mini: Path
) -> None:
    x, y = centre_tile(16)
    for store in (postgis_store_for(mini), MemoryStore(read_plan(mini))):
        first = store.tile("zones", 16, x, y)
        again = store.tile("zones", 16, x, y)
        assert again is first  # the very bytes kept, not made again
        ids = sorted(f["id"] for f in mapbox_vector_tile.decode(first)["zones"]["features"])
        assert ids == [1, 2, 3, 4, 5]


def test_the_low_zooms_are_made_at_load_and_served_as_made(
    postgis_store_for: Callable[[Path], PostgisStore], mini: Path
) -> None:
    store = postgis_store_for(mini)
    conn = connect(store.url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT collection, z, x, y, mvt FROM kkpr.tiles ORDER BY 1, 2")
            made = cur.fetchall()
    finally:
        conn.close()
    zooms = {(c, z) for c, z, *_ in made}
    # the mini plan's 100 m zones are under a pixel at zoom 10: no tile there
    assert ("zones", 10) not in zooms and {("zones", 11), ("zones", 13)} <= zooms
    assert ("overlays", 13) in zooms
    _c, z, x, y, mvt = next(m for m in made if m[0] == "zones" and m[1] == 13)
    assert bytes(mvt) == store.tile("zones", z, x, y)
    assert (x, y) == centre_tile(13)


def test_tiles_covering_an_extent() -> None:
    minx, miny, maxx, maxy = tiles.tile_bounds(12, 100, 200)
    assert tiles.tiles_covering((minx + 1, miny + 1, maxx - 1, maxy - 1), 12) == [(100, 200)]
    two = tiles.tiles_covering((minx + 1, miny + 1, maxx + 1, maxy - 1), 12)
    assert two == [(100, 200), (101, 200)]
    assert tiles.tiles_covering((-1e9, -1e9, 1e9, 1e9), 1) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_a_wide_plan_makes_only_its_lowest_zooms_at_load(
    postgis_store_for: Callable[[Path], PostgisStore],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as if the mini plan spanned a province: two tiles of budget, zooms 10 and 11
    monkeypatch.setattr(tiles, "PRERENDER_TILES", 2)
    store = postgis_store_for(write_mini_plan(tmp_path / "wide"))
    conn = connect(store.url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT DISTINCT z FROM kkpr.tiles WHERE collection = 'zones'")
            zooms = sorted(z for (z,) in cur.fetchall())
    finally:
        conn.close()
    assert zooms == [11]  # zoom 10's tile is empty (100 m zones under a pixel)
    x, y = centre_tile(13)  # made when asked
    layer = mapbox_vector_tile.decode(store.tile("zones", 13, x, y))["zones"]
    assert len(layer["features"]) == 5
