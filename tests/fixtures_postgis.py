"""PostGIS fixtures (built by the PostGIS store issue): ``pg_url``, ``postgis_store_for``."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def pg_url() -> str:
    pytest.fail("the PostGIS fixture is not built yet")


@pytest.fixture(scope="session")
def postgis_store_for(pg_url: str) -> object:
    pytest.fail("the PostGIS store is not built yet")
