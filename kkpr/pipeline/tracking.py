"""The applicant's view of an application: by its number and the access code given once.

At submission every application gets an access code (``new_code``), shown to the
applicant once and stored only as a salted hash. ``applicant_status`` is the core
function behind a public tracking page: given the number and the code it says, in
plain words, the stage, the state, the working days left or why the clock is stopped,
what is missing, and the decision; with a wrong code it says nothing (``NotFound``,
the same answer as an unknown number).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import date
from typing import NotRequired

from typing_extensions import TypedDict

from kkpr.db.database import Database
from kkpr.db.sql import sql
from kkpr.errors import NotFound
from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.cases import ticks
from kkpr.pipeline.db import loads
from kkpr.pipeline.sla import clock_of
from kkpr.pipeline.statuses import STATES, State
from kkpr.settings import Settings

CODE_BYTES = 10  # 80 bits, 16 base32 characters typed by hand
NO_CASE = {"access_salt": "0" * 32, "access_hash": "0" * 64}  # matches no code


class StateWords(TypedDict):
    """The state in words; on the PKKPR path also its code and OSS ``kd_status``."""

    code: NotRequired[str]
    kd_status: NotRequired[str]
    id: str
    en: str


class TrackingClock(TypedDict):
    started: bool
    working_days_left: int | None
    deadline: str | None  # ISO date
    paused: bool
    paused_because: str | None
    overdue: bool


class Bill(TypedDict):
    """The PNBP bill to pay, while the payment waits to be verified."""

    kd_billing: str | None
    nominal: float | None  # rupiah
    tgl_expire: str | None


class TrackedDecision(TypedDict):
    persetujuan: str
    decided_on: str
    approved_m2: float | None
    valid_until: str | None
    status: str | None  # the decision's standing as recorded
    record: str | None  # the assessment record's number


class TrackingAnswer(TypedDict):
    """What the applicant sees (``applicant_status``): on the KKKPR path the check's
    outcome; on the PKKPR path the clock, what is missing, the bill and the decision."""

    number: str
    business_name: str
    kbli: str
    submitted_at: str
    path: str
    stage: str
    stage_status: str
    state: StateWords
    outcome: NotRequired[str | None]
    clock: NotRequired[TrackingClock]
    missing: NotRequired[list[str]]
    bill: NotRequired[Bill]
    decision: NotRequired[TrackedDecision]


def new_code() -> tuple[str, str, str]:
    """A fresh access code, with its salt and hash: ``(code, salt, hash)``."""
    text = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode()
    code = "-".join(text[i : i + 4] for i in range(0, len(text), 4))
    salt = secrets.token_hex(16)
    return code, salt, code_hash(code, salt)


def normal(code: str) -> str:
    bare = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(bare[i : i + 4] for i in range(0, len(bare), 4))


def code_hash(code: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{normal(code)}".encode()).hexdigest()


def _refused(number: str) -> NotFound:
    return NotFound(
        f"Permohonan {number} dengan kode akses itu tidak ada",
        f"No application {number} with that access code",
        where="code",
        hint_id="Periksa nomor permohonan dan kode akses yang diberikan saat pengajuan",
        hint_en="Check the application number and the access code given on submission",
    )


def applicant_status(
    db: Database,
    number: str,
    code: str,
    today: date,
    settings: Settings,
    calendar: WorkingCalendar,
) -> TrackingAnswer:
    """What the applicant may see of application ``number``, if ``code`` is its code."""
    with db.transaction() as tx:
        case = tx.one(sql("SELECT * FROM cases WHERE number = {}"), (number.strip(),))
        held = case or NO_CASE  # an unknown number costs the hash a wrong code costs
        matches = hmac.compare_digest(code_hash(code, held["access_salt"]), held["access_hash"])
        if case is None or not matches:
            raise _refused(number)
        app = tx.one(
            sql(
                "SELECT current_stage, stage_status, status, business_name, kbli, form, outcome,"
                " document_number, submitted_at FROM applications WHERE id = {}"
            ),
            (case["application_id"],),
        )
        steps = tx.query(
            sql(
                "SELECT to_state, kd_status, on_date, keterangan FROM transitions"
                " WHERE application_id = {} ORDER BY n"
            ),
            (case["application_id"],),
        )
    assert app is not None
    state = State(case["state"]) if case["state"] is not None else None
    out: TrackingAnswer = {
        "number": case["number"],
        "business_name": app["business_name"],
        "kbli": app["kbli"],
        "submitted_at": app["submitted_at"],
        "path": case["path"],
        "stage": app["current_stage"],
        "stage_status": app["stage_status"],
        "state": {
            "code": str(state),
            "kd_status": STATES[state].kd_status,
            "id": STATES[state].id,
            "en": STATES[state].en,
        }
        if state is not None
        else {  # the KKKPR path: OSS confirms it
            "id": "Hasil pemeriksaan otomatis; konfirmasi KKPR diterbitkan oleh OSS",
            "en": "Automatic check result; the KKPR confirmation is issued by OSS",
        },
    }
    if state is None:
        out["outcome"] = app["outcome"]
        return out
    clock = clock_of(ticks(steps), today, settings.review_deadline_working_days, calendar)
    out["clock"] = {
        "started": clock.started_on is not None,
        "working_days_left": clock.left,
        "deadline": clock.deadline.isoformat() if clock.deadline else None,
        "paused": clock.paused,
        "paused_because": clock.pause_reason,
        "overdue": clock.overdue,
    }
    out["missing"] = loads(case["missing"]) or []
    pnbp = loads(case["pnbp"])
    if pnbp and state == State.MENUNGGU_VERIFIKASI_BAYAR:
        out["bill"] = {
            "kd_billing": pnbp.get("kd_billing"),
            "nominal": pnbp.get("nominal"),
            "tgl_expire": pnbp.get("tgl_expire"),
        }
    decision = loads(case["decision"])
    if decision:
        out["decision"] = {
            "persetujuan": decision["data_teknis"]["persetujuan"],
            "decided_on": decision["decided_on"],
            "approved_m2": decision["data_teknis"]["luas"],
            "valid_until": case["valid_until"],
            "status": case["decision_status"],
            "record": app["document_number"],
        }
    return out
