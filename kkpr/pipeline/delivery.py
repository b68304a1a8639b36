"""The delivery worker: outbox events to subscribed webhooks, at least once, in order.

Guarantees, and how:

* **At least once.** A delivery is claimed with a lease (``webhook_lease_s``); a worker
  that dies mid-delivery leaves a lease that runs out, and the next worker sends the
  event again. Receivers drop repeats by the ``X-KKPR-Event-Id`` header.
* **In order per application.** Only the head of a (subscription, application) queue
  can be claimed: a delivery is taken only when no earlier event of the same
  application for the same subscription is still pending or dead.
* **Retries.** A failed attempt is retried after ``min(max, base * 2**(n-1))`` seconds,
  drawn between 80 % and 100 % of that (jitter keeps a fleet of senders from retrying
  in step); after ``webhook_max_attempts`` the delivery is ``dead`` and holds its queue
  until ``revive`` (``kkpr worker --revive``) puts it back.
* **Authenticity.** ``X-KKPR-Signature: sha256=<hex HMAC-SHA256 of the raw body with
  the subscription secret>``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import socket
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from kkpr import __version__
from kkpr.pipeline.db import Clock, iso, utc_now
from kkpr.records.db import Database
from kkpr.settings import Settings

SIGNATURE_HEADER = "X-KKPR-Signature"
EVENT_ID_HEADER = "X-KKPR-Event-Id"
EVENT_TYPE_HEADER = "X-KKPR-Event-Type"
ATTEMPT_HEADER = "X-KKPR-Delivery-Attempt"
JITTER_LOW = 0.8  # a retry waits between 80 % and 100 % of its backoff


def sign(body: bytes, secret: str) -> str:
    """The signature header value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, secret: str, header: str | None) -> bool:
    """What a receiver runs: does ``header`` sign ``body`` with ``secret``?"""
    return header is not None and hmac.compare_digest(sign(body, secret), header)


def backoff_s(attempts: int, settings: Settings, rng: random.Random) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    exp = settings.webhook_backoff_base_s * 2 ** min(attempts - 1, 62)
    return min(settings.webhook_backoff_max_s, exp) * rng.uniform(JITTER_LOW, 1.0)


