"""The PostgreSQL connections of one process: a pool that notices and replaces broken ones.

Every PostgreSQL user in kkpr (the records, the pipeline, the plan store) takes its
connections from a ``Pool``: a database restart costs the requests that were in flight
at that moment (answered 503, nothing half-written), not the process.
"""

from __future__ import annotations

import functools
import select
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from kkpr.errors import StoreError

Unavailable = Callable[[str, "BaseException | str"], StoreError]


def redact(url: str) -> str:
    """``url`` without its password, for messages."""
    head, sep, tail = url.partition("://")
    if not sep or "@" not in tail:
        return url
    cred, _at, rest = tail.rpartition("@")
    return f"{head}://{cred.split(':', 1)[0]}:***@{rest}" if ":" in cred else url


def unavailable(url: str, exc: BaseException | str) -> StoreError:
    """The records database cannot be used now (down, restarting, every connection busy)."""
    return StoreError(
        "Basis data catatan tidak dapat dipakai saat ini; tidak ada yang diubah",
        "The records database cannot be used right now; nothing was changed",
        where=redact(url),
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


@functools.cache
def _connection_class() -> Any:
    """psycopg2's connection with a ``prepared`` set: the server-side prepared
    statements (``PREPARE name``) this connection holds, which live and die with it."""
    import psycopg2.extensions

    class Connection(psycopg2.extensions.connection):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.prepared: set[str] = set()

    return Connection


def connect(
    url: str,
    *,
    connect_timeout_s: int,
    on_connect: Callable[[Any], None] | None = None,
    unavailable: Unavailable = unavailable,
) -> Any:
    """One new PostgreSQL connection, as a ``Pool`` opens them (``application_name``,
    the connect timeout, the ``prepared`` set); ``StoreError`` when it cannot be made.

    Outside a pool only for a unit of work too long to hold one of a pool's few
    connections (a plan load: minutes of COPY in one transaction); its caller closes it.
    """
    import psycopg2  # an adapter library: imported only when PostgreSQL is used

    try:
        conn = psycopg2.connect(
            url,
            connect_timeout=connect_timeout_s,
            application_name="kkpr",
            connection_factory=_connection_class(),
        )
        if on_connect is not None:
            on_connect(conn)
    except psycopg2.Error as exc:
        raise unavailable(url, exc) from exc
    return conn


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

    ``on_connect`` prepares each new connection (session settings, autocommit);
    ``unavailable`` words the 503 for the database's users (records, plan store).
    A closed pool opens connections again when asked: ``close`` is the app's
    shutdown, and an app used again (tests) must not find a dead pool.
    """

    def __init__(
        self,
        url: str,
        *,
        size: int,
        wait_s: float,
        connect_timeout_s: int,
        on_connect: Callable[[Any], None] | None = None,
        unavailable: Unavailable = unavailable,
    ) -> None:
        self.url = url
        self.size = size
        self.wait_s = wait_s
        self.connect_timeout_s = connect_timeout_s
        self._on_connect = on_connect
        self._unavailable = unavailable
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[tuple[Any, float]] = []  # (connection, opened at)
        self._broken_at = 0.0  # connections opened before this are suspect
        self.opened = 0  # connections opened over the pool's life (tests, health)

    def _open(self) -> Any:
        conn = connect(
            self.url,
            connect_timeout_s=self.connect_timeout_s,
            on_connect=self._on_connect,
            unavailable=self._unavailable,
        )
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

    def open(self) -> None:
        """Open one connection now (the app's startup), so that the first request does
        not pay for it; a database that is down is not an error here (``/readyz``
        says so, and the pool connects when it is back)."""
        with suppress(StoreError), self.connection():
            pass

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A connection for one unit of work; returned to the pool if it is sound."""
        import psycopg2

        if not self._slots.acquire(timeout=self.wait_s):
            raise self._unavailable(
                self.url, f"all {self.size} connections busy for {self.wait_s} s"
            )
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
                    raise self._unavailable(self.url, exc) from exc
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
