"""Where the app runs a check: on the event loop when alone, in the threadpool when busy."""

from __future__ import annotations

import asyncio
import threading

import anyio
import pytest

from api.deps import run_blocking, run_public
from api.errors import Busy
from tests.api.conftest import Api, mini_site


def test_a_lone_check_runs_on_the_loop_and_a_busy_one_in_the_threadpool(mini_api: Api) -> None:
    state = mini_api.state
    here = threading.get_ident()

    def runs_on(in_flight: int) -> int:
        state.in_flight = in_flight
        try:
            return asyncio.run(run_blocking(state, threading.get_ident))
        finally:
            state.in_flight = 0

    assert runs_on(1) == here
    assert runs_on(2) != here


def test_every_request_is_counted_while_served_and_none_after(mini_api: Api) -> None:
    app = mini_api.client.app

    @app.get("/_test/in-flight")  # type: ignore[attr-defined]
    async def in_flight() -> dict[str, int]:
        return {"in_flight": mini_api.state.in_flight}

    assert mini_api.client.get("/_test/in-flight").json() == {"in_flight": 1}
    r = mini_api.client.post(
        "/v1/checks", json={"site": "not a site", "kbli": "x"}, headers=mini_api.auth("staff")
    )
    assert r.status_code == 422  # errors too leave the count as it was
    assert mini_api.state.in_flight == 0


def test_public_checks_take_their_own_threads_and_a_full_queue_is_busy(mini_api: Api) -> None:
    """Issue 15: fifty anonymous clients within their rate limit took every thread of
    the pool and staff p99 rose 115x. Public checks now run at most
    ``public_check_threads`` at once; beyond ``public_check_queue`` waiting, 503."""
    state = mini_api.state
    state.settings = state.settings.model_copy(
        update={"public_check_threads": 1, "public_check_queue": 1}
    )
    state.public_threads = anyio.CapacityLimiter(1)
    release = threading.Event()
    running: list[int] = []
    most = [0]

    def work() -> str:
        running.append(1)
        most[0] = max(most[0], len(running))
        release.wait(10)
        running.pop()
        return "done"

    async def three() -> list[object]:
        first = asyncio.create_task(run_public(state, work))
        second = asyncio.create_task(run_public(state, work))
        while not running or state.public_threads.statistics().tasks_waiting < 1:
            await asyncio.sleep(0.01)  # one runs, one waits
        with pytest.raises(Busy) as busy:
            await run_public(state, work)  # the queue is full: refused, not started
        assert busy.value.retry_after > 0
        release.set()
        return [await first, await second]

    assert asyncio.run(three()) == ["done", "done"]
    assert most[0] == 1  # never two at once


def test_a_full_public_queue_answers_503_with_retry_after(mini_api: Api) -> None:
    state = mini_api.state
    state.settings = state.settings.model_copy(update={"public_check_queue": 0})
    state.public_threads = anyio.CapacityLimiter(1)
    held = threading.Event()

    async def hold() -> None:
        await state.public_threads.acquire_on_behalf_of(held)

    # the one thread is taken: a pre-check would have to wait, and no wait is allowed
    asyncio.run(hold())
    try:
        r = mini_api.client.post("/v1/precheck", json=mini_site(10, 10, 60, 60))
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"].isdigit()
        assert r.json()["type"].endswith("/busy")
    finally:
        state.public_threads.release_on_behalf_of(held)
