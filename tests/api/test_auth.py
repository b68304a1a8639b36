"""Keys, roles and the staff session cookie, as callers meet them."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import Depends, Response
from fastapi.testclient import TestClient

from api.auth import SESSION_COOKIE, Caller, login_staff, require_role, session_token
from kkpr.db.sql import sql
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


# ---------------------------------------------------------------- forgery (issue 15, finding 7)

OTHER_PORT = "http://127.0.0.1:9"  # a page on another port of the same host: same site


def _logged_in(api: Api) -> tuple[TestClient, str]:
    """A browser-like client logged in through the form, and the staff page's token."""
    client = TestClient(api.client.app, base_url="http://testserver")
    r = client.post("/staf/login", data={"key": api.keys["staff"]}, follow_redirects=False)
    assert r.status_code == 303 and SESSION_COOKIE in r.headers["set-cookie"]
    page = client.get("/staf")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token is not None
    return client, token.group(1)


def _logged(api: Api) -> int:
    with api.state.check_log.db.transaction() as tx:
        row = tx.one(sql("SELECT count(*) AS n FROM check_log"))
    assert row is not None
    return int(row["n"])


def test_the_session_cookie_alone_changes_nothing(mini_api: Api) -> None:
    """A forged request carries the cookie but not the token the staff page holds."""
    client, token = _logged_in(mini_api)
    before = _logged(mini_api)
    forged = client.post("/v1/checks", json=mini_site(10, 10, 60, 60))
    assert forged.status_code == 403 and forged.json()["where"] == "X-CSRF-Token"
    rollback = client.post(f"/v1/plans/{mini_api.state.store.rules().meta.id}/rollback")
    assert rollback.status_code == 403
    assert _logged(mini_api) == before
    wrong = client.post(
        "/v1/checks", json=mini_site(10, 10, 60, 60), headers={"X-CSRF-Token": "0" * 64}
    )
    assert wrong.status_code == 403
    ok = client.post("/v1/checks", json=mini_site(10, 10, 60, 60), headers={"X-CSRF-Token": token})
    assert ok.status_code == 201 and _logged(mini_api) == before + 1
    assert client.get("/v1/reviews").status_code == 200  # reading needs no token


def test_api_keys_need_no_token(mini_api: Api) -> None:
    client = TestClient(mini_api.client.app)
    assert mini_api.check(mini_site(10, 10, 60, 60), role="staff").status_code == 201
    assert client.get("/staf").status_code == 200  # the login page


def test_login_from_another_origin_is_refused(mini_api: Api) -> None:
    client = TestClient(mini_api.client.app)
    for headers in ({"Origin": OTHER_PORT}, {"Sec-Fetch-Site": "same-site"}):
        r = client.post(
            "/staf/login", data={"key": mini_api.keys["staff"]}, headers=headers,
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 403, headers
        assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
    own = client.post(
        "/staf/login", data={"key": mini_api.keys["staff"]},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )  # fmt: skip
    assert own.status_code == 303


def test_a_forged_logout_does_nothing_and_logout_revokes_the_session(mini_api: Api) -> None:
    client, token = _logged_in(mini_api)
    session = client.cookies.get(SESSION_COOKIE)
    for data, headers in (({}, {}), ({"csrf_token": token}, {"Origin": OTHER_PORT})):
        r = client.post("/staf/logout", data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403
    assert client.get("/v1/reviews").status_code == 200  # still logged in
    out = client.post("/staf/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    # the old cookie, kept or stolen, no longer authenticates
    replay = TestClient(mini_api.client.app)
    replay.cookies.set(SESSION_COOKIE, str(session))
    assert replay.get("/v1/reviews").status_code == 401


def test_a_public_route_ignores_the_cookie_without_its_token(mini_api: Api) -> None:
    """Staff logged in and using the public pre-check page: the page sends no token, so
    the cookie is no credential there and the pre-check is a public one (not a 403)."""
    client, token = _logged_in(mini_api)
    public = client.post("/v1/precheck", json=mini_site(10, 10, 60, 60))
    assert public.status_code == 201 and public.json()["caller_role"] == "public"
    staff = client.post(
        "/v1/precheck", json=mini_site(10, 10, 60, 60), headers={"X-CSRF-Token": token}
    )
    assert staff.status_code == 201 and staff.json()["caller_role"] == "staff"


# ---------------------------------------------------------------- the admin role (issue 20)


def _admin_key(api: Api) -> str:
    return api.state.keys.create("pytest admin", "admin", created_by="pytest")[1]


def test_an_admin_is_staff_wherever_staff_may_act(mini_api: Api) -> None:
    admin = {"X-API-Key": _admin_key(mini_api)}
    record = mini_api.client.post("/v1/checks", json=mini_site(10, 10, 60, 60), headers=admin)
    assert record.status_code == 201 and record.json()["caller_role"] == "admin"
    # staff routes: the review queue, any caller's check
    assert mini_api.client.get("/v1/reviews", headers=admin).status_code == 200
    other = mini_api.check(mini_site(10, 10, 60, 60)).json()["id"]  # a permit system's
    assert mini_api.client.get(f"/v1/checks/{other}", headers=admin).status_code == 200
    staff_only = mini_api.client.get(f"/v1/checks/{other}", headers=mini_api.auth("public"))
    assert staff_only.status_code in (403, 404)


def test_admin_routes_refuse_staff(mini_api: Api) -> None:
    app = mini_api.client.app

    @app.get("/_test/admin")  # type: ignore[attr-defined]
    def admin_probe(caller: Caller = Depends(require_role("admin"))) -> dict[str, str]:
        return {"role": caller.role}

    client = mini_api.client
    assert client.get("/_test/admin", headers=mini_api.auth("staff")).status_code == 403
    ok = client.get("/_test/admin", headers={"X-API-Key": _admin_key(mini_api)})
    assert ok.status_code == 200 and ok.json() == {"role": "admin"}


def test_an_admin_logs_in_to_the_staff_pages(mini_api: Api) -> None:
    client = TestClient(mini_api.client.app, base_url="http://testserver")
    r = client.post("/staf/login", data={"key": _admin_key(mini_api)}, follow_redirects=False)
    assert r.status_code == 303
    assert 'name="csrf_token"' in client.get("/staf").text


def test_plan_writes_take_staff_keys_but_only_admin_sessions(mini_api: Api) -> None:
    """The API's plan routes keep accepting a staff key (the operator's automation);
    a person at a browser needs an admin's session to change the active plan."""
    staff_key = mini_api.auth("staff")
    no_earlier = mini_api.client.post("/v1/plans/mini/rollback", headers=staff_key)
    assert no_earlier.status_code == 409  # allowed; there is just nothing to roll back to
    client, token = _logged_in(mini_api)  # a staff session
    refused = client.post("/v1/plans/mini/rollback", headers={"X-CSRF-Token": token})
    assert refused.status_code == 403 and "admin" in refused.json()["message_en"]
