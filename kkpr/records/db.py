"""One small SQL layer over SQLite (embedded default) and PostgreSQL.

Callers write SQL with ``?`` placeholders and portable types; this module translates
the placeholders for psycopg2 and gives every unit of work one transaction, so a
record and its outbox event are written together or not at all.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Row = dict[str, Any]


class Tx:
    """A transaction: ``execute`` and ``query`` with ``?`` placeholders."""

    def __init__(self, cursor: Any, dialect: str) -> None:
        self._cur = cursor
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        self._cur.execute(self._sql(sql), tuple(params))
        return int(self._cur.rowcount or 0)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._cur.execute(self._sql(sql), tuple(params))
        names = [d[0] for d in self._cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in self._cur.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None


class Database:
    """``sqlite:///path.db`` (or a bare path) or ``postgresql://...``.

    ``durable=False`` is for state that may be lost in a crash (the public rate
    buckets): its commits do not wait for the disk (SQLite ``synchronous=OFF`` on this
    object's connections, PostgreSQL ``synchronous_commit`` off). Other connections to
    the same database keep their own setting.
    """

    def __init__(self, url: str, *, durable: bool = True) -> None:
        self.url = url
        self.durable = durable
        self.path = ""  # the file, for SQLite
        self.dialect = "postgresql" if url.startswith(("postgresql:", "postgres:")) else "sqlite"
        self._local = threading.local()
        if self.dialect == "sqlite":
            path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.path = path

    def _connect(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self.dialect == "sqlite":
            conn = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=" + ("FULL" if self.durable else "OFF"))
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
        else:
            import psycopg2  # an adapter library: imported only when PostgreSQL is used

            conn = psycopg2.connect(self.url)
            if not self.durable:
                with conn.cursor() as cur:
                    cur.execute("SET synchronous_commit = off")
                conn.commit()
        self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        conn = self._connect()
        if self.dialect == "sqlite":
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(cur, self.dialect)
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()
            finally:
                cur.close()
        else:
            try:
                with conn.cursor() as cur:
                    yield Tx(cur, self.dialect)
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
