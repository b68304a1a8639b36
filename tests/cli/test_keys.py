"""``kkpr keys``: a key made on the command line is printed once and opens the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kkpr.cli import app
from tests.api.conftest import make_api, mini_site

runner = CliRunner()


def test_create_list_revoke(
    mini_plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KKPR_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("KKPR_DATABASE_URL", raising=False)
    made = runner.invoke(app, ["keys", "create", "--role", "staff", "--name", "Budi (PUPR)"])
    assert made.exit_code == 0, made.output
    key = made.output.splitlines()[0].strip()
    assert key.startswith("kkpr_")

    listed = runner.invoke(app, ["keys", "list", "--json"])
    rows = json.loads(listed.output)
    assert [(r["name"], r["role"]) for r in rows] == [("Budi (PUPR)", "staff")]
    assert key not in listed.output

    api = make_api(mini_plan_dir, tmp_path / "var")
    r = api.client.post("/v1/checks", json=mini_site(10, 10, 60, 60), headers={"X-API-Key": key})
    assert r.status_code == 201 and r.json()["caller"] == f"key:{rows[0]['id']}"

    assert runner.invoke(app, ["keys", "revoke", rows[0]["id"]]).exit_code == 0
    r = api.client.post("/v1/checks", json=mini_site(10, 10, 60, 60), headers={"X-API-Key": key})
    assert r.status_code == 401


def test_unknown_role_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KKPR_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("KKPR_DATABASE_URL", raising=False)
    done = runner.invoke(app, ["keys", "create", "--role", "superuser", "--name", "x"])
    assert done.exit_code == 2


def test_an_admin_key_can_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KKPR_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("KKPR_DATABASE_URL", raising=False)
    done = runner.invoke(app, ["keys", "create", "--role", "admin", "--name", "x", "--json"])
    assert done.exit_code == 0, done.output
    assert '"role": "admin"' in done.output
