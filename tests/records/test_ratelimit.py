"""Token buckets for the public rate limit: in memory and shared through the records
database (SQLite, PostgreSQL) they answer alike; shared ones count every process's
requests together, also when they race."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.records.ratelimit import NEVER_S, Buckets, MemoryBuckets, SharedBuckets, spend


def test_spend_refills_continuously_up_to_the_capacity() -> None:
    assert spend(3.0, 0.0, 0.0, 3.0, 0.05) == (2.0, None)
    tokens, wait = spend(0.5, 0.0, 0.0, 3.0, 0.05)  # half a token: 10 s to the next
    assert tokens == 0.5 and wait == pytest.approx(10.0)
    assert spend(0.0, 0.0, 1_000.0, 3.0, 0.05) == (2.0, None)  # capped at 3, then spent
    assert spend(1.0, 10.0, 5.0, 3.0, 0.05) == (0.0, None)  # a clock behind refills nothing
    assert spend(0.0, 0.0, 1e9, 0.0, 0.0) == (0.0, NEVER_S)  # a zero limit never refills


SCRIPT = [  # (client, now): three a minute, so one token every 20 s
    *[("a", 0.0)] * 4,
    ("b", 1.0),
    ("a", 10.0),
    ("a", 20.5),
    ("a", 21.0),
    *[("b", 2.0)] * 3,
    ("a", 200.0),
]


def run(buckets: Buckets) -> list[float | None]:
    return [buckets.take(client, now, 3.0, 3.0 / 60.0) for client, now in SCRIPT]


def test_shared_buckets_answer_as_memory_buckets(records_url: str) -> None:
    expected = run(MemoryBuckets())
    assert expected[:4] == [None, None, None, pytest.approx(20.0)]
    assert run(SharedBuckets(records_url)) == pytest.approx(expected)


def test_processes_sharing_the_database_count_together_when_they_race(
    records_url: str,
) -> None:
    workers = [SharedBuckets(records_url) for _ in range(2)]  # two API processes' objects
    granted = []
    start = threading.Barrier(8)

    def hammer(buckets: SharedBuckets) -> None:
        start.wait()
        for _ in range(25):
            granted.append(buckets.take("c", 100.0, 10.0, 10.0 / 60.0) is None)

    threads = [threading.Thread(target=hammer, args=(workers[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 200 and sum(granted) == 10  # the capacity, not 10 per process


def test_full_buckets_are_pruned_and_the_rest_kept(records_url: str) -> None:
    buckets = SharedBuckets(records_url)
    buckets.take("early", 0.0, 3.0, 3.0 / 60.0)
    buckets.take("late", 50.0, 3.0, 3.0 / 60.0)
    assert buckets.prune(70.0, 3.0, 3.0 / 60.0) == 1  # "early" refilled at 20 s
    with buckets.db.transaction() as tx:
        rows = tx.query(sql("SELECT client FROM rate_buckets"))
    assert [r["client"] for r in rows] == ["late"]


def test_rate_writes_skip_the_flush_and_the_check_log_keeps_it(records_url: str) -> None:
    buckets, records = SharedBuckets(records_url), Database(records_url)
    if records_url.startswith("sqlite"):
        # a file of its own: a connection that does not sync never checkpoints the log
        assert Path(buckets.db.path) == Path(records.path).with_name("rate_buckets.db")
        setting, off, full = "PRAGMA synchronous", 0, 2
    else:
        setting, off, full = "SHOW synchronous_commit", "off", "on"
        # the test cluster runs with synchronous_commit off; this database as in production
        with records.transaction() as tx:
            name = tx.query(sql("SELECT current_database() AS name"))[0]["name"]
            tx.execute(sql("ALTER DATABASE {name} SET synchronous_commit = on", name=name))
        records = Database(records_url)  # a new connection takes the database's setting
        with records.transaction() as tx:
            persistence = tx.one(
                sql("SELECT relpersistence FROM pg_class WHERE relname = 'rate_buckets'")
            )
        assert persistence == {"relpersistence": "u"}  # UNLOGGED
    with buckets.db.transaction() as tx:
        assert next(iter(tx.query(sql(setting))[0].values())) == off
    with records.transaction() as tx:
        assert next(iter(tx.query(sql(setting))[0].values())) == full
