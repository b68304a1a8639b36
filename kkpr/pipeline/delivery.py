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
* **Authenticity.** Signed the Standard Webhooks way: ``webhook-id`` (the event id),
  ``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
  (``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``; a ``whsec_`` secret is the
  base64 of the key). A receiver refuses a timestamp too far from its clock (replays)
  and drops repeats by ``webhook-id``.
* **OSS.** Deliveries to the ``oss`` subscription (``kkpr.oss.channel``) are posted to
  ``KKPR_OSS_BASE_URL``/``receiveLicenseStatus`` or ``/receiveLicenseKKPR`` with the
  ``user_key`` header; OSS has them only when it answers HTTP 200 with ``kode`` 200.
  They wait up to ``oss_backoff_max_s`` between attempts and give up after
  ``oss_max_attempts`` (a day's outage loses nothing); a body that does not fit OSS's
  types is ``dead`` at once, its reason kept. Staff see the last answer of every
  delivery that is not through (``failing``) and send one again (``revive``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from kkpr import __version__
from kkpr.db.database import Database, Row
from kkpr.db.sql import sql
from kkpr.errors import KkprError, NotFound
from kkpr.oss import channel
from kkpr.oss.messages import answer_accepted
from kkpr.pipeline.db import Clock, iso, utc_now
from kkpr.pipeline.targets import NO_REDIRECTS, TargetRefused, opener, private_address
from kkpr.settings import Settings

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
EVENT_TYPE_HEADER = "X-KKPR-Event-Type"
ATTEMPT_HEADER = "X-KKPR-Delivery-Attempt"
JITTER_LOW = 0.8  # a retry waits between 80 % and 100 % of its backoff
SECRET_PREFIX = "whsec_"
REPLAY_TOLERANCE_S = 300  # what a receiver allows between a timestamp and its clock
ANSWER_CHARS = 500  # of the receiver's answer kept with a delivery


def _key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX) :])
    return secret.encode("utf-8")


def sign(msg_id: str, timestamp: int, body: bytes, secret: str) -> str:
    """The ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return (
        "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()
    )


def signature_ok(
    body: bytes,
    secret: str,
    headers: dict[str, str] | None,
    now: float | None = None,
    tolerance_s: float = REPLAY_TOLERANCE_S,
) -> bool:
    """What a receiver runs: is ``body`` signed with ``secret``, and recent (no replay)?"""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    msg_id, stamp, given = (headers.get(h) for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER))
    if not (msg_id and stamp and given) or not stamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance_s:
        return False
    expected = sign(msg_id, int(stamp), body, secret).split(",", 1)[1]
    return any(
        hmac.compare_digest(expected, sig.split(",", 1)[1])
        for sig in given.split()
        if sig.startswith("v1,")
    )


def new_secret() -> str:
    """A subscription secret in the Standard Webhooks form (``whsec_`` + base64 of 32 bytes)."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


def backoff_s(
    attempts: int, settings: Settings, rng: random.Random, max_s: float | None = None
) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    exp = settings.webhook_backoff_base_s * 2 ** min(attempts - 1, 62)
    return float(min(max_s or settings.webhook_backoff_max_s, exp) * rng.uniform(JITTER_LOW, 1.0))


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


