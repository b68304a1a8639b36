"""PostGIS single check, before and after, beside the geometric floor, in one process.

    .venv/bin/python bench/pgsingle.py --baseline /work/wt/pgsingle-base
                                       [--sizes sample,500000] [--sites 1000] [--repeat 3]
                                       [--db URL] [--cpu 0]

The PostGIS half of issue 21 item 6 ("PostGIS single-check p99 under 5 ms at 500,000
zones"). For each plan (``sample`` or a generated plan of N zones, cached under
``bench/out/plan_<N>`` as by ``bench/stores.py``), loaded once into a throwaway cluster
pinned to the same CPU as this process (or ``--db`` / ``KKPR_BENCH_DATABASE_URL``), and
the same sites as ``bench/single.py``, one site at a time:

* the geometric floor (STRtree query plus intersection areas, as ``bench/single.py``);
* the memory store's ``locate`` and exact check, for scale;
* the PostGIS store's ``locate`` and exact check (``kkpr.check.check``) as this tree
  has it, and as ``--baseline`` has it: that checkout's ``kkpr/store/postgis.py`` and
  ``postgis_sql.py`` imported under other names beside this tree's (the rest of
  ``kkpr`` is this tree's), both on the same database, so the two take turns on each
  site in the same process. Without ``--baseline`` only this tree's store is measured.

The paths take turns on each site, as in ``bench/single.py``, and a site's time on a
path is the least of ``--repeat`` runs; here the runs are rounds over all the sites
(``rounds``), not runs back to back: a PostGIS check waits on the server twice per
round trip, and on a shared machine a moment when other processes hold the CPU would
otherwise weigh on every run of the same site. Each timed run follows an untimed one
of the same path (``rounds``). Prints p50 and p99 in milliseconds, and
each as a multiple of the floor's, with the load average before and after.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from single import SAMPLE, Request, floor_of, report  # noqa: E402
from stores import PG_OPTIONS, plan_for, sites_for  # noqa: E402

from kkpr.check import check  # noqa: E402
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.store.load import load_package  # noqa: E402
from kkpr.store.memory import MemoryStore  # noqa: E402
from kkpr.store.postgis import PostgisStore  # noqa: E402
from tests.fixtures_postgis import PgServer  # noqa: E402

console = Console()
Row = tuple[str, str, float, float, float, float]


def baseline_store_class(checkout: Path) -> Any:
    """``PostgisStore`` of another checkout: its ``postgis_sql`` and ``postgis`` modules
    loaded as ``baseline_postgis_sql`` and ``baseline_postgis`` (the one importing the
    other), everything else from this tree."""
    store = checkout / "kkpr" / "store"

    def load(name: str, path: Path, source: str) -> types.ModuleType:
        spec = importlib.util.spec_from_loader(name, loader=None, origin=str(path))
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
        module.__file__ = str(path)
        sys.modules[name] = module
        exec(compile(source, str(path), "exec"), module.__dict__)
        return module

    load("baseline_postgis_sql", store / "postgis_sql.py", (store / "postgis_sql.py").read_text())
    source = (store / "postgis.py").read_text()
    source = source.replace(
        "from kkpr.store.postgis_sql import", "from baseline_postgis_sql import"
    )
    return load("baseline_postgis", store / "postgis.py", source).PostgisStore


def rounds(
    paths: list[Callable[[Request], object]], requests: list[Request], repeat: int
) -> list[tuple[float, float]]:
    """p50 and p99 in ms of each path over ``requests``: ``repeat`` rounds over every
    site (the first also warms the server's cache of the plan), each path in turn on a
    site, a site's time the least of its rounds. Each timed run follows an untimed one
    of the same path and site, as the runs back to back of ``bench/single.py`` do: the
    floor, timed right after a PostGIS check, would otherwise pay for the caches that
    check emptied (about 0.13 ms instead of 0.05), and its multiples mean the same
    here as there."""
    times = np.full((len(paths), len(requests)), np.inf)
    for _round in range(repeat):
        for i, r in enumerate(requests):
            for k, fn in enumerate(paths):
                fn(r)
                t = time.perf_counter()
                fn(r)
                times[k, i] = min(times[k, i], time.perf_counter() - t)
    return [
        (float(np.percentile(row, 50) * 1e3), float(np.percentile(row, 99) * 1e3)) for row in times
    ]


def measure(
    name: str,
    folder: Path,
    n_sites: int,
    repeat: int,
    server: PgServer,
    data_dir: Path,
    baseline: Any,
) -> list[Row]:
    plan = read_plan(folder)
    memory = MemoryStore(plan)
    requests = sites_for(plan, n_sites)
    url = server.new_database(f"kkpr_pgsingle_{name}")
    load_package(url, folder, loaded_by="bench", data_dir=data_dir)
    stores: list[tuple[str, Any]] = [("this tree", PostgisStore)]
    if baseline is not None:
        stores.insert(0, ("baseline", baseline))
    opened = [(label, cls(url, data_dir=data_dir, max_vertices=None)) for label, cls in stores]
    paths: list[tuple[str, Callable[[Request], object]]] = [
        ("geometric floor (STRtree + intersection areas)", floor_of(memory)),
        ("locate (memory store)", lambda r: memory.locate(r[0])),
        ("exact check (memory store)", lambda r: check(memory, *r)),
    ]
    for label, pg in opened:
        paths.append((f"locate (PostGIS store, {label})", lambda r, pg=pg: pg.locate(r[0])))
    for label, pg in opened:
        paths.append((f"exact check (PostGIS store, {label})", lambda r, pg=pg: check(pg, *r)))
    measured = rounds([fn for _label, fn in paths], requests, repeat)
    base50, base99 = measured[0]
    rows: list[Row] = []
    for (label, _fn), (p50, p99) in zip(paths, measured, strict=True):
        rows.append((name, label, p50, p99, p50 / base50, p99 / base99))
        console.print(f"{name:>8} {label:48} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms")
    for _label, pg in opened:
        pg.close()
    return rows


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="sample", help="sample and/or zone counts, by commas")
    ap.add_argument("--sites", type=int, default=1000, help="sites per measure")
    ap.add_argument("--repeat", type=int, default=3, help="runs per site and path (least kept)")
    ap.add_argument("--baseline", type=Path, help="a checkout of the code to compare with")
    ap.add_argument("--db", default=os.environ.get("KKPR_BENCH_DATABASE_URL"))
    ap.add_argument("--cpu", default="0", help="the CPU this process (and the cluster) runs on")
    args = ap.parse_args()
    os.sched_setaffinity(0, {int(args.cpu)})
    baseline = baseline_store_class(args.baseline) if args.baseline else None
    server = PgServer(args.db, durable=True, cpus=args.cpu, options=PG_OPTIONS)
    data_dir = Path(tempfile.mkdtemp(prefix="kkpr-bench-var-"))
    before = loadavg()
    rows: list[Row] = []
    try:
        for size in (s for s in args.sizes.split(",") if s):
            folder = SAMPLE if size == "sample" else plan_for(int(size))
            rows += measure(size, folder, args.sites, args.repeat, server, data_dir, baseline)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    report(
        rows,
        f"kkpr PostGIS single check beside the geometric floor — one CPU, {args.sites:,} "
        f"sites, least of {args.repeat} rounds; load average {before} before, "
        f"{loadavg()} after",
    )


if __name__ == "__main__":
    main()
