"""A KKPR case's row and its transitions: recording a move, immutably, with its OSS event.

``record`` is the one way a PKKPR case changes state: it checks the move
(``kkpr.pipeline.statuses.next_position``), appends a transition row (who: officer NIP
and name and the key that acted; when; why; what it carried), updates the case's state,
and writes the ``kkpr.status`` outbox event carrying what an OSS ``IZINSTATUS`` needs,
all in the caller's transaction. Transition rows are never updated or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NotRequired
from zoneinfo import ZoneInfo

from typing_extensions import TypedDict

from kkpr.db.database import Row, Tx
from kkpr.db.sql import insert, sql, update
from kkpr.pipeline import outbox
from kkpr.pipeline.db import application_row, dumps, iso, loads
from kkpr.pipeline.sla import Tick
from kkpr.pipeline.statuses import (
    KKPR_STATUS,
    STATES,
    Action,
    Actor,
    Position,
    State,
    kd_status,
    next_position,
)

OSS_TIME = "%Y-%m-%d %H:%M:%S"  # IZINSTATUS.tgl_status, in the office's time


class OfficerJson(TypedDict):
    """An officer as a step, a decision and an event record it."""

    nip: str | None
    name: str
    key: str | None


@dataclass(frozen=True)
class Officer:
    """Who takes a step: the officer's NIP and name (staff), or the applicant, or kkpr."""

    name: str
    nip: str | None = None
    key: str | None = None  # the API key or login session that acted

    def to_dict(self) -> OfficerJson:
        return {"nip": self.nip, "name": self.name, "key": self.key}


SYSTEM = Officer(name="Sistem kkpr (otomatis)")


class Transition(TypedDict):
    """One step of a case as ``append`` stores it (its ``data`` as a dict)."""

    application_id: str
    n: int
    action: str
    from_state: str | None
    to_state: str
    kd_status: str | None  # the OSS status code, None for a step that sends none
    officer_nip: str | None
    officer_name: str
    actor: str
    acted_by: str | None
    keterangan: str | None
    data: dict[str, Any]  # what the step carried; its keys depend on the action
    at: str
    on_date: str  # the office's date


class OssOfficer(TypedDict):
    nip: str | None
    name: str


class IzinStatus(TypedDict):
    """What an OSS ``IZINSTATUS`` needs of one transition (``izin_status``)."""

    nib: str | None
    external_ref: str | None
    kd_status: str | None
    tgl_status: str
    nip_status: str | None
    nama_status: str | None
    keterangan: str
    data_pnbp: NotRequired[dict[str, Any]]  # the bill, when the step issues one


class OssFields(TypedDict):
    """The flat fields an OSS adapter reads of a status event (``oss_fields``)."""

    kd_status: str | None
    officer: OssOfficer | None
    keterangan: str
    at: str
    data_pnbp: NotRequired[dict[str, Any]]


class CaseSummary(TypedDict):
    """What every status event says about its case (``summary``)."""

    id: str
    number: str
    external_ref: str | None
    nib: str | None
    path: str
    state: str | None
    kd_status: str | None


def load(tx: Tx, app_id: str, *, lock: bool = True) -> Row:
    return application_row(tx, "cases", "application_id", app_id, lock=lock)


def position(case: Row) -> Position:
    return Position(State(case["state"]), State(case["step"]))


def transitions(tx: Tx, app_id: str) -> list[Row]:
    rows = tx.query(
        sql("SELECT * FROM transitions WHERE application_id = {} ORDER BY n"), (app_id,)
    )
    for r in rows:
        r["data"] = loads(r["data"])
    return rows


def ticks(rows: list[Row]) -> list[Tick]:
    from datetime import date

    return [
        Tick(State(r["to_state"]), date.fromisoformat(r["on_date"]), r["keterangan"])
        for r in rows
        if r["kd_status"] is not None
    ]


