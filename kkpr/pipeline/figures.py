"""The service's own figures, from what the pipeline recorded: a pure function.

- **cases by state and form**: every application counted once, by its form (KKKPR or
  PKKPR) and where it stands now (a PKKPR case's state, a KKKPR application's status);
- **submitted by month**: applications by the month they came in, by form;
- **share decided within the deadline**, by the month of the decision: of the PKKPR
  cases decided (50, 57, 90, 93) whose service-level clock had started (payment
  approved), those whose counted working days (``kkpr.pipeline.sla.clock_of``: stops
  not counted, a restart from zero) did not exceed the allowance. A *fiktif positif*
  approval is never within it: it exists because the deadline passed. A case refused
  before its clock started is decided but has no deadline to keep, so it is left out;
- **median working days per stage**, by the month the stage ended: a stage is the time a
  case spent in one state, from the transition that entered it to the next one, counted
  in working days (``WorkingCalendar.count_working_days``: the day it entered is not
  counted, the day it left is).

Months are the office's calendar months (``YYYY-MM``) of the transitions' local dates.
Nothing here reads a database or a clock: the same facts give the same figures.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.sla import Tick, clock_of
from kkpr.pipeline.statuses import STATES, State

FIKTIF_POSITIF = State.FIKTIF_POSITIF


@dataclass(frozen=True)
class Step:
    """One transition of a case: the state it entered, on the office's calendar day."""

    state: str
    on: date


@dataclass(frozen=True)
class CaseFacts:
    """What the figures need of one application."""

    application_id: str
    form: str  # "KKKPR" | "PKKPR"
    state: str  # the PKKPR state, or the KKKPR application's status
    submitted_on: date
    steps: tuple[Step, ...] = ()  # the PKKPR transitions that carry an OSS state, in order


@dataclass(frozen=True)
class DeadlineShare:
    decided: int  # decided cases whose clock had started
    within: int  # of those, decided within the allowance

    @property
    def share(self) -> float | None:
        return self.within / self.decided if self.decided else None


@dataclass(frozen=True)
class Figures:
    by_state: dict[str, dict[str, int]]  # form -> state -> cases
    months: list[str]  # every month that any figure below has, in order
    submitted: dict[str, dict[str, int]]  # month -> form -> applications
    deadline: dict[str, DeadlineShare]  # month of the decision -> share
    stage_days: dict[str, dict[str, float]]  # month the stage ended -> state -> median
    stage_days_all: dict[str, float] = field(default_factory=dict)  # state -> median
    allowed: int = 0  # the allowance the deadline share was judged against

    def to_dict(self) -> dict[str, object]:
        return {
            "allowed_working_days": self.allowed,
            "by_state": self.by_state,
            "months": self.months,
            "submitted": self.submitted,
            "deadline": {
                m: {"decided": d.decided, "within": d.within, "share": d.share}
                for m, d in self.deadline.items()
            },
            "stage_days": self.stage_days,
            "stage_days_all": self.stage_days_all,
        }


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _decision(case: CaseFacts) -> Step | None:
    """The step that decided the case (the first that entered a final state)."""
    for step in case.steps:
        if step.state in STATES and STATES[State(step.state)].final:
            return step
    return None


def _ticks(steps: Sequence[Step]) -> list[Tick]:
    return [Tick(State(s.state), s.on) for s in steps if s.state in STATES]


def deadline_kept(case: CaseFacts, allowed: int, calendar: WorkingCalendar) -> bool | None:
    """Whether a decided case was decided within ``allowed`` working days; None when it
    is not decided or its clock never started."""
    decision = _decision(case)
    if decision is None:
        return None
    clock = clock_of(_ticks(case.steps), decision.on, allowed, calendar)
    if clock.started_on is None:
        return None
    return decision.state != FIKTIF_POSITIF and clock.used <= allowed


def stage_spans(case: CaseFacts, calendar: WorkingCalendar) -> list[tuple[str, str, int]]:
    """``(state, month the stage ended, working days)`` for each state the case left."""
    return [
        (before.state, month_of(after.on), calendar.count_working_days(before.on, after.on))
        for before, after in zip(case.steps, case.steps[1:], strict=False)
    ]


def figures(cases: Iterable[CaseFacts], allowed: int, calendar: WorkingCalendar) -> Figures:
    """The figures of ``cases`` (see the module docstring), the deadline share judged
    against ``allowed`` working days (``Settings.review_deadline_working_days``)."""
    by_state: dict[str, Counter[str]] = defaultdict(Counter)
    submitted: dict[str, Counter[str]] = defaultdict(Counter)
    decided: Counter[str] = Counter()
    within: Counter[str] = Counter()
    spans: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    spans_all: dict[str, list[int]] = defaultdict(list)
    for case in cases:
        by_state[case.form][case.state] += 1
        submitted[month_of(case.submitted_on)][case.form] += 1
        kept = deadline_kept(case, allowed, calendar)
        if kept is not None:
            decision = _decision(case)
            assert decision is not None
            decided[month_of(decision.on)] += 1
            within[month_of(decision.on)] += int(kept)
        for state, month, days in stage_spans(case, calendar):
            spans[month][state].append(days)
            spans_all[state].append(days)
    months = sorted(set(submitted) | set(decided) | set(spans))
    return Figures(
        by_state={form: dict(sorted(c.items())) for form, c in sorted(by_state.items())},
        months=months,
        submitted={m: dict(sorted(submitted[m].items())) for m in months if m in submitted},
        deadline={m: DeadlineShare(decided[m], within[m]) for m in months if decided[m]},
        stage_days={
            m: {s: float(median(d)) for s, d in sorted(spans[m].items())}
            for m in months
            if m in spans
        },
        stage_days_all={s: float(median(d)) for s, d in sorted(spans_all.items())},
        allowed=allowed,
    )
