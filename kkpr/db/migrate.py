"""One migration runner for every part's tables (``kkpr db migrate``).

A *part* is a set of tables with a folder of numbered migrations and a version table
of its own in the database it lives in (``PARTS``):

- ``store``: ``kkpr/store/migrations``, ``kkpr.schema_migrations``, PostgreSQL only;
- ``records``: ``kkpr/records/migrations``, ``records_schema_migrations`` (check log,
  keys, secrets, staff sessions; on PostgreSQL the rate buckets too);
- ``rate_buckets``: ``kkpr/records/rate_migrations``, ``rate_schema_migrations``,
  SQLite only (the buckets' own file beside the records file);
- ``pipeline``: ``kkpr/pipeline/migrations``, ``pipeline_schema_migrations``
  (applications, outbox, webhooks, reviews, documents, OSS, cases).

A migration is a file ``NNNN_name.sql`` (every dialect of the part) or a pair
``NNNN_name.sqlite.sql`` and ``NNNN_name.postgresql.sql`` where the dialects differ.
Pending migrations are applied in order, all in one transaction with their rows in
the version table: a failure leaves the database as it was. On PostgreSQL a run holds
the part's advisory lock (``kkpr.db.locks``), on SQLite the write lock (``BEGIN
IMMEDIATE``, and a new file's switch to WAL waits for a runner writing it,
``kkpr.db.database._into_wal``): two runs at once apply each migration once. Version 0001 of the records
and the pipeline is the schema those parts created at every open before this runner
(``CREATE ... IF NOT EXISTS``): a database made then is adopted as it is, its rows
untouched, and brought forward by the migrations after it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kkpr.db import locks
from kkpr.db.database import Database, Tx
from kkpr.db.pool import redact
from kkpr.db.sql import sql
from kkpr.errors import StoreError

DIALECTS = ("sqlite", "postgresql")
FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)(?:\.(sqlite|postgresql))?\.sql$")
KKPR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Migration:
    version: str  # "0001"
    name: str  # "plans"
    sql: str  # the script for one dialect
    path: Path

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True)
class Part:
    """A part's tables: where its migrations are and where their versions are kept."""

    name: str
    folder: Path
    table: str  # the version table (``schema.table`` on PostgreSQL only)
    dialects: tuple[str, ...]
    lock: locks.Lock
    # run first in the migration's transaction on PostgreSQL (extensions, schema)
    prepare: Callable[[Tx, str], None] | None = field(default=None, compare=False)

    def migrations(self, dialect: str) -> list[Migration]:
        """This part's migrations for ``dialect``, in order (``PlanError``-like
        ``StoreError`` when a file is misnamed or a dialect's variant is missing)."""
        if dialect not in self.dialects:
            raise _bad(self, f"{self.name} has no {dialect} tables")
        found: dict[str, dict[str | None, Path]] = {}
        names: dict[str, str] = {}
        for path in sorted(self.folder.glob("*.sql")):
            m = FILE_NAME.match(path.name)
            if m is None:
                raise _bad(self, f"{path.name}: name it NNNN_name.sql or NNNN_name.DIALECT.sql")
            version, name, only = m.group(1), m.group(2), m.group(3)
            if names.setdefault(version, name) != name:
                raise _bad(self, f"{path.name}: version {version} has two names")
            found.setdefault(version, {})[only] = path
        out = []
        for version, files in sorted(found.items()):
            if None in files and len(files) > 1:
                raise _bad(self, f"{version}: a plain file and a dialect's variant")
            chosen = files.get(dialect, files.get(None))
            if chosen is None:
                raise _bad(self, f"{version}_{names[version]}: no {dialect} variant")
            out.append(Migration(version, names[version], chosen.read_text("utf-8"), chosen))
        return out


def _bad(part: Part, what: str) -> StoreError:
    return StoreError(
        f"Migrasi {part.name} tidak sah: {what}",
        f"The {part.name} migrations are not valid: {what}",
        where=str(part.folder),
        hint_id="Lihat docs/database.md, 'Menambah migrasi'",
        hint_en="See docs/database.md, 'Adding a migration'",
    )


def _ensure_postgis(tx: Tx, url: str) -> None:
    import psycopg2

    if tx.one(sql("SELECT 1 AS ok FROM pg_extension WHERE extname = 'postgis'")):
        return
    try:
        tx.execute(sql("CREATE EXTENSION postgis"))
    except psycopg2.Error as exc:
        raise StoreError(
            "Ekstensi PostGIS belum terpasang dan tidak dapat dipasang",
            "The PostGIS extension is not installed and cannot be created",
            where=redact(url),
            hint_id=f"Minta admin basis data menjalankan: CREATE EXTENSION postgis; ({exc})",
            hint_en=f"Ask the database administrator to run: CREATE EXTENSION postgis; ({exc})",
        ) from exc