def append(
    tx: Tx,
    app_id: str,
    *,
    action: str,
    from_state: str | None,
    to_state: str,
    code: str | None,
    officer: Officer,
    actor: Actor,
    keterangan: str | None,
    data: dict[str, Any],
    now: datetime,
    tz: ZoneInfo,
) -> Transition:
    """Append one transition row; returns it as stored."""
    last = tx.one(sql("SELECT MAX(n) AS n FROM transitions WHERE application_id = {}"), (app_id,))
    n = int(last["n"] or 0) + 1 if last else 1
    step: Transition = {
        "application_id": app_id,
        "n": n,
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "kd_status": code,
        "officer_nip": officer.nip,
        "officer_name": officer.name,
        "actor": str(actor),
        "acted_by": officer.key,
        "keterangan": keterangan,
        "data": data,
        "at": iso(now),
        "on_date": now.astimezone(tz).date().isoformat(),
    }
    row = {**step, "data": dumps(data)}
    tx.execute(insert("transitions", row), tuple(row.values()))
    return step


def izin_status(
    case: Row, app: Row, step: Transition, tz: ZoneInfo, pnbp: dict[str, Any] | None
) -> IzinStatus:
    """What an OSS ``IZINSTATUS`` needs of one transition (the OSS adapter adds its ids).
    The officer is the region's: a step of the applicant or of kkpr itself names none,
    and the adapter sends the service's own identity."""
    at = datetime.fromisoformat(step["at"].replace("Z", "+00:00")).astimezone(tz)
    officer = _officer(step)
    out: IzinStatus = {
        "nib": case["nib"],
        "external_ref": app["external_ref"],
        "kd_status": step["kd_status"],
        "tgl_status": at.strftime(OSS_TIME),
        "nip_status": officer and officer["nip"],
        "nama_status": officer and officer["name"],
        "keterangan": step["keterangan"] or STATES[State(step["to_state"])].id,
    }
    if pnbp is not None:
        out["data_pnbp"] = pnbp
    return out


def _officer(step: Transition) -> OssOfficer | None:
    """The officer OSS is told of: staff only (see ``izin_status``)."""
    if step["actor"] != Actor.STAFF:
        return None
    return {"nip": step["officer_nip"], "name": step["officer_name"]}


def oss_fields(step: Transition, pnbp: dict[str, Any] | None = None) -> OssFields:
    """The flat fields an OSS adapter reads of a status event: code, officer, time, why,
    and the bill when one is issued."""
    out: OssFields = {
        "kd_status": step["kd_status"],
        "officer": _officer(step),
        "keterangan": step["keterangan"] or STATES[State(step["to_state"])].id,
        "at": step["at"],
    }
    if pnbp is not None:
        out["data_pnbp"] = pnbp
    return out


def record(
    tx: Tx,
    app: Row,
    case: Row,
    action: Action,
    officer: Officer,
    now: datetime,
    tz: ZoneInfo,
    *,
    actor: Actor,
    keterangan: str | None = None,
    data: dict[str, Any] | None = None,
    target: State | None = None,
    updates: dict[str, Any] | None = None,
) -> Transition:
    """Move ``case`` by ``action`` (checked first: a refused move writes nothing), with its
    transition row, the case's new state (and ``updates`` of its other columns), and
    the ``kkpr.status`` event; returns the transition."""
    at = position(case)
    new = next_position(at, action, target)
    step = append(
        tx, app["id"], action=str(action), from_state=str(at.state), to_state=str(new.state),
        code=kd_status(new.state), officer=officer, actor=actor, keterangan=keterangan,
        data=data or {}, now=now, tz=tz,
    )  # fmt: skip
    changes = {"state": str(new.state), "step": str(new.step), **(updates or {})}
    changes["updated_at"] = iso(now)
    case.update(changes)
    tx.execute(
        update("cases", changes, "application_id"),
        (*changes.values(), app["id"]),
    )
    pnbp = (data or {}).get("data_pnbp")
    outbox.emit(
        tx, app["id"], KKPR_STATUS,
        {
            "application": summary(app, case),
            "action": str(action),
            "transition": step["n"],
            "state": str(new.state),
            "from_state": str(at.state),
            **oss_fields(step, pnbp),
            "izin_status": izin_status(case, app, step, tz, pnbp),
        },
        now,
    )  # fmt: skip
    return step


def summary(app: Row, case: Row) -> CaseSummary:
    return {
        "id": app["id"],
        "number": case["number"],
        "external_ref": app["external_ref"],
        "nib": case["nib"],
        "path": case["path"],
        "state": case["state"],
        "kd_status": kd_status(case["state"]) if case["state"] else None,
    }
