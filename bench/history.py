"""Parcel history: one place asked about a large check log, in one process.

    .venv/bin/python bench/history.py [--checks 50000] [--rounds 20]

``--checks`` small square sites scattered over Kupang's extent are stored in a check log
(SQLite under a temporary folder), as the API stores them (``CheckLog.append``, in
batches). Then, side by side:

- **scan** (the baseline): every stored check read, its site parsed and tested against
  the place with shapely (what history costs without ``site_extents``);
- **first** ``history`` call: the extents of every check computed and stored (once);
- **history**: later calls, candidates chosen by their extents in SQL, then tested.

Prints the p50 and p90 of each (ms) and the speed-up over the scan, as a rich table and
as Markdown.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import shapely
from rich.console import Console
from rich.table import Table
from shapely.geometry import box, mapping

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkpr.db.sql import sql  # noqa: E402
from kkpr.pipeline import history  # noqa: E402
from kkpr.pipeline.db import open_database  # noqa: E402
from kkpr.records.checks import CheckLog, NewCheck, open_records  # noqa: E402

T = TypeVar("T")
KUPANG = (123.53, -10.23, 123.68, -10.13)  # lon/lat extent the sites are scattered over
SIDE = 0.0003  # a site's side, in degrees (about 33 m)


def fill(log: CheckLog, n: int, seed: int = 20) -> None:
    rng = random.Random(seed)
    batch: list[NewCheck] = []
    for i in range(n):
        x = rng.uniform(KUPANG[0], KUPANG[2] - SIDE)
        y = rng.uniform(KUPANG[1], KUPANG[3] - SIDE)
        site = dict(mapping(box(x, y, x + SIDE, y + SIDE)))
        batch.append(NewCheck({"site": site, "kbli": "47111"}, {"outcome": "sesuai"}, "k", "v1"))
        if len(batch) == 1000 or i == n - 1:
            log.append(batch, caller="key:bench", caller_role="staff")
            batch = []


def scan(log: CheckLog, area: shapely.Geometry) -> int:
    with log.db.transaction() as tx:
        rows = tx.query(sql("SELECT id, inputs FROM check_log"))
    geoms = [history.lonlat_site(json.loads(r["inputs"])["site"], None) for r in rows]
    return int(shapely.intersects(np.array(geoms, dtype=object), area).sum())


def ms(f: Callable[..., T], *args: Any, **kw: Any) -> tuple[float, T]:
    start = time.perf_counter()
    out = f(*args, **kw)
    return (time.perf_counter() - start) * 1e3, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kkpr-bench-history-") as tmp:
        records = open_records(f"sqlite:///{Path(tmp) / 'records.db'}")
        pipeline = open_database(f"sqlite:///{Path(tmp) / 'pipeline.db'}")
        log = CheckLog(records)
        fill(log, args.checks)
        rng = random.Random(7)
        places = [
            history.query_area(
                {"type": "Point", "coordinates": [rng.uniform(KUPANG[0], KUPANG[2]),
                                                  rng.uniform(KUPANG[1], KUPANG[3])]},
                200.0, 1000.0,
            )
            for _ in range(args.rounds)
        ]  # fmt: skip
        first, _found = ms(history.history, records, pipeline, places[0], limit=500)
        scans, asks = [], []
        for place in places:
            t_scan, n_scan = ms(scan, log, place)
            t_ask, got = ms(history.history, records, pipeline, place, limit=500)
            assert n_scan == got.total, (n_scan, got.total)  # the same answer
            scans.append(t_scan)
            asks.append(t_ask)
    rows = [
        ("scan (baseline)", np.percentile(scans, 50), np.percentile(scans, 90)),
        ("first history (extents computed)", first, first),
        ("history", np.percentile(asks, 50), np.percentile(asks, 90)),
    ]
    base = float(np.percentile(scans, 50))
    table = Table(title=f"Parcel history over {args.checks:,} checks, {args.rounds} places (200 m)")
    for col in ("what", "p50 ms", "p90 ms", "p50 vs scan"):
        table.add_column(col, justify="left" if col == "what" else "right")
    md = ["| what | p50 ms | p90 ms | p50 vs scan |", "| --- | ---: | ---: | ---: |"]
    for name, p50, p90 in rows:
        ratio = f"{base / p50:.1f}×" if p50 else "—"
        table.add_row(name, f"{p50:.1f}", f"{p90:.1f}", ratio)
        md.append(f"| {name} | {p50:.1f} | {p90:.1f} | {ratio} |")
    Console().print(table)
    print("\n".join(md))


if __name__ == "__main__":
    main()
