"""Plans from the web (admin): upload inactive, report, diff, impact, activate, roll back,
each step recorded; on the memory and the PostGIS store alike."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Polygon

from api.auth import SESSION_COOKIE
from tests.api.conftest import Api, make_api, mini_site
from tests.api.routers.test_plans import stricter, zipped
from tests.mini_plan import X0, Y0

API = "/staf/rencana/api"
K1_MINIMARKET = mini_site(10, 10, 60, 60)


@pytest.fixture
def fresh_api(
    store_kind: str, mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Api:
    """The mini plan on a store of its own, with an admin key beside the others."""
    if store_kind == "memory":
        api = make_api(mini_plan_dir, tmp_path / "var")
    else:
        from kkpr.store.postgis import PostgisStore

        url = request.getfixturevalue("pg_new_database")()
        store = PostgisStore(url, data_dir=tmp_path / "pg-data", max_vertices=None)
        store.load(mini_plan_dir, loaded_by="pytest")
        api = make_api(mini_plan_dir, tmp_path / "var", store=store, database_url=url)
    api.keys["admin"] = api.state.keys.create("pytest admin", "admin", created_by="pytest")[1]
    return api


def upload(api: Api, folder: Path, role: str = "admin") -> Any:
    return api.client.post(
        f"{API}/upload",
        files={"package": ("paket.zip", zipped(folder), "application/zip")},
        headers=api.auth(role),
    )


def broken(mini_plan_dir: Path, tmp_path: Path) -> Path:
    """The mini plan with a self-crossing zone polygon (a bow tie) and an undefined
    condition code in the ITBX matrix."""
    folder = tmp_path / "mini-broken"
    shutil.copytree(mini_plan_dir, folder)
    zones = gpd.read_file(folder / "pola_ruang.gpkg")
    zones.loc[1, "geometry"] = Polygon(
        [(X0 + 100, Y0), (X0 + 200, Y0 + 100), (X0 + 200, Y0), (X0 + 100, Y0 + 100)]
    )
    zones.to_file(folder / "pola_ruang.gpkg", driver="GPKG")
    text = (folder / "itbx.csv").read_text()
    (folder / "itbx.csv").write_text(text.replace("Minimarket,I,T1,X", "Minimarket,I,T9,X"))
    return folder


def wait_for(api: Api, path: str) -> dict[str, Any]:
    for _ in range(600):
        job = api.client.get(path, headers=api.auth("admin")).json()
        if job["state"] != "running":
            return job
        time.sleep(0.1)
    raise AssertionError(f"the impact job did not finish: {job}")


def active(api: Api) -> str:
    return str(api.client.get("/v1/plans/mini").json()["active_version"])


def test_upload_review_activate_and_roll_back(
    fresh_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    api = fresh_api
    first = active(api)
    recorded = api.check(K1_MINIMARKET)
    assert recorded.json()["result"]["outcome"] == "sesuai"
    api.check(mini_site(110, 10, 160, 60))  # minimarket T1, unchanged by the revision
    application = api.client.post(
        "/v1/applications",
        json={
            "applicant": "Maria Bere",
            "business_name": "Toko Sejahtera",
            **mini_site(10, 10, 90, 90, proposal={"floor_area_m2": 50, "floors": 1}),
        },
        headers=api.auth("permit_system"),
    )
    assert application.status_code == 201, application.text

    r = upload(api, stricter(mini_plan_dir, tmp_path))
    assert r.status_code == 201, r.text
    loaded = r.json()
    version = loaded["version"]
    assert loaded["active"] is False and version != first
    assert loaded["report"]["valid"] and loaded["report"]["errors"] == 0
    # loaded, never activated: the service still answers with the first version
    assert active(api) == first
    assert api.check(K1_MINIMARKET).json()["result"]["outcome"] == "sesuai"
    versions = api.client.get(f"{API}/plans/mini", headers=api.auth("admin")).json()["versions"]
    assert {v["version"]: v["active"] for v in versions} == {first: True, version: False}

    report = api.client.get(
        f"{API}/plans/mini/versions/{version}/report", headers=api.auth("admin")
    )
    assert report.status_code == 200 and report.json()["valid"]

    diff = api.client.post(f"{API}/plans/mini/versions/{version}/diff", headers=api.auth("admin"))
    assert diff.status_code == 200, diff.text
    d = diff.json()
    assert d["against"] == first and d["version"] == version
    cells = {(c["kode_kegiatan"], c["kodszn"]): c for c in d["itbx_changed"]}
    assert (
        cells[("PERDAG-MINI", "K-1")]["old"] == "I" and cells[("PERDAG-MINI", "K-1")]["new"] == "X"
    )
    assert d["zones_changed"] == [] and d["intensity_changed"] == []

    path = f"{API}/plans/mini/versions/{version}/impact"
    started = api.client.post(path, headers=api.auth("admin"))
    assert started.status_code == 202, started.text
    job = wait_for(api, path)
    assert job["state"] == "done", job
    result = job["result"]
    # the three checks recorded so far (two K-1 minimarkets and one R-2) and the
    # application (a K-1 minimarket): the K-1 ones change
    assert result["total"] == 4 and result["changed"] == 3
    assert result["sources"] == {
        "check": {"total": 3, "changed": 2},
        "application": {"total": 1, "changed": 1},
    }
    assert result["transitions"] == [{"from": "sesuai", "to": "tidak_sesuai", "count": 3}]
    changed = {(c["source"], c["check_id"]) for c in result["changes"]}
    assert ("check", recorded.json()["id"]) in changed
    assert ("application", application.json()["id"]) in changed
    assert active(api) == first  # the impact changes nothing

    act = api.client.post(
        f"{API}/plans/mini/versions/{version}/activate", headers=api.auth("admin")
    )
    assert act.status_code == 200, act.text
    assert act.json() == {
        "plan_id": "mini",
        "active_version": version,
        "previous": first,
        "by": act.json()["by"],
    }
    assert active(api) == version
    assert api.check(K1_MINIMARKET).json()["result"]["outcome"] == "tidak_sesuai"

    stale = api.client.post(
        f"{API}/plans/mini/versions/{first}/rollback", headers=api.auth("admin")
    )
    assert stale.status_code == 409  # only the active version can be rolled back from
    back = api.client.post(
        f"{API}/plans/mini/versions/{version}/rollback", headers=api.auth("admin")
    )
    assert back.status_code == 200, back.text
    assert back.json()["active_version"] == first and active(api) == first
    assert api.check(K1_MINIMARKET).json()["result"]["outcome"] == "sesuai"
    again = api.client.post(
        f"{API}/plans/mini/versions/{version}/rollback", headers=api.auth("admin")
    )
    assert again.status_code == 409  # a second click rolls back nothing

    events = api.client.get(f"{API}/plans/mini/events", headers=api.auth("admin")).json()
    admin_id = "key:" + api.keys["admin"].split("_")[1]
    steps = [(e["action"], e["version"]) for e in reversed(events)]
    assert steps == [
        ("upload", version),
        ("validate", version),
        ("diff", version),
        ("impact", version),
        ("activate", version),
        ("rollback", first),
    ]
    assert {e["by"] for e in events} == {admin_id}
    assert all(e["at"].endswith("Z") for e in events)
    impact_event = next(e for e in events if e["action"] == "impact")
    assert impact_event["detail"]["changed"] == 3
    assert (impact_event["detail"]["checks"], impact_event["detail"]["applications"]) == (3, 1)
    # the store's own history names the admin too
    versions = {v["version"]: v for v in api.client.get("/v1/plans/mini/versions").json()}
    assert versions[version]["loaded_by"] == admin_id
    assert versions[first]["activated_by"] == admin_id


def test_a_package_that_fails_validation_is_shown_and_changes_nothing(
    fresh_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    api = fresh_api
    before = api.client.get("/v1/plans/mini/versions").json()
    r = upload(api, broken(mini_plan_dir, tmp_path))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["type"].endswith("/plan-invalid") or body["status"] == 422
    assert "tidak sah" in body["message_id"] and "not valid" in body["message_en"]
    codes = {p["code"] for p in body["problems_on_map"]}
    assert "zones.invalid_geometry" in codes
    bowtie = next(p for p in body["problems_on_map"] if p["code"] == "zones.invalid_geometry")
    assert bowtie["geometry"]["type"] == "Point"  # the self-intersection, in EPSG:4326
    lon, lat = bowtie["geometry"]["coordinates"]
    assert 123 < lon < 124 and -11 < lat < -10
    assert api.client.get("/v1/plans/mini/versions").json() == before
    assert not (Path(api.state.settings.data_dir) / "plans" / "mini").exists() or not any(
        (Path(api.state.settings.data_dir) / "plans" / "mini").iterdir()
    )
    events = api.client.get(f"{API}/plans/mini/events", headers=api.auth("admin")).json()
    assert [e["action"] for e in events] == ["upload_refused"]
    assert events[0]["detail"]["errors"] >= 2


def test_a_package_of_another_plan_is_refused(
    mini_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    mini_api.keys["admin"] = mini_api.state.keys.create("a", "admin", created_by="pytest")[1]
    other = tmp_path / "other"
    shutil.copytree(mini_plan_dir, other)
    toml = (other / "plan.toml").read_text().replace('id = "mini"', 'id = "lain"')
    (other / "plan.toml").write_text(toml)
    r = upload(mini_api, other)
    assert r.status_code == 422 and "lain" in r.json()["message_en"]
    assert [p["id"] for p in mini_api.client.get("/v1/plans").json()] == ["mini"]


def test_the_limits_of_the_api_upload_apply(mini_plan_dir: Path, tmp_path: Path) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", max_plan_upload_bytes=1000)
    api.keys["admin"] = api.state.keys.create("a", "admin", created_by="pytest")[1]
    r = upload(api, mini_plan_dir)
    assert r.status_code == 413 and r.json()["limit_bytes"] == 1000
    garbage = api.client.post(
        f"{API}/upload",
        content=b"not a zip",
        headers={**api.auth("admin"), "content-type": "application/zip"},
    )
    assert garbage.status_code == 422 and garbage.json()["message_en"].startswith("The upload")


# ---------------------------------------------------------------- who may


def test_only_admins_manage_plans_from_the_web(mini_api: Api, mini_plan_dir: Path) -> None:
    api = mini_api
    for role, status in (("staff", 403), ("permit_system", 403)):
        assert upload(api, mini_plan_dir, role).status_code == status
        r = api.client.post(f"{API}/plans/mini/versions/v1/activate", headers=api.auth(role))
        assert r.status_code == status
    assert api.client.post(f"{API}/upload").status_code == 401
    assert api.client.get(f"{API}/plans/mini").status_code == 401


def _session(api: Api, role: str) -> tuple[TestClient, str, str]:
    """A browser logged in with a key of ``role``, the page it gets at /staf/rencana and
    the CSRF token of its session."""
    key = api.keys.get(role) or api.state.keys.create(role, role, created_by="pytest")[1]
    client = TestClient(api.client.app, base_url="http://testserver")
    r = client.post("/staf/login", data={"key": key}, follow_redirects=False)
    assert r.status_code == 303 and SESSION_COOKIE in r.headers["set-cookie"]
    staff_page = client.get("/staf")
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', staff_page.text)
    assert token is not None
    return client, client.get("/staf/rencana").text, token.group(1)


def test_the_page_is_for_admins_and_needs_the_csrf_token(
    mini_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    staff, page, staff_token = _session(mini_api, "staff")
    assert staff.get("/staf/rencana").status_code == 403
    assert "admin" in page
    # a staff session may not change the plan through the API's routes either
    r = staff.post("/v1/plans/mini/rollback", headers={"X-CSRF-Token": staff_token})
    assert r.status_code == 403 and "admin" in r.json()["message_en"]

    admin, page, token = _session(mini_api, "admin")
    assert 'id="upload-form"' in page and "plans_admin.js" in page
    assert "Manage the plan" in admin.get("/staf/rencana?lang=en").text
    assert 'href="/staf/rencana"' in admin.get("/staf").text  # the way there, for admins only
    assert 'href="/staf/rencana"' not in staff.get("/staf").text
    body = {"package": ("paket.zip", zipped(stricter(mini_plan_dir, tmp_path)), "application/zip")}
    forged = admin.post(f"{API}/upload", files=body)
    assert forged.status_code == 403 and forged.json()["where"] == "X-CSRF-Token"
    ok = admin.post(f"{API}/upload", files=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201, ok.text
    version = ok.json()["version"]
    act = admin.post(f"{API}/plans/mini/versions/{version}/activate")
    assert act.status_code == 403
    act = admin.post(
        f"{API}/plans/mini/versions/{version}/activate", headers={"X-CSRF-Token": token}
    )
    assert act.status_code == 200
    # an admin's session may use the API's plan routes (with the token)
    back = admin.post("/v1/plans/mini/rollback", headers={"X-CSRF-Token": token})
    assert back.status_code == 200 and back.json()["active_version"] != version
    # an admin is staff wherever staff may act: the staff workspace and the queue
    assert admin.get("/staf").status_code == 200
    assert admin.get("/v1/reviews").status_code == 200
