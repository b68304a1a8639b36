"""Applications of the single window, and the KKPR stage kkpr runs for them.

``Pipeline`` is the unit of work: each method checks the move first, then writes the
new state, its history, its outbox events (and, for a decision, its record) in ONE
transaction, so an event exists exactly when its state change does.

Which path (``DOMAIN.md``, "The three forms"): a site wholly inside an RDTR that is
integrated in OSS (``kkpr.pipeline.integration``) takes the KKKPR path: the engine's
answer is recorded as what OSS will confirm, and kkpr issues no paper for it. Every
other site takes the PKKPR path: the assessment of ``kkpr.pipeline.assessment``,
whose every state is an OSS ``kd_status``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kkpr.check import as_site, check
from kkpr.db.database import Database
from kkpr.db.sql import insert, sql
from kkpr.errors import InvalidInput
from kkpr.model import Effect, Form, Outcome, Proposal
from kkpr.pipeline import cases, integration, outbox, review, state
from kkpr.pipeline import logged as logged_kinds
from kkpr.pipeline.assessment import Assessment
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.db import Clock, dumps, iso, loads, next_counter, utc_now
from kkpr.pipeline.findings import CheckJson, check_json, conditions_of, reasons_of
from kkpr.pipeline.logged import log_check
from kkpr.pipeline.pnbp import Purpose
from kkpr.pipeline.stages import AppStatus, Stage, StageStatus, move_kkpr, report
from kkpr.pipeline.state import ApplicationView, event, move, position
from kkpr.pipeline.statuses import KKPR_STATUS, START, Action, Actor
from kkpr.pipeline.tracking import new_code
from kkpr.records.checks import CheckLog, open_records, records_url
from kkpr.settings import Settings
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
    nib: str | None = None  # the applicant's business identity (OSS registers it first)
    purpose: Purpose | str = Purpose.BERUSAHA


def required_figures(sub: Submission) -> None:
    """An application (not a pre-check) states planned floors and total floor area, as
    OSS requires; a point site also states its land area."""
    p = sub.proposal
    for name, value in (("floors", p.floors), ("floor_area_m2", p.floor_area_m2)):
        if value is None:
            raise InvalidInput(
                f"Permohonan harus menyebut {name} (jumlah lantai dan luas lantai bangunan)",
                f"An application must state {name} (planned floors and total floor area)",
                where=f"proposal.{name}",
                hint_id="Isi jumlah lantai dan luas lantai bangunan yang direncanakan",
                hint_en="State the planned number of floors and the total floor area",
            )
    geometry = sub.site.get("geometry", sub.site) if isinstance(sub.site, dict) else {}
    if str(geometry.get("type", "")).endswith("Point") and not p.land_area_m2:
        raise InvalidInput(
            "Lokasi berupa titik harus menyebut luas tanah",
            "A point site must state its land area",
            where="proposal.land_area_m2",
            hint_id="Isi luas tanah (m²) atau kirim poligon bidang tanah",
            hint_en="State the land area (m²) or send the parcel's polygon",
        )
    Purpose(sub.purpose)


class Pipeline(Assessment):
    def __init__(
        self,
        db: Database,
        store: Store,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        check_log: CheckLog | None = None,
    ) -> None:
        """``check_log``: where the pipeline's checks are logged (the app's own; by
        default the records database of ``settings``)."""
        self.db = db
        self.store = store
        self.settings = settings
        self.check_log = check_log or CheckLog(open_records(records_url(settings)))
        self.clock = clock
        self.calendar = WorkingCalendar.from_settings(settings)
        self.tz = ZoneInfo(settings.office_timezone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def today(self) -> date:
        return self.local_date(self.clock())

    # ------------------------------------------------------------ submit

    def submit(self, sub: Submission, *, by: str | None = None) -> ApplicationView:
        """Open an application and start its KKPR stage; the application as stored, with
        its access code (shown this once: only its hash is kept)."""
        if sub.external_ref and (known := self.find(sub.external_ref)):
            return self.get(known)
        required_figures(sub)
        result = check(
            self.store, sub.site, sub.kbli, sub.proposal, plan_id=sub.plan_id, crs=sub.site_crs
        )
        found = check_json(result)
        meta = self.store.rules(found["plan"]["id"]).meta
        inputs = {
            "site": sub.site, "site_crs": sub.site_crs, "kbli": sub.kbli,
            "proposal": sub.proposal.to_dict(), "plan_id": sub.plan_id,
            "external_ref": sub.external_ref,
        }  # fmt: skip
        logged = log_check(self.check_log, logged_kinds.APPLICATION, inputs, found, by)
        now = self.clock()
        code, salt, hashed = new_code()
        row: dict[str, Any] = {
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
            "form": None,
            "check_result": dumps(found),
            "check_id": logged.id,
            "conditions": dumps([]),
            "document_number": None,
            "submitted_at": iso(now),
            "submitted_by": by,
            "updated_at": iso(now),
            "event_seq": 0,
        }
        try:
            with self.db.transaction() as tx:
                rdtr = integration.integrated(tx, meta, found["plan"]["version"])
                kkkpr = (
                    rdtr and result.form == Form.KKKPR and result.outcome != Outcome.PERLU_KAJIAN
                )
                row["form"] = str(Form.KKKPR if kkkpr else Form.PKKPR)
                year = self.local_date(now).year
                region = meta.region_code or "00"
                seq = next_counter(tx, f"application:{region}:{year}")
                case = {
                    "application_id": row["id"],
                    "number": f"{row['form']}-{region}-{year}-{seq:06d}",
                    "nib": sub.nib,
                    "purpose": str(Purpose(sub.purpose)),
                    "access_salt": salt,
                    "access_hash": hashed,
                    "path": row["form"],
                    "rdtr_integrated": int(rdtr),
                    "state": None,
                    "step": None,
                    "extensions": 0,
                    "updated_at": iso(now),
                }
                state.insert(tx, row)
                tx.execute(insert("cases", case), tuple(case.values()))
                state.history(tx, row["id"], Stage.KKPR, StageStatus.IN_PROGRESS, now, by)
                event(
                    tx, row, outbox.APPLICATION_SUBMITTED, now,
                    kbli=sub.kbli, outcome=found["outcome"], form=row["form"],
                    number=case["number"], nib=sub.nib, rdtr_integrated=rdtr,
                )  # fmt: skip
                if kkkpr:
                    self._kkkpr(tx, row, found, by, now)
                else:
                    self._open_pkkpr(tx, row, case, sub, by, now)
        except Exception:
            if sub.external_ref and (known := self.find(sub.external_ref)):
                return self.get(known)  # the same submission raced us and won
            raise
        answer = self.get(row["id"])
        answer["access_code"] = code
        return answer

    def _kkkpr(
        self, tx: Any, row: dict[str, Any], found: CheckJson, by: str | None, now: datetime
    ) -> None:
        """The KKKPR path: the engine's answer is what OSS will confirm; kkpr records it
        as such and issues no paper titled as a KKPR."""
        if found["outcome"] == Outcome.TIDAK_SESUAI:
            move(tx, row, move_kkpr(position(row), StageStatus.REJECTED), now, by=by,
                 note="KKKPR: OSS tidak akan mengonfirmasi / OSS will not confirm")  # fmt: skip
            event(
                tx, row, outbox.STAGE_REJECTED, now, stage=str(Stage.KKPR),
                status=str(StageStatus.REJECTED), reasons=reasons_of(found, Effect.FORBIDS),
                decided_by={"by": "oss_confirmation_expected"},
            )  # fmt: skip
            return
        carried = conditions_of(found)
        move(
            tx, row, move_kkpr(position(row), StageStatus.COMPLETED), now, by=by,
            stage=Stage.KKPR, stage_status=StageStatus.COMPLETED, conditions=carried,
            note="KKKPR: hasil yang akan dikonfirmasi OSS / what OSS will confirm",
        )  # fmt: skip
        event(
            tx, row, outbox.STAGE_COMPLETED, now, stage=str(Stage.KKPR),
            status=str(StageStatus.COMPLETED), outcome=found["outcome"], conditions=carried,
            decided_by={"by": "oss_confirmation_expected"}, document=None,
        )  # fmt: skip

    def _open_pkkpr(
        self, tx: Any, row: dict[str, Any], case: dict[str, Any], sub: Submission,
        by: str | None, now: datetime,
    ) -> None:  # fmt: skip
        """The PKKPR path: the assessment starts with the requirements filled in (09)."""
        move(tx, row, move_kkpr(position(row), StageStatus.IN_REVIEW), now, by=by)
        step = cases.append(
            tx, row["id"], action="ajukan", from_state=None, to_state=str(START.state),
            code="09", officer=cases.Officer(name=sub.applicant, key=by),
            actor=Actor.APPLICANT, keterangan=None, data={}, now=now, tz=self.tz,
        )  # fmt: skip
        case.update(state=str(START.state), step=str(START.step))
        tx.execute(
            sql("UPDATE cases SET state = {}, step = {} WHERE application_id = {}"),
            (case["state"], case["step"], row["id"]),
        )
        outbox.emit(
            tx, row["id"], KKPR_STATUS,
            {"application": cases.summary(row, case), "action": "ajukan", "transition": 1,
             "state": case["state"], "from_state": None, **cases.oss_fields(step),
             "izin_status": cases.izin_status(case, row, step, self.tz, None)},
            now,
        )  # fmt: skip

    # ------------------------------------------------------------ later stages

    def report_stage(
        self,
        app_id: str,
        stage: Stage | str,
        status: StageStatus | str,
        *,
        by: str | None = None,
        note: str | None = None,
    ) -> ApplicationView:
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

    def get(self, app_id: str) -> ApplicationView:
        return state.view(self.db, app_id, self.today(), self.settings, self.calendar)

    def find(self, external_ref: str) -> str | None:
        return state.find(self.db, external_ref)

    def reviews(
        self, view: review.View | str = review.View.ALL, today: date | None = None
    ) -> list[review.CaseView]:
        return review.queue(
            self.db, review.View(view), today or self.today(), self.settings, self.calendar
        )

    def map_zones(
        self, site: dict[str, Any], crs: str | None, plan_id: str | None
    ) -> dict[str, Any]:
        """The zones the record's map shows, kept with it (plans change, records not)."""
        from kkpr.pipeline.document_render import zones_near
        from kkpr.site import to_plan_crs

        plan_crs = self.store.rules(plan_id).meta.crs
        geom = to_plan_crs(as_site(site, crs), plan_crs)
        return {"crs": plan_crs, "features": zones_near(self.store, geom, plan_crs, plan_id)}


__all__ = ["Action", "Pipeline", "Submission"]
