"""Apps for the API tests: the mini plan (memory or PostGIS), the Kupang sample, and a
real uvicorn server process for real HTTP clients (GDAL; ``tests.server``).

Check storage follows the store: SQLite under the test's data dir for the memory
store, PostgreSQL (the PostGIS test database) for the PostGIS store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.deps import AppState
from api.main import create_app
from kkpr.settings import SAMPLE_PLAN_DIR, Settings
from kkpr.store.base import Store
from tests.mini_plan import CRS, site
from tests.server import Server, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]


# the clients whose app was started by make_api and not closed yet (tests/conftest.py
# closes those a test opened when it ends)
OPENED: list[TestClient] = []


@dataclass
class Api:
    client: TestClient
    state: AppState
    keys: dict[str, str]  # role -> API key text
    kind: str

    def auth(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}

    def check(self, body: dict[str, Any], role: str = "permit_system", **headers: str) -> Any:
        return self.client.post("/v1/checks", json=body, headers={**self.auth(role), **headers})


def make_api(
    plan_dir: Path,
    data_dir: Path,
    store: Store | None = None,
    database_url: str | None = None,
    register: bool = True,
    **overrides: Any,
) -> Api:
    """An app on ``plan_dir`` with its lifespan started; closed after the test
    (``register=False``: by the caller, with ``close``)."""
    settings = Settings(
        plan_dir=plan_dir,
        data_dir=data_dir,
        database_url=database_url,
        **{"session_secret": "test-secret", **overrides},
    )
    app = create_app(settings, store)
    state: AppState = app.state.kkpr
    keys = {
        role: state.keys.create(f"pytest {role}", role, created_by="pytest")[1]
        for role in ("permit_system", "staff", "public")
    }
    # the app as a server runs it: its lifespan opens the pools and, when the test is
    # over (close_apps), closes every connection the state holds
    client = TestClient(app)
    client.__enter__()
    if register:
        OPENED.append(client)
    return Api(client, state, keys, "memory" if store is None else state.store_kind)


def close(api: Api) -> None:
    """Run the app's shutdown: its databases' connections closed, nothing left open."""
    api.client.__exit__(None, None, None)


def mini_site(x0: float, y0: float, x1: float, y1: float, kbli: str = "47111", **kw: Any) -> dict:
    """A check body for a rectangle of the mini plan (coordinates in its UTM CRS)."""
    return {"site": site(x0, y0, x1, y1), "crs": CRS, "kbli": kbli, **kw}


@pytest.fixture
def api(
    store_kind: str, mini_plan_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Api:
    """The mini plan on the parametrised store (memory / postgis)."""
    if store_kind == "memory":
        return make_api(mini_plan_dir, tmp_path / "var")
    postgis_store_for = request.getfixturevalue("postgis_store_for")
    store = postgis_store_for(mini_plan_dir)
    return make_api(mini_plan_dir, tmp_path / "var", store=store, database_url=store.url)


@pytest.fixture
def mini_api(mini_plan_dir: Path, tmp_path: Path) -> Api:
    """The mini plan on the memory store, check log in SQLite."""
    return make_api(mini_plan_dir, tmp_path / "var")


@pytest.fixture(scope="session")
def kupang_dir() -> Path:
    if not (SAMPLE_PLAN_DIR / "plan.toml").exists():
        pytest.fail(f"the Kupang sample is not generated yet ({SAMPLE_PLAN_DIR})")
    return SAMPLE_PLAN_DIR


@pytest.fixture(scope="session")
def kupang_api(kupang_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    api = make_api(kupang_dir, tmp_path_factory.mktemp("kupang-var"), register=False)
    yield api
    close(api)


# ---------------------------------------------------------------- a real server


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """A factory: ``live_server(plan_dir, database_url=None, **settings)`` -> a running
    Server; servers of one test share their data directory (the records database)."""
    servers: list[Server] = []

    def start(
        plan_dir: Path,
        database_url: str | None = None,
        uvicorn_args: tuple[str, ...] = (),
        **settings: str,
    ) -> Server:
        env = {"KKPR_PLAN_DIR": str(plan_dir), "KKPR_DATA_DIR": str(tmp_path / "server-var")}
        env["KKPR_DATABASE_URL"] = database_url or ""
        env |= {f"KKPR_{name.upper()}": value for name, value in settings.items()}
        server = start_server(env, tmp_path / f"uvicorn-{len(servers)}.log", args=uvicorn_args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        stop_server(server)
