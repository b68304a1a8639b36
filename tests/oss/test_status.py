"""docs/oss.md shows the kd_status table kkpr uses, not a copy that drifted."""

from __future__ import annotations

from pathlib import Path

from kkpr.oss.status import TABLE_END, TABLE_START, docs_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "oss.md"


def test_the_documented_table_is_the_one_in_use() -> None:
    text = DOC.read_text("utf-8")
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    assert text[start:end] == docs_table()
