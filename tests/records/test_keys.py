"""API keys: shown once, stored only hashed, revocable."""

from __future__ import annotations

from pathlib import Path

import pytest

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
        rows = tx.query("SELECT * FROM api_keys")
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
        keys.create("x", "admin")
