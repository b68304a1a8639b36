"""Reading the tables a city publishes (``.xlsx`` annexes, ``.csv`` exports) as rows of text.

A sheet becomes a list of rows, each a list of cell texts, exactly as a planner sees
them: numbers written without a trailing ``.0`` (a KBLI typed as a number stays
``49110``), empty cells as ``""``. Where a cell lies is said as the spreadsheet says
it (row 1721, column AA), so every import note can be found in the source.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kkpr.errors import PlanError

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm")
CSV_SEPARATORS = ",;\t|"


@dataclass(frozen=True)
class Sheet:
    """One table: its source (file and sheet) and its rows of cell texts."""

    source: str
    rows: list[list[str]]

    def cell(self, row: int, col: int) -> str:
        line = self.rows[row]
        return line[col] if col < len(line) else ""

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def column_letter(col: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column."""
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def column_index(letters: str) -> int | None:
    """``AA`` -> 26; None when ``letters`` is not a column name."""
    if not letters.isalpha() or not letters.isascii() or len(letters) > 3:
        return None
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The rows of ``path``: a sheet of a workbook (the first, or ``sheet``) or a CSV."""
    if not path.exists():
        raise PlanError("Berkas tidak ada", "File not found", where=str(path))
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return _read_workbook(path, sheet)
    return _read_csv(path)


def _read_workbook(path: Path, sheet: str | None) -> Sheet:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise PlanError(
            "Buku kerja tidak dapat dibaca",
            "Workbook cannot be read",
            where=path.name,
            hint_id=f"Simpan ulang sebagai .xlsx ({exc})",
            hint_en=f"Save it again as .xlsx ({exc})",
        ) from exc
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise PlanError(
                f"Lembar {sheet!r} tidak ada; yang ada: {', '.join(names)}",
                f"Sheet {sheet!r} does not exist; the workbook has: {', '.join(names)}",
                where=path.name,
                extra={"found": names},
            )
        ws = book[sheet or names[0]]
        rows = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return Sheet(f"{path.name} [{sheet or names[0]}]", rows)


def _read_csv(path: Path) -> Sheet:
    raw = path.read_bytes()
    text = ""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 reads any byte
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:20_000], delimiters=CSV_SEPARATORS
        )
    except csv.Error:
        dialect = csv.excel
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    return Sheet(path.name, rows)
