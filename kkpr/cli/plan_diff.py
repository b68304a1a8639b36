"""``kkpr plan diff OLD NEW``: what a plan revision changed, as tables, GeoPackage and map."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from kkpr.cli.output import cli_errors, console, dump_json
from kkpr.plan.package import read_plan
from kkpr.revision.diff import PlanDiff, diff_plans

SHOWN_ROWS = 40


def diff_command(
    old: Path = typer.Argument(..., help="Paket rencana lama / old plan package"),
    new: Path = typer.Argument(..., help="Paket rencana baru / new plan package"),
    gpkg: Path | None = typer.Option(None, "--gpkg", help="Tulis GeoPackage / write a GeoPackage"),
    map_html: Path | None = typer.Option(None, "--map", help="Tulis peta HTML / write an HTML map"),
    as_json: bool = typer.Option(False, "--json", help="Sebagai JSON / as JSON"),
) -> None:
    """Perbedaan dua versi rencana / the differences between two plan versions."""
    with cli_errors(as_json):
        old_plan, new_plan = read_plan(old), read_plan(new)
        diff = diff_plans(old_plan, new_plan)
        if gpkg is not None:
            from kkpr.revision.export import write_gpkg

            write_gpkg(diff, gpkg)
        if map_html is not None:
            from kkpr.revision.mapping import diff_map

            diff_map(diff, map_html, new_plan.zones)
    if as_json:
        dump_json(diff.to_dict())
        return
    print_diff(diff)
    for path in (gpkg, map_html):
        if path is not None:
            console.print(f"ditulis / written: {path}")


def print_diff(diff: PlanDiff) -> None:
    console.print(
        f"[bold]{diff.old['name']}[/]  {diff.old['path']} ({(diff.old['checksum'] or '')[:10]})"
        f"  →  {diff.new['path']} ({(diff.new['checksum'] or '')[:10]})"
    )
    if diff.empty:
        console.print("[green]Tidak ada perubahan / no changes[/]")
        return
    z = diff.transitions()
    if len(z):
        _table(
            "Zona berubah / zones changed (luas / area)",
            ["jenis / kind", "lama / old", "baru / new", "m²", "ha", "potongan / pieces"],
            [
                [
                    str(r["kind"]),
                    str(r["old_kodszn"]),
                    str(r["new_kodszn"]),
                    f"{float(r['area_m2']):,.1f}",
                    f"{float(r['area_m2']) / 1e4:,.3f}",
                    str(r["pieces"]),
                ]
                for r in z.to_dict("records")
            ],
        )
        pieces = diff.zones_changed
        _table(
            "Potongan / pieces",
            ["fid lama", "fid baru", "perubahan / change", "m²"],
            [
                [_s(r.old_fid), _s(r.new_fid), r.detail, f"{r.area_m2:,.1f}"]
                for r in pieces.itertuples()
            ],
        )
    _frame(
        "Sel ITBX berubah / ITBX cells changed",
        diff.itbx_changed.drop(columns="new_subzone_area_m2"),
    )
    _frame("KBLI berubah / KBLI mapping changed", diff.kbli_changed)
    _frame("Ketentuan T/B berubah / conditions changed", diff.conditions_changed)
    _frame("Intensitas berubah / intensity table changed", diff.intensity_changed)
    for name, frame in (
        ("Ketentuan khusus ditambah / overlays added", diff.overlays_added),
        ("Ketentuan khusus dihapus / overlays removed", diff.overlays_removed),
    ):
        _frame(name, pd.DataFrame(frame[["fid", "jenis", "keterangan", "efek", "tb", "area_m2"]]))
    _frame("Ketentuan khusus diubah / overlays changed", diff.overlays_changed)
    _frame("Metadata berubah / metadata changed", diff.meta_changed)


def _frame(title: str, frame: pd.DataFrame) -> None:
    if len(frame):
        _table(
            title,
            [str(c) for c in frame.columns],
            [[_s(v) for v in row] for row in frame.itertuples(index=False)],
        )


def _table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    table = Table(*columns, title=f"{title}: {len(rows)}")
    for row in rows[:SHOWN_ROWS]:
        table.add_row(*row)
    console.print(table)
    if len(rows) > SHOWN_ROWS:
        console.print(f"… {len(rows) - SHOWN_ROWS:,} lagi / more (--gpkg, --json)")


def _s(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def register(app: typer.Typer) -> None:
    """Add ``kkpr plan diff`` to the ``kkpr plan`` group."""
    app.command("diff")(diff_command)
