"""Keys, roles and the staff session cookie, as callers meet them."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, Response
from fastapi.testclient import TestClient

from api.auth import SESSION_COOKIE, Caller, login_staff, require_role, session_token
from tests.api.conftest import Api, make_api, mini_site


def test_a_revoked_key_is_refused_at_once(api: Api) -> None:
    body = mini_site(10, 10, 60, 60)
    assert api.check(body).status_code == 201
    key_id = api.keys["permit_system"].split("_")[1]
    api.state.keys.revoke(key_id)
    r = api.check(body)
    assert r.status_code == 401 and r.json()["type"].endswith("/unauthenticated")


def test_every_write_names_its_key(api: Api) -> None:
    record = api.check(mini_site(10, 10, 60, 60), role="staff").json()
    key_id = api.keys["staff"].split("_")[1]
    assert record["caller"] == f"key:{key_id}"
    assert record["caller_role"] == "staff"


def _app_with_probe(api: Api) -> TestClient:
    app = api.client.app

    @app.post("/_test/login")  # type: ignore[attr-defined]
    def login(key: str, response: Response) -> dict[str, str]:
        caller = login_staff(response, key)
        return {"id": caller.id}

    @app.get("/_test/staff")  # type: ignore[attr-defined]
    def staff(caller: Caller = Depends(require_role("staff"))) -> dict[str, str]:
        return {"id": caller.id, "role": caller.role}

    return TestClient(app)


def test_staff_login_sets_a_session_cookie_that_require_role_reads(mini_api: Api) -> None:
    client = _app_with_probe(mini_api)
    assert client.get("/_test/staff").status_code == 401
    r = client.post("/_test/login", params={"key": mini_api.keys["staff"]})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert mini_api.keys["staff"] not in cookie  # the key itself never leaves
    who = client.get("/_test/staff")
    assert who.status_code == 200 and who.json()["role"] == "staff"
    # revoking the key ends the session
    mini_api.state.keys.revoke(mini_api.keys["staff"].split("_")[1])
    assert client.get("/_test/staff").status_code == 401


def test_login_refuses_non_staff_and_unknown_keys(mini_api: Api) -> None:
    client = _app_with_probe(mini_api)
    r = client.post("/_test/login", params={"key": mini_api.keys["permit_system"]})
    assert r.status_code == 403
    r = client.post("/_test/login", params={"key": "kkpr_0_x"})
    assert r.status_code == 401 and SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_forged_or_expired_session_counts_as_anonymous(mini_api: Api) -> None:
    client = _app_with_probe(mini_api)
    key_id = mini_api.keys["staff"].split("_")[1]
    good = session_token(mini_api.state, key_id)
    forged = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
    expired = session_token(mini_api.state, key_id, now=0)
    for token in (forged, expired, "garbage"):
        client.cookies.set(SESSION_COOKIE, token)
        assert client.get("/_test/staff").status_code == 401
    client.cookies.set(SESSION_COOKIE, good)
    assert client.get("/_test/staff").status_code == 200


def test_without_a_configured_key_every_worker_signs_sessions_alike(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    """No ``session_secret``: the key made once in the records database is every
    worker's, so a login through one worker holds on the next (and after a restart)."""
    first = make_api(mini_plan_dir, tmp_path / "var", session_secret=None)
    second = make_api(mini_plan_dir, tmp_path / "var", session_secret=None)  # same records
    elsewhere = make_api(mini_plan_dir, tmp_path / "other", session_secret=None)
    assert len(first.state.secret) == 32 and first.state.secret == second.state.secret
    assert elsewhere.state.secret != first.state.secret
    token = session_token(first.state, first.keys["staff"].split("_")[1])  # as first logs in
    for api, status in ((second, 200), (elsewhere, 401)):
        client = _app_with_probe(api)
        client.cookies.set(SESSION_COOKIE, token)
        assert client.get("/_test/staff").status_code == status
