"""The staff review queue: cases awaiting a decision, each with its working-day deadline.

A case is opened when the KKPR check answers ``perlu_kajian`` (or ``sesuai_bersyarat``
when ``Settings.review_sesuai_bersyarat`` is on). Its deadline is counted in working
days (``kkpr.pipeline.calendar``) from the submission date:
``review_deadline_working_days`` for a PKKPR case (the site lies outside the RDTR),
``review_conditional_deadline_working_days`` for a case inside the RDTR that needs a
study. The decision itself is applied by ``Pipeline.decide``; this module keeps the
rows and the views.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from kkpr.errors import Conflict, InvalidInput, NotFound
from kkpr.model import Form
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.db import dumps, iso, loads
from kkpr.records.db import Database, Row, Tx
from kkpr.settings import Settings
from kkpr.site import as_lonlat_geojson, site_from_geojson


class Decision(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REJECT = "reject"


class View(StrEnum):
    ALL = "all"  # every open case
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    DECIDED = "decided"


class Kind(StrEnum):
    PKKPR = "pkkpr"  # outside the RDTR: assessed against the RTRW
    KAJIAN = "kajian"  # inside the RDTR, a study is needed
    BERSYARAT = "bersyarat"  # conditional outcome held for staff confirmation


class DecisionError(InvalidInput):
    """A decision without what it must carry (reasons, conditions)."""

    kind = "decision-invalid"


def kind_of(form: Form | str, outcome: str) -> Kind:
    if str(form) == Form.PKKPR:
        return Kind.PKKPR
    return Kind.KAJIAN if outcome == "perlu_kajian" else Kind.BERSYARAT


def deadline_days(kind: Kind, settings: Settings) -> int:
    if kind == Kind.PKKPR:
        return settings.review_deadline_working_days
    return settings.review_conditional_deadline_working_days


def open_review(
    tx: Tx,
    application_id: str,
    kind: Kind,
    form: str,
    submitted_on: date,
    settings: Settings,
    calendar: WorkingCalendar,
    now: datetime,
) -> dict[str, Any]:
    """Queue a case; its deadline is the n-th working day after ``submitted_on``."""
    days = deadline_days(kind, settings)
    row = {
        "id": uuid.uuid4().hex,
        "application_id": application_id,
        "kind": str(kind),
        "form": form,
        "submitted_on": submitted_on.isoformat(),
        "deadline": calendar.add_working_days(submitted_on, days).isoformat(),
        "working_days": days,
        "status": "open",
        "created_at": iso(now),
    }
    tx.execute(
        f"INSERT INTO reviews ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    return row


def open_case(tx: Tx, review_id: str) -> Row:
    """The open review ``review_id``, locked for the decision."""
    lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
    row = tx.one(f"SELECT * FROM reviews WHERE id = ?{lock}", (review_id,))
    if row is None:
        raise NotFound(
            f"Kajian {review_id} tidak ada", f"Review {review_id} does not exist", where="id"
        )
    if row["status"] != "open":
        raise Conflict(
            f"Kajian {review_id} sudah diputuskan ({row['decision']})",
            f"Review {review_id} is already decided ({row['decision']})",
            where="id",
        )
    return row


def check_decision(decision: Decision, reasons: list[str], conditions: list[str]) -> None:
    if not [r for r in reasons if r.strip()]:
        raise DecisionError(
            "Keputusan harus memuat alasan",
            "A decision must give its reasons",
            where="reasons",
        )
    if decision == Decision.APPROVE_WITH_CONDITIONS and not [c for c in conditions if c.strip()]:
        raise DecisionError(
            "Persetujuan bersyarat harus memuat syaratnya",
            "An approval with conditions must state the conditions",
            where="conditions",
        )
    if decision != Decision.APPROVE_WITH_CONDITIONS and conditions:
        raise DecisionError(
            f"Keputusan {decision} tidak memuat syarat; gunakan approve_with_conditions",
            f"A {decision} decision carries no conditions; use approve_with_conditions",
            where="conditions",
        )


def record_decision(
    tx: Tx,
    review: Row,
    decision: Decision,
    *,
    reviewer: str,
    reasons: list[str],
    conditions: list[str],
    plan_version: str,
    now: datetime,
    decided_on: date,
) -> None:
    tx.execute(
        "UPDATE reviews SET status = 'decided', decision = ?, reviewer = ?, reasons = ?,"
        " conditions = ?, plan_version = ?, decided_at = ?, decided_on = ? WHERE id = ?",
        (
            str(decision),
            reviewer,
            dumps(reasons),
            dumps(conditions),
            plan_version,
            iso(now),
            decided_on.isoformat(),
            review["id"],
        ),
    )


def queue(
    db: Database,
    view: View,
    today: date,
    settings: Settings,
    calendar: WorkingCalendar,
) -> list[dict[str, Any]]:
    """Cases of a view, most urgent first, each with its working days left and its site
    in longitude, latitude (for the staff map, whatever CRS the site was sent in)."""
    sql = (
        "SELECT r.*, a.applicant, a.business_name, a.kbli, a.outcome, a.site, a.site_crs"
        " FROM reviews r JOIN applications a ON a.id = r.application_id WHERE "
    )
    params: tuple[Any, ...]
    if view == View.DECIDED:
        sql += "r.status = 'decided' ORDER BY r.decided_at DESC"
        params = ()
    elif view == View.OVERDUE:
        sql += "r.status = 'open' AND r.deadline < ? ORDER BY r.deadline, r.created_at"
        params = (today.isoformat(),)
    elif view == View.DUE_SOON:
        soon = calendar.add_working_days(today, settings.review_due_soon_working_days)
        sql += (
            "r.status = 'open' AND r.deadline >= ? AND r.deadline <= ?"
            " ORDER BY r.deadline, r.created_at"
        )
        params = (today.isoformat(), soon.isoformat())
    else:
        sql += "r.status = 'open' ORDER BY r.deadline, r.created_at"
        params = ()
    with db.transaction() as tx:
        rows = tx.query(sql, params)
    return [
        {
            **case_view(r, today, settings, calendar),
            "site": as_lonlat_geojson(site_from_geojson(loads(r["site"]), r["site_crs"])),
        }
        for r in rows
    ]


def case_view(
    row: Row, today: date, settings: Settings, calendar: WorkingCalendar
) -> dict[str, Any]:
    deadline = date.fromisoformat(row["deadline"])
    out: dict[str, Any] = {
        k: row.get(k)
        for k in (
            "id",
            "application_id",
            "kind",
            "form",
            "submitted_on",
            "deadline",
            "working_days",
            "status",
            "applicant",
            "business_name",
            "kbli",
            "outcome",
        )
    }
    if row["status"] == "open":
        left = calendar.count_working_days(today, deadline)
        out["working_days_left"] = left
        out["overdue"] = today > deadline
        out["due_soon"] = not out["overdue"] and left <= settings.review_due_soon_working_days
    else:
        decided_on = date.fromisoformat(row["decided_on"])
        out.update(
            decision=row["decision"],
            reviewer=row["reviewer"],
            reasons=loads(row["reasons"]),
            conditions=loads(row["conditions"]),
            plan_version=row["plan_version"],
            decided_at=row["decided_at"],
            decided_on=row["decided_on"],
            working_days_taken=calendar.count_working_days(
                date.fromisoformat(row["submitted_on"]), decided_on
            ),
            on_time=decided_on <= deadline,
        )
    return out
