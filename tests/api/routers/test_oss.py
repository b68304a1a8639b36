"""OSS host to host, a whole PKKPR case through the OSS simulator, against real PostGIS.

The simulator sends ``receiveNIBKKPR`` over HTTP to kkpr served by uvicorn; kkpr's
worker sends the statuses and the decision back to the simulator, which checks each
body against the PIA's shapes. OSS goes down for a day in the middle of the case, kkpr
restarts, staff send the waiting decision again; OSS gets every call once, in order.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import uvicorn
from pyproj import Transformer
from shapely.geometry import mapping, shape
from typer.testing import CliRunner

from kkpr.cli import app as cli
from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.oss.channel import SUBSCRIPTION_ID
from kkpr.oss.fields import oss_time
from kkpr.oss.inbound import OssIdentifiers
from kkpr.oss.simulator import Simulator, application_body, send_application
from kkpr.oss.status import call_for, kd_status_of
from kkpr.pipeline.db import open_database, parse_iso, pipeline_url
from kkpr.pipeline.delivery import Worker
from kkpr.pipeline.outbox import EVENT_TYPES
from tests.api.conftest import Api, make_api
from tests.mini_plan import CRS, site
from tests.pipeline import assess
from tests.pipeline.conftest import Clock, wait_for
from tests.server import free_port
from tests.typed import keys, shape_errors

TOKEN, USER_KEY = "token-dari-oss", "user-key-dari-oss"
TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform


def lonlat(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    moved = shapely.transform(
        shape(site(x0, y0, x1, y1)), lambda xy: np.column_stack(TO_LONLAT(xy[:, 0], xy[:, 1]))
    )
    return dict(mapping(moved))


SESUAI = lonlat(10, 10, 90, 90)  # K-1, minimarket: permitted
# K-1 (restaurant permitted) on a quarter, three quarters outside the RDTR -> staff review
KAJIAN = lonlat(110, 180, 140, 260)
TIDAK = lonlat(260, 10, 290, 90)  # the river buffer forbids it


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    sim = Simulator(USER_KEY).start()
    yield sim
    sim.stop()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` over HTTP on 127.0.0.1 (a thread of this process); its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def memory_api(tmp_path: Path, mini_plan_dir: Path, simulator: Simulator, **over: Any) -> Api:
    values = {"document_secret": "test-document-secret", "public_base_url": "https://kkpr.test",
              "oss_token": TOKEN, "oss_base_url": simulator.url, "oss_user_key": USER_KEY, **over}  # fmt: skip
    return make_api(mini_plan_dir, tmp_path / "var", **values)


@pytest.fixture
def served(
    mini_plan_dir: Path, tmp_path: Path, simulator: Simulator, request: pytest.FixtureRequest
) -> Iterator[tuple[Api, str, Database]]:
    """kkpr on PostGIS, served over HTTP on 127.0.0.1; its pipeline database."""
    store = request.getfixturevalue("postgis_store_for")(mini_plan_dir)
    url = request.getfixturevalue("pg_new_database")()
    api = make_api(
        mini_plan_dir, tmp_path / "var", store=store, database_url=url,
        document_secret="test-document-secret", public_base_url="https://kkpr.test",
        oss_token=TOKEN, oss_base_url=simulator.url, oss_user_key=USER_KEY,
        oss_officer_name="Sistem KKPR Kota Uji",
    )  # fmt: skip
    db = open_database(url)
    with serving(api.client.app) as base:
        yield api, base, db
    db.close()


def oss_deliveries(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as tx:
        return tx.query(
            sql("SELECT * FROM deliveries WHERE subscription_id = {} ORDER BY application_id, seq"),
            (SUBSCRIPTION_ID,),
        )


def expected_calls(api: Api, app_id: str) -> list[tuple[str, str]]:
    """What OSS must get for an application: each of its events that has a kd_status."""
    app = api.client.get(f"/v1/applications/{app_id}", headers=api.auth("staff")).json()
    events = sorted(app["events"], key=lambda e: e["seq"])
    out = []
    for e in events:
        kd = kd_status_of(e)
        if kd is not None:
            out.append((call_for(e, kd), kd))
    return out


def roots(sim: Simulator) -> list[tuple[str, dict[str, Any]]]:
    return [(c.call, c.body.get("IZINSTATUS") or c.body["IZINFINALKKPR"]) for c in sim.received()]


def test_a_whole_pkkpr_case_with_oss_down_for_a_day(
    served: tuple[Api, str, Database], simulator: Simulator
) -> None:
    api, kkpr, db = served
    id_izin = f"I-{uuid.uuid4().hex[:20]}"
    body = application_body(KAJIAN, "56101", id_izin=id_izin, jumlah_lantai=1, luas_lantai=60)

    status, answer = send_application(kkpr, TOKEN, body)
    assert status == 200 and answer["responreceiveNIBKKPR"]["status"] == "1", answer
    again, answer2 = send_application(kkpr, TOKEN, body)  # OSS retries: the same application
    assert again == 200 and "already received" in answer2["responreceiveNIBKKPR"]["keterangan"]
    with db.transaction() as tx:
        link = tx.one(sql("SELECT * FROM oss_applications WHERE id_izin = {}"), (id_izin,))
        apps = tx.query(
            sql("SELECT id FROM applications WHERE external_ref = {}"), (f"oss:{id_izin}",)
        )
    assert link is not None and [a["id"] for a in apps] == [link["application_id"]]
    app_id = link["application_id"]
    app = api.client.get(f"/v1/applications/{app_id}", headers=api.auth("staff")).json()
    assert app["kbli"] == "56101" and app["proposal"]["floors"] == 1
    assert app["proposal"]["floor_area_m2"] == 60 and app["site_crs"] == "EPSG:4326"
    oss = api.client.get(f"/v1/oss/applications/{app_id}", headers=api.auth("staff")).json()
    assert oss["id_izin"] == id_izin and oss["fields"]["nib"] == "9120001234567"
    assert shape_errors(oss, OssIdentifiers) == [] and set(oss) == keys(OssIdentifiers)
    kept = oss["fields"]
    assert (kept["skala_usaha"], kept["status_penanaman_modal"], kept["status_tanah"]) == (
        "01",
        "02",
        "02",
    )
    assert kept["satuan_luas_tanah"] == "01" and float(kept["luas_tanah"]) == pytest.approx(
        2400, rel=0.01
    )
    assert kept["flag_psn"] == "N" and kept["kd_daerah"] == "5371" and kept["alamat_usaha"]

    # the region's assessment (issue 16), each step a status to OSS
    assess.to_decision(
        lambda path, b: api.client.post(path, json=b, headers=api.auth("staff")), app_id
    )
    clock = Clock(datetime.now(UTC))  # the app stamps its events with the real clock
    worker = Worker(db, api.state.settings, clock=clock)
    worker.drain()
    steps = ["09", "10", "20", "32", "32", "33", "45", "45"]
    assert [(call, r["kd_status"]) for call, r in roots(simulator)] == [
        ("receiveLicenseStatus", kd) for kd in steps
    ]
    assert roots(simulator)[1][1]["nip_status"] == assess.OFFICER["nip"]
    assert roots(simulator)[3][1]["data_pnbp"]["kd_billing"] == "820260317001"
    assert all(c.valid for c in simulator.received()), simulator.received()
    first = roots(simulator)[0][1]
    assert (first["nib"], first["id_izin"], first["id_proyek"]) == (
        "9120001234567",
        id_izin,
        f"R-{id_izin}",
    )

    simulator.stop()  # OSS is down; staff decide meanwhile
    case = app["reviews"][0]["id"]
    decided = api.client.post(
        f"/v1/reviews/{case}/decision",
        json={"decision": "approve", "reasons": ["Sesuai RTRW setelah kajian FPR"]},
        headers=api.auth("staff"),
    )
    assert decided.status_code == 200, decided.text
    worker.drain()
    for _hour in range(24):  # a day of retries against a dead OSS
        clock.advance(hours=1)
        worker.drain()
    waiting = api.client.get(
        "/v1/deliveries", params={"subscription": SUBSCRIPTION_ID}, headers=api.auth("staff")
    ).json()
    assert len(waiting) == 1 and waiting[0]["status"] == "pending"
    assert waiting[0]["attempts"] > 3 and "receiveLicenseKKPR" in waiting[0]["last_answer"]
    assert (
        "ConnectionRefused" in waiting[0]["last_answer"] or "URLError" in waiting[0]["last_answer"]
    )
    worker.close()

    simulator.start()  # OSS is back, and kkpr restarted (a new worker, a new connection)
    restarted = Worker(open_database(db.url), api.state.settings, clock=clock)
    assert restarted.drain() == []  # the next attempt is not due yet ...
    again_r = api.client.post(  # ... so staff send it again
        f"/v1/deliveries/{SUBSCRIPTION_ID}/{waiting[0]['event_id']}/send-again",
        headers=api.auth("staff"),
    )
    assert again_r.status_code == 200
    assert [a.result for a in restarted.drain()] == ["delivered"]
    restarted.close()

    calls = roots(simulator)
    assert [(c, r["kd_status"]) for c, r in calls] == [
        *[("receiveLicenseStatus", kd) for kd in steps],
        ("receiveLicenseKKPR", "50"),
    ]
    assert [(c, r["kd_status"]) for c, r in calls] == expected_calls(api, app_id)
    assert all(c.valid for c in simulator.received())
    final = calls[-1][1]
    teknis = final["data_teknis"]
    assert teknis["persetujuan"] == "disetujui seluruhnya" and teknis["jenis_peruntukan"] == "K-1"
    assert teknis["url_peta"].startswith("https://kkpr.test/v1/documents/")
    assert json.loads(teknis["koordinat_batas_bidang"])[0]["serial"] == 1
    events = {e["type"]: e for e in api.client.get(
        f"/v1/applications/{app_id}", headers=api.auth("staff")).json()["events"]}  # fmt: skip
    decided_at = parse_iso(events["stage.completed"]["created_at"])
    assert final["tgl_status"] == oss_time(decided_at, "Asia/Makassar")
    assert final["nama_status"] == "pytest staff"  # the deciding key's name: no NIP given
    assert all(d["status"] == "delivered" for d in oss_deliveries(db))


def test_refusals_in_oss_shape_change_nothing(
    served: tuple[Api, str, Database], simulator: Simulator
) -> None:
    api, kkpr, db = served
    id_izin = f"I-{uuid.uuid4().hex[:20]}"
    body = application_body(TIDAK, "47111", id_izin=id_izin)
    for token in ("salah", ""):
        status, answer = send_application(kkpr, token, body)
        assert status == 401
        assert answer == {
            "responreceiveNIBKKPR": {"status": "2", "keterangan": "User Akses Tidak Valid"}
        }
    broken = json.loads(json.dumps(body))
    broken["dataNIB"]["data_proyek"][0]["data_lokasi_proyek"][0]["data_lokasi_proyek"][2][
        "lat_lng"
    ] = "123.6, -10.1"
    status, answer = send_application(kkpr, TOKEN, broken)
    assert status == 400 and answer["responreceiveNIBKKPR"]["status"] == "2"
    assert "serial 3" in answer["responreceiveNIBKKPR"]["keterangan"]
    with db.transaction() as tx:
        assert tx.query(sql("SELECT 1 FROM oss_applications WHERE id_izin = {}"), (id_izin,)) == []

    assert send_application(kkpr, TOKEN, body)[0] == 200
    with db.transaction() as tx:
        app_id = tx.one(
            sql("SELECT application_id FROM oss_applications WHERE id_izin = {}"), (id_izin,)
        )["application_id"]
    changed = application_body(TIDAK, "47111", id_izin=id_izin, jumlah_lantai=5)
    status, answer = send_application(kkpr, TOKEN, changed)
    assert status == 409 and answer["responreceiveNIBKKPR"]["status"] == "2"
    assert id_izin in answer["responreceiveNIBKKPR"]["keterangan"]
    Worker(db, api.state.settings).drain()
    sent = [(c, r["kd_status"]) for c, r in roots(simulator)]
    assert sent and sent == expected_calls(api, app_id)  # the conflict sent nothing
    assert all(r["id_izin"] == id_izin for _c, r in roots(simulator))
    assert all(c.valid for c in simulator.received())


def test_make_run_sends_to_oss_from_the_api_process_and_the_cli_plays_oss(
    mini_plan_dir: Path, tmp_path: Path, simulator: Simulator
) -> None:
    """``make run`` (KKPR_DELIVERY_IN_APP): no other process; ``kkpr oss send`` sends."""
    api = memory_api(tmp_path, mini_plan_dir, simulator, delivery_in_app=True, worker_poll_s=0.05)
    site = tmp_path / "site.geojson"
    site.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": SESUAI}))
    # the app's lifespan (started by make_api) runs the worker
    with serving(api.client.app) as base:
        out = CliRunner().invoke(
            cli, ["oss", "send", str(site), "--kkpr", base, "--token", TOKEN, "--kbli", "47111",
                  "--id-izin", "I-CLI-1", "--floors", "2", "--floor-area", "150"],
        )  # fmt: skip
        assert out.exit_code == 0 and "HTTP 200" in out.output, out.output
        app_id = out.output.split("permohonan", 1)[1].split('"')[0].strip()
        expected = expected_calls(api, app_id)
        wait_for(lambda: len(simulator.received()) == len(expected), "OSS to get each status")
    assert expected and [(c, r["kd_status"]) for c, r in roots(simulator)] == expected
    assert all(c.valid for c in simulator.received())
    doc = api.client.get("/openapi.json").json()
    assert set(doc["webhooks"]) == set(EVENT_TYPES)
    hook = doc["webhooks"]["review.decided"]["post"]
    headers = {p["name"] for p in hook["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert "HMAC-SHA256" in hook["description"]


def test_a_value_that_does_not_fit_stops_the_call_for_staff_never_cut(
    mini_plan_dir: Path, tmp_path: Path, simulator: Simulator
) -> None:
    api = memory_api(tmp_path, mini_plan_dir, simulator, oss_officer_name="N" * 51)
    # a name over IZINSTATUS.nama_status's 50 characters, whoever the status names
    body = application_body(SESUAI, "47111", id_izin="I-LONG-1", nama_perseroan="PT " + "N" * 57)
    answer = api.client.post("/oss/receiveNIBKKPR", json=body, headers={"Token": TOKEN})
    assert answer.json()["responreceiveNIBKKPR"]["status"] == "1"
    db = open_database(pipeline_url(api.state.settings))
    attempts = Worker(db, api.state.settings).drain()
    assert [a.result for a in attempts] == ["dead"]  # the first holds its application's queue
    assert simulator.received() == []
    failing = api.client.get("/v1/deliveries", headers=api.auth("staff")).json()
    assert [f["status"] for f in failing] == ["dead"]
    assert "nama_status" in failing[0]["last_answer"] and "at most 50" in failing[0]["last_answer"]
    refused = api.client.get("/v1/deliveries", headers=api.auth("permit_system"))
    assert refused.status_code == 403


def test_a_wrong_token_is_logged_without_the_token(
    mini_plan_dir: Path, tmp_path: Path, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    api = memory_api(tmp_path, mini_plan_dir, simulator)
    body = application_body(SESUAI, "47111", id_izin="I-LOG-1")
    with caplog.at_level(logging.WARNING, logger="kkpr.oss"):
        r = api.client.post("/oss/receiveNIBKKPR", json=body, headers={"Token": "bocor-rahasia"})
    assert r.status_code == 401 and r.json()["responreceiveNIBKKPR"]["status"] == "2"
    assert "a wrong Token from" in caplog.text and "bocor-rahasia" not in caplog.text
    unset = memory_api(tmp_path / "unset", mini_plan_dir, simulator, oss_token=None)
    r = unset.client.post("/oss/receiveNIBKKPR", json=body, headers={"Token": ""})
    assert r.status_code == 401  # no KKPR_OSS_TOKEN: nothing is let in
