"""ITBX matrix validation: placeholder rows and typo cells are located warnings, the rest
as before; empty cells are an error unless plan.toml declares their meaning; the real
Bintan annex (1,801 rows x 34 sub-zones) has three, and no other error."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from kkpr.plan.validate import errors_of, validate_dir

REAL_ITBX = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "real_data"
    / "bintan_itbx"
    / "itbx_bsb_lampiran_xv.csv"
)


def _with_itbx(mini_plan_dir: Path, tmp_path: Path, itbx: str) -> Path:
    root = tmp_path / "plan"
    shutil.copytree(mini_plan_dir, root)
    (root / "itbx.csv").write_text(itbx, encoding="utf-8")
    return root


def test_placeholder_rows_and_typo_cells_are_located_warnings(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    root = _with_itbx(
        mini_plan_dir,
        tmp_path,
        "kode_kegiatan,kegiatan,K-1,R-2,RTH-2\n"
        "PERDAG-MINI,Minimarket,I,T1,X\n"
        "RESTO,Restoran,I,B1.B2,X\n"
        "TANI,Pertanian,X,X,I\n"
        "-,Rumah Tinggal,I,I,X\n"
        "-,Bangunan Pemerintahan,I,Q,X\n",
    )
    plan, problems = validate_dir(root)
    assert plan is not None
    itbx = [p for p in problems if p.file == "itbx.csv"]
    assert [(p.code, p.severity, p.row, p.column) for p in itbx] == [
        ("itbx.placeholder_code", "warning", 5, "kode_kegiatan"),
        ("itbx.placeholder_code", "warning", 6, "kode_kegiatan"),
        ("itbx.bad_cell", "warning", 3, "R-2"),
        ("itbx.bad_cell", "warning", 6, "R-2"),
    ]
    assert "Rumah Tinggal" in itbx[0].message_en
    assert "'B1,B2'" in itbx[2].message_en and "'B1,B2'" in itbx[2].message_id
    assert "perhaps" not in itbx[3].message_en  # 'Q' has no likely reading
    assert "baris/row 3, kolom/column R-2" in itbx[2].where
    assert errors_of(problems) == []


def test_missing_condition_texts_are_one_error_per_code(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    root = _with_itbx(
        mini_plan_dir,
        tmp_path,
        "kode_kegiatan,kegiatan,K-1,R-2,RTH-2\n"
        "PERDAG-MINI,Minimarket,I,T1,T9\n"
        "RESTO,Restoran,B7,T1;B7,T9\n"
        "TANI,Pertanian,X,B7,I\n",
    )
    problems = [p for p in validate_dir(root)[1] if p.code == "itbx.no_condition_text"]
    assert [(p.severity, p.row, p.column) for p in problems] == [
        ("error", 3, "K-1"),  # B7: first in RESTO x K-1
        ("error", 2, "RTH-2"),  # T9: first in PERDAG-MINI x RTH-2
    ]
    assert "used in 3 cells" in problems[0].message_en
    assert "dipakai di 2 sel" in problems[1].message_id


def test_empty_and_duplicated_activity_codes_stay_errors(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    root = _with_itbx(
        mini_plan_dir,
        tmp_path,
        "kode_kegiatan,kegiatan,K-1,R-2,RTH-2\n"
        "PERDAG-MINI,Minimarket,I,T1,X\n"
        "RESTO,Restoran,I,T1,X\n"
        "TANI,Pertanian,X,X,I\n"
        ",Tanpa kode,X,X,X\n"
        "RESTO,Restoran lagi,I,I,I\n",
    )
    errors = [p for p in errors_of(validate_dir(root)[1]) if p.file == "itbx.csv"]
    assert [(p.code, p.row) for p in errors] == [
        ("itbx.no_activity_code", 5),
        ("itbx.duplicate_row", 6),
    ]
    assert "line 3" in errors[1].message_en  # where the first RESTO row is


@pytest.mark.skipif(not REAL_ITBX.exists(), reason=f"{REAL_ITBX} is absent")
def test_real_bintan_annex_has_only_its_known_flaws(mini_plan_dir: Path, tmp_path: Path) -> None:
    """Lampiran XV: 8 rows coded '-', two 'B1.B2' cells (KBLI 91021/91022, column R-4)."""
    text = REAL_ITBX.read_text(encoding="utf-8")
    root = _with_itbx(mini_plan_dir, tmp_path, text)
    rows = list(csv.reader(text.splitlines()))[1:]
    with (root / "kbli.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["kbli", "judul", "kode_kegiatan"])
        out.writerows([r[0], r[1], r[0]] for r in rows if re.fullmatch(r"\d{5}", r[0]))
    (root / "ketentuan.csv").write_text(
        "kode,teks\n"
        + "".join(f"{c},Ketentuan {c}\n" for c in ("T1", "T2", "T3", "B1", "B2", "B3"))
    )
    plan, problems = validate_dir(root)
    assert plan is not None and len(plan.rules.subzones) == 34
    itbx = [p for p in problems if p.file == "itbx.csv"]
    placeholders = [p for p in itbx if p.code == "itbx.placeholder_code"]
    assert [p.row for p in placeholders] == list(range(1795, 1803))
    assert "Rumah Tinggal" in placeholders[0].message_en
    bad = [(p.row, p.column) for p in itbx if p.code == "itbx.bad_cell"]
    assert bad == [(1708, "R-4"), (1709, "R-4")]
    # its three blank cells (R-2 of three clay industries): one error, with the lines
    # and the fix; declaring what an empty cell means (as the Perda would) clears it
    (empty,) = errors_of(problems)
    assert (empty.code, empty.file, empty.row, empty.column) == (
        "itbx.empty_cell",
        "itbx.csv",
        526,
        "R-2",
    )
    assert "3 empty cells in column R-2 (lines 526, 527, 528)" in empty.message_en
    assert "[rules] empty_cell" in empty.message_en and "[rules] empty_cell" in empty.message_id
    assert len(itbx) == 11
    with (root / "plan.toml").open("a") as f:
        f.write('[rules]\nempty_cell = "X"\n')
    assert errors_of(validate_dir(root)[1]) == []


def test_empty_cells_are_one_error_per_column_with_their_lines(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    root = _with_itbx(
        mini_plan_dir,
        tmp_path,
        "kode_kegiatan,kegiatan,K-1,R-2,RTH-2\n"
        "PERDAG-MINI,Minimarket,I,,X\n"
        "RESTO,Restoran,I,T1, \n"
        "TANI,Pertanian,X,,\n",
    )
    errors = [p for p in errors_of(validate_dir(root)[1]) if p.code == "itbx.empty_cell"]
    assert [(p.row, p.column) for p in errors] == [(2, "R-2"), (3, "RTH-2")]
    assert "2 empty cells in column R-2 (lines 2, 4)" in errors[0].message_en
    assert "2 sel kosong di kolom RTH-2 (baris 3, 4)" in errors[1].message_id
    for declared in ("X", "I"):
        (root / "plan.toml").write_text(
            (mini_plan_dir / "plan.toml").read_text() + f'[rules]\nempty_cell = "{declared}"\n'
        )
        assert not [p for p in validate_dir(root)[1] if p.code == "itbx.empty_cell"]


def test_many_empty_cells_list_the_first_lines_and_a_count(
    mini_plan_dir: Path, tmp_path: Path
) -> None:
    rows = "".join(f"A{i},Kegiatan {i},I,,X\n" for i in range(30))
    root = _with_itbx(mini_plan_dir, tmp_path, "kode_kegiatan,kegiatan,K-1,R-2,RTH-2\n" + rows)
    (err,) = [p for p in validate_dir(root)[1] if p.code == "itbx.empty_cell"]
    assert (
        "30 empty cells in column R-2 (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 18 more)"
        in err.message_en
    )
