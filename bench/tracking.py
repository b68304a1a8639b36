"""Tracking refusal timing: a wrong code beside an unknown number, in one process.

    .venv/bin/python bench/tracking.py [--rounds 2000]

A wrong code on a real number and any code on a number nobody was given must not be
told apart by how long the refusal takes (``kkpr.pipeline.tracking.applicant_status``,
behind ``/lacak`` and ``GET /v1/tracking/{number}``). One PKKPR application is submitted
on the Kupang sample plan (memory store, pipeline in SQLite under a temporary folder);
then the three asks take turns, ``--rounds`` times each: the right code (the baseline),
a wrong code, an unknown number. Prints p50 and p90 in microseconds and each as a
multiple of the wrong code's, as a rich table and as Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkpr.errors import NotFound  # noqa: E402
from kkpr.model import Proposal  # noqa: E402
from kkpr.pipeline.applications import Pipeline, Submission  # noqa: E402
from kkpr.pipeline.db import open_database  # noqa: E402
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.settings import SAMPLE_PLAN_DIR, Settings  # noqa: E402
from kkpr.store.memory import MemoryStore  # noqa: E402

EXAMPLE = SAMPLE_PLAN_DIR / "examples" / "r_minimarket_terbatas.geojson"


def timed(ask: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.suppress(NotFound):  # a refusal is what is timed
        ask()
    return (time.perf_counter() - start) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kkpr-bench-tracking-") as tmp:
        settings = Settings(data_dir=Path(tmp), plan_dir=SAMPLE_PLAN_DIR)
        db = open_database(f"sqlite:///{Path(tmp) / 'pipeline.db'}")
        pipe = Pipeline(db, MemoryStore(read_plan(SAMPLE_PLAN_DIR)), settings)
        feature = json.loads(EXAMPLE.read_text("utf-8"))
        app = pipe.submit(
            Submission(
                applicant="Bench",
                business_name="Toko Bench",
                kbli="47111",
                site=feature["geometry"],
                proposal=Proposal(floor_area_m2=120, floors=1),
            )
        )
        number, code = app["number"], app["access_code"]
        unknown = number[:-6] + "999999"
        asks = {
            "right code (baseline)": lambda: pipe.applicant_status(number, code),
            "wrong code": lambda: pipe.applicant_status(number, "AAAA-BBBB-CCCC-DDDD"),
            "unknown number": lambda: pipe.applicant_status(unknown, code),
        }
        times: dict[str, list[float]] = {name: [] for name in asks}
        for _ in range(args.rounds):
            for name, ask in asks.items():
                times[name].append(timed(ask))
        db.close()
    wrong = np.percentile(times["wrong code"], [50, 90])
    table = Table(title=f"applicant_status, {args.rounds} rounds, µs")
    for column in ("ask", "p50 µs", "p90 µs", "p50 × wrong", "p90 × wrong"):
        table.add_column(column, justify="left" if column == "ask" else "right")
    rows = []
    for name, values in times.items():
        p50, p90 = np.percentile(values, [50, 90])
        row = (name, f"{p50:.0f}", f"{p90:.0f}", f"{p50 / wrong[0]:.2f}", f"{p90 / wrong[1]:.2f}")
        rows.append(row)
        table.add_row(*row)
    Console().print(table)
    print("\n| ask | p50 µs | p90 µs | p50 × wrong | p90 × wrong |\n|---|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
