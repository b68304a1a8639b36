"""Mapbox Vector Tiles (OGC API - Tiles, WebMercatorQuad) of a plan's layers.

One tile holds one layer, named after its collection, with the properties a map's
popup needs (``TILE_PROPERTIES``). The memory store encodes with the
``mapbox-vector-tile`` package; the PostGIS store with ``ST_AsMVT``
(``kkpr.store.postgis_features.tile_sql``).
Both clip to the tile plus a buffer of ``BUFFER`` units of ``EXTENT`` and drop what
becomes empty, so a client sees the same features and attributes from either.

Generalised by zoom, the same way in both: a feature whose extent is under a screen
pixel (``sliver_m``) in both directions is left out, and below ``SIMPLIFY_BELOW`` a
feature is simplified to a quarter of a pixel (``simplify_m``) before it is snapped to
the tile's grid. A version never changes once loaded, so neither does a tile of it:
each store keeps the tiles it made in a ``TileCache`` keyed by version.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import numpy as np
import shapely

from kkpr.errors import InvalidInput
from kkpr.plan.kugi import INTENSITY_FIELDS

WEB_MERCATOR = "EPSG:3857"
HALF_WORLD = 20037508.342789244  # metres from the centre to an edge of WebMercatorQuad
EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 24
TILE_PIXELS = 256  # a WebMercatorQuad tile is drawn 256 pixels wide
SIMPLIFY_BELOW = 13  # from this zoom on a tile carries every vertex (snapped to its grid)
CACHE_BYTES = 64 * 2**20  # a store's tile cache: about 10,000 tiles of a city plan
# made by PostGIS at load into kkpr.tiles: the zooms where a tile holds thousands of
# features (the maps draw zones from 10), from the lowest up while the plan's extent
# takes at most PRERENDER_TILES of them in all (a city: every zoom; a province-wide
# plan of 260 km: zooms 10 and 11, the others made when asked, then cached)
PRERENDER_ZOOMS = range(10, 14)
PRERENDER_TILES = 200

TILE_PROPERTIES: dict[str, tuple[str, ...]] = {
    "zones": (
        "kodszn",
        "namszn",
        "kodzon",
        "namzon",
        "kodblk",
        "kodsbl",
        "wadmkc",
        "wadmkd",
        *INTENSITY_FIELDS,
    ),
    "overlays": ("jenis", "keterangan", "tb", "efek"),
    "rtrw": ("namobj", "jnsrpr"),
}


def check_tile(z: int, x: int, y: int) -> None:
    """InvalidInput unless (z, x, y) is a tile of WebMercatorQuad."""
    n = 1 << z if 0 <= z <= MAX_ZOOM else 0
    if not (0 <= z <= MAX_ZOOM and 0 <= x < n and 0 <= y < n):
        raise InvalidInput(
            f"Ubin {z}/{x}/{y} tidak ada di WebMercatorQuad",
            f"Tile {z}/{x}/{y} does not exist in WebMercatorQuad",
            where="tileMatrix/tileRow/tileCol",
            hint_id=f"Tingkat 0..{MAX_ZOOM}; baris dan kolom 0..2^tingkat-1",
            hint_en=f"Levels 0..{MAX_ZOOM}; rows and columns 0..2^level-1",
        )


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The tile's (minx, miny, maxx, maxy) in EPSG:3857 metres (y = row from the top)."""
    size = 2 * HALF_WORLD / (1 << z)
    minx = -HALF_WORLD + x * size
    maxy = HALF_WORLD - y * size
    return minx, maxy - size, minx + size, maxy


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The (x, y) of the tile at zoom ``z`` holding a longitude, latitude."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tiles_covering(bounds: tuple[float, float, float, float], z: int) -> list[tuple[int, int]]:
    """The (x, y) of every zoom-``z`` tile meeting ``bounds`` (EPSG:3857 metres)."""
    size = 2 * HALF_WORLD / (1 << z)
    last = (1 << z) - 1

    def index(v: float) -> int:
        return min(max(math.floor(v / size), 0), last)

    minx, miny, maxx, maxy = bounds
    xs = range(index(minx + HALF_WORLD), index(maxx + HALF_WORLD) + 1)
    ys = range(index(HALF_WORLD - maxy), index(HALF_WORLD - miny) + 1)
    return [(x, y) for x in xs for y in ys]


