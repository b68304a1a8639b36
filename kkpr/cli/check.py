"""``kkpr check``: one site against a plan, as a table or as JSON."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from kkpr.check import check
from kkpr.cli.output import cli_errors, console, dump_json, fmt
from kkpr.errors import SiteError
from kkpr.model import CheckResult, Outcome, Proposal
from kkpr.plan.package import read_plan
from kkpr.settings import SAMPLE_PLAN_DIR

COLOURS = {
    Outcome.SESUAI: "green",
    Outcome.SESUAI_BERSYARAT: "yellow",
    Outcome.TIDAK_SESUAI: "red",
    Outcome.PERLU_KAJIAN: "magenta",
}


def check_command(
    site: Path = typer.Option(..., "--site", help="GeoJSON tapak / site file (EPSG:4326)"),
    kbli: str = typer.Option(..., "--kbli", help="Kode KBLI 2020 lima digit / five-digit KBLI"),
    plan: Path = typer.Option(
        SAMPLE_PLAN_DIR, "--plan", help="Folder paket rencana / plan package"
    ),
    footprint: float | None = typer.Option(None, "--footprint", help="Luas dasar bangunan m²"),
    floor_area: float | None = typer.Option(None, "--floor-area", help="Luas total lantai m²"),
    floors: int | None = typer.Option(None, "--floors", help="Jumlah lantai"),
    height: float | None = typer.Option(None, "--height", help="Tinggi bangunan m"),
    land_area: float | None = typer.Option(None, "--land-area", help="Luas lahan m² (tapak titik)"),
    green_area: float | None = typer.Option(None, "--green-area", help="Luas ruang hijau m²"),
    crs: str | None = typer.Option(None, "--crs", help="CRS tapak bila bukan EPSG:4326"),
    as_json: bool = typer.Option(False, "--json", help="Hasil sebagai JSON / result as JSON"),
) -> None:
    """Periksa kesesuaian satu tapak / check one site against the plan."""
    with cli_errors(as_json):
        try:
            text = site.read_text(encoding="utf-8")
        except OSError as exc:
            raise SiteError(
                "Berkas tapak tidak dapat dibaca",
                "Site file cannot be read",
                where=str(site),
                hint_id=str(exc),
                hint_en=str(exc),
            ) from exc
        proposal = Proposal(
            land_area_m2=land_area,
            footprint_m2=footprint,
            floor_area_m2=floor_area,
            floors=floors,
            height_m=height,
            green_area_m2=green_area,
        )
        result = check(read_plan(plan), text, kbli, proposal, crs=crs)
    if as_json:
        dump_json(result.to_dict())
    else:
        print_result(result)


def print_result(r: CheckResult) -> None:
    colour = COLOURS[r.outcome]
    console.print(
        f"[bold {colour}]{r.outcome.upper()}[/]  ({r.form})  "
        f"{r.plan['name']} · versi/version {r.plan['version']}"
    )
    console.print(f"KBLI {r.activity['kbli']} {r.activity['judul']} → {r.activity['kegiatan']}")
    console.print(
        f"Luas tapak / site area: {fmt(r.site['area_m2'])} m²  "
        f"(di luar RDTR / outside: {fmt(r.site['outside_m2'])} m²)"
    )
    parts = Table(
        "sub-zona", "nama", "blok", "m²", "%", "menentukan", "ITBX", title="Bagian / parts"
    )
    for p in r.parts:
        parts.add_row(
            p.kodszn,
            p.namszn or "",
            p.kodblk or "",
            fmt(p.area_m2),
            fmt(p.share * 100, 1),
            "ya" if p.deciding else "tidak",
            p.cell or "—",
        )
    console.print(parts)
    if r.intensity:
        t = Table(
            "aturan/rule",
            "batas/limit",
            "usulan/proposed",
            "ok",
            "sumber/source",
            title="Intensitas / intensity",
        )
        for i in r.intensity:
            ok = "—" if i.ok is None else ("[green]ya[/]" if i.ok else "[red]tidak[/]")
            t.add_row(i.rule, fmt(i.limit), fmt(i.proposed), ok, i.source)
        console.print(t)
    console.print("[bold]Alasan / reasons[/]")
    for reason in r.reasons:
        console.print(f" • {reason.id}\n   [dim]{reason.en}[/]")
