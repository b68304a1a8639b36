"""The app served by uvicorn in a subprocess, and Debian's Chromium driven by Playwright.

``web_server`` serves the Kupang sample plan from the memory store on a free port with
a staff API key made beforehand; ``browser`` is one headless Chromium for the session;
``page`` is a fresh browser context per test, in Indonesian, which fails the test on
a JavaScript error or on any request that leaves the app's own host.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kkpr.settings import SAMPLE_PLAN_DIR
from tests.server import Server, free_port, stop_server
from tests.server import start_server as start_uvicorn

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = SAMPLE_PLAN_DIR / "examples"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def make_staff_key(env: dict[str, str]) -> str:
    """A staff API key in the records database the server will open (same settings)."""
    code = (
        "from kkpr.settings import Settings\n"
        "from kkpr.records.checks import open_records, records_url\n"
        "from kkpr.records.keys import KeyStore\n"
        "_k, raw = KeyStore(open_records(records_url(Settings()))).create("
        "'Petugas uji / test staff', 'staff', created_by='pytest')\n"
        "print(raw)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


@dataclass
class WebServer(Server):
    staff_key: str = ""

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as resp:
            return json.load(resp)


def start_server(tmp: Path, extra_env: dict[str, str]) -> WebServer:
    port = free_port()
    env: dict[str, str | None] = {
        "KKPR_PLAN_DIR": str(SAMPLE_PLAN_DIR),
        "KKPR_DATA_DIR": str(tmp / "var"),
        "KKPR_DATABASE_URL": None,  # the memory store, unless the test names a database
        # the browser tests run many checks from one address within a minute
        "KKPR_PUBLIC_RATE_LIMIT_PER_MINUTE": "100000",
        "KKPR_SESSION_SECRET": "web-tests",
        "KKPR_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        # the office and the fee the pre-check's next steps name (test values, not a city's)
        "KKPR_OFFICE_NAME": "DPMPTSP Kota Uji",
        "KKPR_OFFICE_ADDRESS": "Jl. Contoh No. 1",
        "KKPR_OFFICE_HOURS": "Senin–Jumat 08.00–15.00",
        "KKPR_PNBP_ESTIMATE_PUBLIC": "1",
        **extra_env,
    }
    (tmp / "var").mkdir(parents=True, exist_ok=True)
    key = make_staff_key({k: v for k, v in {**os.environ, **env}.items() if v is not None})
    server = start_uvicorn(env, tmp / "server.log", port=port)
    return WebServer(server.url, server.process, server.log, staff_key=key)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """The app on the Kupang sample plan, memory store."""
    if not (SAMPLE_PLAN_DIR / "plan.toml").exists():
        pytest.fail(f"the Kupang sample plan is missing: {SAMPLE_PLAN_DIR}/plan.toml")
    server = start_server(tmp_path_factory.mktemp("web"), {})
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # assertions wait as long as actions do (20 s, set per context below): expect's own
    # default of 5 s is short for a map page on a loaded 2-core machine
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageWatch:
    """What a page did that a test must not let pass: errors and foreign requests."""

    host: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def on_request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.foreign.append(request.url)


def open_page(browser: Any, server: WebServer, **context: Any) -> tuple[Any, Any, PageWatch]:
    ctx = browser.new_context(
        locale=context.pop("locale", "id-ID"),
        viewport=context.pop("viewport", {"width": 1280, "height": 900}),
        **context,
    )
    ctx.set_default_timeout(20_000)
    page = ctx.new_page()
    watch = PageWatch(host=urlsplit(server.url).netloc)
    page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    page.on("request", watch.on_request)
    return ctx, page, watch


@contextmanager
def watched_page(
    browser: Any, server: WebServer, *, other_hosts: bool = False, **context: Any
) -> Iterator[Any]:
    """A page of ``open_page``, closed at the end, where the test fails on a JavaScript
    error and (unless ``other_hosts``) on a request that left the app's host."""
    ctx, pg, watch = open_page(browser, server, **context)
    yield pg
    ctx.close()
    assert not watch.errors, f"JavaScript errors: {watch.errors}"
    assert other_hosts or not watch.foreign, f"requests to other hosts: {watch.foreign}"


@pytest.fixture
def page(browser: Any, web_server: WebServer) -> Iterator[Any]:
    with watched_page(browser, web_server) as pg:
        yield pg
