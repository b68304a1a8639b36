"""The RTRW indication by its general zoning matrix (issue 18 item 9).

Outside the RDTR a KKPR is a PKKPR: staff assess the site against the RTRW, and they
read the RTRW's general zoning provisions (ketentuan umum zonasi, KUPZ) for it. A plan
package may carry that matrix (``rtrw_itbx.csv``): a column per pola ruang class of
the RTRW layer (matched with its NAMOBJ, else its JNSRPR, in any case), a row per
activity (an activity code of ``kbli.csv``, or a KBLI group: a section letter or a
code prefix; the activity's own code wins over a group, a longer prefix over a
shorter), cells I, T, B or X.

Each RTRW part of the site then gets that matrix's class, said as an indication for
staff, never a decision: the reasons are informative (``rtrw.itbx.<class>``) and do not
change the outcome, which outside the RDTR is staff review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kkpr.model import Effect, ItbxClass, KbliEntry, Reason, RtrwHit, RtrwMatrix, RtrwRow
from kkpr.rules.activity_groups import specificity, valid_group
from kkpr.rules.itbx import parse_cell
from kkpr.text import ITBX_WORDS, num_en, num_id

FILE = "rtrw_itbx.csv"
_SPACES = re.compile(r"\s+")
OWN_CODE = 100  # an activity's own code is more specific than any KBLI group


def class_key(text: str | None) -> str:
    return _SPACES.sub(" ", (text or "").strip().upper())


@dataclass(frozen=True)
class Indication:
    hit: RtrwHit
    row: RtrwRow | None
    column: str | None
    cell: str | None
    itbx: ItbxClass | None
    declared: bool = False  # an empty cell read as plan.toml [rules] empty_cell says


def column_of(matrix: RtrwMatrix, hit: RtrwHit) -> int | None:
    keys = [class_key(c) for c in matrix.columns]
    for text in (hit.namobj, hit.jnsrpr):
        if text and class_key(text) in keys:
            return keys.index(class_key(text))
    return None


def row_of(matrix: RtrwMatrix, entry: KbliEntry) -> RtrwRow | None:
    best: tuple[int, RtrwRow] | None = None
    for row in matrix.rows:
        if row.key == entry.kode_kegiatan.upper():
            s = OWN_CODE
        elif valid_group(row.key):
            s = specificity(row.key, entry.kbli)
        else:
            s = 0
        if s and (best is None or s > best[0]):
            best = (s, row)
    return None if best is None else best[1]


def indicate(
    matrix: RtrwMatrix, hit: RtrwHit, entry: KbliEntry, empty_cell: str | None
) -> Indication:
    row, col = row_of(matrix, entry), column_of(matrix, hit)
    if row is None or col is None:
        return Indication(hit, row, None if col is None else matrix.columns[col], None, None)
    cell = row.cells[col] or None
    cls, _codes = parse_cell(cell)
    if cell is None and empty_cell:
        return Indication(hit, row, matrix.columns[col], None, ItbxClass(empty_cell), True)
    return Indication(hit, row, matrix.columns[col], cell, cls)


def reason(ind: Indication, entry: KbliEntry, kegiatan: str, site_area: float) -> Reason:
    hit = ind.hit
    code = f"rtrw.itbx.{ind.itbx}" if ind.itbx else (
        "rtrw.itbx.silent" if ind.row is not None and ind.column is not None else "rtrw.itbx.none"
    )  # fmt: skip
    source = {
        "rtrw": hit.namobj,
        "file": FILE,
        "line": ind.row.line if ind.row else None,
        "column": ind.column,
        "cell": ind.cell,
        "itbx": str(ind.itbx) if ind.itbx else None,
        "indicative": True,
    }

    def texts() -> tuple[str, str]:
        part_id = f"{num_id(hit.area_m2)} m²" if site_area > 0 else "titik lokasi"
        part_en = f"{num_en(hit.area_m2)} m²" if site_area > 0 else "the point"
        head_id = (
            f"Indikasi untuk petugas, bukan keputusan: menurut matriks zonasi umum RTRW ({FILE}"
        )
        head_en = (
            f"An indication for staff, not a decision: by the RTRW's general zoning matrix ({FILE}"
        )
        if ind.itbx is not None and ind.row is not None:
            word_id, word_en = ITBX_WORDS[ind.itbx]
            cell_id = (
                f" [{ind.cell}]" if ind.cell else " (sel kosong: plan.toml [rules] empty_cell)"
            )
            cell_en = (
                f" [{ind.cell}]" if ind.cell else " (empty cell: plan.toml [rules] empty_cell)"
            )
            return (
                f"{head_id} baris {ind.row.line}, kolom {ind.column}), kegiatan {kegiatan} "
                f"(KBLI {entry.kbli}) di {hit.namobj} ({part_id}) {word_id}{cell_id}.",
                f"{head_en} line {ind.row.line}, column {ind.column}), activity {kegiatan} "
                f"(KBLI {entry.kbli}) in {hit.namobj} ({part_en}) is {word_en}{cell_en}.",
            )
        if ind.row is None:
            what_id = f"tidak memuat baris untuk kegiatan {kegiatan} (KBLI {entry.kbli})"
            what_en = f"has no row for activity {kegiatan} (KBLI {entry.kbli})"
        elif ind.column is None:
            what_id = f"tidak memuat kolom untuk {hit.namobj}"
            what_en = f"has no column for {hit.namobj}"
        else:
            what_id = f"kosong pada baris {ind.row.line}, kolom {ind.column}"
            what_en = f"is empty on line {ind.row.line}, column {ind.column}"
        return (
            f"Matriks zonasi umum RTRW ({FILE}) {what_id}; petugas menilai {hit.namobj} "
            f"({part_id}) menurut RTRW.",
            f"The RTRW's general zoning matrix ({FILE}) {what_en}; staff assess {hit.namobj} "
            f"({part_en}) against the RTRW.",
        )

    return Reason(code, effect=Effect.INFO, source=source, render=texts)
