"""The ITBX matrix as an annex prints it: title lines, a header of zone and sub-zone names
over a row of sub-zone codes, one row per activity, the legend of T/B codes below.

Finding the parts: the row of sub-zone codes is the row with the most distinct
code-like cells (those of the zoning layer count first); the activity name and code
columns are found by their header words (``Kegiatan``, ``Kode``/``KBLI``) left of the
sub-zones. Any of them can be named instead (a header text or a column letter);
what cannot be told apart is asked for (MappingNeeded, listing what was found).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kkpr.errors import MappingNeeded, PlanError, Problem
from kkpr.plan.importer.tables import Sheet, column_index, column_letter
from kkpr.plan.validate_itbx import PLACEHOLDER_CODES
from kkpr.rules.itbx import cell_tokens_valid

Progress = Callable[[str, int, int], None]

# sub-zone codes are printed in capitals (R-2, SPU-1, RTH-3) or as KUGI numbers
SUBZONE_CODE = re.compile(r"^(?:[A-Z][A-Z0-9]{0,7}(?:-[0-9A-Z]{1,3})?|\d{2,10})$")
HEADER_WORDS = frozenset({"NO", "NO.", "KODE", "KBLI", "KEGIATAN", "ZONA", "ZONASI", "URAIAN"})
CELL_GRAMMAR = re.compile(r"^(?:I|X|T|B|[TB]\d+[A-Z]?)(?:[;,][TB]\d*[A-Z]?)*$")
KEGIATAN_WORDS = re.compile(r"\b(kegiatan|aktivitas|uraian|jenis kegiatan)\b", re.I)
KODE_WORDS = re.compile(r"^\s*(kode(?:[ _](?:kbli|kegiatan))?|kbli)\b", re.I)
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Columns:
    """Where the matrix is in its sheet (0-based rows and columns)."""

    header_row: int
    kegiatan: int
    kode: int | None
    subzones: tuple[tuple[int, str], ...]  # (column, sub-zone code)


@dataclass
class MatrixRow:
    kode: str
    kegiatan: str
    cells: list[str]
    row: int  # 0-based row of the sheet
    kbli: str | None  # the five-digit KBLI code of the row, if it has one


@dataclass
class Matrix:
    sheet: Sheet
    columns: Columns
    rows: list[MatrixRow]
    names: dict[str, list[str]]  # sub-zone code -> the header names above it
    notes: list[Problem] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [code for _col, code in self.columns.subzones]


# ---------------------------------------------------------------- finding the columns


def find_columns(
    sheet: Sheet,
    layer_codes: Iterable[str] = (),
    *,
    header_row: int | None = None,
    kegiatan: str | None = None,
    kode: str | None = None,
) -> Columns:
    """The matrix's columns; ``header_row`` is 1-based (as the spreadsheet numbers it),
    ``kegiatan`` and ``kode`` are a header text or a column letter."""
    known = {c.upper() for c in layer_codes}
    row = header_row - 1 if header_row else _code_row(sheet, known)
    if row is None or not 0 <= row < len(sheet.rows):
        raise MappingNeeded(
            "header_row",
            [
                f"{i + 1}: {' | '.join(c for c in r if c)[:80]}"
                for i, r in enumerate(sheet.rows[:15])
            ],
            "Baris kode sub-zona tidak ditemukan pada matriks ITBX",
            "The row of sub-zone codes was not found in the ITBX matrix",
            where=sheet.source,
        )
    subzones = tuple(
        (col, text.upper())
        for col, text in enumerate(sheet.rows[row])
        if text and _code_like(text, known)
    )
    if not subzones:
        raise PlanError(
            f"Baris {row + 1} tidak memuat kode sub-zona",
            f"Row {row + 1} holds no sub-zone codes",
            where=sheet.source,
        )
    first = subzones[0][0]
    block = _header_block(sheet, row)
    left = {
        col: " / ".join(sheet.cell(r, col) for r in block if sheet.cell(r, col))
        for col in range(first)
    }
    left = {col: text for col, text in left.items() if text}
    kegiatan_col = _choose(sheet, "kegiatan_column", kegiatan, left, KEGIATAN_WORDS, required=True)
    kode_col = _choose(sheet, "kode_column", kode, left, KODE_WORDS, required=False)
    assert kegiatan_col is not None
    return Columns(row, kegiatan_col, kode_col, subzones)


def _code_like(text: str, known: set[str]) -> bool:
    """A sub-zone code of the layer (any case), or a capitalised code that is not a cell."""
    if text.upper() in known:
        return True
    return (
        bool(SUBZONE_CODE.match(text))
        and not CELL_GRAMMAR.match(text)
        and text.upper() not in HEADER_WORDS
    )


def _code_row(sheet: Sheet, known: set[str]) -> int | None:
    best, best_score = None, 1
    for i, row in enumerate(sheet.rows):
        values = {c for c in row if c}
        score = len([v for v in values if _code_like(v, known)])
        score += len({v.upper() for v in values} & known)
        if score > best_score:
            best, best_score = i, score
    return best


def _header_block(sheet: Sheet, row: int) -> list[int]:
    """The header rows: ``row`` and the non-empty rows right above it."""
    top = row
    while top > 0 and any(sheet.rows[top - 1]):
        top -= 1
    return list(range(top, row + 1))


def _choose(
    sheet: Sheet,
    option: str,
    given: str | None,
    left: dict[int, str],
    words: re.Pattern[str],
    *,
    required: bool,
) -> int | None:
    found = [f"{column_letter(c)}: {t}" for c, t in sorted(left.items())]
    if given:
        by_text = [c for c, t in left.items() if given.strip().lower() in t.lower().split(" / ")]
        if by_text:
            return by_text[0]
        index = column_index(given.strip())
        if index is not None:
            return index
        raise MappingNeeded(
            option,
            found,
            f"Kolom {given!r} tidak ada di kepala matriks",
            f"Column {given!r} is not in the matrix header",
            where=sheet.source,
        )
    matches = [c for c, t in sorted(left.items()) if words.search(t)]
    if matches:
        return matches[0]
    if required:
        raise MappingNeeded(
            option,
            found,
            "Kolom nama kegiatan tidak ditemukan pada matriks ITBX",
            "The activity-name column was not found in the ITBX matrix",
            where=sheet.source,
        )
    return None


# ---------------------------------------------------------------- reading the rows


def read_matrix(sheet: Sheet, columns: Columns, progress: Progress | None = None) -> Matrix:
    notes: list[Problem] = []
    seen_codes: dict[str, int] = {}
    for col, code in columns.subzones:
        if code in seen_codes:
            notes.append(
                _note(
                    sheet,
                    "import.duplicate_subzone",
                    columns.header_row,
                    col,
                    f"Kode sub-zona {code} muncul dua kali (juga di kolom {column_letter(seen_codes[code])})",
                    f"Sub-zone code {code} appears twice (also in column {column_letter(seen_codes[code])})",
                    "error",
                )
            )
        seen_codes.setdefault(code, col)
    block = _header_block(sheet, columns.header_row)[:-1]
    names = {
        code: [sheet.cell(r, col) for r in block if sheet.cell(r, col)]
        for col, code in columns.subzones
    }
    rows: list[MatrixRow] = []
    used: set[str] = set()
    total = len(sheet.rows) - columns.header_row - 1
    for i, r in enumerate(range(columns.header_row + 1, len(sheet.rows))):
        if progress and i % 200 == 0:
            progress("matriks ITBX / ITBX matrix", i, total)
        raw_kode = sheet.cell(r, columns.kode) if columns.kode is not None else ""
        name = sheet.cell(r, columns.kegiatan)
        raw = [sheet.cell(r, col) for col, _code in columns.subzones]
        kbli = _kbli(raw_kode)
        if not any(raw) and not (raw_kode and raw_kode not in PLACEHOLDER_CODES):
            continue  # a blank line, a group heading or the legend under the table
        if not name and not raw_kode:
            notes.append(
                _note(
                    sheet,
                    "import.row_without_activity",
                    r,
                    columns.kegiatan,
                    "Baris berisi sel ITBX tanpa kode dan nama kegiatan; dilewati",
                    "Row holds ITBX cells but no activity code or name; skipped",
                    "error",
                )
            )
            continue
        kode = kbli or raw_kode
        if not kode or kode in PLACEHOLDER_CODES:
            kode = _unique(slug(name), used)
            if raw_kode in PLACEHOLDER_CODES:
                notes.append(
                    _note(
                        sheet,
                        "import.placeholder_code",
                        r,
                        columns.kode,
                        f"Kegiatan {name!r} berkode {raw_kode!r}: diberi kode {kode}; "
                        "petakan KBLI-nya di kbli.csv bila perlu diperiksa",
                        f"Activity {name!r} is coded {raw_kode!r}: given the code {kode}; map "
                        "its KBLI codes to it in kbli.csv if it is to be checked",
                    )
                )
        used.add(kode)
        if REPLACEMENT in name:
            notes.append(
                _note(
                    sheet,
                    "import.replacement_character",
                    r,
                    columns.kegiatan,
                    f"Nama kegiatan {name!r} memuat karakter pengganti U+FFFD (huruf yang hilang "
                    "saat konversi encoding); perbaiki namanya dari Perda",
                    f"Activity name {name!r} holds the replacement character U+FFFD (a letter lost "
                    "in an encoding conversion); correct the name from the regulation",
                )
            )
        cells = [normal_cell(c) for c in raw]
        for (col, code), cell in zip(columns.subzones, cells, strict=True):
            if not cell:
                notes.append(
                    _note(
                        sheet,
                        "import.empty_cell",
                        r,
                        col,
                        f"Sel kosong: kegiatan {name!r} di sub-zona {code}. Paket rencana dengan sel "
                        "kosong tidak sah kecuali plan.toml [rules] empty_cell menyatakan artinya; "
                        "isi dari Perda",
                        f"Empty cell: activity {name!r} in sub-zone {code}. A plan package "
                        "is invalid with empty cells unless plan.toml [rules] empty_cell declares "
                        "what they mean; fill it in from the regulation",
                    )
                )
        rows.append(MatrixRow(kode, name, cells, r, kbli))
    if progress:
        progress("matriks ITBX / ITBX matrix", total, total)
    if columns.kode is None:
        notes.append(
            Problem(
                "import.no_code_column",
                "Matriks tidak punya kolom kode: kode kegiatan dibuat dari namanya, dan tidak "
                "ada KBLI yang terpetakan; berikan pemetaan KBLI dengan --kbli-map",
                "The matrix has no code column: activity codes were made from the names and "
                "no KBLI is mapped; give a KBLI mapping with --kbli-map",
                file=sheet.source,
                severity="warning",
            )
        )
    return Matrix(sheet, columns, rows, names, notes)


def normal_cell(text: str) -> str:
    """``T1,B1, B3`` -> ``T1;B1;B3`` (the package's separator); text that is not a cell
    (``B1.B2``) is kept as written, for validation to point at."""
    tokens = [t for t in re.split(r"[,;\s]+", text.strip().upper()) if t]
    joined = ";".join(tokens)
    return joined if joined and cell_tokens_valid(joined) else text.strip()


def _kbli(text: str) -> str | None:
    t = text.strip()
    return t.zfill(5) if t.isdigit() and 4 <= len(t) <= 5 else None


def slug(name: str) -> str:
    """An activity code made from its name: ``Rumah Tinggal`` -> ``RUMAH-TINGGAL``."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", plain.upper())
    return "-".join(words)[:40].strip("-") or "KEGIATAN"


def _unique(code: str, used: set[str]) -> str:
    out, n = code, 2
    while out in used:
        out, n = f"{code}-{n}", n + 1
    return out


def _note(
    sheet: Sheet,
    code: str,
    row: int,
    col: int | None,
    message_id: str,
    message_en: str,
    severity: str = "warning",
) -> Problem:
    return Problem(
        code,
        message_id,
        message_en,
        file=sheet.source,
        row=row + 1,
        column=column_letter(col) if col is not None else None,
        severity=severity,
    )
