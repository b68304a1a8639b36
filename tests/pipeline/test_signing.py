"""Webhook signatures the Standard Webhooks way: the spec's own test vector, and what a
receiver refuses (another key, a changed body, a replayed old timestamp)."""

from __future__ import annotations

import time

from kkpr.pipeline.delivery import new_secret, sign, signature_ok

# the test vector published with the Standard Webhooks specification
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID, STAMP, BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'


def headers(msg_id: str, stamp: int, signature: str) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": signature}


def test_the_specifications_vector() -> None:
    assert sign(MSG_ID, STAMP, BODY, SECRET) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signature_ok(
        BODY, SECRET, headers(MSG_ID, STAMP, sign(MSG_ID, STAMP, BODY, SECRET)), now=STAMP + 10
    )


def test_a_receiver_refuses_forgeries_and_replays() -> None:
    secret, now = new_secret(), int(time.time())
    good = headers("evt-1", now, sign("evt-1", now, BODY, secret))
    assert secret.startswith("whsec_") and signature_ok(BODY, secret, good)
    assert not signature_ok(BODY, new_secret(), good)  # another key
    assert not signature_ok(BODY + b" ", secret, good)  # a changed body
    assert not signature_ok(BODY, secret, {**good, "webhook-id": "evt-2"})  # another event
    old = now - 3600
    assert not signature_ok(BODY, secret, headers("evt-1", old, sign("evt-1", old, BODY, secret)))
    rotated = f"v1,bm90LXRoaXMtb25l {good['webhook-signature']}"  # several signatures: any one
    assert signature_ok(BODY, secret, {**good, "webhook-signature": rotated})
    assert not signature_ok(
        BODY, secret, {k: v for k, v in good.items() if k != "webhook-timestamp"}
    )
