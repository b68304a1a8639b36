"""Formatting shared by sentences and exports."""

from __future__ import annotations

import pytest

from kkpr.text import num_id, spreadsheet_safe


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
