"""What was done to a plan's versions, by whom and when: an append-only record.

Every step of managing a plan is one row: a package uploaded (or refused, with its
error count), its validation report read, its diff against the active version and the
re-check impact computed, a version activated, a rollback. The stores keep their own
state (which version is active; PostGIS also logs activations in ``kkpr.activations``);
this record is the same for both stores and also holds the steps that change nothing,
so that the audit can say who looked at what before activating.

The table lives in the records database (SQLite or PostgreSQL, beside the check log;
records migration 0002, applied by ``open_records``) and, like the check log, refuses
UPDATE and DELETE.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from typing_extensions import TypedDict

from kkpr.db.database import Database, Row
from kkpr.db.sql import sql
from kkpr.records.checks import utc_iso

ACTIONS = (
    "upload",  # a valid package loaded as an inactive version
    "upload_refused",  # a package that failed validation: nothing loaded
    "validate",  # the validation report read
    "diff",  # the diff against the active version computed
    "impact",  # the re-check impact over recorded checks computed
    "activate",
    "rollback",
)


class PlanEventJson(TypedDict):
    """A step as the plan management page lists it (``PlanEvent.to_dict``)."""

    id: str
    at: str
    plan_id: str
    version: str | None
    action: str
    by: str
    detail: dict[str, Any]  # what the step recorded; its keys depend on the action


@dataclass(frozen=True)
class PlanEvent:
    id: str
    at: str
    plan_id: str
    version: str | None
    action: str
    by: str
    detail: dict[str, Any]

    @classmethod
    def from_row(cls, row: Row) -> PlanEvent:
        return cls(
            id=row["id"],
            at=row["at"],
            plan_id=row["plan_id"],
            version=row["version"],
            action=row["action"],
            by=row["actor"],
            detail=json.loads(row["detail"]),
        )

    def to_dict(self) -> PlanEventJson:
        return {
            "id": self.id,
            "at": self.at,
            "plan_id": self.plan_id,
            "version": self.version,
            "action": self.action,
            "by": self.by,
            "detail": self.detail,
        }


class PlanEvents:
    """Append and read the steps of managing plans."""

    def __init__(self, db: Database, clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self._clock = clock or (lambda: datetime.now(UTC))

    def record(
        self,
        plan_id: str,
        action: str,
        by: str,
        version: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> PlanEvent:
        if action not in ACTIONS:
            raise ValueError(f"unknown plan event {action!r}; known: {ACTIONS}")
        event = PlanEvent(
            id=secrets.token_hex(8),
            at=utc_iso(self._clock()),
            plan_id=plan_id,
            version=version,
            action=action,
            by=by,
            detail=detail or {},
        )
        with self.db.transaction() as tx:
            tx.execute(
                sql(
                    "INSERT INTO plan_events (id, at, plan_id, version, action, actor, detail) "
                    "VALUES ({}, {}, {}, {}, {}, {}, {})"
                ),
                (
                    event.id,
                    event.at,
                    plan_id,
                    version,
                    action,
                    by,
                    json.dumps(event.detail, sort_keys=True, ensure_ascii=False),
                ),
            )
        return event

    def of_plan(self, plan_id: str, limit: int = 200) -> list[PlanEvent]:
        """The plan's events, newest first."""
        with self.db.transaction() as tx:
            rows = tx.query(
                sql(
                    "SELECT id, at, plan_id, version, action, actor, detail FROM plan_events "
                    "WHERE plan_id = {} ORDER BY at DESC, id DESC LIMIT {}"
                ),
                (plan_id, limit),
            )
        return [PlanEvent.from_row(r) for r in rows]
