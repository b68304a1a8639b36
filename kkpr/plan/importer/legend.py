"""The legend of an ITBX matrix: the texts of its T and B codes (``T1 : Terbatas ...``).

Annexes print it under the table; cities also hand it over as text (a note, a page of
the Perda). Each line ``CODE : text`` gives one condition; ``T`` and ``B`` alone give
the general meaning, which is what a bare ``T`` or ``B`` cell refers to. I and X are
classes, not conditions, and are not kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kkpr.errors import PlanError, Problem

LINE = re.compile(r"^\s*([TB]\d*[A-Z]?)\s*[:=]\s*(\S.*?)\s*$")


@dataclass(frozen=True)
class Legend:
    texts: dict[str, str]  # code -> text as enacted
    notes: list[Problem]


def parse_legend(lines: Iterable[tuple[int, str]], source: str) -> Legend:
    """``lines`` as (line number, text); a code given twice keeps its last text, with a note."""
    texts: dict[str, str] = {}
    where: dict[str, int] = {}
    notes: list[Problem] = []
    for number, line in lines:
        m = LINE.match(line)
        if not m:
            continue
        code, text = m.group(1).upper(), re.sub(r"\s+", " ", m.group(2)).strip()
        if code in texts and texts[code] != text:
            notes.append(
                Problem(
                    "import.legend_twice",
                    f"Kode {code} diberi teks dua kali (juga baris {where[code]}); "
                    "yang dipakai teks terakhir",
                    f"Code {code} is given a text twice (also line {where[code]}); "
                    "the last text is used",
                    file=source,
                    row=number,
                    severity="warning",
                )
            )
        texts[code] = text
        where[code] = number
    return Legend(texts, notes)


def legend_file(path: Path) -> Legend:
    if not path.exists():
        raise PlanError("Berkas legenda tidak ada", "Legend file not found", where=str(path))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return parse_legend(enumerate(text.splitlines(), start=1), path.name)


def legend_rows(rows: list[list[str]], source: str) -> Legend:
    """The legend printed in a sheet: the first filled cell of each row."""
    return parse_legend(
        ((i + 1, next((c for c in row if c), "")) for i, row in enumerate(rows)), source
    )
