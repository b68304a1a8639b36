"""The rules after locate: what a single check costs once the store has answered.

    .venv/bin/python bench/rules.py [--sites 500] [--repeat 3] --base DIR [--cpu 0]

``kkpr.check.check`` is ``store.locate`` and then the rules (ITBX, intensity, overlays,
rasters, RTRW, setbacks, the conforming part, the outcome and its reasons) that build
the CheckResult. This measures the second part alone: each site of ``bench/single.py``
(the sites of ``bench/stores.py`` on the Kupang sample) is located once, before timing,
and the rules then run on that ``Located``, as ``check`` runs them. Beside it, on the
same sites in the same process:

* **geometric floor**: an STRtree query and the GEOS intersection areas of the zones
  the site meets (as ``bench/single.py``);
* **the rules after locate**, of this tree and of ``--base`` (a checkout of the code
  before, e.g. ``git worktree add /work/wt/rules-base main``), imported side by side:
  the base's ``kkpr`` is imported first, its functions kept, then its modules are
  dropped from ``sys.modules`` and this tree's ``kkpr`` is imported;
* **the rules and the JSON**: the same, then the result as the API writes it
  (``kkpr.records.checks.canonical``): what is rendered lazily (the sentences, the
  conforming geometry) is paid here;
* **whole check** on the memory store of each tree (locate included).

The paths take turns on each site, and a site's time is the least of ``--repeat``
runs. Prints p50 and p99 in ms and as multiples of the floor's, as a table and as
Markdown.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
Fn = Callable[[int], object]


def load(tree: Path, n_sites: int) -> dict[str, Any]:
    """The plan, store, sites and located facts of one tree's ``kkpr``, and its paths."""
    sys.path[:0] = [str(tree), str(ROOT / "bench")]
    try:
        check_mod = importlib.import_module("kkpr.check")
        outcome = importlib.import_module("kkpr.rules.outcome")
        package = importlib.import_module("kkpr.plan.package")
        memory = importlib.import_module("kkpr.store.memory")
        records = importlib.import_module("kkpr.records.checks")
        model = importlib.import_module("kkpr.model")
        importlib.import_module("kkpr.site")
        stores = importlib.import_module("stores")
        assert Path(check_mod.__file__).is_relative_to(tree), check_mod.__file__
        plan = package.read_plan(ROOT / "zoning_data" / "kupang")
        store = memory.MemoryStore(plan)
        # the proposals' figures as the API gives them: Python numbers, not numpy's
        requests = [
            (site, kbli, model.Proposal(**{k: _plain(v) for k, v in vars(p).items()}))
            for site, kbli, p in stores.sites_for(plan, n_sites)
        ]
        located = [store.locate(site) for site, _k, _p in requests]
    finally:
        del sys.path[:2]
    canonical = records.canonical

    def after_locate(i: int) -> object:
        """What ``check`` does once ``store.locate`` has answered."""
        site, kbli, proposal = requests[i]
        loc = located[i]
        rules = store.rules(None)
        entry = check_mod.resolve_activity(rules, kbli)
        check_mod.measure_ground(store, rules, loc, None)
        proposal = proposal or model.Proposal()
        footprint = check_mod._footprint(proposal, site, loc, rules)
        return outcome.evaluate(rules, loc, entry, proposal, footprint)

    def with_json(i: int) -> object:
        return canonical(after_locate(i))

    def whole(i: int) -> object:
        return check_mod.check(store, *requests[i])

    for name in [m for m in sys.modules if m == "kkpr" or m.startswith("kkpr.")]:
        del sys.modules[name]
    sys.modules.pop("stores", None)
    return {"plan": plan, "requests": requests, "after": after_locate, "json": with_json,
            "whole": whole, "canonical": canonical}  # fmt: skip


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def floor_of(plan: Any, requests: list[Any]) -> Fn:
    zones = np.asarray(plan.zones.geometry.values, dtype=object)
    tree = shapely.STRtree(zones)

    def floor(i: int) -> object:
        geom = requests[i][0].geometry
        hit = tree.query(geom, predicate="intersects")
        return shapely.area(shapely.intersection(zones[hit], geom))

    return floor


def timed(paths: list[Fn], n: int, repeat: int) -> list[tuple[float, float]]:
    """p50 and p99 (ms) of each path over the sites, taking turns on each site."""
    for i in range(min(n, 50)):
        for fn in paths:
            fn(i)
    times = np.full((len(paths), n), np.inf)
    for i in range(n):
        for k, fn in enumerate(paths):
            for _ in range(repeat):
                t = time.perf_counter()
                fn(i)
                times[k, i] = min(times[k, i], time.perf_counter() - t)
    return [(float(np.percentile(r, 50) * 1e3), float(np.percentile(r, 99) * 1e3)) for r in times]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sites", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--base", type=Path, required=True, help="a checkout of the code before")
    ap.add_argument("--cpu", default="0")
    args = ap.parse_args()
    os.sched_setaffinity(0, {int(args.cpu)})
    base = load(args.base.resolve(), args.sites)
    this = load(ROOT, args.sites)
    # the same answers, byte for byte, before anything is timed
    for i in range(args.sites):
        a, b = base["canonical"](base["after"](i)), this["canonical"](this["after"](i))
        assert a == b, f"site {i}: the answers differ"
    paths = [
        (
            "geometric floor (STRtree + intersection areas)",
            floor_of(this["plan"], this["requests"]),
        ),
        ("rules after locate, before", base["after"]),
        ("rules after locate, now", this["after"]),
        ("rules after locate + JSON, before", base["json"]),
        ("rules after locate + JSON, now", this["json"]),
        ("whole check (memory store), before", base["whole"]),
        ("whole check (memory store), now", this["whole"]),
    ]
    measured = timed([fn for _l, fn in paths], args.sites, args.repeat)
    f50, f99 = measured[0]
    title = (
        f"the rules after locate beside the geometric floor — Kupang sample, one CPU, "
        f"{args.sites:,} sites, least of {args.repeat} runs"
    )
    head = ["path", "p50 ms", "p99 ms", "p50 × floor", "p99 × floor"]
    lines = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for (label, _fn), (p50, p99) in zip(paths, measured, strict=True):
        cells = [label, f"{p50:.3f}", f"{p99:.3f}", f"{p50 / f50:.2f}", f"{p99 / f99:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
