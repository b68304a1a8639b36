"""The in-app delivery worker (api/background.py) lives on the app's own state."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import background
from kkpr.db.database import Database
from kkpr.pipeline import subscriptions
from kkpr.pipeline.db import pipeline_url, utc_now
from kkpr.pipeline.delivery import Claim, Sent, Worker, backlog
from tests.api.conftest import Api, close, make_api, mini_site
from tests.pipeline.conftest import WAIT_S, wait_for


def test_the_in_app_worker_sends_through_the_apps_pipeline_database_not_a_second(
    mini_plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pipeline database per app: the worker and the requests share its connections,
    and the state closes it at shutdown."""
    made: list[Database] = []
    init = Database.__init__

    def counted(self: Database, url: str, **kw: Any) -> None:
        init(self, url, **kw)
        made.append(self)

    monkeypatch.setattr(Database, "__init__", counted)
    api = make_api(mini_plan_dir, tmp_path / "var", register=False, delivery_in_app=True)
    try:
        assert any(t.name == "kkpr-delivery" for t in threading.enumerate())  # it runs
        assert api.client.get("/v1/deliveries", headers=api.auth("staff")).status_code == 200
        url = pipeline_url(api.state.settings)
        assert [db for db in made if db.url == url] == [api.state.pipeline_db()]
    finally:
        close(api)
    assert not any(t.name == "kkpr-delivery" for t in threading.enumerate())


class Held:
    """What the state's databases saw while a worker was held: ``inside`` is set while
    the worker is held (in a send or a claim) until ``release``; ``closed`` lists, for
    each database close, whether a worker was held then."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inside, self.release = threading.Event(), threading.Event()
        self.closed: list[bool] = []
        self.crashed: list[threading.ExceptHookArgs] = []
        self._monkeypatch = monkeypatch
        monkeypatch.setattr(threading, "excepthook", self.crashed.append)

    def hold(self) -> None:
        self.inside.set()
        assert self.release.wait(WAIT_S), "the test never let the worker go on"
        self.inside.clear()

    def watch(self, *dbs: Database) -> None:
        for db in dbs:
            real = db.close

            def close(real: Any = real) -> None:
                self.closed.append(self.inside.is_set())
                real()

            self._monkeypatch.setattr(db, "close", close)


def an_application(api: Api) -> None:
    body = {
        "applicant": "Maria Bere", "business_name": "Toko", "kbli": "47111",
        "site": mini_site(10, 10, 90, 90)["site"], "crs": mini_site(0, 0, 1, 1)["crs"],
        "proposal": {"floor_area_m2": 50, "floors": 1},
    }  # fmt: skip
    r = api.client.post("/v1/applications", json=body, headers=api.auth("permit_system"))
    assert r.status_code == 201, r.text


def test_a_second_server_of_the_app_stopping_closes_nothing_under_the_first_ones_worker(
    mini_plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """test_oss.py's make_run test serves the app the test client had started with
    uvicorn too: two lifespans on one state. The second one's shutdown closed the
    pipeline database under the first one's worker (sqlite3.ProgrammingError: Cannot
    operate on a closed database, in kkpr-delivery). Here the first worker is held in a
    delivery while the second server starts and stops: nothing is closed until the
    last lifespan ends, after its worker has stopped, and the held event is delivered."""
    held = Held(monkeypatch)

    def held_send(self: Worker, claim: Claim) -> Sent:
        if not held.release.is_set():
            held.hold()
        return Sent(200, True, None)

    monkeypatch.setattr(Worker, "send", held_send)
    api = make_api(mini_plan_dir, tmp_path / "var", register=False, delivery_in_app=True,
                   worker_poll_s=0.05, document_secret="test-document-secret")  # fmt: skip
    try:
        db = api.state.pipeline_db()
        held.watch(db, *api.state.databases())
        subscriptions.create(db, "https://receiver.test/hook", utc_now(), secret="s")
        an_application(api)
        assert held.inside.wait(WAIT_S), "the worker never sent"
        with TestClient(api.client.app):  # a second server of the same app (uvicorn)
            pass
        assert held.closed == []  # was [True, True, True]: every database, the worker held
    finally:
        held.release.set()
        wait_for(lambda: set(backlog(api.state.pipeline_db())) == {"delivered"}, "delivered")
        close(api)
    assert held.closed == [False, False, False]
    assert held.crashed == []
    assert api.state.senders == []


def test_a_worker_that_does_not_stop_in_time_keeps_the_pipeline_database_open(
    mini_plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker still running when the lifespan stops waiting (JOIN_S; here none at all)
    keeps the database it sends through: the app's other connections are closed, the
    pipeline's stays open until the worker has stopped (was: closed under it)."""
    held = Held(monkeypatch)
    real_claim = Worker.claim

    def held_claim(self: Worker, limit: int) -> list[Claim]:
        if not held.release.is_set():
            held.hold()
        return real_claim(self, limit)

    monkeypatch.setattr(Worker, "claim", held_claim)
    monkeypatch.setattr(background, "JOIN_S", 0.0)
    api = make_api(mini_plan_dir, tmp_path / "var", register=False, delivery_in_app=True)
    db = api.state.pipeline_db()
    held.watch(db)
    assert held.inside.wait(WAIT_S), "the worker never claimed"
    (thread,) = [t for t in threading.enumerate() if t.name == "kkpr-delivery"]
    try:
        close(api)  # the worker is held in its claim
        assert held.closed == []  # was [True]
        assert thread.is_alive()
    finally:
        held.release.set()
    thread.join()  # it claims, finds nothing due and stops
    assert backlog(db) == {}  # its database still answers
    assert held.crashed == []
    db.close()
