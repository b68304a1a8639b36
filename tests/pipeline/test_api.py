"""The pipeline through the HTTP API: roles, applications, stage reports, subscriptions,
the review queue, document verification and rendering; and the whole story a new user
would try: subscribe, stop the receiver, decide, restart it, count the events.

Parametrised over the memory store (pipeline in SQLite) and PostGIS (pipeline in the
same PostgreSQL database).
"""

from __future__ import annotations

import copy
import io
import signal
from pathlib import Path
from typing import Any

import pypdf
import pytest

from kkpr.pipeline.db import open_database, pipeline_url
from kkpr.pipeline.delivery import backlog
from tests.api.conftest import Api, make_api
from tests.mini_plan import CRS, site
from tests.pipeline import assess
from tests.pipeline.conftest import Receiver, fast_settings, wait_for, worker_process

SETTINGS: dict[str, Any] = {
    "document_secret": "test-document-secret",
    "public_base_url": "https://kkpr.test",
    "webhook_backoff_base_s": 0.05,
    "webhook_backoff_max_s": 0.4,
    "webhook_allow_private_targets": True,  # the receivers listen on 127.0.0.1
}


def body(x0: float, x1: float, kbli: str = "47111", **kw: Any) -> dict[str, Any]:
    return {
        "applicant": "Maria Bere",
        "business_name": "Toko Sejahtera",
        "kbli": kbli,
        "site": site(x0, 10, x1, 90),
        "crs": CRS,
        "proposal": {"floor_area_m2": 50, "floors": 1},
        **kw,
    }


SESUAI, TIDAK, KAJIAN = body(10, 90), body(210, 290), body(-20, 60, kbli="56101")
BERSYARAT = body(110, 190, proposal={"floor_area_m2": 150, "floors": 2})


