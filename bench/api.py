"""API benchmark: one check over HTTP (one uvicorn worker) vs the same check in-process.

    .venv/bin/python bench/api.py [--plan DIR] [--n 1000] [--warmup 100] [--block 20]
                                  [--compare TREE]

The site is ``examples/k1_minimarket.geojson`` of the plan (the Kupang sample by
default), KBLI 47111. Rows, all sequential, one request at a time, measured in rounds:
each round makes ``--block`` calls of every row in turn, so that every row meets the
machine's load alike while each runs in a steady state, as a server answering a stream
of requests does (``--block 1`` alternates call by call: every row then runs with the
caches the other rows left, the in-process check included, and a row spanning two
processes pays most):

* ``in-process check``: ``kkpr.check.check`` on the memory store with the same
  proposal (what the route calls);
* ``in-process check + log``: the same plus validating the request model and appending
  the record to the SQLite check log (what the route does besides HTTP);
* ``in-process ASGI call``: the whole app (``create_app``, its own check log) called
  through its ASGI interface in this process, on a uvloop loop, without a socket: the
  same request and headers as the HTTP row. It holds everything the server does except
  the socket and the HTTP parsing (middlewares, routing, auth, body validation, the
  check, the log, the answer), plus ~90 µs of running the loop for each call (measured
  with an ASGI app that answers at once);
* ``HTTP POST /v1/checks``: one keep-alive connection (``RawClient``: each request
  written in one send, the answer read by its Content-Length, as wrk and Go's net/http
  do, so the row shows the server and not the client) against ``uvicorn --workers 1``
  on 127.0.0.1 (access log off), with an API key and ``Accept-Encoding: gzip`` as
  common clients send it (a gzipped answer is decompressed), check log in SQLite under
  a temp dir;
* with ``--compare TREE``, ``HTTP POST /v1/checks (TREE)``: the same request and client
  to a second server run from another checkout, to measure a change against its
  baseline;
* ``HTTP POST /v1/checks, http.client``: the same server through the standard library's
  ``http.client.HTTPConnection``, which writes the headers and the body in two sends
  (the server reads the request in two wake-ups) and parses the answer's headers with
  ``email.parser``: what a plain Python client sees;
* ``HTTP GET /healthz``: ``RawClient`` and the same server, no work: the HTTP round trip
  alone.

``HTTP adds`` is the p50 of the HTTP row minus the p50 of the in-process check (the
target is < 2 ms): it holds the API's own work (auth, validation, the check log) and
the HTTP round trip, and is split below the table into the check log, the app around
it, and the socket with the HTTP parsing (differences of p50s, so they sum to it).
Prints a rich table and the same as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import http.client
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.main import create_app  # noqa: E402
from api.routers.checks import run_check  # noqa: E402
from api.schemas import CheckIn  # noqa: E402
from kkpr.check import check  # noqa: E402
from kkpr.model import Proposal  # noqa: E402
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.records.checks import CheckLog, open_records, records_url  # noqa: E402
from kkpr.records.keys import KeyStore  # noqa: E402
from kkpr.settings import SAMPLE_PLAN_DIR, Settings  # noqa: E402
from kkpr.store.versions import VersionedMemoryStore  # noqa: E402
from tests.server import free_port  # noqa: E402
from tests.server import start_server as start_uvicorn  # noqa: E402

UVICORN_ARGS = ("--workers", "1", "--no-access-log")


def interleaved(
    paths: dict[str, Callable[[], Any]], n: int, warmup: int, block: int = 1
) -> dict[str, np.ndarray]:
    """Latencies (ms) of each path, measured round-robin in blocks of ``block`` calls:
    the machine's load at any moment falls on every path alike, so the differences
    between them hold. With ``block`` > 1 each path runs a few calls in a row, as a
    server answering a stream of requests does (its caches warm); the first call of
    every block is still measured."""
    for _ in range(warmup):
        for fn in paths.values():
            fn()
    out = {name: np.empty(n) for name in paths}
    for start in range(0, n, block):
        for name, fn in paths.items():
            for i in range(start, min(start + block, n)):
                t0 = time.perf_counter()
                fn()
                out[name][i] = (time.perf_counter() - t0) * 1000.0
    return out


class Client:
    """One keep-alive HTTP/1.1 connection; ``request`` answers (status, body)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Accept-Encoding": "gzip", **headers}

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = (
            self.headers if body is None else {**self.headers, "Content-Type": "application/json"}
        )
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return r.status, data

    def close(self) -> None:
        self.conn.close()


