"""Delivery to a real receiver process (tests/pipeline/receiver.py), on SQLite and PostgreSQL.

The receiver checks the HMAC signature, logs every request, and applies an event only
the first time its id is seen. The tests stop it while decisions are made, kill a real
``kkpr worker`` in the middle of a delivery, and then count: every event applied once,
in order per application, repeats received but dropped by id.
"""

from __future__ import annotations

import random
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.pipeline import subscriptions
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.cases import Officer
from kkpr.pipeline.delivery import Worker, backlog, backoff_s, revive
from kkpr.settings import Settings
from tests.pipeline.conftest import Clock, Receiver, wait_for, worker_process
from tests.pipeline.test_applications import BERSYARAT, KAJIAN, SESUAI, TIDAK


def all_events(db: Database) -> list[tuple[str, str, int]]:
    with db.transaction() as tx:
        rows = tx.query(sql("SELECT event_id, application_id, seq FROM outbox ORDER BY created_at"))
    return [(r["event_id"], r["application_id"], int(r["seq"])) for r in rows]


def deliveries(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as tx:
        return tx.query(sql("SELECT * FROM deliveries ORDER BY application_id, seq"))


def make_traffic(pipeline: Pipeline) -> int:
    """Submissions, a staff step of a PKKPR assessment and permit-system reports; the
    events they make."""
    pipeline.set_integration("mini", "package", True, reason="uji / test", by="key:test")
    first = pipeline.submit(SESUAI)
    pipeline.submit(TIDAK)
    pipeline.submit(BERSYARAT)
    review = pipeline.submit(KAJIAN)  # OSS cannot confirm it: a PKKPR
    pipeline.report_stage(first["id"], "PERSETUJUAN_LINGKUNGAN", "in_progress")
    pipeline.act(review["id"], "lengkap", Officer(name="Siti", nip="198501012010012001"))
    pipeline.report_stage(first["id"], "PERSETUJUAN_LINGKUNGAN", "completed")
    # 2 + 2 + 2 + (2 + kkpr.status) + 1 + 1
    return 11


def assert_applied_once_in_order(receiver: Receiver, db: Database) -> None:
    expected = all_events(db)
    applied = receiver.applied()
    assert len(applied) == len({a[0] for a in applied}) == len(expected)
    assert {a[0] for a in applied} == {e[0] for e in expected}
    by_app: dict[str, list[int]] = {}
    for _id, app_id, seq, _type in applied:
        by_app.setdefault(app_id, []).append(int(seq))
    for seqs in by_app.values():
        assert seqs == list(range(1, len(seqs) + 1))  # in order, none skipped


@pytest.fixture
def worker_thread(pipeline_db: Database, settings: Settings) -> Iterator[threading.Event]:
    """An in-process worker running until the test ends."""
    stop = threading.Event()
    worker = Worker(pipeline_db, settings)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    yield stop
    stop.set()
    thread.join(timeout=30)
    worker.close()


def test_receiver_down_while_decisions_are_made(
    pipeline: Pipeline,
    pipeline_db: Database,
    receiver: Receiver,
    worker_thread: threading.Event,
    clock: Clock,
) -> None:
    subscriptions.create(pipeline_db, receiver.url, clock(), secret=receiver.secret)
    receiver.stop()
    total = make_traffic(pipeline)
    assert len(all_events(pipeline_db)) == total
    # the worker keeps trying: every queue head has failed at least twice
    wait_for(
        lambda: sum(1 for d in deliveries(pipeline_db) if int(d["attempts"]) >= 2) >= 4,
        "retries against the stopped receiver",
    )
    assert all(d["status"] == "pending" for d in deliveries(pipeline_db))
    assert receiver.applied() == []
    receiver.start()  # back, on the same port
    wait_for(lambda: backlog(pipeline_db) == {"delivered": total}, "every event delivered")
    assert_applied_once_in_order(receiver, pipeline_db)
    failed = [d for d in deliveries(pipeline_db) if int(d["attempts"]) > 1]
    assert failed and all(d["last_status"] == 200 for d in failed)


def test_a_killed_worker_leaves_its_delivery_to_the_next(
    pipeline: Pipeline,
    pipeline_db: Database,
    receiver: Receiver,
    settings: Settings,
    db_url: str,
    clock: Clock,
    tmp_path: Path,
) -> None:
    subscriptions.create(pipeline_db, receiver.url, clock(), secret=receiver.secret)
    total = make_traffic(pipeline)
    (receiver.folder / "hold").touch()  # the receiver takes requests but does not answer
    first = worker_process(db_url, settings, tmp_path / "worker1.log")
    wait_for(lambda: len(receiver.received()) >= 1, "the first worker to be mid-delivery")
    in_flight = [d for d in deliveries(pipeline_db) if d["lease_owner"]]
    assert in_flight and all(d["status"] == "pending" for d in in_flight)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    held = {r[0] for r in receiver.received()}
    (receiver.folder / "hold").unlink()

    second = worker_process(db_url, settings, tmp_path / "worker2.log")
    try:
        wait_for(lambda: backlog(pipeline_db) == {"delivered": total}, "the second worker")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    assert second.returncode == 0, (tmp_path / "worker2.log").read_text()
    assert_applied_once_in_order(receiver, pipeline_db)
    received = [r[0] for r in receiver.received()]
    # what the killed worker had sent came again, and the receiver dropped it by id
    assert all(received.count(event_id) == 2 for event_id in held)
    assert len(received) == total + len(held)


def test_a_wrong_signature_is_refused_and_never_applied(
    pipeline: Pipeline,
    pipeline_db: Database,
    receiver: Receiver,
    worker_thread: threading.Event,
    clock: Clock,
) -> None:
    forged = subscriptions.create(pipeline_db, receiver.url, clock(), secret="not-the-secret")
    pipeline.submit(SESUAI)
    wait_for(lambda: any(d["attempts"] for d in deliveries(pipeline_db)), "a refused delivery")
    assert (receiver.folder / "rejected.log").exists()
    assert receiver.applied() == []
    assert {d["last_status"] for d in deliveries(pipeline_db) if d["attempts"]} == {401}
    subscriptions.delete(pipeline_db, forged["id"])
    assert backlog(pipeline_db) == {"cancelled": 2}


def test_a_dead_delivery_holds_its_queue_until_revived(
    pipeline_db: Database,
    pipeline: Pipeline,
    receiver: Receiver,
    settings: Settings,
    clock: Clock,
) -> None:
    subscriptions.create(pipeline_db, receiver.url, clock(), secret=receiver.secret)
    receiver.stop()
    app = pipeline.submit(SESUAI)
    worker = Worker(pipeline_db, settings.model_copy(update={"webhook_max_attempts": 2}))
    try:
        wait_for(lambda: bool(worker.run_once()) or "dead" in backlog(pipeline_db), "dead")
        wait_for(lambda: (worker.run_once(), "dead" in backlog(pipeline_db))[1], "dead")
        assert backlog(pipeline_db) == {"dead": 1, "pending": 1}
        receiver.start()
        # the later event of the same application must wait behind the dead one
        assert worker.drain() == []
        assert receiver.applied() == []
        assert revive(pipeline_db) == 1
        wait_for(lambda: (worker.run_once(), backlog(pipeline_db))[1] == {"delivered": 2}, "2")
    finally:
        worker.close()
    assert [a[2] for a in receiver.applied()] == ["1", "2"]
    assert {a[1] for a in receiver.applied()} == {app["id"]}


def test_backoff_grows_with_jitter_up_to_the_cap(settings: Settings) -> None:
    s = settings.model_copy(update={"webhook_backoff_base_s": 1.0, "webhook_backoff_max_s": 300.0})
    rng = random.Random(7)
    for attempt, full in [(1, 1.0), (2, 2.0), (5, 16.0), (9, 256.0), (10, 300.0), (40, 300.0)]:
        waits = [backoff_s(attempt, s, rng) for _ in range(200)]
        assert all(0.8 * full <= w <= full for w in waits)
        assert len(set(waits)) > 1  # jittered, not in step


def test_worker_once_delivers_what_is_due_and_exits(
    pipeline: Pipeline,
    pipeline_db: Database,
    receiver: Receiver,
    settings: Settings,
    db_url: str,
    clock: Clock,
    tmp_path: Path,
) -> None:
    subscriptions.create(pipeline_db, receiver.url, clock(), secret=receiver.secret)
    total = make_traffic(pipeline)
    log = tmp_path / "once.log"
    proc = worker_process(db_url, settings, log, "--once")
    assert proc.wait(timeout=120) == 0, log.read_text()
    assert backlog(pipeline_db) == {"delivered": total}
    assert_applied_once_in_order(receiver, pipeline_db)
    lines = log.read_text().splitlines()
    assert sum(1 for ln in lines if ln.startswith("delivered ")) == total
    assert lines[-1] == f"antrean / backlog: delivered {total}"
