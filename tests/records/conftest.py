"""Fixtures of the records tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkpr.records.checks import open_records


@pytest.fixture(params=["sqlite", "postgresql"])
def records_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh records database of each dialect."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'records.db'}"
    else:
        url = request.getfixturevalue("pg_new_database")(migrated=False)
    open_records(url)
    return url
