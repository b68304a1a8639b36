"""The SQL of features, queryables and filters for the PostGIS store.

A feature's properties are its layer's own attributes (``attrs``); a zone's intensity
is the one the check applies (the polygon's own value, else its sub-zone's default
from ``kkpr.intensity``), as the memory store's ``PlanFeatures`` gives it. A
property's type is read from the JSON values of every feature of the version, by
the rule of ``kkpr.store.filters.type_of_values``.
"""

from __future__ import annotations

from typing import Any

from kkpr.plan.kugi import INTENSITY_FIELDS
from kkpr.store import filters
from kkpr.store.features import property_types
from kkpr.store.filters import Filter
from kkpr.store.tiles import TILE_PROPERTIES

LAYERS = ("zones", "overlays", "rtrw")


def source(collection: str) -> str:
    """``FROM`` text of a collection, aliased ``x`` (zones joined to their defaults)."""
    if collection not in LAYERS:  # the table name is never taken from a request
        raise ValueError(collection)
    if collection == "zones":
        return "kkpr.zones x LEFT JOIN kkpr.intensity i ON i.vid = x.vid AND i.kodszn = x.kodszn"
    return f"kkpr.{collection} x"


def properties(collection: str) -> str:
    """The SQL expression of a feature's properties (jsonb)."""
    if collection != "zones":
        return "x.attrs"
    pairs = ", ".join(f"'{f}', coalesce(x.{f}, i.{f})" for f in INTENSITY_FIELDS)
    return f"(coalesce(x.attrs, '{{}}'::jsonb) || jsonb_build_object({pairs}))"


def tile_properties(collection: str) -> str:
    """The jsonb of a tile feature's popup properties (kkpr.store.tiles), from the
    layer's own columns."""
    pairs = []
    for prop in TILE_PROPERTIES[collection]:
        if collection == "zones" and prop in INTENSITY_FIELDS:
            pairs.append(f"'{prop}', coalesce(x.{prop}, i.{prop})")
        else:
            pairs.append(f"'{prop}', x.{prop}")
    return f"jsonb_build_object({', '.join(pairs)})"


def column(collection: str, prop: str, kind: str) -> str:
    """The typed SQL expression of one property."""
    if collection == "zones" and prop in INTENSITY_FIELDS:
        return f"coalesce(x.{prop}, i.{prop})"
    name = prop.replace("'", "''")
    return filters.sql_column(f"x.attrs->>'{name}'", kind)


def where_sql(collection: str, node: Filter, types: dict[str, str], params: dict[str, Any]) -> str:
    bound = filters.bind(node, types)
    return filters.to_sql(bound, lambda p: column(collection, p, types[p]), params)


TYPES_SQL = """
SELECT e.key, min(e.ord) AS first,
       array_agg(DISTINCT jsonb_typeof(e.value)) AS kinds,
       bool_or(jsonb_typeof(e.value) = 'number' AND e.value::text ~ '[.eE]') AS fraction
FROM kkpr.{table} x, jsonb_each(x.attrs) WITH ORDINALITY AS e(key, value, ord)
WHERE x.vid = %s
GROUP BY e.key
ORDER BY first, e.key
"""


def types_sql(collection: str) -> str:
    if collection not in LAYERS:
        raise ValueError(collection)
    return TYPES_SQL.format(table=collection)


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
