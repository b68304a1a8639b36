"""An application's row: reading it, moving it (with its history), and showing it.

These functions work inside the caller's transaction (``Tx``) so that ``Pipeline`` can
put a state change, its history row and its outbox event in one unit of work.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NotRequired

from typing_extensions import TypedDict

from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import insert as insert_statement
from kkpr.db.sql import sql
from kkpr.model import ProposalFigures
from kkpr.pipeline import cases, documents, outbox, review
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.db import application_row, dumps, iso, loads
from kkpr.pipeline.findings import CarriedCondition, CheckJson
from kkpr.pipeline.outbox import EventView
from kkpr.pipeline.review import CaseView, DecisionRecord
from kkpr.pipeline.stages import AppStatus, Position, Stage, StageStatus
from kkpr.settings import Settings


def insert(tx: Tx, row: Row) -> None:
    tx.execute(insert_statement("applications", row), tuple(row.values()))


def load(tx: Tx, app_id: str, *, lock: bool = True) -> Row:
    """The application row, locked for the rest of the transaction on PostgreSQL."""
    return application_row(tx, "applications", "id", app_id, lock=lock)


def find(db: Database, external_ref: str) -> str | None:
    """The id of the application submitted under ``external_ref``, if any."""
    with db.transaction() as tx:
        row = tx.one(sql("SELECT id FROM applications WHERE external_ref = {}"), (external_ref,))
    return row["id"] if row else None


def submitted_by(db: Database, app_id: str) -> str | None:
    """Who submitted the application (the caller id); NotFound when there is none."""
    with db.transaction() as tx:
        by = load(tx, app_id, lock=False)["submitted_by"]
    return str(by) if by is not None else None


def position(row: Row) -> Position:
    return Position(
        Stage(row["current_stage"]), StageStatus(row["stage_status"]), AppStatus(row["status"])
    )


class ApplicationSummary(TypedDict):
    """What every event says about its application (``summary``)."""

    id: str
    external_ref: str | None
    status: str
    current_stage: str
    stage_status: str
    document_number: str | None


class PlanRef(TypedDict):
    id: str
    version: str


class ApplicationView(ApplicationSummary):
    """The application as the API shows it (``view``); ``Pipeline.submit`` adds the access
    code, shown that once, and the route the tracking link."""

    number: str  # the case's number
    nib: str | None
    purpose: str
    path: str  # KKKPR or PKKPR
    rdtr_integrated: bool
    assessment: CaseView | None  # the PKKPR case, as the queue shows it
    transitions: list[Row]  # the case's steps as stored (kkpr.pipeline.cases.Transition)
    pnbp: dict[str, Any] | None  # the bill as recorded, with its estimate and proof
    pertek: dict[str, Any] | None  # the Pertek step's data, as recorded
    fpr: dict[str, Any] | None  # the FPR step's data, as recorded
    decision: DecisionRecord | None
    decision_status: str | None  # its standing today
    valid_until: str | None
    applicant: str
    business_name: str
    kbli: str
    site: dict[str, Any]  # GeoJSON, as sent
    site_crs: str | None
    proposal: ProposalFigures
    plan: PlanRef
    outcome: str | None
    form: str | None
    stages: list[dict[str, str]]  # each stage with its status
    conditions: list[CarriedCondition]
    check: CheckJson | None
    check_id: str | None  # the check's record in the check log
    reviews: list[CaseView]  # the assessment, when there is one
    document: documents.IssuedDocument | None  # the decision's record
    history: list[Row]  # the stage history as stored
    submitted_at: str
    updated_at: str
    events: list[EventView]
    access_code: NotRequired[str]
    tracking_url: NotRequired[str]


def summary(row: Row) -> ApplicationSummary:
    """What every event says about its application."""
    return {
        "id": row["id"],
        "external_ref": row["external_ref"],
        "status": row["status"],
        "current_stage": row["current_stage"],
        "stage_status": row["stage_status"],
        "document_number": row.get("document_number"),
    }


def event(tx: Tx, row: Row, event_type: str, now: datetime, **data: Any) -> None:
    """An outbox event of this application, its summary included."""
    outbox.emit(tx, row["id"], event_type, {"application": summary(row), **data}, now)


def move(
    tx: Tx,
    row: Row,
    new: Position,
    now: datetime,
    *,
    by: str | None = None,
    note: str | None = None,
    stage: Stage | None = None,
    stage_status: StageStatus | None = None,
    conditions: list[CarriedCondition] | None = None,
) -> None:
    """Write ``new`` into the application (and into ``row``), with its history row:
    ``stage``/``stage_status`` name what happened when it is not ``new`` itself (a
    completed stage moves the application on to the next one, pending)."""
    row.update(
        status=str(new.status),
        current_stage=str(new.stage),
        stage_status=str(new.stage_status),
        updated_at=iso(now),
    )
    if conditions is not None:
        row["conditions"] = dumps(conditions)
    tx.execute(
        sql(
            "UPDATE applications SET status = {}, current_stage = {}, stage_status = {},"
            " conditions = {}, document_number = {}, updated_at = {} WHERE id = {}"
        ),
        (
            row["status"],
            row["current_stage"],
            row["stage_status"],
            row["conditions"],
            row.get("document_number"),
            row["updated_at"],
            row["id"],
        ),
    )
    history(tx, row["id"], stage or new.stage, stage_status or new.stage_status, now, by, note)


def history(
    tx: Tx,
    app_id: str,
    stage: Stage,
    status: StageStatus,
    now: datetime,
    by: str | None = None,
    note: str | None = None,
) -> None:
    last = tx.one(sql("SELECT MAX(n) AS n FROM stage_history WHERE application_id = {}"), (app_id,))
    n = int(last["n"] or 0) + 1 if last else 1
    tx.execute(
        sql(
            "INSERT INTO stage_history (application_id, n, stage, status, actor, note, at)"
            " VALUES ({}, {}, {}, {}, {}, {}, {})"
        ),
        (app_id, n, str(stage), str(status), by, note, iso(now)),
    )


def view(
    db: Database, app_id: str, today: date, settings: Settings, calendar: WorkingCalendar
) -> ApplicationView:
    """The application as the API shows it: stages, conditions, check, reviews, document,
    history and events with their deliveries."""
    with db.transaction() as tx:
        row = load(tx, app_id, lock=False)
        steps = tx.query(
            sql(
                "SELECT stage, status, actor, note, at FROM stage_history"
                " WHERE application_id = {} ORDER BY n"
            ),
            (app_id,),
        )
        case = cases.load(tx, app_id, lock=False)
        moves = cases.transitions(tx, app_id)
        doc = tx.one(sql("SELECT number, code FROM documents WHERE application_id = {}"), (app_id,))
    assessment = review.case_view(case, moves, today, settings, calendar) if case["state"] else None
    head = summary(row)
    return {
        # the summary's keys (a TypedDict with NotRequired keys takes no ** with mypy --strict)
        "id": head["id"],
        "external_ref": head["external_ref"],
        "status": head["status"],
        "current_stage": head["current_stage"],
        "stage_status": head["stage_status"],
        "document_number": head["document_number"],
        "number": case["number"],
        "nib": case["nib"],
        "purpose": case["purpose"],
        "path": case["path"],
        "rdtr_integrated": bool(case["rdtr_integrated"]),
        "assessment": assessment,
        "transitions": moves,
        "pnbp": loads(case["pnbp"]),
        "pertek": loads(case["pertek"]),
        "fpr": loads(case["fpr"]),
        "decision": loads(case["decision"]),
        "decision_status": case["decision_status"] and _standing(case, today),
        "valid_until": case["valid_until"],
        "applicant": row["applicant"],
        "business_name": row["business_name"],
        "kbli": row["kbli"],
        "site": loads(row["site"]),
        "site_crs": row["site_crs"],
        "proposal": loads(row["proposal"]),
        "plan": {"id": row["plan_id"], "version": row["plan_version"]},
        "outcome": row["outcome"],
        "form": row["form"],
        "stages": position(row).stages(),
        "conditions": loads(row["conditions"]),
        "check": loads(row["check_result"]),
        "check_id": row["check_id"],  # the check's record in the check log
        "reviews": [assessment] if assessment else [],
        "document": {
            "number": doc["number"],
            "code": doc["code"],
            "url": documents.verify_url(doc["number"], doc["code"], settings),
        }
        if doc
        else None,
        "history": steps,
        "submitted_at": row["submitted_at"],
        "updated_at": row["updated_at"],
        "events": outbox.events(db, app_id),
    }


def _standing(case: Row, today: date) -> str | None:
    from kkpr.pipeline.assessment import standing

    return standing(case, today)