@pytest.fixture
def api(
    store_kind: str, mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Api:
    if store_kind == "memory":
        return make_api(mini_plan_dir, tmp_path / "var", **SETTINGS)
    store = request.getfixturevalue("postgis_store_for")(mini_plan_dir)
    return make_api(
        mini_plan_dir, tmp_path / "var", store=store, database_url=store.url, **SETTINGS
    )


def walk(api: Api, app_id: str) -> dict[str, Any]:
    """Through the API, the PKKPR steps up to the decision."""
    return dict(assess.to_decision(poster(api), app_id).json())


def poster(api: Api) -> assess.Post:
    return lambda path, body: api.client.post(path, json=body, headers=api.auth("staff"))


def decide(api: Api, app_id: str, **decision: Any) -> dict[str, Any]:
    return dict(assess.decided(poster(api), app_id, **decision).json())


def submit(api: Api, payload: dict[str, Any], role: str = "permit_system") -> dict[str, Any]:
    r = api.client.post("/v1/applications", json=payload, headers=api.auth(role))
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_only_writers_submit(api: Api) -> None:
    assert api.client.post("/v1/applications", json=SESUAI).status_code == 401
    r = api.client.post("/v1/applications", json=SESUAI, headers=api.auth("public"))
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")


def test_submit_read_and_resubmit(api: Api) -> None:
    ref = {"external_ref": "OSS-2026-000123"}
    r = api.client.post("/v1/applications", json=SESUAI | ref, headers=api.auth("permit_system"))
    assert r.status_code == 201
    app = r.json()
    assert r.headers["location"] == f"/v1/applications/{app['id']}"
    # the mini plan is not integrated in OSS: a PKKPR, whatever the check says
    assert (app["outcome"], app["path"], app["current_stage"]) == ("sesuai", "PKKPR", "KKPR")
    assert len(app["access_code"]) == 19  # shown once
    again = api.client.post("/v1/applications", json=SESUAI | ref, headers=api.auth("staff"))
    assert again.status_code == 200 and again.json()["id"] == app["id"]
    assert "access_code" not in again.json()
    got = api.client.get(f"/v1/applications/{app['id']}", headers=api.auth("staff")).json()
    assert [e["type"] for e in got["events"]] == ["application.submitted", "kkpr.status"]
    seen = api.client.get(f"/v1/tracking/{app['number']}", params={"code": app["access_code"]})
    assert seen.status_code == 200 and seen.json()["state"]["kd_status"] == "09"
    wrong = api.client.get(f"/v1/tracking/{app['number']}", params={"code": "AAAA-BBBB"})
    assert wrong.status_code == 404
    assert api.client.get("/v1/applications/nope", headers=api.auth("staff")).status_code == 404


def test_bad_submissions_are_problems(api: Api) -> None:
    r = api.client.post(
        "/v1/applications", json=body(10, 90, kbli="99999"), headers=api.auth("staff")
    )
    assert r.status_code == 422 and r.json()["kind"] == "unknown-activity"
    far = body(10, 90) | {"site": site(90_000, 10, 90_080, 90)}
    r = api.client.post("/v1/applications", json=far, headers=api.auth("staff"))
    assert r.status_code == 422 and r.json()["kind"] == "site-outside-plan"
    no_floors = body(10, 90) | {"proposal": {"floor_area_m2": 50}}
    r = api.client.post("/v1/applications", json=no_floors, headers=api.auth("staff"))
    assert r.status_code == 422 and r.json()["where"] == "proposal.floors"
    assert "jumlah lantai" in r.json()["message_id"]


def integrate(api: Api, value: bool) -> None:
    version = api.state.store.rules("mini").meta.version
    r = api.client.put(
        f"/v1/plans/mini/versions/{version}/oss-integration",
        json={"rdtr_integrated": value, "reason": "RDTR mini terintegrasi / uji"},
        headers=api.auth("staff"),
    )
    assert r.status_code == 200 and r.json()["integrated"] is value


def test_stage_reports(api: Api) -> None:
    integrate(api, True)
    try:
        app = submit(api, SESUAI)
    finally:  # the PostGIS variant keeps one pipeline database for every test
        integrate(api, False)
    assert (app["path"], app["document"]) == ("KKKPR", None)
    url = f"/v1/applications/{app['id']}/stages"
    auth = api.auth("permit_system")
    r = api.client.post(f"{url}/PBG", json={"status": "completed"}, headers=auth)
    assert r.status_code == 409 and r.json()["kind"] == "conflict"
    assert "Stages run in order" in r.json()["hint_en"]
    r = api.client.post(f"{url}/KKPR", json={"status": "completed"}, headers=auth)
    assert r.status_code == 409
    assert (
        api.client.post(f"{url}/IMB", json={"status": "completed"}, headers=auth).status_code == 422
    )
    r = api.client.post(
        f"{url}/PERSETUJUAN_LINGKUNGAN", json={"status": "completed", "note": "PL-001"},
        headers=auth,
    )  # fmt: skip
    assert r.status_code == 200
    assert r.json()["current_stage"] == "PBG"
    assert r.json()["history"][-1]["note"] == "PL-001"


def test_subscriptions(api: Api) -> None:
    auth = api.auth("permit_system")
    r = api.client.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/hook"}, headers=auth)
    assert r.status_code == 201
    sub = r.json()
    assert len(sub["secret"]) >= 32 and sub["events"] == ["*"]
    listed = api.client.get("/v1/subscriptions", headers=auth).json()
    assert [s["id"] for s in listed] == [sub["id"]] and "secret" not in listed[0]
    bad = api.client.post("/v1/subscriptions", json={"url": "ftp://x/y"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["kind"] == "subscription-invalid"
    odd = {"url": "http://127.0.0.1:9/h", "events": ["permit.*"]}
    assert api.client.post("/v1/subscriptions", json=odd, headers=auth).status_code == 422
    assert api.client.delete(f"/v1/subscriptions/{sub['id']}", headers=auth).status_code == 204
    assert api.client.delete(f"/v1/subscriptions/{sub['id']}", headers=auth).status_code == 404
    assert api.client.get("/v1/subscriptions", headers=auth).json() == []
    assert api.client.get("/v1/subscriptions", headers=api.auth("public")).status_code == 403


def test_the_review_queue(api: Api) -> None:
    app = submit(api, KAJIAN)
    assert api.client.get("/v1/reviews", headers=api.auth("permit_system")).status_code == 403
    staff = api.auth("staff")
    [case] = [c for c in api.client.get("/v1/reviews", headers=staff).json()
              if c["id"] == app["id"]]  # fmt: skip
    assert case["application_id"] == app["id"] and case["kind"] == "pkkpr"
    assert case["site"]["type"] == "Polygon"  # in longitude, latitude for the staff map
    assert all(123 < lon < 124 and -11 < lat < -10 for lon, lat in case["site"]["coordinates"][0])
    assert api.client.get("/v1/reviews?view=overdue", headers=staff).json() == []
    assert api.client.get("/v1/reviews?view=later", headers=staff).status_code == 422
    url = f"/v1/reviews/{case['id']}/decision"
    decision = {"decision": "approve", "reasons": ["Sesuai fungsi taman"]}
    early = api.client.post(url, json=decision, headers=staff)  # before the Pertek and FPR
    assert early.status_code == 409 and "lengkap" in early.json()["hint_en"]
    assert early.json()["message_id"] and early.json()["message_en"]
    walk(api, app["id"])
    outside = decision | {"decision": "approve_in_part", "approved_site": site(250, 10, 300, 90),
                          "approved_crs": CRS}  # fmt: skip
    r = api.client.post(url, json=outside, headers=staff)
    assert r.status_code == 422 and r.json()["kind"] == "partial-approval-invalid"
    r = api.client.post(url, json=decision, headers=staff)
    assert r.status_code == 200
    decided = r.json()
    assert decided["reviews"][0]["reviewer"].startswith("key:")
    assert decided["document"]["number"].startswith("PENILAIAN-KKPR/00.00/")
    assert api.client.post(url, json=decision, headers=staff).status_code == 409
    assert (
        api.client.post(url, json={"decision": "approve", "reasons": []}, headers=staff).status_code
        == 422
    )
    [done] = [c for c in api.client.get("/v1/reviews?view=decided", headers=staff).json()
              if c["id"] == app["id"]]  # fmt: skip
    assert done["on_time"] is True
    assert done["reviewer"] == decided["reviews"][0]["reviewer"]
    assert done["reviewer_name"] == "pytest staff"  # the key's name, for people to read


def test_documents_verify_render_and_refuse(api: Api) -> None:
    app = decide(api, submit(api, BERSYARAT)["id"])
    number, code = app["document"]["number"], app["document"]["code"]
    c = api.client
    valid = c.get(f"/v1/documents/{number}", params={"code": code}).json()
    assert valid["status"] == "valid"
    assert valid["document"]["zones"][0]["kodszn"] == "R-2"
    changed = c.get(f"/v1/documents/{number}", params={"code": "AAAA-BBBB-CCCC-DDDD"})
    assert changed.status_code == 200 and changed.json()["status"] == "changed"
    assert "document" not in changed.json()  # the public sees content only with the code
    assert valid["decision_status"] == "berlaku"
    unknown = c.get("/v1/documents/PENILAIAN-KKPR/00.00/2026/999999", params={"code": code})
    assert unknown.status_code == 404 and unknown.json()["status"] == "unknown"
    # a copy whose zone was edited
    forged = copy.deepcopy(valid["document"])
    forged["zones"][0]["kodszn"] = "K-1"
    r = c.post(f"/v1/documents/{number}/verify", json={"content": forged})
    assert r.json()["status"] == "changed"
    # which fields differ is for staff: told to anyone, it would be an oracle that reads
    # the document a guessed field at a time (issue 15, finding 8)
    assert "differences" not in r.json() and "document" not in r.json()
    staff = {"X-API-Key": api.keys["staff"]}
    r = c.post(f"/v1/documents/{number}/verify", json={"content": forged}, headers=staff)
    assert r.json()["status"] == "changed" and r.json()["differences"] == ["zones"]
    r = c.post(f"/v1/documents/{number}/verify", json={"content": valid["document"]})
    assert r.json()["status"] == "valid"
    for text in ("{", '{"number": ', "{" * 60):  # not a code, not a document
        bad = c.get(f"/v1/documents/{number}", params={"code": text})
        assert bad.status_code == 422 and bad.json()["where"] == "code", text

    pdf = c.get(f"/v1/documents/{number}.pdf", params={"code": code})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert number in text and "R-2 Rumah kepadatan tinggi" in text
    assert c.get(f"/v1/documents/{number}.pdf").status_code == 404  # public, no code
    assert c.get(f"/v1/documents/{number}.pdf", headers=api.auth("staff")).status_code == 200

    page = c.get(f"/v1/documents/{number}.html", params={"code": code})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert number in page.text and "R-2 Rumah kepadatan tinggi" in page.text
    assert page.text.count("data:image/png;base64,") == 2  # map and QR, nothing fetched
    scanned = c.get(
        f"/v1/documents/{number}", params={"code": code}, headers={"Accept": "text/html"}
    )
    assert 'data-status="valid"' in scanned.text


def test_receiver_down_decisions_made_receiver_back(
    api: Api, tmp_path: Path, receiver: Receiver
) -> None:
    """What a new user would try, end to end, through the API and a real worker."""
    auth, staff = api.auth("permit_system"), api.auth("staff")
    sub = {"url": receiver.url, "secret": receiver.secret}
    made = api.client.post("/v1/subscriptions", json=sub, headers=auth)
    assert made.status_code == 201
    # this subscription's deliveries: on PostGIS the pipeline's tables are shared with
    # earlier tests, whose OSS deliveries may still be pending (no OSS is configured)
    sub_id = made.json()["id"]
    url = pipeline_url(api.state.settings)
    settings = fast_settings(tmp_path, webhook_lease_s=6.0)
    worker = worker_process(url, settings, tmp_path / "worker.log")
    try:
        first = submit(api, SESUAI)
        wait_for(lambda: len(receiver.applied()) == 2, "the first events")
        receiver.stop()
        cases = [submit(api, KAJIAN), submit(api, KAJIAN)]
        submit(api, TIDAK)
        for app in cases:
            decide(api, app["id"])  # 7 steps, then kkpr.status, kkpr.final, stage.completed
        r = api.client.post(f"/v1/applications/{first['id']}/steps/lengkap", json={}, headers=staff)
        assert r.status_code == 200
        receiver.start()
        expected = 2 + 2 * (2 + 7 + 3) + 2 + 1
        db = open_database(url)
        wait_for(
            lambda: backlog(db, sub_id) == {"delivered": expected}, "every event, after the outage"
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    applied = receiver.applied()
    assert len(applied) == len({a[0] for a in applied}) == expected
    per_app: dict[str, list[int]] = {}
    for _id, app_id, seq, _type in applied:
        per_app.setdefault(app_id, []).append(int(seq))
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in per_app.values())


def test_a_permit_system_key_uses_only_what_it_created(api: Api) -> None:
    """Issue 15, finding 9: one permit-system key read another's checks and
    applications (with document codes), deleted its subscriptions and rejected its
    stages. Another key's record is now a 404, as if it did not exist; staff see all."""
    _key, other = api.state.keys.create("another system", "permit_system", created_by="pytest")
    theirs = {"X-API-Key": other}
    mine = api.auth("permit_system")
    staff = api.auth("staff")
    c = api.client

    check = c.post("/v1/checks", json={"site": site(10, 10, 60, 60), "crs": CRS, "kbli": "47111"},
                   headers=mine).json()  # fmt: skip
    assert c.get(f"/v1/checks/{check['id']}", headers=mine).status_code == 200
    assert c.get(f"/v1/checks/{check['id']}", headers=staff).status_code == 200
    assert c.get(f"/v1/checks/{check['id']}", headers=theirs).status_code == 404

    app = submit(api, {**BERSYARAT, "external_ref": "SYS-A-1"})
    assert c.get(f"/v1/applications/{app['id']}", headers=staff).status_code == 200
    seen = c.get(f"/v1/applications/{app['id']}", headers=theirs)
    assert seen.status_code == 404 and "code" not in seen.text
    report = c.post(f"/v1/applications/{app['id']}/stages/PBG", json={"status": "in_progress"},
                    headers=theirs)  # fmt: skip
    assert report.status_code == 404
    assert c.get(f"/v1/applications/{app['id']}", headers=mine).json()["status"] == app["status"]
    # an external_ref is no way in either
    again = c.post(
        "/v1/applications", json={**BERSYARAT, "external_ref": "SYS-A-1"}, headers=theirs
    )
    assert again.status_code == 409 and app["id"] not in again.text

    sub = c.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/hook"}, headers=mine).json()
    assert c.get("/v1/subscriptions", headers=theirs).json() == []
    assert sub["id"] in [s["id"] for s in c.get("/v1/subscriptions", headers=staff).json()]
    assert c.delete(f"/v1/subscriptions/{sub['id']}", headers=theirs).status_code == 404
    assert [s["id"] for s in c.get("/v1/subscriptions", headers=mine).json()] == [sub["id"]]
    assert c.delete(f"/v1/subscriptions/{sub['id']}", headers=mine).status_code == 204


def test_staff_steps_are_staff_s_and_an_application_its_submitter_s(api: Api) -> None:
    app = submit(api, KAJIAN)  # by the permit-system key
    url = f"/v1/applications/{app['id']}/steps"
    mine, staff = api.auth("permit_system"), api.auth("staff")
    _key, other = api.state.keys.create("another system", "permit_system", created_by="pytest")
    r = api.client.post(f"{url}/lengkap", json={}, headers=mine)
    assert r.status_code == 403 and "staff" in r.json()["message_en"]
    assert (
        api.client.post(f"{url}/perbaiki", json={}, headers={"X-API-Key": other}).status_code == 404
    )
    assert api.client.post(f"{url}/lengkap", json={}, headers=staff).status_code == 200
    r = api.client.post(f"{url}/lengkap", json={}, headers=staff)  # twice: out of order
    assert r.status_code == 409 and r.json()["message_id"] and r.json()["hint_en"]


def test_the_pnbp_estimate(api: Api) -> None:
    staff = api.auth("staff")
    small = api.client.get("/v1/pnbp/estimate", params={"area_m2": 6400}, headers=staff).json()
    big = api.client.get(
        "/v1/pnbp/estimate", params={"area_m2": 10_000, "purpose": "non_berusaha"}, headers=staff
    ).json()
    assert (small["band"], small["nominal"]) == ("below", 350_000 + 13 * 50_000)
    assert (big["band"], big["nominal"]) == ("above", 100_000 + 20 * 5_000)
