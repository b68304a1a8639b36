"""ITBX benchmark: a real-size annex (Bintan, Lampiran XV: 1,801 KBLI rows x 34 sub-zones)
through validation, loading and the first check, against the old quadratic validation.

    .venv/bin/python bench/itbx.py [--sizes 100,200,400,800,1801,3602,7204]
                                   [--baseline-max 400] [--repeat 3] [--source CSV]

For each table size (the first N rows of the real annex; sizes beyond it repeat the
annex with the KBLI codes renamed, so every row is distinct), a plan package is written
under a temporary folder around it: the 34 sub-zones as 200 m squares, ``kbli.csv``
mapping every five-digit code to its row, ``ketentuan.csv`` with T1-T3 and B1-B3. It
measures, in this process:

* validate: ``kkpr.plan.validate.validate`` (the whole validation, as ``plan validate``
  and ``plan load`` run it), and its ITBX part alone;
* old ITBX: the ITBX part as it was before this benchmark (kept verbatim below as the
  baseline), which searched the whole table once per cell: quadratic in the rows.
  Run up to ``--baseline-max`` rows (at 1,801 rows it took about 94 s);
* load: ``read_plan`` (reading every file of the package);
* first check: on the loaded plan, its memory store built and one ``check``;
* and, once at the real size, ``kkpr plan validate`` as a user runs it (a new process,
  imports included).

Prints a rich table and the same as Markdown.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import shapely
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkpr.check import check  # noqa: E402
from kkpr.errors import Problem  # noqa: E402
from kkpr.plan.package import Plan, read_csv, read_plan  # noqa: E402
from kkpr.plan.validate import validate  # noqa: E402
from kkpr.plan.validate_itbx import itbx_problems  # noqa: E402
from kkpr.rules.itbx import cell_tokens_valid, parse_cell  # noqa: E402
from kkpr.store.memory import MemoryStore  # noqa: E402

SOURCE = ROOT.parent / "shared" / "real_data" / "bintan_itbx" / "itbx_bsb_lampiran_xv.csv"
CRS = "EPSG:32648"  # Bintan lies in UTM zone 48N
X0, Y0 = 470_000.0, 120_000.0
console = Console()
T = TypeVar("T")


def write_package(root: Path, header: list[str], rows: list[list[str]]) -> str:
    """A plan package around ``rows`` of the annex; returns a KBLI code of its first row."""
    root.mkdir(parents=True)
    with (root / "itbx.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    with (root / "kbli.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["kbli", "judul", "kode_kegiatan"])
        out.writerows([r[0], r[1], r[0]] for r in rows if r[0].isdigit())
    (root / "ketentuan.csv").write_text(
        "kode,teks\n"
        + "".join(f"{c},Ketentuan {c}\n" for c in ("T1", "T2", "T3", "B1", "B2", "B3"))
    )
    codes = header[2:]
    squares = [
        shapely.box(X0 + 200 * i, Y0, X0 + 200 * (i + 1), Y0 + 200) for i in range(len(codes))
    ]
    gpd.GeoDataFrame({"KODSZN": codes}, geometry=squares, crs=CRS).to_file(root / "pola_ruang.gpkg")
    (root / "plan.toml").write_text(f'id = "bench-itbx"\nname = "Bench ITBX"\ncrs = "{CRS}"\n')
    return rows[0][0]


def rows_of(source: Path, n: int) -> tuple[list[str], list[list[str]]]:
    header, *body = list(csv.reader(source.read_text(encoding="utf-8").splitlines()))
    rows: list[list[str]] = []
    copy = 0
    while len(rows) < n:
        # a copy's rows are activities of their own, reached by no KBLI code
        suffix = "" if copy == 0 else f".{copy}"
        rows += [[r[0] + suffix if r[0].isdigit() else r[0], *r[1:]] for r in body]
        copy += 1
    return header, rows[:n]


def old_itbx(plan: Plan) -> list[Problem]:
    """The ITBX validation before kkpr.plan.validate_itbx, verbatim: the baseline."""
    rules = plan.rules
    out = []
    columns = set(rules.subzones)
    for code in sorted(set(plan.zones["kodszn"].dropna().astype(str)) - columns):
        fids = plan.zones.index[plan.zones["kodszn"] == code][:5].tolist()
        out.append(Problem("itbx.no_column", code, code, file="itbx.csv", feature=",".join(fids)))
    table = read_csv(plan.root / "itbx.csv", ("kode_kegiatan",))
    seen: set[str] = set()
    for row_no, row in enumerate(table.to_dict("records"), start=2):
        kode = row["kode_kegiatan"]
        if not kode:
            out.append(Problem("itbx.no_activity_code", "", "", file="itbx.csv", row=row_no))
        if kode in seen:
            out.append(Problem("itbx.duplicate_row", kode, kode, file="itbx.csv", row=row_no))
        seen.add(kode)
    for (kode, col), cell in sorted(rules.itbx.items()):
        cell_row = list(table["kode_kegiatan"]).index(kode) + 2 if kode in seen else None
        if not cell_tokens_valid(cell):
            out.append(Problem("itbx.bad_cell", cell, col, file="itbx.csv", row=cell_row))
            continue
        for code in parse_cell(cell)[1]:
            if code not in rules.conditions:
                out.append(Problem("itbx.no_condition_text", code, col, row=cell_row))
    return out


def timed(fn: Callable[..., T], *args: object, repeat: int = 1) -> tuple[float, T]:
    """The best of ``repeat`` runs (the machine is shared) and the last result."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, result


