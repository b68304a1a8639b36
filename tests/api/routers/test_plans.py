"""Plans over HTTP: reading is public; loading, activating and rolling back are for staff."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api, mini_site
from tests.plan.test_validate_rasters import with_raster

K1_MINIMARKET = mini_site(10, 10, 60, 60)


def zipped(folder: Path, prefix: str = "paket/") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + str(path.relative_to(folder)))
    return buf.getvalue()


def stricter(mini_plan_dir: Path, tmp_path: Path) -> Path:
    """The mini plan with minimarkets forbidden in K-1."""
    folder = tmp_path / "mini-v2"
    shutil.copytree(mini_plan_dir, folder)
    text = (folder / "itbx.csv").read_text()
    (folder / "itbx.csv").write_text(text.replace("Minimarket,I,", "Minimarket,X,"))
    return folder


@pytest.fixture
def fresh_api(
    store_kind: str, mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Api:
    """The mini plan on a store of its own (versions loaded here touch no other test)."""
    if store_kind == "memory":
        return make_api(mini_plan_dir, tmp_path / "var")
    from kkpr.store.postgis import PostgisStore

    url = request.getfixturevalue("pg_new_database")()
    store = PostgisStore(url, data_dir=tmp_path / "pg-data", max_vertices=None)
    store.load(mini_plan_dir, loaded_by="pytest")
    return make_api(mini_plan_dir, tmp_path / "var", store=store, database_url=url)


def test_plans_are_public_to_read(api: Api) -> None:
    plans = api.client.get("/v1/plans").json()
    assert [p["id"] for p in plans] == ["mini"]
    detail = api.client.get("/v1/plans/mini").json()
    assert detail["crs"] == "EPSG:32751" and detail["subzones"] == ["K-1", "R-2", "RTH-2"]
    assert detail["version"] == plans[0]["active_version"]
    assert {c["id"] for c in detail["collections"]} >= {"zones", "overlays"}
    versions = api.client.get("/v1/plans/mini/versions").json()
    assert len(versions) == 1 and versions[0]["active"]
    assert api.client.get("/v1/plans/other").status_code == 404


def test_itbx_as_json_and_csv(api: Api, mini_plan_dir: Path) -> None:
    table = api.client.get("/v1/plans/mini/itbx").json()
    rows = {a["kode_kegiatan"]: a["cells"] for a in table["activities"]}
    assert rows["RESTO"] == {"K-1": "I", "R-2": "T1;B1", "RTH-2": "X"}  # declared, no empty cell
    assert table["conditions"]["T1"]["max_floor_area_m2"] == 200
    by_param = api.client.get("/v1/plans/mini/itbx?format=csv")
    by_accept = api.client.get("/v1/plans/mini/itbx", headers={"Accept": "text/csv"})
    assert by_param.headers["content-type"].startswith("text/csv")
    assert by_param.text == by_accept.text
    original = list(csv.reader(io.StringIO((mini_plan_dir / "itbx.csv").read_text())))
    assert list(csv.reader(io.StringIO(by_param.text))) == original


def test_validation_report_of_the_active_version(api: Api) -> None:
    report = api.client.get("/v1/plans/mini/validation").json()
    assert report["plan_id"] == "mini" and report["valid"] is True
    assert report["errors"] == 0


def test_staff_load_activate_and_roll_back(
    fresh_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    api = fresh_api
    assert api.check(K1_MINIMARKET).json()["result"]["outcome"] == "sesuai"
    r = api.client.post(
        "/v1/plans",
        content=zipped(stricter(mini_plan_dir, tmp_path)),
        headers={**api.auth("staff"), "content-type": "application/zip"},
    )
    assert r.status_code == 201, r.text
    loaded = r.json()
    assert loaded["plan_id"] == "mini" and loaded["loaded_by"].startswith("key:")
    new_version = loaded["version"]
    after = api.check(K1_MINIMARKET).json()
    assert after["result"]["outcome"] == "tidak_sesuai" and after["plan_version"] == new_version
    versions = api.client.get("/v1/plans/mini/versions").json()
    assert versions[0]["version"] == new_version and versions[0]["active"]
    assert versions[0]["loaded_by"] == loaded["loaded_by"]

    back = api.client.post("/v1/plans/mini/rollback", headers=api.auth("staff"))
    assert back.status_code == 200, back.text
    old_version = back.json()["active_version"]
    assert old_version != new_version
    assert api.check(K1_MINIMARKET).json()["result"]["outcome"] == "sesuai"

    stale = api.client.post(
        f"/v1/plans/mini/versions/{new_version}/rollback", headers=api.auth("staff")
    )
    assert stale.status_code == 409  # not the active version: nothing rolled back twice
    again = api.client.post(
        f"/v1/plans/mini/versions/{new_version}/activate", headers=api.auth("staff")
    )
    assert again.status_code == 200 and again.json()["active_version"] == new_version
    assert api.check(K1_MINIMARKET).json()["result"]["outcome"] == "tidak_sesuai"
    report = api.client.get("/v1/plans/mini/validation").json()
    assert report["version"] == new_version and report["valid"]
    undo = api.client.post(
        f"/v1/plans/mini/versions/{new_version}/rollback", headers=api.auth("staff")
    )
    assert undo.status_code == 200 and undo.json()["active_version"] == old_version


def test_loading_needs_a_staff_key(api: Api, mini_plan_dir: Path) -> None:
    body = zipped(mini_plan_dir)
    assert api.client.post("/v1/plans", content=body).status_code == 401
    r = api.client.post("/v1/plans", content=body, headers=api.auth("permit_system"))
    assert r.status_code == 403
    for path in ("/v1/plans/mini/rollback", "/v1/plans/mini/versions/v1/activate"):
        assert api.client.post(path, headers=api.auth("permit_system")).status_code == 403


def test_an_invalid_package_answers_every_problem(
    mini_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(mini_plan_dir, folder)
    (folder / "kbli.csv").write_text("kbli,judul,kode_kegiatan\n4711,Minimarket,NO-SUCH-ROW\n")
    r = mini_api.client.post("/v1/plans", content=zipped(folder), headers=mini_api.auth("staff"))
    assert r.status_code == 422
    body = r.json()
    assert body["type"].endswith("/plan-invalid")
    assert body["problems_total"] >= 2 and all("message_en" in p for p in body["problems"])
    assert len(mini_api.client.get("/v1/plans/mini/versions").json()) == 1


@pytest.mark.parametrize("kind", ["not-a-zip", "no-plan", "escape"])
def test_bad_uploads_are_422(mini_api: Api, kind: str) -> None:
    if kind == "not-a-zip":
        body = b"plain text"
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            name = "readme.txt" if kind == "no-plan" else "../../evil/plan.toml"
            zf.writestr(name, "id = 'x'")
        body = buf.getvalue()
    r = mini_api.client.post("/v1/plans", content=body, headers=mini_api.auth("staff"))
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("/plan-invalid")


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('id = "../../escaped"', "id"),
        ('[[raster]]\nid = "banjir"\npath = "banjir.tif"\nthreshold = "high"', "raster.threshold"),
        ("tolerance = 5", "tolerance"),
        ('[raster]\nid = "banjir"', "raster"),
        ('[overlay]\nKRB = "X"', "overlay.KRB"),
        ('[tolerance]\nsliver_m2 = "lima"', "tolerance.sliver_m2"),
    ],
)
def test_a_bad_plan_toml_is_422_and_writes_nothing(
    mini_api: Api, mini_plan_dir: Path, tmp_path: Path, line: str, key: str
) -> None:
    folder = tmp_path / "bad"
    shutil.copytree(mini_plan_dir, folder)
    text = (folder / "plan.toml").read_text()
    if line.startswith("id ="):
        text = text.replace('id = "mini"', line)
    elif line.startswith("["):
        text = text.replace("[tolerance]", "[old_tolerance]") + line + "\n"
    else:  # a top-level key
        text = line + "\n" + text.replace("[tolerance]", "[old_tolerance]")
    (folder / "plan.toml").write_text(text)
    r = mini_api.client.post("/v1/plans", content=zipped(folder), headers=mini_api.auth("staff"))
    assert r.status_code == 422, r.text
    problems = r.json()["problems"]
    assert any(f"plan.toml {key}" in p["message_en"] and p["row"] for p in problems), problems
    assert not (tmp_path / "escaped").exists()
    assert len(mini_api.client.get("/v1/plans/mini/versions").json()) == 1


def test_a_10_cm_raster_is_422_before_it_can_be_activated(
    mini_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    folder = with_raster(tmp_path, mini_plan_dir, 0.1)
    r = mini_api.client.post("/v1/plans", content=zipped(folder), headers=mini_api.auth("staff"))
    assert r.status_code == 422, r.text
    # a check over the largest site allowed would read 22,367 x 22,367 cells of it
    assert [p["code"] for p in r.json()["problems"] if p["severity"] == "error"] == [
        "raster.resolution",
        "raster.too_much_memory",
    ]
    assert len(mini_api.client.get("/v1/plans/mini/versions").json()) == 1


def test_upload_as_a_form_field(mini_api: Api, mini_plan_dir: Path, tmp_path: Path) -> None:
    r = mini_api.client.post(
        "/v1/plans",
        params={"activate": "false"},
        files={
            "package": ("mini.zip", zipped(stricter(mini_plan_dir, tmp_path)), "application/zip")
        },
        headers=mini_api.auth("staff"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["active"] is False
    assert mini_api.check(K1_MINIMARKET).json()["result"]["outcome"] == "sesuai"


def test_a_form_with_too_many_fields_is_a_422_naming_the_package_field(mini_api: Api) -> None:
    """Found by the OpenAPI fuzz test: a form over the field limit was a 400 saying the
    body is not JSON, a status the operation does not document."""
    r = mini_api.client.post(
        "/v1/plans",
        data={f"f{i}": "x" for i in range(20)},
        files={"package": ("mini.zip", b"PK", "application/zip")},
        headers=mini_api.auth("staff"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["where"] == "package" and "form" in r.json()["message_en"]
    assert len(mini_api.client.get("/v1/plans/mini/versions").json()) == 1


def test_upload_over_its_limit_is_413(mini_plan_dir: Path, tmp_path: Path) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var", max_plan_upload_bytes=1000)
    r = api.client.post("/v1/plans", content=zipped(mini_plan_dir), headers=api.auth("staff"))
    assert r.status_code == 413


def test_kupang_itbx_csv_is_the_package_table(kupang_api: Api, kupang_dir: Path) -> None:
    text = kupang_api.client.get("/v1/plans/kupang-rdtr/itbx?format=csv").text
    served = list(csv.reader(io.StringIO(text)))
    original = list(csv.reader(io.StringIO((kupang_dir / "itbx.csv").read_text("utf-8-sig"))))
    assert served[0] == [
        c.strip().upper() if i > 1 else c.strip() for i, c in enumerate(original[0])
    ]
    assert len(served) == len(original)
    report = kupang_api.client.get("/v1/plans/kupang-rdtr/validation").json()
    assert report["valid"] is True


def test_the_public_itbx_csv_never_carries_a_formula() -> None:
    """Issue 15, finding 11: plan texts went into the public CSV as they came, so a
    kegiatan of ``=HYPERLINK(...)`` ran in the spreadsheet of whoever opened it."""
    from api.routers.plans import itbx_csv

    table = {
        "subzones": ["R-2", "@SUM(A1)"],
        "activities": [
            {"kode_kegiatan": "A1", "kegiatan": '=HYPERLINK("http://x.test","klik")',
             "cells": {"R-2": "-", "@SUM(A1)": "+cmd|' /C calc'!A0"}},
            {"kode_kegiatan": "-5", "kegiatan": "Rumah makan", "cells": {"R-2": "I"}},
        ],
    }  # fmt: skip
    rows = [line.split(",", 1)[0] for line in itbx_csv(table).splitlines()]
    text = itbx_csv(table)
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'@SUM(A1)" in text
    assert ",-," in text or text.count(",-") >= 1  # a lone dash is a dash
    assert rows[2] == "-5"  # a number stays a number


def test_a_zip_bomb_is_refused_and_nothing_is_kept(
    mini_api: Api, mini_plan_dir: Path, tmp_path: Path
) -> None:
    """Issue 15, finding 11: a valid package with 60 MB of zeros beside it zips to a
    few hundred kB; it was unpacked, accepted and the padding kept with the package."""
    folder = tmp_path / "padded"
    shutil.copytree(mini_plan_dir, folder)
    with (folder / "padding.bin").open("wb") as fh:
        for _ in range(60):
            fh.write(bytes(1_000_000))
    body = zipped(folder)
    assert len(body) < 1_000_000
    r = mini_api.client.post("/v1/plans", content=body, headers=mini_api.auth("staff"))
    assert r.status_code == 413 and r.json()["limit_ratio"] == 100
    data = mini_api.state.settings.data_dir
    assert not list(data.glob("plans/**/padding.bin")) and not list(data.glob("uploads/*"))
    assert len(mini_api.client.get("/v1/plans/mini/versions").json()) == 1
