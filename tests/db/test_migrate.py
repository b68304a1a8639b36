"""One migration runner for every part: from empty, from the schema made before it
(with rows in it), twice at once, and a failing migration that changes nothing."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kkpr.db import locks
from kkpr.db.database import Database, sqlite_statements
from kkpr.db.migrate import PARTS, PIPELINE, RATE_BUCKETS, RECORDS, STORE, Part, applied, pending
from kkpr.db.migrate import migrate as run
from kkpr.db.sql import sql
from kkpr.errors import StoreError
from kkpr.records.checks import CheckLog, NewCheck
from kkpr.records.keys import KeyStore
from tests.db import before_runner


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each dialect."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'x.db'}"
    new: Callable[..., str] = request.getfixturevalue("pg_new_database")
    return new(migrated=False)


def tables(db: Database) -> set[str]:
    with db.transaction() as tx:
        if db.dialect == "sqlite":
            rows = tx.query(sql("SELECT name FROM sqlite_master WHERE type = 'table'"))
        else:
            rows = tx.query(
                sql(
                    "SELECT tablename AS name FROM pg_tables WHERE schemaname IN ('public', 'kkpr')"
                )
            )
    return {r["name"] for r in rows}


def labels(part: Part, dialect: str) -> list[str]:
    return [m.label for m in part.migrations(dialect)]


def with_extra(part: Part, tmp_path: Path, files: dict[str, str]) -> Part:
    """``part`` with its migrations copied to a folder of its own, and ``files`` added
    (``NEXT`` in a name is the number after the part's last)."""
    folder = tmp_path / f"{part.name}-migrations"
    shutil.copytree(part.folder, folder)
    for name, text in files.items():
        (folder / name.replace("NEXT", next_version(part))).write_text(text, "utf-8")
    return replace(part, folder=folder)


def next_version(part: Part) -> str:
    return f"{int(part.migrations(part.dialects[0])[-1].version) + 1:04d}"


# ---------------------------------------------------------------- from empty


def test_every_part_migrates_from_empty_once(url: str) -> None:
    db = Database(url)
    parts = [p for p in (RECORDS, PIPELINE, RATE_BUCKETS) if db.dialect in p.dialects]
    for part in parts:
        assert applied(db, part) == []
        assert run(db, part) == labels(part, db.dialect)
        assert run(db, part) == []  # idempotent
        assert applied(db, part) == labels(part, db.dialect) and pending(db, part) == []
    names = tables(db)
    assert {"check_log", "api_keys", "staff_sessions", "service_secrets", "plan_events",
            "applications",
            "outbox", "deliveries", "oss_applications", "cases", "records_schema_migrations",
            "pipeline_schema_migrations"} <= names  # fmt: skip
    assert ("rate_buckets" in names) == (db.dialect == "postgresql" or RATE_BUCKETS in parts)
    db.close()


def test_the_store_part_keeps_its_version_table(pg_new_database: Callable[..., str]) -> None:
    db = Database(pg_new_database(migrated=False))
    assert run(db, STORE)[0] == "0001_plans"
    with db.transaction() as tx:
        rows = tx.query(sql("SELECT version, name FROM kkpr.schema_migrations ORDER BY version"))
    assert [f"{r['version']}_{r['name']}" for r in rows] == labels(STORE, "postgresql")
    db.close()


# ---------------------------------------------------------------- from before the runner


def make_as_before(db: Database) -> None:
    """The records and pipeline tables as every open created them before the runner
    (the code of that time, on the files of that time)."""
    with db.transaction() as tx:
        if db.dialect == "postgresql":
            tx.execute(sql("SELECT pg_advisory_xact_lock({})"), (0x6B6B7063,))
            tx.script(before_runner.RECORDS_POSTGRESQL)
        else:
            for statement in sqlite_statements(before_runner.RECORDS_SQLITE):
                tx.script(statement)
    text = "\n".join(
        line for line in before_runner.PIPELINE.splitlines() if not line.startswith("--")
    )
    with db.transaction() as tx:
        for statement in [s.strip().rstrip(";") for s in text.split(";\n") if s.strip()]:
            tx.script(statement)


def test_a_database_made_before_the_runner_is_adopted_and_upgraded_without_loss(
    url: str, tmp_path: Path
) -> None:
    db = Database(url)
    make_as_before(db)
    log = CheckLog(db, clock=lambda: datetime(2026, 3, 17, 1, 2, 3, tzinfo=UTC))
    stored = log.append(
        [NewCheck({"kbli": "47111"}, {"outcome": "sesuai"}, "kupang", "2024.1")],
        caller="key:a",
        caller_role="staff",
    )
    _key, secret = KeyStore(db).create("loket", "staff", created_by="pytest")
    with db.transaction() as tx:
        tx.execute(
            sql("INSERT INTO counters (name, value) VALUES ({}, {})"), ("application:5371:2026", 41)
        )
    # version 2 of each part, as the next engineer would add it
    records = with_extra(
        RECORDS, tmp_path, {"NEXT_check_note.sql": "ALTER TABLE check_log ADD COLUMN note TEXT;\n"}
    )
    pipeline = with_extra(
        PIPELINE,
        tmp_path,
        {
            "NEXT_counter_note.sqlite.sql": "ALTER TABLE counters ADD COLUMN note TEXT;\n",
            "NEXT_counter_note.postgresql.sql": "ALTER TABLE counters ADD COLUMN note text;\n"
            "COMMENT ON COLUMN counters.note IS 'why';\n",
        },
    )
    assert run(db, records) == [*labels(RECORDS, db.dialect), f"{next_version(RECORDS)}_check_note"]
    assert run(db, pipeline) == [
        *labels(PIPELINE, db.dialect),
        f"{next_version(PIPELINE)}_counter_note",
    ]
    again = log.get(stored[0].id)
    assert again == stored[0] and again.verify()  # byte for byte, hash intact
    assert KeyStore(db).verify(secret) is not None
    with db.transaction() as tx:
        assert tx.one(sql("SELECT value, note FROM counters")) == {"value": 41, "note": None}
        assert tx.one(sql("SELECT note FROM check_log")) == {"note": None}
    with pytest.raises(Exception, match="append-only"), db.transaction() as tx:
        tx.execute(sql("UPDATE check_log SET caller = 'x'"))  # the triggers survived
    assert run(db, records) == [] and run(db, pipeline) == []
    db.close()


# ---------------------------------------------------------------- faults and races


def test_a_failing_migration_changes_nothing(url: str, tmp_path: Path) -> None:
    db = Database(url)
    run(db, RECORDS)
    bad = with_extra(
        RECORDS,
        tmp_path,
        {
            "NEXT_half.sql": "CREATE TABLE half (n INTEGER);\n"
            "INSERT INTO no_such_table VALUES (1);\n",
        },
    )
    with pytest.raises(StoreError) as failed:
        run(db, bad)
    assert f"{next_version(RECORDS)}_half" in failed.value.message_en
    assert "nothing was changed" in failed.value.text
    assert "half" not in tables(db)
    assert applied(db, bad) == labels(RECORDS, db.dialect)
    db.close()


def test_two_runners_at_once_apply_each_migration_once(url: str) -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def one() -> None:
        db = Database(url)
        try:
            results.append(run(db, PIPELINE))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(len(r) for r in results) == [0, 0, len(labels(PIPELINE, "sqlite"))]


# ---------------------------------------------------------------- the folders


def test_every_part_has_every_dialect_it_declares() -> None:
    for part in PARTS.values():
        for dialect in part.dialects:
            found = part.migrations(dialect)
            assert found and found[0].version == "0001"
            assert [m.version for m in found] == sorted({m.version for m in found})


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"NEXT_x.sqlite.sql": "SELECT 1;"}, "no postgresql variant"),
        ({"NEXT_x.sql": "SELECT 1;", "NEXT_x.sqlite.sql": "SELECT 1;"}, "plain file"),
        ({"2_x.sql": "SELECT 1;"}, "NNNN_name.sql"),
        ({"NEXT_x.sql": "SELECT 1;", "NEXT_y.postgresql.sql": "SELECT 1;"}, "two names"),
    ],
)
def test_a_misnamed_or_missing_migration_is_refused(
    tmp_path: Path, files: dict[str, str], says: str
) -> None:
    part = with_extra(RECORDS, tmp_path, files)
    with pytest.raises(StoreError, match=says):
        part.migrations("postgresql")