def _prepare_store(tx: Tx, url: str) -> None:
    _ensure_postgis(tx, url)
    tx.script("CREATE SCHEMA IF NOT EXISTS kkpr")


STORE = Part(
    "store",
    KKPR / "store" / "migrations",
    "kkpr.schema_migrations",
    ("postgresql",),
    locks.Lock.MIGRATE_STORE,
    prepare=_prepare_store,
)
RECORDS = Part(
    "records",
    KKPR / "records" / "migrations",
    "records_schema_migrations",
    DIALECTS,
    locks.Lock.MIGRATE_RECORDS,
)
RATE_BUCKETS = Part(
    "rate_buckets",
    KKPR / "records" / "rate_migrations",
    "rate_schema_migrations",
    ("sqlite",),
    locks.Lock.MIGRATE_RATE_BUCKETS,
)
PIPELINE = Part(
    "pipeline",
    KKPR / "pipeline" / "migrations",
    "pipeline_schema_migrations",
    DIALECTS,
    locks.Lock.MIGRATE_PIPELINE,
)
PARTS = {p.name: p for p in (STORE, RECORDS, RATE_BUCKETS, PIPELINE)}


VERSION_TABLE = {
    "postgresql": sql(
        "CREATE TABLE IF NOT EXISTS {table} (version text PRIMARY KEY, name text NOT NULL, "
        "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    ),
    "sqlite": sql(
        "CREATE TABLE IF NOT EXISTS {table} (version TEXT PRIMARY KEY, name TEXT NOT NULL, "
        "checksum TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT (strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now')))"
    ),
}
VERSIONS = "SELECT version, name FROM {table} ORDER BY version"
RECORD = "INSERT INTO {table} (version, name, checksum) VALUES ({}, {}, {})"
TABLE_EXISTS = {
    "postgresql": sql("SELECT to_regclass({}) IS NOT NULL AS found"),
    "sqlite": sql(
        "SELECT count(*) > 0 AS found FROM sqlite_master WHERE type = 'table' AND name = {}"
    ),
}


def migrate(db: Database, part: Part) -> list[str]:
    """Apply ``part``'s pending migrations to ``db``; the ones applied (``NNNN_name``)."""
    todo = part.migrations(db.dialect)
    applied: list[str] = []
    with db.transaction() as tx:
        if db.dialect == "postgresql":
            tx.execute(sql("SELECT pg_advisory_xact_lock({}, {})"), locks.key(part.lock))
            if part.prepare is not None:
                part.prepare(tx, db.url)
        table = VERSION_TABLE[db.dialect]
        tx.execute(sql(table.template, table=part.table))
        done = {row["version"] for row in tx.query(sql(VERSIONS, table=part.table))}
        for m in todo:
            if m.version in done:
                continue
            try:
                tx.script(m.sql)
            except Exception as exc:
                if not _is_sql_error(exc):
                    raise
                raise StoreError(
                    f"Migrasi {part.name} {m.label} gagal; tidak ada yang diubah",
                    f"The {part.name} migration {m.label} failed; nothing was changed",
                    where=f"{part.name}/{m.path.name}",
                    hint_id=f"Perbaiki migrasi atau basis data ({exc})",
                    hint_en=f"Fix the migration or the database ({exc})",
                ) from exc
            tx.execute(sql(RECORD, table=part.table), (m.version, m.name, m.checksum))
            applied.append(m.label)
    return applied


def applied(db: Database, part: Part) -> list[str]:
    """The migrations of ``part`` recorded in ``db`` (``NNNN_name``; empty before the
    first run)."""
    with db.transaction() as tx:
        row = tx.one(TABLE_EXISTS[db.dialect], (part.table,))
        if not (row and row["found"]):
            return []
        rows = tx.query(sql(VERSIONS, table=part.table))
    return [f"{r['version']}_{r['name']}" for r in rows]


def pending(db: Database, part: Part) -> list[str]:
    """The migrations of ``part`` not yet applied to ``db``."""
    done = set(applied(db, part))
    return [m.label for m in part.migrations(db.dialect) if m.label not in done]


def _is_sql_error(exc: BaseException) -> bool:
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        return True
    try:
        import psycopg2
    except ImportError:  # pragma: no cover - SQLite only
        return False
    # a broken connection is the pool's to report (503), not the migration's fault
    return isinstance(exc, psycopg2.Error) and not isinstance(
        exc, psycopg2.OperationalError | psycopg2.InterfaceError
    )
