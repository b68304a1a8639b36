"""Plan review benchmark: what the admin page (/staf/rencana) costs on the Kupang sample.

    .venv/bin/python bench/plan_review.py [--checks 2000] [--seed 7]

A revision of the sample is written (minimarkets forbidden in K-1, one in twenty zones
of R-2 made K-1), ``--checks`` recorded checks are put in a throwaway SQLite check log
(sites of 20-60 m squares inside random zones; half minimarkets, half random KBLI
codes of the plan), and, in
this one process, side by side:

* the diff (``kkpr.revision.diff.diff_plans``) and the size of its JSON;
* the re-check impact as the page runs it (``kkpr.revision.impact.impact``: the array
  rules of ``kkpr.bulk.recheck.check_frame`` in chunks, the changed sites explained);
* the baseline: every recorded check run again through ``kkpr.check.check`` under both
  versions, one site at a time (what a loop over the check log would do).

Both must find the same changed checks. Prints one table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kkpr.check import check  # noqa: E402
from kkpr.errors import KkprError  # noqa: E402
from kkpr.model import Proposal, Site  # noqa: E402
from kkpr.plan.package import read_plan  # noqa: E402
from kkpr.records.checks import CheckLog, NewCheck, open_records  # noqa: E402
from kkpr.revision.diff import diff_plans  # noqa: E402
from kkpr.revision.impact import impact, recorded_sites  # noqa: E402
from kkpr.settings import SAMPLE_PLAN_DIR  # noqa: E402
from kkpr.store.memory import MemoryStore  # noqa: E402

console = Console(width=140)


def revise(old: Path, new: Path, rng: np.random.Generator) -> Path:
    shutil.copytree(old, new)
    itbx = (new / "itbx.csv").read_text().splitlines()
    head = itbx[0].split(",")
    k1 = head.index("K-1")
    for i, line in enumerate(itbx):
        cells = line.split(",")
        if cells[0].startswith("PERDAG-MINI"):
            cells[k1] = "X"
            itbx[i] = ",".join(cells)
    (new / "itbx.csv").write_text("\n".join(itbx) + "\n")
    layer = next(p for p in new.iterdir() if p.stem == "pola_ruang")
    zones = gpd.read_file(layer)
    code = next(c for c in zones.columns if c.lower() == "kodszn")
    r2 = np.flatnonzero((zones[code] == "R-2").to_numpy())
    chosen = rng.choice(r2, size=max(1, len(r2) // 20), replace=False)
    zones.loc[zones.index[chosen], code] = "K-1"
    zones.to_file(layer, driver="GPKG" if layer.suffix == ".gpkg" else None)
    return new


def record_checks(log: CheckLog, plan_dir: Path, n: int, rng: np.random.Generator) -> None:
    plan = read_plan(plan_dir)
    zones = plan.zones
    points = shapely.point_on_surface(zones.geometry.values[rng.integers(0, len(zones), n)])
    sizes = rng.uniform(20, 60, n)
    boxes = [
        shapely.box(p.x - s / 2, p.y - s / 2, p.x + s / 2, p.y + s / 2)
        for p, s in zip(points, sizes, strict=True)
    ]
    kbli = list(plan.rules.kbli)
    checks = [
        NewCheck(
            inputs={
                "site": shapely.geometry.mapping(b),
                "crs": plan.meta.crs,
                # half of them minimarkets, the activity the revision restricts
                "kbli": "47111" if rng.random() < 0.5 else kbli[int(rng.integers(0, len(kbli)))],
                "proposal": {},
            },
            result={},
            plan_id=plan.meta.id,
            plan_version="v1",
        )
        for b in boxes
    ]
    for i in range(0, n, 500):
        log.append(checks[i : i + 500], caller="bench", caller_role="staff")


def baseline(sites: list, old: MemoryStore, new: MemoryStore) -> set[str]:  # type: ignore[type-arg]
    changed = set()
    for s in sites:
        answers = []
        for store in (old, new):
            try:
                r = check(store, Site(geometry=s.geometry, crs="EPSG:4326"), s.kbli, Proposal())
                answers.append((str(r.outcome), str(r.form)))
            except KkprError as exc:
                answers.append(("error", exc.kind))
        if answers[0] != answers[1]:
            changed.add(s.check_id)
    return changed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        new_dir = revise(SAMPLE_PLAN_DIR, work / "revised", rng)
        log = CheckLog(open_records(f"sqlite:///{work / 'records.db'}"))
        record_checks(log, SAMPLE_PLAN_DIR, args.checks, rng)
        old_plan, new_plan = read_plan(SAMPLE_PLAN_DIR), read_plan(new_dir)
        rows: list[tuple[str, float, str]] = []

        t = time.perf_counter()
        diff = diff_plans(old_plan, new_plan)
        body = json.dumps(diff.to_dict(), default=str)
        rows.append(
            (
                "diff (diff_plans + JSON)",
                time.perf_counter() - t,
                f"{diff.summary()['zones_changed_pieces']} zone pieces, "
                f"{len(diff.itbx_changed)} ITBX cells, {len(body) / 1e6:.1f} MB JSON",
            )
        )

        t = time.perf_counter()
        sites = recorded_sites(log.db, old_plan.meta.id, args.checks)
        rows.append(("read the check log", time.perf_counter() - t, f"{len(sites)} checks"))

        t = time.perf_counter()
        result = impact(sites, SAMPLE_PLAN_DIR, new_dir)
        rows.append(
            (
                "impact: array rules (the page)",
                time.perf_counter() - t,
                f"{result.changed} changed, {result.errors} errors",
            )
        )

        old_store, new_store = MemoryStore(old_plan), MemoryStore(new_plan)
        t = time.perf_counter()
        expected = baseline(sites, old_store, new_store)
        rows.append(
            (
                "baseline: kkpr.check.check per site x 2",
                time.perf_counter() - t,
                f"{len(expected)} changed",
            )
        )
        found = {c["check_id"] for c in result.changes}
        agree = result.changed == len(expected) and (
            found <= expected if result.changed > len(result.changes) else found == expected
        )

    table = Table(
        "step",
        "seconds",
        "per check (ms)",
        "result",
        title=f"Plan review on the Kupang sample ({len(old_plan.zones):,} zones, "
        f"{args.checks:,} recorded checks); same changed checks: {agree}",
    )
    for name, seconds, note in rows:
        per = (
            f"{seconds / args.checks * 1000:.2f}" if "impact" in name or "baseline" in name else ""
        )
        table.add_row(name, f"{seconds:.2f}", per, note)
    console.print(table)


if __name__ == "__main__":
    main()
