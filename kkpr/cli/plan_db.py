"""``kkpr plan load|activate|rollback|list``: plan versions in PostGIS."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich import box
from rich.table import Table

from kkpr.cli.db import DB_OPTION, require_db
from kkpr.cli.output import cli_errors, console, dump_json, load_bar

BY_OPTION = typer.Option(None, "--by", help="Nama petugas / who does it (bawaan: pengguna OS)")


def _by(name: str | None) -> str:
    return name or getpass.getuser()


def load_command(
    plan_dir: Path = typer.Argument(..., help="Folder paket rencana / plan package"),
    db: str | None = DB_OPTION,
    no_activate: bool = typer.Option(
        False, "--no-activate", help="Muat tanpa mengaktifkan / load without activating"
    ),
    by: str | None = BY_OPTION,
) -> None:
    """Periksa lalu muat paket sebagai versi baru / validate and load a package as a new version."""
    from kkpr.store.load import load_package

    url = require_db(db)
    with cli_errors(), load_bar() as progress:
        version = load_package(
            url, plan_dir, loaded_by=_by(by), activate=not no_activate, progress=progress
        )
    state = "dimuat / loaded" if no_activate else "dimuat dan aktif / loaded and active"
    console.print(f"[green]✓[/] versi / version [bold]{version}[/] {state}")


def activate_command(
    plan_id: str = typer.Argument(..., help="id rencana / plan id"),
    version: str = typer.Argument(..., help="versi / version (mis. v3)"),
    db: str | None = DB_OPTION,
    by: str | None = BY_OPTION,
) -> None:
    """Aktifkan sebuah versi / make a version the active one."""
    from kkpr.store.postgis import PostgisStore

    store = PostgisStore(require_db(db))
    try:
        with cli_errors():
            store.activate(plan_id, version, by=_by(by))
    finally:  # closed on an error too (cli_errors exits)
        store.close()
    console.print(f"[green]✓[/] {plan_id} {version} aktif / active")


def rollback_command(
    plan_id: str = typer.Argument(..., help="id rencana / plan id"),
    db: str | None = DB_OPTION,
    by: str | None = BY_OPTION,
) -> None:
    """Kembali ke versi sebelumnya / re-activate the previously active version."""
    from kkpr.store.postgis import PostgisStore

    store = PostgisStore(require_db(db))
    try:
        with cli_errors():
            version = store.rollback(plan_id, by=_by(by))
    finally:  # closed on an error too (cli_errors exits)
        store.close()
    console.print(f"[green]✓[/] {plan_id} kembali ke / rolled back to [bold]{version}[/]")


def list_command(
    db: str | None = DB_OPTION,
    plan_id: str | None = typer.Argument(None, help="hanya rencana ini / only this plan"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Daftar rencana dan versinya / plans and their versions."""
    from kkpr.store.postgis import PostgisStore

    url = require_db(db)
    store = PostgisStore(url)
    try:
        with cli_errors():
            plans = [p for p in store.plans() if plan_id is None or p["id"] == plan_id]
            versions = {p["id"]: store.versions(p["id"]) for p in plans}
    finally:  # closed on an error too (cli_errors exits)
        store.close()
    if as_json:
        dump_json([{**p, "versions": versions[p["id"]]} for p in plans])
        return
    if not plans:
        console.print("Belum ada rencana / no plans loaded yet")
    for p in plans:
        table = Table(
            title=f"{p['id']} — {p['name']} ({p['region_code']})",
            caption="● aktif / active · dimuat = loaded · oleh = by · berlaku = effective from",
            box=box.SIMPLE_HEAD,
        )
        for name in ("versi", "status", "dimuat", "oleh", "berlaku", "zona", "checksum"):
            table.add_column(name, no_wrap=name != "status")
        for v in versions[p["id"]]:
            status = v["status"]
            colour = {"ready": "green", "failed": "red"}.get(status, "yellow")
            table.add_row(
                v["version"] + (" ●" if v["active"] else ""),
                f"[{colour}]{status}[/]" + (f"\n[dim]{v['error'][:60]}[/]" if v["error"] else ""),
                (v["loaded_at"] or "")[:16].replace("T", " "),
                v["loaded_by"],
                v["effective_from"] or "—",
                "—" if v["zones"] is None else f"{v['zones']:,}",
                (v["checksum"] or "")[:8],
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``kkpr plan`` group."""
    app.command("load")(load_command)
    app.command("activate")(activate_command)
    app.command("rollback")(rollback_command)
    app.command("list")(list_command)
