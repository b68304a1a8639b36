"""Load test: many concurrent clients against a real server, loopback only, bounded.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--workers 3]
                                   [--only memory|postgis] [--no-flood]
                                   [--public-limit N] [--baseline DIR]

Configurations, each a fresh uvicorn on 127.0.0.1 serving the Kupang sample:

* ``memory (make run)``: ``make run``'s server (one process, the memory store, the
  check log in SQLite, ``--no-proxy-headers``);
* ``postgis, N workers``: a throwaway PostgreSQL cluster (``tests/fixtures_postgis``,
  fsync on as in production) holding the plan, the check log and the rate buckets,
  ``uvicorn --workers N``.

For each: ``--clients`` threads, each with its own keep-alive connection and its own
sequence of Kupang sites (a 20 m square around a zone's inner point, KBLI 47111), post
``POST /v1/checks`` with a permit-system key for ``--seconds``. Then, per
configuration: the server process must still run, no answer may be 5xx, and every
check answered 201 must be in the check log (by id). Prints throughput and p50/p99.

The flood rows (memory configuration): a staff client alone posting checks (quiet),
then the same client while ``--clients`` anonymous clients flood ``POST /v1/precheck``
(a mix of ordinary pre-checks and bodies just under the size limit, all from one
address, so the rate limit answers most of them). The staff p99 under the flood is
compared with its quiet p99 (the target: under 5x). It runs at the default settings
(a client refused and asking again waits ``public_refusal_delay_s`` for its 429:
``api.gate``), then on a server with that delay off (every refusal answered at once),
and, with ``--baseline DIR``, first on a server running the code of the checkout ``DIR``
(the code before a change: ``git archive <rev> | tar -x -C DIR``). After each flood,
the same flood without the staff client measures the server process's CPU time per
answer (small bodies, then the mix). With ``--public-limit N`` the flood
runs again on a server whose public limit is N per minute (say 100000): every flood
request is then within its limit, so every body, the ~5 MB ones too, is read, counted
and parsed (off the event loop: ``api.limits.parse_body``) and every small one checked.

``run_load`` is also what ``tests/bench/test_load.py`` runs, shorter, asserting the
invariants (never the timings).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api import Client  # noqa: E402
from kkpr.db.database import Database  # noqa: E402
from kkpr.db.sql import sql  # noqa: E402
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.records.checks import open_records, records_url  # noqa: E402
from kkpr.records.keys import KeyStore  # noqa: E402
from kkpr.settings import SAMPLE_PLAN_DIR, Settings  # noqa: E402
from tests.server import free_port, stop_server  # noqa: E402
from tests.server import start_server as start_uvicorn  # noqa: E402


def check_bodies(plan_dir: Path, n: int = 400, seed: int = 7) -> list[bytes]:
    """``n`` check bodies: 20 m squares around the inner points of random zones."""
    zones = read_plan(plan_dir).zones
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(zones), size=min(n, len(zones)), replace=False)
    bodies = []
    for geom in zones.geometry.values[picks]:
        square = geom.representative_point().buffer(10, cap_style="square")
        wgs84 = _to_wgs84(square, str(zones.crs))
        site = {"type": "Polygon", "coordinates": [list(map(list, wgs84.exterior.coords))]}
        bodies.append(json.dumps({"site": site, "kbli": "47111"}).encode())
    return bodies


def _to_wgs84(geom: Any, crs: str) -> Any:
    from kkpr.site import to_crs

    return to_crs(geom, crs, "EPSG:4326")


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    records_url: str
    key: str  # permit_system
    staff_key: str


@contextmanager
def serving(plan_dir: Path, data_dir: Path, *, workers: int = 1, database_url: str = "",
            args: tuple[str, ...] = ("--no-proxy-headers",),
            env_extra: dict[str, str] | None = None, root: Path = ROOT) -> Iterator[Server]:  # fmt: skip
    """uvicorn with the app of this checkout, or of the one at ``root`` (``make run``'s
    options by default)."""
    settings = Settings(data_dir=data_dir, database_url=database_url or None)
    url = records_url(settings)
    keys = KeyStore(open_records(url))
    _, key = keys.create("load permit system", "permit_system")
    _, staff = keys.create("load staff", "staff")
    port = free_port()
    env = {
        "KKPR_PLAN_DIR": str(plan_dir),
        "KKPR_DATA_DIR": str(data_dir),
        "KKPR_DATABASE_URL": database_url,
        "KKPR_SESSION_SECRET": "load",
        **(env_extra or {}),
    }
    options = (*args, "--workers", str(workers), "--no-access-log")
    served = start_uvicorn(
        env, None, port=port, tree=root, args=options, ready="/readyz", timeout_s=180
    )
    try:
        yield Server(served.process, port, url, key, staff)
    finally:
        stop_server(served)


@dataclass
class Outcome:
    """What the clients of one run saw."""

    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    failures: int = 0  # connections that broke (no answer)
    check_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, ms: float, body: bytes) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies_ms.append(ms)
            if status == 201:
                self.check_ids.append(json.loads(body)["id"])

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else float("nan")


def hammer(
    port: int,
    headers: dict[str, str],
    path: str,
    bodies: Callable[[int], bytes],
    *,
    clients: int,
    seconds: float,
    stop: threading.Event | None = None,
) -> Outcome:
    """``clients`` threads POSTing ``bodies(i)`` to ``path`` for ``seconds``."""
    out = Outcome(seconds)
    until = time.monotonic() + seconds
    stop = stop or threading.Event()

    def client(k: int) -> None:
        conn = Client(port, headers)
        i = k
        try:
            while time.monotonic() < until and not stop.is_set():
                body = bodies(i)
                i += clients
                started = time.perf_counter()
                try:
                    status, answer = conn.request("POST", path, body)
                except OSError:
                    with out.lock:
                        out.failures += 1
                    conn.close()
                    conn = Client(port, headers)
                    continue
                out.add(status, (time.perf_counter() - started) * 1000, answer)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def logged_ids(url: str) -> set[str]:
    with Database(url).transaction() as tx:
        return {r["id"] for r in tx.query(sql("SELECT id FROM check_log"))}


@dataclass
class LoadResult:
    name: str
    outcome: Outcome
    alive: bool
    missing_from_log: int


def run_load(
    name: str, server: Server, bodies: list[bytes], *, clients: int, seconds: float
) -> LoadResult:
    """The load of one configuration and its invariants."""
    out = hammer(
        server.port,
        {"X-API-Key": server.key},
        "/v1/checks",
        lambda i: bodies[i % len(bodies)],
        clients=clients,
        seconds=seconds,
    )
    alive = server.proc.poll() is None
    missing = len(set(out.check_ids) - logged_ids(server.records_url))
    return LoadResult(name, out, alive, missing)


def run_flood(
    server: Server, bodies: list[bytes], *, clients: int, seconds: float
) -> tuple[Outcome, Outcome, Outcome]:
    """(staff quiet, staff under the flood, the flood itself)."""
    staff = {"X-API-Key": server.staff_key}

    def staff_run(stop: threading.Event | None = None) -> Outcome:
        return hammer(server.port, staff, "/v1/checks", lambda i: bodies[i % len(bodies)],
                      clients=1, seconds=seconds, stop=stop)  # fmt: skip

    quiet = staff_run()
    big = large_precheck(bodies[0], Settings().max_body_bytes)
    # the flood runs in a process of its own: its 50 threads sharing this process's GIL
    # with the staff client would slow the staff's own timing, not the server's answers
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    stop = ctx.Event()
    flooder = ctx.Process(
        target=_flood, args=(server.port, bodies, big, clients, seconds + 5, stop, results)
    )
    flooder.start()
    time.sleep(2.0)  # the flood is on (its process started) before the staff client measures
    loaded = staff_run()
    stop.set()
    statuses, failures, elapsed = results.get(timeout=seconds + 120)
    flooder.join(timeout=30)
    flooded = Outcome(elapsed, statuses=statuses, failures=failures)
    return quiet, loaded, flooded


def _flood(port: int, bodies: list[bytes], big: bytes, clients: int, seconds: float,
           stop: Any, results: Any) -> None:  # fmt: skip
    """The anonymous flood, in its own process: its statuses, broken connections, time."""
    event = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), event.set()), daemon=True).start()
    out = hammer(port, {}, "/v1/precheck", lambda i: big if i % 10 == 0 else bodies[i % len(bodies)],
                 clients=clients, seconds=seconds, stop=event)  # fmt: skip
    results.put((dict(out.statuses), out.failures, out.seconds))


@dataclass
class Cost:
    """One refused flood without the staff client: what the server process spent."""

    mix: str
    answers: int
    seconds: float
    cpu_s: float  # the server process's user + system CPU time


def process_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def refusal_cost(server: Server, bodies: list[bytes], *, clients: int = 50,
                 seconds: float = 10.0) -> list[Cost]:  # fmt: skip
    """The server's CPU time per answer to a flood that is refused (run after
    :func:`run_flood`, whose flood left the address refused): small bodies only, then
    the flood's mix (every 10th body ~5 MB)."""
    big = large_precheck(bodies[0], Settings().max_body_bytes)
    mixes: list[tuple[str, Callable[[int], bytes]]] = [
        ("small bodies", lambda i: bodies[i % len(bodies)]),
        ("every 10th ~5 MB", lambda i: big if i % 10 == 0 else bodies[i % len(bodies)]),
    ]
    costs = []
    for mix, make in mixes:
        cpu = process_cpu_s(server.proc.pid)
        out = hammer(server.port, {}, "/v1/precheck", make, clients=clients, seconds=seconds)
        costs.append(Cost(mix, out.answered, seconds, process_cpu_s(server.proc.pid) - cpu))
    return costs


