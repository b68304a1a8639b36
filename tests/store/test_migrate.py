"""``kkpr db migrate``: versioned, idempotent, safe to run twice at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from kkpr.db.database import Database
from kkpr.db.migrate import STORE
from kkpr.db.migrate import migrate as run
from kkpr.db.sql import sql
from kkpr.errors import StoreError
from kkpr.store.migrate import applied_versions, migrate, migrations
from kkpr.store.postgis import PostgisStore
from tests.fixtures_postgis import connect


def kkpr_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from kkpr.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def tables(url: str) -> set[str]:
    conn = connect(url, autocommit=True)
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'kkpr'")
        names = {r[0] for r in cur.fetchall()}
    conn.close()
    return names


def test_migrate_creates_the_schema_once(pg_new_database: Callable[..., str]) -> None:
    url = pg_new_database(migrated=False)
    assert applied_versions(url) == []
    first = migrate(url)
    assert first == [f"{m.version}_{m.name}" for m in migrations()]
    assert first[0] == "0001_plans"
    assert migrate(url) == []  # idempotent
    assert applied_versions(url) == first
    assert {"plans", "plan_versions", "activations", "zones", "overlays", "rtrw", "itbx",
            "kbli", "conditions", "intensity", "rasters", "activities",
            "schema_migrations"} <= tables(url)  # fmt: skip


def test_two_migrators_at_once_apply_each_migration_once(
    pg_new_database: Callable[..., str],
) -> None:
    url = pg_new_database(migrated=False)
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(migrate(url))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, len(migrations())]


def test_only_one_version_of_a_plan_can_be_active(pg_url: str) -> None:
    import psycopg2

    conn = connect(pg_url)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO kkpr.plans (id, name) VALUES ('x', 'X')")
        for n in (1, 2):
            cur.execute(
                "INSERT INTO kkpr.plan_versions (plan_id, n, version, status, active, name, crs, "
                "srid, sliver_m2, sliver_share, checksum, loaded_by) "
                "VALUES ('x', %s, %s, 'ready', %s, 'X', 'EPSG:32751', 32751, 5, 0.01, 'c', 't')",
                (n, f"v{n}", n == 1),
            )
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("UPDATE kkpr.plan_versions SET active = true WHERE plan_id = 'x'")
    conn.rollback()
    conn.close()


def test_a_store_on_an_unmigrated_database_says_to_migrate(
    pg_new_database: Callable[..., str],
) -> None:
    store = PostgisStore(pg_new_database(migrated=False))
    with pytest.raises(StoreError) as err:
        store.rules()
    assert "kkpr db migrate" in (err.value.hint_en or "")
    store.close()


def test_cli_migrate(pg_new_database: Callable[..., str]) -> None:
    url = pg_new_database(migrated=False)
    first = kkpr_cli("db", "migrate", "--db", url)
    assert first.returncode == 0, first.stderr
    assert "0001_plans" in first.stdout
    assert "records 0001_records" in first.stdout and "pipeline 0001_pipeline" in first.stdout
    again = kkpr_cli("db", "migrate", env={"KKPR_DATABASE_URL": url})
    assert again.returncode == 0 and "up to date" in again.stdout
    status = kkpr_cli("db", "status", "--db", url)
    assert status.returncode == 0 and "pending" not in status.stdout
    assert "store: 0001_plans" in status.stdout


def test_cli_status_exits_1_while_migrations_are_pending(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    url = pg_new_database(migrated=False)
    status = kkpr_cli("db", "status", "--db", url, "--part", "records")
    assert status.returncode == 1 and "0001_records" in status.stdout
    sqlite = f"sqlite:///{tmp_path / 'pipeline.db'}"
    first = kkpr_cli("db", "migrate", "--db", sqlite, "--part", "pipeline")
    assert first.returncode == 0 and "pipeline 0001_pipeline" in first.stdout
    assert kkpr_cli("db", "status", "--db", sqlite, "--part", "pipeline").returncode == 0
    bare = kkpr_cli("db", "migrate", "--db", sqlite)  # a SQLite file holds one part
    assert bare.returncode == 2 and "--part" in bare.stderr


def test_cli_migrate_without_a_database_is_a_clear_error() -> None:
    env = {k: v for k, v in os.environ.items() if k != "KKPR_DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "from kkpr.cli import main; main()", "db", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2 and "KKPR_DATABASE_URL" in result.stderr


def test_cli_migrate_on_an_unreachable_server_exits_3() -> None:
    result = kkpr_cli("db", "migrate", "--db", "postgresql://nobody:secret@127.0.0.1:1/none")
    assert result.returncode == 3
    assert "cannot be used" in result.stderr and "secret" not in result.stderr


def test_a_store_migrated_by_an_older_kkpr_is_brought_forward_with_its_rows(
    pg_new_database: Callable[..., str], tmp_path: Path
) -> None:
    """A database migrated up to 0004 (the last migration before the one runner) with a
    plan in it takes the later migrations and keeps the plan."""
    older = tmp_path / "store-0004"
    older.mkdir()
    for path in sorted(STORE.folder.glob("*.sql"))[:4]:
        (older / path.name).write_text(path.read_text("utf-8"), "utf-8")
    url = pg_new_database(migrated=False)
    db = Database(url)
    assert run(db, replace(STORE, folder=older))[-1] == "0004_plan_rdtr_integrated"
    with db.transaction() as tx:
        tx.execute(sql("INSERT INTO kkpr.plans (id, name) VALUES ('kupang', 'Kota Kupang')"))
    later = [f"{m.version}_{m.name}" for m in migrations()][4:]
    assert later and migrate(url) == later
    assert applied_versions(url) == [f"{m.version}_{m.name}" for m in migrations()]
    with db.transaction() as tx:
        assert tx.query(sql("SELECT id, name FROM kkpr.plans")) == [
            {"id": "kupang", "name": "Kota Kupang"}
        ]
    db.close()
