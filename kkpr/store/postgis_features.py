"""The SQL of features, queryables and filters for the PostGIS store.

A feature's properties are its layer's own attributes (``attrs``); a zone's intensity
is the one the check applies (the polygon's own value, else its sub-zone's default
from ``kkpr.intensity``), as the memory store's ``PlanFeatures`` gives it. A
property's type is read from the JSON values of every feature of the version, by
the rule of ``kkpr.store.filters.type_of_values``.

Every piece is composed by the driver (``psycopg2.sql``: tables and columns as
identifiers, names as literals, a filter's values and property names as parameters),
imported inside the functions: importing this module needs no database driver.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kkpr.db.sql import quote_identifier
from kkpr.plan.kugi import INTENSITY_FIELDS
from kkpr.store import filters, tiles
from kkpr.store.features import property_types
from kkpr.store.filters import Filter
from kkpr.store.tiles import TILE_PROPERTIES

LAYERS = ("zones", "overlays", "rtrw")


def source(collection: str) -> Any:
    """``FROM`` of a collection, aliased ``x`` (zones joined to their defaults)."""
    from psycopg2 import sql as pg

    if collection not in LAYERS:  # the table name is never taken from a request
        raise ValueError(collection)
    if collection == "zones":
        return pg.SQL(
            "kkpr.zones x LEFT JOIN kkpr.intensity i ON i.vid = x.vid AND i.kodszn = x.kodszn"
        )
    return pg.SQL("{} x").format(pg.Identifier("kkpr", collection))


def _pairs(collection: str, props: Iterable[str]) -> Any:
    """``'name', expression, ...`` of ``jsonb_build_object``: a zone's intensity as
    the check applies it (its own value, else its sub-zone's default)."""
    from psycopg2 import sql as pg

    pairs = []
    for prop in props:
        own = pg.Identifier("x", prop)
        if collection == "zones" and prop in INTENSITY_FIELDS:
            value = pg.SQL("coalesce({}, {})").format(own, pg.Identifier("i", prop))
        else:
            value = own
        pairs.append(pg.SQL("{}, {}").format(pg.Literal(prop), value))
    return pg.SQL(", ").join(pairs)


def properties(collection: str) -> Any:
    """The SQL expression of a feature's properties (jsonb)."""
    from psycopg2 import sql as pg

    if collection != "zones":
        return pg.SQL("x.attrs")
    return pg.SQL("(coalesce(x.attrs, '{{}}'::jsonb) || jsonb_build_object({}))").format(
        _pairs(collection, INTENSITY_FIELDS)
    )


def tile_properties(collection: str) -> Any:
    """The jsonb of a tile feature's popup properties (kkpr.store.tiles), from the
    layer's own columns."""
    from psycopg2 import sql as pg

    return pg.SQL("jsonb_build_object({})").format(_pairs(collection, TILE_PROPERTIES[collection]))


def where_sql(collection: str, node: Filter, types: dict[str, str], params: dict[str, Any]) -> Any:
    """``node`` as a condition; its values and the property names it reads go into
    ``params`` (``filters.to_sql`` writes only operators and placeholders)."""
    from psycopg2 import sql as pg

    bound = filters.bind(node, types)
    names: dict[str, str] = {}

    def column(prop: str) -> str:
        if collection == "zones" and prop in INTENSITY_FIELDS:  # a column of kkpr.zones
            return f"coalesce({quote_identifier('x.' + prop)}, {quote_identifier('i.' + prop)})"
        if prop not in names:
            names[prop] = f"k{len(names)}"
            params[names[prop]] = prop
        return filters.sql_column(f"x.attrs->>%({names[prop]})s", types[prop])

    return pg.SQL(filters.to_sql(bound, column, params))


TYPES_SQL = """
SELECT e.key, min(e.ord) AS first,
       array_agg(DISTINCT jsonb_typeof(e.value)) AS kinds,
       bool_or(jsonb_typeof(e.value) = 'number' AND e.value::text ~ '[.eE]') AS fraction
FROM {table} x, jsonb_each(x.attrs) WITH ORDINALITY AS e(key, value, ord)
WHERE x.vid = %s
GROUP BY e.key
ORDER BY first, e.key
"""


def types_sql(collection: str) -> Any:
    from psycopg2 import sql as pg

    if collection not in LAYERS:
        raise ValueError(collection)
    return pg.SQL(TYPES_SQL).format(table=pg.Identifier("kkpr", collection))


def types_of(collection: str, rows: list[tuple[Any, ...]]) -> dict[str, str]:
    """Property types from TYPES_SQL rows, by the memory store's rule."""
    found: dict[str, str] = {}
    for key, _first, kinds, fraction in rows:
        seen = set(kinds) - {"null"}
        if seen == {"boolean"}:
            kind = filters.BOOLEAN
        elif seen == {"number"}:
            kind = filters.NUMBER if fraction else filters.INTEGER
        else:
            kind = filters.STRING
        found[str(key)] = kind
    if collection == "zones":
        found |= {f: filters.NUMBER for f in INTENSITY_FIELDS}
    return property_types(collection, found)


# ---------------------------------------------------------------- vector tiles


def tile_sql(source: Any, properties: Any) -> Any:
    """``ST_AsMVT`` of one collection's tile, to be prepared: $1 vid, $2 z, $3 x, $4 y,
    $5 the layer's name, $6 ``tiles.sliver_m(z)``, $7 ``tiles.simplify_m(z)``.

    ``source`` is the FROM (``psycopg2.sql``, as ``kkpr.store.postgis_features``
    composes it) aliased ``x``, whose ``geom_3857`` is the feature kept
    in EPSG:3857 at load (migration 0007), indexed: nothing is reprojected per tile.
    ``properties`` is a jsonb expression of the popup properties
    (``jsonb_strip_nulls`` drops the empty ones). A feature under a pixel both ways is
    passed over on its bounding box alone; the rest are cut to the tile with its
    buffer (a river buffer of many vertices is simplified only where it is drawn),
    simplified at low zooms, then snapped to the tile's grid, once each (a
    materialised step, not again in a filter)."""
    from psycopg2 import sql as pg

    return pg.SQL("""
WITH env AS MATERIALIZED (
    SELECT ST_TileEnvelope($2, $3, $4) AS tile,
           ST_TileEnvelope($2, $3, $4, margin => {margin}) AS box
),
t AS MATERIALIZED (
    SELECT CASE WHEN x.fid ~ '^[0-9]{{1,18}}$' THEN x.fid::bigint END AS id,
           jsonb_strip_nulls({properties}) AS props,
           ST_AsMVTGeom(
               CASE WHEN $7 > 0
                    THEN ST_SimplifyPreserveTopology(ST_ClipByBox2D(x.geom_3857, env.box), $7)
                    ELSE ST_ClipByBox2D(x.geom_3857, env.box) END,
               env.tile, {extent}, {buffer}, true) AS geom
    FROM {source}, env
    WHERE x.vid = $1 AND x.geom_3857 && env.box
      AND (ST_XMax(x.geom_3857) - ST_XMin(x.geom_3857) >= $6
           OR ST_YMax(x.geom_3857) - ST_YMin(x.geom_3857) >= $6)
)
SELECT ST_AsMVT(t.*, $5, {extent}, 'geom', 'id') FROM t WHERE t.geom IS NOT NULL
""").format(
        source=source,
        properties=properties,
        margin=pg.Literal(tiles.BUFFER / tiles.EXTENT),
        extent=pg.Literal(tiles.EXTENT),
        buffer=pg.Literal(tiles.BUFFER),
    )


def prerender(cur: Any, collection: str, vid: int, source: Any, properties: Any) -> int:
    """Make a version's tiles of ``tiles.PRERENDER_ZOOMS`` into ``kkpr.tiles`` (inside the
    load's transaction, on its cursor), as far as ``tiles.PRERENDER_TILES`` allows; the
    number of tiles that hold something."""
    from psycopg2 import sql as pg

    cur.execute(
        pg.SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(x.geom_3857) AS e FROM {} WHERE x.vid = %s) s"
        ).format(source),
        (vid,),
    )
    row = cur.fetchone()
    if row is None or row[0] is None:
        return 0
    bounds = (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
    name = pg.Identifier(f"kkpr_prerender_{collection}")
    cur.execute(
        pg.SQL(
            "PREPARE {} (bigint, integer, integer, integer, text, float8, float8) AS "
            "INSERT INTO kkpr.tiles (vid, collection, z, x, y, mvt) "
            "SELECT $1, $5, $2, $3, $4, m.mvt FROM ({}) m(mvt) "
            "WHERE length(m.mvt) > 0"
        ).format(name, tile_sql(source, properties))
    )
    made = 0
    budget = tiles.PRERENDER_TILES
    try:
        for z in tiles.PRERENDER_ZOOMS:
            cells = tiles.tiles_covering(bounds, z)
            budget -= len(cells)
            if budget < 0:
                break
            for x, y in cells:
                cur.execute(
                    pg.SQL("EXECUTE {} (%s, %s, %s, %s, %s, %s, %s)").format(name),
                    (vid, z, x, y, collection, tiles.sliver_m(z), tiles.simplify_m(z)),
                )
                made += cur.rowcount
    finally:
        cur.execute(pg.SQL("DEALLOCATE {}").format(name))
    return made
