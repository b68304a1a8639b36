"""The plan store's schema (``kkpr db migrate``): the ``store`` part of ``kkpr.db.migrate``.

Migrations are the numbered files ``kkpr/store/migrations/NNNN_name.sql``, applied in
order, each once, recorded in ``kkpr.schema_migrations`` by the one runner every part
uses (an advisory lock of its own, everything pending in one transaction: running it
twice, or twice at once, is harmless). See docs/database.md, "Adding a migration".
"""

from __future__ import annotations

from kkpr.db.database import Database
from kkpr.db.migrate import STORE, Migration
from kkpr.db.migrate import applied as _applied
from kkpr.db.migrate import migrate as _migrate
from kkpr.store.postgis_sql import unavailable

MIGRATIONS_DIR = STORE.folder

__all__ = ["MIGRATIONS_DIR", "Migration", "applied_versions", "migrate", "migrations"]


def migrations() -> list[Migration]:
    """The store's migrations, in order."""
    return STORE.migrations("postgresql")


def _database(url: str) -> Database:
    return Database(url, pool_size=1, unavailable=unavailable)


def migrate(url: str) -> list[str]:
    """Apply pending migrations; return the ones applied (``NNNN_name``)."""
    db = _database(url)
    try:
        return _migrate(db, STORE)
    finally:
        db.close()


def applied_versions(url: str) -> list[str]:
    """The migrations recorded in the database (empty before the first migrate)."""
    db = _database(url)
    try:
        return _applied(db, STORE)
    finally:
        db.close()
