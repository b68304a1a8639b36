"""``kkpr worker``: deliver outbox events to the subscribed webhooks."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from kkpr.cli.output import cli_errors, console
from kkpr.pipeline.db import open_database, pipeline_url
from kkpr.pipeline.delivery import Attempt, Worker, backlog, revive
from kkpr.settings import get_settings

COLOURS = {"delivered": "green", "retry": "yellow", "dead": "red"}


def worker_command(
    once: bool = typer.Option(
        False,
        "--once",
        help="Kirim yang jatuh tempo lalu berhenti / deliver what is due, then exit",
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="URL basis data pipeline (bawaan: KKPR_DATABASE_URL atau data_dir/pipeline.db)",
    ),
    concurrency: int = typer.Option(4, "--concurrency", min=1, help="Pengiriman paralel"),
    revive_dead: bool = typer.Option(
        False, "--revive", help="Antrekan ulang pengiriman yang gagal total / retry dead ones"
    ),
) -> None:
    """Kirim peristiwa ke webhook / deliver outbox events to subscribed webhooks."""
    settings = get_settings()
    with cli_errors():
        database = open_database(db or pipeline_url(settings))
        if revive_dead:
            console.print(f"dihidupkan ulang / revived: {revive(database)}")
        worker = Worker(database, settings, concurrency=concurrency)
    stop = threading.Event()

    def _stop(_sig: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print(f"worker {worker.worker_id} · {database.dialect}", highlight=False)
    try:
        if once:
            for attempt in worker.drain():
                show(attempt)
        else:
            worker.run(stop, on_attempt=show)
    finally:
        counts = backlog(database)
        worker.close()
        database.close()
    console.print(
        "antrean / backlog: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "—"),
        highlight=False,
    )


def show(attempt: Attempt) -> None:
    c = attempt.claim
    detail = attempt.error or (f"HTTP {attempt.status}" if attempt.status else "")
    wait = f" · lagi/retry in {attempt.retry_in_s:.1f}s" if attempt.retry_in_s else ""
    console.print(
        f"[{COLOURS[attempt.result]}]{attempt.result:9}[/] {c.event_type:22} "
        f"app {c.application_id[:8]} #{c.seq} → {c.url} {detail}{wait}",
        highlight=False,
        soft_wrap=True,
    )
