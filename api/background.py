"""The delivery worker inside the API process, when ``KKPR_DELIVERY_IN_APP`` is on.

``make run`` turns it on, so a newcomer's events (webhooks and OSS calls) go out with
no other process to start. Several API processes may each run one: deliveries are
claimed with leases, so each is sent by one of them at a time. A fleet that prefers
dedicated senders leaves it off and runs ``kkpr worker``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from kkpr.pipeline.db import open_database, pipeline_url
from kkpr.pipeline.delivery import Attempt, Worker
from kkpr.settings import Settings

log = logging.getLogger("kkpr.delivery")
JOIN_S = 30.0


def _log(attempt: Attempt) -> None:
    c = attempt.claim
    level = logging.INFO if attempt.result == "delivered" else logging.WARNING
    log.log(level, "%s %s #%s → %s %s", c.event_type, c.application_id, c.seq, attempt.result,
            attempt.error or attempt.status)  # fmt: skip


@asynccontextmanager
async def lifespan(settings: Settings) -> AsyncIterator[None]:
    """The worker for the app's ``settings`` (``AppState.settings``), from startup to
    shutdown; nothing when ``delivery_in_app`` is off."""
    if not settings.delivery_in_app:
        yield
        return
    db = open_database(pipeline_url(settings))
    worker = Worker(db, settings)
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
        worker.close()
        db.close()
