"""Validating the ITBX matrix (``itbx.csv``): its rows, its cells, its columns.

Real annexes are large (Bintan's Lampiran XV: 1,801 KBLI rows x 34 sub-zones), so
every check here is linear in the cells of the table: each distinct cell text is
parsed once, and cells are found by a vectorised lookup, never by searching the
table per cell.

Rows whose code is a placeholder (``-``: uses such as "Rumah Tinggal" that have no
KBLI) and cells that are not I, X or T/B codes (typos such as ``B1.B2``) are
warnings, located by file, line and column: they make a cell or a row unusable,
not the plan. Condition codes without a text in ``ketentuan.csv`` stay errors.

An empty cell is an error too, unless ``plan.toml`` declares what an empty cell means
(``[rules] empty_cell``): an enacted matrix has none, and no regulation has a
procedure for a cell it left blank, so a check must not invent one. The error names
each column's empty cells by line, and the fix (fill them from the regulation, or
declare the meaning the regulation gives them).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kkpr.errors import Problem
from kkpr.model import Condition
from kkpr.plan.package import Plan, read_csv
from kkpr.rules.activity_groups import valid_group
from kkpr.rules.itbx import cell_tokens_valid, parse_cell
from kkpr.rules.rtrw import class_key

FILE = "itbx.csv"
# an activity code that stands for "no code" in published annexes
PLACEHOLDER_CODES = frozenset({"-", "–", "—", "--"})
NAME_COLUMNS = ("kode_kegiatan", "kegiatan")
HEADER_LINES = 1  # the first data row of a table is line 2


def itbx_problems(plan: Plan) -> list[Problem]:
    """Every problem of the plan's ITBX matrix, with its file, line and column."""
    table = read_csv(plan.root / FILE, ("kode_kegiatan",))
    return [
        *missing_columns(plan.zones["kodszn"], plan.rules.subzones),
        *row_problems(table),
        *cell_problems(table, plan.rules.conditions),
        *([] if plan.meta.rule_options.empty_cell else empty_cells(table)),
        *rtrw_matrix_problems(plan),
    ]


def missing_columns(kodszn: pd.Series, subzones: Iterable[str]) -> list[Problem]:
    """Sub-zone codes of the layer with no ITBX column, each with up to five feature ids."""
    codes = kodszn.dropna().astype(str)
    absent = codes[~codes.isin(set(subzones))]
    first: dict[str, list[str]] = {}
    for fid, code in zip(absent.index, absent, strict=True):
        fids = first.setdefault(code, [])
        if len(fids) < 5:
            fids.append(str(fid))
    return [
        Problem(
            "itbx.no_column",
            f"Sub-zona {code} tidak memiliki kolom di matriks ITBX",
            f"Sub-zone {code} has no column in the ITBX matrix",
            file=FILE,
            feature=",".join(first[code]),
        )
        for code in sorted(first)
    ]


def row_problems(table: pd.DataFrame) -> list[Problem]:
    """Empty, placeholder and duplicated activity codes."""
    out: list[Problem] = []
    names = table["kegiatan"] if "kegiatan" in table.columns else table["kode_kegiatan"]
    first_line: dict[str, int] = {}
    for line, (kode, name) in enumerate(
        zip(table["kode_kegiatan"], names, strict=True), start=HEADER_LINES + 1
    ):
        if not kode:
            out.append(
                Problem(
                    "itbx.no_activity_code",
                    "kode_kegiatan kosong",
                    "kode_kegiatan is empty",
                    file=FILE,
                    row=line,
                    column="kode_kegiatan",
                )
            )
        elif kode in PLACEHOLDER_CODES:
            out.append(
                Problem(
                    "itbx.placeholder_code",
                    f"Kegiatan {name!r} berkode {kode!r}: tidak ada KBLI yang dapat memilihnya; "
                    "beri kode kegiatan sendiri dan petakan KBLI-nya di kbli.csv bila perlu diperiksa",
                    f"Activity {name!r} has {kode!r} as its code: no KBLI can select it; give it "
                    "an activity code of its own and map KBLI codes to it in kbli.csv if it is to be checked",
                    file=FILE,
                    row=line,
                    column="kode_kegiatan",
                    severity="warning",
                )
            )
        elif kode in first_line:
            out.append(
                Problem(
                    "itbx.duplicate_row",
                    f"Baris kegiatan {kode} ganda (pertama di baris {first_line[kode]})",
                    f"Activity row {kode} is duplicated (first on line {first_line[kode]})",
                    file=FILE,
                    row=line,
                    column="kode_kegiatan",
                )
            )
        else:
            first_line[kode] = line
    return out


