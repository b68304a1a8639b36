"""OSS's value types: what fits is written as OSS documents it, what does not is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kkpr.oss.fields import Code, Moment, Number, OssValueError, Text, oss_time, to_json


def test_number_20_2_keeps_two_decimals_and_refuses_what_does_not_fit() -> None:
    kdb = Number(20, 2)
    assert to_json({"kdb": kdb.check(60, "kdb")}) == '{"kdb": 60.00}'
    assert kdb.check("0.5", "klb") == Decimal("0.50")
    with pytest.raises(OssValueError, match="more than 2 decimals"):
        kdb.check(1.234, "klb")  # never rounded away
    with pytest.raises(OssValueError, match="18 whole digits"):
        kdb.check(10**18, "luas")
    with pytest.raises(OssValueError, match="not a number"):
        kdb.check("enam puluh", "kdb")


def test_text_and_codes_are_refused_not_cut() -> None:
    with pytest.raises(OssValueError) as caught:
        Text(50).check("x" * 51, "IZINSTATUS.nama_status")
    assert caught.value.where == "IZINSTATUS.nama_status"
    assert "51" in caught.value.message_en
    assert Code(2).check("50", "kd_status") == "50"
    for bad in ("5", "500", 50):
        with pytest.raises(OssValueError, match="exactly 2"):
            Code(2).check(bad, "kd_status")


def test_times_are_the_offices_wall_clock() -> None:
    moment = datetime(2026, 3, 17, 16, 30, 5, tzinfo=UTC)
    assert oss_time(moment, "Asia/Makassar") == "2026-03-18 00:30:05"  # WITA, UTC+8
    assert oss_time(moment, "Asia/Jakarta") == "2026-03-17 23:30:05"
    assert Moment().check("2026-03-18 00:30:05", "tgl_status")
    for bad in ("2026-03-18T00:30:05", "2026-02-30 10:00:00", "18-03-2026 00:30:05"):
        with pytest.raises(OssValueError):
            Moment().check(bad, "tgl_status")
