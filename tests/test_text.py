"""Formatting shared by sentences and exports."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kkpr.text import num_en, num_id, nums, pct_en, pct_id, pcts, spreadsheet_safe


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+62 812", "'+62 812"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("-5", "-5"),  # a number stays a number
        ("-", "-"),
        ("Toko Sejahtera", "Toko Sejahtera"),
        ("", ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_shown_as_text(text: str, safe: str) -> None:
    assert spreadsheet_safe(text) == safe


def test_indonesian_separators() -> None:
    assert num_id(1234.5) == "1.234,5"


@given(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 3))
def test_a_number_formatted_once_for_both_languages_reads_as_each_alone(
    value: float, digits: int
) -> None:
    # the rules write a sentence's numbers with nums and pcts; their texts must be those
    # of num_id/num_en and pct_id/pct_en, to the character (tests/rules/test_golden.py)
    assert nums(value, digits) == (num_id(value, digits), num_en(value, digits))
    assert pcts(value) == (pct_id(value), pct_en(value))
    assert nums(value) == (num_id(value), num_en(value))


def test_both_languages_of_negative_zero_and_large_numbers() -> None:
    assert nums(-0.0, 2) == ("-0,00", "-0.00")
    assert nums(1234567.891, 2) == ("1.234.567,89", "1,234,567.89")
    assert pcts(0.12345) == ("12,3%", "12.3%")
    assert math.isnan(float("nan")) and nums(float("nan")) == ("nan", "nan")
