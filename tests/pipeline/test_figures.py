"""The service's figures, worked out by hand on five cases in October and November 2025.

October–November 2025 holds no Indonesian holiday (asserted below); 15 October is
made one (a regional decree, ``extra_dates``) so that a holiday inside a stage counts.
Working days are counted in ``(entered, left]``: the day a case entered a state is not
counted, the day it left is.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kkpr.pipeline.calendar import WorkingCalendar
from kkpr.pipeline.figures import CaseFacts, Step, figures

HOLIDAY = date(2025, 10, 15)  # a Wednesday
ALLOWED = 10


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    cal = WorkingCalendar(extra_dates=[HOLIDAY])
    day = date(2025, 10, 1)
    while day <= date(2025, 11, 30):  # the precondition of the hand count
        assert cal.holiday_name(day) is None or day == HOLIDAY, day
        day += timedelta(days=1)
    return cal


def d(month: int, day: int) -> date:
    return date(2025, month, day)


def case(app: str, *steps: tuple[str, date], form: str = "PKKPR", state: str = "") -> CaseFacts:
    return CaseFacts(
        application_id=app, form=form, state=state or steps[-1][0], submitted_on=steps[0][1],
        steps=tuple(Step(s, on) for s, on in steps),
    )  # fmt: skip


CASES = [
    # A: approved after 6 + 3 = 9 counted working days (the holiday on the 15th is not one)
    case("A", ("persyaratan_diisi", d(10, 1)), ("dokumen_lengkap", d(10, 3)),
         ("validasi", d(10, 6)), ("menunggu_verifikasi_bayar", d(10, 6)),
         ("pembayaran_disetujui", d(10, 8)), ("pertimbangan_teknis", d(10, 17)),
         ("disetujui", d(10, 22))),
    # B: the clock ran 5 days, stopped 3-20 Oct (not counted), ran 10 more: 15 > 10
    case("B", ("persyaratan_diisi", d(10, 1)), ("dokumen_lengkap", d(10, 2)),
         ("validasi", d(10, 2)), ("menunggu_verifikasi_bayar", d(10, 2)),
         ("pembayaran_disetujui", d(10, 3)), ("sla_dihentikan", d(10, 10)),
         ("sla_dilanjutkan", d(10, 20)), ("pertimbangan_teknis", d(10, 27)),
         ("ditolak", d(11, 3))),
    # C: approved by law after 20 working days: never within the deadline
    case("C", ("persyaratan_diisi", d(10, 1)), ("pembayaran_disetujui", d(10, 2)),
         ("fiktif_positif", d(10, 31))),
    # D: refused before its clock started: decided, no deadline to keep
    case("D", ("persyaratan_diisi", d(10, 1)), ("persyaratan_ditolak", d(10, 2))),
    # E: a KKKPR application, no PKKPR steps
    CaseFacts("E", "KKKPR", "completed", d(11, 4)),
]  # fmt: skip


def test_cases_by_state_and_form(calendar: WorkingCalendar) -> None:
    f = figures(CASES, ALLOWED, calendar)
    assert f.by_state == {
        "KKKPR": {"completed": 1},
        "PKKPR": {"disetujui": 1, "ditolak": 1, "fiktif_positif": 1, "persyaratan_ditolak": 1},
    }
    assert f.months == ["2025-10", "2025-11"]
    assert f.submitted == {"2025-10": {"PKKPR": 4}, "2025-11": {"KKKPR": 1}}


def test_share_decided_within_the_deadline_by_month(calendar: WorkingCalendar) -> None:
    f = figures(CASES, ALLOWED, calendar)
    # October: A (9 days, within) and C (fiktif positif); D had no clock. November: B (15)
    assert {m: (s.decided, s.within) for m, s in f.deadline.items()} == {
        "2025-10": (2, 1),
        "2025-11": (1, 0),
    }
    assert f.deadline["2025-10"].share == 0.5 and f.deadline["2025-11"].share == 0.0
    # with 15 days allowed B is within; C never is
    wider = figures(CASES, 15, calendar)
    assert wider.deadline["2025-11"].within == 1 and wider.deadline["2025-10"].within == 1


def test_median_working_days_per_stage_by_month(calendar: WorkingCalendar) -> None:
    f = figures(CASES, ALLOWED, calendar)
    assert f.stage_days == {
        "2025-10": {
            "dokumen_lengkap": 0.5,  # A 1 (Mon 6), B 0 (left the day it entered)
            "menunggu_verifikasi_bayar": 1.5,  # A 2, B 1
            "pembayaran_disetujui": 6.0,  # A 6 (the 15th not counted), B 5, C 20
            "persyaratan_diisi": 1.0,  # A 2, B 1, C 1, D 1
            "pertimbangan_teknis": 3.0,  # A 3
            "sla_dihentikan": 5.0,  # B: 13, 14, 16, 17, 20 Oct
            "sla_dilanjutkan": 5.0,  # B: 21-24, 27 Oct
            "validasi": 0.0,  # A 0, B 0
        },
        "2025-11": {"pertimbangan_teknis": 5.0},  # B: 28-31 Oct, 3 Nov
    }
    assert f.stage_days_all["pertimbangan_teknis"] == 4.0  # A 3, B 5
    assert f.stage_days_all["pembayaran_disetujui"] == 6.0


def test_no_cases_no_figures(calendar: WorkingCalendar) -> None:
    f = figures([], ALLOWED, calendar)
    assert (f.by_state, f.months, f.deadline, f.stage_days) == ({}, [], {}, {})
    assert f.to_dict()["allowed_working_days"] == ALLOWED
