"""``kkpr plan import`` as a user runs it: without a terminal no question is asked (the
error lists what was found); at a terminal the missing column is asked for."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kkpr.cli import app
from tests.plan.importer.real_sources import YOGYAKARTA, write_skrk_workbook

runner = CliRunner()
pytestmark = pytest.mark.skipif(not YOGYAKARTA.is_dir(), reason=f"{YOGYAKARTA} is absent")


def _args(tmp_path: Path, *extra: str) -> list[str]:
    workbook = tmp_path / "skrk.xlsx"
    write_skrk_workbook(YOGYAKARTA / "seed.js", workbook)
    return [
        "plan",
        "import",
        str(tmp_path / "jogja"),
        "--layer",
        str(YOGYAKARTA / "rdtr_yogyakarta_sample.geojson"),
        "--itbx",
        str(workbook),
        "--id",
        "yogyakarta-rdtr",
        "--name",
        "RDTR Kota Yogyakarta",
        *extra,
    ]


def test_a_missing_mapping_lists_the_columns_and_the_option(tmp_path: Path) -> None:
    res = runner.invoke(app, _args(tmp_path))
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "--kodszn-field" in text and "'SIMBOL'" in text and "'POLA_RUANG'" in text
    assert not (tmp_path / "jogja").exists()


def test_import_writes_the_package_and_prints_its_validation(tmp_path: Path) -> None:
    res = runner.invoke(app, _args(tmp_path, "--kodszn-field", "SIMBOL"))
    assert res.exit_code == 1, res.output  # JLN roads have no column: an error of the plan
    assert (tmp_path / "jogja" / "plan.toml").exists()
    text = " ".join(res.output.split())
    assert "import.empty_cell" in text and "itbx.no_column" in text

    res = runner.invoke(
        app, [*_args(tmp_path, "--kodszn-field", "SIMBOL"), "--overwrite", "--json"]
    )
    body = json.loads(res.output)
    assert body["valid"] is False and body["package"].endswith("jogja")
    assert sum(n["code"] == "import.empty_cell" for n in body["notes"]) == 5
    assert {"row", "column"} <= set(body["notes"][1])


def test_at_a_terminal_a_missing_mapping_is_asked_for(tmp_path: Path) -> None:
    """Run in a real pseudo-terminal: the command asks for the code field, then imports."""
    root = Path(__file__).resolve().parents[2]
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kkpr.cli import main; main()", *_args(tmp_path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "COLUMNS": "200"},
    )
    os.close(slave)
    seen = _read_until(master, b"--kodszn-field:")
    assert b"SIMBOL" in seen  # the fields found are listed before the question
    os.write(master, b"SIMBOL\n")
    rest = _read_until(master, None)
    assert proc.wait(timeout=300) == 1, rest.decode(errors="replace")
    os.close(master)
    assert 'kodszn = "SIMBOL"' in (tmp_path / "jogja" / "plan.toml").read_text()
    assert b"itbx.no_column" in rest


def _read_until(fd: int, marker: bytes | None) -> bytes:
    out = b""
    while marker is None or marker not in out:
        poller = select.poll()  # select() refuses descriptors past 1024
        poller.register(fd, select.POLLIN | select.POLLHUP)
        if not poller.poll(300_000):
            raise AssertionError(f"no {marker!r} in {out[-2000:]!r}")
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    if marker is not None and marker not in out:
        raise AssertionError(f"the command ended without {marker!r}: {out[-2000:]!r}")
    return out
