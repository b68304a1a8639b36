"""The service-level clock of a PKKPR assessment, read from its transitions.

The clock counts working days (``kkpr.pipeline.calendar``) from the day the payment is
approved (33), which comes after the documents were found complete (10): not from
submission. A stop (41, or 43 before a restart) leaves the days until then counted and
the days until the resume (42) uncounted; a restart (44) counts from zero again; a
decision (50, 57, 90, 93) ends it. The allowance (``Settings.pkkpr_deadline_working_days``)
is a setting. All pure: the same transitions give the same answer on any engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from typing_extensions import TypedDict

from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.statuses import STATES, State


@dataclass(frozen=True)
class Tick:
    """One transition as the clock sees it."""

    state: State
    on: date  # the office's calendar day of the transition
    note: str | None = None


class ClockJson(TypedDict):
    """A clock as the queue and the case list show it (``ClockView.to_dict``)."""

    working_days: int
    started_on: str | None  # ISO dates
    running: bool
    paused: bool
    pause_reason: str | None
    working_days_used: int
    working_days_left: int | None
    deadline: str | None
    overdue: bool
    ended_on: str | None


@dataclass(frozen=True)
class ClockView:
    allowed: int  # working days the office has
    started_on: date | None  # the day the clock started (payment approved)
    running: bool
    paused: bool
    pause_reason: str | None
    used: int  # working days counted so far (to today, or to the decision)
    left: int | None  # allowed - used while the clock has started and not ended
    deadline: date | None  # the last working day, while it runs
    overdue: bool
    ended_on: date | None

    def to_dict(self) -> ClockJson:
        return {
            "working_days": self.allowed,
            "started_on": _iso(self.started_on),
            "running": self.running,
            "paused": self.paused,
            "pause_reason": self.pause_reason,
            "working_days_used": self.used,
            "working_days_left": self.left,
            "deadline": _iso(self.deadline),
            "overdue": self.overdue,
            "ended_on": _iso(self.ended_on),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def clock_of(
    ticks: Iterable[Tick], today: date, allowed: int, calendar: WorkingCalendar
) -> ClockView:
    used = 0
    since: date | None = None  # the start of the running segment
    started: date | None = None
    ended: date | None = None
    paused, reason = False, None
    for tick in ticks:
        what = STATES[tick.state].clock
        if what == "start" and started is None:
            started = since = tick.on
        elif what == "stop" and since is not None:
            used += calendar.count_working_days(since, tick.on)
            since, paused, reason = None, True, tick.note
        elif what == "resume" and started is not None:
            since, paused, reason = tick.on, False, None
        elif what == "reset" and started is not None:
            used, since, paused, reason = 0, tick.on, False, None
        elif what == "end":
            if since is not None:
                used += calendar.count_working_days(since, tick.on)
            since, ended, paused, reason = None, tick.on, False, None
    if since is not None:
        deadline = calendar.add_working_days(since, max(allowed - used, 0))
        used += calendar.count_working_days(since, today)
    else:
        deadline = None
    live = started is not None and ended is None
    return ClockView(
        allowed=allowed,
        started_on=started,
        running=since is not None,
        paused=paused,
        pause_reason=reason,
        used=used,
        left=allowed - used if live else None,
        deadline=deadline,
        overdue=live and used > allowed,
        ended_on=ended,
    )
