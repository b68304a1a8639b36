"""Applications on SQLite and PostgreSQL: the KKPR stage by outcome, later stages reported by
the permit system, refusals that write nothing, and state + event committed together.

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

from kkpr.errors import Conflict, NotFound
from kkpr.model import Proposal
from kkpr.pipeline import documents
from kkpr.pipeline.applications import Pipeline, Submission
from kkpr.records.db import Database
from kkpr.settings import Settings
from kkpr.store.memory import MemoryStore
from tests.mini_plan import CRS, site
from tests.pipeline.conftest import Clock


def submission(x0: float, x1: float, kbli: str = "47111", **kw: Any) -> Submission:
    return Submission(
        applicant="Maria Bere",
        business_name="Toko Sejahtera",
        kbli=kbli,
        site=site(x0, 10, x1, 90),
        site_crs=CRS,
        **kw,
    )


SESUAI = submission(10, 90)
BERSYARAT = submission(110, 190, proposal=Proposal(floor_area_m2=150))
TIDAK = submission(210, 290)
KAJIAN = submission(210, 240, kbli="56101")
PKKPR = submission(310, 390)


def types(app: dict[str, Any]) -> list[str]:
    return [e["type"] for e in app["events"]]


def count(db: Database, table: str) -> int:
    with db.transaction() as tx:
        row = tx.one(f"SELECT COUNT(*) AS n FROM {table}")
    assert row is not None
    return int(row["n"])


def test_sesuai_completes_kkpr_and_issues_the_document(pipeline: Pipeline) -> None:
    app = pipeline.submit(SESUAI, by="key:oss")
    assert (app["outcome"], app["form"], app["status"]) == ("sesuai", "KKKPR", "in_progress")
    assert (app["current_stage"], app["stage_status"]) == ("PBG", "pending")
    assert app["stages"][0] == {"stage": "KKPR", "status": "completed"}
    assert types(app) == ["application.submitted", "stage.completed"]
    assert [e["seq"] for e in app["events"]] == [1, 2]
    assert app["conditions"] == []
    assert app["document"]["number"] == "KKPR/00.00/2026/000001"
    completed = app["events"][1]["data"]
    assert (
        completed["stage"] == "KKPR"
        and completed["document"]["number"] == app["document"]["number"]
    )
    assert [(h["stage"], h["status"]) for h in app["history"]] == [
        ("KKPR", "in_progress"),
        ("KKPR", "completed"),
    ]


def test_sesuai_bersyarat_carries_its_conditions(pipeline: Pipeline) -> None:
    app = pipeline.submit(BERSYARAT)
    assert app["outcome"] == "sesuai_bersyarat"
    assert app["current_stage"] == "PBG"
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
    later = pipeline.report_stage(app["id"], "PBG", "in_progress", by="key:oss")
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


@pytest.mark.parametrize(
    ("sub", "kind", "days", "deadline"),
    [
        # submitted Tue 17 March 2026; hand count in test_review.py
        (KAJIAN, "kajian", 5, "2026-03-31"),
        (PKKPR, "pkkpr", 20, "2026-04-22"),
    ],
)
def test_perlu_kajian_goes_to_staff_review(
    pipeline: Pipeline, sub: Submission, kind: str, days: int, deadline: str
) -> None:
    app = pipeline.submit(sub)
    assert (app["outcome"], app["status"], app["stage_status"]) == (
        "perlu_kajian",
        "in_review",
        "in_review",
    )
    assert types(app) == ["application.submitted", "review.opened"]
    [case] = app["reviews"]
    assert (case["kind"], case["working_days"], case["deadline"]) == (kind, days, deadline)
    assert app["events"][-1]["data"]["review"]["deadline"] == deadline


def test_conditional_outcomes_can_be_held_for_review(
    pipeline_db: Database, mini_memory_store: MemoryStore, settings: Settings, clock: Clock
) -> None:
    held = settings.model_copy(update={"review_sesuai_bersyarat": True})
    app = Pipeline(pipeline_db, mini_memory_store, held, clock=clock).submit(BERSYARAT)
    assert app["status"] == "in_review"
    assert app["reviews"][0]["kind"] == "bersyarat"
    assert app["reviews"][0]["working_days"] == held.review_conditional_deadline_working_days


def test_the_whole_single_window(pipeline: Pipeline) -> None:
    app = pipeline.submit(SESUAI)
    for stage, status in [
        ("PBG", "in_progress"),
        ("PBG", "completed"),
        ("PERSETUJUAN_LINGKUNGAN", "in_progress"),
        ("PERSETUJUAN_LINGKUNGAN", "completed"),
        ("NIB", "completed"),
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
        "application.completed",
    ]
    assert [e["seq"] for e in app["events"]] == list(range(1, 9))


def test_refused_moves_write_nothing(pipeline: Pipeline, pipeline_db: Database) -> None:
    running = pipeline.submit(SESUAI)
    reviewing = pipeline.submit(KAJIAN)
    rejected = pipeline.submit(TIDAK)
    before = (count(pipeline_db, "outbox"), count(pipeline_db, "stage_history"))
    refusals = [
        (running["id"], "KKPR", "completed"),  # KKPR is kkpr's own
        (running["id"], "NIB", "in_progress"),  # skips PBG and the environment
        (running["id"], "PERSETUJUAN_LINGKUNGAN", "completed"),
        (running["id"], "PBG", "pending"),  # no going back
        (reviewing["id"], "PBG", "in_progress"),  # KKPR still in review
        (rejected["id"], "PBG", "completed"),  # rejected is final
    ]
    for app_id, stage, status in refusals:
        with pytest.raises(Conflict):
            pipeline.report_stage(app_id, stage, status)
    with pytest.raises(NotFound):
        pipeline.report_stage("no-such-application", "PBG", "completed")
    assert (count(pipeline_db, "outbox"), count(pipeline_db, "stage_history")) == before
    assert pipeline.get(running["id"])["current_stage"] == "PBG"


def test_a_repeated_report_writes_no_second_event(pipeline: Pipeline) -> None:
    app = pipeline.submit(SESUAI)
    once = pipeline.report_stage(app["id"], "PBG", "completed")
    twice = pipeline.report_stage(app["id"], "PBG", "completed")
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
            "INSERT INTO outbox (event_id, application_id, seq, type, body, created_at)"
            " VALUES ('squatter', ?, 3, 'x', ?, '2026-01-01T00:00:00.000000Z')",
            (app["id"], '{"data": {}}'),
        )
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        pipeline.report_stage(app["id"], "PBG", "completed")
    after = pipeline.get(app["id"])
    assert (after["current_stage"], after["stage_status"]) == ("PBG", "pending")
    assert len(after["history"]) == 2
    assert [e["id"] for e in after["events"]][2:] == ["squatter"]
    with pipeline_db.transaction() as tx:
        tx.execute("DELETE FROM outbox WHERE event_id = 'squatter'")
    done = pipeline.report_stage(app["id"], "PBG", "completed")
    assert done["current_stage"] == "PERSETUJUAN_LINGKUNGAN"


def test_a_failure_after_the_kkpr_decision_leaves_no_trace(
    pipeline: Pipeline, pipeline_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("document store down")

    # the KKPR stage is written as completed, then the document cannot be issued
    monkeypatch.setattr(documents, "issue", broken)
    with pytest.raises(RuntimeError, match="document store down"):
        pipeline.submit(SESUAI)
    for table in ("applications", "stage_history", "outbox", "deliveries", "documents"):
        assert count(pipeline_db, table) == 0, table
