"""The PKKPR assessment's unit of work: its steps, its decision, its deadline, and the
decision's later life (extension, change, revocation).

Each method checks the move (``kkpr.pipeline.statuses``) and what it must carry
(``kkpr.pipeline.steps``), then writes the transition, the case, the outbox events
and, for a decision, the region's assessment record, in one transaction. ``Pipeline``
(``kkpr.pipeline.applications``) is this class with the submission and the later
stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from typing_extensions import TypedDict

from kkpr.check import check
from kkpr.db.database import Database, Row, Tx
from kkpr.db.sql import sql, update
from kkpr.errors import Conflict, InvalidInput
from kkpr.model import Effect, Outcome, Proposal, Site
from kkpr.pipeline import cases, documents, integration, logged, outbox, state, steps
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.cases import SYSTEM, Officer
from kkpr.pipeline.db import Clock, dumps, iso, loads
from kkpr.pipeline.findings import (
    CarriedCondition,
    CheckJson,
    check_json,
    conditions_of,
    reasons_of,
    stored_check,
)
from kkpr.pipeline.logged import log_check
from kkpr.pipeline.review import (
    PERSETUJUAN_OF,
    Decision,
    DecisionError,
    DecisionRecord,
    check_decision,
)
from kkpr.pipeline.sla import clock_of
from kkpr.pipeline.stages import Stage, StageStatus, move_kkpr
from kkpr.pipeline.state import ApplicationView, event, move, position
from kkpr.pipeline.statuses import (
    ACTIONS,
    CLOCK_STEPS,
    KKPR_FINAL,
    STATES,
    Action,
    Actor,
    State,
    next_position,
)
from kkpr.pipeline.technical import PartialApprovalError, approved_part, data_teknis
from kkpr.pipeline.tracking import TrackingAnswer, applicant_status
from kkpr.records.checks import CheckLog
from kkpr.settings import Settings
from kkpr.site import site_from_geojson, to_plan_crs
from kkpr.store.base import Store

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

IN_FORCE = "berlaku"
EXTENDED = "diperpanjang"
REVOKED = "dicabut"
EXPIRED = "kedaluwarsa"


class DeadlineDone(TypedDict):
    """What the deadline sweep did to one case: ``flagged`` or ``fiktif_positif``."""

    application_id: str
    number: str
    done: str


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def standing(case: Row, today: date) -> str | None:
    """The decision's standing today: berlaku, diperpanjang, dicabut or kedaluwarsa."""
    status = case.get("decision_status")
    until = case.get("valid_until")
    if status in (IN_FORCE, EXTENDED) and until and today > date.fromisoformat(until):
        return EXPIRED
    return status


@dataclass(frozen=True)
class Approval:
    """What the engine worked out for a decision, before the transaction."""

    found: CheckJson  # the engine's check of the approved polygon (or the whole site)
    approved: BaseGeometry | None
    requested_m2: float
    approved_m2: float | None
    zones: dict[str, Any]


