"""``kkpr kbli``: the KBLI 2020 catalogue."""

from __future__ import annotations

import typer
from rich.table import Table

from kkpr.catalogue import SECTIONS, catalogue
from kkpr.cli.output import console, dump_json

app = typer.Typer(no_args_is_help=True)


@app.command("search")
def search(
    query: str = typer.Argument(..., help="Kata (mis. 'rumah makan') atau awalan kode"),
    limit: int = typer.Option(20, "--limit"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Cari KBLI berdasarkan kata atau kode / search KBLI by words or code prefix."""
    items = catalogue().search(query, limit)
    if as_json:
        dump_json([i.to_dict() for i in items])
        return
    if not items:
        console.print("Tidak ditemukan / nothing found")
        raise typer.Exit(1)
    table = Table("kode", "judul", "kategori")
    for i in items:
        table.add_row(i.kode, i.judul, f"{i.kategori} {SECTIONS.get(i.kategori, '')}")
    console.print(table)