def cell_problems(table: pd.DataFrame, conditions: dict[str, Condition]) -> list[Problem]:
    """Unreadable cells (one warning each) and condition codes without a text (one
    error per code, with how many cells use it and where it is first used)."""
    subzone_columns = [c for c in table.columns if c not in NAME_COLUMNS]
    if not subzone_columns or not len(table):
        return []
    columns = [c.upper() for c in subzone_columns]  # as kkpr.plan.package.read_rules names them
    raw = table[subzone_columns].to_numpy(dtype=object)
    # each distinct text is judged once; cells find their verdict by index
    index, texts = pd.factorize(raw.ravel())
    normal = [str(t).strip().upper().replace(" ", "") for t in texts]
    bad = np.array([not cell_tokens_valid(t) for t in normal])
    lacking = [
        [c for c in parse_cell(t)[1] if c not in conditions] if ok else []
        for t, ok in zip(normal, ~bad, strict=True)
    ]
    shape = raw.shape
    out: list[Problem] = []
    for r, c in zip(*np.nonzero(bad[index].reshape(shape)), strict=True):
        out.append(_bad_cell(str(raw[r, c]), int(r), columns[c]))
    has_lacking = np.array([bool(codes) for codes in lacking])
    first: dict[str, tuple[int, int]] = {}  # code -> its first cell (row, column)
    count: dict[str, int] = {}
    for r, c in zip(*np.nonzero(has_lacking[index].reshape(shape)), strict=True):
        for code in lacking[index[r * shape[1] + c]]:
            first.setdefault(code, (int(r), int(c)))
            count[code] = count.get(code, 0) + 1
    for code, (r, c) in sorted(first.items()):
        line = r + HEADER_LINES + 1
        out.append(
            Problem(
                "itbx.no_condition_text",
                f"Kode {code} (kolom {columns[c]}) tidak ada di ketentuan.csv; "
                f"dipakai di {count[code]} sel, pertama di baris {line}",
                f"Code {code} (column {columns[c]}) has no text in ketentuan.csv; "
                f"used in {count[code]} cells, first on line {line}",
                file=FILE,
                row=line,
                column=columns[c],
            )
        )
    return out


EMPTY_LINES_SHOWN = 12  # lines listed per column; the count says how many there are


def empty_cells(table: pd.DataFrame) -> list[Problem]:
    """One error per sub-zone column holding empty cells: how many, and on which lines."""
    subzone_columns = [c for c in table.columns if c not in NAME_COLUMNS]
    if not subzone_columns or not len(table):
        return []
    raw = table[subzone_columns].to_numpy(dtype=object)
    blank = pd.isna(raw) | (np.char.strip(raw.astype(str)) == "")
    out: list[Problem] = []
    for c in np.flatnonzero(blank.any(axis=0)):
        column = subzone_columns[c].upper()
        lines = [int(r) + HEADER_LINES + 1 for r in np.flatnonzero(blank[:, c])]
        shown = ", ".join(str(n) for n in lines[:EMPTY_LINES_SHOWN])
        more = len(lines) - EMPTY_LINES_SHOWN
        more_id = f" dan {more} lainnya" if more > 0 else ""
        more_en = f" and {more} more" if more > 0 else ""
        out.append(
            Problem(
                "itbx.empty_cell",
                f"{len(lines)} sel kosong di kolom {column} (baris {shown}{more_id}): matriks "
                "yang ditetapkan tidak memiliki sel kosong. Isi sel dari Perda/Perkada, atau "
                "bila peraturannya menyatakan arti kegiatan yang tidak tercantum, nyatakan di "
                'plan.toml: [rules] empty_cell = "X" (atau "I")',
                f"{len(lines)} empty cells in column {column} (lines {shown}{more_en}): an "
                "enacted matrix has none. Fill them in from the regulation, or, where the "
                "regulation says what an unlisted activity means, declare it in plan.toml: "
                '[rules] empty_cell = "X" (or "I")',
                file=FILE,
                row=lines[0],
                column=column,
            )
        )
    return out


