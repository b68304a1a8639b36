"""Tables and layers that cannot be read say why, with the file and the line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kkpr.plan.validate import validate_dir

KETENTUAN = (
    "kode,teks,max_floor_area_m2,max_site_area_m2,max_floors\n"
    "T1,Luas lantai paling banyak 200 m2,200,,\n"
    "B1,Wajib kajian dampak lalu lintas – Andalalin,,,\n"
)


def broken(tmp_path: Path, mini_plan_dir: Path, name: str, data: bytes) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(mini_plan_dir, root)
    (root / name).write_bytes(data)
    return root


def only_problem(root: Path) -> tuple[str, str | None, int | None, str]:
    plan, problems = validate_dir(root)
    assert plan is None
    (p,) = problems
    return p.code, p.file, p.row, p.message_en


def test_a_cp1252_table_names_its_line_and_encoding(tmp_path: Path, mini_plan_dir: Path) -> None:
    root = broken(tmp_path, mini_plan_dir, "ketentuan.csv", KETENTUAN.encode("cp1252"))
    code, file, row, message = only_problem(root)
    assert (code, file, row) == ("table.encoding", "ketentuan.csv", 3)
    assert "not UTF-8" in message and "cp1252" in message and "Andalalin" in message


def test_a_semicolon_table_says_so(tmp_path: Path, mini_plan_dir: Path) -> None:
    data = (mini_plan_dir / "kbli.csv").read_text().replace(",", ";").encode()
    code, file, row, message = only_problem(broken(tmp_path, mini_plan_dir, "kbli.csv", data))
    assert (code, file, row) == ("table.separator", "kbli.csv", 1)
    assert "';'" in message


def test_a_row_with_too_many_cells_is_located(tmp_path: Path, mini_plan_dir: Path) -> None:
    data = (mini_plan_dir / "kbli.csv").read_text() + "47112,Toko,PERDAG-MINI,extra\n"
    code, file, row, _message = only_problem(
        broken(tmp_path, mini_plan_dir, "kbli.csv", data.encode())
    )
    assert (code, file, row) == ("table.unreadable", "kbli.csv", 5)


@pytest.mark.parametrize("data", [b"", b"not a geopackage at all"])
def test_an_unreadable_layer_is_located(tmp_path: Path, mini_plan_dir: Path, data: bytes) -> None:
    code, file, _row, message = only_problem(
        broken(tmp_path, mini_plan_dir, "pola_ruang.gpkg", data)
    )
    assert (code, file) == ("layer.unreadable", "pola_ruang.gpkg")
    assert message.startswith("Layer cannot be read")
