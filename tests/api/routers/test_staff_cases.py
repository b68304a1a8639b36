"""The staff cases API and pages: who may read them, the list's filters (an unknown one
refused), the exports, and one case file with its applicant, OSS identifiers and map
parts, after an application from OSS and one walked to a decision in part.

Parametrised over the memory store (pipeline in SQLite) and PostGIS (pipeline in the
same PostgreSQL database, which keeps the cases of earlier tests: each test finds its
own by a word of its own).
"""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from typing import Any

import pyogrio
import pytest
import shapely
from shapely.geometry import shape

from kkpr.oss.simulator import application_body
from kkpr.site import WGS84, to_crs
from tests.api.conftest import Api, make_api
from tests.mini_plan import CRS, sq
from tests.pipeline import assess
from tests.pipeline.test_api import SETTINGS, body, submit

OSS_TOKEN = "oss-token-for-tests"


@pytest.fixture
def api(
    store_kind: str, mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Api:
    extra = {**SETTINGS, "oss_token": OSS_TOKEN}
    if store_kind == "memory":
        return make_api(mini_plan_dir, tmp_path / "var", **extra)
    store = request.getfixturevalue("postgis_store_for")(mini_plan_dir)
    return make_api(mini_plan_dir, tmp_path / "var", store=store, database_url=store.url, **extra)


def word() -> str:
    """A word only this test's cases carry."""
    return "t" + uuid.uuid4().hex[:10]


def staff_get(api: Api, path: str, **params: Any) -> Any:
    return api.client.get(path, params=params, headers=api.auth("staff"))


def lonlat_square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return dict(shapely.geometry.mapping(to_crs(sq(x0, y0, x1, y1), CRS, WGS84)))


def from_oss(api: Api, square: tuple[float, float, float, float], id_izin: str) -> str:
    """An application received from OSS (receiveNIBKKPR); its application id."""
    payload = application_body(
        lonlat_square(*square), "47111", id_izin=id_izin, nib="9120009876543",
        nama_perseroan="PT Kupang Maju", skala_usaha="03", status_penanaman_modal="01",
        luas_lantai=150, jumlah_lantai=2,
    )  # fmt: skip
    r = api.client.post("/oss/receiveNIBKKPR", json=payload, headers={"Token": OSS_TOKEN})
    assert r.status_code == 200, r.text
    listed = staff_get(api, "/v1/staff/cases", q=id_izin).json()
    [item] = listed["items"]
    assert item["id_izin"] == id_izin
    return str(item["id"])


def test_only_staff_read_cases(api: Api) -> None:
    assert api.client.get("/v1/staff/cases").status_code == 401
    r = api.client.get("/v1/staff/cases", headers=api.auth("permit_system"))
    assert r.status_code == 403
    assert api.client.get("/v1/staff/cases.csv", headers=api.auth("public")).status_code == 403
    # the pages show the login form without a staff session
    page = api.client.get("/staf/kasus")
    assert page.status_code == 200 and 'id="login"' in page.text


def test_filters_pages_and_an_unknown_filter(api: Api) -> None:
    tag = word()
    ids = [submit(api, body(10, 90, applicant=f"Pemohon {tag} {n}"))["id"] for n in range(3)]
    submit(api, body(110, 190, applicant=f"Maria Lende {tag}", kbli="56101"))
    found = staff_get(api, "/v1/staff/cases", q=tag, per_page=2).json()
    assert (found["total"], found["pages"], len(found["items"])) == (4, 2, 2)
    assert found["items"][0]["applicant"] == f"Maria Lende {tag}"  # newest first
    assert staff_get(api, "/v1/staff/cases", applicant=f"{tag.upper()} 1").json()["total"] == 1
    assert staff_get(api, "/v1/staff/cases", q=tag, kbli="561").json()["total"] == 1
    assert staff_get(api, "/v1/staff/cases", q=tag, form="PKKPR", state="09").json()["total"] == 4
    # an unknown filter is refused, naming it and the known ones
    r = staff_get(api, "/v1/staff/cases", kodszn="K-1")
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem")
    problem = r.json()
    assert problem["where"] == "kodszn" and "kelurahan" in problem["hint_en"]
    # a value the filter cannot take is a 422 saying where
    assert staff_get(api, "/v1/staff/cases", deadline="tomorrow").status_code == 422
    r = staff_get(api, "/v1/staff/cases", state="77")
    assert r.status_code == 422 and r.json()["where"] == "state"
    assert staff_get(api, "/v1/staff/cases", per_page=1000).status_code == 422
    # the steps on a listed case show in the list's state
    api.client.post(f"/v1/applications/{ids[0]}/steps/lengkap", json={}, headers=api.auth("staff"))
    [moved] = staff_get(api, "/v1/staff/cases", q=tag, state="10").json()["items"]
    assert moved["id"] == ids[0]


def test_exports_of_the_filtered_list(api: Api, tmp_path: Path) -> None:
    tag = word()
    submit(api, body(10, 90, applicant="=cmd|' /C calc'!A0", business_name=f"Toko {tag}"))
    submit(api, body(110, 190, applicant="Maria Lende", business_name=f"Resto {tag}", kbli="56101"))
    r = staff_get(api, "/v1/staff/cases.csv", q=tag, kbli="47111")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["applicant"] for row in rows] == ["'=cmd|' /C calc'!A0"]
    r = staff_get(api, "/v1/staff/cases.xlsx", q=tag)
    assert r.status_code == 200 and r.content[:2] == b"PK"  # a zip: the workbook
    r = staff_get(api, "/v1/staff/cases.gpkg", q=tag, applicant="maria")
    assert r.status_code == 200
    path = tmp_path / "kasus.gpkg"
    path.write_bytes(r.content)
    frame = pyogrio.read_dataframe(path)
    assert list(frame["applicant"]) == ["Maria Lende"]
    area = frame.to_crs(CRS).area.iloc[0]
    assert area == pytest.approx(80 * 80, rel=1e-3)
    assert staff_get(api, "/v1/staff/cases.pdf").status_code == 422
    assert staff_get(api, "/v1/staff/cases.csv", nope="1").status_code == 400


