"""The pipeline's checks land in the one hashed check log (issue 21, item 1): the
check of a submitted application and the check a decision rests on."""

from __future__ import annotations

import json

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.pipeline.applications import Pipeline
from tests.pipeline.test_assessment import R2, SITI, TO_DECISION, walk


def kinds(db: Database) -> list[str]:
    with db.transaction() as tx:
        return [
            r["kind"] for r in tx.query(sql("SELECT kind FROM check_log ORDER BY created_at, id"))
        ]


def test_an_application_s_check_is_in_the_check_log(pipeline: Pipeline) -> None:
    app = pipeline.submit(R2, by="key:oss")
    record = pipeline.check_log.get(app["check_id"])
    assert record.kind == "application" and record.verify()
    assert (record.caller, record.caller_role) == ("key:oss", "pipeline")
    assert record.result == app["check"]  # what the application holds, hashed
    assert record.inputs["kbli"] == "47111" and record.inputs["site"] == json.loads(
        json.dumps(R2.site)
    )
    assert (record.plan_id, record.plan_version) == (app["plan"]["id"], app["plan"]["version"])
    again = pipeline.submit(R2, by="key:oss")  # another application, another check
    assert again["check_id"] != app["check_id"]


def test_a_decision_s_check_is_in_the_check_log(pipeline: Pipeline) -> None:
    app = walk(pipeline, pipeline.submit(R2)["id"], TO_DECISION)
    pipeline.decide(app["id"], "approve", officer=SITI, reasons=["Sesuai RDTR"])
    assert kinds(pipeline.check_log.db) == ["application", "decision"]
    with pipeline.check_log.db.transaction() as tx:
        row = tx.one(sql("SELECT id FROM check_log WHERE kind = 'decision'"))
    assert row is not None
    record = pipeline.check_log.get(row["id"])
    assert record.verify() and record.caller == SITI.key
    assert record.inputs["application_id"] == app["id"] and record.inputs["decision"] == "approve"
