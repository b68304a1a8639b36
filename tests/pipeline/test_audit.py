"""The audit trail's pure parts: a day of the office's calendar as UTC bounds, and CSV
cells a spreadsheet cannot read as formulas."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from kkpr.pipeline.audit import AuditEvent, AuditFilter, cell, to_csv


def test_a_day_of_the_office_starts_at_its_own_midnight() -> None:
    wita = AuditFilter(tz=ZoneInfo("Asia/Makassar"))  # UTC+8, no daylight saving
    assert wita.bound(date(2026, 3, 17)) == "2026-03-16T16:00:00.000000Z"
    assert AuditFilter().bound(date(2026, 3, 17)) == "2026-03-17T00:00:00.000000Z"


def test_csv_cells_never_start_a_formula() -> None:
    for text in ("=1+1", "+62 812", "-1+1", "@SUM(A1)", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert cell("-5") == "-5"  # a number is a number (kkpr.text.spreadsheet_safe)
    assert cell("Siti Nurhaliza") == "Siti Nurhaliza" and cell(None) == "" and cell(3) == "3"
    event = AuditEvent("2026-03-17T01:00:00.000000Z", "key", "create", '=HYPERLINK("x")',
                       "key:1", None, "key:1", "a, b")  # fmt: skip
    lines = to_csv([event]).split("\r\n")
    assert lines[0] == "at,kind,action,who,who_id,application_id,ref,detail"
    assert (
        lines[1]
        == '2026-03-17T01:00:00.000000Z,key,create,"\'=HYPERLINK(""x"")",key:1,,key:1,"a, b"'
    )
