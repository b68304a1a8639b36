"""The applicant's tracking page (``/lacak``) and ``GET /v1/tracking/{number}`` over
HTTP: the number and access code open the application's status in plain words; a
wrong code and an unknown number get one and the same answer; attempts are limited
per client (``tracking_attempts_per_minute``). Memory store (pipeline in SQLite) and
PostGIS (pipeline in PostgreSQL)."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Api, make_api
from tests.pipeline import assess
from tests.pipeline.test_api import SESUAI, SETTINGS, poster, submit

LIMIT = 6  # attempts per minute in these tests


@pytest.fixture
def api(
    store_kind: str, mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Api:
    settings = SETTINGS | {"tracking_attempts_per_minute": LIMIT}
    if store_kind == "memory":
        api = make_api(mini_plan_dir, tmp_path / "var", **settings)
    else:
        store = request.getfixturevalue("postgis_store_for")(mini_plan_dir)
        api = make_api(
            mini_plan_dir, tmp_path / "var", store=store, database_url=store.url, **settings
        )
    # a client address of its own: the rate buckets in PostgreSQL outlive one test
    address = ipaddress.IPv4Address(0x0A000000 + secrets.randbelow(2**24))
    api.client = TestClient(api.client.app, client=(str(address), 50000))
    return api


def track(api: Api, number: str, code: str, **params: str) -> Any:
    return api.client.post("/lacak", data={"nomor": number, "kode": code}, params=params)


def test_the_number_and_code_show_the_state_in_plain_words(api: Api) -> None:
    app = submit(api, SESUAI)
    page = track(api, app["number"], app["access_code"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'data-kd-status="09"' in html
    assert "Kesesuaian ruang (KKPR), sedang dikaji" in html
    assert "Hitungan hari kerja belum dimulai" in html  # the file is not complete yet
    assert app["access_code"] not in html  # the code is never written back into the page
    english = track(api, app["number"], app["access_code"].lower(), lang="en")
    assert "Spatial conformity (KKPR), under review" in english.text
    # the submission's answer says where to follow it: that link opens the same page
    link = urlsplit(app["tracking_url"])
    assert link.path == "/lacak"
    by_link = api.client.get(f"{link.path}?{link.query}")
    assert by_link.status_code == 200 and 'data-kd-status="09"' in by_link.text


def test_missing_items_a_paused_clock_and_the_decision_with_its_record(api: Api) -> None:
    post = poster(api)
    app = submit(api, SESUAI)
    back = post(
        f"/v1/applications/{app['id']}/steps/kembalikan",
        {"officer": assess.OFFICER, "keterangan": "Dokumen kurang",
         "data": {"missing": ["Bukti penguasaan tanah", "Gambar rencana"]}},
    )  # fmt: skip
    assert back.status_code == 200, back.text
    html = track(api, app["number"], app["access_code"]).text
    assert "Bukti penguasaan tanah" in html and "Gambar rencana" in html

    paused = submit(api, SESUAI)
    for action, data in assess.STEPS[:5]:  # up to the payment approved: the clock runs
        step = {"data": data, "officer": assess.OFFICER}
        assert post(f"/v1/applications/{paused['id']}/steps/{action}", step).status_code == 200
    html = track(api, paused["number"], paused["access_code"]).text
    assert 'data-paused="false"' in html and "hari kerja (paling lambat" in html
    stop = {"officer": assess.OFFICER, "keterangan": "Menunggu rekomendasi instansi lain"}
    assert post(f"/v1/applications/{paused['id']}/steps/hentikan", stop).status_code == 200
    html = track(api, paused["number"], paused["access_code"]).text
    assert 'data-paused="true"' in html
    assert "Sebabnya: Menunggu rekomendasi instansi lain" in html

    other = submit(api, SESUAI)
    answer = assess.decided(post, other["id"]).json()
    html = track(api, other["number"], other["access_code"]).text
    assert "Disetujui seluruhnya: Sesuai (pada " in html
    record = html.split('id="track-record" href="')[1].split('"')[0].replace("&amp;", "&")
    doc = api.client.get(urlsplit(record).path + "?" + urlsplit(record).query)
    assert doc.status_code == 200 and doc.json()["status"] == "valid"
    assert answer["document"]["number"] in html


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(api: Api) -> None:
    app = submit(api, SESUAI)
    unknown = app["number"][:-6] + "999999"
    wrong = track(api, app["number"], "AAAA-BBBB-CCCC-DDDD")
    nobody = track(api, unknown, app["access_code"])
    assert wrong.status_code == nobody.status_code == 404
    assert "tidak cocok" in wrong.text
    assert wrong.text.replace(app["number"], "N") == nobody.text.replace(unknown, "N")
    api_wrong = api.client.get(f"/v1/tracking/{app['number']}", params={"code": "AAAA"})
    api_nobody = api.client.get(f"/v1/tracking/{unknown}", params={"code": app["access_code"]})
    assert api_wrong.status_code == api_nobody.status_code == 404
    strip = {"instance", "title", "detail", "message_id", "message_en"}
    assert {k for k in api_wrong.json() if k not in strip} == {
        k for k in api_nobody.json() if k not in strip
    }
    assert api_wrong.text.replace(app["number"], "N") == api_nobody.text.replace(unknown, "N")


def test_attempts_are_limited_per_client_on_the_page_and_the_api(api: Api) -> None:
    app = submit(api, SESUAI)
    assert api.client.get("/lacak").status_code == 200  # the empty form costs nothing
    for _ in range(LIMIT - 1):
        assert track(api, app["number"], "AAAA-BBBB-CCCC-DDDD").status_code == 404
    assert api.client.get(f"/v1/tracking/{app['number']}", params={"code": "X"}).status_code == 404
    refused = track(api, app["number"], app["access_code"])  # even the right code, now
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert 'data-refused="limit"' in refused.text and "Terlalu banyak percobaan" in refused.text
    again = api.client.get(f"/v1/tracking/{app['number']}", params={"code": app["access_code"]})
    assert again.status_code == 429 and "Retry-After" in again.headers
    # staff (by key) are not counted against the public's allowance
    staff = api.client.get(
        f"/v1/tracking/{app['number']}",
        params={"code": app["access_code"]},
        headers=api.auth("staff"),
    )
    assert staff.status_code == 200


def test_half_a_form_says_what_is_missing_next_to_the_field(api: Api) -> None:
    page = api.client.post("/lacak", data={"nomor": "PKKPR-53.71-2026-000001", "kode": ""})
    assert page.status_code == 422 and "Isi kode akses." in page.text
    page = api.client.post("/lacak", data={"nomor": "", "kode": "ABCD"})
    assert page.status_code == 422 and "Isi nomor permohonan." in page.text
