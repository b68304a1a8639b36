"""OSS host to host, a whole PKKPR case through the OSS simulator, against real PostGIS.

The simulator sends ``receiveNIBKKPR`` over HTTP to kkpr served by uvicorn; kkpr's
worker sends the statuses and the decision back to the simulator, which checks each
body against the PIA's shapes. OSS goes down for a day in the middle of the case, kkpr
restarts, staff send the waiting decision again; OSS gets every call once, in order.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from pyproj import Transformer
from shapely.geometry import mapping, shape
from shapely.ops import transform

from kkpr.oss.channel import SUBSCRIPTION_ID
from kkpr.oss.fields import oss_time
from kkpr.oss.simulator import Simulator, application_body, send_application
from kkpr.pipeline.db import open_database, parse_iso
from kkpr.pipeline.delivery import Worker
from kkpr.records.db import Database
from tests.api.conftest import Api, make_api
from tests.fixtures_postgis import _free_port
from tests.mini_plan import CRS, site
from tests.pipeline.conftest import Clock

TOKEN, USER_KEY = "token-dari-oss", "user-key-dari-oss"
TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform


def lonlat(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return dict(mapping(transform(TO_LONLAT, shape(site(x0, y0, x1, y1)))))


KAJIAN = lonlat(210, 10, 240, 90)  # RTH-2, restaurant: the matrix is silent -> staff review
TIDAK = lonlat(260, 10, 290, 90)  # the river buffer forbids it


@pytest.fixture
def simulator() -> Iterator[Simulator]:
    sim = Simulator(USER_KEY).start()
    yield sim
    sim.stop()


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
    server = uvicorn.Server(
        uvicorn.Config(api.client.app, host="127.0.0.1", port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    db = open_database(url)
    yield api, f"http://127.0.0.1:{server.config.port}", db
    server.should_exit = True
    thread.join(timeout=30)
    db.close()


def oss_deliveries(db: Database) -> list[dict[str, Any]]:
    with db.transaction() as tx:
        return tx.query(
            "SELECT * FROM deliveries WHERE subscription_id = ? ORDER BY application_id, seq",
            (SUBSCRIPTION_ID,),
        )


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
        link = tx.one("SELECT * FROM oss_applications WHERE id_izin = ?", (id_izin,))
        apps = tx.query("SELECT id FROM applications WHERE external_ref = ?", (f"oss:{id_izin}",))
    assert link is not None and [a["id"] for a in apps] == [link["application_id"]]
    app_id = link["application_id"]
    app = api.client.get(f"/v1/applications/{app_id}", headers=api.auth("staff")).json()
    assert app["kbli"] == "56101" and app["proposal"]["floors"] == 1
    assert app["proposal"]["floor_area_m2"] == 60 and app["site_crs"] == "EPSG:4326"

    clock = Clock(datetime.now(UTC))  # the app stamps its events with the real clock
    worker = Worker(db, api.state.settings, clock=clock)
    worker.drain()
    assert [(call, r["kd_status"]) for call, r in roots(simulator)] == [
        ("receiveLicenseStatus", "10"),
        ("receiveLicenseStatus", "20"),
    ]
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
        ("receiveLicenseStatus", "10"),
        ("receiveLicenseStatus", "20"),
        ("receiveLicenseKKPR", "50"),
    ]
    assert all(c.valid for c in simulator.received())
    final = calls[-1][1]
    teknis = final["data_teknis"]
    assert teknis["persetujuan"] == "disetujui seluruhnya" and teknis["jenis_peruntukan"] == "RTH-2"
    assert teknis["url_peta"].startswith("https://kkpr.test/v1/documents/")
    assert json.loads(teknis["koordinat_batas_bidang"])[0]["serial"] == 1
    events = {e["type"]: e for e in api.client.get(
        f"/v1/applications/{app_id}", headers=api.auth("staff")).json()["events"]}  # fmt: skip
    decided_at = parse_iso(events["stage.completed"]["created_at"])
    assert final["tgl_status"] == oss_time(decided_at, "Asia/Makassar")
    assert final["nama_status"] == "Sistem KKPR Kota Uji"  # no officer NIP in this event
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
        assert tx.query("SELECT 1 FROM oss_applications WHERE id_izin = ?", (id_izin,)) == []

    assert send_application(kkpr, TOKEN, body)[0] == 200  # rejected by the plan: a final 90
    changed = application_body(TIDAK, "47111", id_izin=id_izin, jumlah_lantai=5)
    status, answer = send_application(kkpr, TOKEN, changed)
    assert status == 409 and answer["responreceiveNIBKKPR"]["status"] == "2"
    assert id_izin in answer["responreceiveNIBKKPR"]["keterangan"]
    Worker(db, api.state.settings).drain()
    assert [(c, r["kd_status"]) for c, r in roots(simulator)] == [
        ("receiveLicenseStatus", "10"),
        ("receiveLicenseKKPR", "90"),
    ]
    final = roots(simulator)[-1][1]
    assert final["data_teknis"]["persetujuan"] == "ditolak seluruhnya"
    assert all(c.valid for c in simulator.received())
