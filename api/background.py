"""The delivery worker inside the API process, when ``KKPR_DELIVERY_IN_APP`` is on.

``make run`` turns it on, so a newcomer's events (webhooks and OSS calls) go out with
no other process to start. Several API processes may each run one: deliveries are
claimed with leases, so each is sent by one of them at a time. A fleet that prefers
dedicated senders leaves it off and runs ``kkpr worker``.

The worker sends through the app's own pipeline database (``AppState.pipeline_db``),
not one of its own: a ``Database`` serves many threads (SQLite: a connection per
thread; PostgreSQL: a pool that lends a connection per transaction), and the worker
holds one only for its short transactions (claiming, recording an attempt), never
while it waits on a subscriber. So the app keeps one pool to the pipeline's tables,
sized by ``KKPR_DB_POOL_SIZE``, and the state closes it at shutdown, after the worker
has stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.concurrency import run_in_threadpool

from api.deps import AppState
from kkpr.pipeline.delivery import Attempt, Worker

log = logging.getLogger("kkpr.delivery")
JOIN_S = 30.0


def _log(attempt: Attempt) -> None:
    c = attempt.claim
    level = logging.INFO if attempt.result == "delivered" else logging.WARNING
    log.log(level, "%s %s #%s → %s %s", c.event_type, c.application_id, c.seq, attempt.result,
            attempt.error or attempt.status)  # fmt: skip


@asynccontextmanager
async def lifespan(state: AppState) -> AsyncIterator[None]:
    """The worker of the app whose ``state`` it is, from startup to shutdown, on the
    state's pipeline database; nothing when ``delivery_in_app`` is off."""
    if not state.settings.delivery_in_app:
        yield
        return
    # opened (and migrated) here if no request has asked for it yet: off the event loop
    db = await run_in_threadpool(state.pipeline_db)
    worker = Worker(db, state.settings)
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run, args=(stop, _log), daemon=True, name="kkpr-delivery"
    )
    thread.start()
    log.info("delivery worker %s started in the API process", worker.worker_id)
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=JOIN_S)
        worker.close()  # the database is the state's: closed with it (AppState.close)