@dataclass(frozen=True)
class Claim:
    event_id: str
    subscription_id: str
    application_id: str
    seq: int
    attempts: int
    url: str
    secret: str
    body: str
    event_type: str


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt came to: ``delivered``, ``retry`` or ``dead``."""

    claim: Claim
    result: str
    status: int | None
    error: str | None
    retry_in_s: float | None = None


class Worker:
    """Claims due deliveries and sends them; many workers may run against one database."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        worker_id: str | None = None,
        clock: Clock = utc_now,
        concurrency: int = 4,
        rng: random.Random | None = None,
    ) -> None:
        if settings.webhook_lease_s <= settings.webhook_timeout_s:
            raise ValueError("webhook_lease_s must exceed webhook_timeout_s")
        self.db = db
        self.settings = settings
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.clock = clock
        self.concurrency = max(1, concurrency)
        self._rng = rng or random.Random()
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="kkpr-delivery")

    def claim(self, limit: int) -> list[Claim]:
        """Lease up to ``limit`` queue heads that are due."""
        now = iso(self.clock())
        until = iso(self.clock() + timedelta(seconds=self.settings.webhook_lease_s))
        with self.db.transaction() as tx:
            rows = tx.query(
                "SELECT d.event_id, d.subscription_id, d.application_id, d.seq, d.attempts,"
                " s.url, s.secret, o.body, o.type FROM deliveries d"
                " JOIN subscriptions s ON s.id = d.subscription_id"
                " JOIN outbox o ON o.event_id = d.event_id"
                " WHERE d.status = 'pending' AND d.next_attempt_at <= ?"
                " AND (d.lease_until IS NULL OR d.lease_until < ?)"
                " AND NOT EXISTS (SELECT 1 FROM deliveries e"
                "  WHERE e.subscription_id = d.subscription_id"
                "  AND e.application_id = d.application_id AND e.seq < d.seq"
                "  AND e.status IN ('pending', 'dead'))"
                " ORDER BY d.next_attempt_at, d.created_at, d.seq LIMIT ?",
                (now, now, limit),
            )
            claims = []
            for r in rows:
                taken = tx.execute(
                    "UPDATE deliveries SET lease_owner = ?, lease_until = ?"
                    " WHERE event_id = ? AND subscription_id = ? AND status = 'pending'"
                    " AND (lease_until IS NULL OR lease_until < ?)",
                    (self.worker_id, until, r["event_id"], r["subscription_id"], now),
                )
                if taken:
                    claims.append(
                        Claim(
                            event_id=r["event_id"],
                            subscription_id=r["subscription_id"],
                            application_id=r["application_id"],
                            seq=int(r["seq"]),
                            attempts=int(r["attempts"]),
                            url=r["url"],
                            secret=r["secret"],
                            body=r["body"],
                            event_type=r["type"],
                        )
                    )
        return claims

    def send(self, claim: Claim) -> tuple[int | None, str | None]:
        """POST one event; (HTTP status, error text)."""
        body = claim.body.encode("utf-8")
        request = urllib.request.Request(
            claim.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": f"kkpr-webhook/{__version__}",
                EVENT_ID_HEADER: claim.event_id,
                EVENT_TYPE_HEADER: claim.event_type,
                ATTEMPT_HEADER: str(claim.attempts + 1),
                SIGNATURE_HEADER: sign(body, claim.secret),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.settings.webhook_timeout_s) as resp:
                return int(resp.status), None
        except urllib.error.HTTPError as exc:
            return int(exc.code), f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:  # refused, reset, timeout, bad URL
            return None, f"{type(exc).__name__}: {exc}"

    def deliver(self, claim: Claim) -> Attempt:
        """Send one claimed delivery and record the result."""
        status, error = self.send(claim)
        now = self.clock()
        with self.db.transaction() as tx:
            if status is not None and 200 <= status < 300:
                # a fact whoever holds the lease now: the receiver has it
                tx.execute(
                    "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,"
                    " last_status = ?, last_error = NULL, delivered_at = ?,"
                    " lease_owner = NULL, lease_until = NULL"
                    " WHERE event_id = ? AND subscription_id = ? AND status = 'pending'",
                    (status, iso(now), claim.event_id, claim.subscription_id),
                )
                return Attempt(claim, "delivered", status, None)
            attempts = claim.attempts + 1
            dead = attempts >= self.settings.webhook_max_attempts
            wait = backoff_s(attempts, self.settings, self._rng)
            tx.execute(
                "UPDATE deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?,"
                " next_attempt_at = ?, lease_owner = NULL, lease_until = NULL"
                " WHERE event_id = ? AND subscription_id = ? AND status = 'pending'"
                " AND lease_owner = ?",
                (
                    "dead" if dead else "pending",
                    attempts,
                    status,
                    (error or "")[:500],
                    iso(now + timedelta(seconds=wait)),
                    claim.event_id,
                    claim.subscription_id,
                    self.worker_id,
                ),
            )
        return Attempt(claim, "dead" if dead else "retry", status, error, None if dead else wait)

    def run_once(self) -> list[Attempt]:
        """Claim what is due and send it."""
        return list(self._pool.map(self.deliver, self.claim(self.concurrency)))

    def run(
        self,
        stop: threading.Event | None = None,
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        """Deliver until ``stop`` is set, sleeping ``worker_poll_s`` when idle."""
        stop = stop or threading.Event()
        while not stop.is_set():
            attempts = self.run_once()
            for attempt in attempts:
                if on_attempt is not None:
                    on_attempt(attempt)
            if not attempts:
                stop.wait(self.settings.worker_poll_s)

    def drain(self) -> list[Attempt]:
        """Deliver until nothing is due now."""
        done: list[Attempt] = []
        while batch := self.run_once():
            done += batch
        return done

    def close(self) -> None:
        """Wait for the sends under way; the database stays open (its owner closes it)."""
        self._pool.shutdown(wait=True)


def revive(db: Database, now: datetime | None = None) -> int:
    """Put dead deliveries back in their queues; how many."""
    moment = iso(now or utc_now())
    with db.transaction() as tx:
        return tx.execute(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?"
            " WHERE status = 'dead'",
            (moment,),
        )


def backlog(db: Database) -> dict[str, int]:
    """Deliveries by status."""
    with db.transaction() as tx:
        rows = tx.query("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status")
    return {r["status"]: int(r["n"]) for r in rows}
