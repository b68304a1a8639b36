"""The state machine, move by move: every legal transition and the illegal ones refused.

Expected positions are written out by hand, not derived from the module's tables.
"""

from __future__ import annotations

import pytest

from kkpr.errors import Conflict
from kkpr.pipeline.stages import AppStatus, Position, Stage, StageStatus, move_kkpr, report

S, St, A = Stage, StageStatus, AppStatus
KKPR_RUNNING = Position(S.KKPR, St.IN_PROGRESS, A.IN_PROGRESS)
KKPR_REVIEW = Position(S.KKPR, St.IN_REVIEW, A.IN_REVIEW)
KKPR_REJECTED = Position(S.KKPR, St.REJECTED, A.REJECTED)
PL_PENDING = Position(S.PERSETUJUAN_LINGKUNGAN, St.PENDING, A.IN_PROGRESS)
PL_RUNNING = Position(S.PERSETUJUAN_LINGKUNGAN, St.IN_PROGRESS, A.IN_PROGRESS)
PL_REJECTED = Position(S.PERSETUJUAN_LINGKUNGAN, St.REJECTED, A.REJECTED)
PBG_PENDING = Position(S.PBG, St.PENDING, A.IN_PROGRESS)
PBG_RUNNING = Position(S.PBG, St.IN_PROGRESS, A.IN_PROGRESS)
PBG_REJECTED = Position(S.PBG, St.REJECTED, A.REJECTED)
SLF_PENDING = Position(S.SLF, St.PENDING, A.IN_PROGRESS)
SLF_RUNNING = Position(S.SLF, St.IN_PROGRESS, A.IN_PROGRESS)
PB_PENDING = Position(S.PERIZINAN_BERUSAHA, St.PENDING, A.IN_PROGRESS)
PB_RUNNING = Position(S.PERIZINAN_BERUSAHA, St.IN_PROGRESS, A.IN_PROGRESS)
DONE = Position(S.PERIZINAN_BERUSAHA, St.COMPLETED, A.COMPLETED)
PB_REJECTED = Position(S.PERIZINAN_BERUSAHA, St.REJECTED, A.REJECTED)
ALL = [
    KKPR_RUNNING, KKPR_REVIEW, KKPR_REJECTED, PL_PENDING, PL_RUNNING, PL_REJECTED,
    PBG_PENDING, PBG_RUNNING, PBG_REJECTED, SLF_PENDING, SLF_RUNNING, PB_PENDING, PB_RUNNING,
    DONE, PB_REJECTED,
]  # fmt: skip

KKPR_LEGAL = [
    (KKPR_RUNNING, St.COMPLETED, PL_PENDING),
    (KKPR_RUNNING, St.REJECTED, KKPR_REJECTED),
    (KKPR_RUNNING, St.IN_REVIEW, KKPR_REVIEW),
    (KKPR_REVIEW, St.COMPLETED, PL_PENDING),
    (KKPR_REVIEW, St.REJECTED, KKPR_REJECTED),
]


@pytest.mark.parametrize(("start", "new", "end"), KKPR_LEGAL)
def test_kkpr_legal_moves(start: Position, new: StageStatus, end: Position) -> None:
    assert move_kkpr(start, new) == end


@pytest.mark.parametrize("start", ALL, ids=lambda p: f"{p.stage}-{p.stage_status}")
@pytest.mark.parametrize("new", list(StageStatus))
def test_kkpr_every_other_move_is_refused(start: Position, new: StageStatus) -> None:
    if any(start == s and new == n for s, n, _e in KKPR_LEGAL):
        return
    with pytest.raises(Conflict):
        move_kkpr(start, new)


