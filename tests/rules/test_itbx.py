"""The ITBX cell: its class among the regulation's five and its condition codes."""

from __future__ import annotations

import pytest

from kkpr.model import ItbxClass
from kkpr.rules.itbx import parse_cell
from kkpr.text import ITBX_WORDS


@pytest.mark.parametrize(
    ("cell", "cls", "codes"),
    [
        ("I", ItbxClass.I, []),
        ("x", ItbxClass.X, []),
        ("T1", ItbxClass.T, ["T1"]),
        ("B2", ItbxClass.B, ["B2"]),
        ("T1;B1", ItbxClass.TB, ["T1", "B1"]),
        ("B3, T2", ItbxClass.TB, ["B3", "T2"]),
        ("T1;T2", ItbxClass.T, ["T1", "T2"]),
        ("", None, []),
        (None, None, []),
    ],
)
def test_a_cell_parses_into_its_class_and_codes(
    cell: str | None, cls: ItbxClass | None, codes: list[str]
) -> None:
    assert parse_cell(cell) == (cls, codes)


def test_every_class_has_the_regulations_words() -> None:
    assert {str(c): ITBX_WORDS[c][0] for c in ItbxClass} == {
        "I": "diizinkan",
        "T": "diizinkan terbatas",
        "B": "diizinkan bersyarat tertentu",
        "TB": "diizinkan terbatas dan bersyarat",
        "X": "tidak diizinkan",
    }
