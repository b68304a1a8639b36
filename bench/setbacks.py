"""Setbacks benchmark: what the road layer costs a check, side by side in one process.

    .venv/bin/python bench/setbacks.py [--sites 500] [--bulk-sites 20000] [--repeat 3]

On the Kupang sample (2,234 road segments, gsb.csv), the same sites (rotated rectangles
of 100 m² to 1 ha around random zones) go through two memory stores of the one plan:
the baseline without the road layer and GSB table (the sub-zone GSB only), and the plan
as shipped. Measured, each site on both stores in turn, the least of ``--repeat`` runs:

* ``locate``: the store's facts of a site (with roads: the roads within frontage_m);
* ``check``: ``kkpr.check.check`` (every rule, every finding and sentence);
* ``check + footprint``: the same with a drawn building (the site shrunk by 2 m), so
  KDB, height, the setback lines and the JBB are measured geometrically;
* ``bulk``: ``kkpr.bulk.vector.evaluate_sites`` over ``--bulk-sites`` sites at once
  (sites per second).

Prints p50 and p90 in milliseconds (bulk: sites per second) as a Markdown table.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from kkpr.bulk.vector import evaluate_sites
from kkpr.check import check
from kkpr.model import PlanRules, Proposal, Site
from kkpr.plan.package import Plan, read_plan
from kkpr.settings import SAMPLE_PLAN_DIR
from kkpr.store.memory import MemoryStore


def without_roads(plan: Plan) -> Plan:
    """The same plan with no road layer and no GSB table: the baseline."""
    rules = PlanRules(**{**plan.rules.__dict__, "setbacks": ()})
    bare = copy.copy(plan)
    bare.rules, bare.roads = rules, None
    return bare


def sites(plan: Plan, n: int, seed: int) -> list[shapely.Geometry]:
    rng = np.random.default_rng(seed)
    zones = np.asarray(plan.zones.geometry.values, dtype=object)
    centres = shapely.get_coordinates(
        shapely.point_on_surface(zones[rng.integers(0, len(zones), n)])
    )
    centres += rng.normal(0, 40, centres.shape)
    out = []
    for (x, y), area, angle in zip(
        centres,
        np.exp(rng.uniform(np.log(100), np.log(10_000), n)),
        rng.uniform(0, 90, n),
        strict=True,
    ):
        w = np.sqrt(area * 1.5)
        h = area / w
        box = shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        out.append(shapely.affinity.rotate(box, angle))
    return out


def timed(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--bulk-sites", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    plan = read_plan(SAMPLE_PLAN_DIR)
    stores = {"without roads": MemoryStore(without_roads(plan)), "with roads": MemoryStore(plan)}
    crs = plan.meta.crs
    geoms = sites(plan, args.sites, 1)
    times: dict[tuple[str, str], list[float]] = {}
    fronting = 0
    for g in geoms:
        site = Site(g, crs)
        inner = shapely.buffer(g, -2.0)
        drawn = Proposal(footprint=dict(mapping(inner))) if not inner.is_empty else Proposal()
        for name, store in stores.items():
            for path, fn in (
                ("locate", lambda s=store, x=site: s.locate(x)),
                ("check", lambda s=store, x=site: check(s, x, "47111", Proposal())),
                ("check + footprint", lambda s=store, x=site, p=drawn: check(s, x, "47111", p)),
            ):
                times.setdefault((path, name), []).append(timed(fn, args.repeat) * 1000)
        fronting += bool(stores["with roads"].locate(site).roads)
    print(f"Kupang sample, {len(geoms)} sites ({fronting} front a road), least of "
          f"{args.repeat} runs each\n")  # fmt: skip
    print("| path | store | p50 ms | p90 ms |")
    print("| --- | --- | ---: | ---: |")
    for (path, name), values in times.items():
        q = statistics.quantiles(values, n=10)
        print(f"| {path} | {name} | {statistics.median(values):.3f} | {q[8]:.3f} |")
    bulk = sites(plan, args.bulk_sites, 2)
    arr = np.array(bulk, dtype=object)
    kbli = np.full(len(arr), "47111")
    for name, store in stores.items():
        evaluate_sites(store, arr[:100], crs, kbli[:100])  # compile once, outside the clock
        seconds = timed(lambda s=store: evaluate_sites(s, arr, crs, kbli), args.repeat)
        print(f"| bulk ({len(arr):,} sites) | {name} | {len(arr) / seconds:,.0f} sites/s | |")


if __name__ == "__main__":
    main()