def test_a_case_file_from_oss_with_its_map_and_steps(api: Api) -> None:
    # half the site lies west of the plan (x < 0): outside the RDTR; half in K-1
    id_izin = "I-" + word()
    app_id = from_oss(api, (-50, 10, 50, 90), id_izin)
    case = staff_get(api, f"/v1/staff/cases/{app_id}").json()
    assert case["oss"]["id_izin"] == id_izin and case["oss"]["nib"] == "9120009876543"
    assert case["oss"]["id_proyek"] and case["oss"]["kd_izin"] == "000000000001"
    who = case["applicant_detail"]
    assert (who["name"], who["nib"], who["skala_usaha"], who["status_penanaman_modal"]) == (
        "PT Kupang Maju", "9120009876543", "03", "01")  # fmt: skip
    assert case["check"]["reasons"] and case["check"]["parts"]
    # the map: the site, the part outside the plan (west of x = 0), the conforming part
    parts = case["map"]
    site = to_crs(shape(parts["site"]), WGS84, CRS)
    outside = to_crs(shape(parts["outside"]), WGS84, CRS)
    assert site.area == pytest.approx(100 * 80, rel=1e-3)
    assert outside.area == pytest.approx(50 * 80, rel=1e-2)
    assert outside.bounds[2] == pytest.approx(sq(0, 0, 1, 1).bounds[0], abs=0.5)
    assert parts["conforming"] is not None and parts["approved"] is None
    # every step with who and when, and what may be done next
    [first] = case["transitions"]
    assert (first["action"], first["kd_status"], first["actor"]) == ("ajukan", "09", "applicant")
    assert "lengkap" in case["assessment"]["next"]
    assert staff_get(api, "/v1/staff/cases/nope").status_code == 404
    assert api.client.get(f"/v1/staff/cases/{app_id}").status_code == 401


def test_a_decision_in_part_shows_on_the_case_and_keeps_its_document(api: Api) -> None:
    app = submit(api, body(-50, 50))
    post = lambda path, b: api.client.post(path, json=b, headers=api.auth("staff"))  # noqa: E731
    assess.to_decision(post, app["id"])
    conforming = staff_get(api, f"/v1/staff/cases/{app['id']}").json()["map"]["conforming"]
    r = post(
        f"/v1/reviews/{app['id']}/decision",
        {"decision": "approve_in_part", "reasons": ["Hanya bagian di dalam RDTR"],
         "approved_site": conforming, "officer": assess.OFFICER},
    )  # fmt: skip
    assert r.status_code == 200, r.text
    case = staff_get(api, f"/v1/staff/cases/{app['id']}").json()
    approved = to_crs(shape(case["map"]["approved"]), WGS84, CRS)
    assert approved.area == pytest.approx(50 * 80, rel=1e-2)
    assert case["decision"]["decision"] == "approve_in_part"
    number = case["document"]["number"]
    assert case["document"]["staff_url"].endswith(".html")
    assert (
        api.client.get(case["document"]["staff_url"], headers=api.auth("staff")).status_code == 200
    )
    names = {t["officer_name"] for t in case["transitions"]}
    assert assess.OFFICER["name"] in names
    # the decided queue keeps the document (the staff page's list after a reload)
    [decided] = [c for c in staff_get(api, "/v1/reviews", view="decided").json()
                 if c["id"] == app["id"]]  # fmt: skip
    assert decided["document_number"] == number
    listed = staff_get(api, "/v1/staff/cases", q=app["number"], status="decided").json()["items"]
    assert [i["document_number"] for i in listed] == [number]
