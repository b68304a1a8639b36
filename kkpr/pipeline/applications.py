"""Applications of the single window, and the KKPR stage kkpr runs for them.

``Pipeline`` is the unit of work: each method checks the move with
``kkpr.pipeline.stages``, then writes the new state, its stage history, its outbox
events (and, for an approval, its document) in ONE transaction, so an event exists
exactly when its state change does.

By outcome of the check, the KKPR stage is ``sesuai`` → completed, ``sesuai_bersyarat``
→ completed with its conditions carried to the next stages, ``tidak_sesuai`` →
rejected, ``perlu_kajian`` → staff review (``kkpr.pipeline.review``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kkpr.check import as_site, check
from kkpr.model import Effect, Outcome, Proposal
from kkpr.pipeline import documents, outbox, review, state
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.db import Clock, dumps, iso, loads, utc_now
from kkpr.pipeline.document_render import zones_near
from kkpr.pipeline.stages import AppStatus, Stage, StageStatus, move_kkpr, report
from kkpr.pipeline.state import conditions_of, event, move, position, reasons_of
from kkpr.records.db import Database, Row, Tx
from kkpr.settings import Settings
from kkpr.site import to_plan_crs
from kkpr.store.base import Store

STAGE_EVENTS = {
    StageStatus.IN_PROGRESS: outbox.STAGE_STARTED,
    StageStatus.COMPLETED: outbox.STAGE_COMPLETED,
    StageStatus.REJECTED: outbox.STAGE_REJECTED,
}


@dataclass(frozen=True)
class Submission:
    """What the permit system (or staff) sends to open an application."""

    applicant: str
    business_name: str
    kbli: str
    site: dict[str, Any]  # GeoJSON geometry or Feature
    proposal: Proposal = field(default_factory=Proposal)
    site_crs: str | None = None
    external_ref: str | None = None  # the permit system's own id: a retried submit is no-op
    plan_id: str | None = None


class Pipeline:
    def __init__(
        self, db: Database, store: Store, settings: Settings, *, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.store = store
        self.settings = settings
        self.clock = clock
        self.calendar = WorkingCalendar.from_settings(settings)
        self._tz = ZoneInfo(settings.office_timezone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self._tz).date()

    def today(self) -> date:
        return self.local_date(self.clock())

    # ------------------------------------------------------------ submit

    def submit(self, sub: Submission, *, by: str | None = None) -> dict[str, Any]:
        """Open an application and run its KKPR stage; the application as stored."""
        if sub.external_ref and (known := self.find(sub.external_ref)):
            return self.get(known)
        result = check(
            self.store, sub.site, sub.kbli, sub.proposal, plan_id=sub.plan_id, crs=sub.site_crs
        )
        held = self.settings.review_sesuai_bersyarat
        target = {
            Outcome.SESUAI: StageStatus.COMPLETED,
            Outcome.SESUAI_BERSYARAT: StageStatus.IN_REVIEW if held else StageStatus.COMPLETED,
            Outcome.TIDAK_SESUAI: StageStatus.REJECTED,
            Outcome.PERLU_KAJIAN: StageStatus.IN_REVIEW,
        }[result.outcome]
        found = result.to_dict()
        zones = (
            self._map_zones(sub.site, sub.site_crs, sub.plan_id)
            if target == StageStatus.COMPLETED
            else {}
        )
        now = self.clock()
        row = {
            "id": uuid.uuid4().hex,
            "external_ref": sub.external_ref,
            "applicant": sub.applicant,
            "business_name": sub.business_name,
            "kbli": sub.kbli,
            "site": dumps(sub.site),
            "site_crs": sub.site_crs,
            "proposal": dumps(sub.proposal.to_dict()),
            "plan_id": found["plan"]["id"],
            "plan_version": found["plan"]["version"],
            "status": str(AppStatus.IN_PROGRESS),
            "current_stage": str(Stage.KKPR),
            "stage_status": str(StageStatus.IN_PROGRESS),
            "outcome": str(result.outcome),
            "form": str(result.form),
            "check_result": dumps(found),
            "conditions": dumps([]),
            "document_number": None,
            "submitted_at": iso(now),
            "submitted_by": by,
            "updated_at": iso(now),
            "event_seq": 0,
        }
        try:
            with self.db.transaction() as tx:
                state.insert(tx, row)
                state.history(tx, row["id"], Stage.KKPR, StageStatus.IN_PROGRESS, now, by)
                event(
                    tx, row, outbox.APPLICATION_SUBMITTED, now,
                    kbli=sub.kbli, outcome=found["outcome"], form=found["form"],
                )  # fmt: skip
                self._run_kkpr(tx, row, found, target, zones, by, now)
        except Exception:
            if sub.external_ref and (known := self.find(sub.external_ref)):
                return self.get(known)  # the same submission raced us and won
            raise
        return self.get(row["id"])

    def _run_kkpr(
        self,
        tx: Tx,
        row: Row,
        found: dict[str, Any],
        target: StageStatus,
        zones: dict[str, Any],
        by: str | None,
        now: datetime,
    ) -> None:
        """The KKPR stage by the check's outcome: complete, reject, or queue for review."""
        if target == StageStatus.COMPLETED:
            decided = {"by": "check", "outcome": found["outcome"]}
            self._complete_kkpr(tx, row, found, conditions_of(found), decided, zones, by, now)
        elif target == StageStatus.REJECTED:
            self._reject(tx, row, reasons_of(found, Effect.FORBIDS), by, now)
        else:
            kind = review.kind_of(found["form"], found["outcome"])
            case = review.open_review(
                tx, row["id"], kind, found["form"], self.local_date(now), self.settings,
                self.calendar, now,
            )  # fmt: skip
            move(tx, row, move_kkpr(position(row), target), now, by=by)
            event(
                tx, row, outbox.REVIEW_OPENED, now,
                review={k: case[k] for k in ("id", "kind", "deadline", "working_days")},
                reasons=reasons_of(found, Effect.REVIEW) or conditions_of(found),
            )  # fmt: skip

    # ------------------------------------------------------------ decisions and reports

    def decide(
        self,
        review_id: str,
        decision: review.Decision | str,
        *,
        reviewer: str,
        reasons: list[str],
        conditions: list[str] | None = None,
    ) -> dict[str, Any]:
        """A staff decision on a queued case; the application as stored."""
        decision = review.Decision(decision)
        extra = list(conditions or [])
        review.check_decision(decision, reasons, extra)
        with self.db.transaction() as tx:
            pre = tx.one("SELECT application_id FROM reviews WHERE id = ?", (review_id,))
            app = state.load(tx, pre["application_id"], lock=False) if pre else None
        zones = (
            self._map_zones(loads(app["site"]), app["site_crs"], app["plan_id"])
            if app and decision != review.Decision.REJECT
            else {}
        )
        now = self.clock()
        with self.db.transaction() as tx:
            case = review.open_case(tx, review_id)
            row = state.load(tx, case["application_id"])
            plan_version = self.store.rules(row["plan_id"]).meta.version
            review.record_decision(
                tx, case, decision, reviewer=reviewer, reasons=reasons, conditions=extra,
                plan_version=plan_version, now=now, decided_on=self.local_date(now),
            )  # fmt: skip
            event(
                tx, row, outbox.REVIEW_DECIDED, now,
                review={"id": review_id, "kind": case["kind"], "deadline": case["deadline"]},
                decision=str(decision), reviewer=reviewer, reasons=reasons, conditions=extra,
                plan_version=plan_version,
            )  # fmt: skip
            if decision == review.Decision.REJECT:
                rejected = [{"code": "review.reject", "id": r, "en": r} for r in reasons]
                self._reject(tx, row, rejected, reviewer, now)
            else:
                found = loads(row["check_result"])
                carried = conditions_of(found) + [
                    {"kode": f"K{i}", "id": c, "en": c, "source": "review"}
                    for i, c in enumerate(extra, 1)
                ]
                decided = {
                    "by": "review",
                    "review_id": review_id,
                    "reviewer": reviewer,
                    "decision": str(decision),
                    "plan_version": plan_version,
                }
                self._complete_kkpr(tx, row, found, carried, decided, zones, reviewer, now)
        return self.get(row["id"])

    def report_stage(
        self,
        app_id: str,
        stage: Stage | str,
        status: StageStatus | str,
        *,
        by: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """The permit system reports a later stage; a repeated report changes nothing."""
        stage, status = Stage(stage), StageStatus(status)
        now = self.clock()
        with self.db.transaction() as tx:
            row = state.load(tx, app_id)
            new = report(position(row), stage, status)
            if new is not None:
                move(tx, row, new, now, by=by, note=note, stage=stage, stage_status=status)
                event(
                    tx, row, STAGE_EVENTS[status], now,
                    stage=str(stage), status=str(status), note=note,
                    conditions=loads(row["conditions"]),
                )  # fmt: skip
                if new.status == AppStatus.COMPLETED:
                    event(tx, row, outbox.APPLICATION_COMPLETED, now)
        return self.get(app_id)

    # ------------------------------------------------------------ reading

    def get(self, app_id: str) -> dict[str, Any]:
        return state.view(self.db, app_id, self.today(), self.settings, self.calendar)

    def find(self, external_ref: str) -> str | None:
        return state.find(self.db, external_ref)

    def reviews(
        self, view: review.View | str = review.View.ALL, today: date | None = None
    ) -> list[dict[str, Any]]:
        return review.queue(
            self.db, review.View(view), today or self.today(), self.settings, self.calendar
        )

    # ------------------------------------------------------------ the KKPR outcome

    def _complete_kkpr(
        self,
        tx: Tx,
        row: Row,
        found: dict[str, Any],
        conditions: list[dict[str, Any]],
        decided_by: dict[str, Any],
        zones: dict[str, Any],
        by: str | None,
        now: datetime,
    ) -> None:
        """KKPR completed: the stage moves on, the document is issued, the event says so."""
        new = move_kkpr(position(row), StageStatus.COMPLETED)
        move(
            tx, row, new, now, by=by, stage=Stage.KKPR, stage_status=StageStatus.COMPLETED,
            conditions=conditions,
        )  # fmt: skip
        doc = documents.issue(
            tx, row, found, conditions,
            region_code=self.store.rules(row["plan_id"]).meta.region_code, map_zones=zones,
            decided_by=decided_by, issued_on=self.local_date(now), now=now,
            settings=self.settings,
        )  # fmt: skip
        row["document_number"] = doc["number"]
        tx.execute(
            "UPDATE applications SET document_number = ? WHERE id = ?", (doc["number"], row["id"])
        )
        event(
            tx, row, outbox.STAGE_COMPLETED, now,
            stage=str(Stage.KKPR), status=str(StageStatus.COMPLETED), outcome=found["outcome"],
            conditions=conditions, document=doc, decided_by=decided_by,
        )  # fmt: skip

    def _reject(
        self, tx: Tx, row: Row, reasons: list[dict[str, Any]], by: str | None, now: datetime
    ) -> None:
        move(tx, row, move_kkpr(position(row), StageStatus.REJECTED), now, by=by)
        event(
            tx, row, outbox.STAGE_REJECTED, now,
            stage=str(Stage.KKPR), status=str(StageStatus.REJECTED), reasons=reasons,
        )  # fmt: skip

    def _map_zones(
        self, site: dict[str, Any], crs: str | None, plan_id: str | None
    ) -> dict[str, Any]:
        """The zones the document's map shows, kept with it (plans change, documents not)."""
        plan_crs = self.store.rules(plan_id).meta.crs
        geom = to_plan_crs(as_site(site, crs), plan_crs)
        return {"crs": plan_crs, "features": zones_near(self.store, geom, plan_crs, plan_id)}
