"""SQL composed by the driver: parameters and identifiers are never pasted into text.

``sql("SELECT * FROM {table} WHERE {key} = {}", table="cases", key="application_id")``:
``{}`` is a parameter (its value goes in ``params``), ``{name}`` an identifier (a
table or a column, ``schema.table`` allowed). On PostgreSQL the statement is
``psycopg2.sql.SQL(template).format(Placeholder(), ..., name=Identifier(...))``: the
driver composes it and quotes the identifiers. On SQLite, whose driver has no
composition API, the same template gets its ``?`` placeholders and SQL-standard
quoted identifiers. A ``%`` meant for the database is written ``%%`` (psycopg2's rule;
it is undone for SQLite). Literal braces are ``{{`` and ``}}``.

Rendering is cached per template and identifiers: the hot statements (the check log's
insert) are composed once per process.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sql:
    """A statement template and its identifiers (see the module docstring)."""

    template: str
    identifiers: tuple[tuple[str, str], ...] = ()

    def render(self, dialect: str) -> Any:
        """The statement for ``dialect``: a ``psycopg2.sql.Composed`` or SQLite text."""
        if dialect == "postgresql":
            return _postgresql(self.template, self.identifiers)
        return _sqlite(self.template, self.identifiers)


def sql(template: str, **identifiers: str) -> Sql:
    """A statement: ``{}`` parameters, ``{name}`` identifiers given by keyword."""
    return Sql(template, tuple(sorted(identifiers.items())))


def insert(table: str, columns: Iterable[str]) -> Sql:
    """``INSERT INTO table (columns...) VALUES (one parameter per column)``."""
    names = {f"c{i}": c for i, c in enumerate(columns)}
    fields = ", ".join("{" + k + "}" for k in names)
    return sql(
        f"INSERT INTO {{table}} ({fields}) VALUES ({', '.join(['{}'] * len(names))})",
        table=table,
        **names,
    )


def select(table: str, columns: Iterable[str], rest: str = "") -> Sql:
    """``SELECT columns... FROM table`` and ``rest`` (a ``WHERE``, an ``ORDER BY``: its
    ``{}`` are parameters)."""
    names = {f"c{i}": c for i, c in enumerate(columns)}
    fields = ", ".join("{" + k + "}" for k in names)
    return sql(f"SELECT {fields} FROM {{table}}" + rest, table=table, **names)


def update(table: str, columns: Iterable[str], key: str) -> Sql:
    """``UPDATE table SET column = parameter, ... WHERE key = parameter``: the
    parameters are the columns' values, then the key's."""
    names = {f"c{i}": c for i, c in enumerate(columns)}
    sets = ", ".join("{" + k + "} = {}" for k in names)
    return sql(f"UPDATE {{table}} SET {sets} WHERE {{key}} = {{}}", table=table, key=key, **names)


def _parameters(template: str) -> int:
    fields = [f for _text, f, _spec, _conv in string.Formatter().parse(template) if f is not None]
    return sum(1 for f in fields if f == "")


def quote_identifier(name: str) -> str:
    """``name`` (``schema.table`` allowed) quoted as SQL says: in double quotes, a
    double quote doubled."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


@functools.lru_cache(maxsize=1024)
def _sqlite(template: str, identifiers: tuple[tuple[str, str], ...]) -> str:
    named = {k: quote_identifier(v) for k, v in identifiers}
    text = template.format(*["?"] * _parameters(template), **named)
    return text.replace("%%", "%")


@functools.lru_cache(maxsize=1024)
def _postgresql(template: str, identifiers: tuple[tuple[str, str], ...]) -> Any:
    from psycopg2 import sql as pg  # an adapter library: only where PostgreSQL is used

    named = {k: pg.Identifier(*v.split(".")) for k, v in identifiers}
    return pg.SQL(template).format(*[pg.Placeholder()] * _parameters(template), **named)