def first_check(plan: Plan, kbli: str) -> None:
    """The first check of a loaded plan: its memory store is built, then one site checked."""
    site = shapely.geometry.mapping(shapely.box(X0 + 10, Y0 + 10, X0 + 60, Y0 + 60))
    check(MemoryStore(plan), site, kbli, crs=CRS)


def cli_validate(root: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ``kkpr plan validate`` in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "from kkpr.cli import main; main()"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, "plan", "validate", str(root)],
        env=env,
        capture_output=True,
        check=False,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"kkpr plan validate failed: {done.stderr.decode()[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100,200,400,800,1801,3602,7204")
    ap.add_argument("--baseline-max", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs of the new path")
    ap.add_argument("--source", type=Path, default=SOURCE)
    args = ap.parse_args()
    if not args.source.exists():
        raise SystemExit(f"{args.source} is absent: pass --source with an ITBX CSV")
    sizes = [int(s) for s in args.sizes.split(",")]
    head = ["rows", "cells", "validate s", "ITBX part s", "old ITBX s", "load s", "first check s"]
    lines: list[list[str]] = []
    cli_row = ""
    with tempfile.TemporaryDirectory(prefix="kkpr-bench-itbx-") as tmp:
        for n in sizes:
            header, rows = rows_of(args.source, n)
            root = Path(tmp) / f"plan_{n}"
            kbli = write_package(root, header, rows)
            load, plan = timed(read_plan, root, repeat=args.repeat)
            whole, problems = timed(validate, plan, repeat=args.repeat)
            part, _ = timed(itbx_problems, plan, repeat=args.repeat)
            old = f"{timed(old_itbx, plan)[0]:.3f}" if n <= args.baseline_max else "(not run)"
            first, _ = timed(first_check, plan, kbli, repeat=args.repeat)
            cells = n * (len(header) - 2)
            lines.append(
                [
                    f"{n:,}",
                    f"{cells:,}",
                    f"{whole:.3f}",
                    f"{part:.3f}",
                    old,
                    f"{load:.3f}",
                    f"{first:.3f}",
                ]
            )
            console.print(f"  {n:,} rows: {len(problems)} problems")
            if n == 1801:
                wall, cpu = cli_validate(root)
                cli_row = (
                    f"`kkpr plan validate` on the real-size package, a new process "
                    f"(imports included): {wall:.2f} s wall clock, {cpu:.2f} s CPU"
                )
    title = "ITBX table size vs. seconds (validate, load, first check)"
    table = Table(*head, title=title)
    for line in lines:
        table.add_row(*line)
    console.print(table)
    md = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    md += ["| " + " | ".join(line) + " |" for line in lines]
    print("\n" + title + "\n\n" + "\n".join(md))
    if cli_row:
        print("\n" + cli_row)


if __name__ == "__main__":
    main()
