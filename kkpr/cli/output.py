"""What every command shares: errors to exit codes, a console, and progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from kkpr.errors import KkprError, PlanError, Problem, StoreError

if TYPE_CHECKING:
    from kkpr.store.load import LoadProgress

console = Console()
err_console = Console(stderr=True)

# exit codes: 0 done (any outcome), 1 a report with problems, 2 bad input, 3 store unavailable
EXIT_CODES: list[tuple[type[KkprError], int]] = [(StoreError, 3), (KkprError, 2)]


@contextmanager
def cli_errors(as_json: bool = False) -> Iterator[None]:
    """Turn a KkprError into a clear message and its exit code."""
    try:
        yield
    except KkprError as exc:
        code = next(c for cls, c in EXIT_CODES if isinstance(exc, cls))
        if as_json:
            sys.stdout.write(json.dumps({"error": exc.to_dict()}, ensure_ascii=False) + "\n")
        err_console.print(f"[bold red]Galat / Error:[/] {exc.message_id}\n  {exc.message_en}")
        if exc.where:
            err_console.print(f"  [dim]di / at:[/] {exc.where}")
        if exc.hint_id or exc.hint_en:
            err_console.print(f"  [yellow]→[/] {exc.hint_id or ''}\n    {exc.hint_en or ''}")
        if isinstance(exc, PlanError):
            for p in exc.problems[:50]:
                err_console.print(f"  - {p.where}: {p.message_id} / {p.message_en}")
        raise typer.Exit(code) from None


def dump_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def print_problems(problems: list[Problem], plan_dir: str) -> None:
    """The validation report as a table (``plan validate``, ``plan import``)."""
    if not problems:
        console.print(f"[green]Paket rencana sah / plan package is valid:[/] {plan_dir}")
        return
    errors = [p for p in problems if p.severity == "error"]
    table = Table(
        "tingkat",
        "kode",
        "di mana / where",
        "masalah / problem",
        "lokasi",
        title=f"{len(errors)} galat / errors, {len(problems) - len(errors)} peringatan / warnings",
    )
    for p in problems:
        table.add_row(
            p.severity,
            p.code,
            p.where,
            f"{p.message_id}\n[dim]{p.message_en}[/]",
            p.geometry_wkt or "",
        )
    console.print(table)


@contextmanager
def load_bar() -> Iterator[LoadProgress]:
    """A progress callback for ``kkpr.store.load.load_package`` that draws one bar per
    task on stderr (nothing when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kkpr.store.load import LoadStep

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not err_console.is_terminal,
    )
    tasks: dict[str, Any] = {}

    def draw(step: LoadStep) -> None:
        total = None if step.total is None else max(step.total, 1)
        done = step.done if step.total else (1 if step.total == 0 else 0)
        if step.task not in tasks:
            tasks[step.task] = bar.add_task(step.label, total=total)
        bar.update(tasks[step.task], description=step.label, completed=done, total=total)

    with bar:
        yield draw