@dataclass(frozen=True)
class Sent:
    """One attempt's answer: HTTP status (None: no answer), whether the receiver took it,
    what it said, and whether trying again can help."""

    status: int | None
    accepted: bool
    answer: str | None
    final: bool = False


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
                sql(
                    "SELECT d.event_id, d.subscription_id, d.application_id, d.seq, d.attempts,"
                    " s.url, s.secret, o.body, o.type FROM deliveries d"
                    " JOIN subscriptions s ON s.id = d.subscription_id"
                    " JOIN outbox o ON o.event_id = d.event_id"
                    " WHERE d.status = 'pending' AND d.next_attempt_at <= {}"
                    " AND (d.lease_until IS NULL OR d.lease_until < {})"
                    " AND NOT EXISTS (SELECT 1 FROM deliveries e"
                    "  WHERE e.subscription_id = d.subscription_id"
                    "  AND e.application_id = d.application_id AND e.seq < d.seq"
                    "  AND e.status IN ('pending', 'dead'))"
                    " ORDER BY d.next_attempt_at, d.created_at, d.seq LIMIT {}"
                ),
                (now, now, limit),
            )
            claims = []
            for r in rows:
                taken = tx.execute(
                    sql(
                        "UPDATE deliveries SET lease_owner = {}, lease_until = {}"
                        " WHERE event_id = {} AND subscription_id = {} AND status = 'pending'"
                        " AND (lease_until IS NULL OR lease_until < {})"
                    ),
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

    def _post(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        via: urllib.request.OpenerDirector = NO_REDIRECTS,
    ) -> tuple[int | None, str]:
        """POST ``body`` through ``via``; (HTTP status or None, the answer's text or the
        failure)."""
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with via.open(request, timeout=self.settings.webhook_timeout_s) as resp:
                return int(resp.status), resp.read(64_000).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read(64_000).decode("utf-8", "replace")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TargetRefused):
                return None, str(exc.reason)
            return None, f"{type(exc).__name__}: {exc}"
        except (OSError, ValueError) as exc:  # refused, reset, timeout, bad URL
            return None, f"{type(exc).__name__}: {exc}"

    def send(self, claim: Claim) -> Sent:
        """One attempt of ``claim``: a signed webhook, or an OSS call."""
        if claim.subscription_id == channel.SUBSCRIPTION_ID:
            return self.send_oss(claim)
        allow_private = self.settings.webhook_allow_private_targets
        if not allow_private and (where := private_address(claim.url)):
            return Sent(None, False, f"refused: the target resolves to {where}, not public")
        body = claim.body.encode("utf-8")
        stamp = int(time.time())
        status, text = self._post(
            claim.url,
            body,
            {
                "Content-Type": "application/json",
                "User-Agent": f"kkpr-webhook/{__version__}",
                ID_HEADER: claim.event_id,
                TIMESTAMP_HEADER: str(stamp),
                SIGNATURE_HEADER: sign(claim.event_id, stamp, body, claim.secret),
                EVENT_TYPE_HEADER: claim.event_type,
                ATTEMPT_HEADER: str(claim.attempts + 1),
            },
            # connects only to the addresses checked at connect time: a name that
            # answered a public address above cannot answer a private one now
            via=opener(claim.url, allow_private),
        )
        ok = status is not None and 200 <= status < 300
        # the status only: the answer's text of a subscriber-chosen URL is not reported
        return Sent(status, ok, None if ok else (f"HTTP {status}" if status else text))

    def send_oss(self, claim: Claim) -> Sent:
        """The OSS call of ``claim`` to ``oss_base_url`` with the ``user_key`` header."""
        try:
            message = channel.render(self.db, claim.event_id, self.settings)
        except KkprError as exc:  # a value OSS's types cannot hold: no retry can help
            return Sent(None, False, f"{exc.message_id} / {exc.message_en}", final=True)
        base = (self.settings.oss_base_url or "").rstrip("/")
        if not base or not self.settings.oss_user_key:
            return Sent(None, False, "KKPR_OSS_BASE_URL / KKPR_OSS_USER_KEY belum diatur / not set")
        status, text = self._post(
            f"{base}/{message.call}",
            message.body.encode("utf-8"),
            {
                "Content-Type": "application/json",
                "User-Agent": f"kkpr-oss/{__version__}",
                "user_key": self.settings.oss_user_key,
            },
        )
        if status is None:
            return Sent(None, False, f"{message.call}: {text}")
        accepted, said = answer_accepted(message.call, status, text)
        return Sent(status, accepted, f"{message.call}: {said}")

    def deliver(self, claim: Claim) -> Attempt:
        """Send one claimed delivery and record the result."""
        sent = self.send(claim)
        status = sent.status
        now = self.clock()
        with self.db.transaction() as tx:
            if sent.accepted:
                # a fact whoever holds the lease now: the receiver has it
                tx.execute(
                    sql(
                        "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,"
                        " last_status = {}, last_error = NULL, delivered_at = {},"
                        " lease_owner = NULL, lease_until = NULL"
                        " WHERE event_id = {} AND subscription_id = {} AND status = 'pending'"
                    ),
                    (status, iso(now), claim.event_id, claim.subscription_id),
                )
                return Attempt(claim, "delivered", status, None)
            oss = claim.subscription_id == channel.SUBSCRIPTION_ID
            attempts = claim.attempts + 1
            most = self.settings.oss_max_attempts if oss else self.settings.webhook_max_attempts
            dead = sent.final or attempts >= most
            wait = backoff_s(
                attempts, self.settings, self._rng, self.settings.oss_backoff_max_s if oss else None
            )
            error = (sent.answer or "")[:ANSWER_CHARS]
            tx.execute(
                sql(
                    "UPDATE deliveries SET status = {}, attempts = {}, last_status = {},"
                    " last_error = {}, next_attempt_at = {}, lease_owner = NULL,"
                    " lease_until = NULL WHERE event_id = {} AND subscription_id = {}"
                    " AND status = 'pending' AND lease_owner = {}"
                ),
                (
                    "dead" if dead else "pending",
                    attempts,
                    status,
                    error,
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


def revive(
    db: Database,
    now: datetime | None = None,
    *,
    event_id: str | None = None,
    subscription_id: str | None = None,
) -> int:
    """Send again: dead deliveries (or the one named) back in their queues, due now; how many."""
    moment = iso(now or utc_now())
    text = (
        "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = {},"
        " lease_owner = NULL, lease_until = NULL"
    )
    with db.transaction() as tx:
        if event_id is None:
            return tx.execute(sql(text + " WHERE status = 'dead'"), (moment,))
        changed = tx.execute(
            sql(
                text + " WHERE event_id = {} AND subscription_id = {}"
                " AND status IN ('dead', 'pending')"
            ),
            (moment, event_id, subscription_id),
        )
    if not changed:
        raise NotFound(
            f"Pengiriman {event_id} ke {subscription_id} tidak ada atau sudah terkirim",
            f"Delivery {event_id} to {subscription_id} does not exist or was delivered",
            where="event_id",
        )
    return changed


def failing(db: Database, subscription_id: str | None = None, limit: int = 200) -> list[Row]:
    """Deliveries not through yet that have been tried: the staff's view, with the last
    answer; dead ones (waiting for "send again") first, then by how often they failed."""
    where = " AND d.subscription_id = {}" if subscription_id else ""
    args: tuple[object, ...] = (subscription_id, limit) if subscription_id else (limit,)
    with db.transaction() as tx:
        return tx.query(
            sql(
                "SELECT d.event_id, d.subscription_id, d.application_id, d.seq, o.type,"
                " d.status, d.attempts, d.last_status, d.last_error AS last_answer,"
                " d.next_attempt_at, d.created_at FROM deliveries d"
                " JOIN outbox o ON o.event_id = d.event_id"
                " WHERE d.status IN ('pending', 'dead') AND d.attempts > 0"
                + where
                + " ORDER BY CASE d.status WHEN 'dead' THEN 0 ELSE 1 END, d.attempts DESC,"
                " d.created_at LIMIT {}"
            ),
            args,
        )


def backlog(db: Database, subscription_id: str | None = None) -> dict[str, int]:
    """Deliveries by status: every subscription's, or one's."""
    with db.transaction() as tx:
        if subscription_id is None:
            rows = tx.query(sql("SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status"))
        else:
            rows = tx.query(
                sql(
                    "SELECT status, COUNT(*) AS n FROM deliveries"
                    " WHERE subscription_id = {} GROUP BY status"
                ),
                (subscription_id,),
            )
    return {r["status"]: int(r["n"]) for r in rows}
