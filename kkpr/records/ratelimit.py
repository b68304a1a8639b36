"""Token buckets per client, for the public rate limit, in memory or shared.

A client may make ``capacity`` requests at once and then ``rate`` per second (the
bucket refills continuously). ``MemoryBuckets`` keeps the buckets of one process.
``SharedBuckets`` keeps them in the records database, so that every API process
(the workers of one machine share the SQLite file, PostgreSQL serves them all) counts
the same requests: N workers behind a balancer then allow a client the limit, not N
times the limit.

Rate state needs no durability: the shared buckets are written without waiting for
the disk (see ``Database(durable=False)``), so a public request pays one short
transaction, not a flush. On PostgreSQL they are an UNLOGGED table of the records
database (the records' migrations). On SQLite they get a file of their own beside the
records file, ``rate_buckets.db``: a connection that does not sync must never be the one
that checkpoints the check log's write-ahead log. Buckets that have refilled are the
same as no bucket and are deleted from time to time.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

from kkpr.db.database import Database, dialect_of, sqlite_path
from kkpr.db.migrate import RATE_BUCKETS, migrate
from kkpr.db.sql import sql

MAX_TRACKED_CLIENTS = 100_000  # memory: prune full buckets beyond this many clients
PRUNE_EVERY = 1_000  # shared: delete full buckets every this many requests per process
NEVER_S = 60.0  # the wait reported when the limit is zero (nothing ever refills)
SQLITE_FILE = "rate_buckets.db"


def spend(
    tokens: float, at: float, now: float, capacity: float, rate: float
) -> tuple[float, float | None]:
    """A bucket holding ``tokens`` at time ``at``, asked for one request at ``now``:
    the tokens left, and None if the request may go ahead, else the seconds until it
    may. A clock that went back (another machine's) refills nothing."""
    tokens = min(capacity, tokens + max(0.0, now - at) * rate)
    if tokens >= 1.0:
        return tokens - 1.0, None
    return tokens, (1.0 - tokens) / rate if rate > 0 else NEVER_S


class Buckets(Protocol):
    def take(self, client: str, now: float, capacity: float, rate: float) -> float | None:
        """None when ``client`` may make a request at ``now``, else the seconds to wait."""
        ...


class MemoryBuckets:
    """The buckets of this process."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, client: str, now: float, capacity: float, rate: float) -> float | None:
        with self._lock:
            tokens, at = self._buckets.get(client, (capacity, now))
            tokens, wait = spend(tokens, at, now, capacity, rate)
            self._buckets[client] = (tokens, max(now, at))
            if wait is None and len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._prune(now, capacity, rate)
            return wait

    def _prune(self, now: float, capacity: float, rate: float) -> None:
        full = [c for c, (t, at) in self._buckets.items() if t + (now - at) * rate >= capacity]
        for client in full:
            del self._buckets[client]


class SharedBuckets:
    """The buckets of the records database at ``url`` (on SQLite, of the file beside
    it), shared by every process that opens it."""

    def __init__(self, url: str) -> None:
        if dialect_of(url) == "sqlite":  # no Database (nor pool) just to ask
            beside = Path(sqlite_path(url)).with_name(SQLITE_FILE)
            self.db = Database(f"sqlite:///{beside}", durable=False)
            migrate(self.db, RATE_BUCKETS)
        else:  # the UNLOGGED table of the records' migrations
            self.db = Database(url, durable=False)
        self._taken = 0
        self._lock = threading.Lock()

    def take(self, client: str, now: float, capacity: float, rate: float) -> float | None:
        with self.db.transaction() as tx:
            # a new client gets a full bucket; an existing one is read and locked (the
            # no-op update takes PostgreSQL's row lock, SQLite's write lock is held)
            row = tx.one(
                sql(
                    "INSERT INTO rate_buckets (client, tokens, at) VALUES ({}, {}, {}) "
                    "ON CONFLICT (client) DO UPDATE SET tokens = rate_buckets.tokens "
                    "RETURNING tokens, at"
                ),
                (client, capacity, now),
            )
            assert row is not None  # RETURNING always answers one row
            at = float(row["at"])
            tokens, wait = spend(float(row["tokens"]), at, now, capacity, rate)
            tx.execute(
                sql("UPDATE rate_buckets SET tokens = {}, at = {} WHERE client = {}"),
                (tokens, max(now, at), client),
            )
        with self._lock:
            self._taken += 1
            prune = self._taken % PRUNE_EVERY == 0
        if prune and rate > 0:
            self.prune(now, capacity, rate)
        return wait

    def prune(self, now: float, capacity: float, rate: float) -> int:
        """Delete the buckets that have refilled by ``now``; how many were deleted."""
        with self.db.transaction() as tx:
            return tx.execute(
                sql("DELETE FROM rate_buckets WHERE at < {}"), (now - capacity / rate,)
            )
