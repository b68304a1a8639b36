"""API keys: created once, shown once, stored only as a salted SHA-256 hash.

A key reads ``kkpr_<id>_<secret>``. The id is stored in clear (it names the key in
the logs and finds its row); the secret is 256 random bits, so one salted SHA-256 is
enough (a slow password hash guards guessable secrets; these are not guessable).

Verified keys may be remembered in the process for ``cache_ttl_s`` seconds (the API
passes the setting ``api_key_cache_ttl_s``; 0 turns it off), so a busy caller does not
cost a database read per request. The cache holds the SHA-256 of the key text, never
the text, and only keys that verified. A revocation through any ``KeyStore`` of the
same database in this process takes effect at once; one made by another process
(``kkpr keys revoke``, another API worker) takes effect within ``cache_ttl_s``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from kkpr.db.database import Database, Row
from kkpr.db.sql import sql
from kkpr.errors import KkprError, NotFound
from kkpr.records.checks import utc_iso

ROLES = ("permit_system", "staff", "admin", "public")
PREFIX = "kkpr"
MAX_CACHED_KEYS = 4096  # more distinct keys than that in one TTL: start the cache afresh


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: str
    created_at: str
    created_by: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def from_row(cls, row: Row) -> ApiKey:
        return cls(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            created_at=row["created_at"],
            created_by=row["created_by"],
            revoked_at=row["revoked_at"],
        )


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


def split_key(raw: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed key, None otherwise."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


class VerifiedKeys:
    """Keys that verified, by the SHA-256 of their text, until a monotonic deadline.

    ``generation`` grows with every revocation: a verification that read the database
    before a revocation does not store its (possibly revoked) key after it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[bytes, tuple[ApiKey, float]] = {}
        self.generation = 0

    def get(self, digest: bytes, now: float) -> ApiKey | None:
        hit = self._keys.get(digest)
        if hit is None:
            return None
        if hit[1] <= now:
            with self._lock:
                self._keys.pop(digest, None)
            return None
        return hit[0]

    def put(self, digest: bytes, key: ApiKey, until: float, generation: int) -> None:
        with self._lock:
            if generation != self.generation:
                return  # a key was revoked meanwhile: this read may predate it
            if len(self._keys) >= MAX_CACHED_KEYS:
                self._keys.clear()
            self._keys[digest] = (key, until)

    def forget(self, key_id: str) -> None:
        with self._lock:
            self.generation += 1
            for digest in [d for d, (k, _) in self._keys.items() if k.id == key_id]:
                del self._keys[digest]


_verified: dict[str, VerifiedKeys] = {}  # database url -> its cache, shared in the process
_verified_lock = threading.Lock()


def verified_keys(url: str) -> VerifiedKeys:
    with _verified_lock:
        return _verified.setdefault(url, VerifiedKeys())


class KeyStore:
    def __init__(
        self,
        db: Database,
        cache_ttl_s: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.cache_ttl_s = cache_ttl_s
        self._clock = clock
        self._verified = verified_keys(db.url)

    def create(self, name: str, role: str, *, created_by: str = "cli") -> tuple[ApiKey, str]:
        """A new key: its record and the key text, which is never stored or shown again."""
        if role not in ROLES:
            raise KkprError(
                f"Peran {role!r} tidak dikenal; pilih salah satu: {', '.join(ROLES)}",
                f"Unknown role {role!r}; choose one of: {', '.join(ROLES)}",
                where="role",
            )
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        key = ApiKey(
            id=key_id,
            name=name,
            role=role,
            created_at=utc_iso(datetime.now(UTC)),
            created_by=created_by,
        )
        with self.db.transaction() as tx:
            tx.execute(
                sql(
                    "INSERT INTO api_keys (id, name, role, salt, key_hash, created_at, created_by) "
                    "VALUES ({}, {}, {}, {}, {}, {}, {})"
                ),
                (key.id, name, role, salt, _hash(salt, secret), key.created_at, created_by),
            )
        return key, f"{PREFIX}_{key_id}_{secret}"

    def verify(self, raw: str) -> ApiKey | None:
        """The active key ``raw`` is, or None (unknown, malformed, wrong or revoked)."""
        parts = split_key(raw)
        if parts is None:
            return None
        key_id, secret = parts
        if self.cache_ttl_s <= 0:
            return self._verify(key_id, secret)
        digest = hashlib.sha256(raw.strip().encode("utf-8")).digest()
        now = self._clock()
        key = self._verified.get(digest, now)
        if key is not None:
            return key
        generation = self._verified.generation
        key = self._verify(key_id, secret)
        if key is not None:
            self._verified.put(digest, key, now + self.cache_ttl_s, generation)
        return key

    def _verify(self, key_id: str, secret: str) -> ApiKey | None:
        with self.db.transaction() as tx:
            row = tx.one(sql("SELECT * FROM api_keys WHERE id = {}"), (key_id,))
        if row is None or row["revoked_at"] is not None:
            return None
        if not hmac.compare_digest(_hash(row["salt"], secret), row["key_hash"]):
            return None
        return ApiKey.from_row(row)

    def get(self, key_id: str) -> ApiKey | None:
        with self.db.transaction() as tx:
            row = tx.one(sql("SELECT * FROM api_keys WHERE id = {}"), (key_id,))
        return None if row is None else ApiKey.from_row(row)

    def list(self) -> list[ApiKey]:
        with self.db.transaction() as tx:
            rows = tx.query(sql("SELECT * FROM api_keys ORDER BY created_at, id"))
        return [ApiKey.from_row(r) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key (it stays listed, as who wrote what stays attributed): at once in
        this process, within ``cache_ttl_s`` in processes that cache verified keys."""
        with self.db.transaction() as tx:
            tx.execute(
                sql("UPDATE api_keys SET revoked_at = {} WHERE id = {} AND revoked_at IS NULL"),
                (utc_iso(datetime.now(UTC)), key_id),
            )
        self._verified.forget(key_id)
        key = self.get(key_id)
        if key is None:
            raise NotFound(
                f"Kunci API {key_id!r} tidak ada",
                f"API key {key_id!r} does not exist",
                where="key_id",
                hint_id="Lihat daftar dengan `kkpr keys list`",
                hint_en="See the list with `kkpr keys list`",
            )
        return key
