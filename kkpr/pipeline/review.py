"""The staff queue of PKKPR assessments: each case with its state and its clock.

A case enters the queue when an application takes the PKKPR path and leaves it with
its decision. The queue shows every open case's OSS state, what may be done next,
and its service-level clock (``kkpr.pipeline.sla``): working days left, stopped (and
why), or overdue. The decisions are applied by ``Pipeline.decide``; this module keeps
the views and the decision's input rules.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, NotRequired

from typing_extensions import TypedDict

from kkpr.db.database import Database, Row
from kkpr.db.sql import sql
from kkpr.errors import InvalidInput
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.cases import OfficerJson, ticks
from kkpr.pipeline.db import loads
from kkpr.pipeline.sla import ClockJson, clock_of
from kkpr.pipeline.statuses import STATES, Position, State
from kkpr.pipeline.technical import DataTeknis
from kkpr.settings import Settings
from kkpr.site import as_lonlat_geojson, site_from_geojson


class Decision(StrEnum):
    APPROVE = "approve"  # disetujui seluruhnya
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"  # seluruhnya, with conditions
    APPROVE_IN_PART = "approve_in_part"  # disetujui sebagian: the approved polygon is given
    REJECT = "reject"  # ditolak seluruhnya


PERSETUJUAN_OF: dict[str, str] = {
    Decision.APPROVE: "seluruhnya",
    Decision.APPROVE_WITH_CONDITIONS: "seluruhnya",
    Decision.APPROVE_IN_PART: "sebagian",
    Decision.REJECT: "ditolak",
}


class DecisionChange(TypedDict):
    """A recorded change of a decision in force (``Assessment.change``)."""

    at: str
    reason: str
    changes: dict[str, Any]  # what changed, as the officer sent it
    officer: OfficerJson


class DecisionRecord(TypedDict):
    """A decision as the case keeps it (``cases.decision``), the record states it and
    the queue shows it (``kkpr.pipeline.assessment``)."""

    decision: str  # a Decision, or fiktif_positif
    data_teknis: DataTeknis
    officer: OfficerJson
    reasons: list[str]
    conditions: list[str]  # the conditions staff added (the check's are carried apart)
    fpr: dict[str, Any] | None  # the FPR step's data, as recorded
    pertek: dict[str, Any] | None  # the Pertek step's data, as recorded
    plan_version: str
    decided_at: str
    decided_on: str
    engine_outcome: str
    changes: NotRequired[list[DecisionChange]]


class CaseView(ClockJson):
    """A PKKPR case as the queue shows it (``case_view``), with its clock; a decided case
    also with its decision; a case of the queue (``queue``) with its site and document."""

    id: str  # the application's id, which is the review's
    application_id: str
    number: str
    kind: str  # pkkpr
    form: str
    applicant: str | None
    business_name: str | None
    kbli: str | None
    outcome: str | None
    submitted_at: str | None
    submitted_on: str | None  # the office's day of the first transition
    state: str  # an OSS state (kkpr.pipeline.statuses.State)
    kd_status: str
    state_id: str
    state_en: str
    status: str  # open or decided
    next: list[str]  # the actions that may be taken now
    missing: list[str]  # what the applicant was asked for
    due_soon: bool
    decided_at: NotRequired[str | None]  # always given (None while open), after the decision
    decision: NotRequired[str]
    persetujuan: NotRequired[str]
    reviewer: NotRequired[str | None]  # the deciding key (key:<id>)
    reviewer_name: NotRequired[str | None]  # its name (GET /v1/reviews?view=decided)
    officer: NotRequired[OfficerJson]
    reasons: NotRequired[list[str]]
    conditions: NotRequired[list[str]]
    plan_version: NotRequired[str]
    decided_on: NotRequired[str]
    on_time: NotRequired[bool]
    decision_status: NotRequired[str | None]
    valid_until: NotRequired[str | None]
    site: NotRequired[dict[str, Any]]  # GeoJSON geometry, longitude/latitude
    document_number: NotRequired[str | None]


class View(StrEnum):
    ALL = "all"  # every open case
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PAUSED = "paused"
    DECIDED = "decided"


class DecisionError(InvalidInput):
    """A decision without what it must carry (reasons, conditions, the approved part)."""

    kind = "decision-invalid"


def check_decision(
    decision: Decision, reasons: list[str], conditions: list[str], approved: object | None
) -> None:
    if not [r for r in reasons if r.strip()]:
        raise DecisionError(
            "Keputusan harus memuat alasan",
            "A decision must give its reasons",
            where="reasons",
            hint_id="Tuliskan alasan keputusan, satu per baris",
            hint_en="Write the decision's reasons, one per line",
        )
    if decision == Decision.APPROVE_WITH_CONDITIONS and not [c for c in conditions if c.strip()]:
        raise DecisionError(
            "Persetujuan bersyarat harus memuat syaratnya",
            "An approval with conditions must state the conditions",
            where="conditions",
        )
    if decision in (Decision.APPROVE, Decision.REJECT) and conditions:
        raise DecisionError(
            f"Keputusan {decision} tidak memuat syarat; gunakan approve_with_conditions",
            f"A {decision} decision carries no conditions; use approve_with_conditions",
            where="conditions",
        )
    if (decision == Decision.APPROVE_IN_PART) != (approved is not None):
        raise DecisionError(
            "Bagian yang disetujui hanya (dan harus) dikirim untuk persetujuan sebagian",
            "The approved part is sent with (and only with) an approval in part",
            where="approved_site",
            hint_id="Gunakan approve_in_part dengan poligon bagian yang disetujui",
            hint_en="Use approve_in_part with the polygon of the approved part",
        )


def queue(
    db: Database, view: View, today: date, settings: Settings, calendar: WorkingCalendar
) -> list[CaseView]:
    """Cases of a view, most urgent first, each with its clock and its site in longitude,
    latitude (for the staff map, whatever CRS the site was sent in)."""
    finals = tuple(str(s) for s, info in STATES.items() if info.final)
    marks = ", ".join(["{}"] * len(finals))
    decided = view == View.DECIDED
    with db.transaction() as tx:
        rows = tx.query(
            sql(
                "SELECT c.*, a.applicant, a.business_name, a.kbli, a.outcome, a.form, a.site,"
                " a.site_crs, a.submitted_at, a.document_number FROM cases c JOIN applications a"
                " ON a.id = c.application_id WHERE c.path = 'PKKPR' AND c.state"
                f" {'' if decided else 'NOT '}IN ({marks})"
            ),
            finals,
        )
        steps: dict[str, list[Row]] = {}
        if rows:
            ids = [r["application_id"] for r in rows]
            for t in tx.query(
                sql(
                    "SELECT * FROM transitions WHERE application_id IN"
                    f" ({', '.join(['{}'] * len(ids))}) ORDER BY application_id, n"
                ),
                tuple(ids),
            ):
                steps.setdefault(t["application_id"], []).append(t)
    cases = [case_view(r, steps.get(r["application_id"], []), today, settings, calendar)
             for r in rows]  # fmt: skip
    for case, r in zip(cases, rows, strict=True):
        case["site"] = as_lonlat_geojson(site_from_geojson(loads(r["site"]), r["site_crs"]))
        case["document_number"] = r["document_number"]  # a decided case keeps its document
    if view == View.OVERDUE:
        cases = [c for c in cases if c["overdue"]]
    elif view == View.DUE_SOON:
        cases = [c for c in cases if c["due_soon"]]
    elif view == View.PAUSED:
        cases = [c for c in cases if c["paused"]]
    if decided:
        return sorted(cases, key=lambda c: c["decided_at"] or "", reverse=True)
    far = 10**6
    return sorted(cases, key=lambda c: (c["working_days_left"] if c["working_days_left"]
                                        is not None else far, c["submitted_at"]))  # fmt: skip


def case_view(
    row: Row, steps: list[Row], today: date, settings: Settings, calendar: WorkingCalendar
) -> CaseView:
    """A case as the queue and the application show it."""
    state = State(row["state"])
    clock = clock_of(ticks(steps), today, settings.review_deadline_working_days, calendar)
    clock_json = clock.to_dict()
    due_soon = settings.review_due_soon_working_days
    out: CaseView = {
        "id": row["application_id"],
        "application_id": row["application_id"],
        "number": row["number"],
        "kind": "pkkpr",
        "form": row.get("form") or "PKKPR",
        "applicant": row.get("applicant"),
        "business_name": row.get("business_name"),
        "kbli": row.get("kbli"),
        "outcome": row.get("outcome"),
        "submitted_at": row.get("submitted_at"),
        "submitted_on": steps[0]["on_date"] if steps else None,
        "state": str(state),
        "kd_status": STATES[state].kd_status,
        "state_id": STATES[state].id,
        "state_en": STATES[state].en,
        "status": "decided" if STATES[state].final else "open",
        "next": [str(a) for a in Position(state, State(row["step"])).actions()],
        "missing": loads(row.get("missing")) or [],
        # the clock's keys (a TypedDict is not unpacked into another with mypy --strict)
        "working_days": clock_json["working_days"],
        "started_on": clock_json["started_on"],
        "running": clock_json["running"],
        "paused": clock_json["paused"],
        "pause_reason": clock_json["pause_reason"],
        "working_days_used": clock_json["working_days_used"],
        "working_days_left": clock_json["working_days_left"],
        "deadline": clock_json["deadline"],
        "overdue": clock_json["overdue"],
        "ended_on": clock_json["ended_on"],
        "due_soon": bool(clock.running and not clock.overdue and (clock.left or 0) <= due_soon),
    }
    decision: DecisionRecord | None = loads(row.get("decision"))
    if decision:
        out.update(
            {
                "decision": decision["decision"],
                "persetujuan": decision["data_teknis"]["persetujuan"],
                "reviewer": decision["officer"]["key"],
                "officer": decision["officer"],
                "reasons": decision["reasons"],
                "conditions": decision["conditions"],
                "plan_version": decision["plan_version"],
                "decided_at": decision["decided_at"],
                "decided_on": decision["decided_on"],
                "on_time": not clock.overdue and (clock.used <= clock.allowed),
                "decision_status": row.get("decision_status"),
                "valid_until": row.get("valid_until"),
            }
        )
    else:
        out["decided_at"] = None
    return out
