"""Secrets an installation makes for itself when none is configured.

A key that signs something several processes must agree on (the staff session cookie,
the hash that names an anonymous client in the check log) cannot be random per process:
a staff member logged in on one worker would be a stranger to the next. When no key is
configured, one is made at random the first time it is asked for and kept in the
records database, so every worker of one machine (the SQLite file) or of every machine
(PostgreSQL) uses the same one, and it outlives restarts.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from kkpr.db.database import Database
from kkpr.db.sql import sql

SECRET_BYTES = 32


def service_secret(db: Database, name: str) -> bytes:
    """The installation's secret ``name``: made once (256 random bits), then read."""
    made = secrets.token_hex(SECRET_BYTES)
    with db.transaction() as tx:
        tx.execute(
            sql(
                "INSERT INTO service_secrets (name, value, created_at) VALUES ({}, {}, {}) "
                "ON CONFLICT (name) DO NOTHING"
            ),  # the first process to ask makes it
            (name, made, datetime.now(UTC).isoformat(timespec="seconds")),
        )
        row = tx.one(sql("SELECT value FROM service_secrets WHERE name = {}"), (name,))
    assert row is not None  # inserted above unless another process had
    return bytes.fromhex(str(row["value"]))
