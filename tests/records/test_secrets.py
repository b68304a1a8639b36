"""Secrets an installation makes for itself: one value per database, for every process."""

from __future__ import annotations

import threading

from kkpr.db.database import Database
from kkpr.records.secrets import service_secret


def test_a_secret_is_made_once_and_read_by_every_process(records_url: str) -> None:
    processes = [Database(records_url) for _ in range(4)]  # as many API workers
    made: list[bytes] = []
    start = threading.Barrier(8)

    def ask(db: Database) -> None:
        start.wait()  # all ask at once, before any secret exists
        made.append(service_secret(db, "session"))

    threads = [threading.Thread(target=ask, args=(processes[i % 4],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 8 and len(set(made)) == 1 and len(made[0]) == 32
    assert service_secret(Database(records_url), "session") == made[0]  # after a restart
    assert service_secret(processes[0], "other") != made[0]  # one secret per name
