"""Webhook targets: public addresses only unless allowed, and no redirects (issue 15,
finding 9: delivery followed redirects to any address and reported what it found)."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kkpr.db.database import Database
from kkpr.pipeline import subscriptions
from kkpr.pipeline.applications import Pipeline
from kkpr.pipeline.delivery import Worker
from kkpr.pipeline.targets import opener, private_address
from kkpr.settings import Settings
from tests.api.conftest import make_api
from tests.pipeline.conftest import Clock
from tests.pipeline.test_applications import SESUAI


class Hits:
    """A loopback HTTP server that counts POSTs and answers ``status`` (and ``location``)."""

    def __init__(self, status: int, location: str | None = None) -> None:
        self.paths: list[str] = []
        hits = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                hits.paths.append(self.path)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def inside() -> Iterator[Hits]:
    """A service on the private side that a webhook must never reach."""
    hits = Hits(200)
    yield hits
    hits.close()


def test_non_public_addresses_are_named() -> None:
    for url in ("http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data",
                "http://10.1.2.3/", "http://[::1]/", "http://localhost/", "http://[::ffff:10.0.0.1]/"):  # fmt: skip
        assert private_address(url) is not None, url
    assert private_address("https://93.184.215.14/hook") is None


def test_the_api_refuses_private_webhook_targets(
    mini_plan_dir: Path, tmp_path: Path, inside: Hits
) -> None:
    api = make_api(mini_plan_dir, tmp_path / "var")  # the default: private targets refused
    for url in (inside.url, "http://169.254.169.254/latest/meta-data/"):
        r = api.client.post(
            "/v1/subscriptions", json={"url": url}, headers=api.auth("permit_system")
        )
        assert r.status_code == 422 and r.json()["where"] == "url", url
    assert api.client.get("/v1/subscriptions", headers=api.auth("staff")).json() == []


def test_delivery_refuses_a_target_that_is_not_public_now(
    pipeline: Pipeline, pipeline_db: Database, settings: Settings, clock: Clock, inside: Hits
) -> None:
    """A subscription made when its name was public, pointing inside since."""
    subscriptions.create(pipeline_db, inside.url, clock(), secret="s" * 32)
    pipeline.submit(SESUAI)
    strict = settings.model_copy(update={"webhook_allow_private_targets": False})
    attempts = Worker(pipeline_db, strict).drain()
    assert attempts and inside.paths == []
    assert all("not public" in (a.error or "") for a in attempts)


def test_delivery_does_not_follow_redirects(
    pipeline: Pipeline, pipeline_db: Database, settings: Settings, clock: Clock, inside: Hits
) -> None:
    bouncer = Hits(307, location=inside.url.replace("/hook", "/admin"))
    try:
        subscriptions.create(pipeline_db, bouncer.url, clock(), secret="s" * 32)
        pipeline.submit(SESUAI)
        attempts = Worker(pipeline_db, settings).drain()
        assert bouncer.paths and inside.paths == []  # asked once, never followed
        assert {a.status for a in attempts} == {307} and not any(
            a.result == "delivered" for a in attempts
        )
    finally:
        bouncer.close()


def test_delivery_connects_to_the_address_it_checked(
    pipeline: Pipeline,
    pipeline_db: Database,
    settings: Settings,
    clock: Clock,
    inside: Hits,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: a name that answers a public address to the check and the loopback
    to the connection. Before the fix the check passed and urllib, resolving again,
    POSTed to the private service."""
    port = int(inside.url.rsplit(":", 1)[1].split("/", 1)[0])
    real = socket.getaddrinfo
    asked: list[str] = []

    def rebinding(host: str, *args: object, **kwargs: object) -> list[object]:
        if host != "hooks.rebind.test":
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(host)
        ip = "93.184.215.14" if len(asked) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    subscriptions.create(
        pipeline_db, f"http://hooks.rebind.test:{port}/hook", clock(), secret="s" * 32
    )
    pipeline.submit(SESUAI)
    strict = settings.model_copy(update={"webhook_allow_private_targets": False})
    attempts = Worker(pipeline_db, strict).drain()
    assert len(asked) >= 2  # checked, then resolved again to connect
    assert attempts and inside.paths == []
    assert all("not public" in (a.error or "") for a in attempts)


def test_the_pinned_opener_connects_where_allowed(inside: Hits) -> None:
    """With private targets allowed (a closed network), the pinned opener still delivers."""
    request = urllib.request.Request(inside.url, data=b"{}", method="POST")
    with opener(inside.url, allow_private=True).open(request, timeout=5) as answer:
        assert answer.status == 200
    assert inside.paths == ["/hook"]
    with pytest.raises(urllib.error.URLError, match="not public"):
        opener(inside.url, allow_private=False).open(request, timeout=5)
    assert inside.paths == ["/hook"]