PUBLIC_THREADS_BASELINE = 40  # Starlette's threadpool: where public checks ran before


def large_precheck(body: bytes, limit: int) -> bytes:
    """A valid pre-check body just under ``limit`` bytes (padded with whitespace, which
    a JSON parser must still read)."""
    return body[:-1] + b" " * (limit - len(body) - 16) + b"}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--only", choices=["memory", "postgis"])
    ap.add_argument("--no-flood", action="store_true")
    ap.add_argument("--baseline", type=Path,
                    help="also flood the app of this checkout (the code before a change, "
                         "e.g. `git archive <rev> | tar -x -C DIR`), side by side")  # fmt: skip
    ap.add_argument("--public-limit", type=int, default=0,
                    help="also flood a server with this public limit per minute")  # fmt: skip
    args = ap.parse_args()
    bodies = check_bodies(SAMPLE_PLAN_DIR)
    rows: list[LoadResult] = []
    floods: list[tuple[str, tuple[Outcome, Outcome, Outcome]]] = []
    costs: list[tuple[str, list[Cost]]] = []
    if args.only in (None, "memory"):
        with tempfile.TemporaryDirectory() as tmp, serving(SAMPLE_PLAN_DIR, Path(tmp)) as s:
            rows.append(run_load("memory (make run)", s, bodies,
                                 clients=args.clients, seconds=args.seconds))  # fmt: skip
            if not args.no_flood:
                floods.append((f"default public limit and settings (a client refused and "
                               f"asking again waits {Settings().public_refusal_delay_s:g} s "
                               "for its 429: api.gate)",
                               run_flood(s, bodies, clients=args.clients,
                                         seconds=min(args.seconds, 30))))  # fmt: skip
                costs.append(("default settings", refusal_cost(s, bodies)))
        if not args.no_flood:
            variants = [("refusals answered at once (public_refusal_delay_s = 0)", ROOT,
                         {"KKPR_PUBLIC_REFUSAL_DELAY_S": "0"})]  # fmt: skip
            if args.baseline:
                variants.insert(0, (f"baseline: the code of {args.baseline}", args.baseline, {}))
            for label, root, env in variants:
                with tempfile.TemporaryDirectory() as tmp, serving(SAMPLE_PLAN_DIR, Path(tmp),
                                                                   env_extra=env, root=root) as s:  # fmt: skip
                    floods.append((f"default public limit, {label}",
                                   run_flood(s, bodies, clients=args.clients,
                                             seconds=min(args.seconds, 30))))  # fmt: skip
                    costs.append((label, refusal_cost(s, bodies)))
        if args.public_limit and not args.no_flood:
            within = f"every request within a limit of {args.public_limit:,}/min"
            # the baseline first: public checks in the shared threadpool (Starlette's 40
            # threads), as before api.deps.run_public; then the default public threads
            for threads, label in (
                (PUBLIC_THREADS_BASELINE, f"{within}; baseline: public checks in the "
                                          f"shared pool ({PUBLIC_THREADS_BASELINE} threads)"),
                (None, f"{within}; public checks on their own threads (default setting)"),
            ):  # fmt: skip
                env = {"KKPR_PUBLIC_RATE_LIMIT_PER_MINUTE": str(args.public_limit)}
                if threads is not None:
                    env["KKPR_PUBLIC_CHECK_THREADS"] = str(threads)
                with tempfile.TemporaryDirectory() as tmp, serving(SAMPLE_PLAN_DIR, Path(tmp),
                                                                   env_extra=env) as s:  # fmt: skip
                    floods.append((label, run_flood(s, bodies, clients=args.clients,
                                                    seconds=min(args.seconds, 30))))  # fmt: skip
    if args.only in (None, "postgis"):
        from kkpr.store.postgis import PostgisStore
        from tests.fixtures_postgis import PgServer

        pg = PgServer(durable=True)
        try:
            url = pg.new_database("load")
            PostgisStore(url).load(SAMPLE_PLAN_DIR, loaded_by="bench")
            with (
                tempfile.TemporaryDirectory() as tmp,
                serving(SAMPLE_PLAN_DIR, Path(tmp), workers=args.workers, database_url=url) as s,
            ):
                rows.append(run_load(f"postgis, {args.workers} workers", s, bodies,
                                     clients=args.clients, seconds=args.seconds))  # fmt: skip
        finally:
            pg.stop()
    report(rows, floods, args)
    report_costs(costs, args)
    if any(r.outcome.server_errors or not r.alive or r.missing_from_log for r in rows):
        raise SystemExit("FAILED: a crash, a 5xx or a check missing from the log (above)")


