"""One unit of work per transaction over SQLite (embedded default) or PostgreSQL.

Callers write portable SQL composed by the driver (``kkpr.db.sql.sql``); each
``transaction`` is one transaction, so a record and its outbox event are written
together or not at all. PostgreSQL connections come from a ``kkpr.db.pool.Pool``.

Schema changes are migrations (``kkpr.db.migrate``), applied through ``Tx.script``.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from kkpr.db.pool import Pool, Unavailable, unavailable
from kkpr.db.sql import Sql, sql

SQLITE_BUSY_S = 30  # how long an SQLite connection waits for another's write lock

Row = dict[str, Any]


class Tx:
    """A transaction: ``execute``, ``query`` and ``one``.

    A statement is an ``Sql`` (``kkpr.db.sql.sql``): the driver composes its
    parameters and identifiers. Plain text is refused (``TypeError``): no statement's
    placeholders are rewritten by string replacement.
    """

    def __init__(self, cursor: Any, dialect: str) -> None:
        self._cur = cursor
        self.dialect = dialect

    def _sql(self, statement: Sql) -> Any:
        if not isinstance(statement, Sql):
            raise TypeError(
                f"a statement is written with kkpr.db.sql.sql(), not as {type(statement).__name__}"
            )
        return statement.render(self.dialect)

    def execute(self, statement: Sql, params: Sequence[Any] = ()) -> int:
        self._cur.execute(self._sql(statement), tuple(params))
        return int(self._cur.rowcount or 0)

    def query(self, statement: Sql, params: Sequence[Any] = ()) -> list[Row]:
        self._cur.execute(self._sql(statement), tuple(params))
        names = [d[0] for d in self._cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in self._cur.fetchall()]

    def one(self, statement: Sql, params: Sequence[Any] = ()) -> Row | None:
        rows = self.query(statement, params)
        return rows[0] if rows else None

    def script(self, text: str) -> None:
        """Run a script of several statements (a migration), no parameters.

        The statements are told apart by the database's own parser, never by
        splitting text: PostgreSQL takes the whole script in one simple query (a
        function body's ``;`` stays inside its ``$$``); SQLite's
        ``sqlite3.complete_statement`` says where each statement ends (a trigger's
        ``;`` stays inside its ``BEGIN ... END``).
        """
        if self.dialect == "postgresql":
            self._cur.execute(text)  # no parameters: no placeholder is read in it
            return
        for statement in sqlite_statements(text):
            self._cur.execute(statement)


def sqlite_statements(script: str) -> list[str]:
    """A script as single statements, where SQLite's parser says each one ends."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if not buf and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())  # a last statement without its ";"
    return out


def dialect_of(url: str) -> str:
    """``postgresql`` for a PostgreSQL URL, else ``sqlite`` (a ``sqlite://`` URL or a path)."""
    return "postgresql" if url.startswith(("postgresql:", "postgres:")) else "sqlite"


def sqlite_path(url: str) -> str:
    """The file of an SQLite URL (``sqlite:///var/records.db``) or bare path."""
    return url.removeprefix("sqlite:///").removeprefix("sqlite://")


class Database:
    """``sqlite:///path.db`` (or a bare path) or ``postgresql://...``.

    ``durable=False`` is for state that may be lost in a crash (the public rate
    buckets): its commits do not wait for the disk (SQLite ``synchronous=OFF`` on this
    object's connections, PostgreSQL ``synchronous_commit`` off). Other connections to
    the same database keep their own setting.

    PostgreSQL: a ``Pool`` (sizes from ``kkpr.settings``: ``db_pool_size``,
    ``db_pool_wait_s``, ``db_connect_timeout_s``; ``unavailable`` words its 503).
    SQLite: one connection per thread.
    """

    def __init__(
        self,
        url: str,
        *,
        durable: bool = True,
        pool_size: int | None = None,
        pool_wait_s: float | None = None,
        connect_timeout_s: int | None = None,
        unavailable: Unavailable = unavailable,
    ) -> None:
        self.url = url
        self.durable = durable
        self.path = ""  # the file, for SQLite
        self.dialect = dialect_of(url)
        self._local = threading.local()
        self._sqlite_conns: list[sqlite3.Connection] = []
        self._sqlite_lock = threading.Lock()
        self.pool: Pool | None = None
        if self.dialect == "sqlite":
            path = sqlite_path(url)
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.path = path
        else:
            from kkpr.settings import Settings

            settings = Settings()
            self.pool = Pool(
                url,
                size=pool_size or settings.db_pool_size,
                wait_s=pool_wait_s or settings.db_pool_wait_s,
                connect_timeout_s=connect_timeout_s or settings.db_connect_timeout_s,
                on_connect=None if durable else _asynchronous_commit,
                unavailable=unavailable,
            )

    def _sqlite(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(
            self.path, timeout=SQLITE_BUSY_S, isolation_level=None, check_same_thread=False
        )
        _into_wal(conn)
        conn.execute("PRAGMA synchronous=" + ("FULL" if self.durable else "OFF"))
        conn.execute("PRAGMA foreign_keys=ON")
        self._local.conn = conn
        with self._sqlite_lock:
            self._sqlite_conns.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        if self.pool is None:
            conn = self._sqlite()
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
            return
        with self.pool.connection() as pg:
            try:
                with pg.cursor() as cur:
                    yield Tx(cur, self.dialect)
            except BaseException:
                if not pg.closed:
                    with suppress(Exception):  # a broken connection cannot roll back
                        pg.rollback()
                raise
            else:
                pg.commit()

    def open(self) -> None:
        """Open the pool's first connection now (the app's startup); SQLite opens its
        file per thread when first used."""
        if self.pool is not None:
            self.pool.open()

    def ping(self) -> None:
        """One round trip to the database; ``StoreError`` when it cannot be used."""
        with self.transaction() as tx:
            tx.query(sql("SELECT 1 AS ok"))

    def close(self) -> None:
        """Close every connection this object holds (all threads)."""
        if self.pool is not None:
            self.pool.close()
        with self._sqlite_lock:
            conns, self._sqlite_conns = self._sqlite_conns, []
        for conn in conns:
            with suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()


def _into_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode, waiting (up to ``SQLITE_BUSY_S``) for a connection that
    is writing it.

    Switching a file into WAL is a write made under a read lock. When another connection
    holds the write lock (another runner switching the same new file, or migrating it),
    SQLite answers SQLITE_BUSY at once, without the busy handler: waiting while holding
    the read lock could deadlock. So two processes or threads opening a new database at
    once could fail with "database is locked" however long the busy timeout. Here the
    statement, which holds no lock once it has failed, is tried again until the other
    writer commits; by then the file is usually in WAL already and this is a read.
    """
    deadline = time.monotonic() + SQLITE_BUSY_S
    pause = 0.001
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _asynchronous_commit(conn: Any) -> None:
    with conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    conn.commit()
