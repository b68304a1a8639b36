"""The single window's state machine: which stage an application is at and where it may go.

An application passes the basic requirements in the law's order, KKPR →
PERSETUJUAN_LINGKUNGAN → PBG → SLF, then the business licence (PERIZINAN_BERUSAHA).
The NIB is not a stage: OSS registers the business first, and the NIB is an
attribute of the applicant from the start. kkpr decides the KKPR stage itself (the
automatic path, or the PKKPR assessment); the later stages belong to the permit
system, which reports them back. Every move is checked here, by pure functions,
before anything is written: an impossible move raises ``Conflict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kkpr.errors import Conflict


class Stage(StrEnum):
    KKPR = "KKPR"
    PERSETUJUAN_LINGKUNGAN = "PERSETUJUAN_LINGKUNGAN"  # environmental approval
    PBG = "PBG"  # Persetujuan Bangunan Gedung: building approval
    SLF = "SLF"  # Sertifikat Laik Fungsi: certificate of fitness for use
    PERIZINAN_BERUSAHA = "PERIZINAN_BERUSAHA"  # the business licence by risk level


STAGES: tuple[Stage, ...] = tuple(Stage)
PERMIT_SYSTEM_STAGES: tuple[Stage, ...] = STAGES[1:]


class StageStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    IN_REVIEW = "in_review"
    COMPLETED = "completed"
    REJECTED = "rejected"


class AppStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    COMPLETED = "completed"


# what the current stage may become, by who moves it
KKPR_MOVES: dict[StageStatus, tuple[StageStatus, ...]] = {
    StageStatus.IN_PROGRESS: (StageStatus.COMPLETED, StageStatus.REJECTED, StageStatus.IN_REVIEW),
    StageStatus.IN_REVIEW: (StageStatus.COMPLETED, StageStatus.REJECTED),
}
PERMIT_MOVES: dict[StageStatus, tuple[StageStatus, ...]] = {
    StageStatus.PENDING: (StageStatus.IN_PROGRESS, StageStatus.COMPLETED, StageStatus.REJECTED),
    StageStatus.IN_PROGRESS: (StageStatus.COMPLETED, StageStatus.REJECTED),
}
REPORTABLE = (StageStatus.IN_PROGRESS, StageStatus.COMPLETED, StageStatus.REJECTED)


@dataclass(frozen=True)
class Position:
    """Where an application stands: its stage, that stage's status, and its own status."""

    stage: Stage
    stage_status: StageStatus
    status: AppStatus

    def stages(self) -> list[dict[str, str]]:
        """Every stage with its status (earlier ones completed, later ones pending)."""
        at = STAGES.index(self.stage)
        out = []
        for i, stage in enumerate(STAGES):
            status = (
                StageStatus.COMPLETED
                if i < at
                else self.stage_status
                if i == at
                else StageStatus.PENDING
            )
            out.append({"stage": str(stage), "status": str(status)})
        return out


def after(position: Position, new: StageStatus) -> Position:
    """The position once the current stage becomes ``new`` (no check: see ``move``)."""
    if new == StageStatus.COMPLETED:
        at = STAGES.index(position.stage)
        if at + 1 == len(STAGES):
            return Position(position.stage, StageStatus.COMPLETED, AppStatus.COMPLETED)
        return Position(STAGES[at + 1], StageStatus.PENDING, AppStatus.IN_PROGRESS)
    if new == StageStatus.REJECTED:
        return Position(position.stage, new, AppStatus.REJECTED)
    if new == StageStatus.IN_REVIEW:
        return Position(position.stage, new, AppStatus.IN_REVIEW)
    return Position(position.stage, new, AppStatus.IN_PROGRESS)


def move_kkpr(position: Position, new: StageStatus) -> Position:
    """kkpr's own move of the KKPR stage (check outcome or review decision)."""
    allowed = KKPR_MOVES.get(position.stage_status, ())
    if position.stage != Stage.KKPR or new not in allowed:
        raise Conflict(
            f"Tahap KKPR tidak dapat menjadi {new} dari keadaan {position.stage}/"
            f"{position.stage_status}",
            f"The KKPR stage cannot become {new} from {position.stage}/{position.stage_status}",
            where="stage",
            hint_id="Keputusan KKPR hanya sekali: jalur otomatis atau penilaian PKKPR",
            hint_en="KKPR is decided once: by the automatic path or the PKKPR assessment",
        )
    return after(position, new)


def report(position: Position, stage: Stage, new: StageStatus) -> Position | None:
    """The permit system reports ``stage`` as ``new``: the next position, or None when the
    report repeats what is already recorded (a retried report changes nothing)."""
    if stage == Stage.KKPR:
        raise Conflict(
            "Tahap KKPR diputuskan oleh kkpr, bukan dilaporkan oleh sistem perizinan",
            "The KKPR stage is decided by kkpr, not reported by the permit system",
            where="stage",
            hint_id=f"Laporkan salah satu dari: {', '.join(PERMIT_SYSTEM_STAGES)}",
            hint_en=f"Report one of: {', '.join(PERMIT_SYSTEM_STAGES)}",
        )
    if new not in REPORTABLE:
        raise Conflict(
            f"Status {new!r} tidak dapat dilaporkan",
            f"Status {new!r} cannot be reported",
            where="status",
            hint_id=f"Gunakan salah satu dari: {', '.join(REPORTABLE)}",
            hint_en=f"Use one of: {', '.join(REPORTABLE)}",
        )
    recorded = {s["stage"]: s["status"] for s in position.stages()}
    if recorded[stage] == new and (stage == position.stage or new == StageStatus.COMPLETED):
        return None
    if stage != position.stage or new not in PERMIT_MOVES.get(position.stage_status, ()):
        raise Conflict(
            f"Tahap {stage} tidak dapat menjadi {new}: permohonan ada di tahap "
            f"{position.stage} ({position.stage_status}), status {position.status}",
            f"Stage {stage} cannot become {new}: the application is at stage "
            f"{position.stage} ({position.stage_status}), status {position.status}",
            where="stage",
            hint_id=f"Tahap dijalankan berurutan: {' → '.join(STAGES)}",
            hint_en=f"Stages run in order: {' → '.join(STAGES)}",
        )
    return after(position, new)
