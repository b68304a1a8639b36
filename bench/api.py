"""API benchmark: one check over HTTP (one uvicorn worker) vs the same check in-process.

    .venv/bin/python bench/api.py [--plan DIR] [--n 1000] [--warmup 100]

The site is ``examples/k1_minimarket.geojson`` of the plan (the Kupang sample by
default), KBLI 47111. Rows, all sequential, one request at a time:

* ``in-process check``: ``kkpr.check.check`` on the memory store (what the route calls);
* ``in-process check + log``: the same plus validating the request model and appending
  the record to the SQLite check log (what the route does besides HTTP);
* ``HTTP POST /v1/checks``: one keep-alive ``http.client.HTTPConnection`` (the
  standard library's client: it adds less of its own time than httpx, so the rows show
  the server) against ``uvicorn --workers 1`` on 127.0.0.1 (access log off), with an
  API key and ``Accept-Encoding: gzip`` as common clients send it (a gzipped answer
  is decompressed), check log in SQLite under a temp dir;
* ``HTTP GET /healthz``: the same client and server, no work: the HTTP round trip alone.

``HTTP adds`` is the p50 of the HTTP row minus the p50 of the in-process check (the
target is < 2 ms): it holds the API's own work (auth, validation, the check log) and
the HTTP round trip. Prints a rich table and the same as Markdown.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
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

from api.routers.checks import run_check  # noqa: E402
from api.schemas import CheckIn  # noqa: E402
from kkpr.check import check  # noqa: E402
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.records.checks import CheckLog, open_records, records_url  # noqa: E402
from kkpr.records.keys import KeyStore  # noqa: E402
from kkpr.settings import SAMPLE_PLAN_DIR, Settings  # noqa: E402
from kkpr.store.versions import VersionedMemoryStore  # noqa: E402


def interleaved(paths: dict[str, Callable[[], Any]], n: int, warmup: int) -> dict[str, np.ndarray]:
    """Latencies (ms) of each path, measured round-robin: the machine's load at any
    moment falls on every path alike, so the differences between them hold."""
    for _ in range(warmup):
        for fn in paths.values():
            fn()
    out = {name: np.empty(n) for name in paths}
    for i in range(n):
        for name, fn in paths.items():
            t0 = time.perf_counter()
            fn()
            out[name][i] = (time.perf_counter() - t0) * 1000.0
    return out


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def start_server(plan: Path, data_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {
        **os.environ,
        "KKPR_PLAN_DIR": str(plan),
        "KKPR_DATA_DIR": str(data_dir),
        "KKPR_DATABASE_URL": "",
    }
    cmd = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    cmd += ["--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        probe = Client(port, {})
        try:
            if probe.request("GET", "/healthz")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.3)
        finally:
            probe.close()
    proc.terminate()
    raise SystemExit("uvicorn did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--plan", type=Path, default=SAMPLE_PLAN_DIR)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=100)
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
    log = CheckLog.open(f"sqlite:///{tmp / 'inproc' / 'records.db'}")

    class State:  # what run_check reads of the app state
        pass

    state: Any = State()
    state.settings, state.pinned = settings, store.pinned

    def with_log() -> None:
        new = run_check(state, CheckIn.model_validate(body))
        log.append([new], caller="key:bench", caller_role="permit_system")

    server_dir = tmp / "server"
    keys = KeyStore(open_records(records_url(Settings(data_dir=server_dir, database_url=None))))
    _, secret = keys.create("bench", "permit_system")
    proc, port = start_server(args.plan, server_dir)
    client = Client(port, {"X-API-Key": secret})
    payload = json.dumps(body).encode()
    try:

        def over_http() -> None:
            status, answer = client.request("POST", "/v1/checks", payload)
            if status != 201:
                raise SystemExit(answer.decode())

        def healthz() -> None:
            status, answer = client.request("GET", "/healthz")
            if status != 200:
                raise SystemExit(answer.decode())

        over_http()
        ms = interleaved(
            {
                "in-process check": lambda: check(pinned, body["site"], "47111"),
                "in-process check + log": with_log,
                "HTTP POST /v1/checks": over_http,
                "HTTP GET /healthz (round-trip floor)": healthz,
            },
            args.n,
            args.warmup,
        )
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=30)

    rows = list(ms.items())
    base = float(np.percentile(ms["in-process check"], 50))
    with_log_p50 = float(np.percentile(ms["in-process check + log"], 50))
    table = Table(title=f"kkpr API: one check, {args.n} sequential requests ({args.plan.name})")
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
    console.print(
        f"HTTP adds {http_adds:.2f} ms p50 to the in-process check (target < 2 ms: {verdict})"
    )
    console.print(
        f"of which the check log (validation, hash, durable SQLite commit): "
        f"{with_log_p50 - base:.2f} ms; HTTP and the API around it: {http_p50 - with_log_p50:.2f} ms"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
