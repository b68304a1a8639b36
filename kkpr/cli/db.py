"""``kkpr db``: the PostGIS database (schema migrations)."""

from __future__ import annotations

import typer

from kkpr.cli.output import cli_errors, console, err_console

app = typer.Typer(no_args_is_help=True)

DB_OPTION = typer.Option(
    None,
    "--db",
    envvar="KKPR_DATABASE_URL",
    help="URL PostGIS / PostGIS URL (bawaan / default: KKPR_DATABASE_URL)",
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


@app.command("migrate")
def migrate_command(db: str | None = DB_OPTION) -> None:
    """Pasang/perbarui skema kkpr / create or update the kkpr schema (idempotent)."""
    from kkpr.store.migrate import applied_versions, migrate

    url = require_db(db)
    with cli_errors():
        applied = migrate(url)
        current = applied_versions(url)
    for name in applied:
        console.print(f"[green]✓[/] {name}")
    if not applied:
        console.print("Skema sudah mutakhir / schema is up to date")
    console.print(f"[dim]migrasi / migrations: {', '.join(current)}[/]")
