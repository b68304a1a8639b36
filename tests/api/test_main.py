"""The app around the routers: what it compresses, which settings it refuses."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from api.main import GZIP_MINIMUM_BYTES, create_app
from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.errors import InvalidInput
from kkpr.records.checks import CheckLog, open_records
from kkpr.records.keys import KeyStore
from kkpr.settings import Settings
from kkpr.store.postgis import PostgisStore
from tests.api.conftest import Api, make_api, mini_site
from tests.fixtures_postgis import PgServer
from tests.server import Server


def test_large_answers_are_compressed_and_check_records_are_not(
    kupang_api: Api, kupang_dir: Path
) -> None:
    gzip = {"Accept-Encoding": "gzip"}
    zones = kupang_api.client.get("/ogc/collections/zones/items?limit=1000", headers=gzip)
    assert zones.status_code == 200
    assert zones.headers["content-encoding"] == "gzip"
    assert len(zones.content) > GZIP_MINIMUM_BYTES  # httpx gives the body uncompressed

    feature = json.loads((kupang_dir / "examples" / "k1_minimarket.geojson").read_text())
    record = kupang_api.client.post(
        "/v1/checks",
        json={"site": feature, "kbli": "47111"},
        headers={**kupang_api.auth("permit_system"), **gzip},
    )
    assert record.status_code == 201, record.text
    assert "content-encoding" not in record.headers  # one first flight either way
    assert len(record.content) < GZIP_MINIMUM_BYTES


def test_the_built_in_document_key_serves_trials_only(mini_plan_dir: Path, tmp_path: Path) -> None:
    def app(**settings: str) -> object:
        return create_app(Settings(plan_dir=mini_plan_dir, data_dir=tmp_path, **settings))

    with pytest.raises(InvalidInput) as refused:
        app(public_base_url="https://kkpr.kupangkota.go.id")
    assert refused.value.where == "KKPR_DOCUMENT_SECRET"
    assert "forge" in refused.value.message_en and "memalsukan" in refused.value.message_id
    assert app(public_base_url="https://kkpr.kupangkota.go.id", document_secret="x" * 64)
    for trial in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        assert app(public_base_url=trial)  # make run, a trial on this machine


def test_a_database_restart_under_traffic_costs_seconds_not_the_process(
    mini_plan_dir: Path, live_server: Callable[..., Server]
) -> None:
    """Issue 15, finding 2: after a PostgreSQL restart every route answered 500 for
    good (one connection per thread, never replaced) while /healthz said ok. Now the
    requests in flight during the outage answer 503, the service answers again within
    seconds of the database's return, with the same process, and every check it
    answered is in the log. The traffic takes every path to the database: the public
    pre-check, authenticated checks (keys, idempotency, log) and the plan store alone
    (OGC features): the store's connections are the pool's too (issue 15, item 3)."""
    pg = PgServer()  # a cluster of its own: restarting the session's would disturb others
    try:
        url = pg.new_database("restart")
        PostgisStore(url, max_vertices=None).load(mini_plan_dir, loaded_by="pytest")
        records = open_records(url)
        key = KeyStore(records).create("pytest", "permit_system", created_by="pytest")[1]
        records.close()
        server = live_server(mini_plan_dir, database_url=url, public_rate_limit_per_minute="100000")
        body = mini_site(10, 10, 60, 60)
        answers: list[tuple[float, int, str | None]] = []  # (when, status, check id)
        reads: list[tuple[float, int]] = []  # the store alone: zones as OGC features
        stop = threading.Event()

        def traffic(path: str, headers: dict[str, str]) -> None:
            with httpx.Client(base_url=server.url, timeout=30, headers=headers) as client:
                while not stop.is_set():
                    r = client.post(path, json=body)
                    cid = r.json().get("id") if r.status_code == 201 else None
                    answers.append((time.monotonic(), r.status_code, cid))

        def features() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                while not stop.is_set():
                    r = client.get("/ogc/collections/zones/items", params={"limit": 5})
                    reads.append((time.monotonic(), r.status_code))

        clients = [
            threading.Thread(target=traffic, args=("/v1/precheck", {})),
            threading.Thread(target=traffic, args=("/v1/precheck", {})),
            threading.Thread(target=traffic, args=("/v1/checks", {"X-API-Key": key})),
            threading.Thread(target=traffic, args=("/v1/checks", {"X-API-Key": key})),
            threading.Thread(target=features),
        ]
        for t in clients:
            t.start()
        try:
            while sum(a[1] == 201 for a in answers) < 20:
                time.sleep(0.05)
            went_down = time.monotonic()
            pg.restart(down_s=1.0)
            back = time.monotonic()
            health = httpx.get(f"{server.url}/healthz", timeout=30)
            deadline = back + 15
            while time.monotonic() < deadline:
                if any(when > back + 0.5 and status == 201 for when, status, _ in answers):
                    break
                time.sleep(0.1)
            time.sleep(1.0)
        finally:
            stop.set()
            for t in clients:
                t.join()
        assert server.process.poll() is None  # the same process, never restarted
        statuses = {status for _, status, _ in answers}
        assert statuses <= {201, 503}, statuses  # an outage is 503, never 500
        assert health.status_code == 200  # liveness stays up
        first_after = min(when for when, status, _ in answers if when > back and status == 201)
        assert first_after - back < 10, f"answering again {first_after - back:.1f} s after"
        assert {status for _, status in reads} <= {200, 503}
        read_again = min(when for when, status in reads if when > back and status == 200)
        assert read_again - back < 10, f"the store read again {read_again - back:.1f} s after"
        assert went_down < back
        ready = httpx.get(f"{server.url}/readyz", timeout=30)
        assert ready.status_code == 200
        assert ready.json()["databases"] == {"records": "ok", "store": "ok"}
        answered = {cid for _, status, cid in answers if status == 201}
        with Database(url).transaction() as tx:
            logged = {r["id"] for r in tx.query(sql("SELECT id FROM check_log"))}
        assert answered <= logged and len(answered) > 20
    finally:
        pg.stop()


def test_readiness_answers_503_and_liveness_200_while_the_database_is_down(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    pg = PgServer()
    try:
        url = pg.new_database("ready")
        store = PostgisStore(url, max_vertices=None, stamp_ttl_s=0)
        store.load(mini_plan_dir, loaded_by="pytest")
        api = make_api(mini_plan_dir, tmp_path, store=store, database_url=url)
        assert api.client.get("/readyz").json()["status"] == "ready"
        pg.restart(down_s=0.0, mode="immediate")  # the old connections are all dead
        assert api.client.get("/readyz").status_code == 200  # reconnected, no restart
        pg.down()
        live = api.client.get("/healthz")
        ready = api.client.get("/readyz")
        assert live.status_code == 200 and live.json()["status"] == "degraded"
        assert ready.status_code == 503
        assert ready.json()["databases"] == {"records": "unavailable", "store": "unavailable"}
    finally:
        pg.stop()


def test_a_killed_api_loses_nothing(
    mini_plan_dir: Path, live_server: Callable[..., Server], tmp_path: Path
) -> None:
    """Issue 15, item 3: the API process is killed (SIGKILL, no shutdown) under
    traffic of checks, pre-checks and applications, in the embedded default (SQLite
    records and pipeline). A new process on the same data finds every check that was
    answered in the log, its hash intact, and every application that was accepted,
    with its check."""
    data = tmp_path / "server-var"  # live_server's data directory
    records = open_records(f"sqlite:///{data / 'records.db'}")
    key = KeyStore(records).create("pytest", "permit_system", created_by="pytest")[1]
    records.close()
    server = live_server(mini_plan_dir, public_rate_limit_per_minute="100000")
    auth = {"X-API-Key": key}
    application = {
        "applicant": "Maria Bere",
        "business_name": "Toko Sejahtera",
        **mini_site(10, 10, 90, 90),
        "proposal": {"floor_area_m2": 50, "floors": 1},
    }
    checks: list[str] = []
    applications: list[str] = []
    stop = threading.Event()

    def traffic(
        path: str, body: dict[str, object], headers: dict[str, str], into: list[str]
    ) -> None:
        with httpx.Client(base_url=server.url, timeout=30, headers=headers) as client:
            while not stop.is_set():
                try:
                    r = client.post(path, json=body)
                except httpx.HTTPError:
                    return  # the process is gone
                if r.status_code == 201:
                    into.append(r.json()["id"])

    clients = [
        threading.Thread(target=traffic, args=("/v1/checks", mini_site(10, 10, 60, 60), auth, checks)),
        threading.Thread(target=traffic, args=("/v1/precheck", mini_site(10, 10, 60, 60), {}, checks)),
        threading.Thread(target=traffic, args=("/v1/applications", application, auth, applications)),
        threading.Thread(target=traffic, args=("/v1/applications", application, auth, applications)),
    ]  # fmt: skip
    for t in clients:
        t.start()
    try:
        deadline = time.monotonic() + 120
        while (len(checks) < 30 or len(applications) < 10) and time.monotonic() < deadline:
            time.sleep(0.05)
        server.process.kill()  # SIGKILL: no lifespan shutdown, no flush, mid-request
        server.process.wait()
    finally:
        stop.set()
        for t in clients:
            t.join()
    assert len(checks) >= 30 and len(applications) >= 10
    again = live_server(mini_plan_dir)  # the same data directory, a new process
    with httpx.Client(base_url=again.url, timeout=30, headers=auth) as client:
        for app_id in applications:
            got = client.get(f"/v1/applications/{app_id}")
            assert got.status_code == 200, (app_id, got.text)
            checks.append(got.json()["check_id"])  # its check, logged before it was accepted
    log = CheckLog(open_records(f"sqlite:///{data / 'records.db'}"))
    try:
        assert all(log.get(cid).verify() for cid in checks)  # NotFound if one were lost
    finally:
        log.db.close()


def open_files_under(folder: Path) -> list[str]:
    """The files under ``folder`` this process holds open (Linux: /proc/self/fd)."""
    out = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink()
        except OSError:  # closed while listed
            continue
        if target.is_relative_to(folder):
            out.append(str(target))
    return sorted(out)


def test_a_shut_down_app_holds_no_database_file_open(mini_plan_dir: Path, tmp_path: Path) -> None:
    """The lifespan's shutdown closes every connection the app opened, on every thread:
    the records, the rate buckets and the pipeline (SQLite files under the data dir)."""
    from tests.api.conftest import close

    data = tmp_path / "var"
    api = make_api(mini_plan_dir, data, register=False, document_secret="test-document-secret")
    assert api.check(mini_site(10, 10, 90, 90)).status_code == 201
    assert api.client.post("/v1/precheck", json=mini_site(10, 10, 90, 90)).status_code == 201
    body = {
        "applicant": "Maria Bere", "business_name": "Toko", "kbli": "47111",
        "site": mini_site(10, 10, 90, 90)["site"], "crs": mini_site(0, 0, 1, 1)["crs"],
        "proposal": {"floor_area_m2": 50, "floors": 1},
    }  # fmt: skip
    r = api.client.post("/v1/applications", json=body, headers=api.auth("permit_system"))
    assert r.status_code == 201, r.text
    held = {Path(f).name for f in open_files_under(data)}
    assert {"records.db", "rate_buckets.db", "pipeline.db"} <= held  # what it opened
    close(api)
    assert open_files_under(data) == []