def test_advisory_lock_keys_are_one_per_purpose() -> None:
    keys = [locks.key(p) for p in locks.Lock]
    assert len(set(keys)) == len(keys)
    assert len({p.lock for p in PARTS.values()}) == len(PARTS)
    assert all(0 < n < 2**31 for k in keys for n in k)  # int4 arguments


def test_sqlite_scripts_are_split_by_sqlite_s_parser() -> None:
    statements = sqlite_statements((RECORDS.folder / "0001_records.sqlite.sql").read_text("utf-8"))
    triggers = [s for s in statements if s.startswith("CREATE TRIGGER")]
    assert len(triggers) == 2 and all(s.rstrip().endswith("END;") for s in triggers)
    assert all(sqlite3.complete_statement(s) for s in statements)


def test_a_runner_opening_a_new_file_another_is_writing_waits_for_it(tmp_path: Path) -> None:
    # the moment two runners race to on a new file: one holds the write lock while the
    # other turns the file to WAL, which SQLite refuses at once, whatever the busy timeout
    path = tmp_path / "x.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    done = threading.Event()

    def finish() -> None:
        done.wait()
        other.execute("COMMIT")

    finisher = threading.Thread(target=finish)
    finisher.start()
    threading.Timer(0.2, done.set).start()  # the other runner commits a moment later
    db = Database(f"sqlite:///{path}")
    try:
        assert run(db, PIPELINE) == labels(PIPELINE, "sqlite")
    finally:
        done.set()
        finisher.join()
        other.close()
        db.close()
