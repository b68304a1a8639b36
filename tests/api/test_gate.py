"""The outer gate (``api.gate``): a client refused by the public limit and asking again
is answered before the app's layers see its request, its body unread; one that keeps
asking waits for its refusal, up to a cap; the staff are not held up by any of it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from api.errors import RateLimited
from api.gate import RefusedGate
from api.limits import RateLimiter
from kkpr.settings import Settings
from tests.api.conftest import make_api, mini_site

CLIENT = "203.0.113.9"


def precheck_scope(host: str = CLIENT, path: str = "/v1/precheck") -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"4000000")],
        "client": (host, 50000),
        "server": ("127.0.0.1", 8000),
    }


async def unread(message: Any = None) -> Message:
    raise AssertionError("the refused request's body was read")


class Answer:
    """What an ASGI app sent for one request."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            self.body += message.get("body", b"")


def refused_limiter(per_minute: int = 1) -> RateLimiter:
    limiter = RateLimiter(per_minute)
    for _ in range(per_minute):
        limiter.check(CLIENT)
    with pytest.raises(RateLimited):
        limiter.check(CLIENT)  # refused once by the buckets: remembered from now on
    return limiter


async def never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("a refused request reached the app")


def test_a_refused_client_is_answered_by_the_outer_layer_without_its_body_being_read(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    api = make_api(
        mini_plan_dir, tmp_path / "var", public_rate_limit_per_minute=1, public_refusal_delay_s=0
    )
    c = api.client
    assert c.post("/v1/precheck", json=mini_site(10, 10, 60, 60)).status_code == 201
    first = c.post("/v1/precheck", json=mini_site(10, 10, 60, 60))  # refused by the buckets
    assert first.status_code == 429
    app: Any = c.app
    gate = app.middleware_stack
    assert isinstance(gate, RefusedGate)
    gate.app = never_called  # nothing behind the gate may see the next one
    answer = Answer()
    scope = precheck_scope(host="testclient")
    anyio.run(gate, scope, unread, answer.send)
    assert answer.status == 429
    assert answer.headers["content-type"] == "application/problem+json"
    assert 1 <= int(answer.headers["retry-after"]) <= 60
    assert int(answer.headers["content-length"]) == len(answer.body)
    problem = json.loads(answer.body)
    assert problem["type"].endswith("/rate-limited") and problem["status"] == 429
    assert problem["instance"] == "/v1/precheck"
    # the same answer as the app's own 429 (the first refusal), but for the wait left
    assert set(problem) == set(first.json())
    assert "connection" not in answer.headers  # keep-alive: refusals cost no new connection


def test_requests_the_gate_does_not_refuse_go_on_to_the_app() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["path"])
        await Answer().send({"type": "http.response.start", "status": 201, "headers": []})

    gate = RefusedGate(app, lambda: refused_limiter(), Settings(public_refusal_delay_s=0))
    keyed = precheck_scope()
    keyed["headers"] = [*keyed["headers"], (b"x-api-key", b"k")]
    for scope in (
        precheck_scope(host="203.0.113.10"),  # another client
        keyed,  # a key holder is not the anonymous public (its key is checked by the route)
        precheck_scope(path="/v1/checks"),  # not a publicly limited route
    ):
        anyio.run(gate, scope, unread, Answer().send)
    assert seen == ["/v1/precheck", "/v1/precheck", "/v1/checks"]
    answer = Answer()
    anyio.run(gate, precheck_scope(path="/pages/upload"), unread, answer.send)
    assert answer.status == 429  # the upload shares the limit


def test_a_client_that_keeps_asking_waits_and_beyond_the_cap_is_answered_and_closed() -> None:
    limiter = refused_limiter()
    settings = Settings(public_refusal_delay_s=0.2, public_refusals_held_per_client=2)
    gate = RefusedGate(never_called, lambda: limiter, settings)
    order: list[int] = []
    answers = [Answer() for _ in range(3)]

    async def ask(k: int) -> None:
        await gate(precheck_scope(), unread, answers[k].send)
        order.append(k)

    async def flood() -> None:
        async with anyio.create_task_group() as tg:
            for k in range(3):
                tg.start_soon(ask, k)
                await anyio.sleep(0)  # each request arrives in turn
            await anyio.sleep(0)
            assert gate.held == {CLIENT: 2} and gate.held_total == 2

    anyio.run(flood)
    assert order[0] == 2  # the third was not held: answered at once, its connection closed
    assert answers[2].status == 429 and answers[2].headers["connection"] == "close"
    for held in answers[:2]:
        assert held.status == 429 and "connection" not in held.headers
        assert int(held.headers["retry-after"]) >= 1
    assert gate.held == {} and gate.held_total == 0


def test_a_client_whose_wait_ends_while_it_is_held_is_served() -> None:
    limiter = refused_limiter(per_minute=600)  # a token every 0.1 s: the wait is shorter
    served: list[str] = []  # than the delay

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        served.append(scope["client"][0])

    gate = RefusedGate(app, lambda: limiter, Settings(public_refusal_delay_s=5.0))
    anyio.run(gate, precheck_scope(), unread, Answer().send)
    assert served == [CLIENT]


def test_staff_checks_are_answered_while_refusals_are_held(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    """A burst of refused requests waiting out their delay holds no thread and nothing
    the staff need: their checks are answered while every refusal is still held."""
    api = make_api(
        mini_plan_dir,
        tmp_path / "var",
        public_rate_limit_per_minute=1,
        public_refusal_delay_s=30,
    )
    app: Any = api.client.app
    body = mini_site(10, 10, 60, 60)
    staff = api.auth("staff")
    held = 40
    statuses: list[int] = []

    async def run() -> None:
        transport = httpx.ASGITransport(app=app, client=(CLIENT, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://kkpr") as c:
            assert (await c.post("/v1/precheck", json=body)).status_code == 201
            assert (await c.post("/v1/precheck", json=body)).status_code == 429
            gate = app.middleware_stack
            async with anyio.create_task_group() as tg:
                for _ in range(held):
                    tg.start_soon(functools.partial(c.post, "/v1/precheck", content=b"{}"))
                while gate.held_total < held:
                    await anyio.sleep(0.01)
                for _ in range(5):
                    r = await c.post("/v1/checks", json=body, headers=staff)
                    statuses.append(r.status_code)
                    assert gate.held_total == held  # every refusal still waiting
                tg.cancel_scope.cancel()
            assert gate.held_total == 0  # a client that goes away leaves nothing held

    anyio.run(run)
    assert statuses == [201] * 5
