"""The intensity table of a plan (KDB, KLB, KDH, KTB, height, floors, setback per sub-zone).

Published tables name the sub-zone by its code or by its name (``Perumahan Kepadatan
Tinggi``); a name is matched to a code through the names printed above that code in
the ITBX matrix's header. Value columns are known by their first word (``KDB Maks.
(%)`` is KDB). A sub-zone printed in several variants (``Vertikal 1-3 lantai`` and
``4-5 lantai``, west and east of a road) has no single default in the plan format:
it is left out, with a note saying to give the values per polygon on the layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kkpr.errors import MappingNeeded, Problem
from kkpr.plan.importer.matrix import Matrix
from kkpr.plan.importer.tables import Sheet, column_index, column_letter
from kkpr.plan.kugi import INTENSITY_FIELDS

# the first word of a header -> the intensity field it holds
FIELD_WORDS: dict[str, str] = {
    "KDB": "kdb",
    "KLB": "klb",
    "KDH": "kdh",
    "KTB": "ktb",
    "TB": "tb",
    "TINGGI": "tb",
    "KETINGGIAN": "tb",
    "JLB": "jlb",
    "GSB": "gsb",
}
SUBZONE_WORDS = re.compile(r"^\s*(kodszn|kode sub|simbol|sub ?zona|subzona|kode zona)", re.I)
EMPTY = ("", "-", "–", "—")


@dataclass(frozen=True)
class IntensityTable:
    rows: dict[str, dict[str, str]]  # kodszn -> field -> value text
    notes: list[Problem]


def name_key(name: str) -> str:
    """A sub-zone name reduced for matching: case, 'Zona', brackets and spaces dropped."""
    text = re.sub(r"\(.*?\)", "", name.lower())
    text = re.sub(r"\bzona\b", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


def read_intensity(
    sheet: Sheet,
    matrix: Matrix,
    *,
    subzone_column: str | None = None,
    columns: dict[str, str] | None = None,
) -> IntensityTable:
    """Intensity defaults per sub-zone code; ``columns`` maps a field (kdb...) to a header
    text or column letter, overriding what the header words say."""
    header = _header_row(sheet)
    heads = sheet.rows[header]
    found = [f"{column_letter(c)}: {t}" for c, t in enumerate(heads) if t]
    fields: dict[str, int] = {}
    for col, text in enumerate(heads):
        words = re.findall(r"[A-Za-z]+", text.upper())
        if words and words[0] in FIELD_WORDS:
            fields.setdefault(FIELD_WORDS[words[0]], col)
    for key, given in (columns or {}).items():
        if key not in INTENSITY_FIELDS:
            raise MappingNeeded(
                "intensity_column",
                list(INTENSITY_FIELDS),
                f"{key!r} bukan kolom intensitas",
                f"{key!r} is not an intensity field",
                where=sheet.source,
            )
        fields[key] = _column(sheet, header, given, "intensity_column", found)
    if subzone_column:
        sub = _column(sheet, header, subzone_column, "intensity_subzone_column", found)
    else:
        subs = [c for c, t in enumerate(heads) if SUBZONE_WORDS.match(t)]
        if not subs:
            raise MappingNeeded(
                "intensity_subzone_column",
                found,
                "Kolom sub-zona tidak ditemukan pada tabel intensitas",
                "The sub-zone column was not found in the intensity table",
                where=sheet.source,
            )
        sub = subs[0]
    codes = set(matrix.codes)
    by_name: dict[str, set[str]] = {}
    for code, names in matrix.names.items():
        if names:  # the lowest name over a code is its own; those above are groups
            by_name.setdefault(name_key(names[-1]), set()).add(code)
    picked: dict[str, list[tuple[int, dict[str, str]]]] = {}
    notes: list[Problem] = []
    for r in range(header + 1, len(sheet.rows)):
        key = sheet.cell(r, sub)
        if not key:
            continue
        if key.upper() in codes:
            code = key.upper()
        else:
            matches = by_name.get(name_key(key), set())
            if len(matches) != 1:
                notes.append(_unmatched(sheet, r, sub, key, sorted(matches)))
                continue
            code = next(iter(matches))
        values = {f: _value(sheet.cell(r, col)) for f, col in fields.items()}
        picked.setdefault(code, []).append((r, values))
    rows: dict[str, dict[str, str]] = {}
    for code, found_rows in picked.items():
        if len(found_rows) == 1 or all(v == found_rows[0][1] for _r, v in found_rows):
            rows[code] = found_rows[0][1]
            continue
        lines = ", ".join(str(r + 1) for r, _v in found_rows)
        notes.append(
            Problem(
                "import.intensity_variants",
                f"Sub-zona {code} punya {len(found_rows)} baris intensitas berbeda (baris {lines}); "
                "format paket memuat satu nilai per sub-zona: tidak dimasukkan ke intensitas.csv, "
                "isikan nilainya per poligon (kolom KDB, KLB, ... pada lapisan)",
                f"Sub-zone {code} has {len(found_rows)} differing intensity rows (lines {lines}); "
                "the package format holds one value per sub-zone: left out of intensitas.csv, "
                "give the values per polygon (KDB, KLB, ... fields on the layer)",
                file=sheet.source,
                row=found_rows[0][0] + 1,
                severity="warning",
            )
        )
    return IntensityTable(rows, notes)


def _header_row(sheet: Sheet) -> int:
    for i, row in enumerate(sheet.rows):
        words = [re.findall(r"[A-Za-z]+", c.upper())[:1] for c in row if c]
        if sum(1 for w in words if w and w[0] in FIELD_WORDS) >= 2:
            return i
    raise MappingNeeded(
        "intensity_column",
        [f"{i + 1}: {' | '.join(c for c in r if c)[:80]}" for i, r in enumerate(sheet.rows[:10])],
        "Baris kepala tabel intensitas (KDB, KLB, ...) tidak ditemukan",
        "The header row of the intensity table (KDB, KLB, ...) was not found",
        where=sheet.source,
    )


def _column(sheet: Sheet, header: int, given: str, option: str, found: list[str]) -> int:
    for col, text in enumerate(sheet.rows[header]):
        if text.strip().lower() == given.strip().lower():
            return col
    index = column_index(given.strip())
    if index is None:
        raise MappingNeeded(
            option,
            found,
            f"Kolom {given!r} tidak ada di tabel intensitas",
            f"Column {given!r} is not in the intensity table",
            where=sheet.source,
        )
    return index


def _value(text: str) -> str:
    t = text.strip()
    return "" if t in EMPTY else t.replace(",", ".")


def _unmatched(sheet: Sheet, r: int, col: int, key: str, matches: list[str]) -> Problem:
    several = f" (cocok dengan {', '.join(matches)})" if matches else ""
    several_en = f" (matches {', '.join(matches)})" if matches else ""
    return Problem(
        "import.intensity_unmatched",
        f"Sub-zona {key!r} tabel intensitas tidak dapat dicocokkan dengan satu kolom "
        f"matriks ITBX{several}; baris dilewati",
        f"Intensity sub-zone {key!r} matches no single ITBX matrix column{several_en}; row skipped",
        file=sheet.source,
        row=r + 1,
        column=column_letter(col),
        severity="warning",
    )
