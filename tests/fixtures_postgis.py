"""PostGIS for the tests: a throwaway cluster (or ``KKPR_TEST_DATABASE_URL``).

``pg_url`` is a migrated, empty database. ``pg_new_database()`` makes another one on
the same server (from a template, in a fraction of a second), so that a test that
loads several plans, or kills a load, has a database of its own.
``postgis_store_for(plan_dir)`` loads a package into a database of its own (one per
package and checksum, kept for the session) and returns a PostgisStore on it: a
store that holds exactly that plan, like the memory store does.

The throwaway cluster needs only the Debian packages ``postgresql-15`` and
``postgresql-15-postgis-3`` (no running server): ``initdb`` into a temporary folder
(as the ``postgres`` user when we are root), a free port on 127.0.0.1, a unix socket
in the same folder, fsync off. A server already running on the machine is not
touched. With ``KKPR_TEST_DATABASE_URL`` the role must be able to create databases
and the PostGIS extension.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kkpr.db.pool import connect as db_connect
from kkpr.plan.package import checksum
from kkpr.settings import Settings
from kkpr.store.migrate import migrate
from kkpr.store.postgis import PostgisStore
from kkpr.store.postgis_sql import unavailable
from tests.server import free_port

PG_BIN = Path(os.environ.get("KKPR_PG_BIN", "/usr/lib/postgresql/15/bin"))
TEST_URL_ENV = "KKPR_TEST_DATABASE_URL"


def connect(url: str, *, autocommit: bool = False) -> Any:
    """A connection of a test's own, made as the pool makes them (kkpr.db.pool.connect);
    the caller closes it."""
    conn = db_connect(
        url, connect_timeout_s=Settings().db_connect_timeout_s, unavailable=unavailable
    )
    conn.autocommit = autocommit
    return conn


def _with_url_db(url: str, db: str) -> str:
    head, _, _old = url.rpartition("/")
    query = "?" + url.split("?", 1)[1] if "?" in url else ""
    return f"{head}/{db}{query}"


class PgServer:
    """A PostgreSQL server for tests and benchmarks: started here, or given by URL."""

    def __init__(
        self,
        url: str | None = None,
        *,
        durable: bool = False,
        cpus: str | None = None,
        options: str = "",
    ) -> None:
        """``durable``: fsync on, as in production (benchmarks); ``cpus``: pin the
        server to these CPUs (``taskset -c`` list); ``options``: more ``-c`` settings."""
        self._durable, self._cpus, self._options = durable, cpus, options
        self._dir: Path | None = None
        self._as: list[str] = []
        self._created: list[str] = []
        self._template: str | None = None
        self._external = bool(url)
        self._opts = ""
        if url:
            self.admin_url = url
        else:
            self.admin_url = self._start()
        atexit.register(self.stop)

    # -------------------------------------------------------- cluster

    def _start(self) -> str:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(
                f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing): "
                "apt-get install postgresql-15 postgresql-15-postgis-3, "
                f"or set {TEST_URL_ENV}"
            )
        self._dir = Path(tempfile.mkdtemp(prefix="kkpr-pg-"))
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as postgres
            self._as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self._dir, "postgres")
        data, port = self._dir / "data", free_port()
        self._run(
            str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        opts = f"-p {port} -k {self._dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self._durable:  # a throwaway cluster need not survive a crash
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        opts += f" {self._options}" if self._options else ""
        self._opts = opts
        self._pg_ctl_start()
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _pg_ctl_start(self) -> None:
        assert self._dir is not None
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self._dir / "data"), "-l", str(self._dir / "log"),
            "-o", self._opts, "-w", "-t", "60", "start", pin=True,
        )  # fmt: skip

    def down(self, mode: str = "fast") -> None:
        """Stop the server (``pg_ctl -m mode``): its clients' connections are closed."""
        if self._external or self._dir is None:
            raise RuntimeError("only a cluster started here can be stopped and started")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self._dir / "data"), "-m", mode, "-w", "stop")

    def up(self) -> None:
        """Start a server stopped by ``down`` again, on the same port and data."""
        self._pg_ctl_start()

    def restart(self, down_s: float = 0.0, mode: str = "fast") -> None:
        """``down``, ``down_s`` seconds without a server, ``up``."""
        self.down(mode)
        time.sleep(down_s)
        self.up()

    def _run(self, *cmd: str, pin: bool = False) -> None:
        # the server's processes inherit the CPU affinity of pg_ctl
        cpus = ["taskset", "-c", self._cpus] if pin and self._cpus else []
        subprocess.run([*cpus, *self._as, *cmd], check=True, capture_output=True)

    def stop(self) -> None:
        if self._external:
            for name in self._created:  # a server we were given: drop what we made
                self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._created.clear()
            return
        if self._dir is None:
            return
        data = self._dir / "data"
        if data.exists():
            subprocess.run(
                [*self._as, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(self._dir, ignore_errors=True)

    # -------------------------------------------------------- databases

    def _sql(self, sql: str) -> None:
        conn = connect(self.admin_url, autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def new_database(self, prefix: str = "kkpr_test", *, migrated: bool = True) -> str:
        """A new database (migrated, with PostGIS, unless told not); returns its URL."""
        if not migrated:
            name = f"{prefix}_{uuid.uuid4().hex[:8]}"
            self._sql(f'CREATE DATABASE "{name}"')
            self._created.insert(0, name)
            return _with_url_db(self.admin_url, name)
        if self._template is None:
            self._template = f"kkpr_template_{uuid.uuid4().hex[:8]}"
            self._sql(f'CREATE DATABASE "{self._template}"')
            self._created.append(self._template)
            migrate(_with_url_db(self.admin_url, self._template))
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        self._created.insert(0, name)
        return _with_url_db(self.admin_url, name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer(os.environ.get(TEST_URL_ENV))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_new_database(pg_server: PgServer) -> Callable[..., str]:
    """A factory of fresh empty databases on the test server (migrated unless
    ``migrated=False``)."""
    return pg_server.new_database


@pytest.fixture(scope="session")
def pg_url(pg_new_database: Callable[..., str]) -> str:
    """A migrated, empty PostGIS database for the session."""
    return pg_new_database()


@pytest.fixture(scope="session")
def postgis_store_for(
    pg_new_database: Callable[..., str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[Path], PostgisStore]]:
    """A factory: plan package folder -> a PostgisStore of a database holding that plan."""
    stores: dict[tuple[str, str], PostgisStore] = {}
    data_dir = tmp_path_factory.mktemp("pg-data")

    def make(plan_dir: Path) -> PostgisStore:
        key = (str(Path(plan_dir).resolve()), checksum(Path(plan_dir)))
        if key not in stores:
            store = PostgisStore(
                pg_new_database(), data_dir=data_dir, outside_margin_m=5000.0, max_vertices=None
            )
            store.load(Path(plan_dir), loaded_by="pytest")
            stores[key] = store
        return stores[key]

    yield make
    for store in stores.values():
        store.close()
