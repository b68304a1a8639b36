"""The pipeline's views are what their TypedDicts declare, on SQLite and PostgreSQL: the
review queue's cases (``review.CaseView``), the case list's rows and page
(``search.CaseRow``, ``CasePage``) and the applicant's tracking answer
(``tracking.TrackingAnswer``), each held key by key and value by value to real answers
of every kind: a KKKPR, a case just opened, a case waiting for its payment, a decision."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kkpr.db.sql import sql
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.db import loads
from kkpr.pipeline.integration import IntegrationSetting
from kkpr.pipeline.outbox import OutboxEvent
from kkpr.pipeline.review import CaseView, Decision, View
from kkpr.pipeline.search import CasePage, CaseRow, Filters, Paging, search
from kkpr.pipeline.state import ApplicationView
from kkpr.pipeline.tracking import TrackingAnswer
from tests.pipeline.test_assessment import R2, SITI, TO_DECISION, TO_PAYMENT, walk
from tests.typed import keys, required, shape_errors

DECISION_KEYS = {"decision", "persetujuan", "reviewer", "officer", "reasons", "conditions",
                 "plan_version", "decided_on", "on_time", "decision_status", "valid_until"}  # fmt: skip


def every_kind(pipe: Pipeline) -> dict[str, dict[str, Any]]:
    """One application of each kind, as submitted (with its number and access code)."""
    opened = pipe.submit(replace(R2, external_ref="open"))
    paying = pipe.submit(replace(R2, external_ref="paying"))
    walk(pipe, paying["id"], TO_PAYMENT[:3])  # billed: waiting for the proof of payment
    decided = pipe.submit(replace(R2, external_ref="decided"))
    walk(pipe, decided["id"], TO_DECISION)
    pipe.decide(decided["id"], Decision.APPROVE, officer=SITI, reasons=["Sesuai RDTR"])
    pipe.set_integration("mini", "package", True, reason="uji / test", by="key:test")
    kkkpr = pipe.submit(replace(R2, external_ref="kkkpr"))
    assert kkkpr["path"] == "KKKPR" and paying["path"] == "PKKPR"
    return {"open": opened, "paying": paying, "decided": decided, "kkkpr": kkkpr}


def test_queue_search_and_tracking_are_their_types(pipeline: Pipeline) -> None:
    apps = every_kind(pipeline)
    queue = pipeline.reviews(View.ALL) + pipeline.reviews(View.DECIDED)
    assert len(queue) == 3 and shape_errors(queue, list[CaseView]) == []
    queued = {"site", "document_number", "decided_at"}
    for case in queue:
        extra = DECISION_KEYS if case["id"] == apps["decided"]["id"] else set()
        assert set(case) == required(CaseView) | queued | extra, case["id"]

    page = search(pipeline.db, Filters(), Paging(), pipeline.today(), pipeline.settings,
                  pipeline.calendar)  # fmt: skip
    assert page["total"] == 4 and shape_errors(page, CasePage) == []
    assert all(set(row) == keys(CaseRow) for row in page["items"])
    assert {row["decision"] for row in page["items"]} == {None, "approve"}

    seen = {
        kind: pipeline.applicant_status(app["number"], app["access_code"])
        for kind, app in apps.items()
    }
    assert shape_errors(list(seen.values()), list[TrackingAnswer]) == []
    base = required(TrackingAnswer)
    assert set(seen["kkkpr"]) == base | {"outcome"}
    assert set(seen["open"]) == base | {"clock", "missing"}
    assert set(seen["paying"]) == base | {"clock", "missing", "bill"}
    assert set(seen["decided"]) == base | {"clock", "missing", "decision"}
    assert set(seen["decided"]["state"]) == {"code", "kd_status", "id", "en"}


def test_the_application_view_is_its_type(pipeline: Pipeline) -> None:
    apps = every_kind(pipeline)
    # submit's answer: the view with the access code, given this once
    assert shape_errors(list(apps.values()), list[ApplicationView]) == []
    assert all(set(a) == required(ApplicationView) | {"access_code"} for a in apps.values())
    views = {kind: pipeline.get(app["id"]) for kind, app in apps.items()}
    assert shape_errors(list(views.values()), list[ApplicationView]) == []
    assert all(set(v) == required(ApplicationView) for v in views.values())
    assert views["kkkpr"]["assessment"] is None and views["decided"]["document"] is not None
    decided = views["decided"]["assessment"]
    assert decided is not None and set(decided) >= DECISION_KEYS
    assert views["decided"]["events"] and views["decided"]["check"] is not None


def test_an_integration_setting_is_its_type(pipeline: Pipeline) -> None:
    first = pipeline.set_integration("mini", "package", True, reason="uji", by="key:test")
    again = pipeline.set_integration("mini", "package", False, reason="dicabut", by=None)
    assert shape_errors([first, again], list[IntegrationSetting]) == []
    assert (first["n"], again["n"], again["integrated"]) == (1, 2, False)
    assert set(again) == keys(IntegrationSetting)


def test_the_events_stored_and_sent_are_their_type(pipeline: Pipeline) -> None:
    every_kind(pipeline)
    with pipeline.db.transaction() as tx:
        bodies = [loads(r["body"]) for r in tx.query(sql("SELECT body FROM outbox ORDER BY seq"))]
    assert len(bodies) > 10 and shape_errors(bodies, list[OutboxEvent]) == []
    assert all(set(b) == keys(OutboxEvent) for b in bodies)
    assert {b["type"] for b in bodies} >= {"application.submitted", "kkpr.status", "kkpr.final"}
