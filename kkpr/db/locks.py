"""PostgreSQL advisory-lock keys, one per purpose.

A key is a pair (``NAMESPACE``, purpose): ``pg_advisory_xact_lock(int, int)``. Two
purposes never share a key: one lock serving two purposes makes each wait for the
other (a pipeline schema change would queue behind a plan store migration) and hides
which one a waiting session is blocked on (``pg_locks.objid`` names the purpose).
"""

from __future__ import annotations

from enum import IntEnum

NAMESPACE = 0x6B6B7072  # "kkpr": pg_locks.classid of every lock kkpr takes


class Lock(IntEnum):
    """What a lock serialises (``pg_locks.objid``)."""

    MIGRATE_STORE = 1  # migrations of the plan store (schema kkpr)
    MIGRATE_RECORDS = 2  # migrations of the check log, keys, sessions, rate buckets
    MIGRATE_PIPELINE = 3  # migrations of the pipeline (applications, outbox, OSS, cases)
    MIGRATE_RATE_BUCKETS = 4  # migrations of the rate buckets (their own SQLite file)


def key(purpose: Lock) -> tuple[int, int]:
    """The parameters of ``pg_advisory_xact_lock(%s, %s)`` for ``purpose``."""
    return (NAMESPACE, int(purpose))
