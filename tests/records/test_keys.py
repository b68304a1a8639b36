"""API keys: shown once, stored only hashed, revocable."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkpr.db.sql import sql
from kkpr.errors import KkprError, NotFound
from kkpr.records.checks import open_records
from kkpr.records.keys import KeyStore


@pytest.fixture
def keys(tmp_path: Path) -> KeyStore:
    return KeyStore(open_records(f"sqlite:///{tmp_path / 'records.db'}"))


def test_keys_verify_and_are_stored_hashed(keys: KeyStore) -> None:
    key, text = keys.create("OSS", "permit_system")
    assert text.startswith(f"kkpr_{key.id}_")
    assert keys.verify(text) == key
    secret = text.split("_", 2)[2]
    with keys.db.transaction() as tx:
        rows = tx.query(sql("SELECT * FROM api_keys"))
    dump = repr(rows)
    assert secret not in dump and text not in dump
    assert len({r["salt"] for r in rows}) == 1 and len(rows[0]["key_hash"]) == 64


def test_wrong_malformed_and_revoked_keys_fail(keys: KeyStore) -> None:
    key, text = keys.create("staf", "staff")
    assert keys.verify(text[:-1] + ("A" if text[-1] != "A" else "B")) is None
    assert keys.verify("kkpr_" + key.id) is None
    assert keys.verify("") is None
    assert keys.verify("Bearer " + text) is None
    keys.revoke(key.id)
    assert keys.verify(text) is None
    assert keys.get(key.id).revoked_at is not None  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        keys.revoke("nope")


def test_only_known_roles(keys: KeyStore) -> None:
    with pytest.raises(KkprError):
        keys.create("x", "superuser")
    assert keys.create("x", "admin")[0].role == "admin"  # the plan admin (issue 20)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_verified_keys_are_remembered_for_the_ttl_and_forgotten_on_revoke(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'cached.db'}"
    clock = Clock()
    cached = KeyStore(open_records(url), cache_ttl_s=5.0, clock=clock)
    key, text = cached.create("OSS", "permit_system")
    other, other_text = cached.create("OSS 2", "permit_system")
    assert cached.verify(text) == key and cached.verify(other_text) == other

    # revoked by another process (as `kkpr keys revoke` does): honoured within the TTL
    with cached.db.transaction() as tx:
        tx.execute(sql("UPDATE api_keys SET revoked_at = 'x' WHERE id = {}"), (key.id,))
    clock.now += 4.9
    assert cached.verify(text) == key  # still remembered: the documented bound
    clock.now += 0.2
    assert cached.verify(text) is None  # the TTL is over: read again, revoked

    # revoked in this process, through any KeyStore of the same database: at once
    assert cached.verify(other_text) == other
    KeyStore(open_records(url)).revoke(other.id)
    assert cached.verify(other_text) is None

    # a wrong secret for a remembered key id is still refused
    fresh, fresh_text = cached.create("OSS 3", "staff")
    assert cached.verify(fresh_text) == fresh
    assert cached.verify(fresh_text[:-1] + ("A" if fresh_text[-1] != "A" else "B")) is None


def test_without_a_ttl_every_verification_reads_the_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'uncached.db'}"
    keys = KeyStore(open_records(url))
    key, text = keys.create("OSS", "permit_system")
    assert keys.verify(text) == key
    with keys.db.transaction() as tx:
        tx.execute(sql("UPDATE api_keys SET revoked_at = 'x' WHERE id = {}"), (key.id,))
    assert keys.verify(text) is None