PL = S.PERSETUJUAN_LINGKUNGAN
PB = S.PERIZINAN_BERUSAHA
REPORT_LEGAL = [
    (PL_PENDING, PL, St.IN_PROGRESS, PL_RUNNING),
    (PL_PENDING, PL, St.COMPLETED, PBG_PENDING),
    (PL_PENDING, PL, St.REJECTED, PL_REJECTED),
    (PL_RUNNING, PL, St.COMPLETED, PBG_PENDING),
    (PL_RUNNING, PL, St.REJECTED, PL_REJECTED),
    (PBG_PENDING, S.PBG, St.IN_PROGRESS, PBG_RUNNING),
    (PBG_PENDING, S.PBG, St.COMPLETED, SLF_PENDING),
    (PBG_PENDING, S.PBG, St.REJECTED, PBG_REJECTED),
    (PBG_RUNNING, S.PBG, St.COMPLETED, SLF_PENDING),
    (PBG_RUNNING, S.PBG, St.REJECTED, PBG_REJECTED),
    (SLF_PENDING, S.SLF, St.IN_PROGRESS, SLF_RUNNING),
    (SLF_PENDING, S.SLF, St.COMPLETED, PB_PENDING),
    (SLF_PENDING, S.SLF, St.REJECTED, Position(S.SLF, St.REJECTED, A.REJECTED)),
    (SLF_RUNNING, S.SLF, St.COMPLETED, PB_PENDING),
    (SLF_RUNNING, S.SLF, St.REJECTED, Position(S.SLF, St.REJECTED, A.REJECTED)),
    (PB_PENDING, PB, St.IN_PROGRESS, PB_RUNNING),
    (PB_RUNNING, PB, St.COMPLETED, DONE),
    (PB_PENDING, PB, St.COMPLETED, DONE),
    (PB_RUNNING, PB, St.REJECTED, PB_REJECTED),
    (PB_PENDING, PB, St.REJECTED, PB_REJECTED),
]
# a report that repeats what is recorded (a permit system retrying) changes nothing
REPORT_REPEATS = [
    (PL_RUNNING, PL, St.IN_PROGRESS),
    (PL_REJECTED, PL, St.REJECTED),
    (PBG_PENDING, PL, St.COMPLETED),
    (PBG_RUNNING, PL, St.COMPLETED),
    (PBG_RUNNING, S.PBG, St.IN_PROGRESS),
    (PBG_REJECTED, PL, St.COMPLETED),
    (PBG_REJECTED, S.PBG, St.REJECTED),
    (SLF_PENDING, PL, St.COMPLETED),
    (SLF_PENDING, S.PBG, St.COMPLETED),
    (SLF_RUNNING, PL, St.COMPLETED),
    (SLF_RUNNING, S.PBG, St.COMPLETED),
    (SLF_RUNNING, S.SLF, St.IN_PROGRESS),
    (PB_PENDING, PL, St.COMPLETED),
    (PB_PENDING, S.PBG, St.COMPLETED),
    (PB_PENDING, S.SLF, St.COMPLETED),
    (PB_RUNNING, PL, St.COMPLETED),
    (PB_RUNNING, S.PBG, St.COMPLETED),
    (PB_RUNNING, S.SLF, St.COMPLETED),
    (PB_RUNNING, PB, St.IN_PROGRESS),
    (DONE, PL, St.COMPLETED),
    (DONE, S.PBG, St.COMPLETED),
    (DONE, S.SLF, St.COMPLETED),
    (DONE, PB, St.COMPLETED),
    (PB_REJECTED, PL, St.COMPLETED),
    (PB_REJECTED, S.PBG, St.COMPLETED),
    (PB_REJECTED, S.SLF, St.COMPLETED),
    (PB_REJECTED, PB, St.REJECTED),
]


@pytest.mark.parametrize(("start", "stage", "new", "end"), REPORT_LEGAL)
def test_report_legal_moves(start: Position, stage: Stage, new: StageStatus, end: Position) -> None:
    assert report(start, stage, new) == end


@pytest.mark.parametrize(("start", "stage", "new"), REPORT_REPEATS)
def test_a_repeated_report_is_no_move(start: Position, stage: Stage, new: StageStatus) -> None:
    assert report(start, stage, new) is None


@pytest.mark.parametrize("start", ALL, ids=lambda p: f"{p.stage}-{p.stage_status}")
@pytest.mark.parametrize("stage", list(Stage))
@pytest.mark.parametrize("new", list(StageStatus))
def test_report_every_other_move_is_refused(
    start: Position, stage: Stage, new: StageStatus
) -> None:
    legal = [(s, st, n) for s, st, n, _e in REPORT_LEGAL] + REPORT_REPEATS
    if (start, stage, new) in legal:
        return
    with pytest.raises(Conflict) as err:
        report(start, stage, new)
    assert err.value.message_id and err.value.message_en


def test_examples_of_refusals_name_the_way_forward() -> None:
    with pytest.raises(Conflict, match="decided by kkpr"):
        report(PL_PENDING, S.KKPR, St.COMPLETED)
    with pytest.raises(Conflict, match="Stages run in order"):
        report(PL_PENDING, S.PBG, St.COMPLETED)  # the environment comes before the building
    with pytest.raises(Conflict, match="at stage KKPR"):
        report(KKPR_REVIEW, PL, St.IN_PROGRESS)  # KKPR still under review


def test_stage_list_of_a_position() -> None:
    assert PBG_RUNNING.stages() == [
        {"stage": "KKPR", "status": "completed"},
        {"stage": "PERSETUJUAN_LINGKUNGAN", "status": "completed"},
        {"stage": "PBG", "status": "in_progress"},
        {"stage": "SLF", "status": "pending"},
        {"stage": "PERIZINAN_BERUSAHA", "status": "pending"},
    ]
