"""The RTRW indication by its general zoning matrix (issue 18 item 9), hand-worked on the
mini plan with an RTRW layer of two classes (Kawasan Permukiman x -500..400, Kawasan
Hutan Lindung x 400..800; y -500..700) and rtrw_itbx.csv:

    kode_kegiatan  kegiatan      Kawasan Permukiman  Kawasan Hutan Lindung
    PERDAG-MINI    Minimarket    I                   X
    G              Perdagangan   T                   X
    A              Pertanian     B                   X

A site x 350..450, y 0..20 lies outside the RDTR (which ends at x 300): 1,000 m² in
each class. The indications inform staff; the outcome stays perlu_kajian (PKKPR).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest

from kkpr.check import check
from kkpr.model import CheckResult, Form, Outcome, Proposal
from kkpr.plan.validate import errors_of, validate_dir
from kkpr.store.base import Store
from tests.mini_plan import CRS, site, sq, write_mini_plan

MATRIX = """\
kode_kegiatan,kegiatan,Kawasan Permukiman,Kawasan Hutan Lindung
PERDAG-MINI,Minimarket,I,X
G,Perdagangan (seksi G),T,X
A,Pertanian (seksi A),B,X
"""


def rtrw_plan(root: Path, matrix: str = MATRIX) -> Path:
    write_mini_plan(root)
    gpd.GeoDataFrame(
        {
            "NAMOBJ": ["Kawasan Permukiman", "Kawasan Hutan Lindung"],
            "JNSRPR": ["Kawasan Budi Daya", "Kawasan Lindung"],
        },
        geometry=[sq(-500, -500, 400, 700), sq(400, -500, 800, 700)],
        crs=CRS,
    ).to_file(root / "pola_ruang_rtrw.gpkg", driver="GPKG")
    (root / "rtrw_itbx.csv").write_text(matrix)
    return root


@pytest.fixture(scope="module")
def rtrw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rtrw_plan(tmp_path_factory.mktemp("rtrw") / "mini")


@pytest.fixture
def store(store_for: Callable[[Path], Store], rtrw_dir: Path) -> Store:
    return store_for(rtrw_dir)


def run(store: Store, kbli: str) -> CheckResult:
    return check(store, site(350, 0, 450, 20), kbli, Proposal(), crs=CRS)


def matrix_reasons(r: CheckResult) -> list[tuple[str, str, str]]:
    return [(x.code, x.id, x.en) for x in r.reasons if x.code.startswith("rtrw.itbx")]


def test_each_rtrw_part_gets_the_matrix_class_as_an_indication(store: Store) -> None:
    r = run(store, "47111")  # the minimarket's own row wins over section G
    assert (r.outcome, r.form) == (Outcome.PERLU_KAJIAN, Form.PKKPR)
    assert [(h["namobj"], h["area_m2"], h["itbx"], h["cell"]) for h in r.rtrw] == [
        ("Kawasan Permukiman", pytest.approx(1000.0), "I", "I"),
        ("Kawasan Hutan Lindung", pytest.approx(1000.0), "X", "X"),
    ]
    assert r.rtrw[0]["matrix"] == {
        "file": "rtrw_itbx.csv",
        "line": 2,
        "column": "Kawasan Permukiman",
    }
    (c1, id1, en1), (c2, _id2, en2) = matrix_reasons(r)
    assert (c1, c2) == ("rtrw.itbx.I", "rtrw.itbx.X")
    assert en1.startswith("An indication for staff, not a decision")
    assert id1.startswith("Indikasi untuk petugas, bukan keputusan")
    assert "line 2, column Kawasan Permukiman" in en1 and "1,000.0 m²" in en1
    assert "is not permitted [X]" in en2
    assert all(x.effect == "info" for x in r.reasons if x.code.startswith("rtrw."))


def test_a_kbli_group_row_and_a_missing_row(store: Store) -> None:
    farm = run(store, "01121")  # TANI has no row of its own: section A
    assert [h["itbx"] for h in farm.rtrw] == ["B", "X"]
    assert farm.rtrw[0]["matrix"]["line"] == 4
    resto = run(store, "56101")  # section I: no row
    assert [c for c, _i, _e in matrix_reasons(resto)] == ["rtrw.itbx.none"] * 2
    assert "has no row for activity Restoran (KBLI 56101)" in matrix_reasons(resto)[0][2]
    assert [h["itbx"] for h in resto.rtrw] == [None, None]


def test_inside_the_rdtr_the_matrix_says_nothing(store: Store) -> None:
    r = check(store, site(10, 10, 90, 90), "47111", Proposal(), crs=CRS)
    assert r.form == Form.KKKPR and matrix_reasons(r) == []


def test_the_matrix_is_validated(tmp_path: Path, rtrw_dir: Path) -> None:
    assert errors_of(validate_dir(rtrw_dir)[1]) == []
    bad = MATRIX.replace("Kawasan Hutan Lindung", "Kawasan Hutan").replace(
        "A,Pertanian (seksi A),B,X", "A,Pertanian (seksi A),,Q"
    )
    problems = validate_dir(rtrw_plan(tmp_path / "bad", bad))[1]
    found = {(p.code, p.severity, p.row, p.column) for p in problems if p.file == "rtrw_itbx.csv"}
    assert found == {
        ("rtrw_itbx.unknown_column", "warning", None, "Kawasan Hutan"),
        ("itbx.bad_cell", "warning", 4, "Kawasan Hutan"),
        ("rtrw_itbx.empty_cell", "error", 4, "Kawasan Permukiman"),
    }
