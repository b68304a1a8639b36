"""Case search benchmark: what the staff list (/staf/kasus, GET /v1/staff/cases) costs.

    .venv/bin/python bench/case_search.py [--cases 1000] [--repeat 5] [--db sqlite|URL]

``--cases`` PKKPR applications on the Kupang sample's example site partly outside the
RDTR are submitted through the pipeline into a throwaway SQLite database (or the
PostgreSQL database at ``--db``), a third of them walked to the approved payment (their
clock runs) and one in ten of those stopped. Then, in this one process, side by side
(the median of ``--repeat`` runs):

* a page of the list with SQL doing the work (no filter; a word; a state);
* a page of the filters read from the record (kelurahan; the deadline, whose clock is
  computed from each candidate's transitions);
* the baseline: the staff map's queue (``kkpr.pipeline.review.queue``, every open case
  with its clock), which the staff page already loads;
* the exports of the whole list (CSV, XLSX, GeoPackage).

Prints one table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkpr.model import Proposal  # noqa: E402
from kkpr.pipeline.applications import Pipeline, Submission  # noqa: E402
from kkpr.pipeline.cases import Officer  # noqa: E402
from kkpr.pipeline.db import open_database  # noqa: E402
from kkpr.pipeline.review import View, queue  # noqa: E402
from kkpr.pipeline.search import (  # noqa: E402
    Deadline,
    Filters,
    Paging,
    every,
    search,
    to_csv,
    to_geopackage,
    to_xlsx,
)
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.settings import SAMPLE_PLAN_DIR, Settings  # noqa: E402
from kkpr.store.memory import MemoryStore  # noqa: E402

console = Console(width=140)
OFFICER = Officer(name="Bench", nip="198501012010012001", key="key:bench")
TO_PAYMENT: list[tuple[str, dict[str, Any]]] = [
    ("lengkap", {}),
    ("validasi", {}),
    ("tagih", {"kd_billing": "820260317001", "tgl_expire": "2026-03-24"}),
    ("unggah_bukti", {"file": "bukti.pdf"}),
    ("setujui_bayar", {}),
]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="sqlite")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kkpr-case-search-"))
    url = f"sqlite:///{tmp / 'pipeline.db'}" if args.db == "sqlite" else args.db
    settings = Settings(data_dir=tmp, document_secret="bench", public_base_url="https://x.test")
    store = MemoryStore(read_plan(SAMPLE_PLAN_DIR))
    db = open_database(url)
    clock = Clock()
    pipe = Pipeline(db, store, settings, clock=clock)
    site = json.loads((SAMPLE_PLAN_DIR / "examples" / "sebagian_di_luar_rdtr.geojson").read_text())
    start = time.perf_counter()
    for n in range(args.cases):
        app = pipe.submit(
            Submission(
                applicant=f"Pemohon {n:05d}", business_name=f"Usaha {n:05d}",
                kbli=site["properties"]["kbli"], site=site["geometry"],
                proposal=Proposal(floor_area_m2=300, floors=2), nib=f"91200{n:08d}",
            )
        )  # fmt: skip
        if n % 3 == 0:
            for action, data in TO_PAYMENT:
                pipe.act(app["id"], action, OFFICER, data=data)
            if n % 30 == 0:
                pipe.act(app["id"], "hentikan", OFFICER, keterangan="Menunggu data")
        clock.now += timedelta(hours=1)
    made_s = time.perf_counter() - start
    clock.now += timedelta(days=35)  # most running clocks are overdue by now
    today, cal = pipe.today(), pipe.calendar

    def page(**given: Any) -> Callable[[], Any]:
        return lambda: search(db, Filters(**given), Paging(1, 25), today, settings, cal)

    rows: list[tuple[str, str, Callable[[], Any]]] = [
        ("list, no filter (SQL page)", "SQL", page()),
        ("list, a word: q='Pemohon 0042'", "SQL", page(q="Pemohon 0042")),
        ("list, state 33 (kd_status)", "SQL", page(state="33")),
        ("list, kelurahan (read from the check)", "SQL + record", page(kelurahan="maulafa")),
        ("list, deadline overdue (clocks)", "SQL + clocks", page(deadline=Deadline.OVERDUE)),
        ("list, deadline paused (clocks)", "SQL + clocks", page(deadline=Deadline.PAUSED)),
        ("baseline: the staff queue, all open", "clocks", lambda: queue(db, View.ALL, today,
                                                                          settings, cal)),
    ]  # fmt: skip
    everything = every(db, Filters(), today, settings, cal, 100_000)
    rows += [
        ("export: read every case", "SQL", lambda: every(db, Filters(), today, settings, cal,
                                                         100_000)),
        ("export: CSV", "csv", lambda: to_csv(everything)),
        ("export: XLSX", "openpyxl", lambda: to_xlsx(everything)),
        ("export: GeoPackage", "pyogrio", lambda: to_geopackage(everything)),
    ]  # fmt: skip
    table = Table(title=f"Case search on {args.cases} cases ({'SQLite' if args.db == 'sqlite' else 'PostgreSQL'}; "
                  f"made in {made_s:.0f} s), median of {args.repeat}")  # fmt: skip
    for col in ("what", "how", "ms", "found (cases or bytes)"):
        table.add_column(col, justify="left" if col in ("what", "how") else "right")
    for what, how, fn in rows:
        ms, out = timed(fn, args.repeat)
        found = out["total"] if isinstance(out, dict) else len(out)
        table.add_row(what, how, f"{ms:.1f}", str(found))
    console.print(table)
    db.close()


if __name__ == "__main__":
    main()
