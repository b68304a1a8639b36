"""Versioned schema migrations of the PostGIS store (``kkpr db migrate``).

Migrations are the numbered files ``kkpr/store/migrations/NNNN_name.sql``, applied in
order, each once, recorded in ``kkpr.schema_migrations``. A run takes an advisory
lock and applies everything pending in one transaction, so running it twice, or twice
at once, is harmless.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkpr.errors import StoreError
from kkpr.store.postgis_sql import connect, redact, unavailable

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
LOCK_KEY = 0x6B6B7072  # "kkpr": serialises concurrent migrators


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    out = []
    for path in sorted(folder.glob("*.sql")):
        m = NAME.match(path.name)
        if m:
            out.append(Migration(m.group(1), m.group(2), path.read_text("utf-8")))
    return out


def migrate(url: str) -> list[str]:
    """Apply pending migrations; return the ones applied (``NNNN_name``)."""
    import psycopg2

    conn = connect(url)
    applied: list[str] = []
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            _ensure_postgis(cur, url)
            cur.execute(
                "CREATE SCHEMA IF NOT EXISTS kkpr; "
                "CREATE TABLE IF NOT EXISTS kkpr.schema_migrations ("
                " version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            cur.execute("SELECT version FROM kkpr.schema_migrations")
            done = {r[0] for r in cur.fetchall()}
            for m in migrations():
                if m.version in done:
                    continue
                cur.execute(m.sql)
                cur.execute(
                    "INSERT INTO kkpr.schema_migrations (version, name, checksum) "
                    "VALUES (%s, %s, %s)",
                    (m.version, m.name, m.checksum),
                )
                applied.append(f"{m.version}_{m.name}")
    except psycopg2.Error as exc:
        raise unavailable(url, exc) from exc
    finally:
        conn.close()
    return applied


def applied_versions(url: str) -> list[str]:
    """The migrations recorded in the database (empty before the first migrate)."""
    conn = connect(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('kkpr.schema_migrations') IS NOT NULL")
            if not cur.fetchone()[0]:
                return []
            cur.execute("SELECT version || '_' || name FROM kkpr.schema_migrations ORDER BY 1")
            return [r[0] for r in cur.fetchall()]
    finally:
        conn.close()


def _ensure_postgis(cur: Any, url: str) -> None:
    import psycopg2

    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone():
        return
    try:
        cur.execute("CREATE EXTENSION postgis")
    except psycopg2.Error as exc:
        raise StoreError(
            "Ekstensi PostGIS belum terpasang dan tidak dapat dipasang",
            "The PostGIS extension is not installed and cannot be created",
            where=redact(url),
            hint_id=f"Minta admin basis data menjalankan: CREATE EXTENSION postgis; ({exc})",
            hint_en=f"Ask the database administrator to run: CREATE EXTENSION postgis; ({exc})",
        ) from exc
