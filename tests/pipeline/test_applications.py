"""Applications on SQLite and PostgreSQL: the KKPR stage by outcome on a plan integrated in
OSS (the KKKPR path; the PKKPR path is tests/pipeline/test_assessment.py), later stages
reported by the permit system, refusals that write nothing, and state + event committed
together.

Sites are squares of the mini plan (tests/mini_plan.py), whose answers are worked by hand:
x 10..90 is inside K-1 (minimarket I), x 110..190 inside R-2 (minimarket T1: floor area
at most 200 m²), x 210..290 inside RTH-2 (minimarket X) and crossing the SEMPADAN
buffer, x 210..240 inside RTH-2 only (restaurant: the ITBX cell is empty), x 310..390
outside every zone (a PKKPR case).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.errors import Conflict, NotFound
from kkpr.model import Proposal
from kkpr.pipeline.applications import Pipeline, Submission
from tests.mini_plan import CRS, site


def submission(x0: float, x1: float, kbli: str = "47111", **kw: Any) -> Submission:
    return Submission(
        applicant="Maria Bere",
        business_name="Toko Sejahtera",
        kbli=kbli,
        site=site(x0, 10, x1, 90),
        site_crs=CRS,
        **{"proposal": Proposal(floor_area_m2=150, floors=2), **kw},
    )


SESUAI = submission(10, 90)
BERSYARAT = submission(110, 190, proposal=Proposal(floor_area_m2=150, floors=2))
TIDAK = submission(210, 290)
# a quarter outside the RDTR, the rest where a restaurant is permitted: staff review
KAJIAN = submission(-20, 60, kbli="56101", proposal=Proposal(floor_area_m2=50, floors=1))
PKKPR = submission(310, 390)


@pytest.fixture
def pipeline(pipeline: Pipeline) -> Pipeline:
    """The pipeline with the mini plan integrated in OSS: the automatic path is a KKKPR."""
    pipeline.set_integration("mini", "package", True, reason="uji / test", by="key:test")
    return pipeline


def types(app: dict[str, Any]) -> list[str]:
    return [e["type"] for e in app["events"]]


def count(db: Database, table: str) -> int:
    with db.transaction() as tx:
        row = tx.one(sql("SELECT COUNT(*) AS n FROM {table}", table=table))
    assert row is not None
    return int(row["n"])


def test_sesuai_completes_kkpr_as_oss_will_confirm_it(pipeline: Pipeline) -> None:
    app = pipeline.submit(SESUAI, by="key:oss")
    assert (app["outcome"], app["form"], app["status"]) == ("sesuai", "KKKPR", "in_progress")
    assert (app["current_stage"], app["stage_status"]) == ("PERSETUJUAN_LINGKUNGAN", "pending")
    assert app["stages"][0] == {"stage": "KKPR", "status": "completed"}
    assert types(app) == ["application.submitted", "stage.completed"]
    assert [e["seq"] for e in app["events"]] == [1, 2]
    assert app["conditions"] == []
    assert app["document"] is None  # OSS issues the KKKPR, kkpr no paper
    completed = app["events"][1]["data"]
    assert completed["stage"] == "KKPR" and completed["document"] is None
    assert completed["decided_by"] == {"by": "oss_confirmation_expected"}
    assert [(h["stage"], h["status"]) for h in app["history"]] == [
        ("KKPR", "in_progress"),
        ("KKPR", "completed"),
    ]


def test_sesuai_bersyarat_carries_its_conditions(pipeline: Pipeline) -> None:
    app = pipeline.submit(BERSYARAT)
    assert app["outcome"] == "sesuai_bersyarat"
    assert app["current_stage"] == "PERSETUJUAN_LINGKUNGAN"
    assert app["conditions"] == [
        {
            "kode": "T1",
            "id": "Luas lantai paling banyak 200 m2",
            "en": "Luas lantai paling banyak 200 m2",
            "source": "plan",
        }
    ]
    event = app["events"][-1]
    assert event["type"] == "stage.completed"
    assert event["data"]["conditions"] == app["conditions"]
    # the next stages see them too
    later = pipeline.report_stage(app["id"], "PERSETUJUAN_LINGKUNGAN", "in_progress", by="key:oss")
    assert later["events"][-1]["data"]["conditions"] == app["conditions"]


def test_tidak_sesuai_is_rejected_with_its_reasons(pipeline: Pipeline) -> None:
    app = pipeline.submit(TIDAK)
    assert (app["status"], app["current_stage"], app["stage_status"]) == (
        "rejected",
        "KKPR",
        "rejected",
    )
    assert types(app) == ["application.submitted", "stage.rejected"]
    codes = {r["code"] for r in app["events"][-1]["data"]["reasons"]}
    assert "itbx.X" in codes
    assert app["document"] is None


@pytest.mark.parametrize("sub", [KAJIAN, PKKPR], ids=["kajian", "outside-rdtr"])
def test_what_oss_cannot_confirm_takes_the_pkkpr_path(pipeline: Pipeline, sub: Submission) -> None:
    app = pipeline.submit(sub)
    assert (app["outcome"], app["form"], app["status"], app["stage_status"]) == (
        "perlu_kajian", "PKKPR", "in_review", "in_review")  # fmt: skip
    assert types(app) == ["application.submitted", "kkpr.status"]
    [case] = app["reviews"]
    assert (case["kind"], case["kd_status"], case["deadline"]) == ("pkkpr", "09", None)


def test_the_whole_single_window(pipeline: Pipeline) -> None:
    app = pipeline.submit(SESUAI)
    for stage, status in [
        ("PERSETUJUAN_LINGKUNGAN", "in_progress"),
        ("PERSETUJUAN_LINGKUNGAN", "completed"),
        ("PBG", "in_progress"),
        ("PBG", "completed"),
        ("SLF", "completed"),
        ("PERIZINAN_BERUSAHA", "completed"),
    ]:
        app = pipeline.report_stage(app["id"], stage, status, by="key:oss", note="ok")
    assert app["status"] == "completed"
    assert all(s["status"] == "completed" for s in app["stages"])
    assert types(app) == [
        "application.submitted",
        "stage.completed",
        "stage.started",
        "stage.completed",
        "stage.started",
        "stage.completed",
        "stage.completed",
        "stage.completed",
        "application.completed",
    ]
    assert [e["seq"] for e in app["events"]] == list(range(1, 10))


def test_refused_moves_write_nothing(pipeline: Pipeline, pipeline_db: Database) -> None:
    running = pipeline.submit(SESUAI)
    reviewing = pipeline.submit(KAJIAN)
    rejected = pipeline.submit(TIDAK)
    before = (count(pipeline_db, "outbox"), count(pipeline_db, "stage_history"))
    refusals = [
        (running["id"], "KKPR", "completed"),  # KKPR is kkpr's own
        (running["id"], "SLF", "in_progress"),  # skips the environment and PBG
        (running["id"], "PBG", "completed"),  # the environment comes first
        (running["id"], "PERSETUJUAN_LINGKUNGAN", "pending"),  # no going back
        (reviewing["id"], "PERSETUJUAN_LINGKUNGAN", "in_progress"),  # KKPR still assessed
        (rejected["id"], "PERSETUJUAN_LINGKUNGAN", "completed"),  # rejected is final
    ]
    for app_id, stage, status in refusals:
        with pytest.raises(Conflict):
            pipeline.report_stage(app_id, stage, status)
    with pytest.raises(NotFound):
        pipeline.report_stage("no-such-application", "PBG", "completed")
    assert (count(pipeline_db, "outbox"), count(pipeline_db, "stage_history")) == before
    assert pipeline.get(running["id"])["current_stage"] == "PERSETUJUAN_LINGKUNGAN"


def test_a_repeated_report_writes_no_second_event(pipeline: Pipeline) -> None:
    app = pipeline.submit(SESUAI)
    once = pipeline.report_stage(app["id"], "PERSETUJUAN_LINGKUNGAN", "completed")
    twice = pipeline.report_stage(app["id"], "PERSETUJUAN_LINGKUNGAN", "completed")
    assert types(twice) == types(once)


def test_a_resubmitted_external_ref_is_the_same_application(
    pipeline: Pipeline, pipeline_db: Database
) -> None:
    first = pipeline.submit(replace(SESUAI, external_ref="OSS-2026-0001"))
    again = pipeline.submit(replace(SESUAI, external_ref="OSS-2026-0001"))
    assert again["id"] == first["id"]
    assert count(pipeline_db, "applications") == 1
    assert count(pipeline_db, "outbox") == 2


# ---------------------------------------------------------------- atomicity


def test_an_outbox_failure_rolls_back_the_state_change(
    pipeline: Pipeline, pipeline_db: Database
) -> None:
    app = pipeline.submit(SESUAI)
    # a row squatting on the next sequence number: the event insert will fail on the
    # UNIQUE (application_id, seq) constraint, after the state has been updated
    with pipeline_db.transaction() as tx:
        tx.execute(
            sql(
                "INSERT INTO outbox (event_id, application_id, seq, type, body, created_at)"
                " VALUES ('squatter', {}, 3, 'x', {}, '2026-01-01T00:00:00.000000Z')"
            ),
            (app["id"], '{"data": {}}'),
        )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        pipeline.report_stage(app["id"], "PERSETUJUAN_LINGKUNGAN", "completed")
    after = pipeline.get(app["id"])
    assert (after["current_stage"], after["stage_status"]) == ("PERSETUJUAN_LINGKUNGAN", "pending")
    assert len(after["history"]) == 2
    assert [e["id"] for e in after["events"]][2:] == ["squatter"]
    with pipeline_db.transaction() as tx:
        tx.execute(sql("DELETE FROM outbox WHERE event_id = 'squatter'"))
    done = pipeline.report_stage(app["id"], "PERSETUJUAN_LINGKUNGAN", "completed")
    assert done["current_stage"] == "PBG"
