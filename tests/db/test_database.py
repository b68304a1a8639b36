"""The PostgreSQL pool: broken connections are noticed and replaced, never reused."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.errors import StoreError
from tests.fixtures_postgis import connect


def terminate_others(url: str) -> int:
    """Terminate every other session on the database of ``url`` (what a restart or an
    administrator does to the pool's connections), and wait until they are gone."""
    others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    conn = connect(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT count(pg_terminate_backend(pid)) {others}")
            terminated = int(cur.fetchone()[0])
            for _ in range(200):  # a terminated backend exits a moment later
                cur.execute(f"SELECT count(*) {others}")
                if cur.fetchone()[0] == 0:
                    break
                time.sleep(0.01)
            return terminated
    finally:
        conn.close()


def test_idle_connections_closed_by_the_server_are_replaced(
    pg_new_database: Callable[..., str],
) -> None:
    url = pg_new_database(migrated=False)
    db = Database(url, pool_size=4)
    for _ in range(3):
        db.ping()
    assert db.pool is not None and db.pool.opened == 1  # one connection, reused
    assert terminate_others(url) == 1
    db.ping()  # not an error: the dead connection was noticed before use
    assert db.pool.opened == 2
    db.close()


def test_a_process_with_many_open_files_reuses_its_connections(
    pg_new_database: Callable[..., str],
) -> None:
    """A server past 1024 descriptors (select()'s ceiling) still tells a live idle
    connection from a dead one: in a long test run every connection looked closed."""
    url = pg_new_database(migrated=False)
    spare = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        db = Database(url, pool_size=4)
        for _ in range(3):
            db.ping()
        assert db.pool is not None and db.pool.opened == 1
        assert terminate_others(url) == 1
        db.ping()
        assert db.pool.opened == 2
        db.close()
    finally:
        for fd in spare:
            os.close(fd)


def test_a_connection_that_breaks_in_use_answers_store_error_and_is_not_reused(
    pg_new_database: Callable[..., str],
) -> None:
    url = pg_new_database(migrated=False)
    db = Database(url, pool_size=2)
    with db.transaction() as tx:
        tx.execute(sql("CREATE TABLE t (n int)"))
    with pytest.raises(StoreError) as broke, db.transaction() as tx:
        tx.execute(sql("INSERT INTO t VALUES (1)"))
        terminate_others(url)  # the server goes away in the middle of the transaction
        tx.execute(sql("INSERT INTO t VALUES (2)"))
    assert "records database" in broke.value.text
    with db.transaction() as tx:  # a new connection, and nothing half-written
        assert tx.query(sql("SELECT count(*) AS n FROM t")) == [{"n": 0}]
    assert db.pool is not None and db.pool.opened == 2


def test_sql_errors_keep_their_connection_and_their_type(
    pg_new_database: Callable[..., str],
) -> None:
    import psycopg2

    db = Database(pg_new_database(migrated=False), pool_size=1)
    with pytest.raises(psycopg2.errors.UndefinedTable), db.transaction() as tx:
        tx.query(sql("SELECT * FROM no_such_table"))
    db.ping()  # the same, rolled-back connection serves the next unit of work
    assert db.pool is not None and db.pool.opened == 1


def test_a_server_that_is_down_answers_store_error_quickly() -> None:
    db = Database("postgresql://postgres@127.0.0.1:9/postgres", connect_timeout_s=1)
    with pytest.raises(StoreError):
        db.ping()