class Assessment:
    db: Database
    store: Store
    settings: Settings
    check_log: CheckLog
    clock: Clock
    calendar: WorkingCalendar
    tz: ZoneInfo

    # provided by Pipeline (kkpr.pipeline.applications)
    def local_date(self, moment: datetime) -> date:
        raise NotImplementedError

    def today(self) -> date:
        raise NotImplementedError

    def get(self, app_id: str) -> ApplicationView:
        raise NotImplementedError

    def map_zones(
        self, site: dict[str, Any], crs: str | None, plan_id: str | None
    ) -> dict[str, Any]:
        raise NotImplementedError

    # ------------------------------------------------------------ steps

    def act(
        self,
        app_id: str,
        action: Action | str,
        officer: Officer,
        *,
        keterangan: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> ApplicationView:
        """One step of the assessment (not the decision: ``decide``); the application."""
        action = Action(action)
        if action in (Action.PUTUSKAN, Action.FIKTIF_POSITIF):
            raise Conflict(
                f"Langkah {action} tidak diambil di sini",
                f"Action {action} is not taken here",
                where="action",
                hint_id="Keputusan: POST .../decision; fiktif positif: pemeriksaan batas waktu",
                hint_en="A decision: POST .../decision; fiktif positif: the deadline sweep",
            )
        now = self.clock()
        with self.db.transaction() as tx:
            app = state.load(tx, app_id)
            case = self._pkkpr(tx, app_id)
            next_position(cases.position(case), action)  # refused before any input check
            note, carried, updates = steps.prepare(
                action, keterangan, dict(data or {}), case, self._area(app), self.settings, now
            )
            actor = ACTIONS[action].actor
            cases.record(
                tx, app, case, action, officer, now, self.tz, actor=actor, keterangan=note,
                data=carried, updates=updates,
            )  # fmt: skip
        return self.get(app_id)

    def _pkkpr(self, tx: Tx, app_id: str) -> Row:
        case = cases.load(tx, app_id)
        if case["path"] != "PKKPR":
            raise Conflict(
                f"Permohonan {case['number']} menempuh jalur KKKPR: dikonfirmasi oleh OSS",
                f"Application {case['number']} takes the KKKPR path: OSS confirms it",
                where="application_id",
            )
        return case

    def _area(self, app: Row) -> float | None:
        found = stored_check(app["check_result"])
        area = found["site"]["area_m2"] or loads(app["proposal"]).get("land_area_m2")
        return None if area is None else float(area)

    # ------------------------------------------------------------ the decision

    def decide(
        self,
        app_id: str,
        decision: Decision | str,
        *,
        officer: Officer,
        reasons: list[str],
        conditions: list[str] | None = None,
        approved_site: dict[str, Any] | None = None,
        approved_crs: str | None = None,
    ) -> ApplicationView:
        """The decision after the Pertek and the FPR: approved in full (with or without
        conditions), approved in part (the approved polygon, inside the requested
        site, re-checked by the engine), or rejected; the application."""
        decision = Decision(decision)
        extra = [c for c in (conditions or []) if c.strip()]
        check_decision(decision, reasons, extra, approved_site)
        target = State.DITOLAK if decision == Decision.REJECT else State.DISETUJUI
        with self.db.transaction() as tx:
            app = state.load(tx, app_id, lock=False)
            case = self._pkkpr(tx, app_id)
        next_position(cases.position(case), Action.PUTUSKAN, target)
        steps.needs_fpr(case, self.settings)
        work = self._approval(app, decision, approved_site, approved_crs, by=officer.key)
        now = self.clock()
        with self.db.transaction() as tx:
            app = state.load(tx, app_id)
            case = self._pkkpr(tx, app_id)
            steps.needs_fpr(case, self.settings)
            self._decide_tx(
                tx, app, case, Action.PUTUSKAN, decision, target, officer, Actor.STAFF,
                reasons, extra, work, now,
            )  # fmt: skip
        return self.get(app_id)

    def _approval(
        self, app: Row, decision: Decision, approved_site: dict[str, Any] | None,
        approved_crs: str | None, *, by: str | None = None,
    ) -> Approval:  # fmt: skip
        """The engine's part of a decision, outside the transaction (geometry work);
        its check is logged in the check log (``kkpr.pipeline.logged``)."""
        meta = self.store.rules(app["plan_id"]).meta
        site = site_from_geojson(loads(app["site"]), app["site_crs"])
        requested = to_plan_crs(site, meta.crs)
        proposal = Proposal(**loads(app["proposal"]))
        requested_m2 = requested.area or proposal.land_area_m2
        if not requested_m2:
            raise DecisionError(
                "Lokasi berupa titik tanpa luas tanah: keputusan tidak dapat diambil",
                "A point site without a land area cannot be decided",
                where="proposal.land_area_m2",
                hint_id="Minta pemohon melengkapi luas tanah atau poligon bidang",
                hint_en="Ask the applicant for the land area or the parcel's polygon",
            )
        approved: BaseGeometry | None = None if requested.geom_type == "Point" else requested
        if decision == Decision.APPROVE_IN_PART:
            drawn = to_plan_crs(site_from_geojson(approved_site, approved_crs), meta.crs)
            approved = approved_part(requested, drawn, self.settings.pkkpr_partial_tolerance_m2)
            found = check_json(check(self.store, Site(approved, meta.crs), app["kbli"], proposal,
                                     plan_id=app["plan_id"]))  # fmt: skip
            if found["outcome"] == Outcome.TIDAK_SESUAI:
                why = reasons_of(found, Effect.FORBIDS)
                raise PartialApprovalError(
                    "Bagian yang disetujui tidak sesuai rencana: "
                    + "; ".join(r["id"] for r in why),
                    "The approved part does not conform to the plan: "
                    + "; ".join(r["en"] for r in why),
                    where="approved_site",
                    hint_id="Pilih bagian lokasi yang sesuai dengan rencana",
                    hint_en="Choose a part of the site that conforms to the plan",
                    extra={"reasons": why},
                )
            approved_m2: float | None = approved.area
        else:
            found = check_json(check(self.store, site, app["kbli"], proposal,
                                     plan_id=app["plan_id"]))  # fmt: skip
            approved_m2 = None if decision == Decision.REJECT else requested_m2
        inputs = {
            "application_id": app["id"], "decision": str(decision), "site": loads(app["site"]),
            "site_crs": app["site_crs"], "approved_site": approved_site,
            "approved_crs": approved_crs, "kbli": app["kbli"], "proposal": loads(app["proposal"]),
            "plan_id": app["plan_id"],
        }  # fmt: skip
        log_check(self.check_log, logged.DECISION, inputs, found, by)
        zones = {}
        if decision != Decision.REJECT:
            zones = self.map_zones(loads(app["site"]), app["site_crs"], app["plan_id"])
        return Approval(found, approved if approved_m2 else None, requested_m2, approved_m2,
                        zones)  # fmt: skip

    def _decide_tx(
        self, tx: Tx, app: Row, case: Row, action: Action, decision: Decision | str,
        target: State, officer: Officer, actor: Actor, reasons: list[str], extra: list[str],
        work: Approval, now: datetime,
    ) -> None:  # fmt: skip
        rules = self.store.rules(app["plan_id"])
        decided_on = self.local_date(now)
        approve = target != State.DITOLAK
        # fiktif positif approves the whole site, as requested
        persetujuan = PERSETUJUAN_OF.get(str(decision), "seluruhnya") if approve else "ditolak"
        carried: list[CarriedCondition] = conditions_of(work.found) + [
            {"kode": f"K{i}", "id": c, "en": c, "source": "review"} for i, c in enumerate(extra, 1)
        ]
        valid_until = add_years(decided_on, self.settings.kkpr_validity_years) if approve else None
        region = rules.meta.region_code or "00"
        number = documents.next_number(tx, region, decided_on) if approve else None
        url = documents.record_url(number, self.settings) if number else None
        teknis = data_teknis(
            rules=rules, found=work.found, approved=work.approved, plan_crs=rules.meta.crs,
            requested_m2=round(work.requested_m2, 2),
            approved_m2=None if work.approved_m2 is None else round(work.approved_m2, 2),
            persetujuan=persetujuan, reasons=reasons, conditions=carried if approve else [],
            nomor_pertek=(loads(case["pertek"]) or {}).get("nomor"), valid_until=valid_until,
            record_url=url,
        )  # fmt: skip
        record: DecisionRecord = {
            "decision": str(decision),
            "data_teknis": teknis,
            "officer": officer.to_dict(),
            "reasons": reasons,
            "conditions": extra,
            "fpr": loads(case["fpr"]),
            "pertek": loads(case["pertek"]),
            "plan_version": rules.meta.version,
            "decided_at": iso(now),
            "decided_on": decided_on.isoformat(),
            "engine_outcome": work.found["outcome"],
        }
        step = cases.record(
            tx, app, case, action, officer, now, self.tz, actor=actor,
            keterangan="; ".join(reasons), target=target,
            data={"decision": str(decision), "persetujuan": teknis["persetujuan"],
                  "luas_dimohon": teknis["luas_dimohon"], "luas": teknis["luas"]},
            updates={"decision": dumps(record), "decision_status": IN_FORCE if approve else None,
                     "valid_until": valid_until and valid_until.isoformat()},
        )  # fmt: skip
        final = cases.izin_status(case, app, step, self.tz, None)
        final.pop("data_pnbp", None)
        outbox.emit(
            tx, app["id"], KKPR_FINAL,
            {"application": cases.summary(app, case), **cases.oss_fields(step),
             "izin_final": {**final, "data_teknis": teknis}, "decision": str(decision)},
            now,
        )  # fmt: skip
        if approve:
            move(
                tx, app, move_kkpr(position(app), StageStatus.COMPLETED), now, by=officer.key,
                stage=Stage.KKPR, stage_status=StageStatus.COMPLETED, conditions=carried,
                note=STATES[target].id,
            )  # fmt: skip
            doc = documents.issue(
                tx, app, work.found, carried, number=number or "", region_code=region,
                map_zones=work.zones, decided_by={"by": "pkkpr", **record["officer"],
                "decision": str(decision), "plan_version": rules.meta.version},
                issued_on=decided_on, now=now, settings=self.settings, decision=record,
            )  # fmt: skip
            app["document_number"] = doc["number"]
            tx.execute(
                sql("UPDATE applications SET document_number = {} WHERE id = {}"),
                (doc["number"], app["id"]),
            )
            event(
                tx, app, outbox.STAGE_COMPLETED, now, stage=str(Stage.KKPR),
                status=str(StageStatus.COMPLETED), outcome=work.found["outcome"],
                conditions=carried, document=doc, decided_by=record["officer"],
            )  # fmt: skip
        else:
            move(tx, app, move_kkpr(position(app), StageStatus.REJECTED), now, by=officer.key)
            event(
                tx, app, outbox.STAGE_REJECTED, now, stage=str(Stage.KKPR),
                status=str(StageStatus.REJECTED),
                reasons=[{"code": "pkkpr.ditolak", "id": r, "en": r} for r in reasons],
            )  # fmt: skip

    # ------------------------------------------------------------ the deadline

    def enforce_deadlines(self) -> list[DeadlineDone]:
        """Every open PKKPR assessment past its deadline takes the configured policy:
        ``flag`` (recorded once, shown in the queue) or ``fiktif_positif`` (approved by
        law, OSS status 57, with its record). Returns what was done, per case."""
        today = self.today()
        finals = tuple(str(s) for s, info in STATES.items() if info.final)
        with self.db.transaction() as tx:
            open_ids = [
                r["application_id"]
                for r in tx.query(
                    sql(
                        "SELECT application_id FROM cases WHERE path = 'PKKPR' AND state NOT IN"
                        f" ({', '.join(['{}'] * len(finals))}) ORDER BY number"
                    ),
                    finals,
                )
            ]
        done: list[DeadlineDone] = []
        for app_id in open_ids:
            with self.db.transaction() as tx:
                case = cases.load(tx, app_id, lock=False)
                clock = clock_of(cases.ticks(cases.transitions(tx, app_id)), today,
                                 self.settings.review_deadline_working_days, self.calendar)  # fmt: skip
            if not clock.overdue:
                continue
            policy = self.settings.pkkpr_overdue_policy
            if (
                policy == "fiktif_positif"
                and not clock.paused
                and State(case["step"]) in CLOCK_STEPS
            ):
                self._fiktif_positif(app_id, clock.deadline)
                done.append({"application_id": app_id, "number": case["number"],
                             "done": "fiktif_positif"})  # fmt: skip
            elif case["overdue_flagged_at"] is None:
                self._flag(app_id, clock.deadline)
                done.append({"application_id": app_id, "number": case["number"],
                             "done": "flagged"})  # fmt: skip
        return done

    def _flag(self, app_id: str, deadline: date | None) -> None:
        now = self.clock()
        with self.db.transaction() as tx:
            case = cases.load(tx, app_id)
            if case["overdue_flagged_at"] is not None:
                return
            note = f"Batas waktu {deadline} terlampaui tanpa keputusan / deadline passed"
            cases.append(
                tx, app_id, action="tandai_terlambat", from_state=case["state"],
                to_state=case["state"], code=None, officer=SYSTEM, actor=Actor.SYSTEM,
                keterangan=note, data={"deadline": str(deadline)}, now=now, tz=self.tz,
            )  # fmt: skip
            tx.execute(sql("UPDATE cases SET overdue_flagged_at = {} WHERE application_id = {}"),
                       (iso(now), app_id))  # fmt: skip

    def _fiktif_positif(self, app_id: str, deadline: date | None) -> None:
        with self.db.transaction() as tx:
            app = state.load(tx, app_id, lock=False)
        work = self._approval(app, Decision.APPROVE, None, None)
        now = self.clock()
        reason = (
            f"Disetujui demi hukum (fiktif positif): batas waktu {deadline} terlampaui tanpa "
            f"keputusan / approved by law: the deadline {deadline} passed with no decision"
        )
        with self.db.transaction() as tx:
            app = state.load(tx, app_id)
            case = cases.load(tx, app_id)
            self._decide_tx(
                tx, app, case, Action.FIKTIF_POSITIF, "fiktif_positif", State.FIKTIF_POSITIF,
                SYSTEM, Actor.SYSTEM, [reason], [], work, now,
            )  # fmt: skip

    # ------------------------------------------------------------ after the decision

    def extend(self, app_id: str, officer: Officer, *, reason: str) -> ApplicationView:
        """Extend a decision in force, within its validity, at most the allowed times."""
        return self._after(app_id, "perpanjang", officer, reason, {})

    def change(
        self, app_id: str, officer: Officer, *, reason: str, changes: dict[str, Any]
    ) -> ApplicationView:
        """A recorded change of a decision in force (what changed, and why)."""
        if not changes:
            raise InvalidInput("Perubahan harus menyebut apa yang berubah",
                               "A change must say what changes", where="changes")  # fmt: skip
        return self._after(app_id, "ubah", officer, reason, changes)

    def revoke(self, app_id: str, officer: Officer, *, reason: str) -> ApplicationView:
        """Revoke a decision; verification of its record then says so."""
        return self._after(app_id, "cabut", officer, reason, {})

    def _after(
        self, app_id: str, what: str, officer: Officer, reason: str, changes: dict[str, Any]
    ) -> ApplicationView:
        if not reason.strip():
            raise InvalidInput(f"Langkah {what} harus memuat alasan",
                               f"Action {what} must give its reason", where="reason")  # fmt: skip
        now = self.clock()
        today = self.local_date(now)
        with self.db.transaction() as tx:
            app = state.load(tx, app_id)
            case = cases.load(tx, app_id)
            now_standing = standing(case, today)
            if now_standing not in (IN_FORCE, EXTENDED):
                raise Conflict(
                    f"Keputusan permohonan {case['number']} tidak berlaku "
                    f"({now_standing or 'belum ada keputusan'}): tidak dapat di-{what}",
                    f"The decision of {case['number']} is not in force "
                    f"({now_standing or 'no decision'}): it cannot be {what}",
                    where="application_id",
                )
            updates: dict[str, Any] = {}
            if what == "perpanjang":
                if case["extensions"] >= self.settings.kkpr_max_extensions:
                    raise Conflict(
                        f"Keputusan sudah diperpanjang {case['extensions']} kali (batas "
                        f"{self.settings.kkpr_max_extensions})",
                        f"The decision was already extended {case['extensions']} times "
                        f"(limit {self.settings.kkpr_max_extensions})",
                        where="application_id",
                    )
                until = add_years(date.fromisoformat(case["valid_until"]),
                                  self.settings.kkpr_extension_years)  # fmt: skip
                updates = {"valid_until": until.isoformat(), "extensions": case["extensions"] + 1,
                           "decision_status": EXTENDED}  # fmt: skip
            elif what == "cabut":
                updates = {"decision_status": REVOKED}
            else:
                record: DecisionRecord = loads(case["decision"])
                record.setdefault("changes", []).append(
                    {"at": iso(now), "reason": reason, "changes": changes,
                     "officer": officer.to_dict()})  # fmt: skip
                updates = {"decision": dumps(record)}
            step = cases.append(
                tx, app_id, action=what, from_state=case["state"], to_state=case["state"],
                code=None, officer=officer, actor=Actor.STAFF, keterangan=reason,
                data={**changes, **{k: v for k, v in updates.items() if k != "decision"}},
                now=now, tz=self.tz,
            )  # fmt: skip
            updates["updated_at"] = iso(now)
            tx.execute(
                update("cases", updates, "application_id"),
                (*updates.values(), app_id),
            )
            case.update(updates)
            outbox.emit(
                tx, app_id, outbox.KKPR_DECISION_CHANGED,
                {"application": cases.summary(app, case), "action": what, "transition": step["n"],
                 "reason": reason, "decision_status": standing(case, today),
                 "valid_until": case["valid_until"], "changes": changes,
                 "officer": officer.to_dict()},
                now,
            )  # fmt: skip
        return self.get(app_id)

    # ------------------------------------------------------------ the applicant, the plan

    def applicant_status(self, number: str, code: str) -> TrackingAnswer:
        """The applicant's view (``kkpr.pipeline.tracking.applicant_status``)."""
        return applicant_status(self.db, number, code, self.today(), self.settings, self.calendar)

    def set_integration(
        self, plan_id: str, version: str, value: bool, *, reason: str, by: str | None
    ) -> integration.IntegrationSetting:
        self.store.rules(plan_id)  # an unknown plan is a NotFound
        return integration.set_integrated(
            self.db, plan_id, version, value, reason=reason, by=by, now=self.clock()
        )
