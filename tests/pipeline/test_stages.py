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
PBG_PENDING = Position(S.PBG, St.PENDING, A.IN_PROGRESS)
PBG_RUNNING = Position(S.PBG, St.IN_PROGRESS, A.IN_PROGRESS)
PBG_REJECTED = Position(S.PBG, St.REJECTED, A.REJECTED)
PL_PENDING = Position(S.PERSETUJUAN_LINGKUNGAN, St.PENDING, A.IN_PROGRESS)
PL_RUNNING = Position(S.PERSETUJUAN_LINGKUNGAN, St.IN_PROGRESS, A.IN_PROGRESS)
NIB_PENDING = Position(S.NIB, St.PENDING, A.IN_PROGRESS)
NIB_RUNNING = Position(S.NIB, St.IN_PROGRESS, A.IN_PROGRESS)
DONE = Position(S.NIB, St.COMPLETED, A.COMPLETED)
NIB_REJECTED = Position(S.NIB, St.REJECTED, A.REJECTED)
PL_REJECTED = Position(S.PERSETUJUAN_LINGKUNGAN, St.REJECTED, A.REJECTED)
ALL = [
    KKPR_RUNNING, KKPR_REVIEW, KKPR_REJECTED, PBG_PENDING, PBG_RUNNING, PBG_REJECTED,
    PL_PENDING, PL_RUNNING, NIB_PENDING, NIB_RUNNING, DONE, NIB_REJECTED, PL_REJECTED,
]  # fmt: skip

KKPR_LEGAL = [
    (KKPR_RUNNING, St.COMPLETED, PBG_PENDING),
    (KKPR_RUNNING, St.REJECTED, KKPR_REJECTED),
    (KKPR_RUNNING, St.IN_REVIEW, KKPR_REVIEW),
    (KKPR_REVIEW, St.COMPLETED, PBG_PENDING),
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


REPORT_LEGAL = [
    (PBG_PENDING, S.PBG, St.IN_PROGRESS, PBG_RUNNING),
    (PBG_PENDING, S.PBG, St.COMPLETED, PL_PENDING),
    (PBG_PENDING, S.PBG, St.REJECTED, PBG_REJECTED),
    (PBG_RUNNING, S.PBG, St.COMPLETED, PL_PENDING),
    (PBG_RUNNING, S.PBG, St.REJECTED, PBG_REJECTED),
    (PL_PENDING, S.PERSETUJUAN_LINGKUNGAN, St.IN_PROGRESS, PL_RUNNING),
    (PL_RUNNING, S.PERSETUJUAN_LINGKUNGAN, St.COMPLETED, NIB_PENDING),
    (PL_PENDING, S.PERSETUJUAN_LINGKUNGAN, St.COMPLETED, NIB_PENDING),
    (PL_PENDING, S.PERSETUJUAN_LINGKUNGAN, St.REJECTED, PL_REJECTED),
    (PL_RUNNING, S.PERSETUJUAN_LINGKUNGAN, St.REJECTED, PL_REJECTED),
    (NIB_PENDING, S.NIB, St.IN_PROGRESS, NIB_RUNNING),
    (NIB_RUNNING, S.NIB, St.COMPLETED, DONE),
    (NIB_PENDING, S.NIB, St.COMPLETED, DONE),
    (NIB_RUNNING, S.NIB, St.REJECTED, NIB_REJECTED),
    (NIB_PENDING, S.NIB, St.REJECTED, NIB_REJECTED),
]
# a report that repeats what is recorded (a permit system retrying) changes nothing
PL = S.PERSETUJUAN_LINGKUNGAN
REPORT_REPEATS = [
    (PBG_RUNNING, S.PBG, St.IN_PROGRESS),
    (PBG_REJECTED, S.PBG, St.REJECTED),
    (PL_PENDING, S.PBG, St.COMPLETED),
    (PL_RUNNING, S.PBG, St.COMPLETED),
    (PL_RUNNING, PL, St.IN_PROGRESS),
    (NIB_PENDING, S.PBG, St.COMPLETED),
    (NIB_PENDING, PL, St.COMPLETED),
    (NIB_RUNNING, S.PBG, St.COMPLETED),
    (NIB_RUNNING, PL, St.COMPLETED),
    (NIB_RUNNING, S.NIB, St.IN_PROGRESS),
    (DONE, S.PBG, St.COMPLETED),
    (DONE, PL, St.COMPLETED),
    (DONE, S.NIB, St.COMPLETED),
    (NIB_REJECTED, S.PBG, St.COMPLETED),
    (NIB_REJECTED, PL, St.COMPLETED),
    (NIB_REJECTED, S.NIB, St.REJECTED),
    (PL_REJECTED, S.PBG, St.COMPLETED),
    (PL_REJECTED, PL, St.REJECTED),
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
        report(PBG_PENDING, S.KKPR, St.COMPLETED)
    with pytest.raises(Conflict, match="Stages run in order"):
        report(PBG_PENDING, S.NIB, St.COMPLETED)  # skipping PBG and environment
    with pytest.raises(Conflict, match="at stage KKPR"):
        report(KKPR_REVIEW, S.PBG, St.IN_PROGRESS)  # KKPR still under review


def test_stage_list_of_a_position() -> None:
    assert PL_RUNNING.stages() == [
        {"stage": "KKPR", "status": "completed"},
        {"stage": "PBG", "status": "completed"},
        {"stage": "PERSETUJUAN_LINGKUNGAN", "status": "in_progress"},
        {"stage": "NIB", "status": "pending"},
    ]
