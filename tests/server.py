"""The app served by a real uvicorn process, for the tests that need real HTTP clients
(GDAL, a browser) and for the benchmarks: started on a free port, ready when it
answers, stopped at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path | None


def start_server(
    env: Mapping[str, str | None],
    log: Path | None,
    *,
    port: int | None = None,
    tree: Path = ROOT,
    args: tuple[str, ...] = (),
    ready: str = "/healthz",
    timeout_s: float = 120.0,
) -> Server:
    """uvicorn of the code in ``tree`` (this checkout, or a checkout of older code that
    a benchmark measures beside it) on ``port`` (a free one), answering ``ready`` with
    200, or ``RuntimeError`` with the end of its log.

    ``env`` goes over this process's environment; a name given ``None`` is left out.
    ``log``: the file of the server's output (``None``: this process's). ``args``: more
    uvicorn options (``--workers``, ...)."""
    port = port or free_port()
    environ = {**os.environ, **env}
    if tree != ROOT:  # its ``api`` and ``kkpr`` before the installed ones
        environ["PYTHONPATH"] = str(tree)
    out = None if log is None else log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *args],
        cwd=tree,
        env={k: v for k, v in environ.items() if v is not None},
        stdout=out,
        stderr=None if out is None else subprocess.STDOUT,
    )  # fmt: skip
    if out is not None:
        out.close()  # the server holds its own
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn of {tree} exited: {_tail(log)}")
        try:
            with urllib.request.urlopen(server.url + ready, timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:  # not listening yet, or answering 503 (urllib's HTTPError)
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"uvicorn of {tree} did not start in {timeout_s} s: {_tail(log)}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def _tail(log: Path | None) -> str:
    return "(its output went to this process's)" if log is None else log.read_text()[-3000:]