class RawClient:
    """One keep-alive HTTP/1.1 connection that writes each request in one ``sendall``
    (request line, headers and body together, as wrk and Go's net/http do) and reads the
    answer with a buffered reader: the least time a client adds of its own.

    ``http.client`` writes the headers and the body in two sends: the server then reads
    the request in two wake-ups, and the client parses headers with ``email.parser``.
    ``Client`` (that client) keeps a row of its own so the difference stays visible.
    """

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        import socket

        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")
        self.head = "".join(
            f"{k}: {v}\r\n"
            for k, v in {"Host": f"127.0.0.1:{port}", "Accept-Encoding": "gzip", **headers}.items()
        )

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        head = f"{method} {path} HTTP/1.1\r\n{self.head}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.sock.sendall((head + "\r\n").encode("latin-1") + (body or b""))
        status = int(self.reader.readline().split(b" ", 2)[1])
        length, gzipped = -1, False
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"content-encoding":
                gzipped = value.strip() == b"gzip"
            elif name == b"transfer-encoding":
                raise SystemExit("RawClient reads Content-Length answers only")
        if length < 0:
            raise SystemExit("the answer has no Content-Length")
        data = self.reader.read(length)
        return status, gzip.decompress(data) if gzipped else data

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class AsgiClient:
    """Requests through an app's ASGI interface on one event loop: no socket, no HTTP
    parsing, the rest as a server runs it."""

    def __init__(self, app: Any, headers: dict[str, str]) -> None:
        import uvloop

        self.app = app
        self.loop = uvloop.new_event_loop()
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        return self.loop.run_until_complete(self._request(method, path, body))

    async def _request(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        headers = [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip"), *self.headers]
        if body:
            headers += [(b"content-type", b"application/json")]
            headers += [(b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            if pending:
                return pending.pop()
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError("unreachable")

        status, chunks = 0, []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)

    def close(self) -> None:
        self.loop.close()


def start_server(
    plan: Path, data_dir: Path, tree: Path = ROOT
) -> tuple[subprocess.Popen[bytes], int]:
    """uvicorn serving the app of the checkout ``tree`` (``tests.server``)."""
    port = free_port()
    env = {"KKPR_PLAN_DIR": str(plan), "KKPR_DATA_DIR": str(data_dir), "KKPR_DATABASE_URL": ""}
    server = start_uvicorn(env, None, port=port, tree=tree, args=UVICORN_ARGS)
    return server.process, port


def serve(
    plan: Path, data_dir: Path, tree: Path = ROOT
) -> tuple[subprocess.Popen[bytes], int, str]:
    """A server of ``tree`` on ``data_dir`` (see ``start_server``) and a permit-system
    key made for it."""
    keys = KeyStore(open_records(records_url(Settings(data_dir=data_dir, database_url=None))))
    _, secret = keys.create("bench", "permit_system")
    proc, port = start_server(plan, data_dir, tree)
    return proc, port, secret


def calling(
    client: Any, method: str, path: str, body: bytes | None, status: int
) -> Callable[[], None]:
    """A call of ``client`` that stops the bench on any answer but ``status``."""

    def call() -> None:
        got, answer = client.request(method, path, body)
        if got != status:
            raise SystemExit(answer.decode())

    return call


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--plan", type=Path, default=SAMPLE_PLAN_DIR)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument(
        "--block",
        type=int,
        default=20,
        help="calls of one path in a row before the next path (1: strictly alternating, "
        "which measures every path with caches the other paths left cold)",
    )
    ap.add_argument(
        "--compare",
        type=Path,
        metavar="TREE",
        help="another checkout of kkpr (e.g. `git worktree add /tmp/base <commit>`): its "
        "server gets a row of its own, measured in the same rounds",
    )
    args = ap.parse_args()

    feature = json.loads((args.plan / "examples" / "k1_minimarket.geojson").read_text())
    body = {"site": feature["geometry"], "kbli": "47111", "proposal": {"floors": 2}}
    tmp = Path(tempfile.mkdtemp(prefix="kkpr-bench-api-"))
    settings = Settings(plan_dir=args.plan, data_dir=tmp / "inproc", database_url=None)

    store = VersionedMemoryStore.from_plan(
        read_plan(args.plan),
        outside_margin_m=settings.outside_plan_margin_m,
        max_vertices=settings.max_site_vertices,
    )
    pinned = store.pinned()
    proposal = Proposal(floors=2)
    log = CheckLog.open(f"sqlite:///{tmp / 'inproc' / 'records.db'}")

    class State:  # what run_check reads of the app state
        pass

    state: Any = State()
    state.settings, state.pinned = settings, store.pinned

    def with_log() -> None:
        new = run_check(state, CheckIn.model_validate(body))
        log.append([new], caller="key:bench", caller_role="permit_system")

    app = create_app(Settings(plan_dir=args.plan, data_dir=tmp / "asgi", database_url=None))
    _, asgi_secret = app.state.kkpr.keys.create("bench", "permit_system")
    asgi = AsgiClient(app, {"X-API-Key": asgi_secret})

    proc, port, secret = serve(args.plan, tmp / "server")
    client = RawClient(port, {"X-API-Key": secret})
    stdlib_client = Client(port, {"X-API-Key": secret})
    payload = json.dumps(body).encode()
    compared: dict[str, Callable[[], None]] = {}
    others: list[tuple[subprocess.Popen[bytes], RawClient]] = []
    try:
        if args.compare is not None:
            tree = args.compare.resolve()
            base_proc, base_port, base_secret = serve(args.plan, tmp / "compare", tree)
            base_client = RawClient(base_port, {"X-API-Key": base_secret})
            others.append((base_proc, base_client))
            over_compared = calling(base_client, "POST", "/v1/checks", payload, 201)
            compared[f"HTTP POST /v1/checks ({tree.name})"] = over_compared

        over_http = calling(client, "POST", "/v1/checks", payload, 201)
        over_stdlib = calling(stdlib_client, "POST", "/v1/checks", payload, 201)
        over_asgi = calling(asgi, "POST", "/v1/checks", payload, 201)
        healthz = calling(client, "GET", "/healthz", None, 200)

        over_http()
        ms = interleaved(
            {
                "in-process check": lambda: check(pinned, body["site"], "47111", proposal),
                "in-process check + log": with_log,
                "in-process ASGI call (no socket)": over_asgi,
                "HTTP POST /v1/checks": over_http,
                **compared,
                "HTTP POST /v1/checks, http.client": over_stdlib,
                "HTTP GET /healthz (round-trip floor)": healthz,
            },
            args.n,
            args.warmup,
            args.block,
        )
    finally:
        client.close()
        stdlib_client.close()
        asgi.close()
        proc.terminate()
        proc.wait(timeout=30)
        for other_proc, other_client in others:
            other_client.close()
            other_proc.terminate()
            other_proc.wait(timeout=30)

    rows = list(ms.items())
    base = float(np.percentile(ms["in-process check"], 50))
    with_log_p50 = float(np.percentile(ms["in-process check + log"], 50))
    table = Table(
        title=f"kkpr API: one check, {args.n} sequential requests per row "
        f"({args.plan.name}, rounds of {args.block})"
    )
    header = ["path", "req/s", "p50 ms", "p99 ms", "p50 - in-process check ms"]
    for h in header:
        table.add_column(h, justify="right" if h != "path" else "left")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, lat in rows:
        p50, p99 = float(np.percentile(lat, 50)), float(np.percentile(lat, 99))
        cells = [
            name,
            f"{1000.0 / lat.mean():,.0f}",
            f"{p50:.2f}",
            f"{p99:.2f}",
            f"{p50 - base:+.2f}",
        ]
        table.add_row(*cells)
        lines.append("| " + " | ".join(cells) + " |")
    console = Console()
    console.print(table)
    http_p50 = float(np.percentile(ms["HTTP POST /v1/checks"], 50))
    http_adds = http_p50 - base
    verdict = "met" if http_adds < 2.0 else "NOT met"
    stdlib_adds = float(np.percentile(ms["HTTP POST /v1/checks, http.client"], 50)) - base
    console.print(
        f"HTTP adds {http_adds:.2f} ms p50 to the in-process check (target < 2 ms: {verdict}); "
        f"through http.client, {stdlib_adds:.2f} ms"
    )
    asgi_p50 = float(np.percentile(ms["in-process ASGI call (no socket)"], 50))
    console.print(
        f"of which the check log (validation, hash, durable SQLite commit): "
        f"{with_log_p50 - base:.2f} ms; the app around it (middlewares, routing, auth, "
        f"body, answer): {asgi_p50 - with_log_p50:.2f} ms; the socket and the HTTP "
        f"parsing (server and client): {http_p50 - asgi_p50:.2f} ms"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
