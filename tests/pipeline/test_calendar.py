"""Working days around Nyepi and Idul Fitri 2026, counted by hand.

From the ``holidays`` library (2026, Indonesia): Nyepi (Day of Silence) Thu 19 March;
Idul Fitri Sat 21 and Sun 22 March; cuti bersama (its ``government`` category) Wed 18,
Fri 20, Mon 23 and Tue 24 March. So after Tue 17 March the office next works on
Wed 25 March; with national holidays only, it works Wed 18, Fri 20, Mon 23, Tue 24.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import holidays

from kkpr.pipeline.calendar import WorkingCalendar
from tests.pipeline.conftest import fast_settings

MARCH = {d: date(2026, 3, d) for d in range(1, 32)}


def test_the_library_knows_the_2026_holidays_we_count_on() -> None:
    public = holidays.country_holidays("ID", years=2026)
    cuti = holidays.country_holidays("ID", years=2026, categories=("government",))
    assert {MARCH[19], MARCH[21], MARCH[22]} <= set(public)
    assert {MARCH[18], MARCH[20], MARCH[23], MARCH[24]} <= set(cuti)


def test_the_idul_fitri_week_has_no_working_day() -> None:
    cal = WorkingCalendar()
    assert [d for d in range(16, 28) if cal.is_working_day(MARCH[d])] == [16, 17, 25, 26, 27]
    assert cal.add_working_days(MARCH[17], 1) == MARCH[25]
    assert cal.add_working_days(MARCH[17], 5) == MARCH[31]
    assert cal.count_working_days(MARCH[17], MARCH[25]) == 1
    assert cal.count_working_days(MARCH[17], MARCH[31]) == 5
    assert cal.count_working_days(MARCH[31], MARCH[17]) == -5
    assert cal.holiday_name(MARCH[19]) == "Day of Silence"


def test_national_holidays_only_when_cuti_bersama_is_not_a_closing_day() -> None:
    cal = WorkingCalendar(categories=("public",))
    assert [d for d in range(16, 28) if cal.is_working_day(MARCH[d])] == [
        16, 17, 18, 20, 23, 24, 25, 26, 27,
    ]  # fmt: skip
    assert cal.add_working_days(MARCH[17], 1) == MARCH[18]


def test_extra_dates_from_settings_close_the_office(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, holiday_extra_dates=[date(2026, 3, 25)])
    cal = WorkingCalendar.from_settings(settings)
    assert not cal.is_working_day(MARCH[25])
    assert cal.add_working_days(MARCH[17], 1) == MARCH[26]


def test_twenty_working_days_from_nyepi_week() -> None:
    # 25,26,27,30,31 March; 1,2 April (3 April Good Friday); 6..10, 13..17, 20,21,22 April
    assert WorkingCalendar().add_working_days(MARCH[17], 20) == date(2026, 4, 22)
