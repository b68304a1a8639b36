"""Webhook subscriptions: where events go, and the secret each delivery is signed with."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlparse

from typing_extensions import TypedDict

from kkpr.db.database import Database, Row
from kkpr.db.sql import insert, sql
from kkpr.errors import InvalidInput, NotFound
from kkpr.oss.channel import SUBSCRIPTION_ID as OSS
from kkpr.pipeline.db import dumps, iso, loads
from kkpr.pipeline.delivery import new_secret
from kkpr.pipeline.outbox import EVENT_TYPES, wants


class SubscriptionError(InvalidInput):
    """A subscription request that cannot be accepted (URL, event patterns)."""

    kind = "subscription-invalid"


class Subscription(TypedDict):
    """A webhook subscription as its owner sees it (never its secret)."""

    id: str
    url: str
    events: list[str]  # type patterns: *, stage.*, exact types
    description: str | None
    created_at: str
    created_by: str | None


class NewSubscription(Subscription):
    """A new subscription: the one answer that shows its secret."""

    secret: str


def create(
    db: Database,
    url: str,
    now: datetime,
    *,
    secret: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    created_by: str | None = None,
) -> NewSubscription:
    """A new active subscription; the answer is the only place its secret is shown."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SubscriptionError(
            "URL webhook harus http:// atau https:// lengkap",
            "The webhook URL must be a full http:// or https:// URL",
            where="url",
        )
    patterns = events or ["*"]
    unknown = [p for p in patterns if not any(wants([p], t) for t in EVENT_TYPES)]
    if unknown:
        raise SubscriptionError(
            f"Pola jenis peristiwa tidak cocok dengan apa pun: {', '.join(unknown)}",
            f"Event type patterns match nothing: {', '.join(unknown)}",
            where="events",
            hint_id=f"Jenis yang ada: {', '.join(EVENT_TYPES)}",
            hint_en=f"Known types: {', '.join(EVENT_TYPES)}",
        )
    row: Row = {
        "id": uuid.uuid4().hex,
        "url": url,
        "secret": secret or new_secret(),
        "events": dumps(patterns),
        "description": description,
        "active": 1,
        "created_at": iso(now),
        "created_by": created_by,
    }
    with db.transaction() as tx:
        tx.execute(insert("subscriptions", row), tuple(row.values()))
    return {**_public(row), "secret": row["secret"]}


def _made_by(created_by: str | None) -> tuple[str, tuple[str, ...]]:
    """The condition that keeps a statement to what ``created_by`` made, and its
    parameter (none given: every subscription)."""
    if created_by is None:
        return "", ()
    return " AND created_by = {}", (created_by,)


def active(db: Database, created_by: str | None = None) -> list[Subscription]:
    """The active subscriptions; only those ``created_by`` made when given."""
    mine, owner = _made_by(created_by)
    with db.transaction() as tx:
        rows = tx.query(
            sql(
                "SELECT * FROM subscriptions WHERE active = 1 AND id <> {}"
                + mine
                + " ORDER BY created_at"
            ),
            (OSS, *owner),
        )
    return [_public(r) for r in rows]


def delete(db: Database, subscription_id: str, created_by: str | None = None) -> None:
    """Deactivate a subscription and cancel what it had not yet received; when
    ``created_by`` is given, only a subscription it made (another's is NotFound)."""
    mine, owner = _made_by(created_by)
    with db.transaction() as tx:
        changed = tx.execute(
            sql(
                "UPDATE subscriptions SET active = 0 WHERE id = {} AND id <> {} AND active = 1"
                + mine
            ),
            (subscription_id, OSS, *owner),
        )
        if not changed:
            raise NotFound(
                f"Langganan {subscription_id} tidak ada",
                f"Subscription {subscription_id} does not exist",
                where="subscription_id",
            )
        tx.execute(
            sql(
                "UPDATE deliveries SET status = 'cancelled', lease_owner = NULL, lease_until = NULL"
                " WHERE subscription_id = {} AND status IN ('pending', 'dead')"
            ),
            (subscription_id,),
        )


def _public(row: Row) -> Subscription:
    return {
        "id": row["id"],
        "url": row["url"],
        "events": loads(row["events"]),
        "description": row["description"],
        "created_at": row["created_at"],
        "created_by": row["created_by"],
    }
