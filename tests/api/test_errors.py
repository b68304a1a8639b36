"""Every error is RFC 9457 problem+json with a stable type per kind, in both languages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.errors import PROBLEM_BASE, STATUS, TITLES
from kkpr.db.sql import sql
from tests.api.conftest import Api, make_api, mini_site

FIELDS = {"type", "title", "status", "detail", "instance", "message_id", "message_en"}


def test_every_kind_has_a_title_in_both_languages() -> None:
    for cls, _status in STATUS:
        assert " / " in TITLES[cls.kind], cls


def test_problem_shape(mini_api: Api) -> None:
    r = mini_api.client.post("/v1/checks", json=mini_site(10, 10, 60, 60))
    body = r.json()
    assert set(body) >= FIELDS
    assert body["status"] == r.status_code == 401
    assert body["type"] == PROBLEM_BASE + "unauthenticated"
    assert body["instance"] == "/v1/checks"


def test_types_are_stable_per_kind(mini_api: Api) -> None:
    h = mini_api.auth("staff")
    seen = {
        "unknown-activity": mini_api.check(mini_site(10, 10, 60, 60, kbli="12345")),
        "not-found": mini_api.client.get("/v1/checks/does-not-exist", headers=h),
        "request-invalid": mini_api.client.post("/v1/checks", json={}, headers=h),
        "method-not-allowed": mini_api.client.delete("/v1/checks/x", headers=h),
        "invalid-parameter": mini_api.client.get("/ogc/collections/zones/items?bbox=1,2"),
        "body-unreadable": mini_api.client.post(
            "/v1/checks", content=b"[" * 100_000, headers={**h, "content-type": "application/json"}
        ),
    }
    for kind, r in seen.items():
        assert r.headers["content-type"] == "application/problem+json", kind
        assert r.json()["type"] == PROBLEM_BASE + kind, (kind, r.json())
    assert mini_api.client.get("/nope").json()["type"] == PROBLEM_BASE + "not-found"


def test_cors_is_closed_by_default(mini_api: Api) -> None:
    r = mini_api.client.get("/v1/plans", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    pre = mini_api.client.options(
        "/v1/checks",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in pre.headers


def test_cors_opens_only_to_configured_origins(mini_plan_dir: Path, tmp_path: Path) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", cors_origins=["https://oss.example"])
    ok = api.client.get("/v1/plans", headers={"Origin": "https://oss.example"})
    assert ok.headers["access-control-allow-origin"] == "https://oss.example"
    other = api.client.get("/v1/plans", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


# ---------------------------------------------------------------- issue 15, finding 11


def test_a_405_names_the_methods_allowed(mini_api: Api) -> None:
    r = mini_api.client.put("/v1/checks")
    assert r.status_code == 405 and r.headers["allow"] == "POST"


def test_deep_properties_and_lone_surrogates_are_422_and_store_nothing(mini_api: Api) -> None:
    body = mini_site(10, 10, 60, 60)
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(300):
        inner["a"] = {}
        inner = inner["a"]
    surrogate = json.dumps({**body, "ref": "x"}).replace('"ref": "x"', '"ref": "\\ud800"')
    in_properties = json.dumps(
        {
            **body,
            "site": {"type": "Feature", "properties": {"n": "\ud800"}, "geometry": body["site"]},
        }
    )
    deep_feature = json.dumps(
        {**body, "site": {"type": "Feature", "properties": deep, "geometry": body["site"]}}
    )
    json_headers = {"content-type": "application/json"}
    for raw in (surrogate, in_properties, deep_feature):
        for path, headers in (("/v1/checks", mini_api.auth("permit_system")), ("/v1/precheck", {})):
            r = mini_api.client.post(path, content=raw, headers={**headers, **json_headers})
            assert r.status_code == 422, (path, r.text[:300])
    with mini_api.state.check_log.db.transaction() as tx:
        assert tx.one(sql("SELECT count(*) AS n FROM check_log")) == {"n": 0}


def test_an_unexpected_error_says_the_connection_closes(mini_api: Api) -> None:
    app = mini_api.client.app

    @app.get("/_test/boom")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("a bug")

    r = TestClient(app, raise_server_exceptions=False).get("/_test/boom")
    assert r.status_code == 500 and r.headers["connection"] == "close"
