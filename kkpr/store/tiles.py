"""Mapbox Vector Tiles (OGC API - Tiles, WebMercatorQuad) of a plan's layers.

One tile holds one layer, named after its collection, with the properties a map's
popup needs (``TILE_PROPERTIES``). The memory store encodes with the
``mapbox-vector-tile`` package; the PostGIS store with ``ST_AsMVT`` (``tile_sql``).
Both clip to the tile plus a buffer of ``BUFFER`` units of ``EXTENT`` and drop what
becomes empty, so a client sees the same features and attributes from either.
"""

from __future__ import annotations

import math
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


def popup_properties(collection: str, props: dict[str, Any]) -> dict[str, Any]:
    """The properties a tile carries: present, not empty, numbers as numbers."""
    out: dict[str, Any] = {}
    for key in TILE_PROPERTIES.get(collection, ()):
        v = props.get(key)
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            continue
        out[key] = v
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
    """An MVT of one layer from geometries in EPSG:3857 (clipped here)."""
    import mapbox_vector_tile

    minx, _miny, maxx, maxy = tile_bounds(z, x, y)
    scale = EXTENT / (maxx - minx)
    # into tile units (y down), clipped to the buffer and snapped to the unit grid
    # by GEOS in one vectorised pass: valid polygons, few vertices at low zooms
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


def tile_sql(source: str, properties: str) -> str:
    """``ST_AsMVT`` of one collection's tile, to be prepared: $1 vid, $2 srid, $3 z,
    $4 x, $5 y, $6 the layer's name.

    ``source`` is the FROM text aliased ``x``; ``properties`` a jsonb expression of
    the popup properties (``jsonb_strip_nulls`` drops the empty ones). A feature is
    first cut to the tile (with its buffer) in the plan CRS, so a river buffer or a
    hazard zone of many vertices is transformed only where it meets the tile; each is
    transformed and clipped once (a materialised step, not again in a filter)."""
    return f"""
WITH env AS MATERIALIZED (
    SELECT ST_TileEnvelope($3, $4, $5) AS tile,
           ST_Transform(ST_TileEnvelope($3, $4, $5, margin => {BUFFER / EXTENT}), $2) AS box
),
t AS MATERIALIZED (
    SELECT CASE WHEN x.fid ~ '^[0-9]{{1,18}}$' THEN x.fid::bigint END AS id,
           jsonb_strip_nulls({properties}) AS props,
           ST_AsMVTGeom(ST_Transform(ST_ClipByBox2D(x.geom, env.box), 3857), env.tile,
                        {EXTENT}, {BUFFER}, true) AS geom
    FROM {source}, env
    WHERE x.vid = $1 AND x.geom && env.box
)
SELECT ST_AsMVT(t.*, $6, {EXTENT}, 'geom', 'id') FROM t WHERE t.geom IS NOT NULL
"""
