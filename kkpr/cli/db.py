"""``kkpr db``: the databases' schemas (one migration runner for every part)."""

from __future__ import annotations

from typing import Annotated

import typer

from kkpr.cli.output import cli_errors, console, err_console

app = typer.Typer(no_args_is_help=True)

DB_OPTION = typer.Option(
    None,
    "--db",
    envvar="KKPR_DATABASE_URL",
    help="URL PostGIS / PostGIS URL (bawaan / default: KKPR_DATABASE_URL)",
)
PART_OPTION = typer.Option(
    "--part",
    help="Bagian / part: store, records, pipeline (PostgreSQL; bawaan semua / default "
    "all), rate_buckets (SQLite); dengan --db sqlite:///... sebutkan bagiannya / name "
    "the part of a SQLite file",
)


def require_db(url: str | None) -> str:
    """The database URL, or a clear exit when none was given."""
    if not url:
        err_console.print(
            "[bold red]Galat / Error:[/] URL basis data tidak diberikan\n"
            "  No database URL given\n"
            "  [yellow]→[/] pakai --db postgresql://... atau KKPR_DATABASE_URL\n"
            "    use --db postgresql://... or set KKPR_DATABASE_URL"
        )
        raise typer.Exit(2)
    return url


def _parts(url: str, names: list[str] | None) -> list[str]:
    from kkpr.db.migrate import PARTS

    postgresql = url.startswith(("postgresql:", "postgres:"))
    if not names:
        if not postgresql:
            err_console.print(
                "[bold red]Galat / Error:[/] berkas SQLite memuat satu bagian\n"
                "  A SQLite file holds one part\n"
                "  [yellow]→[/] sebutkan / name it: --part records | pipeline | rate_buckets"
            )
            raise typer.Exit(2)
        return ["store", "records", "pipeline"]
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        err_console.print(
            f"[bold red]Galat / Error:[/] bagian tidak dikenal / unknown part: {', '.join(unknown)}"
            f"\n  [yellow]→[/] {', '.join(PARTS)}"
        )
        raise typer.Exit(2)
    return names


@app.command("migrate")
def migrate_command(
    db: str | None = DB_OPTION,
    part: Annotated[list[str] | None, PART_OPTION] = None,
) -> None:
    """Pasang/perbarui skema / create or update the schemas (idempotent)."""
    from kkpr.db.database import Database
    from kkpr.db.migrate import PARTS, applied, migrate
    from kkpr.store.postgis_sql import unavailable

    url = require_db(db)
    names = _parts(url, part)
    database = Database(url, pool_size=1, unavailable=unavailable)
    done: list[str] = []
    try:
        with cli_errors():
            for name in names:
                for label in migrate(database, PARTS[name]):
                    console.print(f"[green]✓[/] {name} {label}")
                    done.append(label)
                current = applied(database, PARTS[name])
                console.print(f"[dim]{name}: {', '.join(current)}[/]")
    finally:
        database.close()
    if not done:
        console.print("Skema sudah mutakhir / schema is up to date")


@app.command("status")
def status_command(
    db: str | None = DB_OPTION,
    part: Annotated[list[str] | None, PART_OPTION] = None,
) -> None:
    """Migrasi terpasang dan tertunda / applied and pending migrations; exit 1 when
    some are pending (for deployment checks)."""
    from kkpr.db.database import Database
    from kkpr.db.migrate import PARTS, applied, pending
    from kkpr.store.postgis_sql import unavailable

    url = require_db(db)
    names = _parts(url, part)
    database = Database(url, pool_size=1, unavailable=unavailable)
    waiting: list[str] = []
    try:
        with cli_errors():
            for name in names:
                todo = pending(database, PARTS[name])
                waiting += todo
                done = applied(database, PARTS[name])
                console.print(
                    f"{name}: {', '.join(done) or '-'}"
                    + (f"  [yellow]tertunda / pending: {', '.join(todo)}[/]" if todo else "")
                )
    finally:
        database.close()
    if waiting:
        raise typer.Exit(1)