def pixel_m(z: int) -> float:
    """The width of one screen pixel of a zoom-``z`` tile, in EPSG:3857 metres."""
    return 2 * HALF_WORLD / (1 << z) / TILE_PIXELS


def sliver_m(z: int) -> float:
    """A feature narrower and lower than this (EPSG:3857 metres) is not drawn at zoom
    ``z``: it would cover less than a pixel."""
    return pixel_m(z)


def simplify_m(z: int) -> float:
    """The simplification tolerance at zoom ``z`` (0: none), a quarter of a pixel."""
    return pixel_m(z) / 4 if z < SIMPLIFY_BELOW else 0.0


class TileCache:
    """Tiles already made, least recently used dropped first beyond ``max_bytes``.

    A key names the version (versions are immutable), the collection and the tile, so
    an entry is never stale; a store drops a version's entries when it is no longer
    served only through the size bound."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._tiles: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._tiles.get(key)
            if body is None:
                self.misses += 1
                return None
            self._tiles.move_to_end(key)
            self.hits += 1
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        # an empty tile is kept too (its key costs a little): asking again is as dear
        size = len(body) + 100
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._tiles.pop(key, None)
            if old is not None:
                self._bytes -= len(old) + 100
            self._tiles[key] = body
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, dropped = self._tiles.popitem(last=False)
                self._bytes -= len(dropped) + 100

    def clear(self) -> None:
        with self._lock:
            self._tiles.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._tiles)


def popup_properties(collection: str, props: dict[str, Any]) -> dict[str, Any]:
    """The properties a tile carries: present, not empty, numbers as numbers."""
    out: dict[str, Any] = {}
    for key in TILE_PROPERTIES.get(collection, ()):
        v = props.get(key)
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            continue
        out[key] = v
    return out


def generalised(z: int, geoms: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """How a zoom-``z`` tile draws ``geoms`` (EPSG:3857, cut to the tile) of the
    features ``whole``: None where the whole feature is under a pixel both ways,
    simplified below ``SIMPLIFY_BELOW``."""
    bounds = shapely.bounds(whole)
    small = sliver_m(z)
    keep = ((bounds[:, 2] - bounds[:, 0]) >= small) | ((bounds[:, 3] - bounds[:, 1]) >= small)
    out = np.full(len(geoms), None, dtype=object)
    tol = simplify_m(z)
    out[keep] = shapely.simplify(geoms[keep], tol, preserve_topology=True) if tol else geoms[keep]
    return out


def encode(
    collection: str,
    z: int,
    x: int,
    y: int,
    geoms: np.ndarray,
    fids: list[str],
    props: list[dict[str, Any]],
) -> bytes:
    """An MVT of one layer from geometries in EPSG:3857 (generalised and clipped here)."""
    import mapbox_vector_tile

    minx, _miny, maxx, maxy = tile_bounds(z, x, y)
    scale = EXTENT / (maxx - minx)
    pad = BUFFER / scale
    # cut to the tile first (a long river buffer is simplified only where it is drawn),
    # then into tile units (y down), snapped to the unit grid by GEOS in one
    # vectorised pass: valid polygons, few vertices at low zooms
    cut = shapely.clip_by_rect(geoms, minx - pad, _miny - pad, maxx + pad, maxy + pad)
    geoms = generalised(z, cut, geoms)
    local = shapely.transform(
        geoms, lambda xy: np.column_stack(((xy[:, 0] - minx) * scale, (maxy - xy[:, 1]) * scale))
    )
    local = shapely.clip_by_rect(local, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
    local = shapely.set_precision(local, 1.0)
    # MVT: an exterior ring has positive area in tile coordinates (y down)
    local = shapely.orient_polygons(local, exterior_cw=False)
    features = []
    for g, p, fid in zip(local, props, fids, strict=True):
        if g is None or g.is_empty or g.area <= 0:
            continue
        feature: dict[str, Any] = {"geometry": g, "properties": p}
        if fid.isdigit():
            feature["id"] = int(fid)
        features.append(feature)
    if not features:
        return b""
    return bytes(
        mapbox_vector_tile.encode(
            [{"name": collection, "features": features}],
            default_options={
                "extents": EXTENT,
                "y_coord_down": True,
                "check_winding_order": False,
            },
        )
    )
