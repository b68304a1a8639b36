"""``kkpr keys``: API keys for the permit system and staff (shown once, stored hashed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.table import Table

from kkpr.cli.output import cli_errors, console, dump_json
from kkpr.records.checks import open_records, records_url
from kkpr.records.keys import ROLES, KeyStore
from kkpr.settings import Settings

app = typer.Typer(no_args_is_help=True)


@contextmanager
def _store() -> Iterator[KeyStore]:
    """The key store of the records database, open for one command (then closed)."""
    db = open_records(records_url(Settings()))
    try:
        yield KeyStore(db)
    finally:
        db.close()


@app.command("create")
def create(
    role: str = typer.Option(..., "--role", help=f"Peran / role: {', '.join(ROLES)}"),
    name: str = typer.Option(..., "--name", help="Nama pemilik kunci / who holds the key"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Buat kunci API; kunci hanya ditampilkan sekali / make an API key, shown only once."""
    with cli_errors(as_json), _store() as store:
        key, secret = store.create(name, role, created_by="cli")
    if as_json:
        dump_json({"id": key.id, "name": key.name, "role": key.role, "key": secret})
        return
    typer.echo(secret)  # plain: no wrapping or markup around the key
    console.print(
        f"[dim]id {key.id} · {key.role} · {key.name}[/]\n"
        "Simpan kunci ini sekarang: tidak akan ditampilkan lagi. / "
        "Store this key now: it will not be shown again.",
        highlight=False,
    )


@app.command("list")
def list_keys(as_json: bool = typer.Option(False, "--json")) -> None:
    """Daftar kunci (tanpa rahasianya) / list keys (without their secrets)."""
    with cli_errors(as_json), _store() as store:
        keys = store.list()
    if as_json:
        dump_json([k.__dict__ for k in keys])
        return
    table = Table("id", "role", "name", "created_at", "revoked_at")
    for k in keys:
        table.add_row(k.id, k.role, k.name, k.created_at, k.revoked_at or "")
    console.print(table)


@app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="id kunci / key id")) -> None:
    """Cabut kunci / revoke a key (running API servers drop it within api_key_cache_ttl_s)."""
    with cli_errors(), _store() as store:
        key = store.revoke(key_id)
    console.print(f"dicabut / revoked: {key.id} ({key.name}) {key.revoked_at}")
