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

At shutdown the worker ends the batch it is sending (each send waits at most
``webhook_timeout_s``) and records it; the lifespan waits for that, off the event loop,
up to ``JOIN_S``. The thread is one of the state's ``senders`` until it has stopped,
and ``AppState.close`` never closes the pipeline's database under a sender: a worker
still running after ``JOIN_S`` (a send or a database slower than that) keeps it until
the process exits, and what it holds stays in the outbox, sent again by the next start
once its lease runs out.
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
    state.senders.append(thread)  # the state keeps the database open while it runs
    thread.start()
    log.info("delivery worker %s started in the API process", worker.worker_id)
    try:
        yield
    finally:
        stop.set()
        await run_in_threadpool(thread.join, JOIN_S)
        if thread.is_alive():
            log.warning(
                "delivery worker %s still running after %.0f s: the pipeline database "
                "stays open for it; what it holds is sent again after its lease",
                worker.worker_id, JOIN_S,
            )  # fmt: skip
        else:
            state.senders.remove(thread)
            worker.close()  # the database is the state's: closed with it (AppState.close)
