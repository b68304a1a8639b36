"""Shared fixtures: the hand-made mini plan, the Kupang sample, and stores of both kinds.

``store_kind`` parametrises a test over the memory store and the PostGIS store, so the
same hand-worked answers are asserted against both.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kkpr.plan.package import Plan, read_plan
from kkpr.settings import SAMPLE_PLAN_DIR
from kkpr.store.base import Store
from kkpr.store.memory import MemoryStore
from tests.mini_plan import write_mini_plan

pytest_plugins = ["tests.fixtures_postgis"]

ARTIFACTS = Path(__file__).parent / "artifacts"
# plan packages are read-only in tests, so one memory store per folder serves them all
_MEMORY_STORES: dict[Path, MemoryStore] = {}


@pytest.fixture(autouse=True)
def close_apps() -> Iterator[None]:
    """Every app a test started (``tests.api.conftest.make_api``) is shut down when the
    test ends, as a server's would be: its pools and SQLite connections closed."""
    apis = sys.modules.get("tests.api.conftest")  # not imported: no app was made
    opened: list[Any] = apis.OPENED if apis is not None else []
    mark = len(opened)
    yield
    apis = sys.modules.get("tests.api.conftest")
    opened = apis.OPENED if apis is not None else []
    while len(opened) > mark:
        opened.pop().__exit__(None, None, None)


@pytest.fixture(scope="session")
def mini_plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mini_plan(tmp_path_factory.mktemp("mini") / "mini")


@pytest.fixture(scope="session")
def mini_plan(mini_plan_dir: Path) -> Plan:
    return read_plan(mini_plan_dir)


@pytest.fixture(scope="session")
def sample_plan() -> Plan:
    return read_plan(SAMPLE_PLAN_DIR)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(params=["memory", "postgis"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_for(store_kind: str, request: pytest.FixtureRequest) -> Callable[[Path], Store]:
    """A factory: plan package folder -> a store of the parametrised kind holding it."""

    def make(plan_dir: Path) -> Store:
        if store_kind == "memory":
            if plan_dir not in _MEMORY_STORES:
                _MEMORY_STORES[plan_dir] = MemoryStore(read_plan(plan_dir))
            return _MEMORY_STORES[plan_dir]
        postgis_store_for = request.getfixturevalue("postgis_store_for")
        store: Store = postgis_store_for(plan_dir)
        return store

    return make


@pytest.fixture
def mini_store(store_for: Callable[[Path], Store], mini_plan_dir: Path) -> Store:
    return store_for(mini_plan_dir)
