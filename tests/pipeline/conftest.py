"""Fixtures of the pipeline tests: a database of each kind, fast settings, a clock, a receiver.

``pipeline_db`` is parametrised over SQLite and PostgreSQL (a fresh database on the
test server from ``tests/fixtures_postgis.py``), so every test that uses it runs on
both engines.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kkpr.db.database import Database
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.db import open_database
from kkpr.plan.package import Plan
from kkpr.settings import Settings
from kkpr.store.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60.0  # how long a test waits for a process or a delivery before failing


def fast_settings(tmp: Path, **over: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp,
        "webhook_backoff_base_s": 0.05,
        "webhook_backoff_max_s": 0.4,
        "webhook_max_attempts": 1000,
        "webhook_timeout_s": 5.0,
        "webhook_lease_s": 6.0,
        "worker_poll_s": 0.05,
        "document_secret": "test-document-secret",
        "public_base_url": "https://kkpr.test",
        "webhook_allow_private_targets": True,  # the receivers listen on 127.0.0.1
        **over,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pipeline.db'}"
    new_database: Callable[[], str] = request.getfixturevalue("pg_new_database")
    return new_database()


@pytest.fixture
def pipeline_db(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return fast_settings(tmp_path)


@pytest.fixture(scope="session")
def mini_memory_store(mini_plan: Plan) -> MemoryStore:
    return MemoryStore(mini_plan)


@dataclass
class Clock:
    """A clock the test moves; starts at 09:00 office time (WITA, UTC+8)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 17, 1, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pipeline(
    pipeline_db: Database, mini_memory_store: MemoryStore, settings: Settings, clock: Clock
) -> Pipeline:
    return Pipeline(pipeline_db, mini_memory_store, settings, clock=clock)


# ---------------------------------------------------------------- processes


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


class Receiver:
    """The receiver process (tests/pipeline/receiver.py): start, stop, restart, read."""

    def __init__(self, folder: Path, secret: str) -> None:
        self.folder = folder
        self.secret = secret
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        (self.folder / "port").unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.pipeline.receiver", "--dir", str(self.folder),
             "--secret", self.secret, "--port", str(self.port)],
            cwd=ROOT,
        )  # fmt: skip
        wait_for(lambda: (self.folder / "port").exists(), "the receiver to listen")
        self.port = int((self.folder / "port").read_text())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=WAIT_S)
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/kkpr"

    def lines(self, name: str) -> list[list[str]]:
        path = self.folder / name
        return [ln.split() for ln in path.read_text().splitlines()] if path.exists() else []

    def applied(self) -> list[list[str]]:
        """``[event_id, application_id, seq, type]`` of each event applied, in order."""
        return self.lines("applied.log")

    def received(self) -> list[list[str]]:
        return self.lines("received.log")


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    folder = tmp_path / "receiver"
    folder.mkdir()
    r = Receiver(folder, secret="s3cret-of-the-permit-system")
    r.start()
    yield r
    r.stop()


def worker_process(
    db_url: str, settings: Settings, log: Path, *args: str
) -> subprocess.Popen[bytes]:
    """A real ``kkpr worker`` process on ``db_url`` with the test's settings; output to ``log``."""
    env = {
        **os.environ,
        "KKPR_WEBHOOK_BACKOFF_BASE_S": str(settings.webhook_backoff_base_s),
        "KKPR_WEBHOOK_BACKOFF_MAX_S": str(settings.webhook_backoff_max_s),
        "KKPR_WEBHOOK_MAX_ATTEMPTS": str(settings.webhook_max_attempts),
        "KKPR_WEBHOOK_TIMEOUT_S": str(settings.webhook_timeout_s),
        "KKPR_WEBHOOK_LEASE_S": str(settings.webhook_lease_s),
        "KKPR_WORKER_POLL_S": str(settings.worker_poll_s),
        "KKPR_WEBHOOK_ALLOW_PRIVATE_TARGETS": str(settings.webhook_allow_private_targets),
        "COLUMNS": "200",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("kkpr")), "worker", "--db", db_url, *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
