"""Where the app runs a check: on the event loop when alone, in the threadpool when busy."""

from __future__ import annotations

import asyncio
import threading

from api.deps import run_blocking
from tests.api.conftest import Api


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
