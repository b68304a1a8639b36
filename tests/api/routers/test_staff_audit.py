"""Parcel history and the audit trail over HTTP, on both record stores: the memory store
(check log and pipeline in SQLite) and PostGIS (both in PostgreSQL).

The mini plan's sites are given in its UTM CRS; the history is asked in longitude and
latitude: a record is found by where it is, whatever CRS it was sent in."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import mapping

from kkpr.site import WGS84, to_crs
from tests.api.conftest import Api, make_api
from tests.mini_plan import CRS, sq
from tests.pipeline import assess
from tests.pipeline.test_api import SETTINGS, body, poster, submit


@pytest.fixture
def api(
    store_kind: str, mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Api:
    if store_kind == "memory":
        return make_api(mini_plan_dir, tmp_path / "var", **SETTINGS)
    # the records and the pipeline in a fresh PostgreSQL database of their own: the
    # store's database is shared by the session's tests, whose records would be counted
    store = request.getfixturevalue("postgis_store_for")(mini_plan_dir)
    records_url = request.getfixturevalue("pg_new_database")()
    return make_api(
        mini_plan_dir, tmp_path / "var", store=store, database_url=records_url, **SETTINGS
    )


def lonlat(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """A rectangle of the mini plan (its UTM metres) as lon/lat GeoJSON."""
    return dict(mapping(to_crs(sq(x0, y0, x1, y1), CRS, WGS84)))


def point(x: float, y: float) -> dict[str, Any]:
    c = to_crs(sq(x, y, x + 0.01, y + 0.01), CRS, WGS84).centroid
    return {"type": "Point", "coordinates": [c.x, c.y]}


def history(api: Api, geometry: dict[str, Any], **kw: Any) -> Any:
    return api.client.post(
        "/v1/history", json={"geometry": geometry, **kw}, headers=api.auth("staff")
    )


def check(api: Api, x0: float, x1: float) -> str:
    r = api.check({"site": dict(mapping(sq(x0, 10, x1, 90))), "crs": CRS, "kbli": "47111"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_history_finds_what_touches_a_place_newest_first(api: Api) -> None:
    near = check(api, 10, 90)
    far = check(api, 210, 290)
    # a site sent in longitude/latitude, beside the one in UTM: found the same way
    r = api.check({"site": lonlat(20, 20, 40, 40), "kbli": "47111"})
    assert r.status_code == 201
    lonlat_check = r.json()["id"]
    app = submit(api, body(110, 190, proposal={"floor_area_m2": 150, "floors": 2}))
    assess.decided(poster(api), app["id"])

    # a polygon over x 0..100: the two checks there, not the far one nor the application
    r = history(api, lonlat(0, 0, 100, 100))
    assert r.status_code == 200, r.text
    found = r.json()
    refs = [e["ref"] for e in found["entries"]]
    assert set(refs) == {near, lonlat_check} and far not in refs
    assert found["total"] == 2 and not found["truncated"]
    assert refs == [lonlat_check, near]  # newest first
    first = found["entries"][0]
    assert first["kind"] == "check" and first["href"] == f"/v1/checks/{lonlat_check}"
    assert first["who"] == "pytest permit_system"  # the key's name, not its id
    assert first["outcome"] and first["geometry"]["type"] == "Polygon"

    # a click inside the application's site: the application, its decision, its document
    r = history(api, point(150, 50), buffer_m=1)
    kinds = [e["kind"] for e in r.json()["entries"]]
    assert sorted(kinds) == ["application", "decision", "document"], kinds
    entries = {e["kind"]: e for e in r.json()["entries"]}
    assert entries["application"]["href"] == f"/staf/kasus/{app['id']}"
    assert entries["decision"]["who"] == assess.OFFICER["name"]
    assert entries["decision"]["outcome"] == "approve"
    assert entries["decision"]["outcome_label"] == "Disetujui"
    assert entries["application"]["outcome_label"].startswith("50 · Disetujui")
    number = entries["document"]["ref"]
    assert entries["document"]["href"] == f"/v1/documents/{number}.html"
    assert api.client.get(entries["document"]["href"], headers=api.auth("staff")).status_code == 200
    ats = [e["at"] for e in r.json()["entries"]]
    assert ats == sorted(ats, reverse=True)

    # the point 5 m west of the far check's edge: outside with 1 m, inside with 10 m
    assert history(api, point(205, 50), buffer_m=1).json()["total"] == 0
    assert [e["ref"] for e in history(api, point(205, 50), buffer_m=10).json()["entries"]] == [far]
    # later records are found too (the extents catch up)
    later = check(api, 60, 95)
    assert later in [e["ref"] for e in history(api, lonlat(0, 0, 100, 100)).json()["entries"]]


def test_history_refuses_bad_input_and_other_roles(api: Api) -> None:
    line = {"type": "LineString", "coordinates": [[123.6, -10.17], [123.61, -10.17]]}
    r = history(api, line)
    assert r.status_code in (400, 422) and r.json()["where"] == "geometry.type"
    r = history(api, point(10, 10), buffer_m=100_000)
    assert r.status_code in (400, 422) and r.json()["where"] == "buffer_m"
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert history(api, bowtie).status_code in (400, 422)
    r = api.client.post("/v1/history", json={"geometry": point(10, 10)})
    assert r.status_code == 401
    r = api.client.post(
        "/v1/history", json={"geometry": point(10, 10)}, headers=api.auth("permit_system")
    )
    assert r.status_code == 403


def audit(api: Api, **params: Any) -> dict[str, Any]:
    r = api.client.get("/v1/audit", params=params, headers=api.auth("staff"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_audit_trail_filters_pages_and_exports(api: Api) -> None:
    ids = [check(api, 10, 90), check(api, 210, 290)]
    app = submit(api, body(110, 190, proposal={"floor_area_m2": 150, "floors": 2}))
    assess.decided(poster(api), app["id"])
    api.state.keys.create('=HYPERLINK("http://x","klik")', "staff", created_by="pytest")

    everything = audit(api, page_size=1000)
    kinds = {e["kind"] for e in everything["events"]}
    assert {"check", "stage", "transition", "document", "key"} <= kinds
    ats = [e["at"] for e in everything["events"]]
    assert ats == sorted(ats, reverse=True)
    assert everything["total"] == len(everything["events"])

    # the check log: the two checks, and the checks the pipeline made for the application
    # and for its decision (kkpr.pipeline.logged)
    checks = audit(api, kind="check")
    assert checks["total"] == 4
    assert {e["ref"] for e in checks["events"] if e["action"] == "check"} == set(ids)
    assert sorted(e["action"] for e in checks["events"]) == [
        "application", "check", "check", "decision",
    ]  # fmt: skip
    assert {e["who"] for e in checks["events"] if e["action"] == "check"} == {
        "pytest permit_system"
    }
    # who: the officer by name or by NIP, a key by its name
    siti = audit(api, who="siti", page_size=1000)
    assert siti["total"] == len(assess.STEPS) + 1  # every step and the decision
    assert {e["kind"] for e in siti["events"]} == {"transition"}
    assert audit(api, who=assess.OFFICER["nip"])["total"] == siti["total"]
    by_key = audit(api, who="permit_system", kind="check")
    assert by_key["total"] == 3  # two checks and the application's, which it submitted
    # the application: its stages, steps and document, nothing of anyone else's
    mine = audit(api, application=app["id"], page_size=1000)
    assert {e["application_id"] for e in mine["events"]} == {app["id"]}
    assert {"stage", "transition", "document"} <= {e["kind"] for e in mine["events"]}
    # dates, by the office's calendar: everything happened today; nothing on a later day
    office = ZoneInfo(api.state.settings.office_timezone)
    moment = datetime.fromisoformat(everything["events"][0]["at"].replace("Z", "+00:00"))
    today = moment.astimezone(office).date().isoformat()
    assert audit(api, since=today, until=today)["total"] == everything["total"]
    assert audit(api, since="2999-01-01")["total"] == 0

    # pages: in order, without gaps or repeats
    pages = [audit(api, page=n, page_size=7) for n in range(1, everything["total"] // 7 + 2)]
    assert pages[0]["pages"] == -(-everything["total"] // 7)
    assert [e for p in pages for e in p["events"]] == everything["events"]

    r = api.client.get("/v1/audit.csv", headers=api.auth("staff"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == everything["total"]
    formula = [row for row in rows if "HYPERLINK" in row["detail"]]
    assert formula and all(row["detail"].startswith("'=") for row in formula)
    assert not any(v.startswith(("=", "+", "-", "@")) for row in rows for v in row.values())
    r = api.client.get("/v1/audit.csv", params={"kind": "check"}, headers=api.auth("staff"))
    assert len(list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))) == 4


def test_audit_refuses_bad_filters_and_other_roles(api: Api) -> None:
    r = api.client.get("/v1/audit", params={"kind": "gosip"}, headers=api.auth("staff"))
    assert r.status_code == 422 and r.json()["where"] == "kind"
    r = api.client.get(
        "/v1/audit", params={"since": "2026-05-02", "until": "2026-05-01"},
        headers=api.auth("staff"),
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["where"] == "until"
    r = api.client.get("/v1/audit", params={"since": "kemarin"}, headers=api.auth("staff"))
    assert r.status_code == 422
    assert api.client.get("/v1/audit").status_code == 401
    assert api.client.get("/v1/audit.csv", headers=api.auth("permit_system")).status_code == 403
    assert api.client.get("/v1/audit/figures", headers=api.auth("public")).status_code == 403


def test_figures_count_the_cases(api: Api) -> None:
    a = submit(api, body(110, 190, proposal={"floor_area_m2": 150, "floors": 2}))
    b = submit(api, body(10, 90))
    assess.decided(poster(api), a["id"])
    r = api.client.get("/v1/audit/figures", headers=api.auth("staff"))
    assert r.status_code == 200
    f = r.json()
    counted = {(form, st): n for form, states in f["by_state"].items() for st, n in states.items()}
    assert sum(counted.values()) == 2
    forms = {a["id"]: a["form"], b["id"]: b["form"]}
    assert counted[(forms[a["id"]], "disetujui")] == 1
    (month,) = f["deadline"]
    assert f["deadline"][month] == {"decided": 1, "within": 1, "share": 1.0}
    # the steps were taken on one day: every stage took 0 working days
    assert f["stage_days_all"] and set(f["stage_days_all"].values()) == {0.0}
    assert f["allowed_working_days"] == api.state.settings.review_deadline_working_days


def test_staff_pages_need_a_login_and_render(api: Api) -> None:
    api.client.base_url = "https://testserver"  # type: ignore[assignment]  # Secure cookie
    for path in ("/staf/riwayat", "/staf/audit"):
        r = api.client.get(path)
        assert r.status_code == 200 and 'id="login"' in r.text
    r = api.client.post("/staf/login", data={"key": api.keys["staff"]}, follow_redirects=False)
    assert r.status_code == 303
    submit(api, body(10, 90))
    page = api.client.get("/staf/audit")
    assert "fig-by-state" in page.text and "<svg" in page.text and "<table" in page.text
    assert api.client.get("/staf/riwayat").status_code == 200
    assert 'href="/staf/riwayat"' in api.client.get("/staf").text


def test_plan_management_steps_are_in_the_trail(api: Api) -> None:
    """What staff did to a plan from the web (``plan_events``), on both stores."""
    from kkpr.records.plan_events import PlanEvents

    events = PlanEvents(api.state.check_log.db)
    key_id = next(k.id for k in api.state.keys.list() if k.role == "staff")
    events.record("mini", "upload", f"key:{key_id}", version="v2", detail={"zones": 3})
    events.record("mini", "activate", f"key:{key_id}", version="v2")
    plan = audit(api, kind="plan")
    assert [(e["action"], e["ref"], e["who"]) for e in plan["events"]] == [
        ("activate", "mini v2", "pytest staff"),
        ("upload", "mini v2", "pytest staff"),
    ]
    assert plan["events"][1]["detail"] == '{"zones": 3}'
    assert audit(api, who="pytest staff", kind="plan")["total"] == 2


def test_plan_activations_and_rollbacks_are_in_the_trail(
    mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """PostGIS keeps who loaded, activated and rolled back each version: the trail
    shows it (the store, the records and the pipeline in one database, as deployed)."""
    from kkpr.store.postgis import PostgisStore
    from tests.store.test_versions import stricter_copy

    url = request.getfixturevalue("pg_new_database")()
    store = PostgisStore(url, data_dir=tmp_path / "pg", outside_margin_m=5000.0, max_vertices=None)
    try:
        store.load(mini_plan_dir, loaded_by="key:lead")
        store.load(stricter_copy(mini_plan_dir, tmp_path), loaded_by="key:lead")
        store.rollback("mini", by="Budi Santoso")
        api = make_api(mini_plan_dir, tmp_path / "var", store=store, database_url=url, **SETTINGS)
        plan = audit(api, kind="activation")
        assert [(e["action"], e["who"], e["detail"]) for e in plan["events"]] == [
            ("rollback", "Budi Santoso", "v2 → v1"),
            ("load", "key:lead", "v1 → v2"),
            ("load", "key:lead", "— → v1"),
        ]
        assert audit(api, who="budi")["total"] == 1
        assert audit(api)["total"] >= 3  # the plan log beside the others, counted once
    finally:
        store.close()
