"""Staff login sessions, kept server-side so that logging out ends them.

A session cookie names a row here (and is signed, see ``api.auth``); a session is good
while its row exists, is not revoked and has not expired. Sessions known to be good
are remembered in the process for ``cache_ttl_s`` seconds (the setting
``api_key_cache_ttl_s``), so a staff map's many requests do not each read the
database; a revocation through this object takes effect at once, one made by another
process within ``cache_ttl_s``.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.records.checks import utc_iso

PRUNE_EVERY = 100  # logins between deletions of expired sessions


class Sessions:
    def __init__(self, db: Database, cache_ttl_s: float = 0.0) -> None:
        self.db = db
        self.cache_ttl_s = cache_ttl_s
        self._good: dict[str, float] = {}  # session id -> monotonic deadline
        self._lock = threading.Lock()
        self._opened = 0

    def open(self, key_id: str, expires_at: int) -> str:
        """A new session of ``key_id`` until ``expires_at`` (Unix seconds); its id."""
        sid = secrets.token_hex(16)
        with self.db.transaction() as tx:
            tx.execute(
                sql("INSERT INTO staff_sessions (id, key_id, expires_at) VALUES ({}, {}, {})"),
                (sid, key_id, expires_at),
            )
            with self._lock:
                self._opened += 1
                prune = self._opened % PRUNE_EVERY == 0
            if prune:
                tx.execute(
                    sql("DELETE FROM staff_sessions WHERE expires_at < {}"), (int(time.time()),)
                )
        return sid

    def active(self, sid: str, key_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._good.get(sid, 0.0) > now:
                return True
        with self.db.transaction() as tx:
            row = tx.one(
                sql("SELECT key_id, expires_at, revoked_at FROM staff_sessions WHERE id = {}"),
                (sid,),
            )
        good = (
            row is not None
            and row["key_id"] == key_id
            and row["revoked_at"] is None
            and int(row["expires_at"]) >= time.time()
        )
        if good and self.cache_ttl_s > 0:
            with self._lock:
                if len(self._good) > 4096:
                    self._good.clear()
                self._good[sid] = now + self.cache_ttl_s
        return good

    def revoke(self, sid: str) -> None:
        with self._lock:
            self._good.pop(sid, None)
        with self.db.transaction() as tx:
            tx.execute(
                sql(
                    "UPDATE staff_sessions SET revoked_at = {} WHERE id = {} AND revoked_at IS NULL"
                ),
                (utc_iso(datetime.now(UTC)), sid),
            )
