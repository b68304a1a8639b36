"""The pipeline's database: where it is, its schema, and how times and JSON are stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kkpr.db.database import Database, Row, Tx
from kkpr.db.migrate import PIPELINE, migrate
from kkpr.db.sql import sql
from kkpr.errors import NotFound
from kkpr.settings import Settings

Clock = Callable[[], datetime]


def application_row(tx: Tx, table: str, key: str, app_id: str, *, lock: bool = True) -> Row:
    """The row of ``table`` whose ``key`` is the application ``app_id``, locked for the
    rest of the transaction on PostgreSQL; an unknown application is ``NotFound``."""
    suffix = " FOR UPDATE" if lock and tx.dialect == "postgresql" else ""
    row = tx.one(
        sql("SELECT * FROM {table} WHERE {key} = {}" + suffix, table=table, key=key), (app_id,)
    )
    if row is None:
        raise NotFound(
            f"Permohonan {app_id} tidak ada",
            f"Application {app_id} does not exist",
            where="application_id",
            hint_id="Periksa id permohonan yang diberikan saat pengajuan",
            hint_en="Check the application id returned on submission",
        )
    return row


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC text that sorts as time does (fixed width, microseconds, ``Z``)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give a timezone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def pipeline_url(settings: Settings) -> str:
    """PostgreSQL when ``database_url`` is set, else SQLite ``data_dir/pipeline.db``."""
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{Path(settings.data_dir) / 'pipeline.db'}"


def open_database(url: str) -> Database:
    """A Database at ``url`` with the pipeline's migrations applied (``kkpr.db.migrate``;
    nothing to do when they are current)."""
    db = Database(url)
    migrate(db, PIPELINE)
    return db


def next_counter(tx: Tx, name: str) -> int:
    """The next value of a named counter, inside the caller's transaction."""
    tx.execute(
        sql("INSERT INTO counters (name, value) VALUES ({}, 0) ON CONFLICT (name) DO NOTHING"),
        (name,),
    )
    tx.execute(sql("UPDATE counters SET value = value + 1 WHERE name = {}"), (name,))
    row = tx.one(sql("SELECT value FROM counters WHERE name = {}"), (name,))
    assert row is not None
    return int(row["value"])
