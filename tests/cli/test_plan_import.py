"""``kkpr plan import`` as a user runs it (no terminal attached: no questions asked)."""

from __future__ import annotations

import json
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
