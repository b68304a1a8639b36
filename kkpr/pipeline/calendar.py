"""Working days: weekends and Indonesian holidays (the ``holidays`` library) are not counted.

The holiday list is the maintained ``holidays.country_holidays("ID")`` calendar: its
``public`` category holds the national holidays, its ``government`` category the
cuti bersama that close government offices. Dates a region adds by decree come from
``Settings.holiday_extra_dates``. Nothing here is a hand list of holidays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

from kkpr.settings import Settings

SATURDAY = 5  # date.weekday(): Monday 0 ... Sunday 6


class WorkingCalendar:
    """Which days an office works, and counting in working days."""

    def __init__(
        self,
        country: str = "ID",
        *,
        subdiv: str | None = None,
        categories: Iterable[str] = ("public", "government"),
        extra_dates: Iterable[date] = (),
    ) -> None:
        self._holidays = holidays.country_holidays(
            country, subdiv=subdiv, categories=tuple(categories)
        )
        self._extra = frozenset(extra_dates)

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkingCalendar:
        return _cached(
            settings.holiday_country,
            settings.holiday_subdiv,
            tuple(settings.holiday_categories),
            tuple(settings.holiday_extra_dates),
        )

    def holiday_name(self, day: date) -> str | None:
        if day in self._extra:
            return "Hari libur tambahan / extra holiday"
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self._extra and day not in self._holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day = start
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def count_working_days(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.count_working_days(end, start)
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )


@lru_cache(maxsize=8)
def _cached(
    country: str, subdiv: str | None, categories: tuple[str, ...], extra: tuple[date, ...]
) -> WorkingCalendar:
    return WorkingCalendar(country, subdiv=subdiv, categories=categories, extra_dates=extra)