def _bad_cell(text: str, r: int, column: str, file: str = FILE) -> Problem:
    guess = text.strip().upper().replace(".", ",").replace(" ", "")
    meant = cell_tokens_valid(guess) and guess != text.strip().upper()
    hint_id = f"; mungkin maksudnya {guess!r}" if meant else ""
    hint_en = f"; perhaps {guess!r} was meant" if meant else ""
    return Problem(
        "itbx.bad_cell",
        f"Sel {text!r} (kolom {column}) bukan I, X atau kode T/B{hint_id}; "
        "sel ini tidak dapat dipakai sampai diperbaiki",
        f"Cell {text!r} (column {column}) is not I, X or T/B codes{hint_en}; "
        "the cell cannot be used until it is corrected",
        file=file,
        row=r + HEADER_LINES + 1,
        column=column,
        severity="warning",
    )


RTRW_FILE = "rtrw_itbx.csv"


def rtrw_matrix_problems(plan: Plan) -> list[Problem]:
    """The RTRW's general zoning matrix (issue 18 item 9): its cells as the RDTR's
    (unreadable: a warning; empty: an error unless declared), its columns against the
    classes of the RTRW layer, its rows against the activities and KBLI groups."""
    matrix = plan.rules.rtrw_matrix
    if matrix is None:
        return []
    out: list[Problem] = []
    if plan.rtrw is None:
        return [
            Problem(
                "rtrw_itbx.no_layer",
                f"{RTRW_FILE} ada tetapi paket tidak memiliki lapisan pola_ruang_rtrw; "
                "tambahkan lapisan RTRW atau hapus matriksnya",
                f"{RTRW_FILE} is given but the package has no pola_ruang_rtrw layer; add "
                "the RTRW layer or remove the matrix",
                file=RTRW_FILE,
            )
        ]
    classes = {class_key(str(v)) for c in ("namobj", "jnsrpr") for v in plan.rtrw[c].dropna()}
    for column in matrix.columns:
        if class_key(column) not in classes:
            out.append(
                Problem(
                    "rtrw_itbx.unknown_column",
                    f"Kolom {column!r} bukan kelas (NAMOBJ/JNSRPR) lapisan RTRW: tidak ada bagian "
                    "tapak yang memakainya",
                    f"Column {column!r} is no class (NAMOBJ/JNSRPR) of the RTRW layer: no site "
                    "part will use it",
                    file=RTRW_FILE,
                    column=column,
                    severity="warning",
                )
            )
    activities = {a.upper() for a in plan.rules.activities}
    empty: dict[str, list[int]] = {}
    for row in matrix.rows:
        if row.key not in activities and not valid_group(row.key):
            out.append(
                Problem(
                    "rtrw_itbx.unknown_row",
                    f"Baris {row.key!r} bukan kode kegiatan itbx.csv maupun kelompok KBLI "
                    "(huruf seksi A–U atau awalan kode)",
                    f"Row {row.key!r} is neither an activity code of itbx.csv nor a KBLI group "
                    "(section letter A–U or code prefix)",
                    file=RTRW_FILE,
                    row=row.line,
                    column="kode_kegiatan",
                    severity="warning",
                )
            )
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            if not cell:
                empty.setdefault(column, []).append(row.line)
            elif not cell_tokens_valid(cell):
                out.append(_bad_cell(cell, row.line - HEADER_LINES - 1, column, RTRW_FILE))
    if not plan.meta.rule_options.empty_cell:
        for column, lines in empty.items():
            shown = ", ".join(str(n) for n in lines[:EMPTY_LINES_SHOWN])
            out.append(
                Problem(
                    "rtrw_itbx.empty_cell",
                    f"{len(lines)} sel kosong di kolom {column} (baris {shown}); isi dari Perda "
                    'RTRW, atau nyatakan di plan.toml: [rules] empty_cell = "X" (atau "I")',
                    f"{len(lines)} empty cells in column {column} (lines {shown}); fill them in "
                    'from the RTRW regulation, or declare in plan.toml: [rules] empty_cell = "X" '
                    '(or "I")',
                    file=RTRW_FILE,
                    row=lines[0],
                    column=column,
                )
            )
    return out