def report(
    rows: list[LoadResult], floods: list[tuple[str, tuple[Outcome, Outcome, Outcome]]], args: Any
) -> None:
    print(f"\n{args.clients} concurrent clients, {args.seconds:.0f} s, POST /v1/checks, 127.0.0.1")
    print("| configuration | answered | checks/s | p50 ms | p99 ms | 5xx | broken conn. "
          "| alive | 201 not in log |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for r in rows:
        o = r.outcome
        print(f"| {r.name} | {o.answered:,} | {o.statuses.get(201, 0) / o.seconds:,.1f} "
              f"| {o.percentile(50):.1f} | {o.percentile(99):.1f} | {o.server_errors} "
              f"| {o.failures} | {'yes' if r.alive else 'NO'} | {r.missing_from_log} |")  # fmt: skip
    for label, flood in floods:
        quiet, loaded, fl = flood
        ratio = loaded.percentile(99) / quiet.percentile(99)
        print(f"\nStaff client (1 connection, POST /v1/checks) alone, then under {args.clients} "
              "anonymous clients flooding POST /v1/precheck (every 10th body ~5 MB), "
              f"{label}")  # fmt: skip
        print("| run | staff checks | staff p50 ms | staff p99 ms | flood answers (by status) |")
        print("| --- | ---: | ---: | ---: | --- |")
        print(f"| quiet | {quiet.answered:,} | {quiet.percentile(50):.1f} "
              f"| {quiet.percentile(99):.1f} | — |")  # fmt: skip
        statuses = ", ".join(f"{s}: {n:,}" for s, n in sorted(fl.statuses.items()))
        print(f"| under flood | {loaded.answered:,} | {loaded.percentile(50):.1f} "
              f"| {loaded.percentile(99):.1f} | {statuses}; broken {fl.failures} |")  # fmt: skip
        print(f"\nstaff p99 under flood / quiet: {ratio:.2f}x (target < 5x)")
    print(
        f"load average (1, 5, 15 min): {', '.join(f'{v:.2f}' for v in os.getloadavg())}; "
        f"{os.cpu_count()} CPUs"
    )


def report_costs(costs: list[tuple[str, list[Cost]]], args: Any) -> None:
    if not costs:
        return
    print(f"\nThe server's CPU per answer to {args.clients} anonymous clients refused by the "
          "public limit (no staff client; 10 s each; the clients share the machine)")  # fmt: skip
    print("| server | flood bodies | answers | answers/s | server CPU | server CPU µs per answer |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for label, rows in costs:
        for c in rows:
            print(f"| {label} | {c.mix} | {c.answers:,} | {c.answers / c.seconds:,.0f} "
                  f"| {c.cpu_s / c.seconds:.0%} | {c.cpu_s / max(c.answers, 1) * 1e6:,.0f} |")  # fmt: skip
    print(f"load average (1, 5, 15 min): {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
