"""``kkpr plan``: validate and summarise plan packages (load/diff come from their modules)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from kkpr.cli import plan_db, plan_diff, plan_import
from kkpr.cli.output import cli_errors, console, dump_json, print_problems
from kkpr.plan.package import read_plan
from kkpr.plan.validate import errors_of, validate_dir

app = typer.Typer(no_args_is_help=True)


@app.command("validate")
def validate_command(
    plan_dir: Path = typer.Argument(..., help="Folder paket rencana / plan package"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Periksa paket rencana / validate a plan package (exit 1 when it has errors)."""
    plan, problems = validate_dir(plan_dir)
    errors = errors_of(problems)
    layer_crs = plan.layer_crs() if plan is not None else {}
    if as_json:
        dump_json(
            {
                "valid": not errors,
                "layer_crs": layer_crs,
                "problems": [p.to_dict() for p in problems],
            }
        )
    else:
        for name, crs in layer_crs.items():
            console.print(f"CRS {name}: {crs}")
        print_problems(problems, str(plan_dir))
    raise typer.Exit(1 if errors else 0)


@app.command("info")
def info_command(plan_dir: Path = typer.Argument(..., help="Folder paket rencana")) -> None:
    """Ringkasan paket rencana / a summary of a plan package."""
    with cli_errors():
        plan = read_plan(plan_dir)
    m = plan.meta
    head = Table.grid(padding=(0, 2))
    for k, v in [
        ("id", m.id),
        ("nama / name", m.name),
        ("wilayah / region", m.region_code),
        ("dasar hukum / legal basis", m.legal_basis),
        ("berlaku / effective", m.effective_from),
        ("CRS", m.crs),
        *((f"CRS {name}", crs) for name, crs in plan.layer_crs().items()),
        ("toleransi / tolerance", f"{m.tolerance.sliver_m2} m², {m.tolerance.sliver_share:.1%}"),
        ("poligon zona / zones", len(plan.zones)),
        ("ketentuan khusus / overlays", len(plan.overlays)),
        ("kegiatan / activities", len(plan.rules.activities)),
        ("KBLI", len(plan.rules.kbli)),
        ("ketentuan T/B / conditions", len(plan.rules.conditions)),
        ("raster", ", ".join(r.id for r in m.rasters) or "—"),
        ("RTRW", "ya / yes" if plan.rtrw is not None else "tidak / no"),
        ("checksum", (m.checksum or "")[:16]),
    ]:
        head.add_row(f"[bold]{k}[/]", str(v))
    console.print(head)
    areas = plan.zones.geometry.area
    table = Table("KODSZN", "nama", "poligon", "luas ha", "KDB", "KLB", "TB", title="Sub-zona")
    counts = Counter(plan.zones["kodszn"].astype(str))
    for code in sorted(counts):
        mask = plan.zones["kodszn"] == code
        names = plan.zones.loc[mask, "namszn"].dropna()
        i = plan.rules.intensity.get(code)
        table.add_row(
            code,
            str(names.iloc[0]) if len(names) else "",
            str(counts[code]),
            f"{areas[mask].sum() / 10_000:,.1f}",
            *(
                ("—" if i is None or getattr(i, k) is None else f"{getattr(i, k):g}")
                for k in ("kdb", "klb", "tb")
            ),
        )
    console.print(table)
    if plan.overlays is not None and len(plan.overlays):
        ov = Table("JENIS", "poligon", "EFEK", title="Ketentuan khusus / overlays")
        for jenis, group in plan.overlays.groupby("jenis"):
            ov.add_row(
                str(jenis),
                str(len(group)),
                ", ".join(sorted({str(e) for e in group["efek"].fillna("—")})),
            )
        console.print(ov)


plan_db.register(app)
plan_diff.register(app)
plan_import.register(app)
