"""The in-app delivery worker (api/background.py) lives on the app's own state."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from kkpr.db.database import Database
from kkpr.pipeline.db import pipeline_url
from tests.api.conftest import close, make_api


def test_the_in_app_worker_sends_through_the_apps_pipeline_database_not_a_second(
    mini_plan_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pipeline database per app: the worker and the requests share its connections,
    and the state closes it at shutdown."""
    made: list[Database] = []
    init = Database.__init__

    def counted(self: Database, url: str, **kw: Any) -> None:
        init(self, url, **kw)
        made.append(self)

    monkeypatch.setattr(Database, "__init__", counted)
    api = make_api(mini_plan_dir, tmp_path / "var", register=False, delivery_in_app=True)
    try:
        assert any(t.name == "kkpr-delivery" for t in threading.enumerate())  # it runs
        assert api.client.get("/v1/deliveries", headers=api.auth("staff")).status_code == 200
        url = pipeline_url(api.state.settings)
        assert [db for db in made if db.url == url] == [api.state.pipeline_db()]
    finally:
        close(api)
    assert not any(t.name == "kkpr-delivery" for t in threading.enumerate())
