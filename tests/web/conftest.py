"""The app served by uvicorn in a subprocess, and Debian's Chromium driven by Playwright.

``web_server`` serves the Kupang sample plan from the memory store on a free port with
a staff API key made beforehand; ``browser`` is one headless Chromium for the session;
``page`` is a fresh browser context per test, in Indonesian, which fails the test on
a JavaScript error or on any request that leaves the app's own host.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kkpr.settings import SAMPLE_PLAN_DIR

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
class WebServer:
    url: str
    staff_key: str
    process: subprocess.Popen[bytes]
    log: Path

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as resp:
            return json.load(resp)


def start_server(tmp: Path, extra_env: dict[str, str]) -> WebServer:
    port = free_port()
    env = {
        **os.environ,
        "KKPR_PLAN_DIR": str(SAMPLE_PLAN_DIR),
        "KKPR_DATA_DIR": str(tmp / "var"),
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
    if "KKPR_DATABASE_URL" not in extra_env:
        env.pop("KKPR_DATABASE_URL", None)
    (tmp / "var").mkdir(parents=True, exist_ok=True)
    key = make_staff_key(env)
    log = tmp / "server.log"
    command = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the app did not start:\n{log.read_text()[-3000:]}") from None
            time.sleep(0.3)
    return WebServer(url=url, staff_key=key, process=process, log=log)


def stop_server(server: WebServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


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


@pytest.fixture
def page(browser: Any, web_server: WebServer) -> Iterator[Any]:
    ctx, pg, watch = open_page(browser, web_server)
    yield pg
    ctx.close()
    assert not watch.errors, f"JavaScript errors: {watch.errors}"
    assert not watch.foreign, f"requests to other hosts: {watch.foreign}"
