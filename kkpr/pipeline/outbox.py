"""The transactional outbox: every state change writes its event in the same transaction.

An event belongs to one application and carries that application's next sequence
number (``applications.event_seq``), so receivers and the delivery worker can keep
each application's events in order. Writing an event also queues one delivery per
active subscription that wants its type; the worker (``kkpr.pipeline.delivery``)
sends them. The body is stored as sent, so every retry carries the same bytes and
the same signature.
"""

from __future__ import annotations

import fnmatch
import uuid
from datetime import datetime
from typing import Any

from typing_extensions import TypedDict

from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import sql
from kkpr.errors import NotFound
from kkpr.oss import channel
from kkpr.pipeline.db import dumps, iso, loads
from kkpr.pipeline.statuses import KKPR_FINAL, KKPR_STATUS

APPLICATION_SUBMITTED = "application.submitted"
APPLICATION_COMPLETED = "application.completed"
STAGE_STARTED = "stage.started"
STAGE_COMPLETED = "stage.completed"
STAGE_REJECTED = "stage.rejected"
REVIEW_OPENED = "review.opened"
REVIEW_DECIDED = "review.decided"
# the KKPR case (issue 16): each PKKPR state change (what an OSS IZINSTATUS needs), the
# final decision with its technical data (IZINFINALKKPR), and the decision's later life
KKPR_DECISION_CHANGED = "kkpr.decision_changed"
EVENT_TYPES = (
    KKPR_STATUS,
    KKPR_FINAL,
    KKPR_DECISION_CHANGED,
    APPLICATION_SUBMITTED,
    APPLICATION_COMPLETED,
    STAGE_STARTED,
    STAGE_COMPLETED,
    STAGE_REJECTED,
    REVIEW_OPENED,
    REVIEW_DECIDED,
)


class OutboxEvent(TypedDict):
    """An event as stored and sent: the webhook body, and what the OSS channel reads."""

    id: str
    type: str
    application_id: str
    seq: int  # the application's events, counted from 1
    created_at: str
    data: dict[str, Any]  # a shape per event type; ``application`` its summary


def emit(
    tx: Tx, application_id: str, event_type: str, data: dict[str, Any], now: datetime
) -> OutboxEvent:
    """Write one event of ``application_id`` and queue its deliveries; returns the event."""
    lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
    row = tx.one(sql("SELECT event_seq FROM applications WHERE id = {}" + lock), (application_id,))
    if row is None:
        raise NotFound(
            f"Permohonan {application_id} tidak ada",
            f"Application {application_id} does not exist",
            where="application_id",
        )
    seq = int(row["event_seq"]) + 1
    tx.execute(sql("UPDATE applications SET event_seq = {} WHERE id = {}"), (seq, application_id))
    event: OutboxEvent = {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "application_id": application_id,
        "seq": seq,
        "created_at": iso(now),
        "data": data,
    }
    tx.execute(
        sql(
            "INSERT INTO outbox (event_id, application_id, seq, type, body, created_at)"
            " VALUES ({}, {}, {}, {}, {}, {})"
        ),
        (event["id"], application_id, seq, event_type, dumps(event), event["created_at"]),
    )
    for sub in tx.query(sql("SELECT id, events FROM subscriptions WHERE active = 1")):
        if wants(loads(sub["events"]), event_type):
            tx.execute(
                sql(
                    "INSERT INTO deliveries (event_id, subscription_id, application_id, seq, status,"
                    " attempts, next_attempt_at, created_at) VALUES ({}, {}, {}, {}, 'pending', 0, {}, {})"
                ),
                (event["id"], sub["id"], application_id, seq, iso(now), iso(now)),
            )
    channel.queue(tx, event, now)  # OSS-RBA, for an application that came from OSS
    return event


def wants(patterns: list[str], event_type: str) -> bool:
    """Whether a subscription's patterns (``*``, ``stage.*``, exact types) take a type."""
    return any(fnmatch.fnmatchcase(event_type, p) for p in patterns)


class EventView(TypedDict):
    """An application's event as its view lists it (``events``)."""

    id: str
    seq: int
    type: str
    created_at: str
    data: dict[str, Any]  # a shape per event type
    deliveries: list[Row]  # each subscription's delivery: status, attempts, last_status ...


def events(db: Database, application_id: str) -> list[EventView]:
    """An application's events in order, each with its deliveries' states."""
    with db.transaction() as tx:
        rows = tx.query(
            sql(
                "SELECT event_id, seq, type, created_at, body FROM outbox"
                " WHERE application_id = {} ORDER BY seq"
            ),
            (application_id,),
        )
        deliveries = tx.query(
            sql(
                "SELECT event_id, subscription_id, status, attempts, last_status, delivered_at"
                " FROM deliveries WHERE application_id = {}"
            ),
            (application_id,),
        )
    by_event: dict[str, list[Row]] = {}
    for d in deliveries:
        by_event.setdefault(d.pop("event_id"), []).append(d)
    return [
        {
            "id": r["event_id"],
            "seq": r["seq"],
            "type": r["type"],
            "created_at": r["created_at"],
            "data": loads(r["body"])["data"],
            "deliveries": by_event.get(r["event_id"], []),
        }
        for r in rows
    ]
