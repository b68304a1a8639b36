"""One small SQL layer over SQLite (embedded default) and PostgreSQL.

Callers write SQL with ``?`` placeholders and portable types; this module translates
the placeholders for psycopg2 and gives every unit of work one transaction, so a
record and its outbox event are written together or not at all.

PostgreSQL connections come from a ``Pool`` that notices broken connections and
replaces them: a database restart costs the requests that were in flight at that
moment (answered 503, nothing half-written), not the process.
"""

from __future__ import annotations

import select
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from kkpr.errors import StoreError

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


def _redact(url: str) -> str:
    head, sep, tail = url.partition("://")
    if not sep or "@" not in tail:
        return url
    cred, _at, rest = tail.rpartition("@")
    return f"{head}://{cred.split(':', 1)[0]}:***@{rest}" if ":" in cred else url


def unavailable(url: str, exc: BaseException | str) -> StoreError:
    """The database cannot be used now (down, restarting, every connection busy)."""
    return StoreError(
        "Basis data catatan tidak dapat dipakai saat ini; tidak ada yang diubah",
        "The records database cannot be used right now; nothing was changed",
        where=_redact(url),
        hint_id=f"Coba lagi sebentar lagi; pengelola: periksa server basis data ({exc})",
        hint_en=f"Try again shortly; operators: check the database server ({exc})",
    )


def _looks_closed(conn: Any) -> bool:
    """Whether an idle connection was closed by the server (restart, termination).

    An idle PostgreSQL connection has nothing to read: a server that shuts down or
    terminates it sends an error message and closes the socket, which makes the socket
    readable. Asking the socket costs no round trip to the server.
    """
    if conn.closed:
        return True
    # poll, not select: select() refuses descriptors past FD_SETSIZE (1024), which a
    # busy server reaches, and every connection would then look closed
    poller = select.poll()
    try:
        poller.register(conn.fileno(), select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


class Pool:
    """At most ``size`` PostgreSQL connections, reused, replaced when they break.

    - an idle connection the server has closed is dropped when it is taken
      (``_looks_closed``) and a new one opened in its place;
    - a connection that breaks during use (the driver marks it closed) is closed, not
      returned, the error becomes ``StoreError`` (503), and every idle connection
      opened before the failure is dropped with it (a restarted server has closed
      them all); an SQL error on a sound connection passes through unchanged;
    - a request waits at most ``wait_s`` for a free connection, and opening one
      takes at most ``connect_timeout_s``: both answer ``StoreError`` (503).
    """

    def __init__(
        self,
        url: str,
        *,
        size: int,
        wait_s: float,
        connect_timeout_s: int,
        on_connect: Callable[[Any], None] | None = None,
    ) -> None:
        self.url = url
        self.size = size
        self.wait_s = wait_s
        self.connect_timeout_s = connect_timeout_s
        self._on_connect = on_connect
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[tuple[Any, float]] = []  # (connection, opened at)
        self._broken_at = 0.0  # connections opened before this are suspect
        self.opened = 0  # connections opened over the pool's life (tests, health)

    def _open(self) -> Any:
        import psycopg2  # an adapter library: imported only when PostgreSQL is used

        try:
            conn = psycopg2.connect(
                self.url, connect_timeout=self.connect_timeout_s, application_name="kkpr"
            )
            if self._on_connect is not None:
                self._on_connect(conn)
        except psycopg2.Error as exc:
            raise unavailable(self.url, exc) from exc
        with self._lock:
            self.opened += 1
        return conn

    def _take(self) -> tuple[Any, float]:
        while True:
            with self._lock:
                if not self._idle:
                    break
                conn, opened_at = self._idle.pop()
            if opened_at > self._broken_at and not _looks_closed(conn):
                return conn, opened_at
            with suppress(Exception):
                conn.close()
        return self._open(), time.monotonic()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection for one unit of work; returned to the pool if it is sound."""
        import psycopg2

        if not self._slots.acquire(timeout=self.wait_s):
            raise unavailable(self.url, f"all {self.size} connections busy for {self.wait_s} s")
        try:
            conn, opened_at = self._take()
            try:
                yield conn
            except BaseException as exc:
                if not (conn.closed or isinstance(exc, psycopg2.InterfaceError)):
                    self._give_back(conn, opened_at)  # an SQL error: the connection is fine
                    raise
                self._discard(conn, broken=True)
                if isinstance(exc, psycopg2.Error):
                    raise unavailable(self.url, exc) from exc
                raise
            else:
                self._give_back(conn, opened_at)
        finally:
            self._slots.release()

    def _give_back(self, conn: Any, opened_at: float) -> None:
        with self._lock:
            self._idle.append((conn, opened_at))

    def _discard(self, conn: Any, *, broken: bool) -> None:
        with suppress(Exception):
            conn.close()
        if broken:
            with self._lock:
                self._broken_at = time.monotonic()

    def close(self) -> None:
        """Close every idle connection (the app's shutdown)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _at in idle:
            with suppress(Exception):
                conn.close()


class Database:
    """``sqlite:///path.db`` (or a bare path) or ``postgresql://...``.

    ``durable=False`` is for state that may be lost in a crash (the public rate
    buckets): its commits do not wait for the disk (SQLite ``synchronous=OFF`` on this
    object's connections, PostgreSQL ``synchronous_commit`` off). Other connections to
    the same database keep their own setting.

    PostgreSQL: a ``Pool`` (sizes from ``kkpr.settings``: ``db_pool_size``,
    ``db_pool_wait_s``, ``db_connect_timeout_s``). SQLite: one connection per thread.
    """

    def __init__(
        self,
        url: str,
        *,
        durable: bool = True,
        pool_size: int | None = None,
        pool_wait_s: float | None = None,
        connect_timeout_s: int | None = None,
    ) -> None:
        self.url = url
        self.durable = durable
        self.path = ""  # the file, for SQLite
        self.dialect = "postgresql" if url.startswith(("postgresql:", "postgres:")) else "sqlite"
        self._local = threading.local()
        self._sqlite_conns: list[sqlite3.Connection] = []
        self._sqlite_lock = threading.Lock()
        self.pool: Pool | None = None
        if self.dialect == "sqlite":
            path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
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
            )

    def _sqlite(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=" + ("FULL" if self.durable else "OFF"))
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
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

    def ping(self) -> None:
        """One round trip to the database; ``StoreError`` when it cannot be used."""
        with self.transaction() as tx:
            tx.query("SELECT 1 AS ok")

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


def _asynchronous_commit(conn: Any) -> None:
    with conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    conn.commit()
