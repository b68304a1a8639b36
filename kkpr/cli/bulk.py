"""``kkpr recheck``: every site of a file against a plan, and what a revision changed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from kkpr.bulk.recheck import EXPLAIN, PlanRef, Recheck, close_stores, recheck
from kkpr.bulk.sites import read_sites
from kkpr.cli.output import cli_errors, console, err_console
from kkpr.errors import InvalidInput

SHOWN_CHANGES = 50


def recheck_command(
    sites: Path = typer.Option(..., "--sites", help="Tapak: .gpkg, .parquet atau .csv (WKT)"),
    plan: Path = typer.Option(..., "--plan", help="Folder paket rencana (atau id rencana + --db)"),
    db: str | None = typer.Option(None, "--db", help="URL PostGIS: periksa dengan store PostGIS"),
    against: Path | None = typer.Option(
        None, "--against", help="Paket rencana lama: tapak yang hasilnya berubah / old plan"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Berkas hasil .gpkg/.parquet/.csv (bawaan: <sites>_hasil.gpkg)"
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Alamat penjadwal Dask / Dask scheduler address"
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Proses lokal (bawaan: semua inti) / local processes"
    ),
    crs: str | None = typer.Option(None, "--crs", help="CRS WKT pada CSV (bawaan EPSG:4326)"),
    id_column: str | None = typer.Option(None, "--id-column", help="Kolom id tapak"),
    explain: str = typer.Option(
        "changed",
        "--explain",
        help="Kalimat alasan + JSON hasil untuk tapak: changed (yang berubah / tak dapat "
        "diperiksa) atau all (semua) / sentences and result JSON for: changed or all sites",
    ),
) -> None:
    """Periksa ulang banyak tapak / re-check many sites against a plan."""
    try:
        with cli_errors():
            if explain not in EXPLAIN:
                raise InvalidInput(
                    f"--explain harus salah satu dari {', '.join(EXPLAIN)}",
                    f"--explain must be one of {', '.join(EXPLAIN)}",
                    where="--explain",
                )
            frame = read_sites(sites, crs=crs, id_column=id_column)
            new = PlanRef.of(plan, db)
            old = PlanRef.of(against) if against is not None else None
            target = out or sites.with_name(f"{sites.stem}_hasil.gpkg")
            if scheduler is not None:
                err_console.print(f"Dask: {scheduler} · {len(frame):,} tapak / sites")
                job = recheck(frame, new, old, out=target, scheduler=scheduler, explain=explain)
            else:
                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=err_console,
                    transient=True,
                ) as bar:
                    task = bar.add_task("memeriksa / checking", total=len(frame))
                    job = recheck(
                        frame,
                        new,
                        old,
                        out=target,
                        workers=workers,
                        progress=lambda n: bar.advance(task, n),
                        explain=explain,
                    )
    finally:  # the PostGIS stores of --db: closed on an error too (cli_errors exits)
        close_stores()
    print_summary(job)


def print_summary(job: Recheck) -> None:
    counts = Table("hasil / outcome", "tapak / sites", title="Hasil / results")
    for outcome, n in sorted(job.counts().items()):
        counts.add_row(outcome, f"{n:,}")
    console.print(counts)
    if job.against:
        changed = job.changed
        table = Table(
            "id",
            "KBLI",
            "lama / old",
            "baru / new",
            "alasan berubah / reasons that differ",
            title=f"{len(changed):,} tapak berubah hasil / sites changed outcome",
        )
        for row in changed.head(SHOWN_CHANGES).itertuples():
            why = "\n".join(
                [f"[red]- {r}[/]" for r in str(row.reasons_removed).split(" | ") if r]
                + [f"[green]+ {r}[/]" for r in str(row.reasons_added).split(" | ") if r]
            )
            table.add_row(
                str(row.site_id),
                str(row.kbli),
                f"{row.old_outcome} ({row.old_form})",
                f"{row.outcome} ({row.form})",
                why,
            )
        console.print(table)
        if len(changed) > SHOWN_CHANGES:
            console.print(f"… {len(changed) - SHOWN_CHANGES:,} lagi / more in the output file")
    for path in job.files:
        console.print(f"ditulis / written: {path}")
