"""Every check the service answers, by any path, lands in the one hashed check log
(issue 21, item 1; docs/database.md "Every answered check is in the check log").

One app, one records database; each path is driven as its caller drives it, and the
log must gain exactly the records that path answered, each of them whole (its stored
inputs and result still hash to its ``content_hash``) and of the path's kind. The
``POST /v1/checks`` paths are asked with the fast path on and off (api.fastpath).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

from kkpr.db.sql import sql
from kkpr.oss.simulator import application_body
from kkpr.permalink import encode_geometry
from kkpr.records.checks import CheckRecord
from tests.api.conftest import Api, make_api, mini_site
from tests.mini_plan import CRS, site
from tests.pipeline import assess

TOKEN = "token-dari-oss"
TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform


def lonlat(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    moved = shapely.transform(
        shape(site(x0, y0, x1, y1)), lambda xy: np.column_stack(TO_LONLAT(xy[:, 0], xy[:, 1]))
    )
    return dict(mapping(moved))


def logged(api: Api) -> list[CheckRecord]:
    """Every record of the check log, oldest first."""
    log = api.state.check_log
    with log.db.transaction() as tx:
        ids = [r["id"] for r in tx.query(sql("SELECT id FROM check_log ORDER BY created_at, id"))]
    return [log.get(i) for i in ids]


class Log:
    """The records a step added to the log."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.seen = {r.id for r in logged(api)}

    def new(self) -> list[CheckRecord]:
        added = [r for r in logged(self.api) if r.id not in self.seen]
        self.seen |= {r.id for r in added}
        return added


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "generic-path"])
def test_every_path_that_answers_a_check_writes_the_check_log(
    mini_plan_dir: Path, tmp_path: Path, fast_path: bool
) -> None:
    api = make_api(
        mini_plan_dir,
        tmp_path / "var",
        check_fast_path=fast_path,
        document_secret="test-document-secret",
        public_base_url="https://kkpr.test",
        oss_token=TOKEN,
    )
    log = Log(api)
    answered: dict[str, list[CheckRecord]] = {}

    # POST /v1/checks (api.fastpath, or FastAPI's own handling)
    r = api.check(mini_site(10, 10, 90, 90))
    assert r.status_code == 201, r.text
    answered["check"] = log.new()
    assert [x.id for x in answered["check"]] == [r.json()["id"]]

    # POST /v1/checks/batch: one record per site, one batch
    r = api.client.post(
        "/v1/checks/batch",
        json={"checks": [mini_site(10, 10, 90, 90), mini_site(210, 10, 290, 90)]},
        headers=api.auth("permit_system"),
    )
    assert r.status_code == 201, r.text
    answered["batch"] = log.new()
    assert len(answered["batch"]) == 2 and len({x.batch_id for x in answered["batch"]}) == 1

    # POST /v1/checks/{id}/corrections (staff): a new record naming the one it corrects
    first = answered["check"][0].id
    r = api.client.post(
        f"/v1/checks/{first}/corrections",
        json={"kbli": "56101", "reason": "KBLI salah ketik"},
        headers=api.auth("staff"),
    )
    assert r.status_code == 201, r.text
    answered["correction"] = log.new()
    assert [x.corrects for x in answered["correction"]] == [first]

    # the public pre-check, without a key: the API and the page's PDF link
    r = api.client.post("/v1/precheck", json=mini_site(10, 10, 90, 90))
    assert r.status_code == 201, r.text
    answered["precheck"] = log.new()
    params = {"kbli": "47111", "site": encode_geometry(lonlat(10, 10, 90, 90)), "floors": "1"}
    r = api.client.get("/pages/precheck.pdf", params=params)
    assert r.status_code == 200, r.text
    answered["precheck.pdf"] = log.new()

    # an application submitted to the pipeline, by a permit system and by OSS
    app_body = {
        "applicant": "Maria Bere",
        "business_name": "Toko Sejahtera",
        "kbli": "47111",
        "site": site(10, 10, 90, 90),
        "crs": CRS,
        "proposal": {"floor_area_m2": 50, "floors": 1},
    }
    r = api.client.post("/v1/applications", json=app_body, headers=api.auth("permit_system"))
    assert r.status_code == 201, r.text
    app_id, check_id = r.json()["id"], r.json()["check_id"]
    answered["application"] = log.new()
    assert [x.id for x in answered["application"]] == [check_id]
    oss = application_body(lonlat(10, 10, 90, 90), "47111", id_izin="I-LOG-1")
    r = api.client.post("/oss/receiveNIBKKPR", json=oss, headers={"Token": TOKEN})
    assert r.json()["responreceiveNIBKKPR"]["status"] == "1", r.text
    answered["oss"] = log.new()

    # the check a decision rests on
    assess.decided(lambda path, b: api.client.post(path, json=b, headers=api.auth("staff")), app_id)
    answered["decision"] = log.new()

    kinds = {path: [x.kind for x in records] for path, records in answered.items()}
    assert kinds == {
        "check": ["check"],
        "batch": ["check", "check"],
        "correction": ["correction"],
        "precheck": ["precheck"],
        "precheck.pdf": ["precheck"],
        "application": ["application"],
        "oss": ["application"],
        "decision": ["decision"],
    }
    everything = logged(api)
    assert len(everything) == sum(len(v) for v in answered.values())  # nothing else
    assert all(x.verify() for x in everything)  # each record hashes to its content_hash
    callers = {path: {x.caller_role for x in records} for path, records in answered.items()}
    assert callers["precheck"] == callers["precheck.pdf"] == {"public"}
    assert callers["oss"] == callers["decision"] == {"pipeline"}


def test_a_tampered_record_no_longer_verifies(mini_api: Api) -> None:
    """The hash the test above relies on is the content's: a record whose stored result
    was changed fails it (the log itself refuses an UPDATE: append-only)."""
    r = mini_api.check(mini_site(10, 10, 90, 90))
    assert r.status_code == 201, r.text
    record = mini_api.state.check_log.get(r.json()["id"])
    assert record.verify()
    edited = record.result_json.replace('"sesuai"', '"tidak_sesuai"')
    assert edited != record.result_json
    assert not dataclasses.replace(record, result_json=edited).verify()
