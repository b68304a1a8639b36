"""``kkpr plan import``: a plan package from a published layer and annex tables.

Thin: the work is ``kkpr.plan.importer.import_plan``. A column the import cannot find
is asked for when a person is at the terminal; otherwise the error lists the columns
found and the option that names one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table

from kkpr.cli.output import cli_errors, console, dump_json, print_problems
from kkpr.errors import MappingNeeded
from kkpr.plan.importer import ImportResult, ImportSpec, import_plan
from kkpr.plan.validate import errors_of


def import_command(
    out: Path = typer.Argument(..., help="Folder paket baru / the new package folder"),
    layer: Path = typer.Option(..., "--layer", help="Lapisan pola ruang (GDAL, qgis2web .js)"),
    itbx: Path = typer.Option(..., "--itbx", help="Matriks ITBX (.xlsx atau .csv)"),
    plan_id: str = typer.Option(..., "--id", help="id rencana (slug), mis. bintan-bsb"),
    name: str = typer.Option(..., "--name", help="Nama rencana / plan name"),
    crs: str | None = typer.Option(None, "--crs", help="CRS metrik; bawaan: zona UTM lapisan"),
    layer_crs: str | None = typer.Option(None, "--layer-crs", help="CRS lapisan tanpa CRS"),
    kodszn: str | None = typer.Option(None, "--kodszn-field", help="Kolom kode sub-zona"),
    itbx_sheet: str | None = typer.Option(None, "--itbx-sheet", help="Lembar matriks"),
    header_row: int | None = typer.Option(None, "--header-row", help="Baris kode sub-zona"),
    kegiatan: str | None = typer.Option(None, "--kegiatan-column", help="Kolom nama kegiatan"),
    kode: str | None = typer.Option(None, "--kode-column", help="Kolom kode (KBLI)"),
    legend: Path | None = typer.Option(None, "--legend", help="Teks T/B (T1 : ...)"),
    intensity: Path | None = typer.Option(None, "--intensity", help="Tabel intensitas"),
    intensity_sheet: str | None = typer.Option(None, "--intensity-sheet"),
    intensity_subzone: str | None = typer.Option(None, "--intensity-subzone-column"),
    intensity_column: list[str] = typer.Option(
        [], "--intensity-column", help="FIELD=KOLOM, mis. kdb='KDB Maks. (%)'"
    ),
    kbli_map: Path | None = typer.Option(None, "--kbli-map", help="CSV kbli,kode_kegiatan"),
    roads: Path | None = typer.Option(None, "--roads", help="Lapisan jaringan jalan (KUGI)"),
    gsb: Path | None = typer.Option(None, "--gsb", help="Tabel GSB per kelas jalan (CSV)"),
    region_code: str = typer.Option("", "--region-code"),
    legal_basis: str = typer.Option("", "--legal-basis"),
    effective_from: str | None = typer.Option(None, "--effective-from", help="YYYY-MM-DD"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Timpa folder yang ada"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Buat paket rencana dari lapisan dan lampiran / build a plan package from a
    published layer and annex tables, then validate it (exit 1 when it has errors)."""
    with cli_errors(as_json):
        spec = ImportSpec(
            layer=layer,
            itbx=itbx,
            out=out,
            plan_id=plan_id,
            name=name,
            crs=crs,
            layer_crs=layer_crs,
            kodszn_field=kodszn,
            itbx_sheet=itbx_sheet,
            header_row=header_row,
            kegiatan_column=kegiatan,
            kode_column=kode,
            legend=legend,
            intensity=intensity,
            intensity_sheet=intensity_sheet,
            intensity_subzone_column=intensity_subzone,
            intensity_columns=_pairs(intensity_column),
            kbli_map=kbli_map,
            roads=roads,
            gsb=gsb,
            region_code=region_code,
            legal_basis=legal_basis,
            effective_from=date.fromisoformat(effective_from) if effective_from else None,
            overwrite=overwrite,
        )
        result = _run(spec, interactive=sys.stdin.isatty() and not as_json, bar=not as_json)
    if as_json:
        dump_json(
            {
                "package": str(result.root),
                "notes": [p.to_dict() for p in result.notes],
                "valid": not errors_of(result.problems),
                "problems": [p.to_dict() for p in result.problems],
            }
        )
    else:
        console.print(f"[green]✓[/] paket ditulis / package written: [bold]{result.root}[/]")
        _print_notes(result)
        print_problems(result.problems, str(result.root))
    raise typer.Exit(1 if errors_of(result.problems) else 0)


def _run(spec: ImportSpec, interactive: bool, bar: bool) -> ImportResult:
    """Import; at a terminal, a missing mapping is asked for and the import tried again."""
    while True:
        try:
            if not bar:
                return import_plan(spec)
            with Progress(
                TextColumn("{task.description}"), BarColumn(), console=console, transient=True
            ) as progress:
                return import_plan(spec, _progress(progress))
        except MappingNeeded as exc:
            if not interactive:
                raise
            console.print(f"[yellow]{exc.message_id}[/]\n[dim]{exc.message_en}[/]")
            for item in exc.found:
                console.print(f"  {item}")
            answer = typer.prompt(f"--{exc.option.replace('_', '-')}")
            _set(spec, exc.option, answer)


def _progress(bar: Progress) -> Callable[[str, int, int], None]:
    tasks: dict[str, TaskID] = {}

    def progress(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = bar.add_task(label, total=total or 1)
        bar.update(tasks[label], completed=done, total=total or 1)

    return progress


def _set(spec: ImportSpec, option: str, answer: str) -> None:
    if option == "header_row":
        spec.header_row = int(answer.split(":")[0])
    elif option == "intensity_column":
        spec.intensity_columns.update(_pairs([answer]))
    else:
        setattr(spec, option, answer.split(":")[0].strip() if ": " in answer else answer)


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: tulis FIELD=KOLOM / write FIELD=COLUMN")
        out[key.strip().lower()] = value.strip()
    return out


def _print_notes(result: ImportResult) -> None:
    if not result.notes:
        return
    table = Table(
        "tingkat", "kode", "sumber / source", "catatan / note", title="Catatan impor / import notes"
    )
    for n in result.notes:
        table.add_row(n.severity, n.code, n.where, f"{n.message_id}\n[dim]{n.message_en}[/]")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``kkpr plan import`` to the ``kkpr plan`` group."""
    app.command("import")(import_command)
