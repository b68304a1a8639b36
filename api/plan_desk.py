"""What the plan desk (``/staf/rencana``, api.routers.staff_plans) keeps per app: the
event record, reports placed on the map, impact jobs, and the packages found by checksum.

It is a field of ``AppState`` (``state.plan_desk``), built with the state, so that the
app keeps it where it keeps everything else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from typing_extensions import TypedDict

from kkpr.errors import ProblemJson
from kkpr.records.plan_events import PlanEvents
from kkpr.revision.impact import ImpactJson


class PlacedProblem(ProblemJson):
    """A problem with ``geometry`` (GeoJSON, EPSG:4326) where it has a place."""

    geometry: dict[str, Any] | None


class PlacedReport(TypedDict):
    """A version's validation report (``ValidationReport``), its problems placed."""

    plan_id: str
    version: str
    valid: bool
    errors: int
    warnings: int
    problems: list[PlacedProblem]


class ImpactResult(ImpactJson):
    """A finished impact job's result: the impact and how many checks it re-checked at
    most (the newest ``staff_plans.IMPACT_MAX_CHECKS``)."""

    limit: int


class ImpactJobJson(TypedDict):
    """An impact job as the page polls it."""

    plan_id: str
    version: str
    against: str  # the active version it compares with
    by: str
    started_at: str
    state: str  # running | done | failed
    total: int
    done: int
    result: ImpactResult | None
    error: dict[str, Any] | None  # a failed job's problem (KkprError.to_dict)


@dataclass
class ImpactJob:
    plan_id: str
    version: str
    against: str
    by: str
    started_at: str
    state: str = "running"  # running | done | failed
    total: int = 0
    done: int = 0
    result: ImpactResult | None = None
    error: dict[str, Any] | None = None

    def to_dict(self) -> ImpactJobJson:
        return {
            "plan_id": self.plan_id,
            "version": self.version,
            "against": self.against,
            "by": self.by,
            "started_at": self.started_at,
            "state": self.state,
            "total": self.total,
            "done": self.done,
            "result": self.result,
            "error": self.error,
        }


@dataclass
class Desk:
    """What this router keeps per app: the event record, reports placed on the map,
    impact jobs, and the packages found by checksum."""

    events: PlanEvents
    placed: dict[tuple[str, str], PlacedReport] = field(default_factory=dict)
    jobs: dict[tuple[str, str, str], ImpactJob] = field(default_factory=dict)
    folders: dict[str, FsPath] = field(default_factory=dict)  # checksum -> package
    lock: threading.Lock = field(default_factory=threading.Lock)
